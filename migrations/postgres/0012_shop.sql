-- The shopper's side (issue 16): a basket kept on the server, substring
-- search, and the viewer's time zone.

-- One row per product in a user's basket. Keyed by the account, not the
-- browser session: it survives restarts, logging out and other processes.
-- A product that is deleted leaves every basket with it.
CREATE TABLE cart_items (
    user_id    BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    product_id BIGINT      NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    quantity   BIGINT      NOT NULL CHECK (quantity > 0),
    added_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, product_id)
);

CREATE INDEX cart_items_product_idx ON cart_items (product_id);

-- Which time zone a user reads dates in (an IANA name such as Europe/Madrid).
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';

-- Substring search: trigram GIN indexes serve LIKE '%q%' (and ILIKE) on
-- each searched column; the planner ORs them with a bitmap. pg_trgm is a
-- trusted extension (PostgreSQL 13+): the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX users_username_trgm_idx ON users USING gin (username gin_trgm_ops);
CREATE INDEX users_email_trgm_idx ON users USING gin (email gin_trgm_ops);
CREATE INDEX users_first_name_key_trgm_idx ON users USING gin (first_name_key gin_trgm_ops);
CREATE INDEX users_last_name_key_trgm_idx ON users USING gin (last_name_key gin_trgm_ops);
CREATE INDEX products_name_key_trgm_idx ON products USING gin (name_key gin_trgm_ops);
CREATE INDEX products_sku_trgm_idx ON products USING gin (lower(sku) gin_trgm_ops);
