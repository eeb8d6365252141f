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
}

impl Event {
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
        }
    }
}
