//! The `jwt` lab: the login is a signed token in an HttpOnly cookie. The server keeps no
//! session; the visit counter rides in the token, which every profile visit re-issues with
//! `count + 1`. Logout puts the token (and its login) on the denylist.

use crate::{
    accounts::service::AuthenticatedUser,
    cookies::jar::{LabCookie, Sent, SetCookie},
    error::AppError,
    jwt::{claims::Claims, service::TokenError},
    labs::{Lab, LabInfo, LabLogin, Notice, Outcome, Visitor},
    logins::LoginKind,
    state::AppState,
};
use async_trait::async_trait;

pub struct JwtLab;

impl JwtLab {
    /// The verdict on the token cookie, refusals already worded for the login page; `None`
    /// when there is none.
    async fn read(
        state: &AppState,
        visitor: &Visitor,
    ) -> Result<Option<Result<Claims, Notice>>, AppError> {
        Ok(
            match visitor.cookies.get(state.cookies.name(LabCookie::Token)) {
                Sent::Absent => None,
                Sent::Duplicated => Some(Err(Notice::Twice)),
                Sent::One(token) => Some(match state.tokens.verify(token).await? {
                    // An API access token is not a lab login: re-issuing it here would
                    // stretch its 5 minutes into the lab's lifetime.
                    Ok(claims) if claims.scope.is_some() => {
                        tracing::info!("an API access token was sent as the lab's cookie");
                        Err(Notice::TokenRefused)
                    }
                    verdict => verdict.map_err(Self::notice),
                }),
            },
        )
    }

    /// What the login page says about a refused token.
    fn notice(reason: TokenError) -> Notice {
        tracing::info!(%reason, "token refused");
        match reason {
            TokenError::Malformed => Notice::Unreadable,
            TokenError::BadSignature => Notice::Signature,
            TokenError::Expired => Notice::Expired,
            TokenError::LoginExpired => Notice::TimedOut,
            TokenError::Revoked => Notice::Revoked,
            TokenError::Superseded => Notice::PasswordChanged,
            _ => Notice::TokenRefused,
        }
    }

    fn refused(state: &AppState, why: Notice) -> Outcome {
        Outcome::refused(why, Some(state.cookies.remove(LabCookie::Token)))
    }

    fn cookie(state: &AppState, token: String) -> Result<SetCookie, AppError> {
        state.cookies.set(LabCookie::Token, token, None)
    }
}

#[async_trait]
impl Lab for JwtLab {
    const INFO: LabInfo = LabInfo {
        slug: "jwt",
        cookie: crate::cookies::jar::LabCookie::Token,
        title: "JSON Web Token",
        lesson: "The server signs a token holding your name and visit count and keeps nothing: \
                 any process with the key can check it, and every visit re-issues it with the \
                 count plus one. Anyone holding the token can read its payload (it is only \
                 base64url), so it must never hold secrets; only the server's key can make a valid one.",
        logout_lesson: "A signature stays valid until the token expires, so deleting the cookie \
                        is not enough: logout puts the token's id (jti) on a denylist, kept beside \
                        the sessions, so a copied token is refused by every server from now on.",
        logged_out: "The token's id and its login are on the server's denylist until they would have expired, and your browser deleted the cookie.",
    };

    async fn current(state: &AppState, visitor: &Visitor) -> Result<Outcome, AppError> {
        Ok(match Self::read(state, visitor).await? {
            None => Outcome::anonymous(),
            Some(Ok(claims)) => Outcome::logged_in(claims.name, claims.count, Vec::new()),
            Some(Err(reason)) => Self::refused(state, reason),
        })
    }

    async fn log_in(
        state: &AppState,
        visitor: &Visitor,
        user: AuthenticatedUser,
    ) -> Result<Vec<SetCookie>, AppError> {
        let issued = state.tokens.issue(&user)?;
        // The token's `sid` is the login's id on the sessions page.
        let claims = &issued.claims;
        let ends_at = state.tokens.login_end(claims.iat);
        state
            .logins
            .record(
                &claims.sid,
                LoginKind::Jwt,
                user.holder(),
                visitor.session.origin(),
                ends_at,
            )
            .await?;
        Ok(vec![Self::cookie(state, issued.token)?])
    }

    async fn visit(state: &AppState, visitor: &Visitor) -> Result<Outcome, AppError> {
        let claims = match Self::read(state, visitor).await? {
            Some(Ok(claims)) => claims,
            None => return Ok(Outcome::anonymous()),
            Some(Err(reason)) => return Ok(Self::refused(state, reason)),
        };
        if let Some(user) = claims.account() {
            state.logins.touch(user.id, &claims.sid, claims.iat).await?;
        }
        let next = state.tokens.reissue(&claims)?;
        Ok(Outcome::logged_in(
            next.claims.name,
            next.claims.count,
            vec![Self::cookie(state, next.token)?],
        ))
    }

    async fn log_out(state: &AppState, visitor: &Visitor) -> Result<Vec<SetCookie>, AppError> {
        if let Some(Ok(claims)) = Self::read(state, visitor).await? {
            state.tokens.revoke(&claims).await?;
            if let Some(user) = claims.account() {
                state.logins.forget(user.id, &claims.sid).await?;
            }
        }
        Ok(vec![state.cookies.remove(LabCookie::Token)])
    }

    async fn login(state: &AppState, visitor: &Visitor) -> Result<Option<LabLogin>, AppError> {
        let Some(Ok(claims)) = Self::read(state, visitor).await? else {
            return Ok(None);
        };
        Ok(claims.account().map(|user| LabLogin {
            user,
            id: claims.sid,
        }))
    }
}
