//! Audit events, as the admin pages show them.

use serde::Serialize;

use super::Formats;
use crate::db::audit::AuditEvent;

#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub id: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub action: String,
    pub target_user_id: Option<i64>,
    pub target: Option<String>,
    pub ip: Option<String>,
    pub detail: Option<String>,
    /// The event in words: who (linked), what, to whom (linked), details.
    pub who: Link,
    pub what: String,
    pub whom: Option<Link>,
    pub details: Option<String>,
}

/// A name, and where to see it when there is a page for it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Link {
    pub text: String,
    pub href: Option<String>,
}

/// What an action did, in words ("deactivated", "changed the role of").
pub fn verb(action: &str) -> Option<&'static str> {
    use crate::audit::action::*;
    Some(match action {
        SIGNUP => "signed up as",
        LOGIN => "logged in as",
        LOGIN_FAILED => "tried and failed to log in as",
        LOGIN_THROTTLED => "was held back (too many attempts) logging in as",
        LOGOUT => "logged out",
        PASSWORD_CHANGE => "changed the password of",
        PASSWORD_CHANGE_FAILED => "gave a wrong current password for",
        PROFILE_UPDATE => "updated the profile of",
        SESSION_REVOKE => "ended a session of",
        SESSIONS_REVOKE_ALL => "ended every session of",
        USER_CREATE => "created the account",
        USER_UPDATE => "changed the account",
        ROLE_CHANGE => "changed the role of",
        USER_ACTIVATE => "activated",
        USER_DEACTIVATE => "deactivated",
        USER_DELETE => "deleted the account",
        PRODUCT_CREATE => "added the product",
        PRODUCT_UPDATE => "changed the product",
        PRODUCT_DELETE => "deleted the product",
        SALE_CREATE => "bought",
        ACCOUNT_DELETE => "deleted their own account:",
        ACCOUNT_DELETE_FAILED => "gave a wrong password deleting the account",
        EXPORT => "downloaded as CSV",
        TOKEN_CREATE => "created an API token for",
        TOKEN_REVOKE => "revoked an API token of",
        PASSWORD_RESET_REQUEST => "asked for a password reset link for",
        PASSWORD_RESET => "reset by e-mailed link the password of",
        EMAIL_VERIFY_SENT => "sent an address verification link to",
        EMAIL_VERIFIED => "verified the e-mail address of",
        MAIL_RETRY => "sent again the e-mail",
        MFA_ENABLE => "turned on two-factor sign-in for",
        MFA_DISABLE => "turned off two-factor sign-in for",
        MFA_RECOVERY_CODES => "made new recovery codes for",
        MFA_RECOVERY_USED => "logged in with a recovery code as",
        MFA_RESET => "reset the two-factor sign-in of",
        MFA_CHANGE_FAILED => "gave a wrong password or code for the two-factor sign-in of",
        _ => return None,
    })
}

/// What an action did to one's own account, in words ("logged in").
fn own_verb(action: &str) -> Option<&'static str> {
    use crate::audit::action::*;
    Some(match action {
        SIGNUP => "signed up",
        LOGIN => "logged in",
        LOGOUT => "logged out",
        PASSWORD_CHANGE => "changed their password",
        PASSWORD_CHANGE_FAILED => "gave a wrong current password",
        PROFILE_UPDATE => "updated their profile",
        SESSION_REVOKE => "ended one of their sessions",
        SESSIONS_REVOKE_ALL => "ended their other sessions",
        TOKEN_CREATE => "created an API token",
        TOKEN_REVOKE => "revoked one of their API tokens",
        ACCOUNT_DELETE => "deleted their account",
        ACCOUNT_DELETE_FAILED => "gave a wrong password deleting their account",
        PASSWORD_RESET_REQUEST => "asked for a password reset link",
        PASSWORD_RESET => "reset their password by e-mailed link",
        EMAIL_VERIFY_SENT => "asked for an address verification link",
        EMAIL_VERIFIED => "verified their e-mail address",
        MFA_ENABLE => "turned on two-factor sign-in",
        MFA_DISABLE => "turned off two-factor sign-in",
        MFA_RECOVERY_CODES => "made new recovery codes",
        MFA_RECOVERY_USED => "logged in with a recovery code",
        MFA_RESET => "reset their own two-factor sign-in",
        MFA_CHANGE_FAILED => "gave a wrong password or code for their two-factor sign-in",
        _ => return None,
    })
}

/// The target as a reader names it, with a link where one helps.
fn whom(event: &AuditEvent) -> Option<Link> {
    use crate::audit::action::*;
    let target = event.target.as_deref()?;
    let (kind, name) = target.split_once(':').unwrap_or(("", target));
    let link = |text: String, href: Option<String>| Some(Link { text, href });
    match kind {
        "user" => {
            // A deleted account has no page any more.
            let href = event
                .target_user_id
                .filter(|_| event.action != USER_DELETE)
                .map(|id| format!("/admin/users/{id}"));
            link(name.to_owned(), href)
        }
        "login" => link(format!("\u{201c}{name}\u{201d}"), None),
        "product" => link(
            name.to_owned(),
            (event.action != PRODUCT_DELETE)
                .then(|| format!("/admin/products?q={}", super::query_value(name))),
        ),
        "sale" => link(format!("sale #{name}"), Some(format!("/sales/{name}"))),
        _ if event.action == EXPORT => link(
            format!("the {target} list"),
            Some(format!("/admin/{target}")),
        ),
        _ => link(target.to_owned(), None),
    }
}

/// Details in words: money with its currency, roles spelled out.
fn details(event: &AuditEvent, formats: &Formats) -> Option<String> {
    let detail = event.detail.as_deref()?;
    if let Some(cents) = detail
        .strip_prefix("total ")
        .and_then(|rest| rest.strip_suffix(" cents"))
        .and_then(|cents| cents.parse::<i64>().ok())
    {
        return Some(format!("total {}", formats.money(cents)));
    }
    if event.action == crate::audit::action::ROLE_CHANGE {
        return Some(
            detail
                .replacen(" -> ", " to ", 1)
                .replacen(" (", "; ", 1)
                .replace(')', ""),
        );
    }
    if event.action == crate::audit::action::EXPORT {
        return Some(if detail == "everything" {
            "every row".to_owned()
        } else {
            format!("filters: {}", detail.replace('&', ", ").replace('=', " = "))
        });
    }
    Some(detail.to_owned())
}

impl Event {
    /// "ada logged in", not "ada logged in as ada".
    fn about_oneself(mut self, event: &AuditEvent) -> Self {
        let own = event.actor_id.is_some() && event.actor_id == event.target_user_id;
        if let (true, Some(words)) = (own, own_verb(&event.action)) {
            self.what = words.to_owned();
            self.whom = None;
        }
        self
    }

    pub fn new(event: &AuditEvent, formats: &Formats) -> Self {
        Event {
            id: event.id,
            at: formats.datetime(event.at),
            actor_id: event.actor_id,
            actor_name: event.actor_name.clone(),
            action: event.action.clone(),
            target_user_id: event.target_user_id,
            target: event.target.clone(),
            ip: event.ip.clone(),
            detail: event.detail.clone(),
            who: match (&event.actor_name, event.actor_id) {
                (Some(name), Some(id)) => Link {
                    text: name.clone(),
                    href: Some(format!("/admin/users/{id}")),
                },
                (Some(name), None) => Link {
                    text: name.clone(),
                    href: None,
                },
                // Sign-up and login attempts come before anyone is known;
                // the command line acts without an account.
                (None, _) if event.ip.is_some() => Link {
                    text: "Someone".to_owned(),
                    href: None,
                },
                (None, _) => Link {
                    text: "The command line".to_owned(),
                    href: None,
                },
            },
            what: verb(&event.action).unwrap_or(&event.action).to_owned(),
            whom: whom(event),
            details: details(event, formats),
        }
        .about_oneself(event)
    }
}

#[cfg(test)]
mod tests {
    use time::OffsetDateTime;

    use super::{Event, Link, verb};
    use crate::audit::action;
    use crate::db::audit::AuditEvent;
    use crate::routes::pages::view::Formats;

    fn event(
        action: &str,
        actor: Option<(&str, i64)>,
        target: Option<&str>,
        detail: Option<&str>,
    ) -> Event {
        let raw = AuditEvent {
            id: 1,
            at: OffsetDateTime::UNIX_EPOCH,
            actor_id: actor.map(|(_, id)| id),
            actor_name: actor.map(|(name, _)| name.to_owned()),
            action: action.to_owned(),
            target_user_id: Some(7),
            target: target.map(str::to_owned),
            ip: None,
            detail: detail.map(str::to_owned),
        };
        Event::new(&raw, &Formats::default())
    }

    #[test]
    fn every_known_action_reads_as_words() {
        for name in action::ALL {
            assert!(verb(name).is_some(), "{name} has no words");
        }
        let e = event("something_new", None, None, None);
        assert_eq!(e.what, "something_new");
        assert_eq!(e.who.text, "The command line");
    }

    #[test]
    fn who_what_and_whom_with_links() {
        let e = event(
            action::ROLE_CHANGE,
            Some(("root", 1)),
            Some("user:ada"),
            Some("user -> admin (command line)"),
        );
        assert_eq!(
            e.who,
            Link {
                text: "root".into(),
                href: Some("/admin/users/1".into())
            }
        );
        assert_eq!(e.what, "changed the role of");
        assert_eq!(
            e.whom,
            Some(Link {
                text: "ada".into(),
                href: Some("/admin/users/7".into())
            })
        );
        assert_eq!(e.details.as_deref(), Some("user to admin; command line"));

        let e = event(
            action::USER_DELETE,
            Some(("root", 1)),
            Some("user:ada"),
            None,
        );
        assert_eq!(
            e.whom.and_then(|w| w.href),
            None,
            "a deleted account has no page"
        );

        let e = event(
            action::SALE_CREATE,
            Some(("ann", 2)),
            Some("sale:12"),
            Some("total 22329 cents"),
        );
        assert_eq!(e.whom.and_then(|w| w.href).as_deref(), Some("/sales/12"));
        let details = e.details.unwrap_or_default();
        assert!(
            details.starts_with("total ") && details.contains("223") && !details.contains("cents"),
            "{details}"
        );

        let e = event(
            action::EXPORT,
            Some(("root", 1)),
            Some("users"),
            Some("q=ann&sort=username"),
        );
        assert_eq!(e.whom.map(|w| w.text).as_deref(), Some("the users list"));
        assert_eq!(
            e.details.as_deref(),
            Some("filters: q = ann, sort = username")
        );
        let e = event(
            action::PRODUCT_UPDATE,
            Some(("root", 1)),
            Some("product:MUG-1"),
            None,
        );
        assert_eq!(
            e.whom.and_then(|w| w.href).as_deref(),
            Some("/admin/products?q=MUG-1")
        );
        let e = event(
            action::LOGIN_FAILED,
            None,
            Some("login:ghost"),
            Some("unknown login"),
        );
        assert_eq!(
            e.whom.map(|w| w.text).as_deref(),
            Some("\u{201c}ghost\u{201d}")
        );
    }
}
