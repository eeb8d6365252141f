-- Products, sales and their items. Prices are integer cents.

CREATE TABLE products (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    sku         TEXT    NOT NULL COLLATE NOCASE,
    name        TEXT    NOT NULL COLLATE NOCASE,
    description TEXT    NOT NULL DEFAULT '',
    price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
    -- The database itself refuses negative stock, whatever the code does.
    stock       INTEGER NOT NULL CHECK (stock >= 0),
    is_active   BOOLEAN NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);

CREATE UNIQUE INDEX products_sku_key ON products (sku);
CREATE INDEX products_name_idx ON products (name, id);
CREATE INDEX products_active_name_idx ON products (is_active, name, id);

CREATE TABLE sales (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    total_cents INTEGER NOT NULL CHECK (total_cents >= 0),
    created_at  TEXT    NOT NULL
);

CREATE INDEX sales_user_idx ON sales (user_id, id);
CREATE INDEX sales_created_at_idx ON sales (created_at, id);

CREATE TABLE sale_items (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    sale_id          INTEGER NOT NULL REFERENCES sales (id) ON DELETE CASCADE,
    -- RESTRICT: a product that was sold stays, so old sales keep their meaning.
    product_id       INTEGER NOT NULL REFERENCES products (id) ON DELETE RESTRICT,
    name             TEXT    NOT NULL,
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents >= 0)
);

CREATE INDEX sale_items_sale_idx ON sale_items (sale_id, id);
CREATE INDEX sale_items_product_idx ON sale_items (product_id);
