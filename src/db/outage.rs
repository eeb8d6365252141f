//! Which database errors mean "unavailable for now" (a 503 with
//! `Retry-After`) rather than a fault in the request or in Portero (500).
//!
//! A client can do nothing about either, but only the first is worth
//! retrying: the pool timed out or is closed, the server went away or is
//! restarting, the disk is full, a lock was held too long.

/// True when `error` says the database cannot serve right now.
pub fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| unavailable_code(&code)),
        _ => false,
    }
}

/// SQLSTATE classes and SQLite result codes that mean "try again later".
fn unavailable_code(code: &str) -> bool {
    // PostgreSQL: 08 connection exception, 53 insufficient resources (disk
    // full, out of memory, too many connections), 57P01-57P03 the server
    // shuts down, crashed or is starting, 40001/40P01 serialization failure
    // and deadlock, 55P03 lock not available.
    if code.starts_with("08")
        || code.starts_with("53")
        || matches!(
            code,
            "57P01" | "57P02" | "57P03" | "40001" | "40P01" | "55P03"
        )
    {
        return true;
    }
    // SQLite reports its (extended) result code as a number; the low byte
    // is the primary code: BUSY 5, LOCKED 6, NOMEM 7, READONLY 8 (a
    // read-only remount), IOERR 10, FULL 13, CANTOPEN 14.
    match code.parse::<u32>() {
        Ok(number) => matches!(number & 0xff, 5 | 6 | 7 | 8 | 10 | 13 | 14),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_and_connection_failures_are_unavailable() {
        assert!(is_unavailable(&sqlx::Error::PoolTimedOut));
        assert!(is_unavailable(&sqlx::Error::PoolClosed));
        assert!(is_unavailable(&sqlx::Error::WorkerCrashed));
        assert!(is_unavailable(&sqlx::Error::Io(std::io::Error::from(
            std::io::ErrorKind::ConnectionRefused
        ))));
        assert!(!is_unavailable(&sqlx::Error::RowNotFound));
        assert!(!is_unavailable(&sqlx::Error::Protocol("odd".into())));
    }

    #[test]
    fn codes_of_both_backends() {
        for code in [
            "08006", "53100", "53300", "57P01", "57P03", "40001", "40P01",
        ] {
            assert!(unavailable_code(code), "{code}");
        }
        // SQLITE_BUSY, SQLITE_FULL, SQLITE_IOERR_WRITE (778), SQLITE_BUSY_SNAPSHOT (517).
        for code in ["5", "13", "778", "517", "14"] {
            assert!(unavailable_code(code), "{code}");
        }
        // Unique and foreign-key violations, a syntax error: the request's fault or ours.
        for code in ["23505", "23503", "42601", "2067", "787", "1"] {
            assert!(!unavailable_code(code), "{code}");
        }
    }
}
