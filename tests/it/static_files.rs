//! Static files from the copy embedded in the binary (issue 12): the right
//! Content-Type, and validators so a browser revalidates with a 304.

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
    assert!(
        first.headers().get_one("Cache-Control").is_none(),
        "static files are public"
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
