//! The sessions page's routes: thin handlers over the logins service.

use super::page::{self, Row, Rows, SessionsPage};
use crate::{
    accounts::service::AuthenticatedUser,
    components::{site_files::Bundle, static_page},
    cookies::jar::{LabCookie, Sent},
    error::AppError,
    labs::{
        jwt::JwtLab, plain_cookie::PlainUser, server_session::ServerSessionLab,
        signed_cookie::SignedCookieLab, Lab, LabLogin, Visitor,
    },
    logins::LoginKind,
    shop::service::{Shop, ShopLogin},
    state::AppState,
};
use axum::{
    extract::{FromRef, FromRequestParts, Query, State},
    http::{request::Parts, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Extension, Form, Router,
};
use leptos::{config::LeptosOptions, nonce::Nonce};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account/sessions", get(list))
        .route(super::live::ROWS_URL, get(rows_only))
        .route("/account/sessions/end", post(end))
        .route("/account/sessions/end-others", post(end_others))
}

/// Who this browser is signed in as, and which of the account's logins are its own.
pub struct ThisBrowser {
    pub user: AuthenticatedUser,
    /// The ids of this browser's logins of `user`.
    pub ids: Vec<String>,
    /// Other accounts this browser is signed in as (in another lab), by name.
    pub others: Vec<String>,
    /// The name a plain `user` cookie claims, if the browser sent one.
    pub plain_cookie: Option<String>,
}

impl ThisBrowser {
    /// Reads the browser's logins, each checked like a visit; `None` when it has none.
    async fn read(state: &AppState, visitor: &Visitor) -> Result<Option<Self>, AppError> {
        let found = [
            ServerSessionLab::login(state, visitor).await?,
            shop_login(state, visitor).await?,
            JwtLab::login(state, visitor).await?,
            SignedCookieLab::login(state, visitor).await?,
        ];
        let mut found = found.into_iter().flatten();
        let Some(first) = found.next() else {
            return Ok(None);
        };
        let mut browser = ThisBrowser {
            ids: vec![first.id],
            user: first.user,
            others: Vec::new(),
            plain_cookie: None,
        };
        for login in found {
            if login.user.id == browser.user.id {
                browser.ids.push(login.id);
            } else if !browser.others.contains(&login.user.username) {
                browser.others.push(login.user.username);
            }
        }
        if let Sent::One(raw) = visitor
            .cookies
            .get(state.cookies.name(LabCookie::PlainUser))
        {
            browser.plain_cookie = PlainUser::parse(raw).map(|user| user.username);
        }
        Ok(Some(browser))
    }
}

/// The sessions page's policy as a type: a handler taking `ThisBrowser` runs only for a
/// browser signed in somewhere; anybody else gets the `401` page.
impl FromRequestParts<AppState> for ThisBrowser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let visitor = Visitor::from_request_parts(parts, state)
            .await
            .map_err(static_page::error_page)?;
        match ThisBrowser::read(state, &visitor).await {
            Ok(Some(browser)) => Ok(browser),
            Ok(None) => Err(page::not_signed_in()),
            Err(error) => Err(static_page::error_page(error)),
        }
    }
}

/// The shop's login, if the browser is logged in to the shop.
async fn shop_login(state: &AppState, visitor: &Visitor) -> Result<Option<LabLogin>, AppError> {
    let shop = Shop::from_ref(state);
    let ShopLogin { user, .. } = match shop.shopper(&visitor.session).await {
        Ok(login) => login,
        Err(AppError::NotLoggedIn) => return Ok(None),
        Err(error) => return Err(error),
    };
    let id = visitor.session.login_id::<ShopLogin>().await?;
    Ok(id.map(|id| LabLogin { user, id }))
}

/// What the last action did, carried by the redirect after it.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Feedback {
    ended: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    mut browser: ThisBrowser,
    Query(feedback): Query<Feedback>,
    nonce: Option<Extension<Nonce>>,
) -> Response {
    let rows = match rows(&state, &mut browser).await {
        Ok(rows) => rows,
        Err(error) => return static_page::error_page(error),
    };
    let options = LeptosOptions::from_ref(&state);
    let islands = static_page::Islands::new(&options, nonce, Bundle::Sessions);
    let page = SessionsPage {
        username: browser.user.username,
        others: browser.others,
        rows,
        ended: feedback.ended.and_then(|n| n.parse::<usize>().ok()),
    };
    page::render(page, islands)
}

/// The rows alone, for the page's island; `401` with no body when nobody is signed in.
async fn rows_only(
    State(state): State<AppState>,
    browser: Result<ThisBrowser, Response>,
) -> Response {
    let mut browser = match browser {
        Ok(browser) => browser,
        Err(refused) if refused.status() == StatusCode::UNAUTHORIZED => {
            return StatusCode::UNAUTHORIZED.into_response()
        }
        Err(refused) => return refused,
    };
    match rows(&state, &mut browser).await {
        Ok(rows) => page::rows_fragment(rows),
        Err(error) => static_page::error_page(error),
    }
}

/// The account's logins, newest first, with each API login's refresh tokens, and this
/// browser's plain cookie.
async fn rows(state: &AppState, browser: &mut ThisBrowser) -> Result<Rows, AppError> {
    let mut rows = Vec::new();
    for login in state
        .logins
        .list(browser.user.holder())
        .await?
        .into_iter()
        .rev()
    {
        let (family, ended) = if login.kind == LoginKind::Api {
            let family = state.api_tokens.family(&login.id).await?;
            (family, state.logins.is_ended(&login.id).await?)
        } else {
            (Vec::new(), false)
        };
        rows.push(Row {
            this_browser: browser.ids.contains(&login.id),
            login,
            family,
            ended,
        });
    }
    Ok(Rows {
        logins: rows,
        plain_cookie: browser.plain_cookie.take(),
    })
}

/// The login a form names.
#[derive(Deserialize, Default)]
#[serde(default)]
struct EndForm {
    login: String,
}

async fn end(
    State(state): State<AppState>,
    browser: ThisBrowser,
    Form(form): Form<EndForm>,
) -> Response {
    if form.login.is_empty() {
        return page::refused(
            StatusCode::BAD_REQUEST,
            "Choose a login to end: the form named none.",
        );
    }
    match state.logins.end(browser.user.id, &form.login).await {
        Ok(Some(_)) => Redirect::to("/account/sessions?ended=1").into_response(),
        Ok(None) => page::refused(
            StatusCode::NOT_FOUND,
            "That is not a login of your account, or it has ended already. Nothing was changed.",
        ),
        Err(error) => static_page::error_page(error),
    }
}

async fn end_others(State(state): State<AppState>, browser: ThisBrowser) -> Response {
    let keep: Vec<&str> = browser.ids.iter().map(String::as_str).collect();
    match state.logins.end_others(browser.user.holder(), &keep).await {
        Ok(ended) => Redirect::to(&format!("/account/sessions?ended={ended}")).into_response(),
        Err(error) => static_page::error_page(error),
    }
}
