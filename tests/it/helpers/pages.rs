//! Reading rendered pages: status lines, tables, flash messages, links.

use rocket::http::Status;

use super::{TestApp, location, percent_decode};

/// Decodes the entities Tera's HTML escaping produces.
pub fn unescape(text: &str) -> String {
    text.replace("&#x2F;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A page's status and HTML.
pub async fn html(app: &TestApp, path: &str) -> (Status, String) {
    let response = app.get(path).await;
    let status = response.status();
    (status, response.into_string().await.unwrap_or_default())
}

/// The count that opens a list page's `<p role="status">` ("12 users found").
pub fn status_count(html: &str) -> i64 {
    let marker = "<p role=\"status\">";
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no status line in the page:\n{html}"))
        + marker.len();
    let digits: String = html[start..]
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("no count in the status line: {}", &html[start..]))
}

/// The text of a line of the page's `<p role="status">`.
pub fn status_line(html: &str) -> String {
    let marker = "<p role=\"status\">";
    let start = html.find(marker).map_or(0, |s| s + marker.len());
    let end = html[start..].find("</p>").map_or(html.len(), |e| e + start);
    unescape(&html[start..end])
}

pub fn strip_tags(text: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for ch in text.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(ch),
            _ => {}
        }
    }
    unescape(
        out.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .as_str(),
    )
}

/// The rows of the first table body, each as its raw HTML.
pub fn raw_rows(html: &str) -> Vec<String> {
    let Some(start) = html.find("<tbody>") else {
        return Vec::new();
    };
    let end = html[start..]
        .find("</tbody>")
        .map_or(html.len(), |e| e + start);
    html[start + "<tbody>".len()..end]
        .split("<tr>")
        .skip(1)
        .map(|row| row.split("</tr>").next().unwrap_or("").to_owned())
        .collect()
}

/// The rows of the first table body, each as the text of its cells.
pub fn table_rows(html: &str) -> Vec<Vec<String>> {
    raw_rows(html)
        .iter()
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| {
                    let cell = cell.split_once('>').map_or("", |(_, rest)| rest);
                    strip_tags(cell.split("</td>").next().unwrap_or(""))
                })
                .collect()
        })
        .collect()
}

/// The first column of every row (the username on the user list).
pub fn first_column(html: &str) -> Vec<String> {
    table_rows(html)
        .into_iter()
        .map(|row| row.first().cloned().unwrap_or_default())
        .collect()
}

/// The one-time flash message shown by the layout, if any.
pub fn flash_text(html: &str) -> Option<String> {
    let start = html.find("<div class=\"flash ")?;
    let body = &html[start..];
    let open = body.find('>')? + 1;
    let close = body.find("</div>")?;
    Some(strip_tags(&body[open..close]))
}

/// Every `href` of links in the page, decoded.
pub fn hrefs(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(unescape)
        .collect()
}

/// The (key, value) pairs of a query string.
pub fn query_pairs(href: &str) -> Vec<(String, String)> {
    let query = href.split_once('?').map_or("", |(_, q)| q);
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key), percent_decode(value))
        })
        .collect()
}

pub async fn post_fields(
    app: &TestApp,
    path: &str,
    fields: &[(String, String)],
) -> (Status, Option<String>, String) {
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let response = app.post_form(path, &borrowed).await;
    let status = response.status();
    let target = location(&response);
    (
        status,
        target,
        response.into_string().await.unwrap_or_default(),
    )
}
