//! A tower layer for checks whose work before the inner service is synchronous: look at the
//! request (and refuse it, or note something for later), then touch up the response.
//!
//! `axum::middleware::from_fn` does the same for async functions, but it clones every layer
//! below it on each request; as the outermost layers, the security headers and the client
//! limits would clone the whole stack (docs/performance.md). A [`Guard`] calls the inner
//! service in place.

use axum::{extract::Request, response::Response};
use std::{
    future::Future,
    ops::ControlFlow,
    pin::Pin,
    task::{Context, Poll},
};
use tower::{Layer, Service};

/// What a [`GuardLayer`] does around each request.
pub trait Guard: Clone {
    /// Carried from the request to its response.
    type Pending: Send + 'static;

    /// Lets the request through (`Continue`, with what its response will need), or answers
    /// it at once (`Break`).
    fn admit(&self, request: &mut Request) -> ControlFlow<Response, Self::Pending>;

    /// Touches up the response of an admitted request.
    fn finish(pending: Self::Pending, response: &mut Response);
}

#[derive(Clone, Debug)]
pub struct GuardLayer<G>(pub G);

impl<S, G: Guard> Layer<S> for GuardLayer<G> {
    type Service = Guarded<S, G>;

    fn layer(&self, inner: S) -> Self::Service {
        Guarded {
            inner,
            guard: self.0.clone(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Guarded<S, G> {
    inner: S,
    guard: G,
}

impl<S, G> Service<Request> for Guarded<S, G>
where
    S: Service<Request, Response = Response>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    G: Guard,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        match self.guard.admit(&mut request) {
            ControlFlow::Continue(pending) => {
                let response = self.inner.call(request);
                Box::pin(async move {
                    let mut response = response.await?;
                    G::finish(pending, &mut response);
                    Ok(response)
                })
            }
            ControlFlow::Break(refusal) => Box::pin(std::future::ready(Ok(refusal))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::{body::Body, http::StatusCode};
    use std::{
        convert::Infallible,
        sync::{
            atomic::{AtomicUsize, Ordering},
            Arc,
        },
    };
    use tower::ServiceExt;

    /// Refuses `/no` with `403`; stamps every other response with the path it answered.
    #[derive(Clone)]
    struct Doorman;

    impl Guard for Doorman {
        type Pending = String;

        fn admit(&self, request: &mut Request) -> ControlFlow<Response, String> {
            match request.uri().path() {
                "/no" => ControlFlow::Break(
                    Response::builder()
                        .status(StatusCode::FORBIDDEN)
                        .body(Body::empty())
                        .unwrap(),
                ),
                path => ControlFlow::Continue(path.to_owned()),
            }
        }

        fn finish(path: String, response: &mut Response) {
            response
                .headers_mut()
                .insert("x-answered", path.parse().unwrap());
        }
    }

    #[tokio::test]
    async fn a_refused_request_never_reaches_the_inner_service_an_admitted_one_is_finished() {
        let calls = Arc::new(AtomicUsize::new(0));
        let inner = {
            let calls = calls.clone();
            tower::service_fn(move |_: Request| {
                calls.fetch_add(1, Ordering::SeqCst);
                async { Ok::<_, Infallible>(Response::new(Body::empty())) }
            })
        };
        let service = GuardLayer(Doorman).layer(inner);
        let get = |path: &str| Request::get(path).body(Body::empty()).unwrap();

        let refused = service.clone().oneshot(get("/no")).await.unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert!(refused.headers().get("x-answered").is_none());
        assert_eq!(calls.load(Ordering::SeqCst), 0);

        let admitted = service.oneshot(get("/yes")).await.unwrap();
        assert_eq!(admitted.status(), StatusCode::OK);
        assert_eq!(admitted.headers()["x-answered"], "/yes");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
