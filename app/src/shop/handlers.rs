//! The shop's POST routes: plain HTML forms, so the shop works with JavaScript off.
//! Successes redirect with `303 See Other` (Post/Redirect/Get); failures render a page.

use super::service;
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
    routing::post,
    Form, Router,
};
use leptos::prelude::*;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/shop/login", post(log_in))
        .route("/shop/apple", post(add_apple))
        .route("/shop/checkout", post(pay))
        .route("/shop/logout", post(log_out))
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
