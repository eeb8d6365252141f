-- Case-folded copies of names for prefix search, written by the application
-- (the same columns exist on SQLite, whose lower() folds only ASCII). The C
-- collation lets one index serve LIKE 'prefix%' and ORDER BY.

ALTER TABLE users
    ADD COLUMN first_name_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    ADD COLUMN last_name_key TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE users SET first_name_key = lower(first_name), last_name_key = lower(last_name);
DROP INDEX users_first_name_idx;
DROP INDEX users_last_name_idx;
CREATE INDEX users_first_name_key_idx ON users (first_name_key);
CREATE INDEX users_last_name_key_idx ON users (last_name_key);

ALTER TABLE products ADD COLUMN name_key TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE products SET name_key = lower(name);
DROP INDEX products_name_idx;
DROP INDEX products_active_name_idx;
CREATE INDEX products_name_key_idx ON products (name_key, id);
CREATE INDEX products_active_name_key_idx ON products (is_active, name_key, id);
