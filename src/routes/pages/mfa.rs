//! Two-factor sign-in pages: the login's code step (`/login/code`), one's
//! own set-up on `/account/security`, and the administrator's reset.
//!
//! Between the password and the code, the browser holds the pending
//! login's token in a private (encrypted) cookie that lives as long as the
//! pending login. Recovery codes are rendered into the answer to the form
//! that made them, never put in a flash message (a plain cookie).

use rocket::form::FromForm;
use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::response::{Flash, Redirect};
use rocket::{Route, get, post, routes};
use serde::Serialize;
use serde_json::{Value, json};

use super::view::query_value;
use super::{PageContext, PageError, PageResult, Reply, errors_map, safe_next, too_many_attempts};
use crate::auth::csrf::{CsrfForm, TokenOnly};
use crate::auth::totp;
use crate::auth::{Admin, ClientMeta, CurrentUser};
use crate::config::AppConfig;
use crate::error::AppError;
use crate::services::mfa;
use crate::state::App;

pub fn routes() -> Vec<Route> {
    routes![
        code_page,
        code,
        security,
        start,
        confirm,
        disable,
        regenerate,
        admin_reset
    ]
}

fn pending_cookie_name(config: &AppConfig) -> &'static str {
    if config.https {
        "__Host-portero_mfa"
    } else {
        "portero_mfa"
    }
}

/// Hands the browser the pending login's token after a right password.
pub fn hold_pending_login(app: &App<'_>, cookies: &CookieJar<'_>, mfa_token: String) {
    let config = &app.state.config;
    cookies.add_private(
        Cookie::build((pending_cookie_name(config), mfa_token))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(config.https)
            .max_age(rocket::time::Duration::seconds(config.mfa_login_ttl))
            .build(),
    );
}

fn drop_pending_login(app: &App<'_>, cookies: &CookieJar<'_>) {
    cookies.remove_private(Cookie::build(pending_cookie_name(&app.state.config)).path("/"));
}

/// Back to the password step, saying why.
fn log_in_again(next: &str) -> Reply {
    Reply::Flash(Flash::error(
        Redirect::to(format!("/login?next={}", query_value(next))),
        mfa::LOGIN_EXPIRED,
    ))
}

#[get("/login/code?<next>&<recovery>")]
fn code_page(
    app: App<'_>,
    page: PageContext,
    cookies: &CookieJar<'_>,
    next: Option<&str>,
    recovery: Option<bool>,
) -> Reply {
    let next = safe_next(next, "/account");
    if page.user.is_some() {
        return Reply::Redirect(Redirect::to(next));
    }
    if cookies
        .get_private(pending_cookie_name(&app.state.config))
        .is_none()
    {
        return log_in_again(&next);
    }
    render_code(
        &page,
        Status::Ok,
        &next,
        recovery.unwrap_or(false),
        json!({}),
    )
}

fn render_code(
    page: &PageContext,
    status: Status,
    next: &str,
    recovery: bool,
    errors: Value,
) -> Reply {
    page.render_status(
        status,
        "auth/code",
        json!({
            "next": next,
            "recovery": recovery,
            "next_query": query_value(next),
            "errors": errors,
        }),
    )
}

#[derive(Debug, FromForm, Serialize)]
pub struct CodeForm {
    #[serde(skip)]
    #[field(default = String::new())]
    code: String,
    #[field(default = String::new())]
    next: String,
    #[field(default = false)]
    recovery: bool,
}

#[post("/login/code", data = "<form>")]
async fn code(
    app: App<'_>,
    page: PageContext,
    cookies: &CookieJar<'_>,
    client: ClientMeta,
    form: CsrfForm<CodeForm>,
) -> PageResult {
    let next = safe_next(Some(&form.next), "/account");
    let Some(token) = cookies.get_private(pending_cookie_name(&app.state.config)) else {
        return Ok(log_in_again(&next));
    };
    match mfa::finish_login(&app, cookies, &client, token.value(), &form.code).await {
        Ok(user) => {
            drop_pending_login(&app, cookies);
            super::auth::keep_language_choice(&app, cookies, &user).await?;
            Ok(Reply::Flash(Flash::success(
                Redirect::to(next),
                "You are logged in.",
            )))
        }
        Err(AppError::Unauthenticated) => {
            drop_pending_login(&app, cookies);
            Ok(log_in_again(&next))
        }
        Err(AppError::Throttled { retry_after }) => Ok(render_code(
            &page,
            Status::TooManyRequests,
            &next,
            form.recovery,
            json!({ "code": [too_many_attempts(page.lang, retry_after)] }),
        )),
        Err(AppError::Invalid(errors)) => Ok(render_code(
            &page,
            Status::UnprocessableEntity,
            &next,
            form.recovery,
            json!(errors_map(page.lang, &errors)),
        )),
        Err(other) => Err(PageError(other)),
    }
}

/// The security page, with what the handler adds (a new enrolment, new
/// recovery codes, a form's errors).
async fn render_security(
    app: &App<'_>,
    page: &PageContext,
    user: &CurrentUser,
    status: Status,
    extra: Value,
) -> PageResult {
    let state = mfa::status(app, &user.user).await?;
    let enrolment = match state.pending {
        true => mfa::pending(app, &user.user).await?,
        false => None,
    };
    let enrolment = match enrolment {
        Some(enrolment) => Some(json!({
            "secret": enrolment.secret,
            "secret_grouped": group(&enrolment.secret),
            "qr_svg": totp::qr_svg(&enrolment.otpauth_uri)?,
            "otpauth_uri": enrolment.otpauth_uri,
        })),
        None => None,
    };
    let formats = page.formats();
    let mut context = json!({
        "enabled": state.enabled_at.is_some(),
        "enabled_at": state.enabled_at.map(|at| formats.datetime(at)),
        "recovery_codes_left": state.recovery_codes_left,
        "enrolment": enrolment,
        "required": user.user.is_admin() && app.state.config.require_admin_mfa,
        "errors": {},
    });
    if let (Value::Object(context), Value::Object(extra)) = (&mut context, extra) {
        context.extend(extra);
    }
    Ok(page.render_status(status, "account/security", context))
}

/// The secret in groups of four, easier to type.
fn group(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A form's failure as the page shows it: the form's errors (under
/// `form`), or an error page for anything else.
async fn failed(
    app: &App<'_>,
    page: &PageContext,
    user: &CurrentUser,
    form: &str,
    error: AppError,
) -> PageResult {
    let (status, errors) = match error {
        AppError::Invalid(errors) => (Status::UnprocessableEntity, errors_map(page.lang, &errors)),
        AppError::Conflict(errors) => (Status::Conflict, errors_map(page.lang, &errors)),
        AppError::Throttled { retry_after } => (
            Status::TooManyRequests,
            [(
                "code".to_owned(),
                vec![too_many_attempts(page.lang, retry_after)],
            )]
            .into(),
        ),
        other => return Err(PageError(other)),
    };
    let extra = json!({ "errors": { form: errors } });
    render_security(app, page, user, status, extra).await
}

#[get("/account/security")]
async fn security(app: App<'_>, page: PageContext, user: CurrentUser) -> PageResult {
    render_security(&app, &page, &user, Status::Ok, json!({})).await
}

#[post("/account/security/mfa/start", data = "<_token>")]
async fn start(
    app: App<'_>,
    page: PageContext,
    user: CurrentUser,
    _token: CsrfForm<TokenOnly>,
) -> PageResult {
    match mfa::start(&app, &user.user).await {
        Ok(_) => Ok(Reply::Redirect(Redirect::to("/account/security#set-up"))),
        Err(error) => failed(&app, &page, &user, "confirm", error).await,
    }
}

#[derive(Debug, FromForm)]
pub struct ConfirmForm {
    #[field(default = String::new())]
    code: String,
}

#[post("/account/security/mfa/confirm", data = "<form>")]
async fn confirm(
    app: App<'_>,
    page: PageContext,
    client: ClientMeta,
    user: CurrentUser,
    form: CsrfForm<ConfirmForm>,
) -> PageResult {
    match mfa::confirm(&app, &user.actor(&client), &form.code).await {
        Ok(codes) => {
            let mut user = user;
            user.user.mfa_enabled_at = Some(app.now());
            let extra = json!({ "recovery_codes": codes, "just_enabled": true });
            render_security(&app, &page, &user, Status::Ok, extra).await
        }
        Err(error) => failed(&app, &page, &user, "confirm", error).await,
    }
}

#[derive(Debug, FromForm)]
pub struct ChangeForm {
    #[field(default = String::new())]
    password: String,
    #[field(default = String::new())]
    code: String,
}

#[post("/account/security/mfa/disable", data = "<form>")]
async fn disable(
    app: App<'_>,
    page: PageContext,
    client: ClientMeta,
    user: CurrentUser,
    form: CsrfForm<ChangeForm>,
) -> PageResult {
    match mfa::disable(&app, &user.actor(&client), &form.password, &form.code).await {
        Ok(()) => Ok(Reply::Flash(Flash::success(
            Redirect::to("/account/security"),
            "Two-factor sign-in is off. Your other sessions were logged out.",
        ))),
        Err(error) => failed(&app, &page, &user, "change", error).await,
    }
}

#[post("/account/security/mfa/recovery-codes", data = "<form>")]
async fn regenerate(
    app: App<'_>,
    page: PageContext,
    client: ClientMeta,
    user: CurrentUser,
    form: CsrfForm<ChangeForm>,
) -> PageResult {
    match mfa::regenerate(&app, &user.actor(&client), &form.password, &form.code).await {
        Ok(codes) => {
            let extra = json!({ "recovery_codes": codes });
            render_security(&app, &page, &user, Status::Ok, extra).await
        }
        Err(error) => failed(&app, &page, &user, "change", error).await,
    }
}

#[post("/admin/users/<id>/mfa/reset", data = "<_token>")]
async fn admin_reset(
    app: App<'_>,
    client: ClientMeta,
    admin: Admin,
    id: i64,
    _token: CsrfForm<TokenOnly>,
) -> PageResult {
    mfa::admin_reset(&app, &admin.0.actor(&client), id).await?;
    Ok(Reply::Flash(Flash::success(
        Redirect::to(format!("/admin/users/{id}")),
        "Two-factor sign-in of this account was reset; its owner was told by e-mail.",
    )))
}
