//! Which language a request reads. Pages: the logged-in user's choice
//! (profile `locale`), else the switcher's cookie, else `Accept-Language`,
//! else English. The API: `Accept-Language`, else English (a client
//! states its language on each request).

use std::convert::Infallible;
use std::sync::OnceLock;

use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::time::Duration;

use super::Lang;
use crate::auth::guards::MaybeUser;

/// The switcher's cookie: a language code, readable by nobody but us
/// (not secret, so not encrypted), kept for a year.
pub const COOKIE: &str = "portero_lang";

/// The first supported language of an `Accept-Language` value, by quality
/// (RFC 9110 §12.5.4): `q=0` means "not this one"; a region (`es-MX`)
/// matches its language; `*` says nothing about which one.
pub fn from_accept_language(header: &str) -> Option<Lang> {
    accept_language::parse_with_quality(header)
        .into_iter()
        .filter(|(_, quality)| *quality > 0.0)
        .find_map(|(tag, _)| {
            let primary = tag.split(['-', '_']).next().unwrap_or_default();
            Lang::parse(&primary.to_ascii_lowercase())
        })
}

/// The language an API request's problem texts are written in.
pub fn api_lang(request: &Request<'_>) -> Lang {
    request
        .headers()
        .get_one("Accept-Language")
        .and_then(from_accept_language)
        .unwrap_or_default()
}

/// The switcher's choice, if this browser made one.
pub fn cookie_lang(cookies: &CookieJar<'_>) -> Option<Lang> {
    cookies.get(COOKIE).and_then(|c| Lang::parse(c.value()))
}

/// Remembers the switcher's choice in this browser.
pub fn remember(cookies: &CookieJar<'_>, lang: Lang, secure: bool) {
    cookies.add(
        Cookie::build((COOKIE, lang.code()))
            .path("/")
            .same_site(SameSite::Lax)
            .secure(secure)
            .http_only(true)
            .max_age(Duration::days(365))
            .build(),
    );
}

/// A page request's language, found once per request.
#[rocket::async_trait]
impl<'r> FromRequest<'r> for Lang {
    type Error = Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let found = &request.local_cache(|| PageLang(OnceLock::new())).0;
        if let Some(lang) = found.get() {
            return Outcome::Success(*lang);
        }
        let lang = page_lang(request).await;
        Outcome::Success(*found.get_or_init(|| lang))
    }
}

/// The language decided for this request, once decided.
struct PageLang(OnceLock<Lang>);

/// The page's language when already decided; otherwise the language this
/// browser asks for, without looking at who is logged in (error pages
/// must render when the database is down). The switcher's cookie follows
/// the profile, so the two agree.
pub fn browser_lang(request: &Request<'_>) -> Lang {
    let found = &request.local_cache(|| PageLang(OnceLock::new())).0;
    found
        .get()
        .copied()
        .unwrap_or_else(|| cookie_lang(request.cookies()).unwrap_or_else(|| api_lang(request)))
}

async fn page_lang(request: &Request<'_>) -> Lang {
    // A failed session lookup (the database is down) still gets the
    // browser's own preferences.
    if let Outcome::Success(MaybeUser(Some(user))) = request.guard::<MaybeUser>().await
        && let Some(lang) = user.user.locale.as_deref().and_then(Lang::parse)
    {
        return lang;
    }
    cookie_lang(request.cookies()).unwrap_or_else(|| api_lang(request))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_follows_quality_values() {
        assert_eq!(from_accept_language("es"), Some(Lang::Es));
        assert_eq!(from_accept_language("es-MX,es;q=0.9"), Some(Lang::Es));
        assert_eq!(from_accept_language("en-GB, es;q=0.8"), Some(Lang::En));
        // Order in the header does not matter; quality does.
        assert_eq!(from_accept_language("en;q=0.3, es;q=0.9"), Some(Lang::Es));
        assert_eq!(
            from_accept_language("fr, ES;q=0.5, en;q=0.4"),
            Some(Lang::Es)
        );
        // q=0 refuses a language.
        assert_eq!(from_accept_language("es;q=0, en;q=0.1"), Some(Lang::En));
        assert_eq!(from_accept_language("es;q=0"), None);
        assert_eq!(from_accept_language("fr, de;q=0.5, *;q=0.1"), None);
        assert_eq!(from_accept_language(""), None);
        assert_eq!(from_accept_language("es_ES"), Some(Lang::Es));
        assert_eq!(from_accept_language(";;;,,q=,"), None);
    }
}
