//! `GET /attacks`: the catalogue, with tokens forged for this server at each load.

use super::{catalogue, page};
use crate::state::AppState;
use axum::{extract::State, response::Response, routing::get, Router};

pub fn router() -> Router<AppState> {
    Router::new().route("/attacks", get(attacks))
}

async fn attacks(State(state): State<AppState>) -> Response {
    page::render(catalogue::attacks(&state))
}
