//! Slows down password guessing on one account: after a few failures in a row, each further
//! attempt must wait, twice as long each time. Unknown usernames are throttled exactly like
//! real ones, so the throttle reveals nothing about who exists.
//!
//! The counts live in this process's memory: a restart forgives, and each server process of a
//! scaled-out deployment counts on its own (see README, Design notes).

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// How forgiving the throttle is.
#[derive(Clone, Copy, Debug)]
pub struct ThrottlePolicy {
    /// Failures allowed before waiting starts.
    pub free_failures: u32,
    /// The first wait; it doubles with each further failure.
    pub first_wait: Duration,
    pub max_wait: Duration,
    /// A quiet account is forgiven after this long.
    pub forget_after: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            free_failures: 5,
            first_wait: Duration::from_secs(30),
            max_wait: Duration::from_secs(15 * 60),
            forget_after: Duration::from_secs(15 * 60),
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Failures {
    count: u32,
    last: Instant,
}

/// Failed-login counts per account key.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    policy: ThrottlePolicy,
    failures: Mutex<HashMap<String, Failures>>,
}

/// Above this many tracked accounts, forgiven entries are pruned so memory stays bounded.
const PRUNE_ABOVE: usize = 100_000;

impl LoginThrottle {
    pub fn new(policy: ThrottlePolicy) -> Self {
        Self {
            policy,
            failures: Mutex::default(),
        }
    }

    /// `Err(wait)` when the account must wait before the next attempt.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        let failures = self.lock();
        let Some(entry) = failures.get(key) else {
            return Ok(());
        };
        let wait = self.wait_after(entry.count);
        let elapsed = entry.last.elapsed();
        if elapsed < wait {
            Err(wait - elapsed)
        } else {
            Ok(())
        }
    }

    pub fn record_failure(&self, key: &str) {
        let now = Instant::now();
        let forget_after = self.policy.forget_after;
        let mut failures = self.lock();
        if failures.len() > PRUNE_ABOVE {
            failures.retain(|_, f| now.duration_since(f.last) < forget_after);
        }
        let entry = failures.entry(key.to_owned()).or_insert(Failures {
            count: 0,
            last: now,
        });
        if now.duration_since(entry.last) >= forget_after {
            entry.count = 0;
        }
        entry.count += 1;
        entry.last = now;
    }

    pub fn record_success(&self, key: &str) {
        self.lock().remove(key);
    }

    fn wait_after(&self, count: u32) -> Duration {
        if count < self.policy.free_failures {
            return Duration::ZERO;
        }
        let doublings = (count - self.policy.free_failures).min(16);
        (self.policy.first_wait * 2u32.pow(doublings)).min(self.policy.max_wait)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Failures>> {
        // A panic while holding this lock leaves only counters behind: keep using them.
        self.failures.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle() -> LoginThrottle {
        LoginThrottle::new(ThrottlePolicy {
            free_failures: 3,
            first_wait: Duration::from_secs(10),
            max_wait: Duration::from_secs(25),
            forget_after: Duration::from_secs(60),
        })
    }

    #[test]
    fn waiting_starts_after_the_free_failures() {
        let t = throttle();
        for _ in 0..2 {
            t.record_failure("alice");
            assert!(t.check("alice").is_ok());
        }
        t.record_failure("alice");
        let wait = t.check("alice").unwrap_err();
        assert!(wait > Duration::from_secs(9) && wait <= Duration::from_secs(10));
        assert!(t.check("bob").is_ok(), "other accounts are unaffected");
    }

    #[test]
    fn the_wait_doubles_up_to_the_cap() {
        let t = throttle();
        for _ in 0..4 {
            t.record_failure("alice");
        }
        assert!(t.check("alice").unwrap_err() > Duration::from_secs(19));
        t.record_failure("alice");
        assert!(t.check("alice").unwrap_err() <= Duration::from_secs(25));
    }

    #[test]
    fn a_success_forgives() {
        let t = throttle();
        for _ in 0..3 {
            t.record_failure("alice");
        }
        t.record_success("alice");
        assert!(t.check("alice").is_ok());
    }
}
