//! The message files agree with each other and with what uses them: a
//! message missing from a language, or used but defined nowhere, fails here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};

use super::{Arg, Lang};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn files_under(dir: &Path, suffix: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, suffix, out);
        } else if path.to_string_lossy().ends_with(suffix) {
            out.push(path);
        }
    }
}

/// Message id → the variables its value uses, for one language.
fn messages(lang: Lang) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    files_under(
        &root().join("locales").join(lang.code()),
        ".ftl",
        &mut files,
    );
    assert!(!files.is_empty(), "no .ftl files for {}", lang.code());
    let mut messages = BTreeMap::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read .ftl");
        let resource = fluent_syntax::parser::parse(text.as_str())
            .unwrap_or_else(|(_, errors)| panic!("{}: {errors:?}", file.display()));
        for entry in resource.body {
            if let Entry::Message(message) = entry {
                let mut variables = BTreeSet::new();
                if let Some(value) = &message.value {
                    pattern_variables(value, &mut variables);
                }
                let id = message.id.name.to_owned();
                assert!(
                    messages.insert(id.clone(), variables).is_none(),
                    "{id} is defined twice in {}",
                    lang.code()
                );
            }
        }
    }
    messages
}

fn pattern_variables(pattern: &Pattern<&str>, out: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            expression_variables(expression, out);
        }
    }
}

fn expression_variables(expression: &Expression<&str>, out: &mut BTreeSet<String>) {
    match expression {
        Expression::Inline(inline) => inline_variables(inline, out),
        Expression::Select { selector, variants } => {
            inline_variables(selector, out);
            for variant in variants {
                pattern_variables(&variant.value, out);
            }
        }
    }
}

fn inline_variables(inline: &InlineExpression<&str>, out: &mut BTreeSet<String>) {
    match inline {
        InlineExpression::VariableReference { id } => {
            out.insert(id.name.to_owned());
        }
        InlineExpression::Placeable { expression } => expression_variables(expression, out),
        InlineExpression::FunctionReference { arguments, .. } => {
            for argument in &arguments.positional {
                inline_variables(argument, out);
            }
        }
        _ => {}
    }
}

/// Every message id the templates and the code name. Templates call
/// `t(key="id"…)`; code calls `.t("id")`, `.t_with("id"…)` or
/// `Msg::new("id"…)` with the id as a literal, so a scan finds them all.
fn used_ids() -> BTreeMap<String, PathBuf> {
    let mut files = Vec::new();
    files_under(&root().join("templates"), ".tera", &mut files);
    files_under(&root().join("mail_templates"), ".tera", &mut files);
    files_under(&root().join("src"), ".rs", &mut files);
    let mut used = BTreeMap::new();
    for file in files {
        if file.ends_with("i18n/tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("read source");
        for marker in ["t(key=\"", ".t(\"", ".t_with(\"", "Msg::new(\""] {
            for (at, _) in text.match_indices(marker) {
                // `get(key="…")` is Tera's, not ours.
                let before = text[..at].chars().next_back().unwrap_or(' ');
                if marker.starts_with('t') && (before.is_alphanumeric() || before == '_') {
                    continue;
                }
                let rest = &text[at + marker.len()..];
                let id: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
                if !id.is_empty() && rest[id.len()..].starts_with('"') {
                    used.insert(id, file.clone());
                }
            }
        }
    }
    used
}

#[test]
fn every_language_has_the_same_messages_with_the_same_arguments() {
    let english = messages(Lang::En);
    for lang in Lang::ALL {
        let other = messages(lang);
        let missing: Vec<_> = english
            .keys()
            .filter(|id| !other.contains_key(*id))
            .collect();
        let extra: Vec<_> = other
            .keys()
            .filter(|id| !english.contains_key(*id))
            .collect();
        assert!(
            missing.is_empty(),
            "missing in {}: {missing:?}",
            lang.code()
        );
        assert!(extra.is_empty(), "only in {}: {extra:?}", lang.code());
        for (id, variables) in &english {
            assert_eq!(
                Some(variables),
                other.get(id),
                "{id} takes other arguments in {}",
                lang.code()
            );
        }
    }
}

#[test]
fn every_message_used_is_defined() {
    let used = used_ids();
    assert!(used.len() > 10, "the scan found too few ids: {used:?}");
    for lang in Lang::ALL {
        let defined = messages(lang);
        for (id, file) in &used {
            assert!(
                defined.contains_key(id),
                "{id} (used in {}) is missing from locales/{}",
                file.display(),
                lang.code()
            );
        }
    }
}

#[test]
fn the_compiled_messages_are_the_files() {
    // Each language's own text, not the English fallback.
    assert_eq!(Lang::En.t("switcher-label"), "Language");
    assert_eq!(Lang::Es.t("switcher-label"), "Idioma");
    assert_eq!(Lang::Es.t("no-such-message"), "no-such-message");
}

#[test]
fn arguments_and_plurals_reach_the_text() {
    let greet = |lang: Lang| lang.t_with("nav-signed-in-as", &[("name", Arg::from("ana"))]);
    assert_eq!(greet(Lang::En), "Logged in as ana");
    assert_eq!(greet(Lang::Es), "Sesión iniciada como ana");
    let minutes = |lang: Lang, n: i64| lang.t_with("throttled-minutes", &[("minutes", n.into())]);
    assert_eq!(
        minutes(Lang::En, 1),
        "Too many failed attempts. Try again in 1 minute."
    );
    assert_eq!(
        minutes(Lang::Es, 3),
        "Demasiados intentos fallidos. Vuelve a intentarlo dentro de 3 minutos."
    );
}

#[test]
fn codes_round_trip() {
    for lang in Lang::ALL {
        assert_eq!(Lang::parse(lang.code()), Some(lang));
    }
    assert_eq!(Lang::parse("EN"), None);
    assert_eq!(Lang::parse(""), None);
}
