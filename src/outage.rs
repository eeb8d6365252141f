//! What a client hears while the database is unavailable: every 503, from
//! a handler, a guard or a catcher, carries `Retry-After`, so a client or a
//! proxy knows to come back instead of failing for good.

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::{Header, Status};
use rocket::{Request, Response};

/// Seconds a client is asked to wait: about one acquire timeout, the time
/// a retry would spend finding out whether the database is back.
pub const RETRY_AFTER_SECS: u32 = 2;

/// Adds `Retry-After` to every 503 that does not say already.
pub struct RetryAfter;

#[rocket::async_trait]
impl Fairing for RetryAfter {
    fn info(&self) -> Info {
        Info {
            name: "Retry-After on 503",
            kind: Kind::Response,
        }
    }

    async fn on_response<'r>(&self, _: &'r Request<'_>, response: &mut Response<'r>) {
        if response.status() == Status::ServiceUnavailable
            && !response.headers().contains("Retry-After")
        {
            response.set_header(Header::new("Retry-After", RETRY_AFTER_SECS.to_string()));
        }
    }
}
