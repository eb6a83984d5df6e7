//! Slows down password guessing without letting anyone lock someone else out (OWASP
//! Authentication Cheat Sheet, "Login Throttling"; docs/security.md):
//!
//! - **per account and client**: after a few failures in a row, *that client* must wait before
//!   its next attempt on *that account*, twice as long each time (`429` with `Retry-After`);
//! - **per account, from anywhere**: after a few failures every attempt on the account is
//!   slowed by a short, growing delay, but never refused, so the right password from another
//!   client still logs in. Five wrong passwords from an attacker's address no longer keep the
//!   owner out.
//!
//! Every attempt counts as a failure from the moment it starts, in the same step as its check,
//! and is forgiven when the password turns out right: so attempts sent in parallel cannot all
//! pass the check before any of them is counted. Unknown usernames are throttled exactly like
//! real ones, so the throttle reveals nothing about who exists. The counts live in this process's memory: a restart forgives, and each
//! server process of a scaled-out deployment counts on its own (docs/design.md).

use crate::limits::ClientKey;
use std::{
    collections::HashMap,
    hash::Hash,
    sync::Mutex,
    time::{Duration, Instant},
};

/// How forgiving the throttle is.
#[derive(Clone, Copy, Debug)]
pub struct ThrottlePolicy {
    /// Failures one client may make on one account before it must wait.
    pub free_failures: u32,
    /// The first wait; it doubles with each further failure.
    pub first_wait: Duration,
    pub max_wait: Duration,
    /// A quiet account (or client) is forgiven after this long.
    pub forget_after: Duration,
    /// Failures on one account, from all clients together, before every attempt on it is
    /// slowed down.
    pub account_free_failures: u32,
    /// The first per-account delay; it doubles with each further failure.
    pub first_delay: Duration,
    /// The longest per-account delay: short enough that the owner is slowed, not locked out.
    pub max_delay: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            free_failures: 5,
            first_wait: Duration::from_secs(30),
            max_wait: Duration::from_secs(15 * 60),
            forget_after: Duration::from_secs(15 * 60),
            account_free_failures: 10,
            first_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(2),
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Failures {
    count: u32,
    last: Instant,
}

/// Failure counts by key, forgetting quiet keys.
#[derive(Debug)]
struct Counts<K> {
    failures: Mutex<HashMap<K, Failures>>,
}

impl<K> Default for Counts<K> {
    fn default() -> Self {
        Self {
            failures: Mutex::default(),
        }
    }
}

/// Above this many tracked keys, forgiven entries are pruned so memory stays bounded.
const PRUNE_ABOVE: usize = 100_000;

impl<K: Eq + Hash + Clone> Counts<K> {
    /// Counts one more failure for `key`, unless `refuse` says that the failures so far (and
    /// the time since the last) mean this attempt must wait: then nothing is counted and the
    /// wait is returned. Check and count are one step under the lock. Returns the failures
    /// counted before this one.
    fn count(
        &self,
        key: &K,
        forget_after: Duration,
        refuse: impl FnOnce(u32, Duration) -> Option<Duration>,
    ) -> Result<u32, Duration> {
        let now = Instant::now();
        let mut failures = self.lock();
        if failures.len() > PRUNE_ABOVE {
            failures.retain(|_, f| now.duration_since(f.last) < forget_after);
        }
        let entry = failures.entry(key.clone()).or_insert(Failures {
            count: 0,
            last: now,
        });
        let elapsed = now.duration_since(entry.last);
        if elapsed >= forget_after {
            entry.count = 0;
        }
        if let Some(wait) = refuse(entry.count, elapsed) {
            return Err(wait);
        }
        let before = entry.count;
        entry.count = entry.count.saturating_add(1);
        entry.last = now;
        Ok(before)
    }

    fn uncount(&self, key: &K) {
        if let Some(entry) = self.lock().get_mut(key) {
            entry.count = entry.count.saturating_sub(1);
        }
    }

    fn forget(&self, key: &K) {
        self.lock().remove(key);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, Failures>> {
        // A panic while holding this lock leaves only counters behind: keep using them.
        self.failures.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// An account key (the normalised username) and the client trying it. `None` for a client
/// without an address (a router called in-process): such callers share one count.
type Attempt = (String, Option<ClientKey>);

/// Failed-login counts per (account, client) and per account.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    policy: ThrottlePolicy,
    by_client: Counts<Attempt>,
    by_account: Counts<String>,
}

/// Exponential back-off: nothing for the free failures, then `first` doubling up to `max`.
fn backoff(count: u32, free: u32, first: Duration, max: Duration) -> Duration {
    if count < free {
        return Duration::ZERO;
    }
    let doublings = (count - free).min(16);
    (first * 2u32.pow(doublings)).min(max)
}

impl LoginThrottle {
    pub fn new(policy: ThrottlePolicy) -> Self {
        Self {
            policy,
            ..Self::default()
        }
    }

    /// Starts an attempt on `account` from `client`, counting it as a failure until
    /// [`succeeded`](Self::succeeded) says otherwise. `Err(wait)` when this client must wait
    /// before its next attempt on this account (nothing is counted then); otherwise
    /// `Ok(delay)`, how long to slow this attempt down for the account's sake.
    pub fn begin(&self, account: &str, client: Option<ClientKey>) -> Result<Duration, Duration> {
        let policy = &self.policy;
        self.by_client.count(
            &(account.to_owned(), client),
            policy.forget_after,
            |count, elapsed| {
                let wait = backoff(
                    count,
                    policy.free_failures,
                    policy.first_wait,
                    policy.max_wait,
                );
                (elapsed < wait).then(|| wait - elapsed)
            },
        )?;
        let before = self
            .by_account
            .count(&account.to_owned(), policy.forget_after, |_, _| None)
            .unwrap_or(0);
        Ok(backoff(
            before,
            policy.account_free_failures,
            policy.first_delay,
            policy.max_delay,
        ))
    }

    /// The attempt ended without a verdict (the store was down, the server busy): it does not
    /// count.
    pub fn undo(&self, account: &str, client: Option<ClientKey>) {
        self.by_client.uncount(&(account.to_owned(), client));
        self.by_account.uncount(&account.to_owned());
    }

    /// The right password: this client's count on this account is forgiven, and so is the
    /// account's (its owner is back).
    pub fn succeeded(&self, account: &str, client: Option<ClientKey>) {
        self.by_client.forget(&(account.to_owned(), client));
        self.by_account.forget(&account.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::IpAddr;

    fn throttle() -> LoginThrottle {
        LoginThrottle::new(ThrottlePolicy {
            free_failures: 3,
            first_wait: Duration::from_secs(10),
            max_wait: Duration::from_secs(25),
            forget_after: Duration::from_secs(60),
            account_free_failures: 4,
            first_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(300),
        })
    }

    fn client(text: &str) -> Option<ClientKey> {
        Some(ClientKey::from(text.parse::<IpAddr>().unwrap()))
    }

    const A: &str = "192.0.2.1";
    const B: &str = "198.51.100.7";

    #[test]
    fn waiting_starts_after_the_free_failures() {
        let t = throttle();
        for _ in 0..3 {
            assert!(t.begin("alice", client(A)).is_ok(), "a free attempt");
        }
        let wait = t.begin("alice", client(A)).unwrap_err();
        assert!(wait > Duration::from_secs(9) && wait <= Duration::from_secs(10));
        assert!(
            t.begin("bob", client(A)).is_ok(),
            "other accounts are unaffected"
        );
    }

    #[test]
    fn the_wait_doubles_up_to_the_cap() {
        let (first, max) = (Duration::from_secs(10), Duration::from_secs(25));
        assert_eq!(backoff(2, 3, first, max), Duration::ZERO);
        assert_eq!(backoff(3, 3, first, max), first);
        assert_eq!(backoff(4, 3, first, max), Duration::from_secs(20));
        assert_eq!(backoff(5, 3, first, max), max);
        assert_eq!(backoff(u32::MAX, 3, first, max), max);
    }

    /// Attempts sent in parallel are counted as they start: only the free ones get through,
    /// however many are in flight before the first answer.
    #[test]
    fn parallel_attempts_cannot_all_pass_the_check() {
        let t = std::sync::Arc::new(throttle());
        let started: Vec<_> = (0..20)
            .map(|_| {
                let t = t.clone();
                std::thread::spawn(move || t.begin("alice", client(A)).is_ok())
            })
            .collect();
        let passed = started
            .into_iter()
            .map(|attempt| attempt.join().unwrap_or(false))
            .filter(|passed| *passed)
            .count();
        assert_eq!(passed, 3);
    }

    #[test]
    fn another_client_is_never_locked_out_only_slowed_briefly() {
        let t = throttle();
        for _ in 0..12 {
            let _ = t.begin("alice", client(A));
        }
        assert!(t.begin("alice", client(A)).is_err());
        let delay = t.begin("alice", client(B)).expect("B is not locked out");
        assert!(delay <= Duration::from_millis(300));
    }

    #[test]
    fn the_account_delay_grows_with_failures_from_many_clients() {
        let t = throttle();
        let delays: Vec<Duration> = (1..=7)
            .map(|n| t.begin("alice", client(&format!("192.0.2.{n}"))).unwrap())
            .collect();
        let ms = Duration::from_millis;
        assert_eq!(
            delays,
            [
                Duration::ZERO,
                Duration::ZERO,
                Duration::ZERO,
                Duration::ZERO,
                ms(100),
                ms(200),
                ms(300)
            ]
        );
    }

    #[test]
    fn a_success_forgives_the_client_and_the_account() {
        let t = throttle();
        for _ in 0..5 {
            let _ = t.begin("alice", client(A));
        }
        t.succeeded("alice", client(A));
        assert_eq!(t.begin("alice", client(A)), Ok(Duration::ZERO));
        assert_eq!(t.begin("alice", client(B)), Ok(Duration::ZERO));
    }
}
