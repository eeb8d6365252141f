-- Products, sales and their items. Prices are integer cents.

CREATE TABLE products (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sku         TEXT COLLATE "C" NOT NULL CHECK (sku = upper(sku)),
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    price_cents BIGINT  NOT NULL CHECK (price_cents >= 0),
    -- The database itself refuses negative stock, whatever the code does.
    stock       BIGINT  NOT NULL CHECK (stock >= 0),
    is_active   BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

CREATE UNIQUE INDEX products_sku_key ON products (sku);
CREATE INDEX products_name_idx ON products (lower(name) text_pattern_ops, id);
CREATE INDEX products_active_name_idx ON products (is_active, lower(name), id);

CREATE TABLE sales (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    total_cents BIGINT NOT NULL CHECK (total_cents >= 0),
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE INDEX sales_user_idx ON sales (user_id, id);
CREATE INDEX sales_created_at_idx ON sales (created_at, id);

CREATE TABLE sale_items (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sale_id          BIGINT NOT NULL REFERENCES sales (id) ON DELETE CASCADE,
    -- RESTRICT: a product that was sold stays, so old sales keep their meaning.
    product_id       BIGINT NOT NULL REFERENCES products (id) ON DELETE RESTRICT,
    name             TEXT   NOT NULL,
    quantity         BIGINT NOT NULL CHECK (quantity > 0),
    unit_price_cents BIGINT NOT NULL CHECK (unit_price_cents >= 0)
);

CREATE INDEX sale_items_sale_idx ON sale_items (sale_id, id);
CREATE INDEX sale_items_product_idx ON sale_items (product_id);
