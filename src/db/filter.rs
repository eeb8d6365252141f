//! One typed builder for the WHERE clause of lists and searches, bound to
//! either backend.
//!
//! Each condition gets its own `$n`, numbered in the order it is added, so
//! an unused filter adds neither SQL nor a parameter and the planner sees
//! plain indexable predicates rather than `$n IS NULL OR …` shapes. The
//! values are kept typed ([`Param`]) and bound once per statement, so a
//! list's page and its count share one filter.
//!
//! `sqlx::QueryBuilder` does not fit: it is typed by backend (one builder
//! per database, with its own placeholder syntax), it cannot use one value
//! in several places (a name search matches four columns), and it is
//! consumed by the one statement it builds.

use sqlx::FromRow;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use time::OffsetDateTime;

use super::{AppConn, bindable, on_conn};

/// A value bound to one placeholder of a [`Filter`].
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Int(i64),
    Bool(bool),
    /// Text made safe to bind with [`bindable`].
    Text(String),
    Time(OffsetDateTime),
}

impl From<i64> for Param {
    fn from(value: i64) -> Self {
        Param::Int(value)
    }
}

impl From<bool> for Param {
    fn from(value: bool) -> Self {
        Param::Bool(value)
    }
}

impl From<&str> for Param {
    fn from(value: &str) -> Self {
        Param::Text(bindable(value).into_owned())
    }
}

impl From<String> for Param {
    fn from(value: String) -> Self {
        Param::from(value.as_str())
    }
}

impl From<OffsetDateTime> for Param {
    fn from(value: OffsetDateTime) -> Self {
        Param::Time(value)
    }
}

/// A row type that both backends can read.
pub trait FromAppRow:
    Send + Unpin + for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow>
{
}

impl<T> FromAppRow for T where
    T: Send + Unpin + for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow>
{
}

/// The statements of one list: its rows and its count.
#[derive(Debug, Clone, Copy)]
pub struct ListSql<'a> {
    /// `SELECT … FROM …`, with the joins the rows need.
    pub rows: &'a str,
    /// `FROM …` for the count: the joins the conditions need, no more.
    pub count_from: &'a str,
    pub order_by: &'a str,
    /// Stop counting past this many matches: an exact count of a million
    /// rows costs more than the page itself.
    pub count_at_most: Option<i64>,
}

/// The conditions of a query and the values they bind.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    conditions: Vec<String>,
    params: Vec<Param>,
}

/// Binds every parameter, in order, to a query of either kind.
macro_rules! bind_params {
    ($query:expr, $params:expr) => {{
        let mut query = $query;
        for param in $params {
            query = match param {
                Param::Int(value) => query.bind(*value),
                Param::Bool(value) => query.bind(*value),
                Param::Text(value) => query.bind(value.as_str()),
                Param::Time(value) => query.bind(*value),
            };
        }
        query
    }};
}

impl Filter {
    pub fn new() -> Self {
        Filter::default()
    }

    /// Adds a condition on `value`; `condition` gets its placeholder (`$n`),
    /// which it may use more than once.
    pub fn and(
        &mut self,
        value: impl Into<Param>,
        condition: impl FnOnce(&str) -> String,
    ) -> &mut Self {
        self.params.push(value.into());
        let placeholder = format!("${}", self.params.len());
        self.conditions.push(condition(&placeholder));
        self
    }

    /// Adds a condition on several values; `condition` gets their
    /// placeholders joined by commas (for `IN (…)`).
    pub fn and_any<V: Into<Param>>(
        &mut self,
        values: impl IntoIterator<Item = V>,
        condition: impl FnOnce(&str) -> String,
    ) -> &mut Self {
        let first = self.params.len() + 1;
        self.params.extend(values.into_iter().map(Into::into));
        let placeholders: Vec<String> = (first..=self.params.len())
            .map(|n| format!("${n}"))
            .collect();
        self.conditions.push(condition(&placeholders.join(", ")));
        self
    }

    /// Adds a condition that binds nothing.
    pub fn and_sql(&mut self, condition: &str) -> &mut Self {
        self.conditions.push(condition.to_owned());
        self
    }

    /// `WHERE a AND b …`, or nothing when there is no condition.
    pub fn where_clause(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.conditions.join(" AND "))
        }
    }

    /// One page of rows and the number of matches: one statement each.
    pub async fn page<T: FromAppRow>(
        &self,
        conn: &mut AppConn,
        list: &ListSql<'_>,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<T>, i64), sqlx::Error> {
        let (limit_p, offset_p) = (self.params.len() + 1, self.params.len() + 2);
        let rows_sql = format!(
            "{} {} ORDER BY {} LIMIT ${limit_p} OFFSET ${offset_p}",
            list.rows,
            self.where_clause(),
            list.order_by
        );
        let rows = on_conn!(&mut *conn, |c| bind_params!(
            sqlx::query_as::<_, T>(&rows_sql),
            &self.params
        )
        .bind(limit)
        .bind(offset)
        .fetch_all(c)
        .await)?;
        let count_sql = match list.count_at_most {
            Some(cap) => format!(
                "SELECT COUNT(*) FROM (SELECT 1 {} {} LIMIT {}) AS capped",
                list.count_from,
                self.where_clause(),
                cap.max(0)
            ),
            None => format!(
                "SELECT COUNT(*) {} {}",
                list.count_from,
                self.where_clause()
            ),
        };
        let total = on_conn!(conn, |c| bind_params!(
            sqlx::query_scalar::<_, i64>(&count_sql),
            &self.params
        )
        .fetch_one(c)
        .await)?;
        Ok((rows, total))
    }

    /// Every matching row: `{select} {where} ORDER BY {order_by}`.
    pub async fn all<T: FromAppRow>(
        &self,
        conn: &mut AppConn,
        select: &str,
        order_by: &str,
    ) -> Result<Vec<T>, sqlx::Error> {
        let sql = format!("{select} {} ORDER BY {order_by}", self.where_clause());
        on_conn!(conn, |c| bind_params!(
            sqlx::query_as::<_, T>(&sql),
            &self.params
        )
        .fetch_all(c)
        .await)
    }
}

impl Filter {
    /// Every matching row, one at a time as the database sends it, handed
    /// to `each`; memory stays constant however many rows match. `each`
    /// answers false to stop early (the reader went away).
    pub async fn each<T, F, Fut>(
        &self,
        conn: &mut AppConn,
        select: &str,
        order_by: &str,
        mut each: F,
    ) -> Result<(), sqlx::Error>
    where
        T: FromAppRow,
        F: FnMut(T) -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        use rocket::futures::TryStreamExt;

        let sql = format!("{select} {} ORDER BY {order_by}", self.where_clause());
        on_conn!(conn, |c| {
            let mut rows = bind_params!(sqlx::query_as::<_, T>(&sql), &self.params).fetch(c);
            while let Some(row) = rows.try_next().await? {
                if !each(row).await {
                    break;
                }
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_follow_the_order_of_conditions() {
        let mut filter = Filter::new();
        assert_eq!(filter.where_clause(), "");
        filter
            .and("ann", |p| format!("(a = {p} OR b = {p})"))
            .and_sql("c IS NULL")
            .and(true, |p| format!("d = {p}"))
            .and_any([3_i64, 4], |ps| format!("e IN ({ps})"));
        assert_eq!(
            filter.where_clause(),
            "WHERE (a = $1 OR b = $1) AND c IS NULL AND d = $2 AND e IN ($3, $4)"
        );
        assert_eq!(
            filter.params,
            [
                Param::Text("ann".into()),
                Param::Bool(true),
                Param::Int(3),
                Param::Int(4)
            ]
        );
    }

    #[test]
    fn text_params_are_bindable() {
        assert_eq!(Param::from("a\0b"), Param::Text("a\u{FFFD}b".into()));
    }
}
