//! Search matches marked in the text shown: "Bamboo Backpack" with the
//! search "back" reads "Bamboo <mark>Back</mark>pack". Matching ignores
//! case and accents as the search itself does.

use serde::Serialize;

use crate::db::search::fold;

/// A run of text, matched by the search or not. Templates print `text`
/// escaped, inside `<mark>` when `hit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Part {
    pub text: String,
    pub hit: bool,
}

/// `text` cut into runs, the runs matching `q` marked; one unmarked run
/// when `q` is blank or absent.
pub fn highlight(text: &str, q: &str) -> Vec<Part> {
    let needle = fold(q.trim());
    let chars: Vec<char> = text.chars().collect();
    let mut hits = vec![false; chars.len()];
    if !needle.is_empty() {
        // The folded text, and for each of its bytes the character it came from.
        let mut folded = String::new();
        let mut origin = Vec::new();
        for (index, ch) in chars.iter().enumerate() {
            let piece = fold(&ch.to_string());
            origin.extend(std::iter::repeat_n(index, piece.len()));
            folded.push_str(&piece);
        }
        let mut from = 0;
        while let Some(at) = folded[from..].find(&needle) {
            let start = from + at;
            let end = start + needle.len();
            for &index in &origin[start..end] {
                hits[index] = true;
            }
            from = end;
        }
    }
    let mut parts: Vec<Part> = Vec::new();
    for (ch, hit) in chars.into_iter().zip(hits) {
        match parts.last_mut() {
            Some(last) if last.hit == hit => last.text.push(ch),
            _ => parts.push(Part {
                text: ch.to_string(),
                hit,
            }),
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(text: &str, q: &str) -> String {
        highlight(text, q)
            .into_iter()
            .map(|p| {
                if p.hit {
                    format!("[{}]", p.text)
                } else {
                    p.text
                }
            })
            .collect()
    }

    #[test]
    fn marks_every_match_ignoring_case_and_accents() {
        assert_eq!(marked("Bamboo Backpack 15", "back"), "Bamboo [Back]pack 15");
        assert_eq!(marked("Crème brûlée", "CREME"), "[Crème] brûlée");
        assert_eq!(marked("Cafe", "café"), "[Cafe]");
        assert_eq!(marked("abab", "ab"), "[abab]");
        assert_eq!(marked("Mug", ""), "Mug");
        assert_eq!(marked("Mug", "tea"), "Mug");
        assert!(highlight("", "x").is_empty());
    }
}
