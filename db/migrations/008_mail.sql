-- 008: customer e-mail about unblock requests. A row is written in the
-- transaction of the request's change (next to the webhook outbox rows)
-- and sent through smtp_relay until the relay accepts it.
CREATE TABLE mail_outbox (
	id		INTEGER PRIMARY KEY,
	event_id	TEXT NOT NULL UNIQUE,		-- as in outbox: Message-ID
	event_type	TEXT NOT NULL,
	payload		TEXT NOT NULL CHECK (json_valid(payload)),
	created_at	INTEGER NOT NULL,
	attempts	INTEGER NOT NULL DEFAULT 0,
	next_attempt_at	INTEGER NOT NULL,
	delivered_at	INTEGER,
	failed_at	INTEGER,			-- gave up
	last_error	TEXT
) STRICT;
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at)
    WHERE delivered_at IS NULL AND failed_at IS NULL;
