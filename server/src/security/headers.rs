//! Security headers on every response, and the Content-Security-Policy that lets the app's own
//! scripts and wasm run and nothing else.
//!
//! Leptos inlines one `<script>` per page (the few lines that load the wasm and hydrate the
//! islands). Instead of allowing inline scripts, each response gets a fresh random nonce: this
//! layer puts it in the request's extensions, the pages write it on their inline script, and
//! the policy allows that one nonce. An injected `<script>` cannot know it.

use axum::{
    body::Bytes,
    extract::Request,
    http::{header, HeaderName, HeaderValue},
    response::Response,
};
use leptos::nonce::Nonce;
use std::{ops::ControlFlow, sync::Arc};

use super::guard::Guard;

const CROSS_ORIGIN_OPENER_POLICY: HeaderName =
    HeaderName::from_static("cross-origin-opener-policy");

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

    /// The policy for one response, written once straight into the header's buffer.
    pub fn content_security_policy(&self, nonce: &str) -> Option<HeaderValue> {
        let parts = [BEFORE_NONCE, nonce, &self.after_nonce];
        let mut value = Vec::with_capacity(parts.iter().map(|part| part.len()).sum());
        for part in parts {
            value.extend_from_slice(part.as_bytes());
        }
        HeaderValue::from_maybe_shared(Bytes::from(value)).ok()
    }
}

/// Adds the security headers, with a new nonce per request for the pages to use (as
/// `GuardLayer(policy)`).
impl Guard for HeaderPolicy {
    /// The policy naming this response's nonce; HSTS or not.
    type Pending = (Option<HeaderValue>, bool);

    fn admit(&self, request: &mut Request) -> ControlFlow<Response, Self::Pending> {
        let nonce = Nonce::new();
        let csp = self.content_security_policy(&nonce);
        request.extensions_mut().insert(nonce);
        ControlFlow::Continue((csp, self.hsts))
    }

    fn finish((csp, hsts): Self::Pending, response: &mut Response) {
        let headers = response.headers_mut();
        if let Some(csp) = csp {
            headers.insert(header::CONTENT_SECURITY_POLICY, csp);
        }
        for (name, value) in [
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "same-origin"),
            // For browsers that predate `frame-ancestors`.
            (header::X_FRAME_OPTIONS, "DENY"),
            (CROSS_ORIGIN_OPENER_POLICY, "same-origin"),
        ] {
            headers.insert(name, HeaderValue::from_static(value));
        }
        if hsts {
            headers.insert(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static("max-age=63072000; includeSubDomains"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_only_this_nonce_and_the_reload_socket_when_watching() {
        let plain = HeaderPolicy::new(false, None)
            .content_security_policy("abc")
            .unwrap();
        let plain = plain.to_str().unwrap();
        assert!(plain.starts_with("default-src 'self'; "));
        assert!(plain.ends_with("frame-ancestors 'none'"));
        assert!(plain.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval';"));
        assert!(plain.contains("connect-src 'self';"));
        assert!(!plain.contains("unsafe-inline"));
        let watching = HeaderPolicy::new(false, Some("ws://127.0.0.1:3001"))
            .content_security_policy("abc")
            .unwrap();
        let watching = watching.to_str().unwrap();
        assert!(watching.contains("connect-src 'self' ws://127.0.0.1:3001;"));
    }
}
