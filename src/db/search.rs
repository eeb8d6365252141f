//! Substring search ("Backpack" finds "Bamboo Backpack 15"), ignoring case
//! and accents, with an index on both backends (migration 0012):
//!
//! - PostgreSQL: `LIKE '%q%'` on each searched column, served by its
//!   `pg_trgm` GIN index; the planner ORs the columns with a bitmap.
//! - SQLite: an FTS5 `trigram` table over the searched columns; a phrase
//!   query of three characters or more is a substring match read from that
//!   index. Shorter searches cannot use trigrams and scan with `LIKE`.
//!
//! Names are compared through their folded keys (`name_key`…), written by
//! the application with [`fold`]. Rows stored before keys were folded for
//! accents keep accented keys, so the unfolded lower case is searched too.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::{Backend, Filter, bindable};

/// Lower case without accents: "Crème Brûlée" → "creme brulee". What name
/// keys store and what searches compare.
pub fn fold(text: &str) -> String {
    text.nfkd()
        .filter(|c| !is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase()
}

/// The forms of a search to look for: folded, and plain lower case when it
/// differs (keys written before accents were folded).
fn variants(q: &str) -> Vec<String> {
    let mut forms = vec![fold(q)];
    let lower = q.to_lowercase();
    if lower != forms[0] {
        forms.push(lower);
    }
    forms
}

/// `%q%` for `LIKE … ESCAPE '\'`, with `%`, `_` and `\` taken literally.
pub fn like_anywhere(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for ch in bindable(text).chars() {
        if matches!(ch, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    pattern
}

/// An FTS5 phrase: the text in double quotes (doubled inside), so no
/// character of it is query syntax.
pub fn fts_phrase(text: &str) -> String {
    format!("\"{}\"", bindable(text).replace('"', "\"\""))
}

/// The shortest search the trigram index serves.
const TRIGRAM: usize = 3;

/// A searched table: its FTS5 table on SQLite and its searched columns, as
/// SQL expressions matching the PostgreSQL trigram indexes.
#[derive(Debug, Clone, Copy)]
pub struct Searched {
    pub fts_table: &'static str,
    pub columns: &'static [&'static str],
    /// The columns as the PostgreSQL indexes have them (`lower(sku)`).
    pub pg_columns: &'static [&'static str],
}

/// Adds "some searched column contains `q`" to `filter`; a blank `q` adds
/// nothing. The row's id column must be `id`.
pub fn contains(filter: &mut Filter, backend: Backend, searched: &Searched, q: &str) {
    let q = q.trim();
    if q.is_empty() {
        return;
    }
    let forms = variants(q);
    let short = forms[0].chars().count() < TRIGRAM;
    match backend {
        Backend::Sqlite if !short => {
            let query = forms
                .iter()
                .map(|form| fts_phrase(form))
                .collect::<Vec<_>>()
                .join(" OR ");
            let fts = searched.fts_table;
            filter.and(query, |p| {
                format!("id IN (SELECT rowid FROM {fts} WHERE {fts} MATCH {p})")
            });
        }
        _ => {
            let columns = match backend {
                Backend::Sqlite => searched.columns,
                Backend::Postgres => searched.pg_columns,
            };
            // One parameter per form; each is tried on every column.
            let patterns: Vec<String> = forms.iter().map(|form| like_anywhere(form)).collect();
            filter.and_any(patterns, |placeholders| {
                let clauses: Vec<String> = placeholders
                    .split(", ")
                    .flat_map(|p| {
                        columns
                            .iter()
                            .map(move |column| format!("{column} LIKE {p} ESCAPE '\\'"))
                    })
                    .collect();
                format!("({})", clauses.join(" OR "))
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_drops_case_and_accents() {
        assert_eq!(fold("Crème Brûlée"), "creme brulee");
        assert_eq!(fold("ÅNGSTRÖM"), "angstrom");
        assert_eq!(fold("Backpack"), "backpack");
        assert_eq!(variants("Café"), ["cafe", "café"]);
        assert_eq!(variants("pack"), ["pack"]);
    }

    #[test]
    fn patterns_take_every_character_literally() {
        assert_eq!(like_anywhere("50%_a\\b"), "%50\\%\\_a\\\\b%");
        assert_eq!(fts_phrase("say \"hi\" OR"), "\"say \"\"hi\"\" OR\"");
        assert_eq!(fts_phrase("a\0b"), "\"a\u{FFFD}b\"");
    }
}
