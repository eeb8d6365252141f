//! 405 Method Not Allowed for the API. Rocket 0.5 answers a known path with
//! an unrouted method with 404; the API's catcher asks this module which
//! methods the path does have, read from Rocket's own route table (so it
//! cannot drift from the routes), and answers 405 with `Allow` when there
//! are some.

use rocket::http::Method;
use rocket::request::Request;

/// The methods routed for the request's path under `/api`, in a fixed
/// order, `HEAD` with `GET` (Rocket answers it); empty for an unknown path.
pub fn allowed_methods(request: &Request<'_>) -> Vec<Method> {
    let path = request.uri().path();
    if !(path == "/api" || path.starts_with("/api/")) {
        return Vec::new();
    }
    let segments: Vec<&str> = path.segments().collect();
    let mut methods: Vec<Method> = request
        .rocket()
        .routes()
        .filter(|route| path_matches(route.uri.path(), &segments))
        .map(|route| route.method)
        .collect();
    if methods.contains(&Method::Get) {
        methods.push(Method::Head);
    }
    methods.sort_by_key(|method| method.as_str());
    methods.dedup();
    methods
}

/// Whether a route's path pattern (`/api/users/<id>`) matches the decoded
/// segments of a request path. A `<name..>` segment takes the rest.
fn path_matches(pattern: &str, segments: &[&str]) -> bool {
    let pattern: Vec<&str> = pattern.split('/').filter(|s| !s.is_empty()).collect();
    let mut rest = segments.iter();
    for part in pattern {
        if part.starts_with('<') && part.ends_with("..>") {
            return true;
        }
        let Some(segment) = rest.next() else {
            return false;
        };
        let dynamic = part.starts_with('<') && part.ends_with('>');
        if !dynamic && part != *segment {
            return false;
        }
    }
    rest.next().is_none()
}

/// The path parameters of the request's routes (same method) whose
/// segment is not a number: every API path parameter is an id, and Rocket
/// answers such a segment with a bare 422 that the catcher words with these.
pub fn unparsable_ids(request: &Request<'_>) -> Vec<String> {
    let segments: Vec<&str> = request.uri().path().segments().collect();
    let mut names: Vec<String> = Vec::new();
    for route in request.rocket().routes() {
        if route.method != request.method() || !path_matches(route.uri.path(), &segments) {
            continue;
        }
        let pattern = route.uri.path();
        let parts = pattern.split('/').filter(|s| !s.is_empty());
        for (part, segment) in parts.zip(&segments) {
            let Some(name) = part.strip_prefix('<').and_then(|p| p.strip_suffix('>')) else {
                continue;
            };
            if segment.parse::<i64>().is_err() && !names.iter().any(|n| n == name) {
                names.push(name.to_owned());
            }
        }
    }
    names
}

/// The `Allow` header's value.
pub fn allow_header(methods: &[Method]) -> String {
    methods
        .iter()
        .map(|method| method.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::path_matches;

    #[test]
    fn patterns_match_whole_paths_only() {
        assert!(path_matches("/api/users/<id>", &["api", "users", "7"]));
        assert!(path_matches("/api/users/<id>", &["api", "users", "x"]));
        assert!(!path_matches("/api/users/<id>", &["api", "users"]));
        assert!(!path_matches(
            "/api/users/<id>",
            &["api", "users", "7", "x"]
        ));
        assert!(!path_matches("/api/users/<id>", &["api", "sales", "7"]));
        assert!(path_matches("/api/users", &["api", "users"]));
        assert!(path_matches("/api/users/", &["api", "users"]));
        assert!(path_matches("/static/<path..>", &["static", "a", "b"]));
    }
}
