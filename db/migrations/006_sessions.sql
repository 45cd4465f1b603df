-- 006: staff sessions and the sign-in throttle of the portal.
-- A session is a random token in an HttpOnly cookie; only its BLAKE2b-256
-- hash is kept, so a copy of the database does not sign anyone in.
CREATE TABLE staff_sessions (
	token_hash	BLOB PRIMARY KEY CHECK (length(token_hash) = 32),
	staff_id	INTEGER NOT NULL REFERENCES staff_users (id)
			    ON DELETE CASCADE,
	created_at	INTEGER NOT NULL,
	last_seen_at	INTEGER NOT NULL,
	expires_at	INTEGER NOT NULL,		-- absolute end
	remote_addr	TEXT
) STRICT, WITHOUT ROWID;
CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id);
CREATE INDEX staff_sessions_expiry ON staff_sessions (expires_at);

-- Failed sign-ins. key is a hash of the address (and of the address with
-- the email), never the email itself; rows older than the window go.
CREATE TABLE login_failures (
	id		INTEGER PRIMARY KEY,
	key		BLOB NOT NULL CHECK (length(key) = 32),
	at		INTEGER NOT NULL
) STRICT;
CREATE INDEX login_failures_key ON login_failures (key, at);
