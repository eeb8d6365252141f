//! Security headers on every response.

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::Header;
use rocket::{Request, Response};

/// CSP without inline scripts or styles, anti-framing, no sniffing, a
/// strict referrer policy, and `no-store` for personal answers.
pub struct SecurityHeaders {
    pub hsts: bool,
}

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
                   base-uri 'none'; object-src 'none'";

/// ReDoc and Swagger UI inject styles at run time and ReDoc runs a blob worker.
const DOCS_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                        img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; \
                        form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

#[rocket::async_trait]
impl Fairing for SecurityHeaders {
    fn info(&self) -> Info {
        Info {
            name: "security headers",
            kind: Kind::Response,
        }
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        let path = request.uri().path();
        let docs = path == "/redoc" || path.starts_with("/docs");
        response.set_header(Header::new(
            "Content-Security-Policy",
            if docs { DOCS_CSP } else { CSP },
        ));
        response.set_header(Header::new("X-Content-Type-Options", "nosniff"));
        response.set_header(Header::new("X-Frame-Options", "DENY"));
        response.set_header(Header::new(
            "Referrer-Policy",
            "strict-origin-when-cross-origin",
        ));
        response.set_header(Header::new(
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        ));
        response.set_header(Header::new("Cross-Origin-Opener-Policy", "same-origin"));
        if self.hsts {
            response.set_header(Header::new(
                "Strict-Transport-Security",
                "max-age=63072000; includeSubDomains",
            ));
        }
        // Static files and the docs are public; every other answer may be
        // personal (a page with a name in the header, an API response).
        if !path.starts_with("/static/") && !docs && path != "/healthz" {
            response.set_header(Header::new("Cache-Control", "no-store"));
        }
    }
}
