-- The shopper's side (issue 16): a basket kept on the server, substring
-- search, and the viewer's time zone.

-- One row per product in a user's basket. Keyed by the account, not the
-- browser session: it survives restarts, logging out and other processes.
-- A product that is deleted leaves every basket with it.
CREATE TABLE cart_items (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    quantity   INTEGER NOT NULL CHECK (quantity > 0),
    added_at   TEXT    NOT NULL,
    PRIMARY KEY (user_id, product_id)
);

CREATE INDEX cart_items_product_idx ON cart_items (product_id);

-- Which time zone a user reads dates in (an IANA name such as Europe/Madrid).
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';

-- Substring search: FTS5 trigram indexes over the searched columns, kept in
-- step with their tables by triggers ("external content" tables store no
-- copy of the text). A search of three or more characters reads the index;
-- a shorter one scans with LIKE '%q%', which at one or two characters
-- matches a large share of the rows anyway.
CREATE VIRTUAL TABLE users_fts USING fts5(
    username, email, first_name_key, last_name_key,
    content = 'users', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO users_fts (users_fts) VALUES ('rebuild');

CREATE TRIGGER users_fts_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_fts (rowid, username, email, first_name_key, last_name_key)
    VALUES (new.id, new.username, new.email, new.first_name_key, new.last_name_key);
END;
CREATE TRIGGER users_fts_delete AFTER DELETE ON users BEGIN
    INSERT INTO users_fts (users_fts, rowid, username, email, first_name_key, last_name_key)
    VALUES ('delete', old.id, old.username, old.email, old.first_name_key, old.last_name_key);
END;
CREATE TRIGGER users_fts_update
AFTER UPDATE OF username, email, first_name_key, last_name_key ON users BEGIN
    INSERT INTO users_fts (users_fts, rowid, username, email, first_name_key, last_name_key)
    VALUES ('delete', old.id, old.username, old.email, old.first_name_key, old.last_name_key);
    INSERT INTO users_fts (rowid, username, email, first_name_key, last_name_key)
    VALUES (new.id, new.username, new.email, new.first_name_key, new.last_name_key);
END;

CREATE VIRTUAL TABLE products_fts USING fts5(
    name_key, sku,
    content = 'products', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO products_fts (products_fts) VALUES ('rebuild');

CREATE TRIGGER products_fts_insert AFTER INSERT ON products BEGIN
    INSERT INTO products_fts (rowid, name_key, sku) VALUES (new.id, new.name_key, new.sku);
END;
CREATE TRIGGER products_fts_delete AFTER DELETE ON products BEGIN
    INSERT INTO products_fts (products_fts, rowid, name_key, sku)
    VALUES ('delete', old.id, old.name_key, old.sku);
END;
CREATE TRIGGER products_fts_update AFTER UPDATE OF name_key, sku ON products BEGIN
    INSERT INTO products_fts (products_fts, rowid, name_key, sku)
    VALUES ('delete', old.id, old.name_key, old.sku);
    INSERT INTO products_fts (rowid, name_key, sku) VALUES (new.id, new.name_key, new.sku);
END;
