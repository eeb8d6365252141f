//! One integration-test binary (compiled and linked once). Every test gets
//! its own database: a temporary SQLite file, or a fresh PostgreSQL database
//! when `PORTERO_TEST_DATABASE_URL` is set.

mod helpers;

mod admin_guard;
mod api_auth;
mod api_contract;
mod api_me;
mod api_users;
mod ops;
mod pages_account;
mod pages_auth;
mod sessions;
