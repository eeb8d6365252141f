-- Failed logins, counted per account and per client address. Kept in the
-- database so the limits hold across every process sharing it.
CREATE TABLE login_failures (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    account_key TEXT NOT NULL,
    ip          TEXT
);

CREATE INDEX login_failures_account_idx ON login_failures (account_key, at);
CREATE INDEX login_failures_ip_idx ON login_failures (ip, at);
CREATE INDEX login_failures_at_idx ON login_failures (at);
