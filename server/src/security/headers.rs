//! Security headers on every response, and the Content-Security-Policy that lets the app's own
//! scripts and wasm run and nothing else.
//!
//! Leptos inlines one `<script>` per page (the few lines that load the wasm and hydrate the
//! islands). Instead of allowing inline scripts, each response gets a fresh random nonce: this
//! layer puts it in the request's extensions, the pages write it on their inline script, and
//! the policy allows that one nonce. An injected `<script>` cannot know it.

use axum::{
    extract::{Request, State},
    http::{header, HeaderValue},
    middleware::Next,
    response::Response,
};
use leptos::nonce::Nonce;
use std::sync::Arc;

/// The policy up to the nonce; the rest is fixed at start ([`HeaderPolicy::new`]), so a
/// response only pays for one concatenation.
const BEFORE_NONCE: &str = "default-src 'self'; script-src 'self' 'nonce-";

/// What the headers depend on: https or not, and whether `cargo leptos watch` is reloading.
#[derive(Clone, Debug)]
pub struct HeaderPolicy {
    /// Send `Strict-Transport-Security`: only when the public URL is https, since browsers
    /// would otherwise refuse plain http to this host for a year.
    hsts: bool,
    after_nonce: Arc<str>,
}

impl HeaderPolicy {
    /// `reload_socket`: the websocket `cargo leptos watch` reloads pages through, if any.
    /// `'wasm-unsafe-eval'` lets the page compile the wasm (not `eval` JavaScript);
    /// `style-src 'self'` allows the stylesheet and no inline styles.
    pub fn new(hsts: bool, reload_socket: Option<&str>) -> Self {
        let connect = match reload_socket {
            Some(socket) => format!("'self' {socket}"),
            None => "'self'".to_owned(),
        };
        let after_nonce = format!(
            "' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
             connect-src {connect}; object-src 'none'; base-uri 'none'; form-action 'self'; \
             frame-ancestors 'none'"
        );
        Self {
            hsts,
            after_nonce: after_nonce.into(),
        }
    }

    /// The policy for one response.
    pub fn content_security_policy(&self, nonce: &str) -> String {
        [BEFORE_NONCE, nonce, &self.after_nonce].concat()
    }
}

/// Adds the security headers, with a new nonce per request for the pages to use.
pub async fn security_headers(
    State(policy): State<HeaderPolicy>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = Nonce::new();
    let csp = policy.content_security_policy(&nonce);
    request.extensions_mut().insert(nonce);
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let Ok(csp) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        // For browsers that predate `frame-ancestors`.
        (header::X_FRAME_OPTIONS, "DENY"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if policy.hsts {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_only_this_nonce_and_the_reload_socket_when_watching() {
        let plain = HeaderPolicy::new(false, None).content_security_policy("abc");
        assert!(plain.starts_with("default-src 'self'; "));
        assert!(plain.ends_with("frame-ancestors 'none'"));
        assert!(plain.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval';"));
        assert!(plain.contains("connect-src 'self';"));
        assert!(!plain.contains("unsafe-inline"));
        let watching =
            HeaderPolicy::new(false, Some("ws://127.0.0.1:3001")).content_security_policy("abc");
        assert!(watching.contains("connect-src 'self' ws://127.0.0.1:3001;"));
    }
}
