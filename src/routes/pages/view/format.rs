//! How money and instants are written on pages.

use time::OffsetDateTime;

/// The formatting a page uses for its viewer.
#[derive(Debug, Clone)]
pub struct Formats {
    /// ISO 4217 code of the shop's currency (`currency` setting).
    currency: String,
    /// The viewer's time zone (their profile's `time_zone`; UTC otherwise).
    zone: jiff::tz::TimeZone,
}

impl Default for Formats {
    fn default() -> Self {
        Formats::new("EUR")
    }
}

impl Formats {
    pub fn new(currency: &str) -> Self {
        Formats {
            currency: currency.to_owned(),
            zone: jiff::tz::TimeZone::UTC,
        }
    }

    /// The same, with instants in the zone named `name` (a name the profile
    /// accepted; an unknown one leaves UTC).
    pub fn in_zone(mut self, name: &str) -> Self {
        if let Ok(zone) = jiff::tz::db().get(name) {
            self.zone = zone;
        }
        self
    }

    /// Cents with the currency and thousands separators: 123456 →
    /// "€1,234.56"; a currency without a well-known sign is written after
    /// the amount ("1,234.56 CHF").
    pub fn money(&self, cents: i64) -> String {
        let sign = if cents < 0 { "-" } else { "" };
        let abs = cents.unsigned_abs();
        let amount = format!("{}.{:02}", group_thousands(abs / 100), abs % 100);
        match self.currency.as_str() {
            "EUR" => format!("{sign}€{amount}"),
            "USD" => format!("{sign}${amount}"),
            "GBP" => format!("{sign}£{amount}"),
            code => format!("{sign}{amount} {code}"),
        }
    }

    /// An instant as pages show it, in the viewer's zone with its
    /// abbreviation: `2026-11-27 15:05 CET` (`+0530`-style where the zone
    /// has no letters).
    pub fn datetime(&self, at: OffsetDateTime) -> String {
        jiff::Timestamp::from_second(at.unix_timestamp())
            .map_err(|error| error.to_string())
            .and_then(|instant| {
                let zoned = instant.to_zoned_datetime(self.zone.clone());
                jiff::fmt::strtime::format("%Y-%m-%d %H:%M %Z", &zoned)
                    .map_err(|error| error.to_string())
            })
            .unwrap_or_else(|_| utc_datetime(at))
    }

    pub fn opt_datetime(&self, at: Option<OffsetDateTime>) -> Option<String> {
        at.map(|at| self.datetime(at))
    }
}

/// The fallback for an instant outside the zone database's range.
fn utc_datetime(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute()
    )
}

/// 1234567 → "1,234,567".
fn group_thousands(units: u64) -> String {
    let digits = units.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
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
    fn money_has_its_currency_and_separators() {
        let eur = Formats::default();
        assert_eq!(eur.money(5480420), "€54,804.20");
        assert_eq!(eur.money(5), "€0.05");
        assert_eq!(eur.money(-123456789), "-€1,234,567.89");
        assert_eq!(Formats::new("USD").money(100000), "$1,000.00");
        assert_eq!(Formats::new("GBP").money(99999), "£999.99");
        assert_eq!(Formats::new("CHF").money(123400), "1,234.00 CHF");
    }

    #[test]
    fn instants_are_shown_in_the_viewers_zone() {
        let at = time::macros::datetime!(2026-11-27 14:05:59 UTC);
        assert_eq!(Formats::default().datetime(at), "2026-11-27 14:05 UTC");
        let zurich = Formats::default().in_zone("Europe/Zurich");
        assert_eq!(zurich.datetime(at), "2026-11-27 15:05 CET");
        let summer = time::macros::datetime!(2026-07-01 23:30 UTC);
        assert_eq!(zurich.datetime(summer), "2026-07-02 01:30 CEST");
        let kolkata = Formats::default().in_zone("Asia/Kolkata");
        assert_eq!(kolkata.datetime(at), "2026-11-27 19:35 IST");
        // An offset instant is the same instant.
        let offset = time::macros::datetime!(2026-11-27 16:05:59 +02:00);
        assert_eq!(zurich.datetime(offset), "2026-11-27 15:05 CET");
        assert_eq!(
            Formats::default().in_zone("Nowhere/Else").datetime(at),
            "2026-11-27 14:05 UTC"
        );
        assert_eq!(zurich.opt_datetime(None), None);
        // Past the zone database's range: still written, in UTC.
        let far = time::macros::datetime!(-9999-01-01 00:00 UTC);
        assert_eq!(zurich.datetime(far), "-9999-01-01 00:00 UTC");
    }

    #[test]
    fn amounts_keep_two_decimals() {
        assert_eq!(amount_for_input(1234), "12.34");
        assert_eq!(amount_for_input(5), "0.05");
        assert_eq!(amount_for_input(-250), "-2.50");
    }
}
