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

/// A lab's answer: who (if anyone) and the cookies to set or clear on the way out.
#[derive(Debug)]
pub struct Outcome {
    pub profile: Option<Profile>,
    pub cookies: Vec<SetCookie>,
}

impl Outcome {
    /// Logged in as `username` with `count` visits; `cookies` carry the re-issued state.
    pub fn logged_in(username: String, count: u64, cookies: Vec<SetCookie>) -> Self {
        Self {
            profile: Some(Profile { username, count }),
            cookies,
        }
    }

    pub fn anonymous() -> Self {
        Self {
            profile: None,
            cookies: Vec::new(),
        }
    }
    /// Not logged in, and the cookie that failed a check is deleted.
    pub fn rejected(clear: SetCookie) -> Self {
        Self {
            profile: None,
            cookies: vec![clear],
        }
    }
}

/// What a lab may look at in a request: its cookies and its server-side session.
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
}
