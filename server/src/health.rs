//! `GET /healthz` (the process answers) and `GET /readyz` (and so does every store).

use crate::stores::Stores;
use axum::{extract::State, http::StatusCode, response::Json, routing::get, Router};
use serde_json::{json, Value};
use std::sync::Arc;

pub fn router<S>(stores: Arc<Stores>, state: app::state::AppState) -> Router<S> {
    Router::new()
        .route("/healthz", get(live))
        .route("/readyz", get(ready))
        .with_state((stores, state))
}

async fn live() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

async fn ready(
    State((stores, state)): State<(Arc<Stores>, app::state::AppState)>,
) -> (StatusCode, Json<Value>) {
    let accounts = state.accounts.ping().await.is_ok();
    let sessions = stores.ping_sessions().await;
    let carts = state.carts.ping().await.is_ok();
    let ready = accounts && sessions && carts;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let word = |ok: bool| if ok { "ok" } else { "unavailable" };
    (
        status,
        Json(json!({
            "status": if ready { "ready" } else { "unavailable" },
            "checks": { "accounts": word(accounts), "sessions": word(sessions), "carts": word(carts) },
        })),
    )
}
