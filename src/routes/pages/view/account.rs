//! People and their sessions, as pages show them.

use serde::Serialize;

use super::Formats;
use crate::auth::CurrentUser;
use crate::db::sessions::SessionRecord;
use crate::domain::Role;
use crate::views::{SessionView, UserView};

/// Who is logged in, as the layout shows it on every page.
#[derive(Debug, Clone, Serialize)]
pub struct SignedIn {
    pub id: i64,
    pub username: String,
    pub first_name: String,
    pub is_admin: bool,
}

impl From<&CurrentUser> for SignedIn {
    fn from(current: &CurrentUser) -> Self {
        SignedIn {
            id: current.user.id,
            username: current.user.username.clone(),
            first_name: current.user.first_name.clone(),
            is_admin: current.user.is_admin(),
        }
    }
}

/// An account: the API's projection with its instants written out.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub role: Role,
    pub is_admin: bool,
    pub is_active: bool,
    pub email_verified_at: Option<String>,
    pub last_login_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Two-factor sign-in is on.
    pub mfa_enabled: bool,
}

impl User {
    pub fn new(user: &crate::db::users::User, formats: &Formats) -> Self {
        let view = UserView::from(user.clone());
        User {
            id: view.id,
            is_admin: view.role == Role::Admin,
            role: view.role,
            username: view.username,
            email: view.email,
            first_name: view.first_name,
            last_name: view.last_name,
            address: view.address,
            phone: view.phone,
            is_active: view.is_active,
            email_verified_at: formats.opt_datetime(view.email_verified_at),
            last_login_at: formats.opt_datetime(view.last_login_at),
            created_at: formats.datetime(view.created_at),
            updated_at: formats.datetime(view.updated_at),
            mfa_enabled: view.mfa_enabled,
        }
    }
}

/// A session in a table of sessions.
#[derive(Debug, Clone, Serialize)]
pub struct Session {
    pub id: i64,
    /// The session that made this request.
    pub current: bool,
    pub created_at: String,
    pub last_seen_at: String,
    pub expires_at: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// "Chrome 156 on Linux"; the full agent goes in a tooltip.
    pub browser: Option<String>,
}

impl Session {
    /// `current_id` is the viewer's own session, when the list is theirs.
    pub fn new(record: &SessionRecord, current_id: Option<i64>, formats: &Formats) -> Self {
        let current = Some(record.id) == current_id;
        let view = SessionView::new(record.clone(), Some(record.id));
        Session {
            id: view.id,
            current,
            created_at: formats.datetime(view.created_at),
            last_seen_at: formats.datetime(view.last_seen_at),
            expires_at: formats.datetime(view.expires_at),
            ip: view.ip,
            browser: view.user_agent.as_deref().map(browser_summary),
            user_agent: view.user_agent,
        }
    }
}

/// "Chrome 156 on Linux" from a user-agent string, for tables; the full
/// string stays available as a tooltip. Unknown agents are cut short.
pub fn browser_summary(agent: &str) -> String {
    // Order matters: Edge and Opera also claim Chrome, Chrome claims Safari.
    const BROWSERS: [(&str, &str); 6] = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Version/", "Safari"),
        ("curl/", "curl"),
    ];
    const SYSTEMS: [(&str, &str); 6] = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ];
    let browser = BROWSERS.iter().find_map(|(marker, name)| {
        let start = agent.find(marker)? + marker.len();
        let major: String = agent[start..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        Some(if major.is_empty() {
            (*name).to_owned()
        } else {
            format!("{name} {major}")
        })
    });
    let system = SYSTEMS
        .iter()
        .find(|(marker, _)| agent.contains(marker))
        .map(|(_, name)| *name);
    match (browser, system) {
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(browser), None) => browser,
        _ => agent.chars().take(40).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::browser_summary;

    #[test]
    fn summarises_common_agents() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
        assert_eq!(browser_summary(chrome), "Chrome 156 on Linux");
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36 Edg/120.0";
        assert_eq!(browser_summary(edge), "Edge 120 on Windows");
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(browser_summary(safari), "Safari 17 on iOS");
        assert_eq!(browser_summary("curl/8.5.0"), "curl 8");
        assert_eq!(browser_summary("x".repeat(100).as_str()).len(), 40);
    }
}
