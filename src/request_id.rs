//! A correlation id per request: the request's log lines, its problem body
//! (`request_id`) and its `X-Request-Id` response header carry it, so a
//! client's report, a proxy's log and Portero's log can be matched.
//!
//! A client could put anything in `X-Request-Id`, so the header is taken
//! only when a trusted proxy stands in front: the same setting that makes
//! Portero believe the proxy's client-address header (`ip_header`). Else,
//! and when the header is not a plausible id, one is made.

use rand::RngCore;
use rocket::Request;
use rocket::request::{FromRequest, Outcome};

pub const HEADER: &str = "X-Request-Id";

/// Longest id accepted from a proxy.
const MAX_LEN: usize = 128;

/// The id of one request, cached on it.
pub struct RequestId(pub String);

/// The request's id, chosen on first use.
pub fn of<'r>(request: &'r Request<'_>) -> &'r str {
    &request.local_cache(|| RequestId(choose(request))).0
}

/// The id as a handler argument.
pub struct Current<'r>(pub &'r str);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Current<'r> {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(Current(of(request)))
    }
}

fn choose(request: &Request<'_>) -> String {
    let trusted = request.rocket().config().ip_header.is_some();
    request
        .headers()
        .get_one(HEADER)
        .filter(|_| trusted)
        .filter(|id| plausible(id))
        .map_or_else(generate, str::to_owned)
}

/// Visible, log-safe characters only: an id is written into log lines and
/// headers as it is.
fn plausible(id: &str) -> bool {
    (1..=MAX_LEN).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:/+=@".contains(&b))
}

fn generate() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_visible_short_ids_are_plausible() {
        assert!(plausible("a1b2-c3d4"));
        assert!(plausible("Root=1-5f84c7a9-1d7ae0c2"));
        assert!(!plausible(""));
        assert!(!plausible("two words"));
        assert!(!plausible("line\nbreak"));
        assert!(!plausible(&"x".repeat(MAX_LEN + 1)));
        assert_eq!(generate().len(), 32);
        assert_ne!(generate(), generate());
    }
}
