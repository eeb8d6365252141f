//! The unit of work: [`AppConn`], one pooled connection of either backend,
//! and [`AppTx`], a transaction that owns its connection.
//!
//! Every function in `db/` takes `&mut AppConn`. An `AppTx` dereferences to
//! its connection, so the same function runs on its own or as one step of
//! a transaction, and a service operation reads:
//!
//! ```text
//! let mut tx = app.begin().await?;
//! let user = users::find(&mut tx, id).await?;      // reads that decide…
//! users::update(&mut tx, id, &changes, now).await?; // …the writes…
//! Event::by(actor, action::USER_UPDATE).record(&mut tx, now).await?; // …the audit event
//! tx.commit().await?;
//! ```
//!
//! A transaction is started by consuming a connection ([`AppConn::begin`]
//! takes `self`), and an `AppTx` only lends `&mut AppConn`, so a transaction
//! cannot be started inside another one:
//!
//! ```compile_fail
//! async fn nested(pool: &portero::db::AppPool) -> Result<(), sqlx::Error> {
//!     let mut tx = pool.begin().await?;
//!     let inner = (*tx).begin().await?; // cannot move the connection out of `tx`
//!     inner.commit().await
//! }
//! ```
//!
//! While a transaction is open, run every statement of the operation on it:
//! on SQLite a write through another connection would wait for this
//! transaction's lock until the busy timeout. Never move a connection into
//! or out of a transaction through the `&mut AppConn` it lends (with
//! `std::mem::swap`, say): the transaction ends the connection it holds.

use std::ops::{Deref, DerefMut};

use sqlx::pool::PoolConnection;
use sqlx::{Executor, Postgres, Sqlite};

use super::Backend;

/// Runs one expression on whichever backend a `&mut AppConn` holds; `$c`
/// is the backend's `&mut` connection.
///
/// The body is compiled once per backend, so a query written with generic
/// sqlx calls and `$n` placeholders serves both. A body running several
/// statements passes `&mut *$c` to all but the last.
macro_rules! on_conn {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::AppConn::Sqlite($c) => {
                let $c = &mut **$c;
                $body
            }
            $crate::db::AppConn::Postgres($c) => {
                let $c = &mut **$c;
                $body
            }
        }
    };
}
pub(crate) use on_conn;

/// One connection checked out of the pool; it goes back when dropped.
#[derive(Debug)]
// PostgreSQL's connection is held inline (about 440 bytes): it is moved a
// few times per operation, which costs less than an allocation per checkout.
#[allow(clippy::large_enum_variant)]
pub enum AppConn {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

impl AppConn {
    /// Which backend this connection talks to.
    pub fn backend(&self) -> Backend {
        match self {
            AppConn::Sqlite(_) => Backend::Sqlite,
            AppConn::Postgres(_) => Backend::Postgres,
        }
    }

    /// Starts a transaction on this connection.
    ///
    /// SQLite gets `BEGIN IMMEDIATE`, which takes the write lock at once: a
    /// transaction that reads and then writes cannot be overtaken between
    /// the two (a deferred `BEGIN`, all that sqlx 0.7's `begin()` issues,
    /// would let two of them read the same state and fail or race when
    /// upgrading to write). The busy timeout makes other writers queue.
    /// PostgreSQL gets a plain `BEGIN` (READ COMMITTED); rules that read
    /// before they write lock what they read (`SELECT … FOR UPDATE`, an
    /// advisory lock).
    ///
    /// sqlx's own `Transaction` is not used: it counts its nesting depth on
    /// the client, and sqlx 0.7.4's SQLite worker keeps that count when
    /// SQLite ends a transaction by itself (after `SQLITE_FULL`, say; sqlx
    /// issue #3742), so the pooled connection would stay "in a transaction"
    /// for ever. Here the statements are ours, and any failure to begin,
    /// commit or roll back closes the connection instead of returning it to
    /// the pool in an unknown state.
    pub async fn begin(mut self) -> Result<AppTx, sqlx::Error> {
        let begin = match self.backend() {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        };
        match self.run(begin).await {
            Ok(()) => Ok(AppTx {
                conn: Some(self),
                state: TxState::Open,
            }),
            Err(error) => {
                tracing::warn!(%error, "{begin} failed; closing the connection");
                self.discard();
                Err(error)
            }
        }
    }

    /// One statement without parameters (the simple protocol on PostgreSQL).
    async fn run(&mut self, sql: &'static str) -> Result<(), sqlx::Error> {
        on_conn!(self, |c| c.execute(sql).await.map(|_| ()))
    }

    /// Closes the connection rather than returning it to the pool: the
    /// backend rolls back whatever it had open, and the pool opens a new one
    /// when needed.
    fn discard(self) {
        match self {
            AppConn::Sqlite(conn) => drop(conn.detach()),
            AppConn::Postgres(conn) => drop(conn.detach()),
        }
    }
}

/// Where a transaction stands; decides what happens to its connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TxState {
    Open,
    /// Committed or rolled back: the connection is clean.
    Ended,
    /// COMMIT or ROLLBACK failed: nobody knows what the connection holds.
    Broken,
}

/// A transaction owning its connection: [`commit`](AppTx::commit) makes its
/// statements durable; dropping it without committing rolls them back.
///
/// A dropped transaction (an early `?` return, a panic, a cancelled
/// request) hands its connection to a spawned task that runs `ROLLBACK`
/// and returns it to the pool, or closes it if the rollback fails or no
/// runtime is left to run it. Either way no pooled connection is ever left
/// inside a transaction.
#[derive(Debug)]
pub struct AppTx {
    /// `Some` from `begin` until `drop`: only `Drop` takes it (as sqlx's
    /// own `PoolConnection` does with its connection).
    conn: Option<AppConn>,
    state: TxState,
}

const HOLDS_ITS_CONNECTION: &str = "a transaction holds its connection until it is dropped";

impl AppTx {
    /// Makes the transaction's changes durable. On failure the backend has
    /// rolled them back (or will, as the connection is closed).
    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        self.end("COMMIT").await
    }

    /// Undoes the transaction's changes now, rather than when dropped.
    pub async fn rollback(mut self) -> Result<(), sqlx::Error> {
        self.end("ROLLBACK").await
    }

    async fn end(&mut self, sql: &'static str) -> Result<(), sqlx::Error> {
        // The state changes only once the statement has answered: a future
        // cancelled while waiting leaves the transaction open, and `Drop`
        // rolls it back.
        let result = self.run(sql).await;
        self.state = match &result {
            Ok(()) => TxState::Ended,
            Err(error) => {
                tracing::warn!(%error, "{sql} failed; closing the connection");
                TxState::Broken
            }
        };
        result
    }
}

impl Deref for AppTx {
    type Target = AppConn;

    fn deref(&self) -> &AppConn {
        self.conn.as_ref().expect(HOLDS_ITS_CONNECTION)
    }
}

impl DerefMut for AppTx {
    fn deref_mut(&mut self) -> &mut AppConn {
        self.conn.as_mut().expect(HOLDS_ITS_CONNECTION)
    }
}

impl Drop for AppTx {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else {
            return;
        };
        match self.state {
            // Back to the pool.
            TxState::Ended => drop(conn),
            TxState::Broken => conn.discard(),
            TxState::Open => match tokio::runtime::Handle::try_current() {
                Ok(runtime) => {
                    runtime.spawn(roll_back(conn));
                }
                Err(_) => {
                    tracing::warn!(
                        "a transaction was dropped outside a runtime; closing its connection"
                    );
                    conn.discard();
                }
            },
        }
    }
}

/// Rolls back a dropped transaction, returning its connection to the pool,
/// or closes the connection when the rollback fails.
async fn roll_back(mut conn: AppConn) {
    if let Err(error) = conn.run("ROLLBACK").await {
        tracing::warn!(%error, "ROLLBACK of a dropped transaction failed; closing the connection");
        conn.discard();
    }
}
