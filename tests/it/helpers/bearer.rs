//! Bearer-token clients: requests that carry `Authorization` and no cookie.

use rocket::http::{ContentType, Header, Method, Status};
use rocket::local::asynchronous::LocalResponse;
use serde_json::Value;

use super::{PASSWORD, TestApp, urlencode};

impl TestApp {
    /// `POST /api/auth/token` with these form fields.
    pub async fn token_form(&self, fields: &[(&str, &str)]) -> LocalResponse<'_> {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.client
            .post("/api/auth/token")
            .header(ContentType::Form)
            .body(body)
            .dispatch()
            .await
    }

    /// A bearer token for `username` by the password grant.
    pub async fn bearer_for(&self, username: &str) -> String {
        let response = self
            .token_form(&[
                ("grant_type", "password"),
                ("username", username),
                ("password", PASSWORD),
            ])
            .await;
        assert_eq!(response.status(), Status::Ok);
        let body: Value = response.into_json().await.expect("token JSON");
        body["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned()
    }

    /// A request with `Authorization: Bearer <token>` and optional JSON body.
    pub async fn bearer(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<&Value>,
    ) -> LocalResponse<'_> {
        let mut request = self
            .client
            .req(method, path.to_owned())
            .header(Header::new("Authorization", format!("Bearer {token}")));
        if let Some(body) = body {
            request = request.header(ContentType::JSON).body(body.to_string());
        }
        request.dispatch().await
    }

    /// Status and JSON body of a bearer request.
    pub async fn bearer_json(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<&Value>,
    ) -> (Status, Value) {
        let response = self.bearer(method, path, token, body).await;
        let status = response.status();
        (status, response.into_json().await.unwrap_or(Value::Null))
    }
}
