//! The logins service: record a login when it starts, check that it was not ended, list an
//! account's logins, and end them.

use super::{device, revocation::RevocationStore, store::LoginStore, LoginKind, LoginRecord};
use crate::{clock::unix_now, error::AppError, limits::ClientAddress};
use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts, HeaderValue},
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::RngCore;
use std::{convert::Infallible, net::IpAddr, sync::Arc, time::Duration};

/// How long past its end an ended login stays denied: more than any verifier's leeway.
const DENY_MARGIN_SECS: u64 = 60;

/// How stale `last_seen` may get before a request writes it again: at most one write a
/// minute per login.
pub const TOUCH_AFTER_SECS: u64 = 60;

/// The denylist entry of a login (and of every token of a JWT login: their `sid`).
pub fn denied_key(login_id: &str) -> String {
    format!("sid:{login_id}")
}

/// A new random id (128 bits, base64url): a login id, a token id.
pub fn random_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Where a login comes from: its request's `User-Agent` and client address. Kept raw (a
/// header value clone shares its bytes) and described only when a login is recorded, so the
/// requests that start no login never parse a `User-Agent`.
#[derive(Debug, Clone, Default)]
pub struct LoginOrigin {
    user_agent: Option<HeaderValue>,
    address: Option<IpAddr>,
}

impl LoginOrigin {
    /// "Firefox 128 on Linux".
    pub fn device(&self) -> String {
        device::describe(self.user_agent.as_ref().and_then(|v| v.to_str().ok()))
    }

    /// The client address, or "unknown" (a router called in-process has none).
    pub fn address(&self) -> String {
        self.address
            .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for LoginOrigin {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self {
            user_agent: parts.headers.get(header::USER_AGENT).cloned(),
            address: parts
                .extensions
                .get::<ClientAddress>()
                .map(|ClientAddress(ip)| *ip),
        })
    }
}

/// Who logs in: the account and its credentials version.
#[derive(Debug, Clone, Copy)]
pub struct Holder {
    pub account_id: i64,
    pub version: i64,
}

/// How long a login lasts without use, by kind, so that the list shows only live ones.
#[derive(Debug, Clone, Copy)]
pub struct Idle {
    /// A session entry (session lab, shop) ends after this long without a request.
    pub session: Duration,
    /// A JWT-lab token expires this long after its last re-issue.
    pub token: Duration,
}

/// `last_seen` is noted at most once a minute, and a token's last re-issue may be up to a
/// minute after it: the slack before an unused login stops being listed.
const IDLE_SLACK_SECS: u64 = 2 * TOUCH_AFTER_SECS;

#[derive(Clone)]
pub struct Logins {
    store: Arc<dyn LoginStore>,
    denylist: Arc<dyn RevocationStore>,
    idle: Idle,
}

impl Logins {
    pub fn new(store: Arc<dyn LoginStore>, denylist: Arc<dyn RevocationStore>, idle: Idle) -> Self {
        Self {
            store,
            denylist,
            idle,
        }
    }

    /// Whether the login can still be used at `now`: before its end, and not idle longer than
    /// its kind allows (signed cookies and API families live to their end).
    fn is_live(&self, login: &LoginRecord, now: u64) -> bool {
        let idle = match login.kind {
            LoginKind::Session | LoginKind::Shop => Some(self.idle.session),
            LoginKind::Jwt => Some(self.idle.token),
            LoginKind::SignedCookie | LoginKind::Api => None,
        };
        let idle_ends = idle.map_or(u64::MAX, |idle| {
            login.last_seen + idle.as_secs() + IDLE_SLACK_SECS
        });
        now < login.ends_at && now < idle_ends
    }

    /// Records a login that starts now under `id` and ends at `ends_at` at the latest.
    pub async fn record(
        &self,
        id: &str,
        kind: LoginKind,
        holder: Holder,
        origin: &LoginOrigin,
        ends_at: u64,
    ) -> Result<(), AppError> {
        let now = unix_now();
        self.store
            .insert(&LoginRecord {
                id: id.to_owned(),
                account_id: holder.account_id,
                version: holder.version,
                kind,
                device: origin.device(),
                address: origin.address(),
                started_at: now,
                last_seen: now,
                ends_at,
            })
            .await
    }

    /// Records a login under a new id, and returns the id.
    pub async fn start(
        &self,
        kind: LoginKind,
        holder: Holder,
        origin: &LoginOrigin,
        ends_at: u64,
    ) -> Result<String, AppError> {
        let id = random_id();
        self.record(&id, kind, holder, origin, ends_at).await?;
        Ok(id)
    }

    /// Whether the login was ended (from the sessions page, or by refresh-token reuse).
    pub async fn is_ended(&self, id: &str) -> Result<bool, AppError> {
        self.denylist.any_revoked(&[&denied_key(id)]).await
    }

    /// Notes that the login was used now, when its last note (`noted_at`) is older than a
    /// minute; returns whether it wrote.
    pub async fn touch(&self, account_id: i64, id: &str, noted_at: u64) -> Result<bool, AppError> {
        let now = unix_now();
        if now.saturating_sub(noted_at) < TOUCH_AFTER_SECS {
            return Ok(false);
        }
        self.store.touch(account_id, id, now).await?;
        Ok(true)
    }

    /// The account's live logins under its current credentials version, oldest first.
    pub async fn list(&self, holder: Holder) -> Result<Vec<LoginRecord>, AppError> {
        let now = unix_now();
        let mut logins = self.store.list(holder.account_id).await?;
        logins.retain(|login| login.version == holder.version && self.is_live(login, now));
        in_order(&mut logins);
        Ok(logins)
    }

    /// Ends the account's login `id`: denied on every instance until it would have ended
    /// anyway, then taken off the index. `None` when the account has no such login, or a
    /// concurrent "End" took it first.
    ///
    /// Denied first, removed second: if the second step fails, the login is ended but still
    /// listed, and ending it again is harmless — never the other way round.
    pub async fn end(&self, account_id: i64, id: &str) -> Result<Option<LoginRecord>, AppError> {
        let listed = self.store.list(account_id).await?;
        match listed.into_iter().find(|login| login.id == id) {
            Some(login) => self.end_listed(login).await,
            None => Ok(None),
        }
    }

    /// Ends a login just read from the index: denied first, then taken off it.
    async fn end_listed(&self, login: LoginRecord) -> Result<Option<LoginRecord>, AppError> {
        self.deny_id(&login.id, login.ends_at).await?;
        let removed = self.store.remove(login.account_id, &login.id).await?;
        if removed.is_some() {
            tracing::info!(
                kind = login.kind.code(),
                "login ended from the sessions page"
            );
        }
        Ok(removed)
    }

    /// Denies the login `id` without looking it up (refresh-token reuse ends its family).
    pub async fn deny_id(&self, id: &str, ends_at: u64) -> Result<(), AppError> {
        self.denylist
            .revoke(&[&denied_key(id)], ends_at + DENY_MARGIN_SECS)
            .await
    }

    /// Ends every login of the account but those in `keep`; returns how many it ended.
    pub async fn end_others(&self, holder: Holder, keep: &[&str]) -> Result<usize, AppError> {
        let mut ended = 0;
        for login in self.list(holder).await? {
            if keep.contains(&login.id.as_str()) {
                continue;
            }
            // An API family a replay revoked stays listed until its end; it is ended already.
            if login.kind == LoginKind::Api && self.is_ended(&login.id).await? {
                continue;
            }
            if self.end_listed(login).await?.is_some() {
                ended += 1;
            }
        }
        Ok(ended)
    }

    /// Takes a login off the index that its own logout already ended.
    pub async fn forget(&self, account_id: i64, id: &str) -> Result<(), AppError> {
        self.store.remove(account_id, id).await.map(|_| ())
    }

    /// A password change to `version` ended every earlier login of the account: forget them.
    pub async fn forget_older(&self, account_id: i64, version: i64) -> Result<(), AppError> {
        self.store.remove_older(account_id, version).await
    }

    /// Forgets logins past their end (the background cleaner).
    pub async fn delete_expired(&self) -> Result<u64, AppError> {
        self.store.delete_expired().await
    }
}

/// Oldest first. Logins started in the same second (a quick run through the labs) are ordered
/// by kind, not by their random ids, so the same steps always give the same list.
fn in_order(logins: &mut [LoginRecord]) {
    logins.sort_by(|a, b| {
        (a.started_at, a.kind.code(), &a.id).cmp(&(b.started_at, b.kind.code(), &b.id))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login(id: &str, kind: LoginKind, started_at: u64) -> LoginRecord {
        LoginRecord {
            id: id.into(),
            account_id: 1,
            version: 1,
            kind,
            device: String::new(),
            address: String::new(),
            started_at,
            last_seen: started_at,
            ends_at: started_at + 60,
        }
    }

    #[test]
    fn logins_of_one_second_are_ordered_by_kind_not_by_random_id() {
        let shuffles = [
            ["a", "b", "c", "d"],
            ["d", "c", "b", "a"],
            ["b", "d", "a", "c"],
        ];
        for ids in shuffles {
            let mut logins = vec![
                login(ids[0], LoginKind::Session, 10),
                login(ids[1], LoginKind::Jwt, 10),
                login(ids[2], LoginKind::Shop, 9),
                login(ids[3], LoginKind::SignedCookie, 10),
            ];
            in_order(&mut logins);
            let kinds: Vec<LoginKind> = logins.iter().map(|l| l.kind).collect();
            assert_eq!(
                kinds,
                [
                    LoginKind::Shop,
                    LoginKind::Jwt,
                    LoginKind::Session,
                    LoginKind::SignedCookie
                ]
            );
        }
    }
}
