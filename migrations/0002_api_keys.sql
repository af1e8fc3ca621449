-- Switchyard ledger schema, version 0002: API keys of users.
--
-- Released migrations are never edited: change the schema by adding 0003_..., 0004_... files.
-- Conventions as in 0001_initial.sql (UTC TEXT timestamps 'YYYY-MM-DD HH:MM:SS.SSS', no foreign keys).
--
-- A key is 'sy-' followed by 40 random base62 characters. Only its first 8 characters and its SHA-256 are stored:
-- the key itself is shown once, when it is created, and cannot be recovered from this table.

-- One row per key ever created. Revoking sets revoked_at; rows are never deleted, so the ledger keeps saying which
-- key a user had.
CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY,              -- creation order; `switchyard keys revoke <id>` accepts it
    key_prefix   TEXT NOT NULL,                    -- the first 8 characters ('sy-' and 5 more), shown to people
    key_hash     TEXT NOT NULL UNIQUE,             -- lowercase hex SHA-256 of the whole key's UTF-8 bytes
    user_id      TEXT NOT NULL,                    -- the user a request with this key is made as
    name         TEXT,                             -- what the key is for ('ci', 'alice laptop'), for people
    created_at   TEXT NOT NULL,
    revoked_at   TEXT,                             -- NULL while the key works
    last_used_at TEXT                              -- last accepted use, written at most about once a minute
);
-- Prefixes are unique too (creation draws again on a clash), so a prefix names one key.
CREATE UNIQUE INDEX api_keys_prefix ON api_keys (key_prefix);
CREATE INDEX api_keys_user ON api_keys (user_id, id);
