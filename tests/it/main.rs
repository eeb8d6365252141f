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
mod pages_layout;
mod sessions;
mod storage;

// Admin console, catalog, sales and the command line.
mod admin_pages;
mod catalog;
mod own_data;
mod sales;
mod sales_concurrency;
mod sales_lists;
mod seed;
mod shop_cart;
mod shop_pages;
mod shop_search;

// Issue 16, the administrator's half: command line, admin pages.
mod admin_bulk;
mod admin_export;
mod admin_forms;
mod cli_admin;

// Every operation one transaction; rules under concurrency (issue 11).
mod concurrency;
mod unit_of_work;

// Security hardening (issue 7): throttling, headers, limits, injection, fuzzing.
mod fuzz;
mod security_headers;
mod security_injection;
mod security_limits;
mod security_throttle;

// Edges that cannot be forgotten (issue 11): CSRF guard, `_method`,
// `Origin`, `?next=`, look-alike e-mail addresses.
mod edges_api;
mod edges_csrf;
mod edges_email;
mod edges_next;
// E-mail: outbox, SMTP sender, links and notices (issue 14).
mod mail_links;
mod mail_outbox;
mod mail_pages;
// Deployment (issue 12): the binary as a platform starts it.
mod platform;
mod postgres_tls;
mod static_files;
// Bearer tokens and the strict API contract (issue 15).
mod api_bearer;
mod api_strict;
mod api_tokens;
mod pages_tokens;
// Faults (issue 13): outages, full disks, shutdown, retries.
mod faults_backup;
mod faults_disk;
mod faults_idempotency;
mod faults_observe;
mod faults_outage;
mod faults_slow;
// Languages (issue 17): negotiation, the switcher, translated pages.
mod lang;
// Two-factor sign-in (issue 19).
mod mfa_api;
mod mfa_pages;
