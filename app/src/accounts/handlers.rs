//! `POST /register`: create the account, then `303` to `/`. Registering logs nobody in.
//! `POST /account/password`: change the password, which revokes every earlier login.

use super::{
    forms::{PasswordChangeForm, RegisterForm},
    service::{Accounts, PasswordChange, Registration},
};
use crate::{
    components::static_page, error::AppError, limits::PasswordCheck, logins::service::Logins,
};
use axum::{
    extract::{FromRef, State},
    response::{IntoResponse, Redirect, Response},
    routing::post,
    Form, Router,
};
use leptos::prelude::*;

/// The routes, for any router state that can hand out the [`Accounts`] service.
pub fn router<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Accounts: FromRef<S>,
    Logins: FromRef<S>,
{
    Router::new()
        .route("/register", post(register))
        .route("/account/password", post(change_password))
}

async fn register(
    State(accounts): State<Accounts>,
    check: PasswordCheck,
    Form(form): Form<Registration>,
) -> Response {
    let username = form.username.clone();
    match accounts.register(form, check).await {
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

async fn change_password(
    State(accounts): State<Accounts>,
    State(logins): State<Logins>,
    check: PasswordCheck,
    Form(form): Form<PasswordChange>,
) -> Response {
    let username = form.username.clone();
    let changed = match accounts.change_password(form, check).await {
        // The version check already refuses every earlier login, and the sessions page lists
        // only the current version's: forgetting them is housekeeping, never a failure.
        Ok(account) => {
            if logins
                .forget_older(account.account_id, account.version)
                .await
                .is_err()
            {
                tracing::warn!("the changed password's earlier logins stay in the index");
            }
            Ok(())
        }
        Err(error) => Err(error),
    };
    match changed {
        Ok(()) => static_page::render(http::StatusCode::OK, "Password changed", || {
            view! {
                <h1>"Password changed"</h1>
                <p class="result">"Your password was changed. Every earlier login is now revoked."</p>
                <p>"Log in again in any lab: " <a href="/">"back to the start"</a> "."</p>
            }
        }),
        Err(
            error @ (AppError::Internal
            | AppError::TooManyAttempts { .. }
            | AppError::TooManyRequests { .. }
            | AppError::Busy { .. }),
        ) => static_page::error_page(error),
        Err(error) => {
            let status = http::StatusCode::from_u16(error.status())
                .unwrap_or(http::StatusCode::UNPROCESSABLE_ENTITY);
            static_page::render(status, "Change password", move || {
                view! {
                    <h1>"Change your password"</h1>
                    <PasswordChangeForm error=error.to_string() username=username/>
                }
            })
        }
    }
}
