//! Password hashing with argon2id at OWASP's recommended cost (19 MiB, 2 passes, 1 lane), done
//! on tokio's blocking pool so a login never stalls other requests.
//!
//! Each hash holds 19 MiB and a core for its duration, so a flood of logins must not start
//! them all at once: a [`HashGate`] lets one hash run per core, lets a few more wait briefly
//! for a turn, and answers the rest at once with `503` and `Retry-After` (docs/security.md).

use crate::error::AppError;
use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};
use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, LazyLock, OnceLock,
    },
    time::Duration,
};
use tokio::sync::Semaphore;

/// Bounds the hashes in flight: `running` at once, `waiting` more queued for at most
/// `patience`; anything beyond is refused with [`AppError::Busy`].
#[derive(Debug)]
pub struct HashGate {
    turns: Arc<Semaphore>,
    queued: AtomicUsize,
    waiting: usize,
    patience: Duration,
}

/// How long a refused caller is told to wait before trying again.
const RETRY_AFTER_SECS: u64 = 1;

impl HashGate {
    pub fn new(running: usize, waiting: usize, patience: Duration) -> Self {
        Self {
            turns: Arc::new(Semaphore::new(running.max(1))),
            queued: AtomicUsize::new(0),
            waiting,
            patience,
        }
    }

    /// Runs `work` on the blocking pool when a turn is free.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let busy = AppError::Busy {
            retry_after_secs: RETRY_AFTER_SECS,
        };
        let turn = match self.turns.clone().try_acquire_owned() {
            Ok(turn) => turn,
            Err(_) => {
                let Some(_place) = Place::take(&self.queued, self.waiting) else {
                    tracing::warn!("password hashing queue full: refused");
                    return Err(busy);
                };
                // `_place` gives its place back when dropped: after the wait, or when the
                // request is cancelled while waiting (client gone, request timeout).
                let turn =
                    tokio::time::timeout(self.patience, self.turns.clone().acquire_owned()).await;
                match turn {
                    Ok(Ok(turn)) => turn,
                    _ => {
                        tracing::warn!("no password hashing turn in time: refused");
                        return Err(busy);
                    }
                }
            }
        };
        tokio::task::spawn_blocking(move || {
            let _turn = turn;
            let done = work();
            if let Some(hook) = AFTER_HASH.get() {
                hook();
            }
            done
        })
        .await
        .map_err(|e| AppError::internal("password hashing task failed", e))
    }
}

/// Run on the hashing thread after each hash. The server sets it to hand the hash's memory
/// (19 MiB) back to the system at once; unset, it does nothing.
static AFTER_HASH: OnceLock<fn()> = OnceLock::new();

/// Sets what runs after each hash, once per process (later calls change nothing).
pub fn after_each_hash(hook: fn()) {
    let _ = AFTER_HASH.set(hook);
}

/// A place in the gate's queue, given back when dropped.
struct Place<'a>(&'a AtomicUsize);

impl<'a> Place<'a> {
    fn take(queued: &'a AtomicUsize, limit: usize) -> Option<Self> {
        queued
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < limit).then_some(n + 1)
            })
            .ok()
            .map(|_| Self(queued))
    }
}

impl Drop for Place<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The process's gate: one hash per core, four times as many waiting up to two seconds.
static GATE: LazyLock<HashGate> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    HashGate::new(cores, 4 * cores, Duration::from_secs(2))
});

fn argon2() -> Argon2<'static> {
    // Params::DEFAULT is m=19456 KiB, t=2, p=1: OWASP's first recommended configuration.
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::DEFAULT)
}

/// Hashes a password into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
pub async fn hash(password: String) -> Result<String, AppError> {
    GATE.run(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
    })
    .await?
    .map_err(|e| AppError::internal("password hashing failed", e))
}

/// Checks a password against a stored hash. For an unknown user pass `None`: the password is
/// then checked against a dummy hash, so the answer takes as long as for a real account.
pub async fn verify(stored_hash: Option<String>, password: String) -> Result<bool, AppError> {
    let known_user = stored_hash.is_some();
    let hash = stored_hash.unwrap_or_else(|| dummy_hash().to_owned());
    let matches = GATE
        .run(move || {
            let parsed = PasswordHash::new(&hash)
                .map_err(|e| AppError::internal("stored password hash is malformed", e))?;
            Ok::<_, AppError>(
                argon2()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok(),
            )
        })
        .await??;
    Ok(known_user && matches)
}

/// A hash of a random password with the same parameters as real ones, made once.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        let unguessable = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(unguessable.as_str().as_bytes(), &salt)
            .expect("argon2 hashes a short password with default parameters")
            .to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The server's hook (handing the hash's memory back) runs after every hash and check.
    #[tokio::test]
    async fn the_after_hash_hook_runs_after_each_hash_and_check() {
        static RUNS: AtomicUsize = AtomicUsize::new(0);
        after_each_hash(|| {
            RUNS.fetch_add(1, Ordering::SeqCst);
        });
        let before = RUNS.load(Ordering::SeqCst);
        let stored = hash("correct horse battery".into()).await.unwrap();
        verify(Some(stored), "wrong".into()).await.unwrap();
        assert!(RUNS.load(Ordering::SeqCst) >= before + 2);
    }

    #[tokio::test]
    async fn a_hash_verifies_its_own_password_only() {
        let stored = hash("correct horse battery".into()).await.unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify(Some(stored.clone()), "correct horse battery".into())
            .await
            .unwrap());
        assert!(!verify(Some(stored), "correct horse batterY".into())
            .await
            .unwrap());
    }

    /// One turn, one waiting place: of five hashes started together, the first runs, the
    /// second waits for it, and the other three are refused at once with `Busy`.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_gate_refuses_with_busy_and_the_rest_complete() {
        let gate = Arc::new(HashGate::new(1, 1, Duration::from_secs(5)));
        let (started, release) = (
            Arc::new(tokio::sync::Notify::new()),
            Arc::new(std::sync::Barrier::new(2)),
        );
        let first = tokio::spawn({
            let (gate, started, release) = (gate.clone(), started.clone(), release.clone());
            async move {
                gate.run(move || {
                    started.notify_one();
                    release.wait();
                })
                .await
            }
        });
        started.notified().await;
        let second = tokio::spawn({
            let gate = gate.clone();
            async move { gate.run(|| 2).await }
        });
        while gate.queued.load(Ordering::Acquire) == 0 {
            tokio::task::yield_now().await;
        }
        for _ in 0..3 {
            assert_eq!(
                gate.run(|| 3).await,
                Err(AppError::Busy {
                    retry_after_secs: RETRY_AFTER_SECS
                })
            );
        }
        release.wait();
        first.await.unwrap().unwrap();
        assert_eq!(second.await.unwrap(), Ok(2));
        assert_eq!(gate.queued.load(Ordering::Acquire), 0);
    }

    /// A waiting caller that is cancelled (its client went away) gives its place back.
    #[tokio::test]
    async fn a_cancelled_wait_gives_its_place_back() {
        let gate = Arc::new(HashGate::new(1, 1, Duration::from_secs(30)));
        let hold = gate.turns.clone().acquire_owned().await.unwrap();
        for _ in 0..3 {
            let waiting = tokio::spawn({
                let gate = gate.clone();
                async move { gate.run(|| ()).await }
            });
            while gate.queued.load(Ordering::Acquire) == 0 {
                tokio::task::yield_now().await;
            }
            waiting.abort();
            let _ = waiting.await;
            assert_eq!(gate.queued.load(Ordering::Acquire), 0, "the place leaked");
        }
        drop(hold);
        assert_eq!(gate.run(|| 5).await, Ok(5));
    }

    #[tokio::test]
    async fn a_caller_that_waits_too_long_is_refused() {
        let gate = Arc::new(HashGate::new(1, 4, Duration::from_millis(50)));
        let hold = gate.turns.clone().acquire_owned().await.unwrap();
        assert!(matches!(gate.run(|| ()).await, Err(AppError::Busy { .. })));
        drop(hold);
        assert_eq!(gate.run(|| 7).await, Ok(7));
    }

    #[tokio::test]
    async fn an_unknown_user_never_verifies() {
        assert!(!verify(None, "anything at all".into()).await.unwrap());
    }
}
