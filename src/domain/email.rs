use std::fmt;

/// An e-mail address, stored lower-case so that uniqueness ignores case.
///
/// The check is deliberately structural (one `@`, a dotted domain of sane
/// labels): only a confirmation mail could prove an address exists.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err("Enter an e-mail address.".into());
        }
        if email.len() > Self::MAX_LEN {
            return Err(format!(
                "An e-mail address has at most {} characters.",
                Self::MAX_LEN
            ));
        }
        let invalid = || "Enter an e-mail address like name@example.com.".to_string();
        let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
        if local.is_empty()
            || local.len() > 64
            || local.starts_with('.')
            || local.ends_with('.')
            || local.contains("..")
            || !local
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c))
        {
            return Err(invalid());
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2
            || labels.iter().any(|label| {
                label.is_empty()
                    || label.len() > 63
                    || label.starts_with('-')
                    || label.ends_with('-')
                    || !label.chars().all(|c| c.is_alphanumeric() || c == '-')
            })
        {
            return Err(invalid());
        }
        Ok(Email(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Email;

    #[test]
    fn lower_cases_and_trims() {
        assert_eq!(
            Email::parse(" Ann@Example.COM ").unwrap().as_str(),
            "ann@example.com"
        );
    }

    #[test]
    fn accepts_common_forms() {
        for good in [
            "a@b.co",
            "first.last+tag@mail.example.org",
            "x_y@sub-domain.example",
        ] {
            assert!(Email::parse(good).is_ok(), "{good} was rejected");
        }
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@localhost",
            "a@@b.com",
            "a b@c.com",
            "a@b..com",
            ".a@b.com",
            "a.@b.com",
            "a..b@c.com",
            "a@-b.com",
            "a@b\n.com",
            "<script>@x.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn enforces_length() {
        let long = format!("{}@{}.com", "a".repeat(64), "b".repeat(63));
        assert!(Email::parse(&long).is_ok());
        let too_long = format!(
            "{}@{}.{}.{}.com",
            "a".repeat(64),
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(63)
        );
        assert!(Email::parse(&too_long).is_err());
        assert!(Email::parse(&format!("{}@b.com", "a".repeat(65))).is_err());
    }
}
