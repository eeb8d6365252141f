//! The rules of the product, shared by the HTML pages, the JSON API and the
//! CLI: each operation is written once here and called from all three.

pub mod accounts;
pub mod catalog;
pub mod sales;
pub mod users;
