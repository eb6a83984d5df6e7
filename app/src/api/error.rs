//! One error type for the JSON API: a status, a stable machine-readable code, and a message for
//! people. `401`s for tokens also carry `WWW-Authenticate: Bearer error="invalid_token"`
//! (RFC 6750 section 3).

use crate::error::{AppError, Refusal, RequestPart};
use axum::{
    extract::rejection::BytesRejection,
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;

/// The answer to a request for `path` that failed with `error`: JSON on the API, a page
/// elsewhere ([`Refusal`]); the status (and `Retry-After`) is the error's either way.
pub fn error_response(path: &str, error: AppError) -> Response {
    Refusal::new(path, error).into_response()
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        if self.json {
            ApiError::from(self.error).into_response()
        } else {
            crate::components::static_page::error_page(self.error)
        }
    }
}

/// The body of every API error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A stable code: `invalid_request`, `invalid_credentials`, `invalid_token`, …
    pub error: &'static str,
    /// What went wrong, in a sentence.
    pub message: String,
}

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
    retry_after: Option<u64>,
}

impl ApiError {
    /// What a person reads: the message of the JSON body.
    pub fn message(&self) -> &str {
        &self.body.message
    }

    pub fn new(status: StatusCode, error: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ErrorBody {
                error,
                message: message.into(),
            },
            retry_after: None,
        }
    }

    /// A missing, malformed, expired or revoked bearer token.
    pub fn invalid_token(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_token", message)
    }

    /// A refresh token that cannot be traded (RFC 6749 section 5.2's `invalid_grant`). The
    /// status is `401`, not the RFC's `400`: the client must log in again.
    pub fn invalid_grant(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_grant", message)
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        let status =
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let code = match &error {
            AppError::NotLoggedIn => "not_logged_in",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::TooManyAttempts { .. } => "too_many_attempts",
            AppError::TooManyRequests { .. } => "too_many_requests",
            AppError::Invalid(_) | AppError::Request(_) => "invalid_request",
            AppError::TooLarge {
                part: RequestPart::Headers,
                ..
            } => "headers_too_large",
            AppError::TooLarge {
                part: RequestPart::Body,
                ..
            } => "payload_too_large",
            AppError::UsernameTaken => "username_taken",
            AppError::NotFound => "not_found",
            AppError::CrossSite => "cross_site_request",
            AppError::Internal => "internal",
            AppError::Unavailable => "unavailable",
            AppError::Busy { .. } => "busy",
        };
        let retry_after = error.retry_after_secs();
        Self {
            retry_after,
            ..Self::new(status, code, error.to_string())
        }
    }
}

/// A body that could not be read: too large (`413`) or broken off.
impl From<BytesRejection> for ApiError {
    fn from(rejection: BytesRejection) -> Self {
        let status = rejection.status();
        let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
            "payload_too_large"
        } else {
            "invalid_request"
        };
        Self::new(status, code, rejection.body_text())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(&self.body)).into_response();
        let headers = response.headers_mut();
        if self.status == StatusCode::UNAUTHORIZED && self.body.error == "invalid_token" {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer error=\"invalid_token\""),
            );
        }
        if let Some(secs) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}
