//! Refresh tokens for the API: a short access token (a JWT) and an opaque refresh token that
//! **rotates** at every use and **catches a replay** (RFC 9700 §4.14, OAuth 2.1 §4.3.1).
//!
//! 1. `POST /api/token` starts a login: an access token whose `sid` is the login's id, and a
//!    refresh token — 32 random bytes. The store keeps only its SHA-256 hash, under the
//!    login's **family** (the login id), beside the sessions so every instance shares it.
//! 2. `POST /api/token/refresh` retires the presented token and hands out a new pair. Retiring
//!    is one atomic step in the store ([`RefreshStore::rotate`]): of two requests presenting
//!    the same token, exactly one finds it live.
//! 3. A retired token presented again means two parties hold it — the client and a thief.
//!    The server cannot tell which is which, so it ends the whole family: the login's id goes
//!    on the denylist, which refuses every access token (`sid`) and every refresh token of it.
//!    There is no grace window for a lost response: the client logs in again.
//! 4. Whatever happens, a family ends at its login's absolute lifetime (`auth_time` plus the
//!    login lifetime), and with a password change.

use super::service::{Issued, Tokens};
use crate::{
    accounts::service::{Accounts, AuthenticatedUser},
    clock::unix_now,
    error::AppError,
    logins::{
        service::{random_id, LoginOrigin, Logins},
        LoginKind,
    },
};
use async_trait::async_trait;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::{sync::Arc, time::Duration};

/// What a refresh token stands for. The token itself is never stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RefreshGrant {
    /// The login id: the `sid` of its access tokens.
    pub family: String,
    pub account_id: i64,
    pub username: String,
    /// The credentials version at login.
    pub version: i64,
    /// When the password was checked (copied into every access token).
    pub auth_time: u64,
    pub issued_at: u64,
    /// The family's end (Unix seconds): `auth_time` plus the login lifetime.
    pub expires_at: u64,
}

impl RefreshGrant {
    /// The account the family belongs to, under its credentials version at login.
    pub fn user(&self) -> AuthenticatedUser {
        AuthenticatedUser {
            id: self.account_id,
            username: self.username.clone(),
            version: self.version,
        }
    }
}

/// One refresh token of a family, as the sessions page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshEntry {
    /// The first characters of its hash: enough to tell tokens apart, useless to an attacker.
    pub label: String,
    pub issued_at: u64,
    /// When it was exchanged for a new pair.
    pub retired_at: Option<u64>,
    /// When it was presented again after that (which revoked the family).
    pub replayed_at: Option<u64>,
}

/// What presenting a refresh token did in the store.
#[derive(Debug, PartialEq, Eq)]
pub enum Rotation {
    /// No such token (never issued, or forgotten after its family ended).
    Unknown,
    /// It was live and is now retired: the caller may hand out the next pair.
    Retired(RefreshGrant),
    /// It was already retired: a replay. Its `replayed_at` is now set.
    Replayed(RefreshGrant),
}

#[async_trait]
pub trait RefreshStore: Send + Sync + 'static {
    /// Stores a live token under its hash.
    async fn insert(&self, hash: &str, grant: &RefreshGrant) -> Result<(), AppError>;
    /// Retires the token `hash` if it is live, **atomically**; otherwise notes the replay.
    async fn rotate(&self, hash: &str, now: u64) -> Result<Rotation, AppError>;
    /// Makes the token live again if `rotate` retired it at `retired_at` and nobody has
    /// presented it since: a refresh that failed halfway (a store error) must not turn the
    /// client's retry into a replay.
    async fn restore(&self, hash: &str, retired_at: u64) -> Result<(), AppError>;
    /// The tokens of a family, oldest first.
    async fn family(&self, family: &str) -> Result<Vec<RefreshEntry>, AppError>;
    /// Forgets tokens whose family has ended; returns how many.
    async fn delete_expired(&self) -> Result<u64, AppError>;
}

/// A new refresh token: 256 random bits, base64url.
pub fn new_refresh_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What the store keys a token by: its SHA-256, hex. A leaked store holds no usable token.
pub fn refresh_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// How the sessions page names a token: the start of its hash.
pub fn label_of(hash: &str) -> String {
    hash.chars().take(8).collect()
}

/// Why a refresh was refused. Every one is `401 invalid_grant` with this message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefreshError {
    #[error("the refresh token is not one this server issued, or its login ended long ago")]
    Unknown,
    #[error("this refresh token was already used once: a second use means a copy exists, so every token of its login (its family) is now revoked; log in again")]
    Reused,
    #[error("the login this refresh token belongs to was ended (a logout, \"End\" on the sessions page, or a reused refresh token); log in again")]
    Ended,
    #[error("the login this refresh token belongs to is older than the longest a login may last; log in again")]
    LoginExpired,
    #[error("the password changed after this login; log in again")]
    Superseded,
}

/// An access token and the refresh token that replaces it.
#[derive(Debug)]
pub struct TokenPair {
    pub access: Issued,
    pub refresh_token: String,
}

/// The API's logins: token pairs, their rotation and their families.
#[derive(Clone)]
pub struct ApiTokens {
    tokens: Tokens,
    store: Arc<dyn RefreshStore>,
    logins: Logins,
    accounts: Accounts,
    /// How long one access token is valid (never past its login's end).
    access_lifetime: Duration,
}

impl ApiTokens {
    pub fn new(
        tokens: Tokens,
        store: Arc<dyn RefreshStore>,
        logins: Logins,
        accounts: Accounts,
        access_lifetime: Duration,
    ) -> Self {
        Self {
            tokens,
            store,
            logins,
            accounts,
            access_lifetime,
        }
    }

    /// A login through the API: a new family, listed on the sessions page, and its first pair.
    pub async fn log_in(
        &self,
        user: &AuthenticatedUser,
        origin: &LoginOrigin,
    ) -> Result<TokenPair, AppError> {
        let now = unix_now();
        let grant = RefreshGrant {
            family: random_id(),
            account_id: user.id,
            username: user.username.clone(),
            version: user.version,
            auth_time: now,
            issued_at: now,
            expires_at: self.tokens.login_end(now),
        };
        self.logins
            .record(
                &grant.family,
                LoginKind::Api,
                user.holder(),
                origin,
                grant.expires_at,
            )
            .await?;
        self.pair(grant).await
    }

    /// Signs an access token of the family and stores a new refresh token for it.
    async fn pair(&self, grant: RefreshGrant) -> Result<TokenPair, AppError> {
        let user = grant.user();
        let access = self.tokens.issue_access(
            &user,
            &grant.family,
            grant.auth_time,
            self.access_lifetime,
        )?;
        let refresh_token = new_refresh_token();
        self.store
            .insert(&refresh_hash(&refresh_token), &grant)
            .await?;
        Ok(TokenPair {
            access,
            refresh_token,
        })
    }

    /// Trades a live refresh token for the next pair of its family. Retiring it is the atomic
    /// step; a retired one revokes the family. If a store fails after the retiring, the token
    /// is made live again, so the client's retry is not taken for a replay.
    pub async fn refresh(&self, token: &str) -> Result<Result<TokenPair, RefreshError>, AppError> {
        let now = unix_now();
        let hash = refresh_hash(token);
        let grant = match self.store.rotate(&hash, now).await? {
            Rotation::Unknown => return Ok(Err(RefreshError::Unknown)),
            Rotation::Replayed(grant) => {
                tracing::warn!("a retired refresh token was presented: its family is revoked");
                if grant.expires_at > now {
                    // The login stays listed until its end, marked as revoked.
                    self.logins.deny_id(&grant.family, grant.expires_at).await?;
                }
                return Ok(Err(RefreshError::Reused));
            }
            Rotation::Retired(grant) => grant,
        };
        let answer = self.next_pair(grant, now).await;
        if answer.is_err() && self.store.restore(&hash, now).await.is_err() {
            tracing::warn!("a refresh failed halfway and its token could not be made live again");
        }
        answer
    }

    /// The checks after the retired token, then the next pair: its login has not reached its
    /// end, was not ended, and the password did not change since.
    async fn next_pair(
        &self,
        grant: RefreshGrant,
        now: u64,
    ) -> Result<Result<TokenPair, RefreshError>, AppError> {
        if now >= grant.expires_at {
            return Ok(Err(RefreshError::LoginExpired));
        }
        if self.logins.is_ended(&grant.family).await? {
            return Ok(Err(RefreshError::Ended));
        }
        let user = grant.user();
        if !self.accounts.is_current(&user).await? {
            return Ok(Err(RefreshError::Superseded));
        }
        // "Last used" is a courtesy: failing to note it fails no refresh.
        if let Err(error) = self
            .logins
            .touch(grant.account_id, &grant.family, grant.issued_at)
            .await
        {
            tracing::warn!(%error, "could not note a refresh as the login's last use");
        }
        self.pair(RefreshGrant {
            issued_at: now,
            ..grant
        })
        .await
        .map(Ok)
    }

    /// The refresh tokens of the login `family`, oldest first.
    pub async fn family(&self, family: &str) -> Result<Vec<RefreshEntry>, AppError> {
        self.store.family(family).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (a, b) = (new_refresh_token(), new_refresh_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(refresh_hash(&a).len(), 64);
        assert_ne!(refresh_hash(&a), refresh_hash(&b));
        assert!(!refresh_hash(&a).contains(&a));
        assert_eq!(label_of(&refresh_hash(&a)).len(), 8);
    }
}
