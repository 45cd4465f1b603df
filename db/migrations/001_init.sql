-- 001: the ground every feature stands on.
-- Settings that staff may change at run time (key -> value).
CREATE TABLE settings (
	key		TEXT PRIMARY KEY,
	value		TEXT NOT NULL,
	updated_at	TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
) STRICT;

-- Each seed file records itself, so a re-seed can tell what it brought.
CREATE TABLE seed_log (
	name		TEXT PRIMARY KEY,
	applied_at	TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
) STRICT;
