//! The time zone a person reads instants in: an IANA name from the list the
//! profile offers (`Europe/Zurich`, `UTC`), checked against the time zone
//! database built into the binary.

use std::sync::LazyLock;

/// The zone of a new account, and of anyone not logged in.
pub const DEFAULT: &str = "UTC";

/// Areas of the IANA names offered: the canonical `Area/City` zones, without
/// the legacy aliases (`US/Eastern`, `Etc/GMT+5`, `posixrules`) that would
/// make one place appear under several names.
const AREAS: [&str; 9] = [
    "Africa/",
    "America/",
    "Antarctica/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
];

static CHOICES: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut names: Vec<String> = jiff::tz::db()
        .available()
        .map(|name| name.as_str().to_owned())
        .filter(|name| AREAS.iter().any(|area| name.starts_with(area)))
        .collect();
    names.sort();
    names.dedup();
    names.insert(0, DEFAULT.to_owned());
    names
});

/// Every name a person can choose, `UTC` first, then alphabetically.
pub fn choices() -> &'static [String] {
    &CHOICES
}

/// A time zone name from [`choices`], spelled as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeZoneName(String);

impl TimeZoneName {
    /// Accepts a listed name in any letter case (`europe/zurich`).
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        CHOICES
            .iter()
            .find(|name| name.eq_ignore_ascii_case(raw))
            .filter(|name| jiff::tz::db().get(name).is_ok())
            .map(|name| TimeZoneName(name.clone()))
            .ok_or_else(|| "Choose a time zone from the list, such as Europe/Madrid or UTC.".into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_starts_with_utc_and_holds_the_big_cities() {
        let names = choices();
        assert_eq!(names[0], "UTC");
        for city in [
            "Europe/Zurich",
            "Europe/Madrid",
            "America/New_York",
            "Asia/Kolkata",
            "Australia/Sydney",
            "Pacific/Auckland",
        ] {
            assert!(names.iter().any(|name| name == city), "{city}");
        }
        assert!(names.len() > 300, "{} zones", names.len());
        assert!(
            !names
                .iter()
                .any(|name| name.starts_with("US/") || name.starts_with("Etc/"))
        );
        assert!(
            names[1..].windows(2).all(|pair| pair[0] < pair[1]),
            "sorted, no duplicates"
        );
    }

    #[test]
    fn names_are_checked_and_spelled_as_listed() {
        assert_eq!(TimeZoneName::parse("UTC").unwrap().as_str(), "UTC");
        assert_eq!(
            TimeZoneName::parse(" europe/zurich ").unwrap().as_str(),
            "Europe/Zurich"
        );
        for bad in [
            "",
            "Mars/Olympus_Mons",
            "US/Eastern",
            "Europe",
            "../../etc/passwd",
            "+02:00",
        ] {
            assert!(TimeZoneName::parse(bad).is_err(), "{bad:?}");
        }
    }
}
