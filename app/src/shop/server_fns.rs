//! The shop's server function: the endpoint the apple island posts to. It has a stable path
//! under `/api/shop/` so tests and the README can name it, and checks the session itself, like
//! the handlers.

use crate::error::AppError;
use leptos::prelude::*;

/// Adds one apple; returns the new count.
#[server(prefix = "/api", endpoint = "shop/add_apple")]
pub async fn add_apple() -> Result<u64, AppError> {
    use crate::{sessions::LabSession, shop::service::Shop};
    let shop = use_context::<Shop>()
        .ok_or_else(|| AppError::internal("server function context", "Shop missing"))?;
    let session = leptos_axum::extract::<LabSession>()
        .await
        .map_err(|e| AppError::internal("session extraction", e))?;
    let added = shop.add_apple(&session).await;
    // A server function answers 500 for any error unless told otherwise: give the error's
    // own status (401 when nobody is logged in, 503 when the store is down).
    if let Err(error) = &added {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(
                http::StatusCode::from_u16(error.status())
                    .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
            );
        }
    }
    added
}
