-- When each throttle key (an account, or a client address) was last
-- reported in the audit log: a key refused a thousand times in one window
-- is reported once. Pruned with the login failures.
CREATE TABLE throttle_notices (
    throttle_key TEXT PRIMARY KEY,
    noticed_at   TIMESTAMPTZ NOT NULL
);

CREATE INDEX throttle_notices_noticed_at_idx ON throttle_notices (noticed_at);
