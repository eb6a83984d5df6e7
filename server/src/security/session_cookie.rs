//! Finishes the session cookie the way docs/spec.md §7 asks, where tower-sessions cannot:
//!
//! - its deletion cookie carries only `Path`; ours repeats `HttpOnly`, `SameSite`, and
//!   `Secure` on https, so the browser is sure to match and drop the right cookie;
//! - it gives the cookie a `Max-Age` equal to the idle timeout, because the store's expiry and
//!   the cookie's are one setting there. We keep that expiry in the store (it ends idle
//!   sessions server-side) and drop `Max-Age`, so the cookie ends with the browser.

use axum::{
    extract::{Request, State},
    http::{header, HeaderValue},
    middleware::Next,
    response::Response,
};
use tower_sessions::cookie::{Cookie, SameSite};

#[derive(Clone, Debug)]
pub struct SessionCookiePolicy {
    pub name: &'static str,
    pub secure: bool,
}

pub async fn finish_session_cookie(
    State(policy): State<SessionCookiePolicy>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set_cookies: Vec<HeaderValue> = headers
        .get_all(header::SET_COOKIE)
        .iter()
        .cloned()
        .collect();
    if set_cookies.is_empty() {
        return response;
    }
    headers.remove(header::SET_COOKIE);
    for value in set_cookies {
        let finished = value
            .to_str()
            .ok()
            .and_then(|text| Cookie::parse(text.to_owned()).ok())
            .filter(|cookie| cookie.name() == policy.name)
            .and_then(|cookie| HeaderValue::from_str(&policy.finish(cookie).to_string()).ok());
        headers.append(header::SET_COOKIE, finished.unwrap_or(value));
    }
    response
}

impl SessionCookiePolicy {
    fn finish(&self, mut cookie: Cookie<'static>) -> Cookie<'static> {
        let removal = cookie.max_age().is_some_and(|age| age.is_zero());
        cookie.set_http_only(true);
        cookie.set_same_site(SameSite::Lax);
        cookie.set_secure(self.secure);
        cookie.set_path("/");
        if !removal {
            cookie.unset_expires();
            cookie.set_max_age(None);
        }
        cookie
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deletion_repeats_every_attribute() {
        let policy = SessionCookiePolicy {
            name: "__Host-sid",
            secure: true,
        };
        let removal = Cookie::parse("__Host-sid=; Path=/; Max-Age=0").unwrap();
        let text = policy.finish(removal).to_string();
        for attribute in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/", "Max-Age=0"] {
            assert!(text.contains(attribute), "{attribute} missing from {text}");
        }
    }

    #[test]
    fn the_session_cookie_ends_with_the_browser() {
        let policy = SessionCookiePolicy {
            name: "sid",
            secure: false,
        };
        let issued =
            Cookie::parse("sid=abc; HttpOnly; SameSite=Strict; Path=/; Max-Age=1800").unwrap();
        let text = policy.finish(issued).to_string();
        assert!(!text.contains("Max-Age"), "{text}");
        assert!(
            text.contains("SameSite=Lax") && !text.contains("Secure"),
            "{text}"
        );
    }
}
