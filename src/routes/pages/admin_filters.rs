//! The filters of the admin lists (users, sales, audit log), read from the
//! query string once for both the page and its CSV export. A value that
//! cannot be used is an error shown on the filter form, never silently
//! ignored; the form keeps what was typed.

use std::collections::BTreeMap;

use serde::Serialize;
use time::{Duration, OffsetDateTime};

use super::view::query_value;
use crate::db::audit::AuditFilter;
use crate::db::sales::{SaleFilter, SaleSort};
use crate::db::users::{UserFilter, UserSort};
use crate::domain::Role;
use crate::i18n::Lang;
use crate::routes::paging::parse_instant;
use crate::services::users as user_service;
use crate::state::App;

/// Field errors as the form macros take them: `{field: [message]}`.
pub type Errors = BTreeMap<String, Vec<String>>;

/// Longest search text kept.
const MAX_Q: usize = 100;

fn error(errors: &mut Errors, field: &str, message: String) {
    errors.entry(field.to_owned()).or_default().push(message);
}

/// `key=value&…` of the non-empty values, for links and the export.
fn query(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(key, value)| format!("{key}={}", query_value(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Whether `text` is a yes/no filter: `Ok(None)` when empty.
fn flag(text: &str) -> Result<Option<bool>, ()> {
    match text {
        "" => Ok(None),
        "true" | "yes" | "1" => Ok(Some(true)),
        "false" | "no" | "0" => Ok(Some(false)),
        _ => Err(()),
    }
}

/// A day or instant, for a "from" or inclusive "to" bound.
fn bound(errors: &mut Errors, field: &str, text: &str, lang: Lang) -> Option<OffsetDateTime> {
    if text.is_empty() {
        return None;
    }
    match parse_instant(text) {
        Ok(at) => Some(at),
        Err(_) => {
            error(errors, field, lang.t("filter-not-a-date"));
            None
        }
    }
}

/// The user list's query string, as typed.
#[derive(Debug, Default, Clone, Serialize)]
pub struct UserParams {
    pub q: String,
    pub role: String,
    pub active: String,
    pub verified: String,
    pub sort: String,
}

impl UserParams {
    pub fn new(
        q: Option<String>,
        role: Option<String>,
        active: Option<String>,
        verified: Option<String>,
        sort: Option<String>,
    ) -> Self {
        let text = |value: Option<String>| value.unwrap_or_default().trim().to_owned();
        UserParams {
            q: text(q),
            role: text(role),
            active: text(active),
            verified: text(verified),
            sort: text(sort),
        }
    }

    /// The filter and order, or what is wrong with them.
    pub fn parse(&self, lang: Lang) -> Result<(UserFilter, UserSort), Errors> {
        let mut errors = Errors::new();
        if self.q.chars().count() > MAX_Q {
            error(
                &mut errors,
                "q",
                lang.t_with("filter-q-too-long", &[("max", MAX_Q.into())]),
            );
        }
        let role = match self.role.as_str() {
            "" => None,
            text => match text.parse::<Role>() {
                Ok(role) => Some(role),
                Err(_) => {
                    error(&mut errors, "role", lang.t("filter-role-unknown"));
                    None
                }
            },
        };
        let mut yes_no = |field: &str, text: &str, message: String| {
            flag(text).unwrap_or_else(|()| {
                error(&mut errors, field, message);
                None
            })
        };
        let active = yes_no("active", &self.active, lang.t("filter-active-unknown"));
        let verified = yes_no(
            "verified",
            &self.verified,
            lang.t("filter-verified-unknown"),
        );
        let sort = if self.sort.is_empty() {
            UserSort::default()
        } else {
            UserSort::parse(&self.sort).unwrap_or_else(|| {
                error(&mut errors, "sort", lang.t("filter-order-unknown"));
                UserSort::default()
            })
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let filter = UserFilter {
            q: Some(self.q.clone()).filter(|q| !q.is_empty()),
            role,
            active,
            verified,
            count_at_most: None,
        };
        Ok((filter, sort))
    }

    /// The filters (not the page) as a query string.
    pub fn query(&self) -> String {
        query(&[
            ("q", &self.q),
            ("role", &self.role),
            ("active", &self.active),
            ("verified", &self.verified),
            ("sort", &self.sort),
        ])
    }
}

/// The sales list's query string, as typed.
#[derive(Debug, Default, Clone, Serialize)]
pub struct SaleParams {
    pub user: String,
    pub from: String,
    pub to: String,
    pub sort: String,
}

impl SaleParams {
    pub fn new(
        user: Option<String>,
        from: Option<String>,
        to: Option<String>,
        sort: Option<String>,
    ) -> Self {
        let text = |value: Option<String>| value.unwrap_or_default().trim().to_owned();
        SaleParams {
            user: crate::db::bindable(&text(user)).to_lowercase(),
            from: text(from),
            to: text(to),
            sort: text(sort),
        }
    }

    /// The order asked for (the default when none was, or when it is not
    /// one offered: `parse` names that error).
    pub fn order(&self) -> SaleSort {
        SaleSort::parse(&self.sort).unwrap_or_default()
    }

    /// The filter, or what is wrong with it. The customer is a username
    /// or an id; an unknown one is an error, not an empty list.
    pub async fn parse(
        &self,
        app: &App<'_>,
        lang: Lang,
    ) -> crate::error::AppResult<Result<SaleFilter, Errors>> {
        let mut errors = Errors::new();
        let from = bound(&mut errors, "from", &self.from, lang);
        let to = bound(&mut errors, "to", &self.to, lang);
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            error(&mut errors, "to", lang.t("filter-end-before-start"));
        }
        if !self.sort.is_empty() && SaleSort::parse(&self.sort).is_none() {
            error(&mut errors, "sort", lang.t("filter-order-unknown"));
        }
        let user_id = if self.user.is_empty() {
            None
        } else if let Ok(id) = self.user.parse::<i64>() {
            Some(id)
        } else {
            match user_service::find_by_username(app, &self.user).await? {
                Some(user) => Some(user.id),
                None => {
                    error(&mut errors, "user", lang.t("filter-user-unknown"));
                    None
                }
            }
        };
        if !errors.is_empty() {
            return Ok(Err(errors));
        }
        Ok(Ok(SaleFilter {
            user_id,
            from,
            // A day given as "to" counts whole.
            to: to.map(|t| t + Duration::days(1)),
            sort: self.order(),
        }))
    }

    pub fn query(&self) -> String {
        query(&[
            ("user", &self.user),
            ("from", &self.from),
            ("to", &self.to),
            ("sort", &self.sort),
        ])
    }
}

/// The audit log's query string, as typed.
#[derive(Debug, Default, Clone, Serialize)]
pub struct AuditParams {
    pub actor: String,
    pub action: String,
    pub from: String,
    pub to: String,
}

impl AuditParams {
    pub fn new(
        actor: Option<String>,
        action: Option<String>,
        from: Option<String>,
        to: Option<String>,
    ) -> Self {
        let text = |value: Option<String>| value.unwrap_or_default().trim().to_owned();
        AuditParams {
            actor: crate::db::bindable(&text(actor)).to_lowercase(),
            action: text(action),
            from: text(from),
            to: text(to),
        }
    }

    pub fn parse(&self, lang: Lang) -> Result<AuditFilter, Errors> {
        let mut errors = Errors::new();
        if !self.action.is_empty() && !crate::audit::action::ALL.contains(&self.action.as_str()) {
            error(&mut errors, "action", lang.t("filter-action-unknown"));
        }
        let from = bound(&mut errors, "from", &self.from, lang);
        let to = bound(&mut errors, "to", &self.to, lang);
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            error(&mut errors, "to", lang.t("filter-end-before-start"));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(AuditFilter {
            actor: Some(self.actor.clone()).filter(|a| !a.is_empty()),
            action: Some(self.action.clone()).filter(|a| !a.is_empty()),
            user_id: None,
            from,
            to: to.map(|t| t + Duration::days(1)),
        })
    }

    pub fn query(&self) -> String {
        query(&[
            ("actor", &self.actor),
            ("action", &self.action),
            ("from", &self.from),
            ("to", &self.to),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_user_filters_are_named_and_good_ones_kept() {
        let params = UserParams::new(
            Some("x".repeat(101)),
            Some("emperor".into()),
            Some("maybe".into()),
            Some("perhaps".into()),
            Some("shoe_size".into()),
        );
        let errors = params.parse(Lang::En).expect_err("all invalid");
        assert_eq!(
            errors.keys().collect::<Vec<_>>(),
            ["active", "q", "role", "sort", "verified"]
        );
        let params = UserParams::new(
            Some(" ann ".into()),
            Some("admin".into()),
            Some("false".into()),
            None,
            Some("email_desc".into()),
        );
        let (filter, sort) = params.parse(Lang::En).expect("valid");
        assert_eq!(filter.q.as_deref(), Some("ann"));
        assert_eq!(
            (filter.role, filter.active, filter.verified),
            (Some(Role::Admin), Some(false), None)
        );
        assert_eq!(sort, UserSort::EmailDesc);
        assert_eq!(
            params.query(),
            "q=ann&role=admin&active=false&sort=email_desc"
        );
    }

    #[test]
    fn bad_audit_filters_are_named() {
        let params = AuditParams::new(
            None,
            Some("explode".into()),
            Some("2026-13-45".into()),
            None,
        );
        let errors = params.parse(Lang::En).expect_err("invalid");
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["action", "from"]);
        let params = AuditParams::new(
            None,
            None,
            Some("2026-02-01".into()),
            Some("2026-01-01".into()),
        );
        assert!(
            params
                .parse(Lang::En)
                .expect_err("reversed")
                .contains_key("to")
        );
        let params = AuditParams::new(
            Some("Ada".into()),
            Some("login".into()),
            Some("2026-01-01".into()),
            Some("2026-01-01".into()),
        );
        let filter = params.parse(Lang::En).expect("valid");
        assert_eq!(filter.actor.as_deref(), Some("ada"));
        assert_eq!(
            filter.to.map(|t| t - filter.from.unwrap_or(t)),
            Some(Duration::days(1))
        );
    }
}
