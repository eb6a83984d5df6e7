//! Server-side sessions, typed. Handlers never touch tower-sessions' string keys: each lab
//! declares a [`SessionEntry`] and goes through [`LabSession`], which
//!
//! - issues a **new session id at every login** (session fixation defence),
//! - enforces the idle and absolute timeouts from timestamps kept next to the value,
//! - and destroys the record server-side at logout.
//!
//! The cookie holds only the random id; tower-sessions loads the record from the store and
//! never adopts an id the store does not know.

use crate::error::AppError;
use axum::{extract::FromRequestParts, http::request::Parts};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tower_sessions::Session;

/// A value one lab keeps in the session under its own key.
pub trait SessionEntry: Serialize + DeserializeOwned + Send + Sync {
    const KEY: &'static str;
}

/// How long a logged-in session lives.
#[derive(Clone, Copy, Debug)]
pub struct SessionPolicy {
    /// Logged out after this long without a request.
    pub idle_timeout: Duration,
    /// Logged out this long after login, however active.
    pub absolute_timeout: Duration,
}

impl SessionPolicy {
    /// How stale `last_seen` may get before a request refreshes it. Refreshing on every
    /// request would write the session on every request; this writes at most once a minute.
    fn refresh_after(&self) -> Duration {
        (self.idle_timeout / 4).min(Duration::from_secs(60))
    }
}

/// A value with the times the timeouts are measured from.
#[derive(Serialize, Deserialize)]
struct Stamped<T> {
    value: T,
    /// Unix seconds of the login that created this entry.
    logged_in_at: u64,
    /// Unix seconds of the last request that refreshed it.
    last_seen: u64,
}

/// The current request's session. Extract it in a handler, or with
/// `leptos_axum::extract::<LabSession>()` in a server function.
pub struct LabSession {
    session: Session,
    policy: SessionPolicy,
}

impl LabSession {
    pub fn new(session: Session, policy: SessionPolicy) -> Self {
        Self { session, policy }
    }

    /// The lab's value, if logged in and within both timeouts. A timed-out entry is removed.
    pub async fn get<T: SessionEntry>(&self) -> Result<Option<T>, AppError> {
        let Some(mut stamped) = self.session.get::<Stamped<T>>(T::KEY).await? else {
            return Ok(None);
        };
        let now = unix_now();
        let idle = now.saturating_sub(stamped.last_seen);
        let age = now.saturating_sub(stamped.logged_in_at);
        if idle > self.policy.idle_timeout.as_secs() || age > self.policy.absolute_timeout.as_secs()
        {
            tracing::info!(entry = T::KEY, "session entry timed out");
            self.session.remove_value(T::KEY).await?;
            return Ok(None);
        }
        if idle > self.policy.refresh_after().as_secs() {
            stamped.last_seen = now;
            self.session.insert(T::KEY, &stamped).await?;
        }
        Ok(Some(stamped.value))
    }

    /// Logs in: a brand-new session id first, then the value under it.
    pub async fn log_in<T: SessionEntry>(&self, value: T) -> Result<(), AppError> {
        self.session.cycle_id().await?;
        let now = unix_now();
        let stamped = Stamped {
            value,
            logged_in_at: now,
            last_seen: now,
        };
        self.session.insert(T::KEY, &stamped).await?;
        Ok(())
    }

    /// Logs out of everything: the record is deleted from the store and the cookie cleared,
    /// so a copy of the old cookie is anonymous from now on.
    pub async fn log_out(&self) -> Result<(), AppError> {
        self.session.flush().await?;
        Ok(())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for LabSession {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|(_, msg)| AppError::internal("session layer missing", msg))?;
        let policy = parts
            .extensions
            .get::<SessionPolicy>()
            .copied()
            .ok_or_else(|| AppError::internal("session policy missing", "no extension"))?;
        Ok(Self::new(session, policy))
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}
