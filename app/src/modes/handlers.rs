//! The routes every mode shares, written once over [`LoginMode`]:
//!
//! - `GET /<mode>/login`: the form, or `303` to the profile when already logged in;
//! - `POST /<mode>/login`: checks the password, starts the login, `303` to the profile;
//! - `GET /<mode>/profile`: "welcome USERNAME with the count: N", or `303` to the login page
//!   (and any bad cookie cleared);
//! - `POST /<mode>/logout`: ends the login, `303` to the login page.

use super::{pages, LoginMode, Outcome, Visitor};
use crate::{
    accounts::service::Credentials,
    components::static_page,
    cookies::jar::{self, SetCookie},
    error::AppError,
    limits::PasswordCheck,
    state::AppState,
};
use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Form, Router,
};

pub fn router<M: LoginMode>() -> Router<AppState> {
    Router::new()
        .route(
            &M::INFO.login_path(),
            get(login_page::<M>).post(log_in::<M>),
        )
        .route(&M::INFO.profile_path(), get(profile::<M>))
        .route(&M::INFO.logout_path(), post(log_out::<M>))
}

fn with_cookies(mut response: Response, cookies: Vec<SetCookie>) -> Response {
    jar::append(&mut response, cookies);
    response
}

async fn login_page<M: LoginMode>(State(state): State<AppState>, visitor: Visitor) -> Response {
    match M::current(&state, &visitor).await {
        Ok(Outcome {
            profile: Some(_),
            cookies,
        }) => with_cookies(
            Redirect::to(&M::INFO.profile_path()).into_response(),
            cookies,
        ),
        Ok(Outcome {
            profile: None,
            cookies,
        }) => with_cookies(pages::login::<M>(None, String::new()), cookies),
        Err(error) => static_page::error_page(error),
    }
}

async fn log_in<M: LoginMode>(
    State(state): State<AppState>,
    visitor: Visitor,
    check: PasswordCheck,
    Form(credentials): Form<Credentials>,
) -> Response {
    let username = credentials.username.clone();
    let result = match state.accounts.authenticate(credentials, check).await {
        Ok(user) => M::log_in(&state, &visitor, user).await,
        Err(error) => Err(error),
    };
    match result {
        Ok(cookies) => with_cookies(
            Redirect::to(&M::INFO.profile_path()).into_response(),
            cookies,
        ),
        Err(error @ AppError::InvalidCredentials) => pages::login::<M>(Some(error), username),
        Err(error) => static_page::error_page(error),
    }
}

async fn profile<M: LoginMode>(State(state): State<AppState>, visitor: Visitor) -> Response {
    match M::visit(&state, &visitor).await {
        Ok(Outcome {
            profile: Some(profile),
            cookies,
        }) => {
            let wire = state.cookies.wire(M::INFO.cookie, &visitor.cookies);
            with_cookies(pages::profile::<M>(profile, wire), cookies)
        }
        Ok(Outcome {
            profile: None,
            cookies,
        }) => with_cookies(Redirect::to(&M::INFO.login_path()).into_response(), cookies),
        Err(error) => static_page::error_page(error),
    }
}

async fn log_out<M: LoginMode>(State(state): State<AppState>, visitor: Visitor) -> Response {
    match M::log_out(&state, &visitor).await {
        Ok(cookies) => with_cookies(Redirect::to(&M::INFO.login_path()).into_response(), cookies),
        Err(error) => static_page::error_page(error),
    }
}
