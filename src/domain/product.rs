use super::has_control_chars;
use crate::i18n::Msg;

/// A stock-keeping unit: 1–32 of `A-Z 0-9 - _ .`, stored upper-case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sku(String);

impl Sku {
    pub fn parse(raw: &str) -> Result<Self, Msg> {
        let sku = raw.trim().to_uppercase();
        if sku.is_empty() || sku.len() > 32 {
            return Err(Msg::new("sku-length").arg("max", 32_i64));
        }
        if !sku
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
        {
            return Err(Msg::new("sku-characters"));
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
    pub fn parse(raw: &str) -> Result<Self, Msg> {
        let name = raw.trim();
        if name.is_empty() || name.chars().count() > 120 {
            return Err(Msg::new("product-name-length").arg("max", 120_i64));
        }
        if has_control_chars(name) {
            return Err(Msg::new("control-characters"));
        }
        Ok(ProductName(name.to_owned()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// Validates a description (up to 2,000 characters, newlines allowed).
pub fn parse_description(raw: &str) -> Result<String, Msg> {
    let text = raw.trim();
    if text.chars().count() > 2_000 {
        return Err(Msg::new("too-long").arg("max", 2000_i64));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(Msg::new("control-characters"));
    }
    Ok(text.to_owned())
}

/// A price in cents: 0 to 100,000,000 (one million in currency units).
pub fn parse_price_cents(value: i64) -> Result<i64, Msg> {
    if (0..=100_000_000).contains(&value) {
        Ok(value)
    } else {
        Err(Msg::new("price-range").arg("max", 100_000_000_i64))
    }
}

/// Units in stock: 0 to 1,000,000,000.
pub fn parse_stock(value: i64) -> Result<i64, Msg> {
    if (0..=1_000_000_000).contains(&value) {
        Ok(value)
    } else {
        Err(Msg::new("stock-range").arg("max", 1_000_000_000_i64))
    }
}

/// Units of one product in one purchase: 1 to 1,000.
pub fn parse_quantity(value: i64) -> Result<i64, Msg> {
    if (1..=1_000).contains(&value) {
        Ok(value)
    } else {
        Err(Msg::new("quantity-range").arg("max", 1000_i64))
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
