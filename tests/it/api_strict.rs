//! The strict API contract (issue 15): 405 with `Allow` from the route table.

use rocket::http::{ContentType, Method, Status};

use crate::helpers::*;

async fn allow_of(app: &TestApp, method: Method, path: &str) -> (Status, Option<String>) {
    let response = app
        .client
        .req(method, path.to_owned())
        .header(ContentType::JSON)
        .body("{}")
        .dispatch()
        .await;
    let status = response.status();
    let allow = response.headers().get_one("Allow").map(str::to_owned);
    if status.code >= 400 {
        let problem = expect_problem(response, status).await;
        if status == Status::MethodNotAllowed {
            assert!(
                problem["detail"]
                    .as_str()
                    .unwrap_or_default()
                    .contains(method.as_str()),
                "{problem}"
            );
        }
    }
    (status, allow)
}

#[rocket::async_test]
async fn a_known_path_with_a_wrong_method_is_405_with_allow() {
    let app = spawn_app().await;
    let cases = [
        (Method::Put, "/api/auth/login", "POST"),
        (Method::Get, "/api/auth/logout", "POST"),
        (Method::Get, "/api/auth/token", "POST"),
        (Method::Delete, "/api/products", "GET, HEAD, POST"),
        (Method::Put, "/api/users/7", "DELETE, GET, HEAD, PATCH"),
        (Method::Post, "/api/me", "GET, HEAD, PATCH"),
        (Method::Patch, "/api/me/tokens", "GET, HEAD, POST"),
        (Method::Options, "/api/sales", "GET, HEAD, POST"),
    ];
    for (method, path, allow) in cases {
        let (status, header) = allow_of(&app, method, path).await;
        assert_eq!(status, Status::MethodNotAllowed, "{method} {path}");
        assert_eq!(header.as_deref(), Some(allow), "{method} {path}");
    }
    // Unknown paths stay 404, with no Allow.
    for path in ["/api/nothing", "/api/users/7/nothing", "/api"] {
        let (status, header) = allow_of(&app, Method::Get, path).await;
        assert_eq!((status, header), (Status::NotFound, None), "{path}");
    }
}
