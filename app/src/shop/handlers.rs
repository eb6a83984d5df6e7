//! The shop's routes. Pages are rendered from the session: who is logged in, how many apples.
//! The POST routes are plain HTML forms, so the shop works with JavaScript off; successes
//! redirect with `303 See Other` (Post/Redirect/Get), failures render a page.

use super::{
    pages::{Apples, Checkout, ShopHome, ShopLogin},
    service,
};
use crate::{
    accounts::service::Credentials,
    components::{forms::LoginForm, static_page},
    error::AppError,
    sessions::LabSession,
    state::AppState,
};
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::get,
    Form, Router,
};
use leptos::prelude::*;

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

async fn home(State(state): State<AppState>, session: LabSession) -> Response {
    match shopper_name(&state, &session).await {
        Ok(shopper) => static_page::render(StatusCode::OK, "Apple shop", move || {
            view! { <ShopHome shopper/> }
        }),
        Err(error) => static_page::error_page(error),
    }
}

async fn login_page(State(state): State<AppState>, session: LabSession) -> Response {
    match shopper_name(&state, &session).await {
        Ok(shopper) => static_page::render(StatusCode::OK, "Log in to the shop", move || {
            view! { <ShopLogin shopper/> }
        }),
        Err(error) => static_page::error_page(error),
    }
}

/// The only shop page with an island (the "Add an apple" button), so it loads the wasm.
async fn apples_page(State(state): State<AppState>, session: LabSession) -> Response {
    match service::apples(&state, &session).await {
        Ok(apples) => static_page::render_with_islands(
            StatusCode::OK,
            "Apples",
            &state.leptos_options,
            move || view! { <Apples apples/> },
        ),
        Err(error) => static_page::error_page(error),
    }
}

async fn checkout_page(State(state): State<AppState>, session: LabSession) -> Response {
    match service::apples(&state, &session).await {
        Ok(apples) => static_page::render(StatusCode::OK, "Checkout", move || {
            view! { <Checkout apples/> }
        }),
        Err(error) => static_page::error_page(error),
    }
}

async fn log_in(
    State(state): State<AppState>,
    session: LabSession,
    Form(credentials): Form<Credentials>,
) -> Response {
    let username = credentials.username.clone();
    match service::log_in(&state, &session, credentials).await {
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
    match service::add_apple(&state, &session).await {
        Ok(_) => Redirect::to("/shop/apple").into_response(),
        Err(error) => static_page::error_page(error),
    }
}

async fn pay(State(state): State<AppState>, session: LabSession) -> Response {
    match service::pay(&state, &session).await {
        Ok(apples) => static_page::render(StatusCode::OK, "Checkout", move || {
            view! {
                <h1>"Checkout"</h1>
                <p class="result">{format!("You paid for your {apples} apples!")}</p>
                <p><a href="/shop/apple">"Buy more apples"</a></p>
            }
        }),
        Err(error) => static_page::error_page(error),
    }
}

async fn log_out(State(state): State<AppState>, session: LabSession) -> Response {
    match service::log_out(&state, &session).await {
        Ok(()) => Redirect::to("/shop").into_response(),
        Err(error) => static_page::error_page(error),
    }
}
