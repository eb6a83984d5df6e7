//! Each account's credentials version, remembered for a moment.
//!
//! Every logged-in request (a session entry, a signed cookie, a JWT) must check that the
//! password has not changed since its login. Asking the account database each time is one
//! query per page view; under load it was most of the work of a profile page. So an answer is
//! kept for `ttl`:
//!
//! - a password change made **by this process** replaces its entry at once, so here a change
//!   revokes every earlier login immediately;
//! - another process sharing the account database sees the change within `ttl` at most.
//!
//! `ttl = 0` turns the cache off: every check asks the database.

use crate::clock::{Clock, SystemClock};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// The first size at which expired entries are swept out before a new one goes in.
const SWEEP_AT: usize = 4096;

#[derive(Debug)]
pub struct VersionCache {
    ttl: Duration,
    entries: Mutex<Entries>,
    clock: Arc<dyn Clock>,
}

#[derive(Debug)]
struct Entries {
    /// Account id → (version, or `None` for a deleted account; when it was read).
    versions: HashMap<i64, (Option<i64>, Instant)>,
    /// The size that triggers the next sweep: twice what survived the last one, so sweeping
    /// costs O(1) per insert on average even when every entry is still fresh.
    sweep_at: usize,
}

impl VersionCache {
    pub fn new(ttl: Duration) -> Self {
        Self::with_clock(ttl, Arc::new(SystemClock))
    }

    /// A cache whose `ttl` is measured on `clock`.
    pub fn with_clock(ttl: Duration, clock: Arc<dyn Clock>) -> Self {
        Self {
            ttl,
            entries: Mutex::new(Entries {
                versions: HashMap::new(),
                sweep_at: SWEEP_AT,
            }),
            clock,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The remembered version, if it was read less than `ttl` ago. `Some(None)`: the account
    /// is known to be gone.
    pub fn get(&self, id: i64) -> Option<Option<i64>> {
        if self.ttl.is_zero() {
            return None;
        }
        let now = self.clock.now();
        let entries = self.lock();
        let (version, read_at) = entries.versions.get(&id)?;
        (now.saturating_duration_since(*read_at) < self.ttl).then_some(*version)
    }

    /// Remembers what the database just said about `id`. Versions only go up, so an answer
    /// older than one already here (a read that raced a password change) never replaces it.
    pub fn put(&self, id: i64, version: Option<i64>) {
        if self.ttl.is_zero() {
            return;
        }
        let now = self.clock.now();
        let mut entries = self.lock();
        if let Some((Some(known), _)) = entries.versions.get(&id) {
            if version.is_some_and(|v| v < *known) {
                return;
            }
        }
        if entries.versions.len() >= entries.sweep_at {
            let ttl = self.ttl;
            entries
                .versions
                .retain(|_, (_, read_at)| now.saturating_duration_since(*read_at) < ttl);
            entries.sweep_at = SWEEP_AT.max(2 * entries.versions.len());
        }
        entries.versions.insert(id, (version, now));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::clock::ManualClock;

    /// A cache on a clock the test moves by hand.
    fn cache_on_manual_clock(ttl: Duration) -> (VersionCache, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::default());
        (VersionCache::with_clock(ttl, clock.clone()), clock)
    }

    #[test]
    fn answers_within_the_ttl_and_forgets_after_it() {
        let (cache, clock) = cache_on_manual_clock(Duration::from_secs(1));
        assert_eq!(cache.get(1), None, "nothing read yet");
        cache.put(1, Some(3));
        cache.put(2, None);
        assert_eq!(cache.get(1), Some(Some(3)));
        assert_eq!(
            cache.get(2),
            Some(None),
            "a deleted account is remembered too"
        );
        cache.put(1, Some(4));
        assert_eq!(cache.get(1), Some(Some(4)), "a new answer replaces the old");
        cache.put(1, Some(3));
        assert_eq!(
            cache.get(1),
            Some(Some(4)),
            "a read that raced a change is ignored"
        );
        clock.advance(Duration::from_millis(999));
        assert_eq!(cache.get(1), Some(Some(4)), "fresh just before the ttl");
        clock.advance(Duration::from_millis(1));
        assert_eq!(cache.get(1), None, "stale after the ttl");
    }

    #[test]
    fn a_zero_ttl_remembers_nothing() {
        let cache = VersionCache::new(Duration::ZERO);
        cache.put(1, Some(3));
        assert_eq!(cache.get(1), None);
    }

    #[test]
    fn a_full_map_sweeps_out_stale_entries() {
        let (cache, clock) = cache_on_manual_clock(Duration::from_secs(1));
        for id in 0..SWEEP_AT as i64 {
            cache.put(id, Some(1));
        }
        clock.advance(Duration::from_secs(1));
        cache.put(-1, Some(1));
        assert_eq!(
            cache.lock().versions.len(),
            1,
            "only the fresh entry is left"
        );
    }

    #[test]
    fn with_every_entry_fresh_the_next_sweep_waits_for_twice_as_many() {
        let cache = VersionCache::new(Duration::from_secs(60));
        for id in 0..=SWEEP_AT as i64 {
            cache.put(id, Some(1));
        }
        // The sweep at SWEEP_AT kept everything: the next one is due at twice that, not at
        // every further insert.
        assert_eq!(cache.lock().sweep_at, 2 * SWEEP_AT);
        assert_eq!(cache.lock().versions.len(), SWEEP_AT + 1);
    }
}
