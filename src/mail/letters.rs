//! The messages Portero sends: each kind has a subject and two Tera
//! templates under `mail_templates/` (`<kind>.txt.tera`, `<kind>.html.tera`),
//! rendered when the message is queued.

use rocket_dyn_templates::tera::{Context, Tera};
use rust_embed::RustEmbed;
use time::OffsetDateTime;

use super::Mailer;
use crate::db::AppConn;
use crate::db::outbox::{self, NewMessage};
use crate::error::{AppError, AppResult};

#[derive(RustEmbed)]
#[folder = "mail_templates/"]
// Named `mail/…` so that `{% extends "mail/_layout.html" %}` reads as a path.
#[prefix = "mail/"]
struct MailTemplates;

/// What a message is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    VerifyEmail,
    PasswordReset,
    PasswordChanged,
    PasswordWasReset,
    EmailChanged,
    /// Two-factor sign-in turned on or off, a recovery code used, new codes.
    MfaChanged,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::VerifyEmail,
        Kind::PasswordReset,
        Kind::PasswordChanged,
        Kind::PasswordWasReset,
        Kind::EmailChanged,
        Kind::MfaChanged,
    ];

    /// The outbox's `kind` column and the templates' base name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::VerifyEmail => "verify_email",
            Kind::PasswordReset => "password_reset",
            Kind::PasswordChanged => "password_changed",
            Kind::PasswordWasReset => "password_was_reset",
            Kind::EmailChanged => "email_changed",
            Kind::MfaChanged => "mfa_changed",
        }
    }

    fn subject(self) -> &'static str {
        match self {
            Kind::VerifyEmail => "Confirm your e-mail address",
            Kind::PasswordReset => "Reset your Portero password",
            Kind::PasswordChanged => "Your Portero password was changed",
            Kind::PasswordWasReset => "Your Portero password was reset",
            Kind::EmailChanged => "Your Portero e-mail address was changed",
            Kind::MfaChanged => "Two-factor sign-in changed on your Portero account",
        }
    }
}

/// A message to queue: its kind, recipient, the account it concerns, and
/// what its templates show (besides `site_url`, always there).
pub struct Letter<'a> {
    pub kind: Kind,
    pub to: &'a str,
    pub user_id: Option<i64>,
    pub context: Context,
}

/// Every mail template, loaded once. Names end in `.txt` or `.html`, so
/// Tera escapes the HTML parts only.
pub(super) fn templates() -> Result<Tera, String> {
    let mut tera = Tera::default();
    let mut sources = Vec::new();
    for name in MailTemplates::iter() {
        let Some(file) = MailTemplates::get(&name) else {
            continue;
        };
        let text = String::from_utf8(file.data.into_owned())
            .map_err(|_| format!("mail template {name} is not UTF-8"))?;
        sources.push((name.trim_end_matches(".tera").to_owned(), text));
    }
    tera.add_raw_templates(sources)
        .map_err(|error| format!("mail templates: {error}"))?;
    for kind in Kind::ALL {
        for part in ["txt", "html"] {
            let name = format!("mail/{}.{part}", kind.as_str());
            if !tera.get_template_names().any(|known| known == name) {
                return Err(format!("mail template {name}.tera is missing"));
            }
        }
    }
    Ok(tera)
}

impl Mailer {
    /// Renders `letter` and stores it in the outbox through `conn` (the
    /// transaction of the change that causes it). Call [`Mailer::wake`]
    /// once that transaction has committed.
    pub async fn queue(
        &self,
        conn: &mut AppConn,
        letter: Letter<'_>,
        now: OffsetDateTime,
    ) -> AppResult<i64> {
        let mut context = letter.context;
        context.insert("site_url", &self.public_url);
        let render = |part: &str| {
            self.templates
                .render(&format!("mail/{}.{part}", letter.kind.as_str()), &context)
                .map_err(|error| AppError::Internal(format!("mail template: {error}")))
        };
        let (text, html) = (render("txt")?, render("html")?);
        let message = NewMessage {
            kind: letter.kind.as_str(),
            user_id: letter.user_id,
            recipient: letter.to,
            subject: letter.kind.subject(),
            body_text: &text,
            body_html: &html,
            message_id: &self.message_id(),
        };
        outbox::insert(conn, &message, now).await
    }
}
