//! A deterministic fuzzer (no extra crates): an xorshift generator feeds
//! random, mutated and hostile strings to the domain parsers and the small
//! pure helpers at the request edge, then random JSON and url-encoded bodies
//! and query strings to every API write endpoint, form endpoint and list.
//!
//! Properties: no panic anywhere; every accepted value satisfies its type's
//! invariants and parses to itself again; no HTTP answer is a 5xx; every API
//! error is `application/problem+json` with a matching `status`.
//!
//! `PORTERO_FUZZ_SEED` (a number) changes the inputs; `PORTERO_FUZZ_SCALE`
//! (a number, default 1) multiplies the iteration counts for longer runs.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use portero::config::AppConfig;
use portero::domain::{
    Email, OptionalText, Password, PasswordContext, PersonName, Phone, ProductName, Role, Sku,
    Username, parse_description, parse_price_cents, parse_quantity, parse_stock,
};
use portero::routes::paging::Paging;
use portero::services::accounts::{NewAccount, ProfileInput};
use portero::services::catalog::ProductInput;
use rocket::http::{ContentType, Header, Method, Status};
use serde_json::{Map, Value, json};

use crate::helpers::{TestApp, csrf_from, percent_decode, spawn_app, urlencode};

/// xorshift64* (Vigna): tiny, fast, and plenty for input generation.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng((seed ^ 0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn seed() -> u64 {
    std::env::var("PORTERO_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EC0_7E57)
}

fn scale() -> usize {
    std::env::var("PORTERO_FUZZ_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
}

/// Characters that break naive code: controls, bidi and zero-width marks,
/// case-mapping oddities (İ, ß, ﬀ, final Σ), combining marks, separators,
/// and the metacharacters of SQL, LIKE, HTML, URLs and forms.
const SPECIALS: &[char] = &[
    '\0', '\u{7}', '\u{8}', '\u{1b}', '\u{7f}', '\u{85}', '\u{a0}', '\u{202e}', '\u{200b}',
    '\u{feff}', '\u{2028}', '\u{fffd}', 'İ', 'ı', 'ß', 'ﬀ', 'Σ', 'ς', '\u{301}', '😀', '\n', '\r',
    '\t', ' ', '%', '_', '\\', '\'', '"', '<', '>', '&', '@', '.', '-', '/', '?', '#', '=', '+',
    ';', ':', '[', ']', '{', '}', '$', '`', '|', '*', '~', '!', '(', ')', ',',
];

/// Realistic starting points, mutated to reach past the first checks.
const SEEDS: &[&str] = &[
    "alice",
    "Alice_01",
    "a.b-c",
    "a@b.co",
    "first.last+tag@mail.example.org",
    "x_y@sub-domain.example",
    "correct horse battery",
    "password",
    "Ñandú",
    "O'Brien-Núñez",
    "+34 600 123 456",
    "(555) 123-4567",
    "SKU-1",
    "tea_green.100",
    "12.50",
    "0.07",
    "999999999.99",
    "2026-11-27",
    "2026-11-27T10:00:00Z",
    "/account?tab=1",
    "//evil.example",
    "/\\evil",
    "https://evil.example",
    "user",
    "admin",
    "created_desc",
    "true",
    "on",
    "1",
    "-1",
    "9223372036854775807",
    "' OR 1=1 --",
    "%",
    "_",
    "\\",
    "<script>alert(1)</script>",
    "",
];

fn random_char(rng: &mut Rng) -> char {
    match rng.below(7) {
        0..=2 => (0x20 + rng.below(0x5f) as u8) as char,
        3 => rng.below(0x80) as u8 as char,
        4 => char::from_u32(0x80 + rng.below(0x780) as u32).unwrap_or('?'),
        5 => loop {
            if let Some(c) = char::from_u32(rng.below(0x11_0000) as u32) {
                break c;
            }
        },
        _ => *rng.pick(SPECIALS),
    }
}

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..=rng.below(4) {
        let at = rng.below(chars.len() + 1);
        match rng.below(8) {
            0 | 1 => chars.insert(at, random_char(rng)),
            2 if at < chars.len() => {
                chars.remove(at);
            }
            3 if at < chars.len() => chars[at] = random_char(rng),
            4 => {
                let copy = chars.clone();
                chars.extend(copy);
            }
            5 => chars = chars.iter().flat_map(|c| c.to_uppercase()).collect(),
            6 => {
                chars.insert(0, *rng.pick(&[' ', '\t', '\n', '\u{a0}']));
                chars.push(*rng.pick(&[' ', '\t', '\n', '\u{3000}']));
            }
            _ => chars.truncate(at),
        }
    }
    chars.into_iter().collect()
}

/// A random string of at most about `max_len` characters.
fn random_string(rng: &mut Rng, max_len: usize) -> String {
    if rng.chance(35) {
        let seed = *rng.pick(SEEDS);
        return mutate(rng, seed);
    }
    let len = match rng.below(100) {
        0..=54 => rng.below(12),
        55..=79 => rng.below(64),
        80..=91 => 64 + rng.below(336),
        _ => 400 + rng.below(max_len.saturating_sub(400).max(1)),
    }
    .min(max_len);
    let repeat = rng.chance(10).then(|| random_char(rng));
    (0..len)
        .map(|_| repeat.unwrap_or_else(|| random_char(rng)))
        .collect()
}

fn random_i64(rng: &mut Rng) -> i64 {
    match rng.below(8) {
        0 => *rng.pick(&[0, 1, -1, i64::MAX, i64::MIN, 1000, 1001, 100_000_001]),
        1 => rng.next_u64() as i64,
        2 => -(rng.below(1000) as i64),
        3 => rng.below(10) as i64 + 1,
        _ => rng.below(2000) as i64,
    }
}

fn short(text: &str) -> String {
    let mut out: String = text.chars().take(160).collect();
    if out.len() < text.len() {
        out.push_str(&format!("… ({} bytes)", text.len()));
    }
    out.escape_debug().to_string()
}

/// `Some(reason)` when an accepted value breaks its type's invariants.
fn check_domain(rng: &mut Rng, s: &str, t: &str) -> Option<String> {
    let fail = |what: &str| Some(format!("{what} for {}", short(s)));
    if let Ok(name) = Username::parse(s) {
        let text = name.as_str();
        let len = text.chars().count();
        if !(3..=32).contains(&len)
            || !text
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(c))
        {
            return fail("Username accepted a bad name");
        }
        if Username::parse(text).as_ref() != Ok(&name) {
            return fail("Username does not parse to itself");
        }
    }
    if let Ok(email) = Email::parse(s) {
        let text = email.as_str();
        if text.len() > 254
            || text.matches('@').count() != 1
            || text.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return fail("Email accepted a bad address");
        }
        if Email::parse(text).as_ref() != Ok(&email) {
            return fail("Email does not parse to itself");
        }
    }
    let context = PasswordContext {
        username: Some(t),
        email: rng.chance(50).then_some(s),
    };
    if let Ok(password) = Password::parse(s, context) {
        let len = password.expose().chars().count();
        if !(8..=128).contains(&len) || password.expose() != s {
            return fail("Password accepted a bad length or changed the secret");
        }
        if t.trim().to_lowercase() == s.to_lowercase() {
            return fail("Password accepted the username");
        }
        if format!("{password:?}").contains(s) && s.len() > 8 {
            return fail("Password's Debug shows the secret");
        }
    }
    if let Ok(name) = PersonName::parse(s) {
        let text = name.as_str();
        let len = text.chars().count();
        if !(1..=64).contains(&len) || text != text.trim() || text.chars().any(char::is_control) {
            return fail("PersonName accepted a bad name");
        }
        if PersonName::parse(text).as_ref() != Ok(&name) {
            return fail("PersonName does not parse to itself");
        }
    }
    let max = rng.below(300);
    match OptionalText::parse(Some(s), max).map(OptionalText::into_inner) {
        Ok(None) if !s.trim().is_empty() => return fail("OptionalText dropped text"),
        Ok(Some(text))
            if text.chars().count() > max
                || text != text.trim()
                || text
                    .chars()
                    .any(|c| c.is_control() && c != '\n' && c != '\r') =>
        {
            return fail("OptionalText accepted bad text");
        }
        _ => {}
    }
    if let Ok(Some(phone)) = Phone::parse(Some(s)).map(Phone::into_inner) {
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        if phone.len() > 32
            || digits < 5
            || !phone
                .chars()
                .all(|c| c.is_ascii_digit() || " -().+".contains(c))
        {
            return fail("Phone accepted a bad number");
        }
    }
    if let Ok(sku) = Sku::parse(s).map(Sku::into_inner) {
        if sku.is_empty()
            || sku.len() > 32
            || !sku
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || "-_.".contains(c))
        {
            return fail("Sku accepted a bad SKU");
        }
        if Sku::parse(&sku).map(Sku::into_inner).as_ref() != Ok(&sku) {
            return fail("Sku does not parse to itself");
        }
    }
    if let Ok(name) = ProductName::parse(s).map(ProductName::into_inner) {
        let len = name.chars().count();
        if !(1..=120).contains(&len) || name.chars().any(char::is_control) {
            return fail("ProductName accepted a bad name");
        }
    }
    if let Ok(text) = parse_description(s)
        && text.chars().count() > 2000
    {
        return fail("parse_description accepted a long text");
    }
    if let Ok(role) = s.parse::<Role>()
        && role.as_str() != s
    {
        return fail("Role parsed loosely");
    }
    if let Some(sort) = portero::db::users::UserSort::parse(s)
        && sort.as_str() != s
    {
        return fail("UserSort parsed loosely");
    }
    let _ = portero::routes::paging::parse_instant(s);
    if let Ok(cents) = portero::routes::pages::admin_catalog::parse_money(s)
        && !(0..100_000_000_000).contains(&cents)
    {
        return fail("parse_money gave an impossible amount");
    }
    let next = portero::routes::pages::safe_next(Some(s), "/fallback");
    if next != "/fallback"
        && (next != s
            || !next.starts_with('/')
            || next.starts_with("//")
            || next.contains('\\')
            || next.chars().any(char::is_control))
    {
        return fail(&format!("safe_next let {next:?} through"));
    }
    if let Some(reason) = check_like_prefix(s) {
        return fail(&reason);
    }
    let encoded = portero::routes::pages::view::query_value(s);
    if !encoded
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.~*+%".contains(c))
        || percent_decode(&encoded) != s
    {
        return fail("query_value does not round-trip");
    }
    if portero::auth::throttle::account_key(None, s) != format!("login:{s}") {
        return fail("account_key");
    }
    None
}

/// `like_prefix` escapes every wildcard and keeps the text.
fn check_like_prefix(s: &str) -> Option<String> {
    let pattern = portero::db::like_prefix(s);
    let Some(body) = pattern.strip_suffix('%') else {
        return Some("like_prefix lost its final %".into());
    };
    let mut literal = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(escaped) => literal.push(escaped),
                None => return Some("like_prefix ends in a lone escape".into()),
            },
            '%' | '_' => return Some("like_prefix left a wildcard unescaped".into()),
            c => literal.push(c),
        }
    }
    // NUL is the one character replaced (PostgreSQL refuses it in text).
    (literal != s.replace('\0', "\u{FFFD}")).then(|| "like_prefix changed the text".into())
}

/// Numbers and compound validators.
fn check_numbers_and_records(rng: &mut Rng, s: &str, t: &str) -> Option<String> {
    let n = random_i64(rng);
    if parse_price_cents(n).is_ok() != (0..=100_000_000).contains(&n)
        || parse_stock(n).is_ok() != (0..=1_000_000_000).contains(&n)
        || parse_quantity(n).is_ok() != (1..=1000).contains(&n)
    {
        return Some(format!("number bounds for {n}"));
    }
    let money = portero::routes::pages::view::amount_for_input(n);
    if (0..100_000_000_000).contains(&n)
        && portero::routes::pages::admin_catalog::parse_money(&money) != Ok(n)
    {
        return Some(format!("money/parse_money round trip for {n}"));
    }
    let config = AppConfig::default();
    let (page, per_page) = (random_i64(rng), random_i64(rng));
    if let Ok(paging) = Paging::parse(Some(page), Some(per_page), &config)
        && (!(1..=config.max_page).contains(&paging.page)
            || !(1..=config.max_per_page).contains(&paging.per_page)
            || paging.offset() < 0)
    {
        return Some(format!("Paging accepted page {page}, per_page {per_page}"));
    }
    let pick = |rng: &mut Rng| if rng.chance(50) { s } else { t };
    let account = NewAccount {
        username: pick(rng),
        email: pick(rng),
        password: pick(rng),
        first_name: pick(rng),
        last_name: pick(rng),
        address: rng.chance(50).then(|| pick(rng)),
        phone: rng.chance(50).then(|| pick(rng)),
    };
    let _ = portero::services::accounts::validate_new_account(&account, Role::User, true);
    let profile = ProfileInput {
        email: rng.chance(50).then(|| s.to_owned()),
        first_name: rng.chance(50).then(|| t.to_owned()),
        last_name: rng.chance(50).then(|| s.to_owned()),
        address: rng.chance(50).then(|| rng.chance(50).then(|| t.to_owned())),
        phone: rng.chance(50).then(|| rng.chance(50).then(|| s.to_owned())),
        time_zone: rng.chance(50).then(|| t.to_owned()),
    };
    let _ = portero::services::accounts::validate_profile(&profile);
    let product = ProductInput {
        sku: rng.chance(70).then(|| s.to_owned()),
        name: rng.chance(70).then(|| t.to_owned()),
        description: rng.chance(50).then(|| s.to_owned()),
        price_cents: rng.chance(70).then(|| random_i64(rng)),
        stock: rng.chance(70).then(|| random_i64(rng)),
        is_active: rng.chance(50).then(|| rng.chance(50)),
    };
    let _ = portero::services::catalog::validate(&product);
    let line_count = if rng.chance(10) { 150 } else { 6 };
    let lines: Vec<(i64, i64)> = (0..rng.below(line_count))
        .map(|_| (random_i64(rng), random_i64(rng)))
        .collect();
    if let Ok(order) = portero::services::sales::validate_order(&lines) {
        let mut seen = std::collections::BTreeSet::new();
        if order.is_empty()
            || order.len() > 100
            || order.iter().any(|line| {
                line.product_id <= 0
                    || !(1..=1000).contains(&line.quantity)
                    || !seen.insert(line.product_id)
            })
        {
            return Some(format!("validate_order accepted {lines:?}"));
        }
    }
    None
}

#[test]
fn domain_parsers_never_panic_and_keep_their_invariants() {
    let mut rng = Rng::new(seed());
    let iterations = 6_000 * scale();
    let mut inputs: Vec<String> = SEEDS.iter().map(|s| (*s).to_owned()).collect();
    inputs.extend((0..iterations).map(|_| random_string(&mut rng, 20_000)));
    let mut failures = Vec::new();
    for (i, s) in inputs.iter().enumerate() {
        let t = inputs[(i * 7919) % inputs.len()].clone();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            check_domain(&mut rng, s, &t).or_else(|| check_numbers_and_records(&mut rng, s, &t))
        }));
        match outcome {
            Ok(None) => {}
            Ok(Some(reason)) => failures.push(reason),
            Err(panic) => {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default();
                failures.push(format!("panic {message:?} for {}", short(s)));
            }
        }
        if failures.len() >= 20 {
            break;
        }
    }
    assert!(failures.is_empty(), "seed {}: {failures:#?}", seed());
}

// ---------------------------------------------------------------------------
// HTTP

#[derive(Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    User,
    Admin,
}

#[derive(Clone, Copy)]
enum Kind {
    Text,
    NullableText,
    Int,
    Bool,
    Role,
    Items,
}

fn random_number(rng: &mut Rng) -> Value {
    match rng.below(6) {
        0 => json!(u64::MAX),
        1 => json!(*rng.pick(&[1e300, -0.0, 0.5, -1.5e-9])),
        _ => json!(random_i64(rng)),
    }
}

fn random_json(rng: &mut Rng, depth: usize) -> Value {
    match rng.below(if depth == 0 { 5 } else { 7 }) {
        0 => Value::Null,
        1 => json!(rng.chance(50)),
        2 => random_number(rng),
        3 | 4 => json!(random_string(rng, 2_000)),
        5 => Value::Array(
            (0..rng.below(5))
                .map(|_| random_json(rng, depth - 1))
                .collect(),
        ),
        _ => {
            let mut map = Map::new();
            for _ in 0..rng.below(5) {
                map.insert(random_string(rng, 20), random_json(rng, depth - 1));
            }
            Value::Object(map)
        }
    }
}

fn field_value(rng: &mut Rng, kind: Kind, ids: &[i64]) -> Value {
    if rng.chance(15) {
        return random_json(rng, 2);
    }
    match kind {
        Kind::Text => json!(random_string(rng, 3_000)),
        Kind::NullableText if rng.chance(20) => Value::Null,
        Kind::NullableText => json!(random_string(rng, 3_000)),
        Kind::Int => random_number(rng),
        Kind::Bool => json!(rng.chance(50)),
        Kind::Role => json!(*rng.pick(&["user", "admin", "root", "Admin", ""])),
        Kind::Items => {
            let most = if rng.chance(5) { 120 } else { 5 };
            Value::Array(
            (0..rng.below(most))
                .map(|_| {
                    let mut line = json!({
                        "product_id": if rng.chance(70) { json!(*rng.pick(ids)) } else { random_number(rng) },
                        "quantity": if rng.chance(60) { json!(rng.below(4) as i64 + 1) } else { random_number(rng) },
                    });
                    if rng.chance(5) {
                        line["extra"] = random_json(rng, 1);
                    }
                    line
                })
                .collect(),
            )
        }
    }
}

fn json_body(rng: &mut Rng, fields: &[(&str, Kind)], ids: &[i64]) -> String {
    match rng.below(100) {
        0..=69 => {
            let mut map = Map::new();
            for (name, kind) in fields {
                if rng.chance(75) {
                    map.insert((*name).to_owned(), field_value(rng, *kind, ids));
                }
            }
            if rng.chance(10) {
                map.insert(random_string(rng, 12), random_json(rng, 1));
            }
            Value::Object(map).to_string()
        }
        70..=79 => random_json(rng, 3).to_string(),
        80..=89 => {
            let mut text = json!({ "login": random_string(rng, 50) }).to_string();
            let mut cut = rng.below(text.len() + 1);
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
            text.push_str(&random_string(rng, 20));
            text
        }
        90..=94 => String::new(),
        _ => {
            let depth = 50 + rng.below(3_000);
            format!("{}{}", "[".repeat(depth), "]".repeat(depth))
        }
    }
}

/// The tally of a fuzzing run, for the failure message and the log.
#[derive(Default)]
struct Tally {
    statuses: BTreeMap<u16, usize>,
    failures: Vec<String>,
}

impl Tally {
    fn record(&mut self, status: Status) {
        *self.statuses.entry(status.code).or_default() += 1;
    }

    fn fail(&mut self, message: String) {
        if self.failures.len() < 25 {
            self.failures.push(message);
        }
    }
}

/// Checks an API answer: never 5xx; errors are problem documents.
async fn check_api_answer(
    tally: &mut Tally,
    what: String,
    response: rocket::local::asynchronous::LocalResponse<'_>,
) {
    let status = response.status();
    tally.record(status);
    let content_type = response
        .content_type()
        .map(|ct| ct.to_string())
        .unwrap_or_default();
    let text = response.into_string().await.unwrap_or_default();
    if status.code >= 500 {
        tally.fail(format!("{what} -> {status}: {}", short(&text)));
    } else if status.code >= 400 {
        let body: Option<Value> = serde_json::from_str(&text).ok();
        let matches = body
            .as_ref()
            .is_some_and(|b| b["status"] == json!(status.code) && b["detail"].is_string());
        if !content_type.starts_with("application/problem+json") || !matches {
            tally.fail(format!(
                "{what} -> {status} as {content_type:?}: {}",
                short(&text)
            ));
        }
    }
}

/// Three clients on one application: an administrator, a user and an
/// anonymous visitor, plus ids to aim at.
struct Target {
    app: TestApp,
    user: TestApp,
    anonymous: TestApp,
    victims: Vec<i64>,
    products: Vec<i64>,
    sales: Vec<i64>,
}

async fn target() -> Target {
    let app = spawn_app().await;
    app.login_admin("fuzzadmin").await;
    let user = app.other_browser().await;
    user.login_user("fuzzuser").await;
    let anonymous = app.other_browser().await;
    let mut victims = Vec::new();
    for i in 0..8 {
        victims.push(app.create_user(&format!("victim{i}"), Role::User).await);
    }
    let mut products = Vec::new();
    for i in 0..3 {
        let (status, product) = app
            .post_json(
                "/api/products",
                &json!({ "sku": format!("FUZZ-{i}"), "name": format!("Fuzz {i}"), "price_cents": 250, "stock": 100_000 }),
            )
            .await;
        assert_eq!(status, Status::Created, "{product}");
        products.push(product["id"].as_i64().expect("product id"));
    }
    let (status, sale) = user
        .post_json(
            "/api/sales",
            &json!({ "items": [{ "product_id": products[0], "quantity": 1 }] }),
        )
        .await;
    assert_eq!(status, Status::Created, "{sale}");
    let sales = vec![sale["id"].as_i64().expect("sale id")];
    Target {
        app,
        user,
        anonymous,
        victims,
        products,
        sales,
    }
}

impl Target {
    fn client(&self, who: Who) -> &TestApp {
        match who {
            Who::Anonymous => &self.anonymous,
            Who::User => &self.user,
            Who::Admin => &self.app,
        }
    }

    /// A path segment for an id: usually a real one, sometimes nonsense.
    fn id(&self, rng: &mut Rng, real: &[i64]) -> String {
        match rng.below(10) {
            0 => (*rng.pick(&[
                "0",
                "-1",
                "abc",
                "1e3",
                "99999999999999999999",
                "%00",
                "9223372036854775807",
            ]))
            .to_owned(),
            1 => "424242".to_owned(),
            _ => rng.pick(real).to_string(),
        }
    }

    /// A session id that is never one of the fuzzing clients' own.
    fn foreign_session(&self, rng: &mut Rng) -> String {
        (*rng.pick(&["0", "-7", "999999", "9223372036854775807", "x"])).to_owned()
    }
}

const PROFILE: &[(&str, Kind)] = &[
    ("email", Kind::Text),
    ("first_name", Kind::Text),
    ("last_name", Kind::Text),
    ("address", Kind::NullableText),
    ("phone", Kind::NullableText),
];

const ACCOUNT: &[(&str, Kind)] = &[
    ("username", Kind::Text),
    ("email", Kind::Text),
    ("password", Kind::Text),
    ("first_name", Kind::Text),
    ("last_name", Kind::Text),
    ("address", Kind::NullableText),
    ("phone", Kind::NullableText),
    ("role", Kind::Role),
];

const PRODUCT: &[(&str, Kind)] = &[
    ("sku", Kind::Text),
    ("name", Kind::Text),
    ("description", Kind::Text),
    ("price_cents", Kind::Int),
    ("stock", Kind::Int),
    ("is_active", Kind::Bool),
];

#[rocket::async_test]
async fn api_writes_never_answer_5xx() {
    let target = target().await;
    let mut rng = Rng::new(seed() ^ 0xA11);
    let mut tally = Tally::default();
    let ids = target.products.clone();
    let user_patch: Vec<(&str, Kind)> = PROFILE
        .iter()
        .copied()
        .chain([
            ("role", Kind::Role),
            ("is_active", Kind::Bool),
            ("email_verified", Kind::Bool),
        ])
        .collect();
    for _ in 0..450 * scale() {
        let (method, path, fields, who): (Method, String, &[(&str, Kind)], Who) =
            match rng.below(15) {
                0 => (
                    Method::Post,
                    "/api/auth/signup".into(),
                    &ACCOUNT[..7],
                    Who::Anonymous,
                ),
                1 => (
                    Method::Post,
                    "/api/auth/login".into(),
                    &[("login", Kind::Text), ("password", Kind::Text)],
                    Who::Anonymous,
                ),
                2 => (Method::Post, "/api/auth/logout".into(), &[], Who::Anonymous),
                3 => (Method::Patch, "/api/me".into(), PROFILE, Who::User),
                4 => (
                    Method::Put,
                    "/api/me/password".into(),
                    &[
                        ("current_password", Kind::Text),
                        ("new_password", Kind::Text),
                    ],
                    Who::User,
                ),
                5 => (
                    Method::Delete,
                    format!("/api/me/sessions/{}", target.foreign_session(&mut rng)),
                    &[],
                    Who::User,
                ),
                6 => (Method::Post, "/api/users".into(), ACCOUNT, Who::Admin),
                7 => (
                    Method::Patch,
                    format!("/api/users/{}", target.id(&mut rng, &target.victims)),
                    user_patch.as_slice(),
                    Who::Admin,
                ),
                8 => (
                    Method::Delete,
                    format!("/api/users/{}", target.id(&mut rng, &target.victims)),
                    &[],
                    Who::Admin,
                ),
                9 => (
                    Method::Delete,
                    format!(
                        "/api/users/{}/sessions",
                        target.id(&mut rng, &target.victims)
                    ),
                    &[],
                    Who::Admin,
                ),
                10 => (Method::Post, "/api/products".into(), PRODUCT, Who::Admin),
                11 => (
                    Method::Patch,
                    format!("/api/products/{}", target.id(&mut rng, &ids)),
                    PRODUCT,
                    Who::Admin,
                ),
                12 => (
                    Method::Delete,
                    format!("/api/products/{}", target.id(&mut rng, &ids)),
                    &[],
                    Who::Admin,
                ),
                13 => (
                    Method::Post,
                    "/api/sales".into(),
                    &[("items", Kind::Items)],
                    Who::User,
                ),
                _ => (
                    Method::Post,
                    "/api/sales".into(),
                    &[("items", Kind::Items)],
                    Who::Admin,
                ),
            };
        let body = json_body(&mut rng, fields, &ids);
        let what = format!("{method} {path} {}", short(&body));
        let mut request = target.client(who).client.req(method, path).body(body);
        request = match rng.below(20) {
            0 => request,
            1 => request.header(ContentType::Text),
            2 => request.header(ContentType::Form),
            _ => request.header(ContentType::JSON),
        };
        if rng.chance(5) {
            request = request.header(Header::new("Origin", "https://evil.example"));
        }
        let response = request.dispatch().await;
        check_api_answer(&mut tally, what, response).await;
    }
    eprintln!(
        "fuzz api_writes: seed {} statuses {:?}",
        seed(),
        tally.statuses
    );
    assert!(tally.failures.is_empty(), "{:#?}", tally.failures);
    // The fuzzing clients kept their sessions (the run reached the handlers).
    assert_eq!(target.app.me_status().await, Status::Ok);
    assert_eq!(target.user.me_status().await, Status::Ok);
}

fn form_value(rng: &mut Rng, name: &str, token: &str) -> String {
    match name {
        "csrf_token" if rng.chance(85) => token.to_owned(),
        "is_active" | "email_verified" => (*rng.pick(&[
            "on", "true", "false", "off", "yes", "no", "1", "0", "", "maybe",
        ]))
        .to_owned(),
        "role" if rng.chance(60) => (*rng.pick(&["user", "admin", "root", ""])).to_owned(),
        _ => random_string(rng, 3_000),
    }
}

/// A url-encoded form body: the given fields (mostly), extras, duplicates
/// and the odd piece of broken encoding.
fn form_body(rng: &mut Rng, fields: &[&str], token: &str, products: &[i64]) -> String {
    let mut pairs: Vec<String> = Vec::new();
    for name in fields {
        if rng.chance(85) {
            let value = form_value(rng, name, token);
            pairs.push(format!("{}={}", urlencode(name), urlencode(&value)));
            if rng.chance(5) {
                pairs.push(format!("{}={}", urlencode(name), urlencode(&value)));
            }
        }
    }
    if fields.contains(&"qty") {
        pairs.retain(|p| !p.starts_with("qty="));
        for _ in 0..rng.below(4) {
            let key = if rng.chance(80) {
                format!("qty[{}]", rng.pick(products))
            } else {
                format!(
                    "qty[{}]",
                    rng.pick(&["-1", "abc", "99999999999999999999", "", "1][2"])
                )
            };
            let value = if rng.chance(60) {
                (rng.below(3) + 1).to_string()
            } else {
                random_string(rng, 30)
            };
            pairs.push(format!("{}={}", urlencode(&key), urlencode(&value)));
        }
    }
    if rng.chance(15) {
        pairs.push(format!(
            "{}={}",
            urlencode(&random_string(rng, 20)),
            urlencode(&random_string(rng, 50))
        ));
    }
    if rng.chance(8) {
        pairs.push(
            (*rng.pick(&[
                "%",
                "%zz",
                "a=%FF%FE",
                "&&&",
                "=x",
                "a[",
                "a]=1",
                "csrf_token",
                "x=%",
                "first_name=%C3%28",
                "name=a%00b",
            ]))
            .to_owned(),
        );
    }
    // Shuffle a little: order must not matter.
    for i in (1..pairs.len()).rev() {
        let j = rng.below(i + 1);
        pairs.swap(i, j);
    }
    pairs.join("&")
}

/// The CSRF token of whatever page of `client` carries one.
async fn any_csrf(client: &TestApp) -> String {
    for path in ["/login", "/account", "/"] {
        let html = client
            .get(path)
            .await
            .into_string()
            .await
            .unwrap_or_default();
        if let Some(token) = csrf_from(&html) {
            return token;
        }
    }
    String::new()
}

#[rocket::async_test]
async fn forms_never_answer_5xx() {
    let target = target().await;
    let mut rng = Rng::new(seed() ^ 0xF0F);
    let mut tally = Tally::default();
    let mut anonymous_token = any_csrf(&target.anonymous).await;
    let user_token = any_csrf(&target.user).await;
    let admin_token = any_csrf(&target.app).await;
    const PRODUCT_FORM: &[&str] = &[
        "sku",
        "name",
        "description",
        "price",
        "stock",
        "is_active",
        "csrf_token",
    ];
    for _ in 0..450 * scale() {
        let victim = target.id(&mut rng, &target.victims);
        let product = target.id(&mut rng, &target.products);
        let (path, fields, who): (String, &[&str], Who) = match rng.below(16) {
            0 => (
                "/signup".into(),
                &[
                    "username",
                    "email",
                    "first_name",
                    "last_name",
                    "password",
                    "password_confirm",
                    "csrf_token",
                ],
                Who::Anonymous,
            ),
            1 => (
                "/login".into(),
                &["login", "password", "next", "csrf_token"],
                Who::Anonymous,
            ),
            2 => ("/logout".into(), &["csrf_token"], Who::Anonymous),
            3 => (
                "/account".into(),
                &[
                    "email",
                    "first_name",
                    "last_name",
                    "address",
                    "phone",
                    "csrf_token",
                ],
                Who::User,
            ),
            4 => (
                "/account/password".into(),
                &[
                    "current_password",
                    "new_password",
                    "new_password_confirm",
                    "csrf_token",
                ],
                Who::User,
            ),
            5 => (
                format!(
                    "/account/sessions/{}/revoke",
                    target.foreign_session(&mut rng)
                ),
                &["csrf_token"],
                Who::User,
            ),
            6 => (
                "/account/sessions/revoke-others".into(),
                &["csrf_token"],
                Who::User,
            ),
            7 => ("/sales".into(), &["qty", "csrf_token"], Who::User),
            8 => (
                format!("/admin/users/{victim}"),
                &[
                    "email",
                    "first_name",
                    "last_name",
                    "address",
                    "phone",
                    "role",
                    "is_active",
                    "email_verified",
                    "csrf_token",
                ],
                Who::Admin,
            ),
            9 => (
                format!("/admin/users/{victim}/sessions/revoke-all"),
                &["csrf_token"],
                Who::Admin,
            ),
            10 => (
                format!(
                    "/admin/users/{victim}/sessions/{}/revoke",
                    target.foreign_session(&mut rng)
                ),
                &["csrf_token"],
                Who::Admin,
            ),
            11 => (
                format!("/admin/users/{victim}/delete"),
                &["csrf_token"],
                Who::Admin,
            ),
            12 => ("/admin/products/new".into(), PRODUCT_FORM, Who::Admin),
            13 => (
                format!("/admin/products/{product}"),
                PRODUCT_FORM,
                Who::Admin,
            ),
            14 => (
                format!("/admin/products/{product}/delete"),
                &["csrf_token"],
                Who::Admin,
            ),
            _ => ("/sales".into(), &["qty", "csrf_token"], Who::Admin),
        };
        let token = match who {
            Who::Anonymous => anonymous_token.as_str(),
            Who::User => user_token.as_str(),
            Who::Admin => admin_token.as_str(),
        };
        let body = form_body(&mut rng, fields, token, &target.products);
        let what = format!("POST {path} {}", short(&body));
        let mut request = target.client(who).client.post(path.clone()).body(body);
        request = match rng.below(20) {
            0 => request,
            1 => request.header(ContentType::JSON),
            _ => request.header(ContentType::Form),
        };
        let response = request.dispatch().await;
        let status = response.status();
        tally.record(status);
        if status.code >= 500 {
            let text = response.into_string().await.unwrap_or_default();
            tally.fail(format!("{what} -> {status}: {}", short(&text)));
        } else {
            drop(response);
        }
        // A fuzzed sign-up or login may have logged the visitor in (or out).
        if who == Who::Anonymous && (200..400).contains(&status.code) {
            anonymous_token = any_csrf(&target.anonymous).await;
        }
    }
    eprintln!("fuzz forms: seed {} statuses {:?}", seed(), tally.statuses);
    assert!(tally.failures.is_empty(), "{:#?}", tally.failures);
    assert_eq!(target.app.me_status().await, Status::Ok);
    assert_eq!(target.user.me_status().await, Status::Ok);
}

fn query_value(rng: &mut Rng) -> String {
    if rng.chance(10) {
        (*rng.pick(&[
            "%", "%zz", "%FF%FE", "%00", "a%2", "+", "%2B", "&", "=", "%C3%28",
        ]))
        .to_owned()
    } else {
        urlencode(&random_string(rng, 400))
    }
}

#[rocket::async_test]
async fn list_queries_never_answer_5xx() {
    let target = target().await;
    let mut rng = Rng::new(seed() ^ 0x9E7);
    let mut tally = Tally::default();
    let lists: &[(&str, &[&str], Who)] = &[
        (
            "/api/users",
            &["q", "role", "active", "sort", "page", "per_page"],
            Who::Admin,
        ),
        (
            "/api/products",
            &["q", "page", "per_page", "include_inactive"],
            Who::Admin,
        ),
        (
            "/api/products",
            &["q", "page", "per_page", "include_inactive"],
            Who::Anonymous,
        ),
        (
            "/api/sales",
            &["user_id", "from", "to", "page", "per_page"],
            Who::Admin,
        ),
        (
            "/api/sales",
            &["user_id", "from", "to", "page", "per_page"],
            Who::User,
        ),
        ("/api/me/sessions", &["page", "per_page"], Who::User),
        (
            "/admin/users",
            &[
                "q", "role", "active", "verified", "sort", "page", "per_page",
            ],
            Who::Admin,
        ),
        (
            "/admin/audit",
            &["actor", "action", "from", "to", "page"],
            Who::Admin,
        ),
        (
            "/admin/sales",
            &["user", "from", "to", "sort", "page"],
            Who::Admin,
        ),
        ("/admin/products", &["q", "page"], Who::Admin),
        ("/products", &["q", "page"], Who::Anonymous),
        ("/sales", &["from", "to", "sort", "page"], Who::User),
        ("/login", &["next"], Who::Anonymous),
    ];
    let sale = target.sales[0];
    for _ in 0..350 * scale() {
        let (list, params, who) = *rng.pick(lists);
        let mut pairs = Vec::new();
        for name in params {
            if rng.chance(60) {
                let value = match *name {
                    "page" | "per_page" | "user_id" if rng.chance(50) => {
                        random_i64(&mut rng).to_string()
                    }
                    "from" | "to" if rng.chance(50) => (*rng.pick(&[
                        "2026-11-27",
                        "2026-02-30",
                        "0000-01-01",
                        "2026-11-27T10:00:00Z",
                    ]))
                    .to_owned(),
                    _ => query_value(&mut rng),
                };
                pairs.push(format!("{name}={value}"));
            }
        }
        let path = if pairs.is_empty() {
            list.to_owned()
        } else {
            format!("{list}?{}", pairs.join("&"))
        };
        let response = target.client(who).get(&path).await;
        let what = format!("GET {}", short(&path));
        if list.starts_with("/api") {
            check_api_answer(&mut tally, what, response).await;
        } else {
            let status = response.status();
            tally.record(status);
            if status.code >= 500 {
                tally.fail(format!("{what} -> {status}"));
            }
        }
    }
    // Single records by odd ids.
    for _ in 0..60 * scale() {
        let id = target.id(&mut rng, &[sale]);
        for (path, who) in [
            (format!("/api/sales/{id}"), Who::User),
            (format!("/api/users/{id}"), Who::User),
            (format!("/api/products/{id}"), Who::Anonymous),
            (format!("/sales/{id}"), Who::Admin),
            (format!("/products/{id}"), Who::Anonymous),
            (format!("/admin/users/{id}"), Who::Admin),
        ] {
            let response = target.client(who).get(&path).await;
            if path.starts_with("/api") {
                check_api_answer(&mut tally, format!("GET {path}"), response).await;
            } else if response.status().code >= 500 {
                tally.fail(format!("GET {path} -> {}", response.status()));
            }
        }
    }
    eprintln!(
        "fuzz queries: seed {} statuses {:?}",
        seed(),
        tally.statuses
    );
    assert!(tally.failures.is_empty(), "{:#?}", tally.failures);
}
