-- 005: accounts, staff, API clients, blocks, unblock requests, the audit
-- trail, webhook endpoints and the outbox. Times are unix seconds (UTC).

-- Hosting accounts, provisioned by the provider's systems through the API.
CREATE TABLE accounts (
	id		INTEGER PRIMARY KEY,
	ext_id		TEXT NOT NULL UNIQUE,		-- the provider's account id
	name		TEXT NOT NULL,
	contact_email	TEXT NOT NULL,
	lang		TEXT NOT NULL DEFAULT 'fr' CHECK (lang IN ('fr', 'en')),
	created_at	INTEGER NOT NULL
) STRICT;

CREATE TABLE domains (
	id		INTEGER PRIMARY KEY,
	account_id	INTEGER NOT NULL REFERENCES accounts (id),
	name		TEXT NOT NULL UNIQUE COLLATE NOCASE
) STRICT;
CREATE INDEX domains_account ON domains (account_id);

CREATE TABLE mailboxes (
	id		INTEGER PRIMARY KEY,
	account_id	INTEGER NOT NULL REFERENCES accounts (id),
	address		TEXT NOT NULL UNIQUE COLLATE NOCASE
) STRICT;
CREATE INDEX mailboxes_account ON mailboxes (account_id);

-- Support staff; the password is an argon2id string (crypto_pwhash_str).
CREATE TABLE staff_users (
	id		INTEGER PRIMARY KEY,
	email		TEXT NOT NULL UNIQUE COLLATE NOCASE,
	pw_hash		TEXT NOT NULL,
	role		TEXT NOT NULL CHECK (role IN ('agent', 'admin')),
	disabled	INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
	created_at	INTEGER NOT NULL
) STRICT;

-- API clients: the key itself is shown once and never stored. key_prefix
-- (the first characters of the random part) finds the row; key_hash is
-- BLAKE2b-256 of the whole key, compared in constant time.
CREATE TABLE api_clients (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE,
	key_prefix	TEXT NOT NULL UNIQUE,
	key_hash	BLOB NOT NULL CHECK (length(key_hash) = 32),
	scopes		TEXT NOT NULL,			-- "blocks:write,requests:read"
	created_at	INTEGER NOT NULL,
	last_used_at	INTEGER,
	revoked_at	INTEGER
) STRICT;

-- What the mail platform blocked, and why.
CREATE TABLE blocks (
	id		INTEGER PRIMARY KEY,
	account_id	INTEGER NOT NULL REFERENCES accounts (id),
	target_kind	TEXT NOT NULL CHECK (target_kind IN ('website', 'mailbox')),
	target		TEXT NOT NULL,			-- site or mailbox address
	cause		TEXT NOT NULL
			    CHECK (cause IN ('quota', 'spam', 'compromised')),
	figures		TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(figures)),
	started_at	INTEGER NOT NULL,
	state		TEXT NOT NULL
			    CHECK (state IN ('active', 'lifted', 'permanent')),
	repeat_count	INTEGER NOT NULL DEFAULT 1,	-- blocks in the window
	updated_at	INTEGER NOT NULL
) STRICT;
CREATE INDEX blocks_account ON blocks (account_id, started_at);
CREATE INDEX blocks_state ON blocks (state, id);

CREATE TABLE unblock_requests (
	id		INTEGER PRIMARY KEY,
	block_id	INTEGER NOT NULL REFERENCES blocks (id),
	account_id	INTEGER NOT NULL REFERENCES accounts (id),
	self_sent	INTEGER NOT NULL CHECK (self_sent IN (0, 1)),
	answers		TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(answers)),
	message		TEXT NOT NULL DEFAULT '',
	state		TEXT NOT NULL CHECK (state IN ('submitted',
			    'info_requested', 'approved', 'rejected',
			    'withdrawn')),
	decision_comment TEXT,
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL
) STRICT;
-- One open request per block.
CREATE UNIQUE INDEX unblock_requests_open ON unblock_requests (block_id)
    WHERE state IN ('submitted', 'info_requested');
CREATE INDEX unblock_requests_state ON unblock_requests (state, id);
CREATE INDEX unblock_requests_account ON unblock_requests (account_id, id);

-- Who did what, when, from where. Rows are never changed nor removed.
CREATE TABLE audit_events (
	id		INTEGER PRIMARY KEY,
	at		INTEGER NOT NULL,
	actor_kind	TEXT NOT NULL CHECK (actor_kind IN ('api', 'staff',
			    'customer', 'system')),
	actor_id	INTEGER,
	actor_name	TEXT NOT NULL,
	remote_addr	TEXT,
	account_id	INTEGER REFERENCES accounts (id),
	block_id	INTEGER REFERENCES blocks (id),
	request_id	INTEGER REFERENCES unblock_requests (id),
	action		TEXT NOT NULL,
	from_state	TEXT,
	to_state	TEXT,
	detail		TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail))
) STRICT;
CREATE INDEX audit_events_account ON audit_events (account_id, id);
CREATE INDEX audit_events_request ON audit_events (request_id, id);
CREATE INDEX audit_events_block ON audit_events (block_id, id);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
	SELECT RAISE(ABORT, 'audit_events are immutable');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
	SELECT RAISE(ABORT, 'audit_events are immutable');
END;

-- Receivers of signed webhooks. events: "*" or a comma list of types.
CREATE TABLE webhook_endpoints (
	id		INTEGER PRIMARY KEY,
	url		TEXT NOT NULL,
	secret		TEXT NOT NULL,			-- "whsec_<base64>"
	events		TEXT NOT NULL DEFAULT '*',
	active		INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	created_at	INTEGER NOT NULL
) STRICT;

-- One row per event and endpoint, written in the transaction of the state
-- change; the delivery worker sends it until a 2xx answer.
CREATE TABLE outbox (
	id		INTEGER PRIMARY KEY,
	event_id	TEXT NOT NULL,			-- webhook-id, same on retries
	event_type	TEXT NOT NULL,
	payload		TEXT NOT NULL CHECK (json_valid(payload)),
	endpoint_id	INTEGER NOT NULL REFERENCES webhook_endpoints (id),
	created_at	INTEGER NOT NULL,
	attempts	INTEGER NOT NULL DEFAULT 0,
	next_attempt_at	INTEGER NOT NULL,
	delivered_at	INTEGER,
	failed_at	INTEGER,			-- gave up after max attempts
	last_status	INTEGER,
	last_error	TEXT,
	UNIQUE (event_id, endpoint_id)
) STRICT;
CREATE INDEX outbox_due ON outbox (next_attempt_at)
    WHERE delivered_at IS NULL AND failed_at IS NULL;

-- Idempotency-Key: the first answer to a POST, replayed for 24 hours.
CREATE TABLE idempotency_keys (
	client_id	INTEGER NOT NULL,
	key		TEXT NOT NULL,
	method		TEXT NOT NULL,
	path		TEXT NOT NULL,
	status		INTEGER NOT NULL,
	body		TEXT NOT NULL,
	created_at	INTEGER NOT NULL,
	PRIMARY KEY (client_id, key)
) STRICT;

-- Escalation policy; staff may change these.
INSERT OR IGNORE INTO settings (key, value) VALUES
	('unblock.window_days', '90'),
	('unblock.repeat_threshold', '3'),
	('webhook.max_attempts', '12');
