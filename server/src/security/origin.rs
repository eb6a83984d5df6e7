//! Cross-site request refusal. A browser tells the server where a request comes from: modern
//! ones send `Sec-Fetch-Site`, and all send `Origin` on POST. A state-changing request that
//! says it comes from another site is answered `403` before any handler runs: server
//! functions included, since they are POSTs too.
//!
//! Requests with neither header do not come from a browser page (curl, scripts, tests) and
//! carry no ambient cookies an attacker could borrow, so they pass.

use app::{api::error::error_response, error::AppError};
use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, Method},
    middleware::Next,
    response::Response,
};
use std::sync::Arc;
use url::{Origin, Url};

/// The origins allowed to send state-changing requests.
#[derive(Clone, Debug)]
pub struct AllowedOrigins(Arc<Vec<String>>);

impl AllowedOrigins {
    /// The public URL's origin; without one, the listening address and, on loopback, its
    /// `localhost` and `127.0.0.1` spellings (a browser may use either in development).
    pub fn new(public_url: Option<&Url>, addr: std::net::SocketAddr) -> Self {
        let origins = match public_url {
            Some(url) => vec![url.origin().ascii_serialization()],
            None if addr.ip().is_loopback() || addr.ip().is_unspecified() => vec![
                format!("http://{addr}"),
                format!("http://localhost:{}", addr.port()),
                format!("http://127.0.0.1:{}", addr.port()),
                format!("http://[::1]:{}", addr.port()),
            ],
            None => vec![format!("http://{addr}")],
        };
        Self(Arc::new(origins))
    }

    /// `origin` as this server serialises it, if it is one of its own.
    pub fn canonical(&self, origin: &str) -> Option<String> {
        match Url::parse(origin).map(|url| url.origin()) {
            Ok(origin @ Origin::Tuple(..)) => {
                let origin = origin.ascii_serialization();
                self.0.contains(&origin).then_some(origin)
            }
            _ => None,
        }
    }

    fn allows(&self, origin: &str) -> bool {
        // Serialised origins compare equal for `HTTP://Host:80` and `http://host`; "null" and
        // garbage are nobody's.
        self.canonical(origin).is_some()
    }
}

/// Why a request was refused; logged at debug level, never sent (it would help an attacker).
pub fn refusal(allowed: &AllowedOrigins, headers: &HeaderMap) -> Option<&'static str> {
    if let Some(site) = headers.get("sec-fetch-site") {
        if !matches!(site.to_str(), Ok("same-origin") | Ok("none")) {
            return Some("Sec-Fetch-Site is not same-origin");
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        match origin.to_str() {
            Ok(origin) if allowed.allows(origin) => {}
            _ => return Some("Origin is not the app's own"),
        }
    }
    None
}

pub async fn refuse_cross_site(
    State(allowed): State<AllowedOrigins>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    );
    if !safe {
        if let Some(reason) = refusal(&allowed, request.headers()) {
            tracing::warn!(method = %request.method(), path = request.uri().path(), reason, "cross-site request refused");
            return error_response(request.uri().path(), AppError::CrossSite);
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn own_origin_and_non_browser_requests_pass() {
        let allowed = AllowedOrigins::new(None, "127.0.0.1:3000".parse().unwrap());
        assert_eq!(refusal(&allowed, &headers(&[])), None);
        assert_eq!(
            refusal(
                &allowed,
                &headers(&[
                    ("origin", "http://localhost:3000"),
                    ("sec-fetch-site", "same-origin")
                ])
            ),
            None
        );
    }

    #[test]
    fn foreign_null_and_same_site_requests_are_refused() {
        let allowed = AllowedOrigins::new(
            Some(&Url::parse("https://lab.example").unwrap()),
            "0.0.0.0:80".parse().unwrap(),
        );
        assert!(refusal(&allowed, &headers(&[("origin", "https://evil.example")])).is_some());
        assert!(refusal(&allowed, &headers(&[("origin", "null")])).is_some());
        assert!(refusal(&allowed, &headers(&[("origin", "http://lab.example")])).is_some());
        assert!(refusal(&allowed, &headers(&[("sec-fetch-site", "cross-site")])).is_some());
        assert!(refusal(&allowed, &headers(&[("sec-fetch-site", "same-site")])).is_some());
        assert_eq!(
            refusal(&allowed, &headers(&[("origin", "https://LAB.example:443")])),
            None
        );
    }
}
