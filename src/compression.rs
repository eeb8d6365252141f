//! Content-Encoding: gzip or brotli for clients that accept them.
//!
//! Static files come compressed from the build ([`crate::assets`]); pages,
//! JSON answers and other text made per request are compressed here, by a
//! response fairing, at a fast setting. Bodies under [`MIN_SIZE`] go as
//! they are: compressing them would save less than a packet.

use std::io::{Cursor, Write};

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::{ContentType, Header, Status};
use rocket::request::{FromRequest, Outcome};
use rocket::{Request, Response};

/// Smallest body worth compressing, in bytes.
pub const MIN_SIZE: usize = 1024;

/// Largest body compressed per request; anything larger (an export, say)
/// is sent as it is rather than held in memory twice.
const MAX_SIZE: usize = 8 * 1024 * 1024;

/// A content coding Portero can send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
}

impl Encoding {
    /// The `Content-Encoding` token.
    pub fn token(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gzip",
        }
    }

    /// The encoding to send for an `Accept-Encoding` header: brotli when
    /// accepted (it is smaller), else gzip, else none. A coding listed with
    /// `q=0` is refused; `*` accepts both.
    pub fn negotiate(accept_encoding: Option<&str>) -> Option<Encoding> {
        let mut brotli = None;
        let mut gzip = None;
        let mut any = None;
        for item in accept_encoding?.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let accepted = parts
                .filter_map(|param| {
                    let (key, value) = param.split_once('=')?;
                    (key.trim().eq_ignore_ascii_case("q")).then(|| value.trim())
                })
                .next_back()
                .is_none_or(|q| q.parse::<f32>().is_ok_and(|q| q > 0.0));
            match coding.as_str() {
                "br" => brotli = Some(accepted),
                "gzip" | "x-gzip" => gzip = Some(accepted),
                "*" => any = Some(accepted),
                _ => {}
            }
        }
        let any = any.unwrap_or(false);
        if brotli.unwrap_or(any) {
            Some(Encoding::Brotli)
        } else if gzip.unwrap_or(any) {
            Some(Encoding::Gzip)
        } else {
            None
        }
    }

    /// `data` compressed at a setting fast enough for every request.
    pub fn compress(self, data: &[u8]) -> std::io::Result<Vec<u8>> {
        match self {
            Encoding::Brotli => {
                let mut out = Vec::with_capacity(data.len() / 3);
                {
                    let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
                    writer.write_all(data)?;
                }
                Ok(out)
            }
            Encoding::Gzip => {
                let mut encoder = flate2::write::GzEncoder::new(
                    Vec::with_capacity(data.len() / 3),
                    flate2::Compression::new(6),
                );
                encoder.write_all(data)?;
                encoder.finish()
            }
        }
    }
}

/// The encoding the client accepts best (a request guard that never fails).
pub struct Accepted(pub Option<Encoding>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Accepted {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(Accepted(Encoding::negotiate(
            request.headers().get_one("Accept-Encoding"),
        )))
    }
}

/// Whether answers of this type are text worth compressing.
pub fn compressible(content_type: &ContentType) -> bool {
    let media = content_type.media_type();
    let (top, sub) = (media.top().as_str(), media.sub().as_str());
    top.eq_ignore_ascii_case("text")
        || sub.eq_ignore_ascii_case("json")
        || sub.to_ascii_lowercase().ends_with("+json")
        || sub.eq_ignore_ascii_case("javascript")
        || sub.eq_ignore_ascii_case("xml")
        || sub.eq_ignore_ascii_case("svg+xml")
}

/// Compresses text responses for clients that accept it.
pub struct Compression;

#[rocket::async_trait]
impl Fairing for Compression {
    fn info(&self) -> Info {
        Info {
            name: "compression",
            kind: Kind::Response,
        }
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        let Some(content_type) = response.content_type() else {
            return;
        };
        if !compressible(&content_type) {
            return;
        }
        // The answer depends on Accept-Encoding whether or not this one is
        // compressed: caches must keep the variants apart.
        if !response.headers().contains("Vary") {
            response.set_header(Header::new("Vary", "Accept-Encoding"));
        }
        if response.headers().contains("Content-Encoding")
            || response.status() == Status::NotModified
            || response.status() == Status::NoContent
        {
            return;
        }
        let Some(encoding) = Encoding::negotiate(request.headers().get_one("Accept-Encoding"))
        else {
            return;
        };
        // A streamed body of unknown size (an export) goes as it is.
        let Some(size) = response.body().preset_size() else {
            return;
        };
        if !(MIN_SIZE..=MAX_SIZE).contains(&size) {
            return;
        }
        let Ok(body) = response.body_mut().to_bytes().await else {
            return;
        };
        match encoding.compress(&body) {
            Ok(compressed) if compressed.len() < body.len() => {
                response.set_header(Header::new("Content-Encoding", encoding.token()));
                response.set_sized_body(compressed.len(), Cursor::new(compressed));
            }
            _ => response.set_sized_body(body.len(), Cursor::new(body)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_prefers_brotli_and_honours_q_zero() {
        use Encoding::*;
        for (header, expected) in [
            (None, None),
            (Some(""), None),
            (Some("identity"), None),
            (Some("gzip"), Some(Gzip)),
            (Some("gzip, deflate, br"), Some(Brotli)),
            (Some("br;q=0, gzip;q=0.5"), Some(Gzip)),
            (Some("BR ; Q=0.1"), Some(Brotli)),
            (Some("gzip;q=0"), None),
            (Some("*"), Some(Brotli)),
            (Some("*, br;q=0"), Some(Gzip)),
            (Some("*;q=0, gzip"), Some(Gzip)),
            (Some("x-gzip"), Some(Gzip)),
            (Some("gzip;q=bogus"), None),
        ] {
            assert_eq!(Encoding::negotiate(header), expected, "{header:?}");
        }
    }

    #[test]
    fn both_codings_round_trip() {
        use std::io::Read;
        let text = "Portero compresses text. ".repeat(200);
        let gzip = Encoding::Gzip.compress(text.as_bytes()).unwrap();
        let mut back = String::new();
        flate2::read::GzDecoder::new(&gzip[..])
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, text);
        let brotli = Encoding::Brotli.compress(text.as_bytes()).unwrap();
        let mut back = String::new();
        brotli::Decompressor::new(&brotli[..], 4096)
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, text);
        assert!(brotli.len() < text.len() / 10 && gzip.len() < text.len() / 10);
    }

    #[test]
    fn only_text_types_are_compressible() {
        for (content_type, expected) in [
            (ContentType::HTML, true),
            (ContentType::JSON, true),
            (ContentType::CSS, true),
            (ContentType::JavaScript, true),
            (ContentType::SVG, true),
            (ContentType::Plain, true),
            (ContentType::CSV, true),
            (ContentType::new("application", "problem+json"), true),
            (ContentType::PNG, false),
            (ContentType::Binary, false),
            (ContentType::GZIP, false),
        ] {
            assert_eq!(compressible(&content_type), expected, "{content_type}");
        }
    }
}
