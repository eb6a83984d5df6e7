//! `GET /api/echo`: what the server received, and what it makes of it.
//!
//! For each cookie: its name, its size, whether page scripts can see it, and what it means to
//! the server. Then the meaning of each lab's state: your session record, your signed cookie's
//! content, your token's verified claims. Values of HttpOnly cookies and tokens are never
//! echoed: a script could read them here, which would undo `HttpOnly`.

use super::{error::ApiError, tokens::bearer_token};
use crate::clock::unix_now;
use crate::{
    cookies::jar::{CookieAttributes, LabCookie, Sent},
    jwt::claims::Claims,
    labs::{
        plain_cookie::PlainUser,
        signed_cookie::{self, SignedCookieLab},
        Notice, Visitor,
    },
    sessions::{SessionRecordView, SessionStoreInfo},
    state::AppState,
};
use axum::{extract::State, http::HeaderMap, Json};
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Echo {
    /// Every cookie the browser sent, in order.
    pub cookies: Vec<ReceivedCookie>,
    /// The size of the whole `Cookie` header(s), in bytes.
    pub cookie_header_bytes: usize,
    /// Your server-side session record (never its id), if you have one.
    pub session: Option<SessionRecordView>,
    /// Where the server keeps sessions.
    pub session_store: SessionStoreInfo,
    /// What the plain `user` cookie claims, taken at its word.
    pub plain_cookie: Option<Judged<PlainUserView>>,
    /// What the signed cookie holds, once decrypted and checked.
    pub signed_cookie: Option<Judged<SignedUserView>>,
    /// The token from the cookie or the Bearer header, once verified.
    pub token: Option<TokenView>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReceivedCookie {
    pub name: String,
    /// Bytes of name plus value.
    pub size: usize,
    /// False for HttpOnly cookies: `document.cookie` does not show them.
    pub visible_to_scripts: bool,
    /// Whether Session Lab sets this cookie (otherwise a page script or another app did).
    pub set_by_server: bool,
    /// Sent more than once under this name: the server trusts none of the copies.
    pub duplicated: bool,
    pub meaning: String,
    /// The attributes the server sets this cookie with (browsers do not send them back).
    pub attributes: Option<CookieAttributes>,
}

/// A lab's verdict on its cookie: the content if it passed, the reason if not.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Judged<T> {
    pub valid: bool,
    pub content: Option<T>,
    pub error: Option<String>,
}

impl<T> Judged<T> {
    fn valid(content: T) -> Self {
        Self {
            valid: true,
            content: Some(content),
            error: None,
        }
    }
    fn invalid(error: impl ToString) -> Self {
        Self {
            valid: false,
            content: None,
            error: Some(error.to_string()),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlainUserView {
    pub username: String,
    pub count: u64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SignedUserView {
    pub username: String,
    pub count: u64,
    /// Unix seconds after which the server refuses the cookie.
    pub exp: u64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenView {
    /// `cookie` or `bearer`.
    pub source: &'static str,
    pub valid: bool,
    /// The verified claims (only when valid).
    pub claims: Option<Claims>,
    /// Why the token was refused.
    pub error: Option<String>,
}

/// What the server received and what it means.
#[utoipa::path(
    get,
    path = "/api/echo",
    tag = "inspector",
    responses(
        (status = 200, description = "The request as the server understood it", body = Echo),
        (status = 400, description = "More than one Authorization header", body = super::error::ErrorBody),
    )
)]
pub async fn echo(
    State(state): State<AppState>,
    headers: HeaderMap,
    visitor: Visitor,
) -> Result<Json<Echo>, ApiError> {
    describe(&state, &headers, &visitor).await.map(Json)
}

/// The request as the server understands it: `/api/echo`'s answer, and what the viewer shows
/// without JavaScript.
pub async fn describe(
    state: &AppState,
    headers: &HeaderMap,
    visitor: &Visitor,
) -> Result<Echo, ApiError> {
    let rules = &state.cookies;
    let cookies = visitor
        .cookies
        .iter()
        .map(|(name, value)| {
            let known = rules.identify(name);
            ReceivedCookie {
                name: name.to_owned(),
                size: name.len() + value.len(),
                visible_to_scripts: known.is_none_or(|c| !c.http_only()),
                set_by_server: known.is_some(),
                duplicated: visitor.cookies.get(name) == Sent::Duplicated,
                meaning: known.map_or(
                    "Not a Session Lab cookie: set by a page script or another app on this host.",
                    LabCookie::meaning,
                ).to_owned(),
                attributes: known.map(|c| rules.attributes(c)),
            }
        })
        .collect();
    let cookie_header_bytes = headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .map(|v| v.len())
        .sum();

    let plain_cookie = match visitor.cookies.get(rules.name(LabCookie::PlainUser)) {
        Sent::Absent => None,
        Sent::Duplicated => Some(Judged::invalid("sent more than once")),
        Sent::One(raw) => Some(match PlainUser::parse(raw) {
            Some(user) => Judged::valid(PlainUserView {
                username: user.username,
                count: user.count,
            }),
            None => Judged::invalid("not the JSON {\"username\": …, \"count\": …}"),
        }),
    };

    let signed_name = rules.name(LabCookie::SignedUser);
    let signed_cookie = match visitor.cookies.get(signed_name) {
        Sent::Absent => None,
        Sent::Duplicated => Some(Judged::invalid("sent more than once")),
        Sent::One(raw) => Some(
            match signed_cookie::open(&state.cookie_key, signed_name, raw, unix_now()) {
                // The same checks as the lab's.
                Ok(user) => match SignedCookieLab::revoked(state, &user).await? {
                    Some(Notice::Ended) => {
                        Judged::invalid("its login was ended on the sessions page")
                    }
                    Some(_) => Judged::invalid("the password changed since this login"),
                    None => Judged::valid(SignedUserView {
                        username: user.username,
                        count: user.count,
                        exp: user.exp,
                    }),
                },
                Err(reason) => Judged::invalid(reason),
            },
        ),
    };

    let token_source = match (
        bearer_token(headers)?,
        visitor.cookies.get(rules.name(LabCookie::Token)),
    ) {
        (Some(token), _) => Some(("bearer", token)),
        (None, Sent::One(token)) => Some(("cookie", token)),
        _ => None,
    };
    let token = match token_source {
        None => None,
        Some((source, token)) => Some(match state.tokens.verify(token).await? {
            Ok(claims) => TokenView {
                source,
                valid: true,
                claims: Some(claims),
                error: None,
            },
            Err(reason) => TokenView {
                source,
                valid: false,
                claims: None,
                error: Some(reason.to_string()),
            },
        }),
    };

    Ok(Echo {
        cookies,
        cookie_header_bytes,
        session: visitor.session.describe(&state.accounts).await?,
        session_store: state.session_store,
        plain_cookie,
        signed_cookie,
        token,
    })
}
