//! The background sender: claims due messages from the outbox (a lease, so
//! that several processes never send one twice), sends them, and records
//! the outcome; a failed attempt waits `mail_retry_base` seconds, doubled
//! per attempt, and a message is given up after `mail_max_attempts` or at
//! a permanent (5xx) refusal.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration as StdDuration, SystemTime};

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use time::{Duration, OffsetDateTime};
use tokio::sync::Notify;

use crate::clock::Clock;
use crate::config::AppConfig;
use crate::db::AppPool;
use crate::db::outbox::{self, Claimed};
use crate::error::AppResult;

/// Messages claimed per statement.
const BATCH: i64 = 20;
/// How long a claim holds a message: longer than an SMTP conversation may
/// take (lettre gives up after 60 s), so a lease ends only when its
/// process died.
const LEASE_SECONDS: i64 = 300;
/// The longest wait between two attempts.
const MAX_BACKOFF_SECONDS: i64 = 6 * 60 * 60;
/// The longest error text kept.
const MAX_ERROR_LEN: usize = 500;

/// Where messages go.
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// `.eml` files in a folder (no `smtp_url`).
    Files(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

/// Why a message was not delivered.
#[derive(Debug)]
pub struct SendError {
    pub permanent: bool,
    pub message: String,
}

impl Transport {
    /// The transport the settings name.
    pub fn from_config(config: &AppConfig) -> Result<Self, String> {
        match &config.smtp_url {
            Some(url) => Transport::smtp(url),
            None => {
                let dir = PathBuf::from(&config.mail_dir);
                Ok(Transport::Files(AsyncFileTransport::new(&dir), dir))
            }
        }
    }

    /// An SMTP transport from lettre's URL form; the error never repeats
    /// the URL, which may hold a password.
    pub fn smtp(url: &str) -> Result<Self, String> {
        AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map(|builder| Transport::Smtp(builder.build()))
            .map_err(|_| {
                "smtp_url: not an SMTP URL (smtp://host:port, smtps://user:pass@host:465, \
                 smtp://host:587?tls=required)"
                    .to_owned()
            })
    }

    /// Where messages go, for the log (no credentials).
    pub fn describe(&self) -> String {
        match self {
            Transport::Smtp(_) => "SMTP (smtp_url)".to_owned(),
            Transport::Files(_, dir) => format!(".eml files in {}", dir.display()),
        }
    }

    async fn send(&self, message: Message) -> Result<(), SendError> {
        match self {
            Transport::Smtp(smtp) => {
                smtp.send(message)
                    .await
                    .map(|_| ())
                    .map_err(|error| SendError {
                        permanent: error.is_permanent(),
                        message: error.to_string(),
                    })
            }
            Transport::Files(files, dir) => {
                // Created with the first message, so that a process that
                // sends none leaves nothing behind.
                let transient = |message: String| SendError {
                    permanent: false,
                    message,
                };
                tokio::fs::create_dir_all(dir).await.map_err(|error| {
                    transient(format!("cannot create {}: {error}", dir.display()))
                })?;
                files
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(|error| transient(error.to_string()))
            }
        }
    }
}

/// What one round of [`deliver_due`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    pub retrying: usize,
    pub given_up: usize,
}

/// Sends every message due now, claiming them in batches, and records each
/// outcome.
pub async fn deliver_due(
    pool: &AppPool,
    transport: &Transport,
    config: &AppConfig,
    clock: &Clock,
) -> AppResult<Round> {
    let from: Mailbox = config
        .mail_from
        .parse()
        .map_err(|_| crate::error::AppError::Internal("mail_from is not an address".into()))?;
    let mut round = Round::default();
    loop {
        let now = clock.now();
        let claimed = {
            let mut conn = pool.acquire().await?;
            let lease = now + Duration::seconds(LEASE_SECONDS);
            outbox::claim_due(&mut conn, now, lease, BATCH).await?
        };
        if claimed.is_empty() {
            return Ok(round);
        }
        for message in claimed {
            let outcome = match build(&from, &message) {
                Ok(built) => transport.send(built).await,
                Err(error) => Err(error),
            };
            let now = clock.now();
            let mut conn = pool.acquire().await?;
            match outcome {
                Ok(()) => {
                    outbox::mark_sent(&mut conn, message.id, now).await?;
                    if let Transport::Files(_, dir) = transport {
                        tracing::info!(
                            to = %message.recipient,
                            subject = %message.subject,
                            dir = %dir.display(),
                            "mail written as an .eml file"
                        );
                    }
                    round.sent += 1;
                }
                Err(error) => {
                    let retry_at = retry_at(config, &message, &error, now);
                    let text: String = error.message.chars().take(MAX_ERROR_LEN).collect();
                    tracing::warn!(
                        id = message.id,
                        attempts = message.attempts,
                        error = %text,
                        given_up = retry_at.is_none(),
                        "mail not delivered"
                    );
                    outbox::mark_failed(&mut conn, message.id, retry_at, &text).await?;
                    if retry_at.is_some() {
                        round.retrying += 1;
                    } else {
                        round.given_up += 1;
                    }
                }
            }
        }
    }
}

/// When to try again after a failure, or `None` to give up.
fn retry_at(
    config: &AppConfig,
    message: &Claimed,
    error: &SendError,
    now: OffsetDateTime,
) -> Option<OffsetDateTime> {
    if error.permanent || message.attempts >= config.mail_max_attempts {
        return None;
    }
    let doublings = u32::try_from(message.attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    let wait = config
        .mail_retry_base
        .saturating_mul(1_i64 << doublings)
        .min(MAX_BACKOFF_SECONDS);
    Some(now + Duration::seconds(wait))
}

/// The MIME message of a claimed row: plain text and HTML alternatives,
/// with the `Message-ID` stored at queueing (a retry keeps it, so a
/// receiver can tell a duplicate) and the time it was queued as `Date`.
fn build(from: &Mailbox, message: &Claimed) -> Result<Message, SendError> {
    let permanent = |message: String| SendError {
        permanent: true,
        message,
    };
    let to: Mailbox = message
        .recipient
        .parse()
        .map_err(|_| permanent("the recipient is not a valid address".to_owned()))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(message.subject.clone())
        .message_id(Some(message.message_id.clone()))
        .date(SystemTime::from(message.created_at))
        .multipart(MultiPart::alternative_plain_html(
            message.body_text.clone(),
            message.body_html.clone(),
        ))
        .map_err(|error| permanent(error.to_string()))
}

/// Runs the sender until the process ends: a round when woken by
/// [`super::Mailer::wake`] or every `mail_poll_interval_ms`.
pub fn spawn(pool: AppPool, config: AppConfig, clock: Clock, wake: Arc<Notify>) {
    if config.mail_poll_interval_ms == 0 {
        return;
    }
    let transport = match Transport::from_config(&config) {
        Ok(transport) => transport,
        Err(error) => {
            tracing::error!(%error, "mail sender not started");
            return;
        }
    };
    tracing::info!(to = %transport.describe(), "mail sender started");
    let interval = StdDuration::from_millis(config.mail_poll_interval_ms);
    tokio::spawn(async move {
        loop {
            if let Err(error) = deliver_due(&pool, &transport, &config, &clock).await {
                tracing::warn!(?error, "mail round failed");
            }
            tokio::select! {
                () = tokio::time::sleep(interval) => {}
                () = wake.notified() => {}
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claimed(attempts: i64) -> Claimed {
        Claimed {
            id: 1,
            recipient: "ana@example.com".into(),
            subject: "s".into(),
            body_text: "t".into(),
            body_html: "<p>h</p>".into(),
            message_id: "<x@example.com>".into(),
            attempts,
            created_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn backoff_doubles_then_gives_up() {
        let config = AppConfig {
            mail_retry_base: 30,
            mail_max_attempts: 4,
            ..AppConfig::default()
        };
        let now = OffsetDateTime::UNIX_EPOCH;
        let transient = SendError {
            permanent: false,
            message: "451".into(),
        };
        let waits: Vec<_> = (1..=4)
            .map(|n| {
                retry_at(&config, &claimed(n), &transient, now).map(|at| (at - now).whole_seconds())
            })
            .collect();
        assert_eq!(waits, vec![Some(30), Some(60), Some(120), None]);
        let permanent = SendError {
            permanent: true,
            message: "550".into(),
        };
        assert_eq!(retry_at(&config, &claimed(1), &permanent, now), None);
        let huge = retry_at(
            &AppConfig {
                mail_max_attempts: 100,
                ..config
            },
            &claimed(60),
            &transient,
            now,
        );
        assert_eq!(
            huge.map(|at| (at - now).whole_seconds()),
            Some(MAX_BACKOFF_SECONDS)
        );
    }

    #[test]
    fn a_bad_recipient_is_permanent() {
        let from: Mailbox = "Portero <p@example.com>".parse().expect("address");
        let mut message = claimed(1);
        message.recipient = "not an address".into();
        assert!(build(&from, &message).is_err_and(|e| e.permanent));
        assert!(build(&from, &claimed(1)).is_ok());
    }
}
