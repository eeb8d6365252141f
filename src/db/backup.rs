//! `portero backup FILE`: an online, consistent copy of a SQLite database.
//!
//! `VACUUM INTO` writes a compact copy from one read transaction, so the
//! copy is consistent while the server keeps serving (writers are not
//! blocked in WAL mode). Restoring is copying the file back while Portero
//! is stopped. PostgreSQL has its own tools (`pg_dump`).

use std::path::Path;

use super::{AppConn, AppPool};

/// Copies the database into `to`, which must not exist yet.
pub async fn backup(pool: &AppPool, to: &Path) -> Result<(), String> {
    if to.exists() {
        return Err(format!(
            "{} already exists; choose a new file",
            to.display()
        ));
    }
    let target = to
        .to_str()
        .ok_or_else(|| format!("{} is not a UTF-8 path", to.display()))?;
    let conn = pool
        .acquire()
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    match conn {
        AppConn::Sqlite(mut conn) => sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&mut *conn)
            .await
            .map(|_| ())
            .map_err(|e| format!("backup failed: {e}")),
        AppConn::Postgres(_) => {
            Err("backup copies SQLite databases; for PostgreSQL use pg_dump".to_owned())
        }
    }
}
