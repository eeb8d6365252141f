-- Idempotency-Key records (issue 13): a write that succeeded under a key,
-- stored in the same transaction as the write itself, so a retry with the
-- same key and request finds it (and is answered with the same resource)
-- even when the first answer was lost. Kept 24 hours; swept after that.
CREATE TABLE idempotency_keys (
    -- The operation and who asked, e.g. 'sale:user:42'.
    scope        TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    -- SHA-256 of the request's meaningful content: a different request under
    -- the same key is refused (422).
    request_hash TEXT NOT NULL,
    -- What the first request created (a sale, a product, a user).
    resource_id  BIGINT,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (scope, idem_key)
);

CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
