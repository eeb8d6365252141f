-- The key that seals private cookies when none is configured: made by the
-- first process that starts on this database and read by every later one,
-- so restarts keep sessions and all processes agree (src/secret_key.rs).
-- One row at most; a configured ROCKET_SECRET_KEY always wins.
CREATE TABLE secret_key (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    value      TEXT NOT NULL,
    created_at TEXT NOT NULL
);
