-- Kept in step with the PostgreSQL migrations, which add an index for
-- "most recent login first, never last". SQLite cannot serve NULLS LAST
-- from an index and sorts that order itself, so nothing changes here.
SELECT 1;
