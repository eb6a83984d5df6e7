//! The routes every lab shares, written once over [`Lab`]:
//!
//! - `GET /<lab>/login`: the form, or `303` to the profile when already logged in;
//! - `POST /<lab>/login`: checks the password, starts the login, `303` to the profile;
//! - `GET /<lab>/profile`: "welcome USERNAME with the count: N", or `303` to the login page
//!   (and any bad cookie cleared);
//! - `POST /<lab>/logout`: ends the login, `303` to the login page.

use super::{notice, pages, Lab, Notice, Outcome, Visitor};
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

pub fn router<L: Lab>() -> Router<AppState> {
    Router::new()
        .route(
            &L::INFO.login_path(),
            get(login_page::<L>).post(log_in::<L>),
        )
        .route(&L::INFO.profile_path(), get(profile::<L>))
        .route(&L::INFO.logout_path(), post(log_out::<L>))
}

fn with_cookies(mut response: Response, cookies: Vec<SetCookie>) -> Response {
    jar::append(&mut response, cookies);
    response
}

async fn login_page<L: Lab>(State(state): State<AppState>, visitor: Visitor) -> Response {
    match L::current(&state, &visitor).await {
        Ok(Outcome {
            profile: Some(_),
            cookies,
            ..
        }) => with_cookies(
            Redirect::to(&L::INFO.profile_path()).into_response(),
            cookies,
        ),
        Ok(Outcome {
            profile: None,
            mut cookies,
            refused,
        }) => {
            // A refusal found now, or the one a redirect carried here; shown once.
            let carried = notice::take::<L>(&state.cookies, &visitor.cookies, &mut cookies);
            let notice = refused.or(carried);
            with_cookies(pages::login::<L>(None, String::new(), notice), cookies)
        }
        Err(error) => static_page::error_page(error),
    }
}

async fn log_in<L: Lab>(
    State(state): State<AppState>,
    visitor: Visitor,
    check: PasswordCheck,
    Form(credentials): Form<Credentials>,
) -> Response {
    let username = credentials.username.clone();
    let result = match state.accounts.authenticate(credentials, check).await {
        Ok(user) => L::log_in(&state, &visitor, user).await,
        Err(error) => Err(error),
    };
    match result {
        Ok(cookies) => with_cookies(
            Redirect::to(&L::INFO.profile_path()).into_response(),
            cookies,
        ),
        Err(error @ AppError::InvalidCredentials) => pages::login::<L>(Some(error), username, None),
        Err(error) => static_page::error_page(error),
    }
}

async fn profile<L: Lab>(State(state): State<AppState>, visitor: Visitor) -> Response {
    match L::visit(&state, &visitor).await {
        Ok(Outcome {
            profile: Some(profile),
            cookies,
            ..
        }) => {
            let wire = state.cookies.wire(
                L::INFO.cookie,
                &visitor.cookies,
                &cookies,
                visitor.session.is_modified(),
            );
            with_cookies(pages::profile::<L>(profile, wire), cookies)
        }
        Ok(Outcome {
            profile: None,
            mut cookies,
            refused,
        }) => {
            cookies.extend(refused.and_then(|why| notice::carry::<L>(&state.cookies, why)));
            with_cookies(Redirect::to(&L::INFO.login_path()).into_response(), cookies)
        }
        Err(error) => static_page::error_page(error),
    }
}

async fn log_out<L: Lab>(State(state): State<AppState>, visitor: Visitor) -> Response {
    match L::log_out(&state, &visitor).await {
        Ok(mut cookies) => {
            cookies.extend(notice::carry::<L>(&state.cookies, Notice::LoggedOut));
            with_cookies(Redirect::to(&L::INFO.login_path()).into_response(), cookies)
        }
        Err(error) => static_page::error_page(error),
    }
}
