//! How money and instants are written on pages.

use time::OffsetDateTime;

/// The formatting a page uses for its viewer.
#[derive(Debug, Clone, Default)]
pub struct Formats {}

impl Formats {
    /// Cents as currency units with two decimals: 1234 → "12.34".
    pub fn money(&self, cents: i64) -> String {
        amount_for_input(cents)
    }

    /// An instant as pages show it: `2026-11-27 14:05 UTC`.
    pub fn datetime(&self, at: OffsetDateTime) -> String {
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02} UTC",
            at.year(),
            u8::from(at.month()),
            at.day(),
            at.hour(),
            at.minute()
        )
    }

    pub fn opt_datetime(&self, at: Option<OffsetDateTime>) -> Option<String> {
        at.map(|at| self.datetime(at))
    }
}

/// Cents as a form field holds them, whatever the viewer's language:
/// 1234 → "12.34" (what the price input accepts back).
pub fn amount_for_input(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}{}.{:02}", cents / 100, cents % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_keep_two_decimals() {
        assert_eq!(amount_for_input(1234), "12.34");
        assert_eq!(amount_for_input(5), "0.05");
        assert_eq!(amount_for_input(-250), "-2.50");
    }
}
