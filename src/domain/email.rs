use std::borrow::Cow;
use std::fmt;

use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};
use unicode_normalization::UnicodeNormalization;
use unicode_security::{GeneralSecurityProfile, MixedScript, skeleton};

use crate::i18n::Msg;

/// An e-mail address in one normal form, so that two spellings of one
/// address are one account and look-alikes of an address are refused.
///
/// The normal form is NFKC, then lower case (`ＡＤＭＩＮ` and `Admin` are
/// `admin`), with the domain in IDNA ASCII (UTS #46: `bücher.example` is
/// stored as `xn--bcher-kva.example`). The unique index on `users.email`
/// therefore compares normal forms.
///
/// Characters that survive normalisation but only imitate others are
/// refused rather than stored, using the Unicode security data of UTS #39
/// (`unicode-security`):
/// - a local part or domain label that mixes scripts (`exаmple` with a
///   Cyrillic `а`) — the safer default than accepting it as a distinct IDN,
///   since a mixed label is almost never a real name and always a good
///   disguise;
/// - a non-ASCII local part or label whose confusable skeleton is plain
///   ASCII, i.e. one that can be drawn exactly like an ASCII address
///   (whole-script look-alikes such as Cyrillic `аре`);
/// - characters outside the identifier profile (invisible, obsolete or
///   symbol characters).
///
/// Beyond that the check is structural (one `@`, a dotted domain of valid
/// labels): only a confirmation mail could prove an address exists.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

const INVALID: &str = "email-invalid";
const MIXED_SCRIPTS: &str = "email-mixed-scripts";
const LOOK_ALIKE: &str = "email-look-alike";

impl Email {
    pub const MAX_LEN: usize = 254;
    /// RFC 5321's limit on the part before the `@`.
    pub const MAX_LOCAL_LEN: usize = 64;

    /// Normalises and checks an address as typed.
    pub fn parse(raw: &str) -> Result<Self, Msg> {
        let email = fold(raw);
        if email.is_empty() {
            return Err(Msg::new("email-required"));
        }
        let too_long = || Msg::new("email-too-long").arg("max", Self::MAX_LEN);
        if email.len() > Self::MAX_LEN {
            return Err(too_long());
        }
        let (local, domain) = email.split_once('@').ok_or(Msg::new(INVALID))?;
        check_local_part(local)?;
        let domain = ascii_domain(domain)?;
        let normal = format!("{local}@{domain}");
        if normal.len() > Self::MAX_LEN {
            return Err(too_long());
        }
        Ok(Email(normal))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// The text to look up for a login name: an address (it has an `@` once
/// normalised) in the form addresses are stored in, anything else as typed.
/// A text that is no valid address stays as typed, to match nothing.
pub fn login_key(login: &str) -> Cow<'_, str> {
    if !fold(login).contains('@') {
        return Cow::Borrowed(login);
    }
    match Email::parse(login) {
        Ok(email) => Cow::Owned(email.into_inner()),
        Err(_) => Cow::Borrowed(login),
    }
}

/// NFKC and lower case, trimmed. NFKC runs again after lower-casing, which
/// can undo a composition, so the result is a fixed point: folding a
/// folded text changes nothing.
fn fold(raw: &str) -> String {
    let lower = raw.nfkc().collect::<String>().to_lowercase();
    lower.nfkc().collect::<String>().trim().to_owned()
}

fn check_local_part(local: &str) -> Result<(), Msg> {
    let allowed = |c: char| {
        c.is_ascii_alphanumeric()
            || "!#$%&'*+-/=?^_`{|}~.".contains(c)
            || (!c.is_ascii() && c.identifier_allowed())
    };
    if local.is_empty()
        || local.len() > Email::MAX_LOCAL_LEN
        || local.starts_with('.')
        || local.ends_with('.')
        || local.contains("..")
        || !local.chars().all(allowed)
    {
        return Err(Msg::new(INVALID));
    }
    check_look_alike(local)
}

/// Refuses a non-ASCII text that mixes scripts or draws like ASCII.
fn check_look_alike(text: &str) -> Result<(), Msg> {
    if text.is_ascii() {
        Ok(())
    } else if !text.is_single_script() {
        Err(Msg::new(MIXED_SCRIPTS))
    } else if skeleton(text).all(|c| c.is_ascii()) {
        Err(Msg::new(LOOK_ALIKE))
    } else {
        Ok(())
    }
}

/// The domain in IDNA ASCII, after the UTS #46 checks (letters, digits and
/// inner hyphens only; label and name lengths as DNS allows) and the
/// look-alike checks on each label's Unicode form.
fn ascii_domain(domain: &str) -> Result<String, Msg> {
    let uts46 = Uts46::new();
    let ascii = uts46
        .to_ascii(
            domain.as_bytes(),
            AsciiDenyList::STD3,
            Hyphens::CheckFirstLast,
            DnsLength::Verify,
        )
        .map_err(|_| Msg::new(INVALID))?;
    if !ascii.contains('.') {
        return Err(Msg::new(INVALID));
    }
    // ToASCII accepted it, so ToUnicode of its result cannot fail.
    let (unicode, _) = uts46.to_unicode(
        ascii.as_bytes(),
        AsciiDenyList::STD3,
        Hyphens::CheckFirstLast,
    );
    for label in unicode.split('.') {
        if !label.chars().all(|c| c == '-' || c.identifier_allowed()) {
            return Err(Msg::new(INVALID));
        }
        check_look_alike(label)?;
    }
    Ok(ascii.into_owned())
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{Email, login_key};

    fn normal(raw: &str) -> String {
        Email::parse(raw)
            .unwrap_or_else(|e| panic!("{raw:?} was refused: {e}"))
            .into_inner()
    }

    #[test]
    fn lower_cases_and_trims() {
        assert_eq!(normal(" Ann@Example.COM "), "ann@example.com");
    }

    #[test]
    fn accepts_common_forms() {
        for good in [
            "a@b.co",
            "first.last+tag@mail.example.org",
            "x_y@sub-domain.example",
            "o'brien@example.ie",
            "ab--cd@ab--cd.example",
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
            "a@b-.com",
            "a@b\n.com",
            "<script>@x.com",
            "a@b_c.com",
            "a@b.com.",
            "a@xn--zz.com",
            "a\u{200b}b@c.com",
            "\u{2615}@example.com",
            "a@\u{2615}.example",
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
        // Short as typed, too long once the domain is in punycode.
        let grows = format!("{}@{}.com", "a".repeat(64), "\u{e9}".repeat(60));
        assert!(grows.len() < Email::MAX_LEN);
        assert!(Email::parse(&grows).is_err());
    }

    #[test]
    fn compatibility_forms_fold_to_one_address() {
        for spelling in [
            "admin@example.com",
            "\u{ff41}dmin@example.com",
            "\u{ff21}\u{ff24}\u{ff2d}\u{ff29}\u{ff2e}@example.com",
            "admin\u{ff20}example\u{ff0e}com",
            "admin@example\u{3002}com",
            "ADMIN@EXAMPLE.COM",
        ] {
            assert_eq!(normal(spelling), "admin@example.com", "{spelling:?}");
        }
        // IDNA drops invisible joiners and spaces in a domain, as a browser would.
        assert_eq!(normal("a@b\u{200b}c.com"), "a@bc.com");
        // Composed and decomposed accents are one address.
        assert_eq!(normal("jose\u{301}@example.com"), "jos\u{e9}@example.com");
    }

    #[test]
    fn international_domains_are_stored_in_punycode() {
        assert_eq!(
            normal("Jos\u{e9}@B\u{fc}cher.example"),
            "jos\u{e9}@xn--bcher-kva.example"
        );
        assert_eq!(
            normal("jos\u{e9}@xn--bcher-kva.example"),
            "jos\u{e9}@xn--bcher-kva.example"
        );
        assert_eq!(
            normal("\u{4f8b}\u{3048}@\u{4f8b}\u{3048}.\u{30c6}\u{30b9}\u{30c8}"),
            "\u{4f8b}\u{3048}@xn--r8jz45g.xn--zckzah"
        );
        assert_eq!(
            normal(
                "\u{43f}\u{43e}\u{447}\u{442}\u{430}@\u{43f}\u{43e}\u{447}\u{442}\u{430}.\u{440}\u{444}"
            ),
            "\u{43f}\u{43e}\u{447}\u{442}\u{430}@xn--80a1acny.xn--p1ai"
        );
    }

    #[test]
    fn mixed_scripts_and_whole_script_look_alikes_are_refused() {
        for disguised in [
            "admin@ex\u{430}mple.com",
            "admin@xn--exmple-4nf.com",
            "\u{430}dmin@example.com",
            "adm\u{131}n@example.com",
            "admin@\u{430}\u{440}\u{435}.com",
            "\u{430}\u{440}\u{435}@example.com",
            "paypa\u{3bf}@example.com",
        ] {
            let refused = Email::parse(disguised);
            assert!(refused.is_err(), "{disguised:?} was accepted: {refused:?}");
        }
        let message = Email::parse("admin@ex\u{430}mple.com").unwrap_err();
        assert!(message.contains("mix"), "{message}");
    }

    #[test]
    fn login_key_normalises_addresses_only() {
        assert_eq!(login_key("\u{ff4e}ina@Example.com"), "nina@example.com");
        assert_eq!(login_key("nina\u{ff20}example.com"), "nina@example.com");
        assert_eq!(login_key("Nina"), "Nina");
        assert_eq!(login_key("not an@address"), "not an@address");
    }

    proptest! {
        /// The normal form is a fixed point and is accepted as it is.
        #[test]
        fn normalising_is_idempotent(raw in "[a-zA-Z0-9._+\u{ff21}-\u{ff5a}\u{c0}-\u{17f}]{1,20}@[a-zA-Z\u{e0}-\u{ff}\u{ff21}-\u{ff3a}]{1,15}\\.[a-z]{2,6}") {
            if let Ok(email) = Email::parse(&raw) {
                let again = Email::parse(email.as_str());
                prop_assert_eq!(again.as_ref().map(Email::as_str), Ok(email.as_str()));
                prop_assert!(email.as_str().split_once('@').is_some_and(|(_, d)| d.is_ascii()));
            }
        }

        /// Any case or compatibility spelling of an ASCII address is that address.
        #[test]
        fn ascii_addresses_survive_width_and_case(local in "[a-z0-9]{1,20}", domain in "[a-z0-9]{1,20}") {
            let plain = format!("{local}@{domain}.example");
            let wide: String = plain
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { char::from_u32(c as u32 + 0xfee0).unwrap_or(c) } else { c })
                .collect();
            prop_assert_eq!(normal(&plain.to_uppercase()), plain.clone());
            prop_assert_eq!(normal(&wide), plain);
        }
    }
}
