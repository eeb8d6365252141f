//! The application's notion of "now", shifted in tests to expire sessions
//! without sleeping, or pinned to an instant where a test needs exact
//! times (TOTP steps).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use time::{Duration, OffsetDateTime};

/// Wall-clock time plus an offset that only tests move.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_seconds: Arc<AtomicI64>,
    /// Unix seconds that stand for "now" instead of the wall clock;
    /// `NOT_PINNED` (the default) follows the wall clock.
    pinned: Arc<AtomicI64>,
}

const NOT_PINNED: i64 = 0;

impl Clock {
    /// The current UTC time in whole seconds: SQLite compares timestamps as
    /// RFC 3339 text, which orders correctly only at a fixed precision.
    pub fn now(&self) -> OffsetDateTime {
        let pinned = self.pinned.load(Ordering::Relaxed);
        let base = match pinned {
            NOT_PINNED => OffsetDateTime::now_utc(),
            at => OffsetDateTime::from_unix_timestamp(at).unwrap_or(OffsetDateTime::UNIX_EPOCH),
        };
        let now = base + Duration::seconds(self.offset_seconds.load(Ordering::Relaxed));
        now.replace_nanosecond(0).unwrap_or(now)
    }

    /// Moves this clock (and every clone of it) forward.
    pub fn advance(&self, seconds: i64) {
        self.offset_seconds.fetch_add(seconds, Ordering::Relaxed);
    }

    /// Stops this clock (and every clone of it) at `at`; only
    /// [`Clock::advance`] moves it from then on.
    pub fn pin(&self, at: OffsetDateTime) {
        self.offset_seconds.store(0, Ordering::Relaxed);
        self.pinned.store(at.unix_timestamp(), Ordering::Relaxed);
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

    #[test]
    fn a_pinned_clock_moves_only_when_advanced() {
        let clock = Clock::default();
        let at = time::macros::datetime!(2030-01-01 00:00:10 UTC);
        clock.clone().pin(at);
        assert_eq!(clock.now(), at);
        clock.advance(30);
        assert_eq!(clock.now(), at + time::Duration::seconds(30));
    }
}
