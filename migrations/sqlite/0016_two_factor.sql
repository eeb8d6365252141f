-- Two-factor sign-in (issue 19): TOTP secrets, recovery codes and the
-- pending second step of a login.
--
-- `users.mfa_enabled_at` says whether the account has a second factor. It
-- is read with every session lookup (the user's columns come along), so
-- `require_admin_mfa` and the admin lists cost no extra query.
ALTER TABLE users ADD COLUMN mfa_enabled_at TEXT;

-- One TOTP secret per account, sealed with XChaCha20-Poly1305 under a key
-- derived from the application's secret key (nonce || ciphertext), so a
-- database dump alone does not reveal it. `confirmed_at` is NULL while the
-- enrolment waits for its first code. `last_step` is the RFC 6238 time
-- step of the last code accepted: a code is never accepted twice.
CREATE TABLE mfa_secrets (
    user_id      INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    sealed       BLOB    NOT NULL,
    created_at   TEXT    NOT NULL,
    confirmed_at TEXT,
    last_step    INTEGER
);

-- Single-use recovery codes, kept only as a keyed hash (HMAC-SHA-256).
CREATE TABLE mfa_recovery_codes (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash BLOB    NOT NULL,
    used_at   TEXT
);

CREATE UNIQUE INDEX mfa_recovery_codes_user_hash_key ON mfa_recovery_codes (user_id, code_hash);

-- A login whose password was right, waiting for its code: the token (only
-- its SHA-256 kept) is short-lived, single use and bound to the account.
CREATE TABLE mfa_challenges (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash BLOB    NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL
);

CREATE UNIQUE INDEX mfa_challenges_token_hash_key ON mfa_challenges (token_hash);
CREATE INDEX mfa_challenges_user_idx ON mfa_challenges (user_id);
CREATE INDEX mfa_challenges_expires_at_idx ON mfa_challenges (expires_at);
