//! Server-side sessions, typed. Handlers never touch tower-sessions' string keys: each lab
//! declares a [`SessionEntry`] and goes through [`LabSession`], which
//!
//! - issues a **new session id at every login** (session fixation defence),
//! - enforces the idle and absolute timeouts from timestamps kept next to the value,
//! - drops entries issued before the account's password changed,
//! - records each login in the index of logins ([`crate::logins`]) and drops an entry whose
//!   login was ended from the sessions page,
//! - and destroys the record server-side at logout.
//!
//! The cookie holds only the random id; tower-sessions loads the record from the store and
//! never adopts an id the store does not know.

use crate::clock::unix_now;
use crate::{
    accounts::service::{Accounts, AuthenticatedUser},
    error::AppError,
    limits::NewSessionAllowance,
    logins::{
        service::{LoginOrigin, Logins},
        LoginKind,
    },
};
use axum::{extract::FromRequestParts, http::request::Parts};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use std::time::Duration;
use tower_sessions::Session;

/// A login one lab keeps in the session under its own key.
pub trait SessionEntry: Serialize + DeserializeOwned + Send + Sync {
    const KEY: &'static str;
    /// How the sessions page lists its logins.
    const KIND: LoginKind;
    /// Whose login it is, and under which credentials version.
    fn account(&self) -> &AuthenticatedUser;
}

/// The keys of every lab's entry, for showing a visitor their own session record.
pub const ENTRY_KEYS: [&str; 2] = ["shop", "session"];

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
    /// The login's id in the index of logins; absent in entries written before there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    login: Option<String>,
}

/// What a session holds for one lab.
pub enum Lookup<T> {
    Found(T),
    Absent,
    /// It was there, and was removed for this reason.
    Ended(Ended),
}

/// Why a session entry stopped counting before its logout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// Idle too long, or older than the absolute timeout.
    TimedOut,
    /// The account's password changed after the login.
    PasswordChanged,
    /// The login was ended from the account's sessions page.
    Remotely,
}

/// The current request's session. Extract it in a handler, or with
/// `leptos_axum::extract::<LabSession>()` in a server function.
pub struct LabSession {
    session: Session,
    policy: SessionPolicy,
    logins: Logins,
    /// Where this request comes from, for a login it starts.
    origin: LoginOrigin,
    /// This client's allowance for new sessions, when the server limits them.
    new_sessions: Option<NewSessionAllowance>,
}

impl LabSession {
    pub fn new(
        session: Session,
        policy: SessionPolicy,
        logins: Logins,
        origin: LoginOrigin,
    ) -> Self {
        Self {
            session,
            policy,
            logins,
            origin,
            new_sessions: None,
        }
    }

    /// The lab's value, if logged in, within both timeouts, and issued under the account's
    /// current password. An entry failing a check is removed.
    pub async fn get<T: SessionEntry>(&self, accounts: &Accounts) -> Result<Option<T>, AppError> {
        Ok(match self.find::<T>(accounts).await? {
            Lookup::Found(value) => Some(value),
            Lookup::Absent | Lookup::Ended(_) => None,
        })
    }

    /// Like [`LabSession::get`], and says why an entry that was there no longer counts.
    pub async fn find<T: SessionEntry>(&self, accounts: &Accounts) -> Result<Lookup<T>, AppError> {
        let Some(mut stamped) = self.session.get::<Stamped<T>>(T::KEY).await? else {
            return Ok(Lookup::Absent);
        };
        if let Some(ended) = self
            .ended(T::KEY, &stamped, stamped.value.account(), accounts)
            .await?
        {
            return Ok(Lookup::Ended(ended));
        }
        let now = unix_now();
        if now.saturating_sub(stamped.last_seen) > self.policy.refresh_after().as_secs() {
            if let Some(login) = &stamped.login {
                let account = stamped.value.account().id;
                self.logins.touch(account, login, stamped.last_seen).await?;
            }
            stamped.last_seen = now;
            self.session.insert(T::KEY, &stamped).await?;
        }
        Ok(Lookup::Found(stamped.value))
    }

    /// Why the entry under `key` no longer counts (a timeout, a password change since, its
    /// login ended), if it does not. An entry failing a check is removed, and the record with
    /// it when nothing else is left in it.
    async fn ended<T>(
        &self,
        key: &str,
        stamped: &Stamped<T>,
        account: &AuthenticatedUser,
        accounts: &Accounts,
    ) -> Result<Option<Ended>, AppError> {
        let now = unix_now();
        let idle = now.saturating_sub(stamped.last_seen);
        let age = now.saturating_sub(stamped.logged_in_at);
        let ended = if idle > self.policy.idle_timeout.as_secs()
            || age > self.policy.absolute_timeout.as_secs()
        {
            Ended::TimedOut
        } else if !accounts.is_current(account).await? {
            Ended::PasswordChanged
        } else if let Some(login) = &stamped.login {
            if !self.logins.is_ended(login).await? {
                return Ok(None);
            }
            Ended::Remotely
        } else {
            return Ok(None);
        };
        tracing::info!(entry = key, "session entry ended: {ended:?}");
        self.session.remove_value(key).await?;
        if !self.has_entries().await? {
            self.session.flush().await?;
        }
        Ok(Some(ended))
    }

    /// Whether any lab's entry is left in the record. (`Session::is_empty` is false for any
    /// record loaded by id, whatever it holds.)
    async fn has_entries(&self) -> Result<bool, AppError> {
        for key in ENTRY_KEYS {
            if self.session.get_value(key).await?.is_some() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Where this request comes from: the device and address a login it starts is listed with.
    pub fn origin(&self) -> &LoginOrigin {
        &self.origin
    }

    /// Whether this request wrote the session, so that its cookie goes out again.
    pub fn is_modified(&self) -> bool {
        self.session.is_modified()
    }

    /// Replaces the lab's value, keeping its login time (the absolute timeout still counts
    /// from the login).
    pub async fn update<T: SessionEntry>(&self, value: T) -> Result<(), AppError> {
        let now = unix_now();
        let old = self
            .session
            .get::<Stamped<serde::de::IgnoredAny>>(T::KEY)
            .await?;
        let stamped = Stamped {
            value,
            logged_in_at: old.as_ref().map_or(now, |old| old.logged_in_at),
            last_seen: now,
            login: old.and_then(|old| old.login),
        };
        self.session.insert(T::KEY, &stamped).await?;
        Ok(())
    }

    /// The visitor's own record, entry by entry, with when it expires: for `/api/echo`.
    /// Never includes the session id. Each entry passes the same checks as a real request
    /// (timeouts, credentials version) first: a revoked login reveals nothing.
    pub async fn describe(
        &self,
        accounts: &Accounts,
    ) -> Result<Option<SessionRecordView>, AppError> {
        /// The part every lab's entry shares: whose login it is.
        #[derive(Deserialize)]
        struct Owner {
            user: AuthenticatedUser,
        }
        let mut entries = serde_json::Map::new();
        for key in ENTRY_KEYS {
            let Some(stamped) = self.session.get::<Stamped<serde_json::Value>>(key).await? else {
                continue;
            };
            let Ok(owner) = Owner::deserialize(&stamped.value) else {
                continue;
            };
            if self
                .ended(key, &stamped, &owner.user, accounts)
                .await?
                .is_none()
            {
                let value = serde_json::to_value(&stamped)
                    .map_err(|e| AppError::internal("describing a session entry", e))?;
                entries.insert(key.to_owned(), value);
            }
        }
        if entries.is_empty() {
            return Ok(None);
        }
        Ok(Some(SessionRecordView {
            expires_at: self.session.expiry_date().unix_timestamp(),
            entries,
            id_digest: self.session.id().map(|id| id_digest(&id.to_string())),
        }))
    }

    /// Logs in: a brand-new session id first, then the value under it. Each login creates a
    /// session, so it spends one of the client's new sessions for this minute.
    pub async fn log_in<T: SessionEntry>(&self, value: T) -> Result<(), AppError> {
        if let Some(allowance) = &self.new_sessions {
            allowance.take()?;
        }
        // Recorded before the id changes: if recording fails, the old record is untouched.
        let now = unix_now();
        let login = self
            .logins
            .start(
                T::KIND,
                value.account().holder(),
                &self.origin,
                now + self.policy.absolute_timeout.as_secs(),
            )
            .await?;
        self.session.cycle_id().await?;
        let stamped = Stamped {
            value,
            logged_in_at: now,
            last_seen: now,
            login: Some(login),
        };
        self.session.insert(T::KEY, &stamped).await?;
        Ok(())
    }

    /// The id of the lab's login in the index of logins, if it has one (for "this browser").
    pub async fn login_id<T: SessionEntry>(&self) -> Result<Option<String>, AppError> {
        Ok(self
            .session
            .get::<Stamped<serde::de::IgnoredAny>>(T::KEY)
            .await?
            .and_then(|stamped| stamped.login))
    }

    /// Logs out of one lab. If no other lab is logged in, the record is deleted from the store
    /// and the cookie cleared; otherwise the others keep their logins under a **new id**. Either
    /// way the old id is dead, so a copy of the old cookie is anonymous from now on.
    pub async fn log_out<T: SessionEntry>(&self) -> Result<(), AppError> {
        let removed = self
            .session
            .remove_value(T::KEY)
            .await?
            .and_then(|value| serde_json::from_value::<Stamped<T>>(value).ok());
        if let Some(Stamped {
            value,
            login: Some(login),
            ..
        }) = &removed
        {
            self.logins.forget(value.account().id, login).await?;
        }
        // The record holds nothing but lab entries: none left means no lab is logged in.
        if !self.has_entries().await? {
            self.session.flush().await?;
        } else {
            self.session.cycle_id().await?;
        }
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
        let logins = parts
            .extensions
            .get::<Logins>()
            .cloned()
            .ok_or_else(|| AppError::internal("logins missing", "no extension"))?;
        let Ok(origin) = LoginOrigin::from_request_parts(parts, state).await;
        Ok(Self {
            new_sessions: parts.extensions.get::<NewSessionAllowance>().cloned(),
            ..Self::new(session, policy, logins, origin)
        })
    }
}

/// Where the server keeps sessions, for the viewer's lesson about restarts.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct SessionStoreInfo {
    /// `memory`, `SQLite`, `Redis` or `PostgreSQL`.
    pub kind: &'static str,
    /// False for the memory store: a restart logs everybody out.
    pub survives_restart: bool,
}

/// A session record as its owner may see it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SessionRecordView {
    /// Unix seconds at which the store forgets the record unless a request refreshes it.
    pub expires_at: i64,
    /// Each lab's entry, with the login and last-seen times the timeouts are measured from.
    #[schema(value_type = Object)]
    pub entries: serde_json::Map<String, serde_json::Value>,
    /// The first 8 bytes of SHA-256 over the session id, in hex: tells one session from
    /// another without showing the id (the attack lab's fixation run compares it with the
    /// digest of the id it planted).
    pub id_digest: Option<String>,
}

/// The first 8 bytes of SHA-256 over `id`, in hex.
pub fn id_digest(id: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(id.as_bytes())[..8]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}
