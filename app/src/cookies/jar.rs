//! The cookies Session Lab sets, how it names and marks them, and how it reads them back.
//!
//! Every cookie states its attributes explicitly (docs/spec.md §7): `HttpOnly` unless page
//! scripts are meant to read it, `SameSite=Lax` (sent on top-level navigations from other
//! sites, never on their POSTs), `Path=/`, and `Secure` with the `__Host-` prefix when the app
//! is served over https (the prefix makes browsers refuse the cookie unless it is Secure,
//! Path=/ and host-only, so a sibling subdomain cannot plant it).

use crate::error::AppError;
use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts, HeaderMap, HeaderValue},
    response::Response,
};
use cookie::{Cookie, SameSite};
use serde::Serialize;
use std::{convert::Infallible, time::Duration};

/// The server never issues a cookie the viewer would call too big: one limit for both.
pub use crate::browser::MAX_COOKIE_BYTES;

/// The cookies the server sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabCookie {
    /// The session id of the shop and the `session` lab.
    Session,
    /// The `cookie` lab's plain JSON.
    PlainUser,
    /// The `signed-cookie` lab's encrypted JSON.
    SignedUser,
    /// The `jwt` lab's token.
    Token,
    /// A one-time note for the next login page: why the last login ended (`labs::Notice`).
    Notice,
}

impl LabCookie {
    pub const ALL: [LabCookie; 5] = [
        LabCookie::Session,
        LabCookie::PlainUser,
        LabCookie::SignedUser,
        LabCookie::Token,
        LabCookie::Notice,
    ];

    /// The name over http (`user`, `signed_user`, `sid`, …); https adds `__Host-` to the
    /// HttpOnly ones.
    pub fn base_name(self) -> &'static str {
        match self {
            LabCookie::Session => "sid",
            LabCookie::PlainUser => "user",
            LabCookie::SignedUser => "signed_user",
            LabCookie::Token => "token",
            LabCookie::Notice => "notice",
        }
    }

    /// Only the plain lab's cookie is readable by page scripts: that is its lesson.
    pub fn http_only(self) -> bool {
        self != LabCookie::PlainUser
    }

    /// One sentence for learners: what this cookie is and what the server does with it.
    pub fn meaning(self) -> &'static str {
        match self {
            LabCookie::Session => "A random session id. The server looks it up in its session store; the id alone says nothing about you.",
            LabCookie::PlainUser => "Plain JSON with your name and visit count. The server trusts it blindly: edit it and you are someone else (the cookie lab's lesson).",
            LabCookie::SignedUser => "Your name, count and an expiry, encrypted and authenticated with the server's key. Any change makes the server reject it.",
            LabCookie::Token => "A signed JSON Web Token. Anyone holding it can read its claims; only the server's key can make a valid one.",
            LabCookie::Notice => "A one-time note for the next login page: why your last login ended. The login page shows it and deletes it.",
        }
    }
}

/// The attributes a cookie was set with, for `/api/echo` and the viewer.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CookieAttributes {
    pub http_only: bool,
    pub secure: bool,
    pub same_site: &'static str,
    pub path: &'static str,
    /// `None`: a session cookie, gone when the browser closes.
    pub max_age_seconds: Option<u64>,
    pub persistent: bool,
}

/// The headers a lab's cookie travelled in, HttpOnly values masked (see [`CookieRules::wire`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wire {
    pub set_cookie: String,
    pub cookie_header: String,
    /// `set_cookie` is a header of the response that rendered this page; otherwise it is the
    /// one an earlier response set (the cookie the browser still holds).
    pub this_response: bool,
}

/// A `Set-Cookie` header value, checked against [`MAX_COOKIE_BYTES`] when it was made.
#[derive(Debug, Clone)]
pub struct SetCookie(HeaderValue);

impl SetCookie {
    pub fn as_str(&self) -> &str {
        self.0.to_str().unwrap_or_default()
    }
}

/// Adds `Set-Cookie` headers to a response.
pub fn append(response: &mut Response, cookies: Vec<SetCookie>) {
    for SetCookie(value) in cookies {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// Long enough to follow a redirect; a notice nobody saw is not worth keeping.
const NOTICE_LIFETIME: Duration = Duration::from_secs(60);

/// How cookies are named and marked on this deployment.
#[derive(Clone, Debug)]
pub struct CookieRules {
    /// Served over https: `Secure` and the `__Host-` prefix on the server's own cookies.
    pub secure: bool,
    /// Max-Age of the signed cookie.
    pub signed_lifetime: Duration,
    /// Max-Age of the JWT cookie (the token's own lifetime).
    pub token_lifetime: Duration,
}

impl CookieRules {
    /// The name the browser sees. The plain lab keeps the tutorial's `user` everywhere, so the
    /// viewer and the tutorial's scripts find it.
    pub fn name(&self, cookie: LabCookie) -> &'static str {
        match (cookie, self.secure) {
            (LabCookie::PlainUser, _) => "user",
            (LabCookie::Session, true) => "__Host-sid",
            (LabCookie::SignedUser, true) => "__Host-signed_user",
            (LabCookie::Token, true) => "__Host-token",
            (LabCookie::Notice, true) => "__Host-notice",
            (other, false) => other.base_name(),
        }
    }

    /// Which of our cookies a request cookie name is, if any.
    pub fn identify(&self, name: &str) -> Option<LabCookie> {
        LabCookie::ALL.into_iter().find(|c| self.name(*c) == name)
    }

    fn max_age(&self, cookie: LabCookie) -> Option<Duration> {
        match cookie {
            LabCookie::Session | LabCookie::PlainUser => None,
            LabCookie::SignedUser => Some(self.signed_lifetime),
            LabCookie::Token => Some(self.token_lifetime),
            LabCookie::Notice => Some(NOTICE_LIFETIME),
        }
    }

    pub fn attributes(&self, cookie: LabCookie) -> CookieAttributes {
        let max_age = self.max_age(cookie).map(|d| d.as_secs());
        CookieAttributes {
            http_only: cookie.http_only(),
            secure: self.secure && cookie.http_only(),
            same_site: "Lax",
            path: "/",
            max_age_seconds: max_age,
            persistent: max_age.is_some(),
        }
    }

    fn base(&self, cookie: LabCookie, value: String) -> Cookie<'static> {
        let attributes = self.attributes(cookie);
        Cookie::build((self.name(cookie), value))
            .http_only(attributes.http_only)
            .secure(attributes.secure)
            .same_site(SameSite::Lax)
            .path("/")
            .build()
    }

    /// The cookie with `value` and its attributes; `max_age` overrides the configured lifetime
    /// (a re-issued signed cookie keeps its original expiry). Too big for browsers: an error.
    pub fn set(
        &self,
        cookie: LabCookie,
        value: String,
        max_age: Option<Duration>,
    ) -> Result<SetCookie, AppError> {
        if self.name(cookie).len() + value.len() > MAX_COOKIE_BYTES {
            return Err(AppError::internal(
                "cookie too large",
                format!(
                    "{} would exceed {MAX_COOKIE_BYTES} bytes",
                    self.name(cookie)
                ),
            ));
        }
        let mut built = self.base(cookie, value);
        if let Some(age) = max_age.or(self.max_age(cookie)) {
            built.set_max_age(cookie::time::Duration::seconds(age.as_secs() as i64));
        }
        // The plain cookie holds JSON, whose quotes and commas are not allowed in a cookie
        // value: it is percent-encoded, as `encodeURIComponent` does in the browser.
        let text = if cookie == LabCookie::PlainUser {
            built.encoded().to_string()
        } else {
            built.to_string()
        };
        HeaderValue::from_str(&text)
            .map(SetCookie)
            .map_err(|e| AppError::internal("cookie header", e))
    }

    /// What went over the wire for a lab, for its profile page: the `Set-Cookie` its login
    /// answered with and the `Cookie` header of this request. Every value but the plain lab's
    /// own `user` is masked: printing an HttpOnly value into the page would hand it to page
    /// scripts, and a cookie we do not recognise may be another app's HttpOnly secret on the
    /// same host (the browser does not say which cookies are HttpOnly).
    /// `session_changed`: the session layer sends the `sid` cookie again with this response
    /// (outside `answer`), as it does whenever the session was written.
    pub fn wire(
        &self,
        lab: LabCookie,
        request: &RequestCookies,
        answer: &[SetCookie],
        session_changed: bool,
    ) -> Wire {
        // Only the plain lab's own `user`, sent once, is shown: two `user` cookies may be
        // another app's.
        let mask = |name: &str, value: &str| match self.identify(name) {
            Some(LabCookie::PlainUser) if request.get(name) != Sent::Duplicated => {
                value.to_string()
            }
            Some(_) => format!("<{} bytes, HttpOnly>", value.len()),
            None => format!("<{} bytes, not a Session Lab cookie>", value.len()),
        };
        let name = self.name(lab);
        let prefix = format!("{name}=");
        // The cookie this very response sets (a re-issued count), else the one the browser
        // holds from an earlier answer.
        let (set_cookie, this_response) = match answer
            .iter()
            .find(|header| header.as_str().starts_with(&prefix))
        {
            Some(header) => {
                let text = header.as_str();
                let value_end = text.find(';').unwrap_or(text.len());
                let value = &text[prefix.len()..value_end];
                (
                    format!("{prefix}{}{}", mask(name, value), &text[value_end..]),
                    true,
                )
            }
            None => {
                let sent_value = match request.get(name) {
                    Sent::One(value) => value.to_string(),
                    _ => String::new(),
                };
                const PLACEHOLDER: &str = "VALUE";
                let header = self
                    .set(lab, PLACEHOLDER.into(), None)
                    .map(|header| {
                        header
                            .as_str()
                            .replacen(PLACEHOLDER, &mask(name, &sent_value), 1)
                    })
                    .unwrap_or_default();
                (header, lab == LabCookie::Session && session_changed)
            }
        };
        let pairs: Vec<String> = request
            .iter()
            .map(|(name, value)| format!("{name}={}", mask(name, value)))
            .collect();
        Wire {
            set_cookie: format!("Set-Cookie: {set_cookie}"),
            cookie_header: format!("Cookie: {}", pairs.join("; ")),
            this_response,
        }
    }

    /// Deletes the cookie: the same name, path and flags, an empty value and `Max-Age=0`.
    pub fn remove(&self, cookie: LabCookie) -> SetCookie {
        let mut built = self.base(cookie, String::new());
        built.set_max_age(cookie::time::Duration::ZERO);
        SetCookie(
            HeaderValue::from_str(&built.to_string())
                .expect("cookie names and attributes are header-safe"),
        )
    }
}

/// What the browser sent for one cookie name.
#[derive(Debug, PartialEq, Eq)]
pub enum Sent<'a> {
    Absent,
    One(&'a str),
    /// Sent more than once (say, planted for another path): ambiguous, so never trusted.
    Duplicated,
}

/// The cookies of a request. Malformed pairs and non-UTF-8 header values are skipped rather
/// than failing the request: a bad cookie makes a visitor anonymous, never a `500`.
#[derive(Debug, Default, Clone)]
pub struct RequestCookies {
    pairs: Vec<(String, String)>,
}

impl RequestCookies {
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let pairs = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|line| line.split(';'))
            .filter_map(|pair| {
                let (name, value) = pair.trim().split_once('=')?;
                let name = name.trim();
                (!name.is_empty()).then(|| (name.to_owned(), value.trim().to_owned()))
            })
            .collect();
        Self { pairs }
    }

    pub fn get(&self, name: &str) -> Sent<'_> {
        let mut values = self.pairs.iter().filter(|(n, _)| n == name);
        match (values.next(), values.next()) {
            (None, _) => Sent::Absent,
            (Some((_, value)), None) => Sent::One(value),
            (Some(_), Some(_)) => Sent::Duplicated,
        }
    }

    /// Every `(name, value)` in the order sent.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestCookies {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::from_headers(&parts.headers))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(secure: bool) -> CookieRules {
        CookieRules {
            secure,
            signed_lifetime: Duration::from_secs(3600),
            token_lifetime: Duration::from_secs(900),
        }
    }

    #[test]
    fn duplicates_garbage_and_non_utf8_are_handled() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; junk; =x; b=2; a=3"),
        );
        headers.append(
            header::COOKIE,
            HeaderValue::from_bytes(b"c=\xff\xfe").unwrap(),
        );
        let cookies = RequestCookies::from_headers(&headers);
        assert_eq!(cookies.get("a"), Sent::Duplicated);
        assert_eq!(cookies.get("b"), Sent::One("2"));
        assert_eq!(cookies.get("c"), Sent::Absent);
        assert_eq!(cookies.iter().count(), 3);
    }

    #[test]
    fn attributes_follow_spec_section_7() {
        let text = rules(false)
            .set(LabCookie::Token, "x".into(), None)
            .unwrap()
            .as_str()
            .to_owned();
        assert!(text.starts_with("token=x"), "{text}");
        for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=900"] {
            assert!(text.contains(attribute), "{attribute} missing: {text}");
        }
        assert!(!text.contains("Secure"), "{text}");

        let plain = rules(true)
            .set(LabCookie::PlainUser, r#"{"a":1}"#.into(), None)
            .unwrap();
        let text = plain.as_str();
        assert!(text.starts_with("user=%7B%22a%22"), "{text}");
        assert!(
            !text.contains("HttpOnly") && !text.contains("Max-Age"),
            "{text}"
        );

        let secure = rules(true).remove(LabCookie::SignedUser);
        let text = secure.as_str();
        for attribute in [
            "__Host-signed_user=",
            "HttpOnly",
            "Secure",
            "Path=/",
            "Max-Age=0",
        ] {
            assert!(text.contains(attribute), "{attribute} missing: {text}");
        }
    }

    #[test]
    fn oversized_cookies_are_never_issued() {
        let rules = rules(false);
        assert!(rules.set(LabCookie::Token, "x".repeat(4091), None).is_ok());
        assert!(rules.set(LabCookie::Token, "x".repeat(4092), None).is_err());
    }
}
