//! `GET /attacks`: the catalogue, with tokens forged for this server at each load.

use super::{
    catalogue::{self, SecondOrigin},
    page,
};
use crate::{
    components::{site_files::Bundle, static_page},
    cookies::jar::LabCookie,
    state::AppState,
};
use axum::{
    extract::State,
    http::{header, HeaderMap},
    response::Response,
    routing::get,
    Extension, Router,
};
use leptos::nonce::Nonce;

pub fn router() -> Router<AppState> {
    Router::new().route("/attacks", get(attacks))
}

async fn attacks(
    State(state): State<AppState>,
    headers: HeaderMap,
    nonce: Option<Extension<Nonce>>,
) -> Response {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let second = state
        .second_origin
        .zip(host)
        .map(|(port, host)| second_origin(port, host));
    let islands = static_page::Islands::new(&state.leptos_options, nonce, Bundle::Attacks);
    let session_cookie = state.cookies.name(LabCookie::Session);
    page::render(
        catalogue::attacks(&state, second.as_ref()),
        session_cookie,
        islands,
    )
}

/// The second origin's pages for a visitor who reached this server at `host`: the same host
/// name on the second port is the same site; the other loopback name is another site.
fn second_origin(port: u16, host: &str) -> SecondOrigin {
    let name = host.rsplit_once(':').map_or(host, |(name, _)| name);
    let (same, other) = match name {
        "localhost" => ("localhost", "127.0.0.1"),
        _ => ("127.0.0.1", "localhost"),
    };
    let page = |name: &str| format!("http://{name}:{port}/csrf?to=http://{host}");
    SecondOrigin {
        same_site: page(same),
        cross_site: page(other),
    }
}
