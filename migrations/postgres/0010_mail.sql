-- E-mail: the outbox the sender drains, and the single-use tokens that
-- links in messages carry.

-- One row per message, written in the transaction of the change that
-- causes it. The sender claims due rows by taking a lease (`locked_until`),
-- so two processes never hold the same message at once; bodies are erased
-- once sent, as they may carry a link token.
CREATE TABLE mail_outbox (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            TEXT    NOT NULL,
    user_id         BIGINT REFERENCES users (id) ON DELETE SET NULL,
    recipient       TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body_text       TEXT    NOT NULL,
    body_html       TEXT    NOT NULL,
    message_id      TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'queued'
                            CHECK (status IN ('queued', 'sent', 'failed')),
    attempts        BIGINT  NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    locked_until    TIMESTAMPTZ,
    last_error      TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    sent_at         TIMESTAMPTZ
);

CREATE INDEX mail_outbox_due_idx ON mail_outbox (status, next_attempt_at);
CREATE INDEX mail_outbox_created_idx ON mail_outbox (created_at, id);
CREATE INDEX mail_outbox_user_kind_idx ON mail_outbox (user_id, kind, created_at);

-- Tokens in links (password reset, e-mail verification): only their
-- SHA-256 is kept; a token is deleted when used or voided.
CREATE TABLE link_tokens (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash BYTEA  NOT NULL,
    purpose    TEXT    NOT NULL CHECK (purpose IN ('password_reset', 'verify_email')),
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The address a verification link confirms: a link to an address the
    -- account no longer has verifies nothing.
    email      TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

CREATE UNIQUE INDEX link_tokens_token_hash_key ON link_tokens (token_hash);
CREATE INDEX link_tokens_user_idx ON link_tokens (user_id, purpose);
CREATE INDEX link_tokens_expires_at_idx ON link_tokens (expires_at);
