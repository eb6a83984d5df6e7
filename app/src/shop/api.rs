//! Server functions for the shop's hydrated pages. Each has a stable endpoint under `/api/shop/`
//! so tests and the README can name it; each checks the session itself, like the handlers.

use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::AppError;
    pub use crate::{sessions::LabSession, shop::service, state::AppState};
    use leptos::prelude::*;

    /// The request's session and the app state, inside a server function.
    pub async fn context() -> Result<(AppState, LabSession), AppError> {
        let state = use_context::<AppState>()
            .ok_or_else(|| AppError::internal("server function context", "AppState missing"))?;
        let session = leptos_axum::extract::<LabSession>()
            .await
            .map_err(|e| AppError::internal("session extraction", e))?;
        Ok((state, session))
    }
}

/// The logged-in shopper's name, or `None`.
#[server(prefix = "/api", endpoint = "shop/whoami")]
pub async fn shop_user() -> Result<Option<String>, AppError> {
    let (state, session) = ssr::context().await?;
    match ssr::service::shopper(&state, &session).await {
        Ok(login) => Ok(Some(login.user.username)),
        Err(AppError::NotLoggedIn) => Ok(None),
        Err(e) => Err(e),
    }
}

/// How many apples are in the cart; `NotLoggedIn` when nobody is.
#[server(prefix = "/api", endpoint = "shop/apples")]
pub async fn apples() -> Result<u64, AppError> {
    let (state, session) = ssr::context().await?;
    ssr::service::apples(&state, &session).await
}

/// Adds one apple; returns the new count.
#[server(prefix = "/api", endpoint = "shop/add_apple")]
pub async fn add_apple() -> Result<u64, AppError> {
    let (state, session) = ssr::context().await?;
    ssr::service::add_apple(&state, &session).await
}
