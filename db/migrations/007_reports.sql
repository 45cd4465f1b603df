-- 007: reports of the provider's outbound antispam filter about the
-- messages it blocked. Headers may be kept (bounded); bodies never are.
-- Reports older than reports.retention_days are purged on each new one.
CREATE TABLE filter_reports (
	id		INTEGER PRIMARY KEY,
	account_id	INTEGER NOT NULL REFERENCES accounts (id),
	sender		TEXT NOT NULL,
	recipients	TEXT NOT NULL CHECK (json_valid(recipients)),
	subject		TEXT NOT NULL DEFAULT '',
	message_id	TEXT,
	sent_at		INTEGER NOT NULL,		-- when the filter saw it
	score		REAL NOT NULL,
	threshold	REAL NOT NULL,
	relay		TEXT,
	ip		TEXT NOT NULL,
	headers		TEXT,				-- header block only
	created_at	INTEGER NOT NULL,
	-- The customer asked for a review (fixed, or a false positive).
	review_at	INTEGER,
	review_reason	TEXT CHECK (review_reason IN ('fixed',
			    'false_positive')),
	review_note	TEXT,
	-- Staff judged it a false positive (sent back to the filter).
	fp_at		INTEGER,
	fp_by		TEXT,
	fp_note		TEXT
) STRICT;
CREATE INDEX filter_reports_account ON filter_reports (account_id, id);
CREATE INDEX filter_reports_created ON filter_reports (created_at);

-- The SpamAssassin-style tests that fired, with the score they added.
CREATE TABLE filter_report_tests (
	report_id	INTEGER NOT NULL REFERENCES filter_reports (id)
			    ON DELETE CASCADE,
	name		TEXT NOT NULL,
	score		REAL NOT NULL,
	PRIMARY KEY (report_id, name)
) STRICT, WITHOUT ROWID;
CREATE INDEX filter_report_tests_name ON filter_report_tests (name);

-- The form checks that failed (blacklisted_ip, no_rdns...), in order.
CREATE TABLE filter_report_checks (
	report_id	INTEGER NOT NULL REFERENCES filter_reports (id)
			    ON DELETE CASCADE,
	pos		INTEGER NOT NULL,
	check_id	TEXT NOT NULL,
	detail		TEXT,
	PRIMARY KEY (report_id, pos)
) STRICT, WITHOUT ROWID;
CREATE INDEX filter_report_checks_id ON filter_report_checks (check_id);

INSERT OR IGNORE INTO settings (key, value) VALUES
	('reports.retention_days', '90'),
	('reports.link_days', '30');
