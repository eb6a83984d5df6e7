//! The shop's server function: the endpoint the apple island posts to. It has a stable path
//! under `/api/shop/` so tests and the README can name it, and checks the session itself, like
//! the handlers.

use crate::error::AppError;
use leptos::prelude::*;

/// Adds one apple; returns the new count.
#[server(prefix = "/api", endpoint = "shop/add_apple")]
pub async fn add_apple() -> Result<u64, AppError> {
    use crate::{sessions::LabSession, shop::service, state::AppState};
    let state = use_context::<AppState>()
        .ok_or_else(|| AppError::internal("server function context", "AppState missing"))?;
    let session = leptos_axum::extract::<LabSession>()
        .await
        .map_err(|e| AppError::internal("session extraction", e))?;
    service::add_apple(&state, &session).await
}
