//! The `signed-cookie` lab: the plain lab's data, made tamper-proof.
//!
//! The server encrypts `{username, count, exp, …}` with AES-256-GCM under its cookie key (the
//! `cookie` crate's *private* jar). GCM authenticates as it encrypts, and the cookie's **name**
//! is part of what is authenticated, so:
//!
//! - editing or truncating the value breaks the authentication tag: rejected;
//! - a value copied from another cookie (another name) fails the same check: rejected;
//! - the expiry is *inside* the value, so a browser that ignores `Max-Age` gains nothing;
//! - the account's credentials version is inside too: a password change revokes it;
//! - so is the login's id (`lid`), which the sessions page can end: the server checks it
//!   against the denylist at every request.
//!
//! What logout cannot do: revoke the cookie. It only deletes it in the browser, so a stolen
//! copy works until it expires — unless the login is ended on the sessions page, or the
//! password (or the key) changes.

use crate::clock::unix_now;
use crate::{
    accounts::service::AuthenticatedUser,
    cookies::jar::{LabCookie, Sent, SetCookie},
    error::AppError,
    labs::{Lab, LabInfo, LabLogin, Notice, Outcome, Visitor},
    logins::LoginKind,
    state::AppState,
};
use async_trait::async_trait;
use cookie::{Cookie, CookieJar, Key};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// What the encrypted value holds. Nobody but the server can read or write it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedUser {
    pub username: String,
    pub count: u64,
    /// Unix seconds after which the value is refused, whatever the browser does.
    pub exp: u64,
    /// The account and credentials version it was issued for.
    pub uid: i64,
    pub ver: i64,
    /// The login's id on the sessions page, where it can be ended.
    pub lid: String,
    /// Unix seconds at which the sessions page last noted that this login was used.
    pub seen: u64,
}

impl SignedUser {
    /// The account and credentials version the cookie was issued for.
    pub fn account(&self) -> AuthenticatedUser {
        AuthenticatedUser {
            id: self.uid,
            username: self.username.clone(),
            version: self.ver,
        }
    }
}

/// Why a signed cookie was refused; each reason makes the visitor anonymous.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignedCookieError {
    #[error("the value was changed, truncated or made for another cookie (authentication failed)")]
    Forged,
    #[error("the value decrypted but is not the expected JSON")]
    Malformed,
    #[error("the value has expired")]
    Expired,
}

/// Encrypts `user` as the value of the cookie called `name`.
pub fn seal(key: &Key, name: &str, user: &SignedUser) -> Result<String, AppError> {
    let json = serde_json::to_string(user).map_err(|e| AppError::internal("cookie json", e))?;
    let mut jar = CookieJar::new();
    jar.private_mut(key).add(Cookie::new(name.to_owned(), json));
    jar.get(name)
        .map(|c| c.value().to_owned())
        .ok_or_else(|| AppError::internal("private jar", "sealed cookie missing"))
}

/// Decrypts and checks the value of the cookie called `name`, at time `now` (Unix seconds).
pub fn open(key: &Key, name: &str, raw: &str, now: u64) -> Result<SignedUser, SignedCookieError> {
    let sealed = Cookie::new(name.to_owned(), raw.to_owned());
    let plain = CookieJar::new()
        .private(key)
        .decrypt(sealed)
        .ok_or(SignedCookieError::Forged)?;
    let user: SignedUser =
        serde_json::from_str(plain.value()).map_err(|_| SignedCookieError::Malformed)?;
    if user.exp <= now {
        return Err(SignedCookieError::Expired);
    }
    Ok(user)
}

pub struct SignedCookieLab;

impl SignedCookieLab {
    /// The checked cookie content, or the outcome when there is none or it fails a check.
    async fn read(
        state: &AppState,
        visitor: &Visitor,
    ) -> Result<Result<SignedUser, Outcome>, AppError> {
        let name = state.cookies.name(LabCookie::SignedUser);
        let refused =
            |why| Outcome::refused(why, Some(state.cookies.remove(LabCookie::SignedUser)));
        let raw = match visitor.cookies.get(name) {
            Sent::Absent => return Ok(Err(Outcome::anonymous())),
            Sent::Duplicated => return Ok(Err(refused(Notice::Twice))),
            Sent::One(raw) => raw,
        };
        let user = match open(&state.cookie_key, name, raw, unix_now()) {
            Ok(user) => user,
            Err(reason) => {
                tracing::info!(%reason, "signed cookie refused");
                return Ok(Err(refused(match reason {
                    SignedCookieError::Forged => Notice::SealBroken,
                    SignedCookieError::Malformed => Notice::Unreadable,
                    SignedCookieError::Expired => Notice::Expired,
                })));
            }
        };
        if let Some(why) = Self::revoked(state, &user).await? {
            return Ok(Err(refused(why)));
        }
        Ok(Ok(user))
    }

    /// Why a correctly sealed, unexpired cookie no longer logs in, if it does not: the
    /// password changed since, or its login was ended on the sessions page. The lab and
    /// `/api/echo` judge alike through this.
    pub async fn revoked(state: &AppState, user: &SignedUser) -> Result<Option<Notice>, AppError> {
        if !state.accounts.is_current(&user.account()).await? {
            tracing::info!("signed cookie issued before a password change");
            return Ok(Some(Notice::PasswordChanged));
        }
        if state.logins.is_ended(&user.lid).await? {
            tracing::info!("signed cookie of an ended login");
            return Ok(Some(Notice::Ended));
        }
        Ok(None)
    }

    fn cookie(state: &AppState, user: &SignedUser) -> Result<SetCookie, AppError> {
        let name = state.cookies.name(LabCookie::SignedUser);
        let remaining = Duration::from_secs(user.exp.saturating_sub(unix_now()));
        state.cookies.set(
            LabCookie::SignedUser,
            seal(&state.cookie_key, name, user)?,
            Some(remaining),
        )
    }
}

#[async_trait]
impl Lab for SignedCookieLab {
    const INFO: LabInfo = LabInfo {
        slug: "signed-cookie",
        cookie: crate::cookies::jar::LabCookie::SignedUser,
        title: "Signed cookie",
        lesson: "The same name and count, but encrypted and authenticated by the server with a \
                 key only it knows; the cookie's name and an expiry are sealed in. Any edit, \
                 truncation or value copied from another cookie is rejected. The server keeps \
                 nothing but the login's id, so a logout cannot revoke a copied cookie before \
                 it expires: only \"End\" on your sessions page can.",
        logout_lesson: "Logging out deletes the cookie in your browser. A copy made before still \
                        works until its sealed expiry, because the server never stored the \
                        cookie; \"End\" on your sessions page denies the login id sealed in it, \
                        and a password change revokes every copy.",
        logged_out: "Your browser deleted the signed cookie; a copy made before would still work until its sealed expiry.",
    };

    async fn current(state: &AppState, visitor: &Visitor) -> Result<Outcome, AppError> {
        Ok(match Self::read(state, visitor).await? {
            Ok(user) => Outcome::logged_in(user.username, user.count, Vec::new()),
            Err(outcome) => outcome,
        })
    }

    async fn log_in(
        state: &AppState,
        visitor: &Visitor,
        user: AuthenticatedUser,
    ) -> Result<Vec<SetCookie>, AppError> {
        let now = unix_now();
        let exp = now + state.cookies.signed_lifetime.as_secs();
        let lid = state
            .logins
            .start(
                LoginKind::SignedCookie,
                user.holder(),
                visitor.session.origin(),
                exp,
            )
            .await?;
        let signed = SignedUser {
            username: user.username,
            count: 0,
            exp,
            uid: user.id,
            ver: user.version,
            lid,
            seen: now,
        };
        Ok(vec![Self::cookie(state, &signed)?])
    }

    async fn visit(state: &AppState, visitor: &Visitor) -> Result<Outcome, AppError> {
        let mut user = match Self::read(state, visitor).await? {
            Ok(user) => user,
            Err(outcome) => return Ok(outcome),
        };
        user.count = user.count.saturating_add(1);
        if state.logins.touch(user.uid, &user.lid, user.seen).await? {
            user.seen = unix_now();
        }
        let cookie = Self::cookie(state, &user)?;
        Ok(Outcome::logged_in(user.username, user.count, vec![cookie]))
    }

    async fn log_out(state: &AppState, _: &Visitor) -> Result<Vec<SetCookie>, AppError> {
        Ok(vec![state.cookies.remove(LabCookie::SignedUser)])
    }

    async fn login(state: &AppState, visitor: &Visitor) -> Result<Option<LabLogin>, AppError> {
        let Ok(user) = Self::read(state, visitor).await? else {
            return Ok(None);
        };
        Ok(Some(LabLogin {
            user: user.account(),
            id: user.lid,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> SignedUser {
        SignedUser {
            username: "alice".into(),
            count: 3,
            exp: 2_000,
            uid: 1,
            ver: 1,
            lid: "login".into(),
            seen: 1_000,
        }
    }

    #[test]
    fn round_trips_and_rejects_every_tampering() {
        let key = Key::generate();
        let sealed = seal(&key, "signed_user", &user()).unwrap();
        assert_eq!(open(&key, "signed_user", &sealed, 1_000), Ok(user()));

        // One character changed, anywhere.
        for i in [0, sealed.len() / 2, sealed.len() - 2] {
            let mut bytes = sealed.clone().into_bytes();
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            let edited = String::from_utf8(bytes).unwrap();
            assert!(open(&key, "signed_user", &edited, 1_000).is_err());
        }
        // Truncated.
        assert!(open(&key, "signed_user", &sealed[..sealed.len() - 4], 1_000).is_err());
        // Moved from another cookie name.
        let other = seal(&key, "token", &user()).unwrap();
        assert_eq!(
            open(&key, "signed_user", &other, 1_000),
            Err(SignedCookieError::Forged)
        );
        // Another key.
        assert!(open(&Key::generate(), "signed_user", &sealed, 1_000).is_err());
        // Expired.
        assert_eq!(
            open(&key, "signed_user", &sealed, 2_000),
            Err(SignedCookieError::Expired)
        );
    }
}
