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
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT   NOT NULL,
    token_hash   BYTEA  NOT NULL,
    hint         TEXT   NOT NULL,
    -- Space-separated subset of: read write admin.
    scopes       TEXT   NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    expires_at   TIMESTAMPTZ
);

CREATE UNIQUE INDEX api_tokens_token_hash_key ON api_tokens (token_hash);
CREATE INDEX api_tokens_user_id_idx ON api_tokens (user_id, id);
