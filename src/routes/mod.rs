//! Everything reachable over HTTP: pages, the API and its docs, probes.

pub mod api;
pub mod docs;
pub mod health;
pub mod metrics;
pub mod pages;
pub mod paging;
