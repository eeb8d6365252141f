-- E-mail addresses are stored in a normal form from now on (NFKC, lower
-- case, IDNA ASCII domain: see src/domain/email.rs), so the unique index
-- on users.email compares normal forms for every address written since.
--
-- Rows written before were only trimmed and lower-cased. Where PostgreSQL
-- can compute the application's normal form itself (NFKC, then lower case,
-- giving plain ASCII, on which IDNA changes nothing) this rewrites the row,
-- unless another row has, or would get, the same address: which of two
-- accounts keeps an address is for a person to decide, not a migration.
-- Left as they were, and still working for login by username: those
-- collisions, and addresses whose normal form is not ASCII (punycode needs
-- IDNA, which SQL lacks); saving such a user's profile stores the normal
-- form, or reports the collision. Nothing is deleted.

WITH normal AS (
    SELECT id,
           email,
           CASE WHEN email ~ '^[ -~]*$' THEN email
                ELSE lower(normalize(email, NFKC)) END AS normal
    FROM users
),
unique_normal AS (
    SELECT normal FROM normal GROUP BY normal HAVING count(*) = 1
)
UPDATE users AS u
SET email = n.normal
FROM normal AS n
JOIN unique_normal AS un ON un.normal = n.normal
WHERE u.id = n.id
  AND n.email <> n.normal
  AND n.normal ~ '^[!-~]+$';
