//! Pages and API answers may depend on who is logged in: no shared cache, and no browser
//! back-button copy, may keep them. Only the built assets under `/pkg/` are cacheable.

use axum::{
    extract::Request,
    http::{header, HeaderValue},
    middleware::Next,
    response::Response,
};

pub async fn no_store(request: Request, next: Next) -> Response {
    let cacheable = request.uri().path().starts_with("/pkg/");
    let mut response = next.run(request).await;
    if !cacheable {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
