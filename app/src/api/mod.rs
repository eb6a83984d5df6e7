//! The JSON API (docs/spec.md §5): the "authorisation service + API" choreography of the
//! tutorial, plus a window into what the server received.
//!
//! | route | module |
//! |---|---|
//! | `POST /api/token`, `GET /api/me`, `GET /.well-known/jwks.json` | [`tokens`] |
//! | `GET /api/echo` | [`echo`] |
//! | `GET /api/openapi.json` | [`openapi`] |
//!
//! Every error is JSON `{"error", "message"}` ([`error::ApiError`]).

/// `GET /api/echo`: each cookie received, what it means, your session record, your claims.
pub mod echo;
/// The JSON error type of the API.
pub mod error;
/// The OpenAPI document, generated from the handlers' annotations.
pub mod openapi;
/// `POST /api/token`, `GET /api/me`, `GET /.well-known/jwks.json`: tokens over JSON, on top of
/// the token service in [`crate::jwt`].
pub mod tokens;

use crate::state::AppState;
use axum::{routing::get, Router};

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(tokens::router())
        .route("/api/echo", get(echo::echo))
        .route("/api/openapi.json", get(openapi::document))
}
