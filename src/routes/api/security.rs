//! The OpenAPI security schemes. The guards declare the session cookie;
//! every operation that takes it takes a bearer token just as well, which
//! is declared here once for the whole document: plain bearer (paste a
//! token) and the OAuth2 password flow, so that Swagger UI's "Authorize"
//! logs in with a username and password through `POST /api/auth/token`.

use rocket_okapi::okapi::Map;
use rocket_okapi::okapi::openapi3::{
    OAuthFlows, OpenApi, Operation, RefOr, SecurityRequirement, SecurityScheme, SecuritySchemeData,
};

const COOKIE: &str = "session_cookie";
const BEARER: &str = "bearer";
const PASSWORD_FLOW: &str = "oauth2_password";

/// Adds the bearer schemes, as alternatives to the cookie, wherever the
/// cookie is required.
pub fn declare(spec: &mut OpenApi) {
    let components = spec.components.get_or_insert_with(Default::default);
    components.security_schemes.insert(
        BEARER.to_owned(),
        RefOr::Object(SecurityScheme {
            description: Some(
                "`Authorization: Bearer <token>`: the `access_token` of POST /api/auth/token, \
                 or a personal access token (`prt_…`, limited to its scopes: `read` for GET, \
                 `write` for other methods, `admin` for administrator routes). No `Origin` \
                 check applies to bearer requests."
                    .to_owned(),
            ),
            data: SecuritySchemeData::Http {
                scheme: "bearer".to_owned(),
                bearer_format: None,
            },
            extensions: Default::default(),
        }),
    );
    components.security_schemes.insert(
        PASSWORD_FLOW.to_owned(),
        RefOr::Object(SecurityScheme {
            description: Some(
                "OAuth2 password grant: POST /api/auth/token with a username (or e-mail) and \
                 password returns a bearer token."
                    .to_owned(),
            ),
            data: SecuritySchemeData::OAuth2 {
                flows: OAuthFlows::Password {
                    token_url: "/api/auth/token".to_owned(),
                    refresh_url: None,
                    scopes: Map::new(),
                    extensions: Default::default(),
                },
            },
            extensions: Default::default(),
        }),
    );
    for item in spec.paths.values_mut() {
        for operation in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
            &mut item.head,
            &mut item.options,
        ]
        .into_iter()
        .flatten()
        {
            add_bearer(operation);
        }
    }
}

fn add_bearer(operation: &mut Operation) {
    let Some(security) = operation.security.as_mut() else {
        return;
    };
    if !security.iter().any(|req| req.contains_key(COOKIE)) {
        return;
    }
    for scheme in [BEARER, PASSWORD_FLOW] {
        let mut requirement = SecurityRequirement::new();
        requirement.insert(scheme.to_owned(), Vec::new());
        security.push(requirement);
    }
}
