//! Languages. Every text a person reads is a Fluent message in
//! `locales/<lang>/*.ftl`, compiled into the binary (so `portero` runs
//! from any folder). Templates call `t(key="…", lang=lang)`; code calls
//! [`Lang::t`] or [`Lang::t_with`]. Which language a request reads is
//! decided in [`negotiate`].

mod msg;
pub mod negotiate;

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{FluentLoader, LanguageIdentifier, Loader, langid};
use serde::{Deserialize, Serialize};

pub use msg::Msg;
pub use negotiate::{COOKIE, api_lang};

fluent_templates::static_loader! {
    pub static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Unicode isolation marks around arguments would end up inside
        // HTML attributes and e-mail subjects; every argument here is
        // left-to-right text.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// A language Portero speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Es,
}

static EN: LanguageIdentifier = langid!("en");
static ES: LanguageIdentifier = langid!("es");

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Es];

    /// The BCP 47 tag: `<html lang>`, the cookie, the profile's `locale`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }

    /// The language's name in itself, as the switcher shows it.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Es => "Español",
        }
    }

    /// One of [`Lang::code`]'s values, exactly; anything else is `None`.
    pub fn parse(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|lang| lang.code() == code)
    }

    pub fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::En => &EN,
            Lang::Es => &ES,
        }
    }

    /// The message `id` in this language.
    pub fn t(self, id: &str) -> String {
        self.t_with(id, &[])
    }

    /// The message `id` with its arguments (`$name` in the .ftl files).
    /// A message missing here falls back to English, then to its id; the
    /// tests make sure neither happens.
    pub fn t_with(self, id: &str, args: &[(&str, Arg)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'static>> = args
            .iter()
            .map(|(name, value)| (Cow::Owned((*name).to_owned()), value.to_fluent()))
            .collect();
        let args = (!args.is_empty()).then_some(&args);
        LOCALES
            .try_lookup_complete(self.id(), id, args)
            .unwrap_or_else(|| {
                tracing::warn!(message = id, lang = self.code(), "missing message");
                id.to_owned()
            })
    }
}

/// An argument of a message: text or a number (numbers choose plural
/// forms in the .ftl files).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Arg {
    Number(i64),
    Text(String),
}

impl Arg {
    fn to_fluent(&self) -> FluentValue<'static> {
        match self {
            Arg::Number(n) => FluentValue::from(*n),
            Arg::Text(text) => FluentValue::from(text.clone()),
        }
    }
}

impl From<i64> for Arg {
    fn from(n: i64) -> Self {
        Arg::Number(n)
    }
}

impl From<u64> for Arg {
    fn from(n: u64) -> Self {
        Arg::Number(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl From<usize> for Arg {
    fn from(n: usize) -> Self {
        Arg::Number(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl From<&str> for Arg {
    fn from(text: &str) -> Self {
        Arg::Text(text.to_owned())
    }
}

impl From<String> for Arg {
    fn from(text: String) -> Self {
        Arg::Text(text)
    }
}

/// The Tera function `t(key="…", lang=lang, name=value…)` for page and
/// mail templates. Argument names are turned to kebab-case (`first_name`
/// → `$first-name`), so templates use one-word names.
pub fn tera_function() -> FluentLoader<&'static fluent_templates::StaticLoader> {
    FluentLoader::new(&*LOCALES).with_default_lang(EN.clone())
}

#[cfg(test)]
mod tests;
