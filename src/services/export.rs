//! CSV exports of the admin lists (users, sales, audit log) in constant
//! memory, whatever their size.
//!
//! The rows are read as the database sends them (one statement, so one
//! consistent snapshot on PostgreSQL) by a task of their own, written into
//! CSV and handed over in chunks of about 64 KiB through a channel of four:
//! a slow reader slows the query down instead of filling memory, and one
//! that goes away stops it. Who exported what is audited before the first
//! byte is sent.

use std::future::Future;

use rocket::tokio::sync::mpsc;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::actor::Actor;
use crate::audit::{Event, action};
use crate::db::AppConn;
use crate::db::audit::{self, AuditFilter};
use crate::db::sales::{self, SaleFilter};
use crate::db::users::{self, UserFilter, UserSort};
use crate::error::AppResult;
use crate::state::App;

/// Bytes gathered before a chunk is handed over.
const CHUNK: usize = 64 * 1024;
/// Chunks that may wait for a slow reader.
const CHANNEL: usize = 4;

/// What to export, with the list's own filters.
#[derive(Debug, Clone)]
pub enum Export {
    Users(UserFilter, UserSort),
    Sales(SaleFilter),
    Audit(AuditFilter),
}

impl Export {
    /// The file's name stem and the audit log's word for it.
    pub fn name(&self) -> &'static str {
        match self {
            Export::Users(..) => "users",
            Export::Sales(_) => "sales",
            Export::Audit(_) => "audit",
        }
    }
}

/// Starts an export: records who asked for what, takes a connection (so a
/// database that is down is an error page, not an empty file) and returns
/// the chunks of the CSV file as they are made.
pub async fn start(
    app: &App<'_>,
    actor: &Actor,
    export: Export,
    described: &str,
) -> AppResult<mpsc::Receiver<Vec<u8>>> {
    let now = app.now();
    let mut conn = app.acquire().await?;
    Event::by(action::EXPORT, actor)
        .target_text(export.name())
        .detail(if described.is_empty() {
            "everything".to_owned()
        } else {
            described.to_owned()
        })
        .record(&mut conn, now)
        .await?;
    let (tx, rx) = mpsc::channel(CHANNEL);
    rocket::tokio::spawn(async move {
        if let Err(error) = write(conn, export, tx).await {
            // The status line is long gone: the file ends short, and the log says why.
            tracing::error!("CSV export stopped: {error}");
        }
    });
    Ok(rx)
}

async fn write(mut conn: AppConn, export: Export, tx: mpsc::Sender<Vec<u8>>) -> AppResult<()> {
    let mut csv = CsvChunks::new(tx);
    match export {
        Export::Users(filter, sort) => {
            let header = [
                "id",
                "username",
                "email",
                "first_name",
                "last_name",
                "address",
                "phone",
                "role",
                "is_active",
                "email_verified_at",
                "last_login_at",
                "created_at",
            ];
            if !csv.push(header).await {
                return Ok(());
            }
            users::each(&mut conn, &filter, sort, |u| {
                csv.push([
                    u.id.to_string(),
                    cell(&u.username),
                    cell(&u.email),
                    cell(&u.first_name),
                    cell(&u.last_name),
                    cell(u.address.as_deref().unwrap_or("")),
                    cell(u.phone.as_deref().unwrap_or("")),
                    u.role,
                    u.is_active.to_string(),
                    instant(u.email_verified_at),
                    instant(u.last_login_at),
                    instant(Some(u.created_at)),
                ])
            })
            .await?;
        }
        Export::Sales(filter) => {
            let header = [
                "id",
                "created_at",
                "user_id",
                "username",
                "items",
                "units",
                "total",
                "total_cents",
            ];
            if !csv.push(header).await {
                return Ok(());
            }
            sales::each_line(&mut conn, &filter, |s| {
                csv.push([
                    s.id.to_string(),
                    instant(Some(s.created_at)),
                    s.user_id.to_string(),
                    cell(&s.username),
                    s.items.to_string(),
                    s.units.to_string(),
                    decimal(s.total_cents),
                    s.total_cents.to_string(),
                ])
            })
            .await?;
        }
        Export::Audit(filter) => {
            let header = [
                "id",
                "at",
                "actor_id",
                "actor",
                "action",
                "target_user_id",
                "target",
                "ip",
                "detail",
            ];
            if !csv.push(header).await {
                return Ok(());
            }
            audit::each(&mut conn, &filter, |e| {
                csv.push([
                    e.id.to_string(),
                    instant(Some(e.at)),
                    e.actor_id.map(|id| id.to_string()).unwrap_or_default(),
                    cell(e.actor_name.as_deref().unwrap_or("")),
                    e.action,
                    e.target_user_id
                        .map(|id| id.to_string())
                        .unwrap_or_default(),
                    cell(e.target.as_deref().unwrap_or("")),
                    cell(e.ip.as_deref().unwrap_or("")),
                    cell(e.detail.as_deref().unwrap_or("")),
                ])
            })
            .await?;
        }
    }
    csv.finish().await;
    Ok(())
}

/// CSV records gathered into chunks for the channel.
struct CsvChunks {
    writer: csv::Writer<Vec<u8>>,
    tx: mpsc::Sender<Vec<u8>>,
}

impl CsvChunks {
    fn new(tx: mpsc::Sender<Vec<u8>>) -> Self {
        CsvChunks {
            writer: Self::writer(),
            tx,
        }
    }

    /// RFC 4180: CRLF line ends, quotes only where needed.
    fn writer() -> csv::Writer<Vec<u8>> {
        csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::with_capacity(CHUNK + 16 * 1024))
    }

    /// Adds a record; the future sends a full chunk, and answers false once
    /// the reader has gone. It owns what it needs, so the row callback can
    /// return it while the next row is read.
    fn push<I, T>(&mut self, record: I) -> impl Future<Output = bool> + use<I, T>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        let written = self.writer.write_record(record).is_ok();
        let full = self.writer.get_ref().len() >= CHUNK;
        let chunk = (written && full).then(|| self.take());
        let tx = self.tx.clone();
        async move {
            match chunk {
                Some(chunk) => tx.send(chunk).await.is_ok(),
                None => written && !tx.is_closed(),
            }
        }
    }

    fn take(&mut self) -> Vec<u8> {
        // Writing to a Vec cannot fail; `into_inner` flushes csv's own
        // buffer into it first.
        let full = std::mem::replace(&mut self.writer, Self::writer());
        full.into_inner().unwrap_or_default()
    }

    async fn finish(mut self) {
        let rest = self.take();
        if !rest.is_empty() {
            let _ = self.tx.send(rest).await;
        }
    }
}

/// A text cell made safe to open in a spreadsheet: one that starts like a
/// formula (`=`, `+`, `-`, `@`, tab, carriage return) gets a leading `'`,
/// as OWASP advises against CSV injection.
pub fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// An instant as RFC 3339 in UTC; empty when absent.
fn instant(at: Option<OffsetDateTime>) -> String {
    at.and_then(|at| at.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// Cents as a plain decimal (`1234` → `12.34`), which spreadsheets read
/// as a number in any locale's import dialog.
fn decimal(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}{}.{:02}", cents / 100, cents % 100)
}

#[cfg(test)]
mod tests {
    use super::{cell, decimal, instant};

    #[test]
    fn cells_that_look_like_formulas_are_defused() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("@SUM"), "'@SUM");
        assert_eq!(cell("ada"), "ada");
        assert_eq!(cell(""), "");
    }

    #[test]
    fn money_and_instants_are_plain() {
        assert_eq!(decimal(123_456), "1234.56");
        assert_eq!(decimal(5), "0.05");
        assert_eq!(decimal(-250), "-2.50");
        assert_eq!(instant(None), "");
        assert_eq!(
            instant(Some(time::macros::datetime!(2026-01-02 03:04:05 UTC))),
            "2026-01-02T03:04:05Z"
        );
    }
}
