-- Case-folded copies of names for prefix search. SQLite's LIKE and NOCASE
-- fold only ASCII letters, so the application stores Unicode lower case
-- here and searches these columns. Rows that exist now get SQLite's lower()
-- (ASCII folding); every later write stores the full folding.

ALTER TABLE users ADD COLUMN first_name_key TEXT NOT NULL DEFAULT '' COLLATE NOCASE;
ALTER TABLE users ADD COLUMN last_name_key TEXT NOT NULL DEFAULT '' COLLATE NOCASE;
UPDATE users SET first_name_key = lower(first_name), last_name_key = lower(last_name);
DROP INDEX users_first_name_idx;
DROP INDEX users_last_name_idx;
CREATE INDEX users_first_name_key_idx ON users (first_name_key);
CREATE INDEX users_last_name_key_idx ON users (last_name_key);

ALTER TABLE products ADD COLUMN name_key TEXT NOT NULL DEFAULT '' COLLATE NOCASE;
UPDATE products SET name_key = lower(name);
DROP INDEX products_name_idx;
DROP INDEX products_active_name_idx;
CREATE INDEX products_name_key_idx ON products (name_key, id);
CREATE INDEX products_active_name_key_idx ON products (is_active, name_key, id);
