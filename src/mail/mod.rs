//! E-mail: messages are rendered and stored in the outbox inside the
//! transaction of the change that causes them ([`Mailer::queue`]), then sent
//! by the background [`sender`] over SMTP, or written as `.eml` files when
//! no `smtp_url` is set.
//!
//! Links in messages are built from `public_url` only, never from the
//! request's `Host` (a client could point a reset link at its own site).

pub mod letters;
pub mod sender;

use std::sync::Arc;

use lettre::message::Mailbox;
use rocket_dyn_templates::tera::Tera;
use tokio::sync::Notify;

use crate::config::AppConfig;

pub use letters::{Kind, Letter};

/// Renders and queues messages; shared by every request of the process.
pub struct Mailer {
    templates: Tera,
    public_url: String,
    /// The host part of `Message-ID`s.
    domain: String,
    wake: Arc<Notify>,
}

impl Mailer {
    pub fn new(config: &AppConfig) -> Result<Self, String> {
        check_settings(config)?;
        let public_url = config.public_url.trim_end_matches('/').to_owned();
        Ok(Mailer {
            templates: letters::templates()?,
            domain: host_of(&public_url).unwrap_or("localhost").to_owned(),
            public_url,
            wake: Arc::new(Notify::new()),
        })
    }

    /// `public_url` + `path`, with the token as its query.
    pub fn link(&self, path: &str, token: &str) -> String {
        format!("{}{path}?token={token}", self.public_url)
    }

    /// The base of links, for messages that point at the site.
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// Tells the sender of this process that a message was committed, so it
    /// goes out now rather than at the next poll.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub(crate) fn wake_handle(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    fn message_id(&self) -> String {
        let bytes: [u8; 16] = rand::random();
        format!("<{}@{}>", hex::encode(bytes), self.domain)
    }
}

/// The host of an `http(s)://host[:port]/…` URL.
fn host_of(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next()?,
        None => host.split(':').next()?,
    };
    (!host.is_empty()).then_some(host)
}

/// Checks the mail settings, naming the key at fault (never echoing an
/// SMTP URL, which may hold a password).
pub fn check_settings(config: &AppConfig) -> Result<(), String> {
    let invalid = |message: &str| format!("portero: invalid configuration: {message}");
    // Links are put into the HTML parts unescaped (Tera would write `/` as
    // `&#x2F;`), so the base may hold no character that could end an attribute.
    let unsafe_char = |c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '&');
    if host_of(config.public_url.trim()).is_none() || config.public_url.contains(unsafe_char) {
        return Err(invalid(
            "public_url: must be an http:// or https:// URL with a host, \
             e.g. https://shop.example.com",
        ));
    }
    if config.mail_from.parse::<Mailbox>().is_err() {
        return Err(invalid(
            "mail_from: not an e-mail address, e.g. \"Portero <portero@example.com>\"",
        ));
    }
    if let Some(url) = &config.smtp_url {
        sender::Transport::smtp(url).map_err(|message| invalid(&message))?;
    }
    if config.mail_max_attempts < 1 || config.mail_retry_base < 0 {
        return Err(invalid(
            "mail_max_attempts must be at least 1 and mail_retry_base not negative",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_of_a_public_url() {
        assert_eq!(
            host_of("https://shop.example.com"),
            Some("shop.example.com")
        );
        assert_eq!(host_of("http://127.0.0.1:8000/x"), Some("127.0.0.1"));
        assert_eq!(host_of("http://[::1]:8000"), Some("::1"));
        assert_eq!(host_of("ftp://example.com"), None);
        assert_eq!(host_of("https://"), None);
    }

    #[test]
    fn bad_settings_are_named() {
        let bad = |config: AppConfig| check_settings(&config).unwrap_err();
        let base = AppConfig::default();
        assert!(check_settings(&base).is_ok());
        let message = bad(AppConfig {
            public_url: "shop.example.com".into(),
            ..base.clone()
        });
        assert!(message.contains("public_url"), "{message}");
        let message = bad(AppConfig {
            public_url: "https://shop.example.com/\"><script>".into(),
            ..base.clone()
        });
        assert!(message.contains("public_url"), "{message}");
        let message = bad(AppConfig {
            mail_from: "nobody".into(),
            ..base.clone()
        });
        assert!(message.contains("mail_from"), "{message}");
        let message = bad(AppConfig {
            smtp_url: Some("gopher://user:hunter2@host".into()),
            ..base.clone()
        });
        assert!(
            message.contains("smtp_url") && !message.contains("hunter2"),
            "{message}"
        );
        let message = bad(AppConfig {
            mail_max_attempts: 0,
            ..base
        });
        assert!(message.contains("mail_max_attempts"), "{message}");
    }

    #[test]
    fn links_use_the_public_url_only() {
        let mailer = Mailer::new(&AppConfig {
            public_url: "https://shop.example.com/".into(),
            ..AppConfig::default()
        })
        .expect("mailer");
        assert_eq!(
            mailer.link("/password/reset", "abc"),
            "https://shop.example.com/password/reset?token=abc"
        );
        assert!(mailer.message_id().ends_with("@shop.example.com>"));
    }
}
