//! How money and instants are written on pages.

use std::sync::OnceLock;

use icu_decimal::DecimalFormatter;
use icu_decimal::input::Decimal;
use icu_locale_core::locale;
use time::OffsetDateTime;

use crate::i18n::Lang;

/// The formatting a page uses for its viewer.
#[derive(Debug, Clone)]
pub struct Formats {
    /// ISO 4217 code of the shop's currency (`currency` setting).
    currency: String,
    /// The viewer's time zone (their profile's `time_zone`; UTC otherwise).
    zone: jiff::tz::TimeZone,
    /// The page's language: how numbers are written.
    lang: Lang,
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
            lang: Lang::En,
        }
    }

    /// The same, with numbers written as `lang` writes them.
    pub fn in_language(mut self, lang: Lang) -> Self {
        self.lang = lang;
        self
    }

    /// The same, with instants in the zone named `name` (a name the profile
    /// accepted; an unknown one leaves UTC).
    pub fn in_zone(mut self, name: &str) -> Self {
        if let Ok(zone) = jiff::tz::db().get(name) {
            self.zone = zone;
        }
        self
    }

    /// Cents with the currency, written the page language's way (CLDR,
    /// through ICU4X): 123456 → "€1,234.56" in English, "1234,56 €" in
    /// Spanish, whose grouping starts at five digits ("12.345,67 €"). A
    /// currency without a well-known sign is written as its code after the
    /// amount ("1,234.00 CHF").
    pub fn money(&self, cents: i64) -> String {
        let sign = if cents < 0 { "-" } else { "" };
        let units = cents.unsigned_abs();
        let mut decimal = Decimal::from(units);
        decimal.multiply_pow10(-2);
        let amount = match decimal_formatter(self.lang) {
            Some(formatter) => formatter.format(&decimal).to_string(),
            None => format!("{}.{:02}", units / 100, units % 100),
        };
        // U+00A0: the amount and a sign written after it stay on one line.
        match (self.lang, symbol(&self.currency)) {
            (Lang::En, Some(symbol)) => format!("{sign}{symbol}{amount}"),
            (Lang::Es, Some(symbol)) => format!("{sign}{amount}\u{a0}{symbol}"),
            (_, None) => format!("{sign}{amount}\u{a0}{}", self.currency),
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

/// The sign both languages write for a currency, where there is one.
fn symbol(currency: &str) -> Option<&'static str> {
    match currency {
        "EUR" => Some("€"),
        "USD" => Some("$"),
        "GBP" => Some("£"),
        _ => None,
    }
}

/// One formatter per language, made on first use from the CLDR data
/// compiled into the binary (`None` only if that data lacked the locale).
fn decimal_formatter(lang: Lang) -> Option<&'static DecimalFormatter> {
    static EN: OnceLock<Option<DecimalFormatter>> = OnceLock::new();
    static ES: OnceLock<Option<DecimalFormatter>> = OnceLock::new();
    let (cell, locale) = match lang {
        Lang::En => (&EN, locale!("en")),
        Lang::Es => (&ES, locale!("es")),
    };
    cell.get_or_init(|| DecimalFormatter::try_new(locale.into(), Default::default()).ok())
        .as_ref()
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
        assert_eq!(Formats::new("CHF").money(123400), "1,234.00\u{a0}CHF");
    }

    #[test]
    fn spanish_money_follows_cldr() {
        let es = Formats::default().in_language(Lang::Es);
        // Spanish groups only from five digits on (CLDR minimumGroupingDigits 2).
        assert_eq!(es.money(123456), "1234,56\u{a0}€");
        assert_eq!(es.money(1234567), "12.345,67\u{a0}€");
        assert_eq!(es.money(-5), "-0,05\u{a0}€");
        let chf = Formats::new("CHF").in_language(Lang::Es);
        assert_eq!(chf.money(12345678), "123.456,78\u{a0}CHF");
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
