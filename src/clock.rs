//! The application's notion of "now", shifted in tests to expire sessions
//! without sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use time::{Duration, OffsetDateTime};

/// Wall-clock time plus an offset that only tests move.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_seconds: Arc<AtomicI64>,
}

impl Clock {
    /// The current UTC time in whole seconds: SQLite compares timestamps as
    /// RFC 3339 text, which orders correctly only at a fixed precision.
    pub fn now(&self) -> OffsetDateTime {
        let now = OffsetDateTime::now_utc()
            + Duration::seconds(self.offset_seconds.load(Ordering::Relaxed));
        now.replace_nanosecond(0).unwrap_or(now)
    }

    /// Moves this clock (and every clone of it) forward.
    pub fn advance(&self, seconds: i64) {
        self.offset_seconds.fetch_add(seconds, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::Clock;

    #[test]
    fn advance_moves_every_clone() {
        let clock = Clock::default();
        let copy = clock.clone();
        let before = clock.now();
        copy.advance(3600);
        assert!(clock.now() - before >= time::Duration::seconds(3600));
        assert_eq!(clock.now().nanosecond(), 0);
    }
}
