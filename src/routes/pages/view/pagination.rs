//! Page links of a list.

use serde::Serialize;

/// The links under a list: first, last and a window around the current page.
#[derive(Debug, Clone, Serialize)]
pub struct Pagination {
    pub page: i64,
    pub pages: i64,
    pub links: Vec<PageLink>,
    pub prev: Option<String>,
    pub next: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PageLink {
    pub number: i64,
    pub href: String,
    pub current: bool,
}

impl Pagination {
    /// Links for page `page` of `total` rows, `per_page` a page; `href`
    /// writes the address of a page.
    pub fn new(page: i64, total: i64, per_page: i64, href: impl Fn(i64) -> String) -> Self {
        let pages = ((total + per_page - 1) / per_page.max(1)).max(1);
        let mut numbers: Vec<i64> = (page - 3..=page + 3)
            .filter(|p| *p >= 1 && *p <= pages)
            .collect();
        if !numbers.contains(&1) {
            numbers.insert(0, 1);
        }
        if !numbers.contains(&pages) {
            numbers.push(pages);
        }
        Pagination {
            page,
            pages,
            links: numbers
                .into_iter()
                .map(|number| PageLink {
                    number,
                    href: href(number),
                    current: number == page,
                })
                .collect(),
            prev: (page > 1).then(|| href(page - 1)),
            next: (page < pages).then(|| href(page + 1)),
        }
    }
}

/// Percent-encodes text for a query-string value (space as `+`).
pub fn query_value(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_the_ends_and_a_window() {
        let pagination = Pagination::new(10, 1000, 20, |p| format!("?page={p}"));
        let numbers: Vec<i64> = pagination.links.iter().map(|l| l.number).collect();
        assert_eq!(numbers, [1, 7, 8, 9, 10, 11, 12, 13, 50]);
        assert_eq!(pagination.prev.as_deref(), Some("?page=9"));
        assert_eq!(pagination.next.as_deref(), Some("?page=11"));
        let single = Pagination::new(1, 0, 20, |p| p.to_string());
        assert_eq!((single.pages, single.prev, single.next), (1, None, None));
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(query_value("a b&c=é/"), "a+b%26c%3D%C3%A9%2F");
        assert_eq!(query_value("A-z_0.9~"), "A-z_0.9%7E");
    }
}
