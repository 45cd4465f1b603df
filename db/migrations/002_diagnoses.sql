-- 002: analyses a customer chose to keep and share with support.
-- They hold personal data (addresses): each expires, and expired rows are
-- purged on write and never served.
CREATE TABLE diagnoses (
	id		TEXT PRIMARY KEY,		-- random, unguessable
	created_at	INTEGER NOT NULL,		-- unix seconds
	expires_at	INTEGER NOT NULL,
	input_kind	TEXT NOT NULL,
	input_bytes	INTEGER NOT NULL,
	lang		TEXT NOT NULL,
	report		TEXT NOT NULL			-- the JSON answer
) STRICT;
CREATE INDEX diagnoses_expires ON diagnoses (expires_at);
