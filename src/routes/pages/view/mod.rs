//! Everything pages show, typed: one `Serialize` struct per thing shown
//! (built from the projections in [`crate::views`], adding only
//! formatting) and the formatters for money, dates, page links and charts.
//! Templates get these values ready to print; they compute nothing.

mod account;
mod audit;
mod catalog;
mod chart;
mod format;
mod highlight;
mod pagination;

pub use account::{Session, SignedIn, User, browser_summary};
pub use audit::Event;
pub use catalog::{Product, Sale, SaleItem};
pub use chart::{BarChart, bar_chart, last_days};
pub use format::{Formats, amount_for_input};
pub use highlight::{Part, highlight};
pub use pagination::{Pagination, query_value};
