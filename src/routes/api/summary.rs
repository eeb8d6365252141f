//! Operation summaries. rocket_okapi takes an operation's description from
//! the handler's doc comment and a summary only from a `# heading`; every
//! operation gets one here, the first sentence of its description, so the
//! doc comment stays the single text to keep up to date.

use rocket_okapi::okapi::openapi3::OpenApi;

pub fn add(spec: &mut OpenApi) {
    for item in spec.paths.values_mut() {
        for operation in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            if operation.summary.is_none() {
                operation.summary = operation.description.as_deref().map(first_sentence);
            }
        }
    }
}

/// The text up to the first stop (full stop, colon, semicolon or line
/// break), without it.
fn first_sentence(text: &str) -> String {
    let text = text.trim();
    let end = [". ", ": ", "; ", "\n"]
        .iter()
        .filter_map(|stop| text.find(stop))
        .min()
        .unwrap_or(text.len());
    text[..end].trim_end_matches('.').trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::first_sentence;

    #[test]
    fn the_first_sentence_is_the_summary() {
        assert_eq!(first_sentence("Deletes a product."), "Deletes a product");
        assert_eq!(
            first_sentence("Search users. `q` matches inside names (e.g. `ann`)."),
            "Search users"
        );
        assert_eq!(first_sentence("One line\n\nMore."), "One line");
        assert_eq!(
            first_sentence("Ends the credential: the session; or the token."),
            "Ends the credential"
        );
    }
}
