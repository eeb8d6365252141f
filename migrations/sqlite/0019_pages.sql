-- Issue 16: the sort orders of one's own purchases (/sales) by total, which
-- read one customer's sales; the other orders use sales_user_idx (ids grow
-- with time) and, across customers, sales_total_idx and the primary key.
CREATE INDEX sales_user_total_idx ON sales (user_id, total_cents, id);
