-- 009: one-time customer links. A link carries a random nonce; its first
-- visit records the nonce here, so a second visit of the same link is
-- refused. Rows past the link's own expiry are of no use and are purged.
CREATE TABLE link_uses (
	nonce		BLOB PRIMARY KEY CHECK (length(nonce) = 16),
	block_id	INTEGER NOT NULL,
	used_at		INTEGER NOT NULL,
	expires_at	INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX link_uses_expiry ON link_uses (expires_at);

-- An API key may be bound to one account: it then sees and writes only
-- that account's reports, blocks, requests and the account itself. NULL:
-- a platform or staff key, as before.
ALTER TABLE api_clients ADD COLUMN account_id INTEGER
    REFERENCES accounts (id);
