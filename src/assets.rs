//! Templates and static files, compiled into the binary so that `portero`
//! runs from any working directory with nothing beside it.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use rocket::http::{ContentType, Header, Status};
use rocket::request::{FromRequest, Outcome};
use rocket::response::{self, Responder};
use rocket::{Request, Response, Route, get, routes};
use rocket_dyn_templates::tera;
use rust_embed::{EmbeddedFile, RustEmbed};

use crate::compression::{Accepted, Encoding, compressible};

#[derive(RustEmbed)]
#[folder = "templates/"]
struct TemplateFiles;

#[derive(RustEmbed)]
#[folder = "static/"]
struct StaticFiles;

/// A private copy of the embedded templates on disk.
///
/// rocket_dyn_templates 0.2 loads templates only from a directory (it
/// refuses to start when `template_dir` does not exist), and derives each
/// template's Content-Type and Tera's HTML escaping from the file name
/// (`x.html.tera`); raw templates named as the handlers name them (`"x"`)
/// would be served as text/plain without escaping. So the embedded files are
/// written to a fresh directory that only this process can read, loaded from
/// there, and the directory is deleted once loaded ([`TemplateCopy`]).
pub struct TemplateCopy(tempfile::TempDir);

impl TemplateCopy {
    pub fn write() -> std::io::Result<TemplateCopy> {
        let dir = tempfile::Builder::new()
            .prefix("portero-templates-")
            .tempdir()?;
        for name in TemplateFiles::iter() {
            let Some(file) = TemplateFiles::get(&name) else {
                continue;
            };
            let path = dir.path().join(&*name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&path, &file.data)?;
        }
        Ok(TemplateCopy(dir))
    }

    pub fn path(&self) -> &std::path::Path {
        self.0.path()
    }
}

/// `/static/<path>` from the embedded copy.
pub fn routes() -> Vec<Route> {
    routes![static_file]
}

/// A compressed copy of a static file, made by build.rs.
struct Precompressed {
    name: &'static str,
    gzip: Option<&'static [u8]>,
    brotli: Option<&'static [u8]>,
}

static PRECOMPRESSED: &[Precompressed] = include!(concat!(env!("OUT_DIR"), "/precompressed.rs"));

/// The bytes of `name` in `encoding`, when the build made them.
fn precompressed(name: &str, encoding: Encoding) -> Option<&'static [u8]> {
    let entry = PRECOMPRESSED.iter().find(|entry| entry.name == name)?;
    match encoding {
        Encoding::Brotli => entry.brotli,
        Encoding::Gzip => entry.gzip,
    }
}

/// A static file's fingerprint: 16 hex digits of its SHA-256. It changes
/// whenever the content does, so a URL carrying it may be cached for ever.
fn fingerprint(file: &EmbeddedFile) -> String {
    hex::encode(&file.metadata.sha256_hash()[..8])
}

/// The URL of a static file with its fingerprint (`/static/css/portero.css?v=…`),
/// which the browser may keep for a year without asking again; the plain
/// URL for a name that is not embedded.
pub fn url(name: &str) -> String {
    match StaticFiles::get(name) {
        Some(file) => format!("/static/{name}?v={}", fingerprint(&file)),
        None => {
            tracing::warn!(name, "a template names a static file that does not exist");
            format!("/static/{name}")
        }
    }
}

/// The Tera function `asset(path="css/portero.css")`: [`url`] for templates.
pub fn asset_function(
    args: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    match args.get("path").and_then(tera::Value::as_str) {
        Some(name) => Ok(tera::Value::String(url(name))),
        None => Err(tera::Error::msg("asset() needs path=\"…\"")),
    }
}

/// How long a fingerprinted URL may be cached: a year, the longest HTTP
/// caches honour; `immutable` also spares the revalidation on reload.
const FOREVER: &str = "public, max-age=31536000, immutable";

/// A URL without (the current) fingerprint may be cached, but must be
/// revalidated before each use (a 304 when unchanged).
const REVALIDATE: &str = "public, no-cache";

/// An embedded file, or 304 when the client's copy is current.
pub struct Asset {
    file: EmbeddedFile,
    content_type: ContentType,
    /// The precompressed bytes sent instead of the file, and their coding.
    encoded: Option<(Encoding, &'static [u8])>,
    /// The URL carried the file's current fingerprint.
    immutable: bool,
    fresh: bool,
}

impl Asset {
    fn etag(&self) -> String {
        // A strong validator per representation: the content's own hash
        // (stable across builds), tagged with the coding it is sent in.
        let hash = hex::encode(&self.file.metadata.sha256_hash()[..16]);
        match self.encoded {
            Some((encoding, _)) => format!("\"{hash}-{}\"", encoding.token()),
            None => format!("\"{hash}\""),
        }
    }

    fn last_modified(&self) -> Option<SystemTime> {
        self.file
            .metadata
            .last_modified()
            .map(|secs| SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
    }
}

/// The client's validators (`If-None-Match`, `If-Modified-Since`).
pub struct Validators {
    if_none_match: Option<String>,
    if_modified_since: Option<SystemTime>,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Validators {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let headers = request.headers();
        Outcome::Success(Validators {
            if_none_match: headers.get_one("If-None-Match").map(str::to_owned),
            if_modified_since: headers
                .get_one("If-Modified-Since")
                .and_then(|date| httpdate::parse_http_date(date).ok()),
        })
    }
}

impl Validators {
    /// RFC 9110 §13.2.2: If-None-Match decides when present; otherwise
    /// If-Modified-Since, at one-second resolution.
    fn still_fresh(&self, asset: &Asset) -> bool {
        if let Some(tags) = &self.if_none_match {
            let etag = asset.etag();
            return tags
                .split(',')
                .map(|tag| tag.trim().trim_start_matches("W/"))
                .any(|tag| tag == "*" || tag == etag);
        }
        match (self.if_modified_since, asset.last_modified()) {
            (Some(since), Some(modified)) => modified <= since,
            _ => false,
        }
    }
}

#[get("/<path..>?<v>")]
fn static_file(
    path: PathBuf,
    v: Option<&str>,
    validators: Validators,
    accepted: Accepted,
) -> Option<Asset> {
    // `PathBuf` segments are already free of `..` and hidden names.
    let name = path
        .iter()
        .map(|part| part.to_str())
        .collect::<Option<Vec<_>>>()?
        .join("/");
    serve(&name, v, &validators, accepted.0)
}

/// The static file `name` (a path under `static/`), uncompressed and
/// revalidated, for a route outside `/static/` (Swagger UI's icons).
pub fn embedded(name: &str, validators: &Validators) -> Option<Asset> {
    serve(name, None, validators, None)
}

/// The static file `name`: `version` is the fingerprint the URL carries
/// (immutable when it is the file's own), `encoding` what the client takes.
fn serve(
    name: &str,
    version: Option<&str>,
    validators: &Validators,
    encoding: Option<Encoding>,
) -> Option<Asset> {
    let file = StaticFiles::get(name)?;
    let content_type = std::path::Path::new(name)
        .extension()
        .and_then(|ext| ext.to_str())
        .and_then(ContentType::from_extension)
        .unwrap_or(ContentType::Binary);
    let encoded = encoding.and_then(|encoding| Some((encoding, precompressed(name, encoding)?)));
    let immutable = version.is_some_and(|v| v == fingerprint(&file));
    let mut asset = Asset {
        file,
        content_type,
        encoded,
        immutable,
        fresh: false,
    };
    asset.fresh = validators.still_fresh(&asset);
    Some(asset)
}

impl<'r> Responder<'r, 'static> for Asset {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let mut response = Response::build();
        response.header(Header::new("ETag", self.etag()));
        response.header(Header::new(
            "Cache-Control",
            if self.immutable { FOREVER } else { REVALIDATE },
        ));
        if let Some(modified) = self.last_modified() {
            response.header(Header::new(
                "Last-Modified",
                httpdate::fmt_http_date(modified),
            ));
        }
        if compressible(&self.content_type) {
            response.header(Header::new("Vary", "Accept-Encoding"));
        }
        if self.fresh {
            return response.status(Status::NotModified).ok();
        }
        response.header(self.content_type);
        match self.encoded {
            Some((encoding, bytes)) => response
                .header(Header::new("Content-Encoding", encoding.token()))
                .sized_body(bytes.len(), std::io::Cursor::new(bytes))
                .ok(),
            None => {
                let len = self.file.data.len();
                response
                    .sized_body(len, std::io::Cursor::new(self.file.data))
                    .ok()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_and_the_stylesheet_are_embedded() {
        assert!(TemplateFiles::get("base.html.tera").is_some());
        assert!(StaticFiles::get("css/portero.css").is_some());
        let copy = TemplateCopy::write().expect("write templates");
        assert!(copy.path().join("base.html.tera").is_file());
        let path = copy.path().to_owned();
        drop(copy);
        assert!(!path.exists(), "the copy outlived its owner");
    }

    #[test]
    fn the_build_precompressed_the_large_text_files_only() {
        for name in [
            "css/portero.css",
            "redoc/redoc.standalone.js",
            "swagger-ui/swagger-ui-bundle.js",
        ] {
            let plain = StaticFiles::get(name).unwrap().data.len();
            let brotli = precompressed(name, Encoding::Brotli).unwrap().len();
            let gzip = precompressed(name, Encoding::Gzip).unwrap().len();
            assert!(
                brotli < gzip && gzip < plain / 2,
                "{name}: {plain} {gzip} {brotli}"
            );
        }
        // Under the threshold: sent as it is.
        assert!(StaticFiles::get("favicon.svg").unwrap().data.len() < 1024);
        assert!(precompressed("favicon.svg", Encoding::Gzip).is_none());
    }

    #[test]
    fn urls_carry_the_fingerprint_of_the_content() {
        let url = url("css/portero.css");
        let file = StaticFiles::get("css/portero.css").unwrap();
        assert_eq!(
            url,
            format!("/static/css/portero.css?v={}", fingerprint(&file))
        );
        assert_eq!(url.len(), "/static/css/portero.css?v=".len() + 16);
        assert_eq!(super::url("no/such.css"), "/static/no/such.css");
        let mut args = std::collections::HashMap::new();
        assert!(asset_function(&args).is_err());
        args.insert("path".to_owned(), tera::Value::from("favicon.svg"));
        let value = asset_function(&args).unwrap();
        assert!(
            value
                .as_str()
                .unwrap()
                .starts_with("/static/favicon.svg?v=")
        );
    }
}
