//! Issue, verify, re-issue and revoke tokens. Every check a token must pass is here, in order.

use super::{
    claims::Claims,
    keys::{JwtKeys, JwtSettings, LEEWAY_SECS},
};
use crate::clock::unix_now;
use crate::{
    accounts::service::{Accounts, AuthenticatedUser},
    error::AppError,
    logins::{
        revocation::RevocationStore,
        service::{denied_key, random_id},
    },
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::errors::ErrorKind;
use std::{sync::Arc, time::Duration};

/// Why a token was refused. The message is safe to show: it never repeats the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is not a well-formed JWT (three base64url parts, header and payload JSON)")]
    Malformed,
    #[error("unsigned tokens (alg \"none\") are never accepted")]
    Unsigned,
    #[error("the token's algorithm is not the one this server uses ({expected})")]
    WrongAlgorithm { expected: &'static str },
    #[error("the header's typ must be \"JWT\"")]
    WrongType,
    #[error("the header has a \"{0}\" parameter: this server never lets a token choose or fetch its key")]
    KeyHint(&'static str),
    #[error(
        "the header has a \"crit\" parameter: this server understands no critical header extension"
    )]
    Critical,
    #[error("the header's kid names a key this server does not have")]
    UnknownKey,
    #[error("the signature does not match the header and payload")]
    BadSignature,
    #[error("the token has expired (exp)")]
    Expired,
    #[error("the login this token belongs to is older than the longest a login may last (auth_time); log in again")]
    LoginExpired,
    #[error("the token is not valid yet (nbf)")]
    NotYetValid,
    #[error("the token was issued by someone else (iss)")]
    WrongIssuer,
    #[error("the token is meant for another audience (aud)")]
    WrongAudience,
    #[error("the required claim \"{0}\" is missing")]
    MissingClaim(String),
    #[error("the claim \"{0}\" has the wrong type")]
    BadClaim(String),
    #[error("the token was revoked by a logout")]
    Revoked,
    #[error("the password changed after this token was issued")]
    Superseded,
}

/// A token's verdict: its claims, or why it was refused. Store failures are the outer error.
pub type Verified = Result<Claims, TokenError>;

/// A freshly signed token.
#[derive(Debug)]
pub struct Issued {
    pub token: String,
    pub claims: Claims,
}

/// The token service every handler uses.
#[derive(Clone)]
pub struct Tokens {
    keys: Arc<JwtKeys>,
    revocations: Arc<dyn RevocationStore>,
    accounts: Accounts,
}

/// The `scope` of the API's access tokens.
pub const API_SCOPE: &str = "api";

/// Header parameters that point at keys. We have exactly one key, so any of them is a trick.
const KEY_HINTS: [&str; 5] = ["jku", "x5u", "jwk", "x5c", "x5t"];

impl Tokens {
    pub fn new(
        keys: Arc<JwtKeys>,
        revocations: Arc<dyn RevocationStore>,
        accounts: Accounts,
    ) -> Self {
        Self {
            keys,
            revocations,
            accounts,
        }
    }

    pub fn keys(&self) -> &JwtKeys {
        &self.keys
    }

    /// Signs a token for a new login (`count` 0, a new `sid`, `auth_time` now).
    pub fn issue(&self, user: &AuthenticatedUser) -> Result<Issued, AppError> {
        let now = unix_now();
        self.sign(self.claims(user, &random_id(), now, self.keys.settings().lifetime))
    }

    /// Signs an API access token (`scope` `api`) of the login `sid` that proved its password
    /// at `auth_time`, valid for `lifetime` but never past the login's end.
    pub fn issue_access(
        &self,
        user: &AuthenticatedUser,
        sid: &str,
        auth_time: u64,
        lifetime: Duration,
    ) -> Result<Issued, AppError> {
        self.sign(Claims {
            scope: Some(API_SCOPE.to_owned()),
            ..self.claims(user, sid, auth_time, lifetime)
        })
    }

    fn claims(
        &self,
        user: &AuthenticatedUser,
        sid: &str,
        auth_time: u64,
        lifetime: Duration,
    ) -> Claims {
        let now = unix_now();
        let settings = self.keys.settings();
        Claims {
            iss: settings.issuer.clone(),
            aud: settings.audience.clone(),
            sub: user.id.to_string(),
            name: user.username.clone(),
            count: 0,
            iat: now,
            exp: (now + lifetime.as_secs()).min(login_end(settings, auth_time)),
            auth_time: Some(auth_time),
            nbf: None,
            jti: random_id(),
            sid: sid.to_owned(),
            ver: user.version,
            scope: None,
        }
    }

    /// When a login that proved its password at `auth_time` ends, whatever happens.
    pub fn login_end(&self, auth_time: u64) -> u64 {
        login_end(self.keys.settings(), auth_time)
    }

    /// The next token of the same login: `count + 1`, a new `jti`, `iat` and `exp`; the same
    /// `sid` and `auth_time`, so it never outlives the login (`exp` is capped at its end).
    pub fn reissue(&self, previous: &Claims) -> Result<Issued, AppError> {
        let now = unix_now();
        // `verify` refuses a token without `auth_time`, so this never restarts a login.
        let auth_time = previous.auth_time.ok_or_else(|| {
            AppError::internal("re-issuing a token", "a verified token has no auth_time")
        })?;
        self.sign(Claims {
            count: previous.count.saturating_add(1),
            iat: now,
            exp: expiry(self.keys.settings(), auth_time, now),
            auth_time: Some(auth_time),
            nbf: None,
            jti: random_id(),
            ..previous.clone()
        })
    }

    fn sign(&self, claims: Claims) -> Result<Issued, AppError> {
        let token = jsonwebtoken::encode(self.keys.header(), &claims, self.keys.encoding())
            .map_err(|e| AppError::internal("signing a token", e))?;
        Ok(Issued { token, claims })
    }

    /// Checks everything: what the token itself shows ([`check_signed`]), then the denylist
    /// and the account's credentials version.
    pub async fn verify(&self, token: &str) -> Result<Verified, AppError> {
        let claims = match check_signed(&self.keys, token) {
            Ok(claims) => claims,
            Err(refused) => return Ok(Err(refused)),
        };
        if self
            .revocations
            .any_revoked(&[&jti_key(&claims.jti), &denied_key(&claims.sid)])
            .await?
        {
            return Ok(Err(TokenError::Revoked));
        }
        let Some(account) = claims.account() else {
            return Ok(Err(TokenError::BadClaim("sub".into())));
        };
        if !self.accounts.is_current(&account).await? {
            return Ok(Err(TokenError::Superseded));
        }
        Ok(Ok(claims))
    }

    /// Logout: this token and every other token of its login are refused until they expire.
    ///
    /// The entries outlive every token they cover, the verifier's leeway included: the token
    /// until its own `exp`, the login until the end of its lifetime (`auth_time` plus the
    /// login lifetime), which caps the `exp` of every token it will ever have, even one a
    /// request that verified just before this logout re-issues just after it.
    pub async fn revoke(&self, claims: &Claims) -> Result<(), AppError> {
        let margin = LEEWAY_SECS + 1;
        let settings = self.keys.settings();
        let login_ends = claims
            .auth_time
            .map_or(claims.exp, |at| at + settings.login_lifetime.as_secs())
            .max(claims.exp);
        // The login first: if the second write fails, the login is already ended.
        self.revocations
            .revoke(&[&denied_key(&claims.sid)], login_ends + margin)
            .await?;
        self.revocations
            .revoke(&[&jti_key(&claims.jti)], claims.exp + margin)
            .await
    }
}

impl Claims {
    /// Whose login the token is, under which credentials version; `None` when `sub` is not
    /// an account id.
    pub fn account(&self) -> Option<AuthenticatedUser> {
        Some(AuthenticatedUser {
            id: self.sub.parse().ok()?,
            username: self.name.clone(),
            version: self.ver,
        })
    }
}

/// The checks that need only the keys, in order: shape and header first (cheap, and the
/// header never chooses the key), then the signature and the registered claims. Stateless, so
/// it is also what the fuzz target `jwt_verify` drives.
pub fn check_signed(keys: &JwtKeys, token: &str) -> Verified {
    check_header(keys, token)?;
    let claims = jsonwebtoken::decode::<Claims>(token, keys.decoding(), keys.validation())
        .map(|data| data.claims)
        .map_err(|e| explain(keys, token, e.kind()))?;
    check_login_age(keys.settings(), &claims, unix_now())?;
    Ok(claims)
}

/// A login lasts at most the login lifetime from `auth_time`, however often its token was
/// re-issued.
fn check_login_age(settings: &JwtSettings, claims: &Claims, now: u64) -> Result<(), TokenError> {
    let Some(auth_time) = claims.auth_time else {
        return Err(TokenError::MissingClaim("auth_time".into()));
    };
    if now > auth_time.saturating_add(settings.login_lifetime.as_secs()) {
        return Err(TokenError::LoginExpired);
    }
    Ok(())
}

/// A token's `exp`: one token lifetime from now, but never past the end of its login.
fn expiry(settings: &JwtSettings, auth_time: u64, now: u64) -> u64 {
    (now + settings.lifetime.as_secs()).min(login_end(settings, auth_time))
}

fn login_end(settings: &JwtSettings, auth_time: u64) -> u64 {
    auth_time + settings.login_lifetime.as_secs()
}

fn check_header(keys: &JwtKeys, token: &str) -> Result<(), TokenError> {
    let header = match jsonwebtoken::decode_header(token) {
        Ok(header) => header,
        // `alg: none` (in any spelling) is not an algorithm jsonwebtoken knows, so the
        // header fails to parse; say why in plain words.
        Err(_) if declares_no_algorithm(token) => return Err(TokenError::Unsigned),
        Err(_) => return Err(TokenError::Malformed),
    };
    if header.alg != keys.algorithm() {
        return Err(TokenError::WrongAlgorithm {
            expected: keys.settings().algorithm.name(),
        });
    }
    if !header
        .typ
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("JWT"))
    {
        return Err(TokenError::WrongType);
    }
    let present = [
        header.jku.is_some(),
        header.x5u.is_some(),
        header.jwk.is_some(),
        header.x5c.is_some(),
        header.x5t.is_some() || header.x5t_s256.is_some(),
    ];
    if let Some((name, _)) = KEY_HINTS.iter().zip(present).find(|(_, p)| *p) {
        return Err(TokenError::KeyHint(name));
    }
    if header.crit.is_some() {
        return Err(TokenError::Critical);
    }
    if header.kid.is_some() && header.kid.as_deref() != keys.kid() {
        return Err(TokenError::UnknownKey);
    }
    Ok(())
}

fn explain(keys: &JwtKeys, token: &str, kind: &ErrorKind) -> TokenError {
    match kind {
        // jsonwebtoken reads the claims into our type before it validates them, so a
        // missing `exp` or a string `exp` surfaces as a JSON error. Validating into a
        // free-form value instead names the claim (only failures pay for this).
        ErrorKind::Json(_) => match jsonwebtoken::decode::<serde_json::Value>(
            token,
            keys.decoding(),
            keys.validation(),
        ) {
            Err(e) if !matches!(e.kind(), ErrorKind::Json(_)) => explain(keys, token, e.kind()),
            _ => TokenError::Malformed,
        },
        ErrorKind::InvalidSignature => TokenError::BadSignature,
        ErrorKind::ExpiredSignature => TokenError::Expired,
        ErrorKind::ImmatureSignature => TokenError::NotYetValid,
        ErrorKind::InvalidIssuer => TokenError::WrongIssuer,
        ErrorKind::InvalidAudience => TokenError::WrongAudience,
        ErrorKind::MissingRequiredClaim(claim) => TokenError::MissingClaim(claim.clone()),
        ErrorKind::InvalidClaimFormat(claim) => TokenError::BadClaim(claim.clone()),
        ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
            TokenError::WrongAlgorithm {
                expected: keys.settings().algorithm.name(),
            }
        }
        _ => TokenError::Malformed,
    }
}

fn jti_key(jti: &str) -> String {
    format!("jti:{jti}")
}

/// Whether the token's header is JSON whose `alg` is some spelling of "none".
fn declares_no_algorithm(token: &str) -> bool {
    let Some(header) = token.split('.').next() else {
        return false;
    };
    let Ok(bytes) = URL_SAFE_NO_PAD.decode(header.trim_end_matches('=')) else {
        return false;
    };
    serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|h| {
            h.get("alg")?
                .as_str()
                .map(|a| a.eq_ignore_ascii_case("none"))
        })
        .unwrap_or(false)
}
