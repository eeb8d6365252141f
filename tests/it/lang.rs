//! Languages (issue 17): which language a page is written in, and the
//! switcher that changes it.

use portero::domain::Role;
use rocket::http::{Cookie, Header, Status};

use crate::helpers::*;

const LANG_COOKIE: &str = "portero_lang";

async fn page_in(app: &TestApp, path: &str, accept: Option<&str>) -> String {
    let mut request = app.client.get(path.to_owned());
    if let Some(accept) = accept {
        request = request.header(Header::new("Accept-Language", accept.to_owned()));
    }
    let response = request.dispatch().await;
    assert_eq!(response.status(), Status::Ok, "{path}");
    response.into_string().await.unwrap_or_default()
}

fn html_lang(html: &str) -> &str {
    let start = html.find("<html lang=\"").map(|at| at + 12).unwrap_or(0);
    let end = html[start..].find('"').map_or(start, |len| start + len);
    &html[start..end]
}

async fn switch_to(app: &TestApp, lang: &str, next: &str) -> (Status, Option<String>) {
    let token = app.page_csrf("/login").await;
    let response = app
        .post_form(
            "/language",
            &[("csrf_token", &token), ("lang", lang), ("next", next)],
        )
        .await;
    (response.status(), location(&response))
}

async fn stored_locale(app: &TestApp, username: &str) -> Option<String> {
    let mut conn = app.conn().await;
    portero::db::users::find_by_username(&mut conn, username)
        .await
        .expect("read user")
        .and_then(|user| user.locale)
}

#[rocket::async_test]
async fn accept_language_picks_the_page_language_with_quality_values() {
    let app = spawn_app().await;
    let english = page_in(&app, "/login", None).await;
    assert_eq!(html_lang(&english), "en");
    assert!(english.contains(">Products</a>"), "English navigation");
    let spanish = page_in(&app, "/login", Some("en;q=0.4, es-ES;q=0.9")).await;
    assert_eq!(html_lang(&spanish), "es");
    assert!(spanish.contains(">Productos</a>"), "Spanish navigation");
    let refused = page_in(&app, "/login", Some("es;q=0, fr")).await;
    assert_eq!(html_lang(&refused), "en");
}

#[rocket::async_test]
async fn the_switcher_is_a_plain_form_on_every_page() {
    let app = spawn_app().await;
    for path in ["/", "/login", "/signup", "/products"] {
        let html = unescape(&page_in(&app, path, None).await);
        assert!(
            html.contains("action=\"/language\""),
            "{path} has no switcher"
        );
        assert!(html.contains("name=\"lang\" value=\"es\""), "{path}");
        assert!(
            html.contains(&format!("name=\"next\" value=\"{path}\"")),
            "{path} comes back to itself"
        );
    }
}

#[rocket::async_test]
async fn the_switcher_sets_a_cookie_that_outranks_accept_language() {
    let app = spawn_app().await;
    let (status, next) = switch_to(&app, "es", "/products?page=1").await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(next.as_deref(), Some("/products?page=1"));
    assert_eq!(
        app.client
            .cookies()
            .get(LANG_COOKIE)
            .map(|c| c.value().to_owned()),
        Some("es".to_owned())
    );
    let html = page_in(&app, "/login", Some("en")).await;
    assert_eq!(html_lang(&html), "es");
    // And back.
    switch_to(&app, "en", "/").await;
    assert_eq!(html_lang(&page_in(&app, "/login", Some("es")).await), "en");
}

#[rocket::async_test]
async fn the_switcher_ignores_unknown_languages_and_foreign_destinations() {
    let app = spawn_app().await;
    let (status, next) = switch_to(&app, "fr", "/login").await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(next.as_deref(), Some("/login"));
    assert!(app.client.cookies().get(LANG_COOKIE).is_none());
    let (_, next) = switch_to(&app, "es", "https://evil.example/").await;
    assert_eq!(next.as_deref(), Some("/"));
    // Without the form's token nothing changes.
    let other = app.other_browser().await;
    let response = other
        .post_form("/language", &[("lang", "es"), ("next", "/")])
        .await;
    assert_eq!(response.status(), Status::Forbidden);
    assert!(other.client.cookies().get(LANG_COOKIE).is_none());
}

#[rocket::async_test]
async fn the_choice_survives_login_and_follows_the_user() {
    let app = spawn_app().await;
    app.create_user("lucia", Role::User).await;
    // Chosen before logging in…
    switch_to(&app, "es", "/login").await;
    let (status, _) = app.page_login("lucia", PASSWORD, None).await;
    assert_eq!(status, Status::SeeOther);
    let html = page_in(&app, "/account", Some("en")).await;
    assert_eq!(html_lang(&html), "es");
    assert_eq!(stored_locale(&app, "lucia").await.as_deref(), Some("es"));
    // …it is the profile's now: another browser that prefers English
    // shows Spanish once logged in.
    let laptop = app.other_browser().await;
    assert_eq!(
        html_lang(&page_in(&laptop, "/login", Some("en")).await),
        "en"
    );
    laptop.page_login("lucia", PASSWORD, None).await;
    assert_eq!(
        html_lang(&page_in(&laptop, "/account", Some("en")).await),
        "es"
    );
    // Switching while logged in changes the profile too.
    let token = laptop.page_csrf("/account").await;
    laptop
        .post_form(
            "/language",
            &[("csrf_token", &token), ("lang", "en"), ("next", "/account")],
        )
        .await;
    assert_eq!(stored_locale(&app, "lucia").await.as_deref(), Some("en"));
    // The first browser's cookie still says Spanish; the profile wins.
    app.client.cookies().add(Cookie::new(LANG_COOKIE, "es"));
    assert_eq!(html_lang(&page_in(&app, "/account", None).await), "en");
}

/// A sign-up with a short username, a bad address and a common password.
fn bad_signup(token: &str) -> String {
    [
        ("username", "ab"),
        ("email", "not-an-address"),
        ("first_name", "Ana"),
        ("last_name", "García"),
        ("password", "password"),
        ("password_confirm", "password"),
        ("csrf_token", token),
    ]
    .iter()
    .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
    .collect::<Vec<_>>()
    .join("&")
}

#[rocket::async_test]
async fn sign_up_errors_are_in_the_browsers_language_on_the_page() {
    let app = spawn_app().await;
    let token = app.page_csrf("/signup").await;
    let response = app
        .client
        .post("/signup")
        .header(rocket::http::ContentType::Form)
        .header(Header::new("Accept-Language", "es-ES,es;q=0.9,en;q=0.5"))
        .body(bad_signup(&token))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let html = unescape(&response.into_string().await.unwrap_or_default());
    assert_eq!(html_lang(&html), "es");
    for spanish in [
        "Un nombre de usuario tiene de 3 a 32 caracteres.",
        "Escribe una dirección de correo como nombre@ejemplo.com.",
        "Esa contraseña es demasiado habitual; elige otra.",
        "Corrige los campos marcados abajo.",
        "Nombre de usuario",
    ] {
        assert!(html.contains(spanish), "missing {spanish:?}");
    }
    for english in [
        "A username has",
        "Enter an e-mail",
        "too common",
        "Username",
    ] {
        assert!(!html.contains(english), "English left: {english:?}");
    }
}

#[rocket::async_test]
async fn api_problems_follow_accept_language_and_keep_their_codes() {
    let app = spawn_app().await;
    let body = serde_json::json!({
        "username": "ab",
        "email": "not-an-address",
        "password": "password",
        "first_name": "Ana",
        "last_name": "García",
    });
    let mut answers = Vec::new();
    for accept in ["es", "en-US,en;q=0.9"] {
        let response = app
            .client
            .post("/api/auth/signup")
            .header(rocket::http::ContentType::JSON)
            .header(Header::new("Accept-Language", accept))
            .body(body.to_string())
            .dispatch()
            .await;
        answers.push(expect_problem(response, Status::UnprocessableEntity).await);
    }
    let (spanish, english) = (&answers[0], &answers[1]);
    assert_eq!(spanish["title"], "Entidad no procesable");
    assert_eq!(spanish["detail"], "Algunos campos no son válidos.");
    assert_eq!(english["title"], "Unprocessable Entity");
    assert_eq!(english["detail"], "Some fields are not valid.");
    assert_eq!(spanish["type"], english["type"]);
    let fields = |problem: &serde_json::Value| {
        problem["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| (e["field"].to_string(), e["code"].to_string()))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    assert_eq!(fields(spanish), fields(english));
    let username = |problem: &serde_json::Value| {
        problem["errors"]
            .as_array()
            .and_then(|errors| errors.iter().find(|e| e["field"] == "username"))
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(username(spanish)["code"], "username-length");
    assert_eq!(
        username(spanish)["message"],
        "Un nombre de usuario tiene de 3 a 32 caracteres."
    );
    assert_eq!(
        username(english)["message"],
        "A username has 3 to 32 characters."
    );
    // Rocket's own refusals too.
    let response = app
        .client
        .get("/api/no-such-thing")
        .header(Header::new("Accept-Language", "es"))
        .dispatch()
        .await;
    let problem = expect_problem(response, Status::NotFound).await;
    assert_eq!(problem["detail"], "No hay nada en esta dirección.");
}

#[rocket::async_test]
async fn error_pages_speak_the_browsers_language() {
    let app = spawn_app().await;
    let response = app
        .client
        .get("/no-such-page")
        .header(Header::new("Accept-Language", "es"))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::NotFound);
    let html = unescape(&response.into_string().await.unwrap_or_default());
    assert_eq!(html_lang(&html), "es");
    assert!(
        html.contains("No hay ninguna página en esta dirección."),
        "{html}"
    );
    assert!(html.contains("Página no encontrada"));
    assert!(!html.contains("There is no page"));
}

/// The English texts of the message files worth looking for: whole
/// phrases without arguments, that Spanish writes differently.
fn english_phrases() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    let read = |lang: &str| {
        let mut texts = std::collections::BTreeMap::new();
        for entry in std::fs::read_dir(root.join(lang))
            .expect("locales")
            .flatten()
        {
            let source = std::fs::read_to_string(entry.path()).expect("read .ftl");
            let resource = fluent_syntax::parser::parse(source.as_str()).expect("parse .ftl");
            for entry in resource.body {
                if let fluent_syntax::ast::Entry::Message(message) = entry
                    && let Some(value) = message.value
                    && let [fluent_syntax::ast::PatternElement::TextElement { value }] =
                        value.elements.as_slice()
                {
                    texts.insert(message.id.name.to_owned(), (*value).to_owned());
                }
            }
        }
        texts
    };
    let (english, spanish) = (read("en"), read("es"));
    english
        .into_iter()
        .filter(|(id, text)| text.contains(' ') && text.len() >= 8 && spanish.get(id) != Some(text))
        .map(|(_, text)| text)
        .collect()
}

#[rocket::async_test]
async fn translated_pages_in_spanish_hold_no_english_text() {
    let app = spawn_app().await;
    let phrases = english_phrases();
    assert!(phrases.len() > 50, "too few phrases: {}", phrases.len());
    switch_to(&app, "es", "/").await;
    let mut pages = vec![
        "/",
        "/login",
        "/signup",
        "/password/forgot",
        "/no-such-page",
    ];
    let mut scanned = Vec::new();
    for path in pages.drain(..) {
        scanned.push((path, html(&app, path).await.1));
    }
    app.create_user("carmen", Role::User).await;
    app.page_login("carmen", PASSWORD, None).await;
    for path in [
        "/",
        "/account",
        "/account/sessions",
        "/account/data",
        "/account/delete",
    ] {
        scanned.push((path, html(&app, path).await.1));
    }
    // The shop: the catalog, a product, a sale (with its thanks), the
    // purchases, the basket with a line in it (and its flash).
    let (admin, _) = admin_browser(&app, "root").await;
    let mate = new_product(&admin, "MATE-1", "Yerba mate", 450, 5).await;
    // More than a catalog page holds, so the page links show.
    for n in 1..=20 {
        new_product(&admin, &format!("TE-{n}"), &format!("Té {n:02}"), 300, 9).await;
    }
    let token = app.page_csrf("/products").await;
    let qty = format!("qty[{mate}]");
    let add = [(qty.as_str(), "2"), ("csrf_token", token.as_str())];
    app.post_form("/cart/add", &add).await;
    let checkout = app
        .post_form(
            "/cart",
            &[
                (qty.as_str(), "2"),
                ("action", "checkout"),
                ("csrf_token", &token),
            ],
        )
        .await;
    let sale = location(&checkout).unwrap_or_default();
    assert!(sale.starts_with("/sales/"), "no sale: {sale:?}");
    scanned.push(("a sale", html(&app, &sale).await.1));
    let product = format!("/products/{mate}");
    for path in ["/products", product.as_str(), "/sales"] {
        scanned.push((path, html(&app, path).await.1));
    }
    let catalog = unescape(&html(&app, "/products?page=2").await.1);
    for spanish in ["‹ Anterior", "Página 2 de 2", "21 productos."] {
        assert!(catalog.contains(spanish), "the catalog lacks {spanish:?}");
    }
    scanned.push(("/products?page=2", catalog));
    app.post_form("/cart/add", &add).await;
    scanned.push(("/cart", html(&app, "/cart").await.1));
    for (path, page) in scanned {
        let text = unescape(&page);
        assert_eq!(html_lang(&text), "es", "{path}");
        for phrase in &phrases {
            assert!(
                !text.contains(phrase.as_str()),
                "{path} still says {phrase:?}"
            );
        }
    }
}

/// A form sent by a browser that prefers `accept`.
async fn post_form_in<'a>(
    app: &'a TestApp,
    path: &str,
    fields: &[(&str, &str)],
    accept: &str,
) -> rocket::local::asynchronous::LocalResponse<'a> {
    let body = fields
        .iter()
        .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    app.client
        .post(path.to_owned())
        .header(rocket::http::ContentType::Form)
        .header(Header::new("Accept-Language", accept.to_owned()))
        .body(body)
        .dispatch()
        .await
}

#[rocket::async_test]
async fn shop_messages_are_in_the_browsers_language_and_api_codes_stay() {
    let app = spawn_app().await;
    let (admin, _) = admin_browser(&app, "root").await;
    let mate = new_product(&admin, "MATE-1", "Yerba mate", 450, 1).await;
    let shopper = app.other_browser().await;
    sign_in(&shopper, "pablo", Role::User).await;
    let token = shopper.csrf_token("/products").await;
    let qty = format!("qty[{mate}]");

    // Buying more than is left: the flash says so in Spanish.
    let response = post_form_in(
        &shopper,
        "/sales",
        &[(&qty, "3"), ("csrf_token", &token)],
        "es-AR,es;q=0.9",
    )
    .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(location(&response).as_deref(), Some("/products"));
    let page = page_in(&shopper, "/products", Some("es")).await;
    assert_eq!(
        flash_text(&unescape(&page)).as_deref(),
        Some("No hay existencias suficientes de «Yerba mate»: queda 1.")
    );
    assert!(page.contains("class=\"flash error\""));

    // Adding to the basket: a success flash with a plural-free list.
    let response = post_form_in(
        &shopper,
        "/cart/add",
        &[(&qty, "1"), ("back", "/cart"), ("csrf_token", &token)],
        "es",
    )
    .await;
    assert_eq!(response.status(), Status::SeeOther);
    let page = unescape(&page_in(&shopper, "/cart", Some("es")).await);
    assert_eq!(
        flash_text(&page).as_deref(),
        Some("Añadido a tu cesta: Yerba mate.")
    );
    assert!(page.contains("1 producto en tu cesta."), "{page}");

    // The same shortage through the API: Spanish words, the same code.
    let mut codes = Vec::new();
    for accept in ["es", "en"] {
        let response = shopper
            .client
            .post("/api/sales")
            .header(rocket::http::ContentType::JSON)
            .header(Header::new("Accept-Language", accept))
            .body(order(&[(mate, 3)]).to_string())
            .dispatch()
            .await;
        let problem = expect_problem(response, Status::Conflict).await;
        let error = problem["errors"][0].clone();
        codes.push((error["field"].clone(), error["code"].clone()));
        let expected = if accept == "es" {
            "No hay existencias suficientes de «Yerba mate»: queda 1."
        } else {
            "Not enough stock of \"Yerba mate\": 1 left."
        };
        assert_eq!(error["message"], expected, "{problem}");
    }
    assert_eq!(codes[0], codes[1]);
    assert_eq!(codes[0].1, "invalid");
    assert_eq!(codes[0].0, "items[0].quantity");
}
