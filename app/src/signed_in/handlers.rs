//! The sessions page's routes: thin handlers over the logins service.

use super::page::{self, Row, Rows, SessionsPage};
use crate::{
    accounts::service::AuthenticatedUser,
    components::static_page,
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
    extract::{FromRef, Query, State},
    http::StatusCode,
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
    visitor: Visitor,
    Query(feedback): Query<Feedback>,
    nonce: Option<Extension<Nonce>>,
) -> Response {
    match rows(&state, &visitor).await {
        Ok(Some((browser, rows))) => {
            let ended = feedback.ended.and_then(|n| n.parse::<usize>().ok());
            let options = LeptosOptions::from_ref(&state);
            let islands = static_page::Islands {
                options: &options,
                nonce: nonce.map(|Extension(nonce)| nonce),
            };
            let page = SessionsPage {
                username: browser.user.username,
                others: browser.others,
                rows,
                ended,
            };
            page::render(page, islands)
        }
        Ok(None) => page::not_signed_in(),
        Err(error) => static_page::error_page(error),
    }
}

/// The rows alone, for the page's island; `401` with no body when nobody is signed in.
async fn rows_only(State(state): State<AppState>, visitor: Visitor) -> Response {
    match rows(&state, &visitor).await {
        Ok(Some((_, rows))) => page::rows_fragment(rows),
        Ok(None) => StatusCode::UNAUTHORIZED.into_response(),
        Err(error) => static_page::error_page(error),
    }
}

/// This browser's account and its logins, newest first, with each API login's refresh tokens.
async fn rows(
    state: &AppState,
    visitor: &Visitor,
) -> Result<Option<(ThisBrowser, Rows)>, AppError> {
    let Some(mut browser) = ThisBrowser::read(state, visitor).await? else {
        return Ok(None);
    };
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
    let rows = Rows {
        logins: rows,
        plain_cookie: browser.plain_cookie.take(),
    };
    Ok(Some((browser, rows)))
}

/// The login a form names.
#[derive(Deserialize, Default)]
#[serde(default)]
struct EndForm {
    login: String,
}

async fn end(
    State(state): State<AppState>,
    visitor: Visitor,
    Form(form): Form<EndForm>,
) -> Response {
    let browser = match ThisBrowser::read(&state, &visitor).await {
        Ok(Some(browser)) => browser,
        Ok(None) => return page::not_signed_in(),
        Err(error) => return static_page::error_page(error),
    };
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

async fn end_others(State(state): State<AppState>, visitor: Visitor) -> Response {
    let browser = match ThisBrowser::read(&state, &visitor).await {
        Ok(Some(browser)) => browser,
        Ok(None) => return page::not_signed_in(),
        Err(error) => return static_page::error_page(error),
    };
    let keep: Vec<&str> = browser.ids.iter().map(String::as_str).collect();
    match state.logins.end_others(browser.user.holder(), &keep).await {
        Ok(ended) => Redirect::to(&format!("/account/sessions?ended={ended}")).into_response(),
        Err(error) => static_page::error_page(error),
    }
}
