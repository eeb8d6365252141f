//! Response headers (ASVS V14.4, V3.4): a CSP without inline code, no
//! sniffing, no framing, a strict referrer policy, `no-store` on personal
//! answers, HSTS and `__Host-` cookies when configured for HTTPS; and
//! templates with no inline scripts or styles for the CSP to block.

use std::path::{Path, PathBuf};

use portero::domain::Role;
use rocket::figment::providers::Serialized;
use rocket::http::{ContentType, Method, SameSite, Status};
use rocket::local::asynchronous::LocalResponse;
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp, set_cookies, spawn_app, spawn_app_with};

fn header(response: &LocalResponse<'_>, name: &str) -> Option<String> {
    response.headers().get_one(name).map(str::to_owned)
}

/// The directives of a CSP: name → sources.
fn csp_directives(csp: &str) -> Vec<(String, Vec<String>)> {
    csp.split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|directive| {
            let mut parts = directive.split_whitespace();
            let name = parts.next().unwrap_or_default().to_ascii_lowercase();
            (name, parts.map(str::to_owned).collect())
        })
        .collect()
}

/// The sources that apply to `name`, falling back to `default-src`.
fn sources<'a>(directives: &'a [(String, Vec<String>)], name: &str) -> &'a [String] {
    directives
        .iter()
        .find(|(n, _)| n == name)
        .or_else(|| directives.iter().find(|(n, _)| n == "default-src"))
        .map(|(_, s)| s.as_slice())
        .unwrap_or_else(|| panic!("CSP has neither {name} nor default-src"))
}

/// A page's CSP forbids inline and foreign scripts and styles, framing,
/// plugins and `<base>` tricks.
fn assert_strict_csp(path: &str, response: &LocalResponse<'_>) {
    let csp = header(response, "Content-Security-Policy")
        .unwrap_or_else(|| panic!("{path}: no Content-Security-Policy"));
    let directives = csp_directives(&csp);
    for kind in ["script-src", "style-src"] {
        let allowed = sources(&directives, kind);
        for source in allowed {
            let source = source.to_ascii_lowercase();
            assert!(
                source == "'self'" || source == "'none'" || source.starts_with("'nonce-"),
                "{path}: {kind} allows {source}: {csp}"
            );
        }
    }
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{path}: {csp}"
    );
    assert_eq!(
        sources(&directives, "frame-ancestors"),
        ["'none'"],
        "{path}: {csp}"
    );
    assert_eq!(
        sources(&directives, "object-src"),
        ["'none'"],
        "{path}: {csp}"
    );
    assert!(
        directives.iter().any(|(n, _)| n == "base-uri"),
        "{path}: no base-uri: {csp}"
    );
    assert!(
        directives.iter().any(|(n, _)| n == "form-action"),
        "{path}: no form-action: {csp}"
    );
}

/// Headers every response carries, whatever it is.
fn assert_common_headers(what: &str, response: &LocalResponse<'_>) {
    assert_eq!(
        header(response, "X-Content-Type-Options").as_deref(),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(
        header(response, "X-Frame-Options").as_deref(),
        Some("DENY"),
        "{what}"
    );
    let referrer = header(response, "Referrer-Policy").unwrap_or_default();
    assert!(
        [
            "no-referrer",
            "same-origin",
            "strict-origin",
            "strict-origin-when-cross-origin"
        ]
        .contains(&referrer.as_str()),
        "{what}: Referrer-Policy {referrer:?}"
    );
    let permissions = header(response, "Permissions-Policy").unwrap_or_default();
    for feature in ["camera=()", "microphone=()", "geolocation=()"] {
        assert!(
            permissions.contains(feature),
            "{what}: Permissions-Policy {permissions:?} lacks {feature}"
        );
    }
    let csp = header(response, "Content-Security-Policy").unwrap_or_default();
    assert!(
        csp.contains("frame-ancestors 'none'"),
        "{what}: CSP {csp:?}"
    );
}

fn assert_no_store(what: &str, response: &LocalResponse<'_>) {
    let cache = header(response, "Cache-Control").unwrap_or_default();
    assert!(
        cache.split(',').any(|d| d.trim() == "no-store"),
        "{what}: Cache-Control {cache:?}"
    );
}

/// A fresh application with an administrator logged in.
async fn logged_in_admin() -> TestApp {
    let app = spawn_app().await;
    app.login_admin("hadmin").await;
    app
}

#[rocket::async_test]
async fn pages_have_a_csp_without_inline_code() {
    let app = spawn_app().await;
    let anonymous = app.other_browser().await;
    for path in ["/", "/login", "/signup", "/products", "/no-such-page"] {
        let response = anonymous.get(path).await;
        assert!(
            response.status().code < 500,
            "{path}: {}",
            response.status()
        );
        assert_strict_csp(path, &response);
    }
    app.login_admin("hadmin").await;
    for path in [
        "/",
        "/account",
        "/account/sessions",
        "/sales",
        "/admin",
        "/admin/users",
        "/admin/audit",
        "/admin/products",
        "/admin/sales",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), Status::Ok, "{path}");
        assert_strict_csp(path, &response);
    }
}

#[rocket::async_test]
async fn every_response_has_the_common_security_headers() {
    let app = logged_in_admin().await;
    let anonymous = app.other_browser().await;
    for path in [
        "/",
        "/login",
        "/account",
        "/admin",
        "/products",
        "/static/css/portero.css",
        "/static/favicon.svg",
        "/no-such-page",
        "/api/me",
        "/api/products",
        "/api/no-such-thing",
        "/api/openapi.json",
        "/healthz",
        "/readyz",
        "/docs/",
        "/redoc",
    ] {
        let response = app.get(path).await;
        assert_common_headers(&format!("GET {path} ({})", response.status()), &response);
    }
    // Redirects and errors, anonymous.
    for path in ["/account", "/admin", "/api/me", "/api/users"] {
        let response = anonymous.get(path).await;
        assert_common_headers(
            &format!("anonymous GET {path} ({})", response.status()),
            &response,
        );
    }
    let response = anonymous
        .client
        .post("/api/auth/login")
        .header(ContentType::JSON)
        .body("{not json")
        .dispatch()
        .await;
    assert_common_headers("bad JSON", &response);
    let response = anonymous.post_form("/login", &[("login", "x")]).await;
    assert_common_headers("login form without CSRF", &response);
}

#[rocket::async_test]
async fn personal_answers_are_never_stored() {
    let app = logged_in_admin().await;
    for path in [
        "/",
        "/account",
        "/account/sessions",
        "/sales",
        "/admin",
        "/admin/users",
        "/admin/audit",
        "/admin/products",
        "/admin/sales",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), Status::Ok, "{path}");
        assert_no_store(path, &response);
    }
    // Every /api answer, successes and errors alike.
    for path in [
        "/api/me",
        "/api/me/sessions",
        "/api/users",
        "/api/products",
        "/api/sales",
        "/api/users/999999",
        "/api/no-such-thing",
        "/api/users?per_page=1000",
        "/api/openapi.json",
    ] {
        let response = app.get(path).await;
        assert_no_store(&format!("GET {path} ({})", response.status()), &response);
    }
    let anonymous = app.other_browser().await;
    for path in ["/api/me", "/api/users", "/api/products"] {
        let response = anonymous.get(path).await;
        assert_no_store(&format!("anonymous GET {path}"), &response);
    }
    for (method, path, body) in [
        (
            Method::Post,
            "/api/auth/login",
            "{\"login\":\"x\",\"password\":\"y\"}",
        ),
        (Method::Post, "/api/auth/login", "{oops"),
        (Method::Post, "/api/auth/signup", "{}"),
        (Method::Patch, "/api/me", "{}"),
        (Method::Delete, "/api/users/1", ""),
    ] {
        let response = anonymous
            .client
            .req(method, path)
            .header(ContentType::JSON)
            .body(body)
            .dispatch()
            .await;
        assert_no_store(
            &format!("anonymous {method} {path} ({})", response.status()),
            &response,
        );
    }
    // A successful API login, whose body is the user.
    app.create_user("cached", Role::User).await;
    let response = anonymous
        .client
        .post("/api/auth/login")
        .header(ContentType::JSON)
        .body(json!({ "login": "cached", "password": PASSWORD }).to_string())
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_no_store("API login", &response);
}

#[rocket::async_test]
async fn public_static_files_may_be_cached() {
    let app = spawn_app().await;
    let response = app.get("/static/css/portero.css").await;
    assert_eq!(response.status(), Status::Ok);
    let cache = header(&response, "Cache-Control").unwrap_or_default();
    assert!(
        !cache.contains("no-store"),
        "the stylesheet is not cacheable: {cache:?}"
    );
}

#[rocket::async_test]
async fn hsts_only_when_configured_for_https() {
    let plain = spawn_app().await;
    for path in ["/", "/api/products", "/static/css/portero.css"] {
        let response = plain.get(path).await;
        assert_eq!(
            header(&response, "Strict-Transport-Security"),
            None,
            "HSTS over plain HTTP on {path}"
        );
    }
    let https = spawn_app_with(|figment| figment.merge(Serialized::default("https", true))).await;
    for path in ["/", "/login", "/api/products", "/api/me", "/no-such-page"] {
        let response = https.get(path).await;
        let hsts = header(&response, "Strict-Transport-Security")
            .unwrap_or_else(|| panic!("no HSTS on {path} with https = true"));
        let max_age: i64 = hsts
            .split(';')
            .find_map(|part| part.trim().strip_prefix("max-age="))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("HSTS without max-age: {hsts}"));
        assert!(max_age >= 31_536_000, "HSTS max-age below a year: {hsts}");
    }
}

#[rocket::async_test]
async fn https_cookies_are_host_prefixed_secure_http_only_and_lax() {
    let app = spawn_app_with(|figment| figment.merge(Serialized::default("https", true))).await;
    app.create_user("secure", Role::User).await;

    // The anonymous CSRF cookie of the login form.
    let response = app.get("/login").await;
    let cookies = set_cookies(&response);
    let csrf = cookies
        .iter()
        .find(|c| c.name() == "__Host-portero_csrf")
        .unwrap_or_else(|| panic!("no __Host-portero_csrf cookie: {cookies:?}"));
    assert_eq!(csrf.secure(), Some(true), "{csrf}");
    assert_eq!(csrf.http_only(), Some(true), "{csrf}");
    assert_eq!(csrf.path(), Some("/"), "{csrf}");
    assert_eq!(csrf.domain(), None, "{csrf}");
    drop(response);

    let response = app
        .client
        .post("/api/auth/login")
        .header(ContentType::JSON)
        .body(json!({ "login": "secure", "password": PASSWORD }).to_string())
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    let cookies = set_cookies(&response);
    assert!(
        cookies.iter().all(|c| c.name() != "portero_session"),
        "an unprefixed session cookie over HTTPS: {cookies:?}"
    );
    let session = cookies
        .iter()
        .find(|c| c.name() == "__Host-portero_session")
        .unwrap_or_else(|| panic!("no __Host-portero_session cookie: {cookies:?}"));
    assert_eq!(session.secure(), Some(true), "{session}");
    assert_eq!(session.http_only(), Some(true), "{session}");
    assert_eq!(session.same_site(), Some(SameSite::Lax), "{session}");
    assert_eq!(session.path(), Some("/"), "{session}");
    assert_eq!(session.domain(), None, "{session}");
    // The value is encrypted: no session id in clear.
    assert!(session.value().len() > 43, "{session}");
    drop(response);

    // The prefixed cookie is the one the server reads, and HSTS is on.
    let me = app.get("/api/me").await;
    assert_eq!(me.status(), Status::Ok);
    assert!(me.headers().get_one("Strict-Transport-Security").is_some());
}

#[rocket::async_test]
async fn plain_http_cookies_are_http_only_and_lax() {
    let app = spawn_app().await;
    app.create_user("plain", Role::User).await;
    let response = app
        .client
        .post("/api/auth/login")
        .header(ContentType::JSON)
        .body(json!({ "login": "plain", "password": PASSWORD }).to_string())
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    let cookies = set_cookies(&response);
    let session = cookies
        .iter()
        .find(|c| c.name() == "portero_session")
        .unwrap_or_else(|| panic!("no portero_session cookie: {cookies:?}"));
    assert_eq!(session.http_only(), Some(true), "{session}");
    assert_eq!(session.same_site(), Some(SameSite::Lax), "{session}");
    assert_eq!(session.path(), Some("/"), "{session}");
    assert_eq!(session.domain(), None, "{session}");
    assert_ne!(session.secure(), Some(true), "{session}");
}

fn template_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("templates folder") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            template_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "tera") {
            out.push(path);
        }
    }
}

/// Every `<tag …>` opening tag named `name` in `html`, lower-cased.
fn opening_tags(html: &str, name: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let needle = format!("<{name}");
    let mut tags = Vec::new();
    let mut from = 0;
    while let Some(found) = lower[from..].find(&needle) {
        let start = from + found;
        let after = lower[start + needle.len()..].chars().next();
        if after.is_some_and(|c| c.is_whitespace() || c == '>' || c == '/') {
            let end = lower[start..]
                .find('>')
                .map_or(lower.len(), |e| start + e + 1);
            tags.push(lower[start..end].to_owned());
        }
        from = start + needle.len();
    }
    tags
}

#[test]
fn templates_have_no_inline_scripts_styles_or_handlers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut files = Vec::new();
    template_files(&root, &mut files);
    assert!(files.len() >= 10, "found only {files:?}");
    let mut problems = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable template");
        let name = file
            .strip_prefix(&root)
            .unwrap_or(file)
            .display()
            .to_string();
        for tag in opening_tags(&text, "script") {
            if !tag.contains(" src=") {
                problems.push(format!("{name}: inline script {tag}"));
            }
        }
        if !opening_tags(&text, "style").is_empty() {
            problems.push(format!("{name}: <style> element"));
        }
        let lower = text.to_ascii_lowercase();
        let bytes = lower.as_bytes();
        for (at, _) in lower.match_indices("style=") {
            if at > 0 && bytes[at - 1].is_ascii_whitespace() {
                problems.push(format!("{name}: style= attribute at byte {at}"));
            }
        }
        // Event-handler attributes (onclick=, onload=, …) are inline script too.
        for (at, _) in lower.match_indices(" on") {
            let rest = &lower[at + 3..];
            let word: String = rest.chars().take_while(char::is_ascii_alphabetic).collect();
            if !word.is_empty() && rest[word.len()..].starts_with('=') {
                problems.push(format!("{name}: on{word}= handler at byte {at}"));
            }
        }
        if lower.contains("javascript:") {
            problems.push(format!("{name}: javascript: URL"));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[rocket::async_test]
async fn rendered_pages_have_no_inline_script_or_style() {
    let app = logged_in_admin().await;
    for path in [
        "/",
        "/account",
        "/account/sessions",
        "/products",
        "/sales",
        "/admin",
        "/admin/users",
        "/admin/audit",
        "/admin/products",
        "/admin/products/new",
        "/admin/sales",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), Status::Ok, "{path}");
        let html = response.into_string().await.unwrap_or_default();
        let lower = html.to_ascii_lowercase();
        assert!(!lower.contains("<script"), "{path} has a script element");
        assert!(!lower.contains("<style"), "{path} has a style element");
        assert!(!lower.contains(" style="), "{path} has a style attribute");
    }
}

#[rocket::async_test]
async fn html_declares_utf8_and_nothing_names_a_version() {
    let app = logged_in_admin().await;
    let anonymous = app.other_browser().await;
    for (client, path) in [
        (&app, "/"),
        (&app, "/account"),
        (&app, "/admin"),
        (&app, "/no-such-page"),
        (&anonymous, "/login"),
        (&anonymous, "/signup"),
    ] {
        let response = client.get(path).await;
        let content_type = header(&response, "Content-Type").unwrap_or_default();
        assert_eq!(
            content_type.to_ascii_lowercase(),
            "text/html; charset=utf-8",
            "{path}"
        );
    }
    for path in [
        "/",
        "/api/me",
        "/api/no-such-thing",
        "/static/css/portero.css",
    ] {
        let response = app.get(path).await;
        if let Some(server) = header(&response, "Server") {
            assert!(
                !server.chars().any(|c| c.is_ascii_digit()),
                "{path}: Server header names a version: {server}"
            );
        }
        assert_eq!(header(&response, "X-Powered-By"), None, "{path}");
    }
}

#[rocket::async_test]
async fn no_cross_origin_sharing_is_granted() {
    let app = logged_in_admin().await;
    for path in ["/api/me", "/api/products", "/api/users", "/"] {
        let response = app
            .client
            .get(path)
            .header(rocket::http::Header::new("Origin", "https://evil.example"))
            .dispatch()
            .await;
        for name in [
            "Access-Control-Allow-Origin",
            "Access-Control-Allow-Credentials",
        ] {
            assert_eq!(header(&response, name), None, "{path}: {name}");
        }
    }
    // A CORS preflight finds nothing to allow.
    let response = app
        .client
        .req(Method::Options, "/api/me")
        .header(rocket::http::Header::new("Origin", "https://evil.example"))
        .header(rocket::http::Header::new(
            "Access-Control-Request-Method",
            "PATCH",
        ))
        .dispatch()
        .await;
    assert!(
        response.status().code >= 400,
        "preflight answered {}",
        response.status()
    );
    assert_eq!(header(&response, "Access-Control-Allow-Origin"), None);
}

#[rocket::async_test]
async fn static_files_neither_list_nor_escape_their_folder() {
    let app = spawn_app().await;
    for path in [
        "/static/",
        "/static/css/",
        "/static/../Cargo.toml",
        "/static/..%2FCargo.toml",
        "/static/%2e%2e/Rocket.toml",
        "/static/css/../../src/lib.rs",
        "/static/.git/config",
    ] {
        let response = app.get(path).await;
        let status = response.status();
        let body = response.into_string().await.unwrap_or_default();
        assert!(status.code >= 400 && status.code < 500, "{path}: {status}");
        for secret in ["[package]", "secret_key", "pub mod", "[core]"] {
            assert!(!body.contains(secret), "{path} served {secret}");
        }
    }
}
