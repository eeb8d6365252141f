//! Static files from the copy embedded in the binary (issue 12): the right
//! Content-Type, and validators so a browser revalidates with a 304; and
//! the bytes on the wire (issue 18): fingerprinted URLs cached for a year,
//! gzip and brotli (precompressed for static files, per response for pages
//! and JSON).

use std::io::Read;

use rocket::http::{Header, Status};

use crate::helpers::*;

#[rocket::async_test]
async fn embedded_files_are_served_with_their_type() {
    let app = spawn_app().await;
    for (path, kind) in [
        ("/static/css/portero.css", "text/css"),
        ("/static/favicon.svg", "image/svg+xml"),
        ("/static/redoc/redoc.standalone.js", "text/javascript"),
        (
            "/static/redoc/redoc.standalone.js.LICENSE.txt",
            "text/plain",
        ),
        ("/static/redoc/LICENSE", "application/octet-stream"),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), Status::Ok, "{path}");
        let content_type = response.content_type().expect("a type").to_string();
        assert!(content_type.starts_with(kind), "{path}: {content_type}");
        let on_disk = std::fs::read(format!(".{path}")).expect("the source file");
        assert_eq!(response.into_bytes().await, Some(on_disk), "{path}");
    }
    for missing in [
        "/static/css/nope.css",
        "/static/../Cargo.toml",
        "/static/%2e%2e/Cargo.toml",
        "/static/",
    ] {
        assert_eq!(
            app.get(missing).await.status(),
            Status::NotFound,
            "{missing}"
        );
    }
}

#[rocket::async_test]
async fn a_current_copy_gets_304_and_a_stale_one_the_file() {
    let app = spawn_app().await;
    let path = "/static/css/portero.css";
    let first = app.get(path).await;
    let etag = first.headers().get_one("ETag").expect("ETag").to_owned();
    let modified = first
        .headers()
        .get_one("Last-Modified")
        .expect("Last-Modified")
        .to_owned();
    assert!(etag.starts_with('"') && etag.len() > 10, "{etag}");
    assert_eq!(
        first.headers().get_one("Cache-Control"),
        Some("public, no-cache"),
        "static files are public; without a fingerprint, revalidated"
    );

    let conditional = |name: &'static str, value: String| {
        app.client
            .get(path)
            .header(Header::new(name, value))
            .dispatch()
    };
    for tags in [
        etag.clone(),
        format!("W/{etag}"),
        format!("\"other\", {etag}"),
        "*".to_owned(),
    ] {
        let response = conditional("If-None-Match", tags.clone()).await;
        assert_eq!(response.status(), Status::NotModified, "{tags}");
        assert_eq!(response.headers().get_one("ETag"), Some(etag.as_str()));
        assert!(response.into_bytes().await.unwrap_or_default().is_empty());
    }
    let response = conditional("If-None-Match", "\"stale\"".to_owned()).await;
    assert_eq!(response.status(), Status::Ok);

    let response = conditional("If-Modified-Since", modified.clone()).await;
    assert_eq!(response.status(), Status::NotModified);
    let response = conditional(
        "If-Modified-Since",
        "Thu, 01 Jan 1970 00:00:00 GMT".to_owned(),
    )
    .await;
    assert_eq!(response.status(), Status::Ok);
    let response = conditional("If-Modified-Since", "yesterday".to_owned()).await;
    assert_eq!(response.status(), Status::Ok);
    // If-None-Match decides when both are sent.
    let response = app
        .client
        .get(path)
        .header(Header::new("If-None-Match", "\"stale\""))
        .header(Header::new("If-Modified-Since", modified))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
}

/// The body of a response, decoded from its Content-Encoding.
async fn decoded(response: rocket::local::asynchronous::LocalResponse<'_>) -> Vec<u8> {
    let encoding = response
        .headers()
        .get_one("Content-Encoding")
        .map(str::to_owned);
    let body = response.into_bytes().await.unwrap_or_default();
    decode(encoding.as_deref(), body)
}

fn decode(encoding: Option<&str>, body: Vec<u8>) -> Vec<u8> {
    let mut plain = Vec::new();
    match encoding {
        None => return body,
        Some("gzip") => flate2::read::GzDecoder::new(&body[..])
            .read_to_end(&mut plain)
            .expect("valid gzip"),
        Some("br") => brotli::Decompressor::new(&body[..], 4096)
            .read_to_end(&mut plain)
            .expect("valid brotli"),
        Some(other) => panic!("unexpected coding {other}"),
    };
    plain
}

/// The `/static/…` URLs a page links (stylesheets, icons, scripts).
fn static_urls(html: &str) -> Vec<String> {
    html.split(['"', '\''])
        .filter(|part| part.starts_with("/static/"))
        .map(str::to_owned)
        .collect()
}

#[rocket::async_test]
async fn pages_link_static_files_by_fingerprint_cached_for_a_year() {
    let app = spawn_app().await;
    let html = app
        .get("/login")
        .await
        .into_string()
        .await
        .unwrap_or_default();
    let urls = static_urls(&html);
    assert!(
        urls.iter()
            .any(|u| u.starts_with("/static/css/portero.css?v=")),
        "{urls:?}"
    );
    for url in &urls {
        let response = app.get(url).await;
        assert_eq!(response.status(), Status::Ok, "{url}");
        assert_eq!(
            response.headers().get_one("Cache-Control"),
            Some("public, max-age=31536000, immutable"),
            "{url}"
        );
        // Another fingerprint (a page from an older release) still gets the
        // file, but only as a copy to revalidate.
        let (plain, _) = url.split_once("?v=").expect("a fingerprint");
        let stale = app.get(&format!("{plain}?v=0000000000000000")).await;
        assert_eq!(stale.status(), Status::Ok, "{url}");
        assert_eq!(
            stale.headers().get_one("Cache-Control"),
            Some("public, no-cache")
        );
    }
}

#[rocket::async_test]
async fn static_files_go_precompressed_to_clients_that_accept_it() {
    let app = spawn_app().await;
    let path = "/static/redoc/redoc.standalone.js";
    let on_disk = std::fs::read(format!(".{path}")).expect("the source file");
    let mut etags = Vec::new();
    for (accept, coding) in [
        (None, None),
        (Some("gzip, deflate"), Some("gzip")),
        (Some("gzip, deflate, br"), Some("br")),
        (Some("br;q=0, gzip"), Some("gzip")),
        (Some("identity"), None),
    ] {
        let mut request = app.client.get(path);
        if let Some(accept) = accept {
            request = request.header(Header::new("Accept-Encoding", accept));
        }
        let response = request.dispatch().await;
        assert_eq!(response.status(), Status::Ok);
        assert_eq!(response.headers().get_one("Content-Encoding"), coding);
        assert_eq!(response.headers().get_one("Vary"), Some("Accept-Encoding"));
        let etag = response.headers().get_one("ETag").unwrap().to_owned();
        let sent = response.into_bytes().await.unwrap_or_default();
        if coding.is_some() {
            assert!(sent.len() < on_disk.len() / 3, "{accept:?}: {}", sent.len());
        }
        assert_eq!(decode(coding, sent), on_disk, "{accept:?}");
        // Each representation has its own validator, and a 304 for it.
        let again = app
            .client
            .get(path)
            .header(Header::new("Accept-Encoding", accept.unwrap_or("identity")))
            .header(Header::new("If-None-Match", etag.clone()))
            .dispatch()
            .await;
        assert_eq!(again.status(), Status::NotModified, "{accept:?}");
        etags.push(etag);
    }
    etags.sort();
    etags.dedup();
    assert_eq!(etags.len(), 3, "{etags:?}");
    // Small files go as they are.
    let icon = app
        .client
        .get("/static/favicon.svg")
        .header(Header::new("Accept-Encoding", "br, gzip"))
        .dispatch()
        .await;
    assert_eq!(icon.headers().get_one("Content-Encoding"), None);
}

#[rocket::async_test]
async fn pages_and_json_are_compressed_per_response_when_accepted() {
    let app = spawn_app().await;
    app.login_admin("boss").await;
    for n in 0..10 {
        app.create_user(&format!("customer{n}"), portero::domain::Role::User)
            .await;
    }
    for path in [
        "/api/openapi.json",
        "/products",
        "/admin/users",
        "/api/users?per_page=100",
    ] {
        let plain = app.get(path).await;
        assert_eq!(plain.status(), Status::Ok, "{path}");
        assert_eq!(plain.headers().get_one("Content-Encoding"), None);
        assert_eq!(plain.headers().get_one("Vary"), Some("Accept-Encoding"));
        let plain = plain.into_bytes().await.unwrap_or_default();
        for coding in ["gzip", "br"] {
            let response = app
                .client
                .get(path)
                .header(Header::new("Accept-Encoding", coding))
                .dispatch()
                .await;
            assert_eq!(response.status(), Status::Ok, "{path}");
            assert_eq!(
                response.headers().get_one("Content-Encoding"),
                Some(coding),
                "{path}"
            );
            let body = decoded(response).await;
            // Pages carry a fresh CSRF token each time: compare the shape.
            assert!(body.len().abs_diff(plain.len()) < 64, "{path} {coding}");
            if path.contains("api") {
                assert_eq!(body, plain, "{path} {coding}");
            }
        }
    }
    // A short answer goes as it is.
    let response = app
        .client
        .get("/api/me")
        .header(Header::new("Accept-Encoding", "br"))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.headers().get_one("Content-Encoding"), None);
}

/// What a browser downloads for a docs page the first time (brotli accepted,
/// nothing cached), and how many requests reach the server the second
/// time: every static file is linked by fingerprint and cached as immutable.
async fn first_and_second_load(app: &TestApp, page: &str, fetches: &[&str]) -> (usize, usize) {
    let response = app
        .client
        .get(page)
        .header(Header::new("Accept-Encoding", "gzip, deflate, br"))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok, "{page}");
    let html = response.into_bytes().await.unwrap_or_default();
    let urls = static_urls(&String::from_utf8_lossy(&decoded_html(&html)));
    assert!(urls.len() >= 2, "{page}: {urls:?}");
    let mut bytes = html.len();
    let mut revalidated = 0;
    for url in urls
        .iter()
        .map(String::as_str)
        .chain(fetches.iter().copied())
    {
        let response = app
            .client
            .get(url)
            .header(Header::new("Accept-Encoding", "gzip, deflate, br"))
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::Ok, "{url}");
        if url.starts_with("/static/")
            && response.headers().get_one("Cache-Control")
                != Some("public, max-age=31536000, immutable")
        {
            revalidated += 1;
        }
        bytes += response.into_bytes().await.unwrap_or_default().len();
    }
    (bytes, revalidated)
}

/// The page as sent is compressed: decode it to read its links.
fn decoded_html(body: &[u8]) -> Vec<u8> {
    let mut plain = Vec::new();
    if brotli::Decompressor::new(body, 4096)
        .read_to_end(&mut plain)
        .is_ok()
    {
        plain
    } else {
        body.to_vec()
    }
}

#[rocket::async_test]
async fn the_docs_pages_weigh_under_600_kb_and_then_nothing() {
    let app = spawn_app().await;
    let (swagger, revalidated) = first_and_second_load(
        &app,
        "/docs",
        &["/docs/swagger-ui-config.json", "/api/openapi.json"],
    )
    .await;
    eprintln!("first load: /docs {swagger} bytes");
    assert!(swagger <= 600 * 1024, "/docs: {swagger} bytes");
    assert_eq!(revalidated, 0, "/docs static files asked for again");
    let (redoc, revalidated) = first_and_second_load(&app, "/redoc", &["/api/openapi.json"]).await;
    eprintln!("first load: /redoc {redoc} bytes");
    assert!(redoc <= 600 * 1024, "/redoc: {redoc} bytes");
    assert_eq!(revalidated, 0, "/redoc static files asked for again");
    // The old address of the Swagger UI page still works.
    assert_eq!(app.get("/docs/index.html").await.status(), Status::Ok);
    let config = app.get_json("/docs/swagger-ui-config.json").await.1;
    assert_eq!(config["url"], "/api/openapi.json");
}
