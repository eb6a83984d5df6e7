//! The one clock every timestamp comes from: Unix seconds, as cookies, tokens and stores use.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch (0 if the system clock is before it).
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Where a cache or counter reads "now" for its durations: the system's monotonic clock, or
/// in tests a clock moved by hand, so a test of a timeout need not sleep through it.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> std::time::Instant;
}

/// The system's monotonic clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> std::time::Instant {
        std::time::Instant::now()
    }
}

/// A clock that stands still until [`advance`](Self::advance) moves it: for tests.
#[derive(Debug)]
pub struct ManualClock {
    start: std::time::Instant,
    elapsed: std::sync::Mutex<std::time::Duration>,
}

impl Default for ManualClock {
    fn default() -> Self {
        Self {
            start: std::time::Instant::now(),
            elapsed: std::sync::Mutex::default(),
        }
    }
}

impl ManualClock {
    pub fn advance(&self, by: std::time::Duration) {
        *self.elapsed.lock().unwrap_or_else(|e| e.into_inner()) += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> std::time::Instant {
        self.start + *self.elapsed.lock().unwrap_or_else(|e| e.into_inner())
    }
}
