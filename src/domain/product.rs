use super::has_control_chars;

/// A stock-keeping unit: 1–32 of `A-Z 0-9 - _ .`, stored upper-case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sku(String);

impl Sku {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let sku = raw.trim().to_uppercase();
        if sku.is_empty() || sku.len() > 32 {
            return Err("A SKU has 1 to 32 characters.".into());
        }
        if !sku
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
        {
            return Err("Use only letters, digits, '-', '_' and '.'.".into());
        }
        Ok(Sku(sku))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A product name: 1–120 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductName(String);

impl ProductName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.trim();
        if name.is_empty() || name.chars().count() > 120 {
            return Err("A product name has 1 to 120 characters.".into());
        }
        if has_control_chars(name) {
            return Err("Remove the control characters.".into());
        }
        Ok(ProductName(name.to_owned()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// Validates a description (up to 2,000 characters, newlines allowed).
pub fn parse_description(raw: &str) -> Result<String, String> {
    let text = raw.trim();
    if text.chars().count() > 2_000 {
        return Err("Use at most 2000 characters.".into());
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err("Remove the control characters.".into());
    }
    Ok(text.to_owned())
}

/// A price in cents: 0 to 100,000,000 (one million in currency units).
pub fn parse_price_cents(value: i64) -> Result<i64, String> {
    if (0..=100_000_000).contains(&value) {
        Ok(value)
    } else {
        Err("A price is 0 to 100000000 cents.".into())
    }
}

/// Units in stock: 0 to 1,000,000,000.
pub fn parse_stock(value: i64) -> Result<i64, String> {
    if (0..=1_000_000_000).contains(&value) {
        Ok(value)
    } else {
        Err("Stock is 0 to 1000000000 units.".into())
    }
}

/// Units of one product in one purchase: 1 to 1,000.
pub fn parse_quantity(value: i64) -> Result<i64, String> {
    if (1..=1_000).contains(&value) {
        Ok(value)
    } else {
        Err("A quantity is 1 to 1000.".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skus_are_upper_cased_and_checked() {
        assert_eq!(Sku::parse(" ab-12.x ").unwrap().into_inner(), "AB-12.X");
        assert!(Sku::parse("").is_err());
        assert!(Sku::parse("has space").is_err());
        assert!(Sku::parse(&"A".repeat(33)).is_err());
        assert!(Sku::parse("'; DROP").is_err());
    }

    #[test]
    fn names_and_descriptions() {
        assert!(ProductName::parse("Blue mug").is_ok());
        assert!(ProductName::parse(" ").is_err());
        assert!(ProductName::parse(&"x".repeat(121)).is_err());
        assert!(parse_description("line one\nline two").is_ok());
        assert!(parse_description(&"d".repeat(2001)).is_err());
        assert!(parse_description("bell\u{7}").is_err());
    }

    #[test]
    fn numbers_have_bounds() {
        assert!(parse_price_cents(-1).is_err());
        assert!(parse_price_cents(0).is_ok());
        assert!(parse_price_cents(100_000_001).is_err());
        assert!(parse_stock(-1).is_err());
        assert!(parse_stock(5).is_ok());
        assert!(parse_quantity(0).is_err());
        assert!(parse_quantity(1).is_ok());
        assert!(parse_quantity(1001).is_err());
    }
}
