-- Accounts, server-side sessions and the audit log.
-- Timestamps are RFC 3339 UTC text written by the application with whole
-- seconds, so text order is time order.

CREATE TABLE users (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    -- NOCASE makes uniqueness ignore case and lets LIKE 'prefix%' use the index.
    username          TEXT    NOT NULL COLLATE NOCASE,
    email             TEXT    NOT NULL COLLATE NOCASE,
    password_hash     TEXT    NOT NULL,
    first_name        TEXT    NOT NULL COLLATE NOCASE,
    last_name         TEXT    NOT NULL COLLATE NOCASE,
    address           TEXT,
    phone             TEXT,
    role              TEXT    NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
    is_active         BOOLEAN NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    email_verified_at TEXT,
    last_login_at     TEXT,
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL
);

CREATE UNIQUE INDEX users_username_key ON users (username);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_first_name_idx ON users (first_name);
CREATE INDEX users_last_name_idx ON users (last_name);
CREATE INDEX users_created_at_idx ON users (created_at, id);
CREATE INDEX users_last_login_at_idx ON users (last_login_at, id);
CREATE INDEX users_role_active_idx ON users (role, is_active);

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    -- SHA-256 of the random id the browser holds; the id itself is never stored.
    token_hash   BLOB    NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    last_seen_at TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL,
    ip           TEXT,
    user_agent   TEXT
);

CREATE UNIQUE INDEX sessions_token_hash_key ON sessions (token_hash);
CREATE INDEX sessions_user_id_idx ON sessions (user_id, id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

CREATE TABLE audit_events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    at             TEXT    NOT NULL,
    -- No foreign keys: the log outlives the accounts it mentions.
    actor_id       INTEGER,
    actor_name     TEXT,
    action         TEXT    NOT NULL,
    target_user_id INTEGER,
    target         TEXT,
    ip             TEXT,
    detail         TEXT
);

CREATE INDEX audit_events_at_idx ON audit_events (at, id);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_name, id);
CREATE INDEX audit_events_action_idx ON audit_events (action, id);
CREATE INDEX audit_events_actor_id_idx ON audit_events (actor_id, id);
CREATE INDEX audit_events_target_user_idx ON audit_events (target_user_id, id);
