//! All SQL touching `users`.

use schemars::JsonSchema;
use serde::Serialize;
use sqlx::FromRow;
use time::OffsetDateTime;

use super::search::{self, Searched};
use super::{
    AppConn, AppTx, Backend, Filter, ListSql, first_row, for_update, is_unique_violation, on_conn,
    single_row, violated_constraint,
};
use crate::domain::{FieldErrors, Role};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;

/// A stored account. The password hash lives in [`Credentials`], never here,
/// so no view built from a `User` can leak it.
#[derive(Debug, Clone, FromRow)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub role: String,
    pub is_active: bool,
    pub email_verified_at: Option<OffsetDateTime>,
    pub last_login_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// The language the user chose (`en`, `es`); none until they choose.
    pub locale: Option<String>,
}

impl User {
    pub fn role(&self) -> Role {
        self.role.parse().unwrap_or(Role::User)
    }

    pub fn is_admin(&self) -> bool {
        self.role() == Role::Admin
    }
}

/// The columns of [`User`], for SELECTs and RETURNING clauses.
pub const USER_COLUMNS: &str = "id, username, email, first_name, last_name, address, phone, role, \
     is_active, email_verified_at, last_login_at, created_at, updated_at, locale";

/// A user with the password hash, for login and password changes only.
#[derive(Debug, Clone, FromRow)]
pub struct Credentials {
    #[sqlx(flatten)]
    pub user: User,
    pub password_hash: String,
}

/// A validated new account.
#[derive(Debug)]
pub struct NewUser {
    pub username: String,
    pub email: String,
    pub password_hash: String,
    pub first_name: String,
    pub last_name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub role: Role,
    pub is_active: bool,
}

/// Validated changes; `None` leaves a column as it is.
#[derive(Debug, Default)]
pub struct UserChanges {
    /// A new, validated (lower-case) username: an administrator's rename.
    pub username: Option<String>,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub address: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub role: Option<Role>,
    pub is_active: Option<bool>,
    pub email_verified: Option<bool>,
}

/// The folded form of a name that searches compare against
/// (`first_name_key`…): Unicode lower case without accents, which SQLite's
/// own folding lacks.
pub fn search_key(text: &str) -> String {
    super::search::fold(text)
}

/// What the user search looks in.
const SEARCHED: Searched = Searched {
    fts_table: "users_fts",
    columns: &["username", "email", "first_name_key", "last_name_key"],
    pg_columns: &["username", "email", "first_name_key", "last_name_key"],
};

/// Maps a unique violation to a field error on the column it names.
fn conflict_from(error: sqlx::Error) -> AppError {
    if !is_unique_violation(&error) {
        return error.into();
    }
    let constraint = violated_constraint(&error).unwrap_or_default();
    let mut errors = FieldErrors::new();
    if constraint.contains("email") {
        errors.push("email", Msg::new("email-taken"));
    } else {
        errors.push("username", Msg::new("username-taken"));
    }
    AppError::Conflict(errors)
}

pub async fn insert(conn: &mut AppConn, user: &NewUser, now: OffsetDateTime) -> AppResult<User> {
    let sql = format!(
        "INSERT INTO users (username, email, password_hash, first_name, last_name, address, phone, \
         role, is_active, created_at, updated_at, first_name_key, last_name_key) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12) RETURNING {USER_COLUMNS}"
    );
    on_conn!(conn, |c| sqlx::query_as::<_, User>(&sql)
        .bind(&user.username)
        .bind(&user.email)
        .bind(&user.password_hash)
        .bind(&user.first_name)
        .bind(&user.last_name)
        .bind(&user.address)
        .bind(&user.phone)
        .bind(user.role.as_str())
        .bind(user.is_active)
        .bind(now)
        .bind(search_key(&user.first_name))
        .bind(search_key(&user.last_name))
        .fetch_all(c)
        .await
        .and_then(single_row))
    .map_err(conflict_from)
}

pub async fn find(conn: &mut AppConn, id: i64) -> AppResult<Option<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
    Ok(on_conn!(conn, |c| sqlx::query_as::<_, User>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

/// [`find`] inside a transaction, locking the row until it ends
/// (PostgreSQL; on SQLite the transaction already holds the write lock).
pub async fn find_for_update(tx: &mut AppTx, id: i64) -> AppResult<Option<User>> {
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users WHERE id = $1{}",
        for_update(tx)
    );
    Ok(on_conn!(&mut **tx, |c| sqlx::query_as::<_, User>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

pub async fn find_by_username(conn: &mut AppConn, username: &str) -> AppResult<Option<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1");
    Ok(on_conn!(conn, |c| sqlx::query_as::<_, User>(&sql)
        .bind(username)
        .fetch_optional(c)
        .await)?)
}

/// Looks a login name up as a username or, when it contains `@`, an e-mail.
pub async fn credentials_by_login(
    conn: &mut AppConn,
    login: &str,
) -> AppResult<Option<Credentials>> {
    let column = if login.contains('@') {
        "email"
    } else {
        "username"
    };
    let sql = format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE {column} = $1");
    Ok(on_conn!(conn, |c| sqlx::query_as::<_, Credentials>(&sql)
        .bind(login)
        .fetch_optional(c)
        .await)?)
}

/// A user with the password hash, by id (for a password change).
pub async fn credentials(conn: &mut AppConn, id: i64) -> AppResult<Option<Credentials>> {
    let sql = format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE id = $1");
    Ok(on_conn!(conn, |c| sqlx::query_as::<_, Credentials>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

/// Saves the language the user chose with the switcher.
pub async fn set_locale(conn: &mut AppConn, id: i64, locale: &str) -> AppResult<()> {
    on_conn!(conn, |c| sqlx::query(
        "UPDATE users SET locale = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(locale)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Applies the changes in one UPDATE; unchanged columns keep their value.
pub async fn update(
    conn: &mut AppConn,
    id: i64,
    changes: &UserChanges,
    now: OffsetDateTime,
) -> AppResult<Option<User>> {
    // COALESCE keeps the stored value for NULL parameters; the two nullable
    // columns carry a separate "set" flag so they can also be cleared.
    let sql = format!(
        "UPDATE users SET \
           email = COALESCE($2, email), \
           first_name = COALESCE($3, first_name), \
           last_name = COALESCE($4, last_name), \
           address = CASE WHEN $5 THEN $6 ELSE address END, \
           phone = CASE WHEN $7 THEN $8 ELSE phone END, \
           role = COALESCE($9, role), \
           is_active = COALESCE($10, is_active), \
           email_verified_at = CASE WHEN $11 IS NULL THEN email_verified_at \
                                    WHEN $11 THEN COALESCE(email_verified_at, $12) \
                                    ELSE NULL END, \
           updated_at = $12, \
           first_name_key = COALESCE($13, first_name_key), \
           last_name_key = COALESCE($14, last_name_key), \
           username = COALESCE($15, username) \
         WHERE id = $1 RETURNING {USER_COLUMNS}"
    );
    on_conn!(conn, |c| sqlx::query_as::<_, User>(&sql)
        .bind(id)
        .bind(&changes.email)
        .bind(&changes.first_name)
        .bind(&changes.last_name)
        .bind(changes.address.is_some())
        .bind(changes.address.clone().flatten())
        .bind(changes.phone.is_some())
        .bind(changes.phone.clone().flatten())
        .bind(changes.role.map(Role::as_str))
        .bind(changes.is_active)
        .bind(changes.email_verified)
        .bind(now)
        .bind(changes.first_name.as_deref().map(search_key))
        .bind(changes.last_name.as_deref().map(search_key))
        .bind(&changes.username)
        .fetch_all(c)
        .await
        .map(first_row))
    .map_err(conflict_from)
}

/// Replaces the password hash, but only if it is still `old`: false when
/// another change got there first, so a password checked against `old`
/// never overwrites a newer one.
pub async fn replace_password_hash(
    conn: &mut AppConn,
    id: i64,
    old: &str,
    new: &str,
    now: OffsetDateTime,
) -> AppResult<bool> {
    let affected = on_conn!(conn, |c| {
        sqlx::query(
        "UPDATE users SET password_hash = $3, updated_at = $4 WHERE id = $1 AND password_hash = $2"
    )
    .bind(id)
    .bind(old)
    .bind(new)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(affected > 0)
}

/// Sets a new password hash whatever the old one was (a reset by link).
pub async fn set_password_hash(
    conn: &mut AppConn,
    id: i64,
    hash: &str,
    now: OffsetDateTime,
) -> AppResult<()> {
    on_conn!(conn, |c| sqlx::query(
        "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(id)
    .bind(hash)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn record_login(conn: &mut AppConn, id: i64, now: OffsetDateTime) -> AppResult<()> {
    on_conn!(conn, |c| sqlx::query(
        "UPDATE users SET last_login_at = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Deletes the account; sessions and sales go with it (ON DELETE CASCADE).
pub async fn delete(conn: &mut AppConn, id: i64) -> AppResult<bool> {
    let result = on_conn!(conn, |c| sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(result > 0)
}

/// The ids of the active administrators, locked until the transaction ends
/// (PostgreSQL `FOR UPDATE`, in id order so that concurrent callers queue
/// instead of deadlocking; SQLite's `BEGIN IMMEDIATE` already serialises
/// writers). A change that may remove an administrator takes this lock
/// first, so "is another one left?" cannot be answered from a stale read.
pub async fn lock_active_admins(tx: &mut AppTx) -> AppResult<Vec<i64>> {
    let sql = format!(
        "SELECT id FROM users WHERE role = 'admin' AND is_active = $1 ORDER BY id{}",
        for_update(tx)
    );
    Ok(on_conn!(&mut **tx, |c| sqlx::query_scalar::<_, i64>(&sql)
        .bind(true)
        .fetch_all(c)
        .await)?)
}

/// Sort orders offered by user lists; each has a matching index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserSort {
    #[default]
    Username,
    UsernameDesc,
    Email,
    EmailDesc,
    Created,
    CreatedDesc,
    LastLogin,
    LastLoginDesc,
}

impl UserSort {
    pub const ALL: [UserSort; 8] = [
        UserSort::Username,
        UserSort::UsernameDesc,
        UserSort::Email,
        UserSort::EmailDesc,
        UserSort::Created,
        UserSort::CreatedDesc,
        UserSort::LastLogin,
        UserSort::LastLoginDesc,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UserSort::Username => "username",
            UserSort::UsernameDesc => "username_desc",
            UserSort::Email => "email",
            UserSort::EmailDesc => "email_desc",
            UserSort::Created => "created",
            UserSort::CreatedDesc => "created_desc",
            UserSort::LastLogin => "last_login",
            UserSort::LastLoginDesc => "last_login_desc",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|sort| sort.as_str() == text)
    }

    fn order_by(self) -> &'static str {
        match self {
            UserSort::Username => "username ASC",
            UserSort::UsernameDesc => "username DESC",
            UserSort::Email => "email ASC",
            UserSort::EmailDesc => "email DESC",
            UserSort::Created => "created_at ASC, id ASC",
            UserSort::CreatedDesc => "created_at DESC, id DESC",
            // Users who never logged in come last either way, on both backends
            // (their defaults differ).
            UserSort::LastLogin => "last_login_at ASC NULLS LAST, id ASC",
            UserSort::LastLoginDesc => "last_login_at DESC NULLS LAST, id DESC",
        }
    }
}

/// Filters for user lists; every field is optional.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Case-insensitive prefix of username, e-mail, first or last name.
    pub q: Option<String>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub verified: Option<bool>,
    /// Stop counting matches past this many (the admin page shows "10000+"):
    /// an exact count of a million rows costs more than the page itself.
    pub count_at_most: Option<i64>,
}

/// The WHERE conditions of a user list or export.
fn conditions(backend: Backend, filter: &UserFilter) -> Filter {
    let mut conditions = Filter::new();
    if let Some(q) = filter.q.as_deref() {
        search::contains(&mut conditions, backend, &SEARCHED, q);
    }
    if let Some(role) = filter.role {
        conditions.and(role.as_str(), |p| format!("role = {p}"));
    }
    if let Some(active) = filter.active {
        conditions.and(active, |p| format!("is_active = {p}"));
    }
    match filter.verified {
        Some(true) => conditions.and_sql("email_verified_at IS NOT NULL"),
        Some(false) => conditions.and_sql("email_verified_at IS NULL"),
        None => &mut conditions,
    };
    conditions
}

/// One page of users and the total that match: one query for the rows, one
/// for the count, both answered from indexes for the offered filters.
pub async fn list(
    conn: &mut AppConn,
    filter: &UserFilter,
    sort: UserSort,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<User>, i64)> {
    let conditions = conditions(conn.backend(), filter);
    let rows = format!("SELECT {USER_COLUMNS} FROM users");
    let list = ListSql {
        rows: &rows,
        count_from: "FROM users",
        order_by: sort.order_by(),
        count_at_most: filter.count_at_most,
    };
    Ok(conditions.page(conn, &list, limit, offset).await?)
}

/// Every user the filter matches, in `sort` order, handed to `each` one at
/// a time as the database sends them (for exports of any size).
pub async fn each<F, Fut>(
    conn: &mut AppConn,
    filter: &UserFilter,
    sort: UserSort,
    each: F,
) -> AppResult<()>
where
    F: FnMut(User) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let conditions = conditions(conn.backend(), filter);
    let select = format!("SELECT {USER_COLUMNS} FROM users");
    Ok(conditions
        .each(conn, &select, sort.order_by(), each)
        .await?)
}

/// Counts for the admin dashboard: total, active, admins.
pub async fn counts(conn: &mut AppConn) -> AppResult<(i64, i64, i64)> {
    let sql = "SELECT COUNT(*), \
                      COALESCE(SUM(CASE WHEN is_active THEN 1 ELSE 0 END), 0), \
                      COALESCE(SUM(CASE WHEN role = 'admin' THEN 1 ELSE 0 END), 0) \
               FROM users";
    Ok(on_conn!(conn, |c| sqlx::query_as::<_, (i64, i64, i64)>(
        sql
    )
    .fetch_one(c)
    .await)?)
}

/// Sign-ups per UTC day since `from`, oldest first; days without any are absent.
pub async fn signups_per_day(
    conn: &mut AppConn,
    from: OffsetDateTime,
) -> AppResult<Vec<(String, i64)>> {
    let day = match conn.backend() {
        Backend::Sqlite => "substr(created_at, 1, 10)",
        Backend::Postgres => "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
    };
    let sql = format!(
        "SELECT {day} AS day, COUNT(*) FROM users WHERE created_at >= $1 GROUP BY day ORDER BY day"
    );
    Ok(on_conn!(conn, |c| sqlx::query_as::<_, (String, i64)>(
        &sql
    )
    .bind(from)
    .fetch_all(c)
    .await)?)
}

/// The users with these ids (at most a page of them), in username order;
/// ids that name nobody are left out.
pub async fn find_many(conn: &mut AppConn, ids: &[i64]) -> AppResult<Vec<User>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users WHERE id IN ({}) ORDER BY username",
        placeholders.join(", ")
    );
    Ok(on_conn!(conn, |c| {
        let mut query = sqlx::query_as::<_, User>(&sql);
        for id in ids {
            query = query.bind(*id);
        }
        query.fetch_all(c).await
    })?)
}
