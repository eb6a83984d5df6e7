//! Four ways to stay logged in — four labs behind one contract.
//!
//! The tutorial's app has a login form, a profile page that counts your visits, and a logout
//! button, built three times. Here each way is a [`Lab`]: the routes, the redirects and
//! the pages are written once ([`handlers`], [`pages`]); a lab only says where it keeps
//! `{username, count}` and how it checks it:
//!
//! | lab | where the state lives | implemented in |
//! |---|---|---|
//! | `cookie` | a plain JSON cookie the browser can edit | [`plain_cookie`] |
//! | `signed-cookie` | the same JSON, encrypted and authenticated | [`signed_cookie`] |
//! | `session` | the server's session store; the cookie holds an id | [`server_session`] |
//! | `jwt` | a signed token the server re-issues at every visit | [`jwt`] |

/// The `GET/POST /<lab>/login`, `GET /<lab>/profile`, `POST /<lab>/logout` routes of a lab.
pub mod handlers;
/// Carrying a notice from a profile or logout to the login page.
pub mod notice;
/// The login and profile pages every lab shares.
pub mod pages;

/// The `jwt` lab: the token in an HttpOnly cookie, re-issued at every profile visit.
pub mod jwt;
/// The `cookie` lab: unprotected, on purpose.
pub mod plain_cookie;
/// The `session` lab: the server's session store; the cookie holds an id.
pub mod server_session;
/// The `signed-cookie` lab: authenticated encryption with the server's key.
pub mod signed_cookie;

use crate::{
    accounts::service::AuthenticatedUser,
    cookies::jar::{RequestCookies, SetCookie},
    error::AppError,
    sessions::LabSession,
    state::AppState,
};
use async_trait::async_trait;
use axum::{extract::FromRequestParts, http::request::Parts, Router};

/// The four labs, in the order pages list them.
pub const ALL: [&LabInfo; 4] = [
    &plain_cookie::PlainCookieLab::INFO,
    &signed_cookie::SignedCookieLab::INFO,
    &server_session::ServerSessionLab::INFO,
    &jwt::JwtLab::INFO,
];

/// The routes of all four labs.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(handlers::router::<plain_cookie::PlainCookieLab>())
        .merge(handlers::router::<signed_cookie::SignedCookieLab>())
        .merge(handlers::router::<server_session::ServerSessionLab>())
        .merge(handlers::router::<jwt::JwtLab>())
}

/// A lab's name in URLs and headings, and its lesson in a few sentences.
#[derive(Debug)]
pub struct LabInfo {
    /// The path segment: `/<slug>/login`.
    pub slug: &'static str,
    /// The cookie this lab keeps its state in (or its session id in).
    pub cookie: crate::cookies::jar::LabCookie,
    pub title: &'static str,
    /// Where the state lives and what that means, shown on the login page.
    pub lesson: &'static str,
    /// What logging out does in this lab, shown on the profile page.
    pub logout_lesson: &'static str,
    /// What a logout just destroyed, said on the login page after it.
    pub logged_out: &'static str,
}

impl LabInfo {
    pub fn login_path(&self) -> String {
        format!("/{}/login", self.slug)
    }
    pub fn profile_path(&self) -> String {
        format!("/{}/profile", self.slug)
    }
    pub fn logout_path(&self) -> String {
        format!("/{}/logout", self.slug)
    }
}

/// What the profile page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub username: String,
    /// Profile visits since login; 1 on the first.
    pub count: u64,
}

/// A lab's answer: who (if anyone), the cookies to set or clear on the way out, and why a
/// login the request carried was refused.
#[derive(Debug)]
pub struct Outcome {
    pub profile: Option<Profile>,
    pub cookies: Vec<SetCookie>,
    pub refused: Option<Notice>,
}

impl Outcome {
    /// Logged in as `username` with `count` visits; `cookies` carry the re-issued state.
    pub fn logged_in(username: String, count: u64, cookies: Vec<SetCookie>) -> Self {
        Self {
            profile: Some(Profile { username, count }),
            cookies,
            refused: None,
        }
    }

    pub fn anonymous() -> Self {
        Self {
            profile: None,
            cookies: Vec::new(),
            refused: None,
        }
    }

    /// Not logged in because the login failed a check; `clear` deletes its cookie, if any.
    pub fn refused(why: Notice, clear: Option<SetCookie>) -> Self {
        Self {
            profile: None,
            cookies: clear.into_iter().collect(),
            refused: Some(why),
        }
    }
}

/// What a lab's login page tells the visitor about their last login: why the server refused
/// it, in the words of the check that failed, or what their logout destroyed. The profile
/// and the logout carry it across their redirect in the short-lived `notice` cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// The cookie is not in the form this lab writes.
    Unreadable,
    /// The browser sent the lab's cookie twice.
    Twice,
    /// The signed cookie failed its seal check.
    SealBroken,
    /// The expiry inside the cookie or token has passed.
    Expired,
    /// Idle too long, or older than the longest a login may last.
    TimedOut,
    /// The password changed after the login.
    PasswordChanged,
    /// The token was logged out: it is on the denylist.
    Revoked,
    /// The token's signature does not match its header and payload.
    Signature,
    /// The token failed another check (algorithm, type, issuer, audience, claims).
    TokenRefused,
    /// The login was ended from the account's sessions page (or its family revoked).
    Ended,
    /// The visitor logged out.
    LoggedOut,
}

impl Notice {
    const ALL: [Notice; 11] = [
        Notice::Unreadable,
        Notice::Twice,
        Notice::SealBroken,
        Notice::Expired,
        Notice::TimedOut,
        Notice::PasswordChanged,
        Notice::Revoked,
        Notice::Signature,
        Notice::TokenRefused,
        Notice::Ended,
        Notice::LoggedOut,
    ];

    /// The notice cookie's value.
    pub fn code(self) -> &'static str {
        match self {
            Notice::Unreadable => "unreadable",
            Notice::Twice => "twice",
            Notice::SealBroken => "seal",
            Notice::Expired => "expired",
            Notice::TimedOut => "timed-out",
            Notice::PasswordChanged => "password",
            Notice::Revoked => "revoked",
            Notice::Signature => "signature",
            Notice::TokenRefused => "token",
            Notice::Ended => "ended",
            Notice::LoggedOut => "logged-out",
        }
    }

    /// The notice a cookie value names; anything else is ignored.
    pub fn from_code(code: &str) -> Option<Notice> {
        Self::ALL.into_iter().find(|notice| notice.code() == code)
    }

    /// Whether this is a refusal (shown as an alert) rather than a confirmation.
    pub fn is_refusal(self) -> bool {
        self != Notice::LoggedOut
    }

    /// What the login page says. `lab` names the cookie and what its logout destroyed.
    pub fn message(self, lab: &LabInfo) -> String {
        match self {
            Notice::Unreadable => format!(
                "Your {} cookie was not in the form this lab writes, so the server ignored it and deleted it.",
                lab.cookie.base_name()
            ),
            Notice::Twice => format!(
                "Your browser sent two {} cookies, so the server trusted neither and deleted them.",
                lab.cookie.base_name()
            ),
            Notice::SealBroken => "Your signed cookie failed its seal check: it was changed after the \
                 server sealed it (or copied from another cookie), so the server ignored it and \
                 deleted it."
                .to_owned(),
            Notice::Expired => "Your login expired: the expiry inside it has passed, so the server \
                 ignored it. Log in again."
                .to_owned(),
            Notice::TimedOut => "Your login timed out: it was idle too long, or is older than the \
                 longest a login may last. Log in again."
                .to_owned(),
            Notice::PasswordChanged => "Your password changed since this login, so the server \
                 ended it. Log in with the new password."
                .to_owned(),
            Notice::Revoked => "This token was logged out: its id is on the server's denylist, so \
                 the server refused it although its signature is valid."
                .to_owned(),
            Notice::Signature => "Your token's signature does not match its header and payload: \
                 it was changed after the server signed it, so the server ignored it and deleted it."
                .to_owned(),
            Notice::TokenRefused => "Your token failed the server's checks (its algorithm, type, \
                 issuer, audience or claims), so the server ignored it and deleted it. The \
                 viewer's token lab shows what it holds."
                .to_owned(),
            Notice::Ended => "This login was ended from your account's sessions page (Where \
                 you're signed in): the server refuses its login id on every instance, so it \
                 logged nobody in. Log in again."
                .to_owned(),
            Notice::LoggedOut => format!("You are logged out. {}", lab.logged_out),
        }
    }
}

/// What a lab may look at in a request: its cookies and its server-side session (which also
/// knows where the request comes from, for a login it starts).
pub struct Visitor {
    pub cookies: RequestCookies,
    pub session: LabSession,
}

impl<S: Send + Sync> FromRequestParts<S> for Visitor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let cookies = RequestCookies::from_headers(&parts.headers);
        let session = LabSession::from_request_parts(parts, state).await?;
        Ok(Self { cookies, session })
    }
}

/// One way to stay logged in. Implementations keep no state of their own: everything they
/// need is in [`AppState`] and the request.
#[async_trait]
pub trait Lab: Send + Sync + 'static {
    const INFO: LabInfo;

    /// Who is logged in, checking everything but counting nothing (`GET /<lab>/login`).
    async fn current(state: &AppState, visitor: &Visitor) -> Result<Outcome, AppError>;

    /// Starts a login for a user who just proved their password; count starts at 0.
    async fn log_in(
        state: &AppState,
        visitor: &Visitor,
        user: AuthenticatedUser,
    ) -> Result<Vec<SetCookie>, AppError>;

    /// A profile visit: checks the state, adds one to the count and stores it back.
    async fn visit(state: &AppState, visitor: &Visitor) -> Result<Outcome, AppError>;

    /// Ends the login as far as this lab can, and clears its cookie.
    async fn log_out(state: &AppState, visitor: &Visitor) -> Result<Vec<SetCookie>, AppError>;

    /// Whose login the request carries, checked like a visit, and its id on the sessions
    /// page; `None` for a lab the server keeps no login of (the plain cookie).
    async fn login(state: &AppState, visitor: &Visitor) -> Result<Option<LabLogin>, AppError> {
        let _ = (state, visitor);
        Ok(None)
    }
}

/// A checked login and its id in the index of logins.
#[derive(Debug, Clone)]
pub struct LabLogin {
    pub user: AuthenticatedUser,
    pub id: String,
}
