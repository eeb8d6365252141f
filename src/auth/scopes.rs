//! What a personal access token may do. A token carries a set of scopes,
//! stored as space-separated words; the request guards check them in one
//! place (`auth::guards`), so no handler can forget.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One permission of a personal access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Read-only calls (`GET`) on what the owner may see.
    Read,
    /// Changes to the owner's own data (every method but `GET`).
    Write,
    /// Administrator routes; only an administrator may grant it, and it
    /// stops working when the owner is no longer one.
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Read, Scope::Write, Scope::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Admin => "admin",
        }
    }

    fn bit(self) -> u8 {
        match self {
            Scope::Read => 1,
            Scope::Write => 2,
            Scope::Admin => 4,
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scope {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Scope::ALL
            .into_iter()
            .find(|scope| scope.as_str() == text)
            .ok_or_else(|| "Choose read, write or admin.".to_owned())
    }
}

/// A set of scopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scopes(u8);

impl Scopes {
    pub fn of(scopes: &[Scope]) -> Self {
        Scopes(scopes.iter().fold(0, |bits, scope| bits | scope.bit()))
    }

    pub fn contains(self, scope: Scope) -> bool {
        self.0 & scope.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The scopes in a fixed order.
    pub fn to_vec(self) -> Vec<Scope> {
        Scope::ALL
            .into_iter()
            .filter(|scope| self.contains(*scope))
            .collect()
    }

    /// Reads the stored form; unknown words (none are written) are dropped,
    /// so a damaged row grants less, never more.
    pub fn from_stored(text: &str) -> Self {
        let scopes: Vec<Scope> = text
            .split_whitespace()
            .filter_map(|word| word.parse().ok())
            .collect();
        Scopes::of(&scopes)
    }

    /// The stored form: space-separated, in a fixed order.
    pub fn to_stored(self) -> String {
        self.to_vec()
            .iter()
            .map(|scope| scope.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_the_stored_form() {
        let scopes = Scopes::of(&[Scope::Admin, Scope::Read]);
        assert_eq!(scopes.to_stored(), "read admin");
        assert_eq!(Scopes::from_stored("read admin"), scopes);
        assert!(scopes.contains(Scope::Read) && !scopes.contains(Scope::Write));
        assert_eq!(Scopes::from_stored("read root"), Scopes::of(&[Scope::Read]));
        assert!(Scopes::from_stored("").is_empty());
        assert_eq!("write".parse::<Scope>(), Ok(Scope::Write));
        assert!("Write".parse::<Scope>().is_err());
        assert_eq!(Scope::Admin.to_string(), "admin");
    }
}
