//! Templates and static files, compiled into the binary so that `portero`
//! runs from any working directory with nothing beside it.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use rocket::http::{ContentType, Header, Status};
use rocket::request::{FromRequest, Outcome};
use rocket::response::{self, Responder};
use rocket::{Request, Response, Route, get, routes};
use rust_embed::{EmbeddedFile, RustEmbed};

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

/// An embedded file, or 304 when the client's copy is current.
pub struct Asset {
    file: EmbeddedFile,
    content_type: ContentType,
    fresh: bool,
}

impl Asset {
    fn etag(&self) -> String {
        // A strong validator: the content's own hash, stable across builds.
        format!(
            "\"{}\"",
            hex::encode(&self.file.metadata.sha256_hash()[..16])
        )
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

#[get("/<path..>")]
fn static_file(path: PathBuf, validators: Validators) -> Option<Asset> {
    // `PathBuf` segments are already free of `..` and hidden names.
    let name = path
        .iter()
        .map(|part| part.to_str())
        .collect::<Option<Vec<_>>>()?
        .join("/");
    embedded(&name, &validators)
}

/// The static file `name` (a path under `static/`), answered as
/// `/static/` answers it.
pub fn embedded(name: &str, validators: &Validators) -> Option<Asset> {
    let file = StaticFiles::get(name)?;
    let content_type = std::path::Path::new(name)
        .extension()
        .and_then(|ext| ext.to_str())
        .and_then(ContentType::from_extension)
        .unwrap_or(ContentType::Binary);
    let mut asset = Asset {
        file,
        content_type,
        fresh: false,
    };
    asset.fresh = validators.still_fresh(&asset);
    Some(asset)
}

impl<'r> Responder<'r, 'static> for Asset {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let mut response = Response::build();
        response.header(Header::new("ETag", self.etag()));
        if let Some(modified) = self.last_modified() {
            response.header(Header::new(
                "Last-Modified",
                httpdate::fmt_http_date(modified),
            ));
        }
        if self.fresh {
            return response.status(Status::NotModified).ok();
        }
        let len = self.file.data.len();
        response
            .header(self.content_type)
            .sized_body(len, std::io::Cursor::new(self.file.data))
            .ok()
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
}
