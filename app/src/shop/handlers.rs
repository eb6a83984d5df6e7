//! The shop's routes. Pages are rendered from the session: who is logged in, how many apples.
//! The POST routes are plain HTML forms, so the shop works with JavaScript off; successes
//! redirect with `303 See Other` (Post/Redirect/Get), failures render a page.

use super::{
    pages::{Apples, Checkout, ShopHome, ShopLogin},
    service,
};
use crate::{
    accounts::forms::LoginForm, accounts::service::Credentials, components::static_page,
    error::AppError, sessions::LabSession, state::AppState,
};
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::get,
    Extension, Form, Router,
};
use leptos::{nonce::Nonce, prelude::*};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/shop", get(home))
        .route("/shop/login", get(login_page).post(log_in))
        .route("/shop/apple", get(apples_page).post(add_apple))
        .route("/shop/checkout", get(checkout_page).post(pay))
        .route("/shop/logout", axum::routing::post(log_out))
}

/// The logged-in shopper's name; `None` when nobody is.
async fn shopper_name(state: &AppState, session: &LabSession) -> Result<Option<String>, AppError> {
    match service::shopper(state, session).await {
        Ok(login) => Ok(Some(login.user.username)),
        Err(AppError::NotLoggedIn) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The page for a successful read, or the error page (`401` when nobody is logged in).
fn page_or_error<T>(read: Result<T, AppError>, page: impl FnOnce(T) -> Response) -> Response {
    read.map_or_else(static_page::error_page, page)
}

async fn home(State(state): State<AppState>, session: LabSession) -> Response {
    page_or_error(shopper_name(&state, &session).await, |shopper| {
        static_page::render(StatusCode::OK, "Apple shop", move || {
            view! { <ShopHome shopper/> }
        })
    })
}

async fn login_page(State(state): State<AppState>, session: LabSession) -> Response {
    page_or_error(shopper_name(&state, &session).await, |shopper| {
        static_page::render(StatusCode::OK, "Log in to the shop", move || {
            view! { <ShopLogin shopper/> }
        })
    })
}

/// The only shop page with an island (the "Add an apple" button), so it loads the wasm.
async fn apples_page(
    State(state): State<AppState>,
    session: LabSession,
    nonce: Option<Extension<Nonce>>,
) -> Response {
    page_or_error(service::apples(&state, &session).await, |apples| {
        let islands = static_page::Islands {
            options: &state.leptos_options,
            nonce: nonce.map(|Extension(nonce)| nonce),
        };
        static_page::render_with_islands(StatusCode::OK, "Apples", islands, move || {
            view! { <Apples apples/> }
        })
    })
}

async fn checkout_page(State(state): State<AppState>, session: LabSession) -> Response {
    page_or_error(service::apples(&state, &session).await, |apples| {
        static_page::render(StatusCode::OK, "Checkout", move || {
            view! { <Checkout apples/> }
        })
    })
}

async fn log_in(
    State(state): State<AppState>,
    session: LabSession,
    check: crate::limits::PasswordCheck,
    Form(credentials): Form<Credentials>,
) -> Response {
    let username = credentials.username.clone();
    match service::log_in(&state, &session, credentials, check).await {
        Ok(()) => Redirect::to("/shop/login").into_response(),
        Err(error @ AppError::InvalidCredentials) => {
            static_page::render(StatusCode::UNAUTHORIZED, "Log in", move || {
                view! {
                    <h1>"Log in to the apple shop"</h1>
                    <LoginForm action="/shop/login" error=error.to_string() username=username/>
                }
            })
        }
        Err(error) => static_page::error_page(error),
    }
}

async fn add_apple(State(state): State<AppState>, session: LabSession) -> Response {
    page_or_error(service::add_apple(&state, &session).await, |_| {
        Redirect::to("/shop/apple").into_response()
    })
}

async fn pay(State(state): State<AppState>, session: LabSession) -> Response {
    page_or_error(service::pay(&state, &session).await, |apples| {
        static_page::render(StatusCode::OK, "Checkout", move || {
            view! {
                <h1>"Checkout"</h1>
                <p class="result">{format!("You paid for your {apples} apples!")}</p>
                <p><a href="/shop/apple">"Buy more apples"</a></p>
            }
        })
    })
}

async fn log_out(State(state): State<AppState>, session: LabSession) -> Response {
    page_or_error(service::log_out(&state, &session).await, |()| {
        Redirect::to("/shop").into_response()
    })
}
