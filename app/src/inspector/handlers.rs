//! `GET /inspector`. A handler renders it, like every page that depends on the request, so
//! that without JavaScript it still tells the truth: what the server received in this very
//! request ([`crate::api::echo::describe`]), where the live islands would show it.

use super::page::InspectorPage;
use crate::{
    api::echo::describe,
    components::{site_files::Bundle, static_page},
    labs::Visitor,
    state::AppState,
};
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::Response,
    routing::get,
    Extension, Router,
};
use leptos::{nonce::Nonce, prelude::*};

pub fn router() -> Router<AppState> {
    Router::new().route("/inspector", get(inspector))
}

async fn inspector(
    State(state): State<AppState>,
    headers: HeaderMap,
    visitor: Visitor,
    nonce: Option<Extension<Nonce>>,
) -> Response {
    let received = describe(&state, &headers, &visitor)
        .await
        .map_err(|error| error.message().to_owned());
    let islands = static_page::Islands::new(&state.leptos_options, nonce, Bundle::Inspector);
    static_page::render_with_islands(
        StatusCode::OK,
        "Cookie and token viewer",
        islands,
        move || view! { <InspectorPage received/> },
    )
}
