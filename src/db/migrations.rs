//! Which migrations a database has: `portero migrate --status`.

use sqlx::migrate::Migrator;

use super::AppPool;

/// One migration, known to this build, to the database, or to both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    pub version: i64,
    pub description: String,
    pub state: MigrationState,
}

/// Where a migration stands in this database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MigrationState {
    /// Applied at this time (UTC, `YYYY-MM-DD HH:MM:SS`).
    Applied(String),
    /// Started but did not finish; `portero migrate` refuses to go on.
    Failed(String),
    Pending,
    /// Applied by a newer build: this binary does not know it.
    Unknown(String),
}

fn migrator(pool: &AppPool) -> Migrator {
    match pool {
        AppPool::Sqlite(_) => sqlx::migrate!("migrations/sqlite"),
        AppPool::Postgres(_) => sqlx::migrate!("migrations/postgres"),
    }
}

/// Every migration of this build and of the database, by version. Reads only.
pub async fn status(pool: &AppPool) -> Result<Vec<MigrationStatus>, sqlx::Error> {
    let applied: Vec<(i64, String, String, bool)> = match pool {
        AppPool::Sqlite(p) => {
            let exists: Vec<(String,)> = sqlx::query_as(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
            )
            .fetch_all(p)
            .await?;
            if exists.is_empty() {
                Vec::new()
            } else {
                sqlx::query_as(
                    "SELECT version, description, CAST(installed_on AS TEXT), success \
                     FROM _sqlx_migrations ORDER BY version",
                )
                .fetch_all(p)
                .await?
            }
        }
        AppPool::Postgres(p) => {
            let (exists,): (bool,) =
                sqlx::query_as("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
                    .fetch_one(p)
                    .await?;
            if exists {
                sqlx::query_as(
                    "SELECT version, description, \
                     to_char(installed_on AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), success \
                     FROM _sqlx_migrations ORDER BY version",
                )
                .fetch_all(p)
                .await?
            } else {
                Vec::new()
            }
        }
    };
    let mut listed: Vec<MigrationStatus> = migrator(pool)
        .iter()
        .map(|migration| {
            let row = applied.iter().find(|row| row.0 == migration.version);
            MigrationStatus {
                version: migration.version,
                description: migration.description.to_string(),
                state: match row {
                    Some((_, _, at, true)) => MigrationState::Applied(at.clone()),
                    Some((_, _, at, false)) => MigrationState::Failed(at.clone()),
                    None => MigrationState::Pending,
                },
            }
        })
        .collect();
    for (version, description, at, _) in applied {
        if !listed.iter().any(|known| known.version == version) {
            listed.push(MigrationStatus {
                version,
                description,
                state: MigrationState::Unknown(at),
            });
        }
    }
    listed.sort_by_key(|migration| migration.version);
    Ok(listed)
}

/// The listing as `portero migrate --status` prints it.
pub fn table(listed: &[MigrationStatus]) -> String {
    let width = listed
        .iter()
        .map(|m| m.description.len())
        .max()
        .unwrap_or(0)
        .max("description".len());
    let mut out = format!("{:<8} {:<width$} applied at\n", "version", "description");
    let (mut applied, mut pending) = (0, 0);
    for migration in listed {
        let state = match &migration.state {
            MigrationState::Applied(at) => {
                applied += 1;
                format!("{at} UTC")
            }
            MigrationState::Failed(at) => format!("FAILED (started {at} UTC)"),
            MigrationState::Pending => {
                pending += 1;
                "pending".to_owned()
            }
            MigrationState::Unknown(at) => format!("{at} UTC (not in this build)"),
        };
        out.push_str(&format!(
            "{:<8} {:<width$} {state}\n",
            format!("{:04}", migration.version),
            migration.description
        ));
    }
    out.push_str(&format!("{applied} applied, {pending} pending\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_shows_every_state() {
        let listed = [
            (1, MigrationState::Applied("2026-01-02 03:04:05".into())),
            (2, MigrationState::Failed("2026-01-02 03:04:06".into())),
            (3, MigrationState::Pending),
            (9, MigrationState::Unknown("2026-01-03 00:00:00".into())),
        ]
        .map(|(version, state)| MigrationStatus {
            version,
            description: format!("step {version}"),
            state,
        });
        let text = table(&listed);
        assert!(
            text.contains("0001     step 1      2026-01-02 03:04:05 UTC"),
            "{text}"
        );
        assert!(text.contains("FAILED"), "{text}");
        assert!(text.contains("0003     step 3      pending"), "{text}");
        assert!(text.contains("not in this build"), "{text}");
        assert!(text.ends_with("1 applied, 1 pending\n"), "{text}");
    }
}
