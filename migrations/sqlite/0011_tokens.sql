-- Bearer credentials for API clients (issue 15).
--
-- A token from POST /api/auth/token is a session like a browser's (same
-- timeouts, same revocation), so it is a row of `sessions`; `kind` tells
-- the two apart in the owner's list and keeps each usable only its own way.
ALTER TABLE sessions ADD COLUMN kind TEXT NOT NULL DEFAULT 'browser'
    CHECK (kind IN ('browser', 'api'));

-- Personal access tokens: long-lived, scoped, named by their owner. Only
-- the SHA-256 of the secret is kept; `hint` (the prefix and the last four
-- characters) lets the owner recognise one without it.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    token_hash   BLOB    NOT NULL,
    hint         TEXT    NOT NULL,
    -- Space-separated subset of: read write admin.
    scopes       TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    last_used_at TEXT,
    expires_at   TEXT
);

CREATE UNIQUE INDEX api_tokens_token_hash_key ON api_tokens (token_hash);
CREATE INDEX api_tokens_user_id_idx ON api_tokens (user_id, id);
