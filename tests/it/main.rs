//! One integration-test binary (compiled and linked once). Every test gets
//! its own database: a temporary SQLite file, or a fresh PostgreSQL database
//! when `PORTERO_TEST_DATABASE_URL` is set.

mod helpers;

mod api_auth;
