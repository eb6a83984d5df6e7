//! One error type for the app layer: what went wrong, the HTTP status it maps to, and the
//! sentence a user sees. Server functions carry it to the browser; form handlers render it.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

/// Everything a request can fail with, as the user should hear it. Internal details are logged
/// where they happen and never reach this type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("You are not logged in")]
    NotLoggedIn,
    /// Unknown user and wrong password are deliberately the same error.
    #[error("Invalid username or password")]
    InvalidCredentials,
    #[error("Too many failed logins for this account from your address. Try again in {retry_after_secs} seconds.")]
    TooManyAttempts { retry_after_secs: u64 },
    /// One client address used up its allowance (password checks, new sessions).
    #[error("Too many attempts from your address. Try again in {retry_after_secs} seconds.")]
    TooManyRequests { retry_after_secs: u64 },
    /// A form field broke a rule; the text says which rule.
    #[error("{0}")]
    Invalid(String),
    #[error("That username is already taken")]
    UsernameTaken,
    #[error("Page not found")]
    NotFound,
    /// A state-changing request that says it comes from another site (`403`).
    #[error("This request came from another site and was refused.")]
    CrossSite,
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// Too much work is already queued (password hashing): try again shortly (`503`).
    #[error(
        "The server is busy. Nothing was changed; please try again in {retry_after_secs} seconds."
    )]
    Busy { retry_after_secs: u64 },
    /// A store (database, Redis) cannot be reached; nothing was changed.
    #[error("The service is temporarily unavailable. Nothing was changed; please try again in a moment.")]
    Unavailable,
    /// The request to a server function itself failed (network, encoding).
    #[error("The request failed: {0}")]
    Request(String),
    /// The request is larger than the server reads: its headers (`431`) or its body (`413`).
    #[error("{part} larger than this server accepts ({limit_bytes} bytes).")]
    TooLarge { part: RequestPart, limit_bytes: u64 },
}

/// Requests under this prefix are the JSON API: their errors are JSON, every other path's are
/// a page.
#[cfg(feature = "ssr")]
pub const API_PREFIX: &str = "/api/";

/// An error answered as its request's path is answered: JSON on the API, an HTML page
/// elsewhere. The one place that decides which; the response itself is built in
/// `api::error`. Layers that refuse a request before routing (limits, cross-site refusal,
/// store failures) and extractors' rejections all answer through it.
#[cfg(feature = "ssr")]
#[derive(Debug)]
pub struct Refusal {
    pub json: bool,
    pub error: AppError,
}

#[cfg(feature = "ssr")]
impl Refusal {
    pub fn new(path: &str, error: AppError) -> Self {
        Self {
            json: path.starts_with(API_PREFIX),
            error,
        }
    }
}

/// The part of a request that can be too large; shown as the start of the sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RequestPart {
    Headers,
    Body,
}

impl std::fmt::Display for RequestPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RequestPart::Headers => "The request headers are",
            RequestPart::Body => "The request body is",
        })
    }
}

impl AppError {
    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::NotLoggedIn | AppError::InvalidCredentials => 401,
            AppError::TooManyAttempts { .. } | AppError::TooManyRequests { .. } => 429,
            AppError::Invalid(_) => 422,
            AppError::UsernameTaken => 409,
            AppError::NotFound => 404,
            AppError::CrossSite => 403,
            AppError::Request(_) => 400,
            AppError::TooLarge {
                part: RequestPart::Headers,
                ..
            } => 431,
            AppError::TooLarge {
                part: RequestPart::Body,
                ..
            } => 413,
            AppError::Internal => 500,
            AppError::Unavailable | AppError::Busy { .. } => 503,
        }
    }

    /// The heading of an error page. "Error!" is the tutorial's wording for "not logged in".
    pub fn heading(&self) -> &'static str {
        match self {
            AppError::NotLoggedIn => "Error!",
            AppError::NotFound => "Not found",
            AppError::CrossSite => "Refused",
            AppError::TooManyAttempts { .. } | AppError::TooManyRequests { .. } => "Slow down",
            AppError::Unavailable | AppError::Busy { .. } => "Temporarily unavailable",
            AppError::TooLarge { .. } => "Too large",
            _ => "Something is not right",
        }
    }

    /// For `429`s and a busy `503`: the seconds to send in `Retry-After`.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            AppError::TooManyAttempts { retry_after_secs }
            | AppError::TooManyRequests { retry_after_secs }
            | AppError::Busy { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }

    /// Logs an unexpected failure in full and returns the generic error the user sees.
    #[cfg(feature = "ssr")]
    pub fn internal(context: &str, err: impl std::fmt::Display) -> Self {
        tracing::error!(error = %err, "{context}");
        AppError::Internal
    }

    /// Logs a store that cannot be reached and returns the `503` the user sees.
    #[cfg(feature = "ssr")]
    pub fn unavailable(store: &str, err: impl std::fmt::Display) -> Self {
        tracing::error!(error = %err, "{store} unavailable");
        AppError::Unavailable
    }
}

impl AppError {
    /// Reads the error a server function answers with (`"NotLoggedIn"`, `{"Invalid": "…"}`,
    /// serde's external tagging) from parsed JSON. Written out rather than derived: serde's
    /// deserializer would bring its error formatting into the wasm bundle (about 20 KB) for
    /// the one call the apple island makes. A test holds it to the derived serializer.
    pub fn from_json(json: &serde_json::Value) -> Option<AppError> {
        use serde_json::Value;
        let (tag, inner) = match json {
            Value::String(tag) => (tag.as_str(), &Value::Null),
            Value::Object(map) if map.len() == 1 => {
                map.iter().next().map(|(k, v)| (k.as_str(), v))?
            }
            _ => return None,
        };
        let text = || inner.as_str().map(str::to_string);
        Some(match tag {
            "NotLoggedIn" => AppError::NotLoggedIn,
            "InvalidCredentials" => AppError::InvalidCredentials,
            "TooManyAttempts" => AppError::TooManyAttempts {
                retry_after_secs: inner.get("retry_after_secs")?.as_u64()?,
            },
            "TooManyRequests" => AppError::TooManyRequests {
                retry_after_secs: inner.get("retry_after_secs")?.as_u64()?,
            },
            "Busy" => AppError::Busy {
                retry_after_secs: inner.get("retry_after_secs")?.as_u64()?,
            },
            "Invalid" => AppError::Invalid(text()?),
            "UsernameTaken" => AppError::UsernameTaken,
            "NotFound" => AppError::NotFound,
            "CrossSite" => AppError::CrossSite,
            "Internal" => AppError::Internal,
            "Unavailable" => AppError::Unavailable,
            "Request" => AppError::Request(text()?),
            "TooLarge" => AppError::TooLarge {
                part: match inner.get("part")?.as_str()? {
                    "Headers" => RequestPart::Headers,
                    "Body" => RequestPart::Body,
                    _ => return None,
                },
                limit_bytes: inner.get("limit_bytes")?.as_u64()?,
            },
            _ => return None,
        })
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Request(value.to_string())
    }
}

/// The session store failing is the store being unavailable: the record is untouched.
#[cfg(feature = "ssr")]
impl From<tower_sessions::session::Error> for AppError {
    fn from(err: tower_sessions::session::Error) -> Self {
        AppError::unavailable("session store", err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_user_and_wrong_password_share_one_message_and_status() {
        assert_eq!(
            AppError::InvalidCredentials.to_string(),
            "Invalid username or password"
        );
        assert_eq!(AppError::InvalidCredentials.status(), 401);
    }

    #[test]
    fn from_json_reads_every_error_as_serde_writes_it() {
        let every = [
            AppError::NotLoggedIn,
            AppError::InvalidCredentials,
            AppError::TooManyAttempts {
                retry_after_secs: 7,
            },
            AppError::TooManyRequests {
                retry_after_secs: 9,
            },
            AppError::Busy {
                retry_after_secs: 1,
            },
            AppError::Invalid("a rule".into()),
            AppError::UsernameTaken,
            AppError::NotFound,
            AppError::CrossSite,
            AppError::Internal,
            AppError::Unavailable,
            AppError::Request("offline".into()),
            AppError::TooLarge {
                part: RequestPart::Headers,
                limit_bytes: 5,
            },
            AppError::TooLarge {
                part: RequestPart::Body,
                limit_bytes: 6,
            },
        ];
        for error in every {
            let json = serde_json::to_value(&error).unwrap();
            assert_eq!(AppError::from_json(&json), Some(error), "{json}");
        }
        for junk in [
            r#""Teapot""#,
            "{}",
            r#"{"Invalid":1}"#,
            r#"{"a":1,"b":2}"#,
            "3",
        ] {
            assert_eq!(
                AppError::from_json(&serde_json::from_str(junk).unwrap()),
                None
            );
        }
    }

    #[test]
    fn not_logged_in_uses_the_tutorial_wording() {
        assert_eq!(AppError::NotLoggedIn.heading(), "Error!");
        assert_eq!(AppError::NotLoggedIn.to_string(), "You are not logged in");
        assert_eq!(AppError::NotLoggedIn.status(), 401);
    }
}
