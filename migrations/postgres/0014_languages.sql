-- Issue 17: the language a user chose with the switcher ('en', 'es');
-- NULL until they choose, when the browser's preferences decide.
ALTER TABLE users ADD COLUMN locale TEXT CHECK (locale IN ('en', 'es'));
