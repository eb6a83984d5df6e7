//! Turns the session layer's bare `500` into the app's `503`.
//!
//! When the session store cannot save a record (Redis or PostgreSQL gone between the handler's
//! last store call and the save at the end of the request), tower-sessions answers with an
//! empty `500`. For the user that is the same event as any other store outage:
//! nothing was saved, try again shortly. This layer, just outside the session layer, gives it
//! the same answer every other store failure gets: the "temporarily unavailable" page, or JSON
//! under `/api/`.

use app::error::{AppError, Refusal};
use axum::{
    body::HttpBody,
    extract::Request,
    http::{header, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

pub async fn session_save_failure_is_unavailable(request: Request, next: Next) -> Response {
    // Decided before the request moves on: no copy of its path on every request.
    let failure = Refusal::new(request.uri().path(), AppError::Unavailable);
    let response = next.run(request).await;
    let bare_500 = response.status() == StatusCode::INTERNAL_SERVER_ERROR
        && response.headers().get(header::CONTENT_TYPE).is_none()
        && response.body().size_hint().exact() == Some(0);
    if !bare_500 {
        return response;
    }
    failure.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::{body::Body, middleware, routing::get, Router};
    use tower::ServiceExt;

    async fn status_and_type(
        path: &str,
        handler_status: StatusCode,
        body: &'static str,
    ) -> (StatusCode, String) {
        let router = Router::new()
            .route(
                "/{*path}",
                get(move || async move { (handler_status, body) }),
            )
            .layer(middleware::from_fn(session_save_failure_is_unavailable));
        let response = router
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let content_type = response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_owned();
        (response.status(), content_type)
    }

    #[tokio::test]
    async fn a_bare_500_becomes_a_503_page_or_json() {
        let bare = axum::routing::get(|| async { StatusCode::INTERNAL_SERVER_ERROR });
        for (path, expected) in [
            ("/shop/apple", "text/html"),
            ("/api/echo", "application/json"),
        ] {
            let router = Router::new()
                .route(path, bare.clone())
                .layer(middleware::from_fn(session_save_failure_is_unavailable));
            let response = router
                .oneshot(Request::get(path).body(Body::empty()).unwrap())
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
            let content_type = response.headers()[header::CONTENT_TYPE].to_str().unwrap();
            assert!(content_type.starts_with(expected), "{content_type}");
        }
    }

    #[tokio::test]
    async fn other_responses_pass_untouched() {
        let (status, _) =
            status_and_type("/x", StatusCode::INTERNAL_SERVER_ERROR, "our own page").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        let (status, _) = status_and_type("/x", StatusCode::OK, "").await;
        assert_eq!(status, StatusCode::OK);
    }
}
