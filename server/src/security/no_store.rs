//! Pages and API answers may depend on who is logged in: no shared cache, and no browser
//! back-button copy, may keep them. Only the built assets under `/pkg/` are cacheable.
//! The same pass over every request tells the page frame which page it is rendering (the
//! navigation marks the current section), so that costs no layer of its own.

use axum::{
    extract::Request,
    http::{header, HeaderValue},
    middleware::Next,
    response::Response,
};

pub async fn no_store(request: Request, next: Next) -> Response {
    let cacheable = request.uri().path().starts_with("/pkg/");
    let mut response = if cacheable {
        next.run(request).await
    } else {
        let uri = request.uri().clone();
        app::components::layout::CURRENT_URI
            .scope(uri, next.run(request))
            .await
    };
    if !cacheable {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
