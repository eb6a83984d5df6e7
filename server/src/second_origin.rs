//! The attack lab's second origin (docs/spec.md §12): on loopback, another port of this
//! process serves an attacker's page that posts a logout form to Session Lab as soon as it
//! loads, so "Run it" on the CSRF card shows a real cross-origin form post and this server's
//! `403`. A browser page cannot forge `Origin`, so the demonstration needs a second origin;
//! under the visitor's host name it is the same site (the cookies go along), under the other
//! loopback name it is another site (SameSite=Lax keeps them home).
//!
//! It serves that one page, posts only to this server's own origins, keeps nothing, and runs
//! only when the server listens on loopback without a public URL.

use crate::security::origin::AllowedOrigins;
use axum::{
    extract::{rejection::QueryRejection, Query, State},
    http::StatusCode,
    response::{Html, IntoResponse, Response},
    routing::get,
    Router,
};
use serde::Deserialize;
use std::net::{Ipv4Addr, SocketAddr};
use tokio::{net::TcpListener, task::JoinHandle};

/// Binds a free loopback port and serves the page there until the handle is aborted.
pub async fn start(allowed: AllowedOrigins) -> std::io::Result<(u16, JoinHandle<()>)> {
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await?;
    let port = listener.local_addr()?.port();
    let app = Router::new()
        .route("/csrf", get(csrf_page))
        .with_state(allowed);
    let task = tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, app).await {
            tracing::warn!(%error, "the attack lab's second origin stopped");
        }
    });
    Ok((port, task))
}

#[derive(Deserialize)]
struct Target {
    to: String,
}

async fn csrf_page(
    State(allowed): State<AllowedOrigins>,
    target: Result<Query<Target>, QueryRejection>,
) -> Response {
    let Some(to) = target.ok().and_then(|Query(t)| allowed.canonical(&t.to)) else {
        return (
            StatusCode::BAD_REQUEST,
            "This page posts only to Session Lab's own origin: ?to=<its origin>",
        )
            .into_response();
    };
    // `to` is one of this server's own origins, serialised: no character in it needs escaping.
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>An attacker's page</title></head>\
         <body><h1>An attacker's page</h1>\
         <p>This page is not Session Lab: it is another origin, and it posts a logout form to {to} as soon as it loads, \
         with whatever cookies the browser sends along.</p>\
         <form id=\"forged\" method=\"post\" action=\"{to}/session/logout\"><button>Log out of Session Lab</button></form>\
         <script>document.getElementById('forged').submit()</script></body></html>"
    ))
    .into_response()
}
