//! The rules of the product, shared by the HTML pages, the JSON API and the
//! CLI: each operation is written once here and called from all three.
//!
//! An operation takes the [`Actor`](crate::actor::Actor) performing it and
//! runs as one transaction: `app.begin()`, the reads that decide, the
//! writes, the audit event, `commit()`. Password hashing happens before the
//! transaction begins. Reads take a connection with `app.acquire()`.

pub mod accounts;
pub mod cart;
pub mod catalog;
pub mod create_admin;
pub mod export;
pub mod housekeeping;
pub mod idempotency;
pub mod mail_queue;
pub mod mfa;
pub mod own_data;
pub mod recovery;
pub mod reports;
pub mod sales;
pub mod tokens;
pub mod user_bulk;
pub mod users;
