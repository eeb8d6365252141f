-- Issue 16: an index for each order the admin product and sales lists offer.
CREATE INDEX products_price_idx ON products (price_cents, id);
CREATE INDEX products_stock_idx ON products (stock, id);
CREATE INDEX products_updated_at_idx ON products (updated_at, id);
CREATE INDEX sales_total_idx ON sales (total_cents, id);
