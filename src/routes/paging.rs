//! What list queries share, on pages and in the API: `page` and `per_page`,
//! the list envelope, and `from`/`to` instants.

use schemars::JsonSchema;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::config::AppConfig;
use crate::domain::FieldErrors;
use crate::error::AppError;

/// The list envelope of every collection.
#[derive(Debug, serde::Serialize, JsonSchema)]
#[schemars(rename = "{T}Page")]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

/// Checked `page`/`per_page` query values.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub page: i64,
    pub per_page: i64,
}

pub const DEFAULT_PER_PAGE: i64 = 20;

impl Paging {
    pub fn parse(
        page: Option<i64>,
        per_page: Option<i64>,
        config: &AppConfig,
    ) -> Result<Self, AppError> {
        let mut errors = FieldErrors::new();
        let paging = Self::check(page, per_page, config, &mut errors);
        errors.into_result()?;
        paging.ok_or_else(|| AppError::internal("paging refused without a reason"))
    }

    /// Like `parse`, recording the problems beside the caller's others.
    pub fn check(
        page: Option<i64>,
        per_page: Option<i64>,
        config: &AppConfig,
        errors: &mut FieldErrors,
    ) -> Option<Self> {
        let before = errors.as_slice().len();
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE.min(config.max_per_page));
        if !(1..=config.max_page).contains(&page) {
            errors.push("page", format!("Use a page from 1 to {}.", config.max_page));
        }
        if !(1..=config.max_per_page).contains(&per_page) {
            errors.push(
                "per_page",
                format!("Use per_page from 1 to {}.", config.max_per_page),
            );
        }
        (errors.as_slice().len() == before).then_some(Paging { page, per_page })
    }

    /// Paging for HTML pages, which clamp out-of-range values instead of
    /// refusing them: a hand-edited `?page=` shows the nearest page.
    pub fn clamped(page: Option<i64>, per_page: i64, config: &AppConfig) -> Self {
        Paging {
            page: page.unwrap_or(1).clamp(1, config.max_page.max(1)),
            per_page: per_page.clamp(1, config.max_per_page.max(1)),
        }
    }

    pub fn offset(self) -> i64 {
        (self.page - 1) * self.per_page
    }

    pub fn wrap<T>(self, items: Vec<T>, total: i64) -> Page<T> {
        Page {
            items,
            page: self.page,
            per_page: self.per_page,
            total,
        }
    }
}

/// Parses `2026-11-27` (midnight UTC) or a full RFC 3339 timestamp.
pub fn parse_instant(text: &str) -> Result<OffsetDateTime, String> {
    let text = text.trim();
    let invalid = || "Use a date like 2026-11-27 or an RFC 3339 timestamp.".to_owned();
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        // In UTC, as stored; an offset that carries the instant past
        // year 9999 has no UTC form.
        return at
            .checked_to_offset(time::UtcOffset::UTC)
            .ok_or_else(invalid);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, &format)
        .map(|day| day.midnight().assume_utc())
        .map_err(|_| invalid())
}
