//! `POST /register`: create the account, then `303` to `/`. Registering logs nobody in.

use super::service::Registration;
use crate::{
    components::{forms::RegisterForm, static_page},
    error::AppError,
    state::AppState,
};
use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
    routing::post,
    Form, Router,
};
use leptos::prelude::*;

pub fn router() -> Router<AppState> {
    Router::new().route("/register", post(register))
}

async fn register(State(state): State<AppState>, Form(form): Form<Registration>) -> Response {
    let username = form.username.clone();
    match state.accounts.register(form).await {
        Ok(()) => Redirect::to("/").into_response(),
        Err(AppError::Internal) => static_page::error_page(AppError::Internal),
        Err(error) => {
            let status = http::StatusCode::from_u16(error.status())
                .unwrap_or(http::StatusCode::UNPROCESSABLE_ENTITY);
            static_page::render(status, "Register", move || {
                view! {
                    <h1>"Create an account"</h1>
                    <RegisterForm error=error.to_string() username=username/>
                }
            })
        }
    }
}
