-- "Most recent login first, never last" reads this index forwards; the
-- ascending index serves "oldest first, never last".
CREATE INDEX users_last_login_at_desc_idx ON users (last_login_at DESC NULLS LAST, id DESC);
