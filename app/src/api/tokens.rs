//! The token API: an authorisation endpoint that trades a password for a short access token
//! and a refresh token, a refresh endpoint that rotates them, a resource that accepts only a
//! valid Bearer token, a logout, and the public keys to check tokens with.
//!
//! ```text
//! curl -s localhost:3000/api/token -H 'content-type: application/json' \
//!      -H 'origin: http://localhost:3000' -d '{"username":"alice","password":"…"}'
//! curl -s localhost:3000/api/me -H "authorization: Bearer $ACCESS_TOKEN"
//! curl -s localhost:3000/api/token/refresh -H 'content-type: application/json' \
//!      -H 'origin: http://localhost:3000' -d '{"refresh_token":"…"}'
//! ```

use crate::jwt::{claims::Claims, refresh::TokenPair};
use crate::{
    api::error::{ApiError, ErrorBody},
    limits::PasswordCheck,
    logins::service::LoginOrigin,
    state::AppState,
};
use axum::{
    body::Bytes,
    extract::{rejection::BytesRejection, State},
    http::{header, HeaderMap, StatusCode},
    routing::{get, post},
    Json, Router,
};
use serde::{de::DeserializeOwned, Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/token", post(token))
        .route("/api/token/refresh", post(refresh))
        .route("/api/logout", post(log_out))
        .route("/api/me", get(me))
        .route("/.well-known/jwks.json", get(jwks))
}

/// A username and password, as JSON or as a form.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TokenRequest {
    pub username: String,
    pub password: String,
}

/// A refresh token to trade for a new pair, as JSON or as a form.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RefreshRequest {
    #[schema(min_length = 1, max_length = 256)]
    pub refresh_token: String,
}

/// An access token and a refresh token (RFC 6749 section 5.1).
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TokenResponse {
    /// A JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Trade it once at `/api/token/refresh` for a new pair; using it twice revokes the login.
    pub refresh_token: String,
}

impl From<TokenPair> for TokenResponse {
    fn from(pair: TokenPair) -> Self {
        let claims = &pair.access.claims;
        Self {
            expires_in: claims.exp.saturating_sub(claims.iat),
            access_token: pair.access.token,
            token_type: "Bearer".into(),
            refresh_token: pair.refresh_token,
        }
    }
}

/// Reads a login body (see [`parse_body`]).
pub fn parse_token_request(headers: &HeaderMap, body: &[u8]) -> Result<TokenRequest, ApiError> {
    parse_body(headers, body)
}

/// Reads the body as JSON or as a form, by its `Content-Type`. Broken syntax is `400`, the
/// wrong fields `422`, another media type `415`: never a `500`.
pub fn parse_body<T: DeserializeOwned>(headers: &HeaderMap, body: &[u8]) -> Result<T, ApiError> {
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if media_type == "application/json" || media_type.ends_with("+json") {
        serde_json::from_slice(body).map_err(|e| {
            use serde_json::error::Category;
            let status = match e.classify() {
                Category::Data => StatusCode::UNPROCESSABLE_ENTITY,
                _ => StatusCode::BAD_REQUEST,
            };
            ApiError::new(status, "invalid_request", format!("invalid JSON body: {e}"))
        })
    } else if media_type == "application/x-www-form-urlencoded" {
        serde_urlencoded::from_bytes(body).map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                format!("invalid form body: {e}"),
            )
        })
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send application/json or application/x-www-form-urlencoded",
        ))
    }
}

/// Trade a username and password for an access token.
#[utoipa::path(
    post,
    path = "/api/token",
    tag = "tokens",
    request_body(
        description = "The account's username and password",
        content(
            (TokenRequest = "application/json"),
            (TokenRequest = "application/x-www-form-urlencoded")
        )
    ),
    responses(
        (status = 200, description = "A signed token", body = TokenResponse),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "Invalid username or password", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Neither JSON nor a form", body = ErrorBody),
        (status = 422, description = "Missing or mistyped fields", body = ErrorBody),
        (status = 429, description = "Too many failed logins for this account from this client, or too many password checks from this client", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "The server is busy hashing passwords; try again", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn token(
    State(state): State<AppState>,
    check: PasswordCheck,
    origin: LoginOrigin,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<TokenResponse>, ApiError> {
    let request = parse_token_request(&headers, &body?)?;
    let user = state
        .accounts
        .authenticate(
            crate::accounts::service::Credentials {
                username: request.username,
                password: request.password,
            },
            check,
        )
        .await?;
    let pair = state.api_tokens.log_in(&user, &origin).await?;
    Ok(Json(pair.into()))
}

/// The longest refresh token read; ours are 43 characters.
const MAX_REFRESH_TOKEN_CHARS: usize = 256;

/// Trade a refresh token for a new pair. The presented token is retired; presenting it again
/// revokes every token of its login.
#[utoipa::path(
    post,
    path = "/api/token/refresh",
    tag = "tokens",
    request_body(
        description = "The refresh token from the last `/api/token` or `/api/token/refresh` answer",
        content(
            (RefreshRequest = "application/json"),
            (RefreshRequest = "application/x-www-form-urlencoded")
        )
    ),
    responses(
        (status = 200, description = "A new access token and refresh token; the presented refresh token is retired", body = TokenResponse),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "`invalid_grant`: an unknown or reused refresh token (a reuse revokes the whole login), or its login ended, expired or predates a password change", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Neither JSON nor a form", body = ErrorBody),
        (status = 422, description = "Missing or mistyped fields", body = ErrorBody),
        (status = 503, description = "The store is unavailable; nothing was changed", body = ErrorBody),
    )
)]
pub async fn refresh(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<TokenResponse>, ApiError> {
    let request: RefreshRequest = parse_body(&headers, &body?)?;
    if request.refresh_token.is_empty()
        || request.refresh_token.chars().count() > MAX_REFRESH_TOKEN_CHARS
    {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            format!("refresh_token must be 1 to {MAX_REFRESH_TOKEN_CHARS} characters"),
        ));
    }
    match state.api_tokens.refresh(&request.refresh_token).await? {
        Ok(pair) => Ok(Json(pair.into())),
        Err(reason) => Err(ApiError::invalid_grant(reason.to_string())),
    }
}

/// Log out of the API: the Bearer token's login (its `sid`, every access and refresh token
/// of it) is revoked.
#[utoipa::path(
    post,
    path = "/api/logout",
    tag = "tokens",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The login is revoked: its access and refresh tokens are refused from now on"),
        (status = 400, description = "More than one Authorization header", body = ErrorBody),
        (status = 401, description = "Missing, invalid, expired or revoked token", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "Bearer error=\"invalid_token\""))),
        (status = 503, description = "The store is unavailable; nothing was changed", body = ErrorBody),
    )
)]
pub async fn log_out(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let claims = verified_bearer(&state, &headers).await?;
    state.tokens.revoke(&claims).await?;
    if let Some(user) = claims.account() {
        state.logins.forget(user.id, &claims.sid).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The verified claims of the request's Bearer token, or `401`.
async fn verified_bearer(state: &AppState, headers: &HeaderMap) -> Result<Claims, ApiError> {
    let token = bearer_token(headers)?.ok_or_else(|| {
        ApiError::invalid_token("send the token as Authorization: Bearer <token>")
    })?;
    state
        .tokens
        .verify(token)
        .await?
        .map_err(|reason| ApiError::invalid_token(reason.to_string()))
}

/// The token of an `Authorization: Bearer …` header, if the request has one. Several
/// `Authorization` headers are refused (`400`) rather than one picked: which one a proxy or
/// another library would read is anyone's guess, and that gap is where smuggling lives.
pub fn bearer_token(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "send one Authorization header, not several",
        ));
    }
    let token = value.to_str().ok().and_then(|value| {
        let (scheme, token) = value.trim().split_once(' ')?;
        let token = token.trim();
        (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
    });
    Ok(token)
}

/// The verified claims of the Bearer token.
#[utoipa::path(
    get,
    path = "/api/me",
    tag = "tokens",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The token's verified claims", body = Claims),
        (status = 400, description = "More than one Authorization header", body = ErrorBody),
        (status = 401, description = "Missing, invalid, expired or revoked token", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "Bearer error=\"invalid_token\""))),
    )
)]
pub async fn me(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Claims>, ApiError> {
    verified_bearer(&state, &headers).await.map(Json)
}

/// The public keys that verify our tokens (empty for HS256: its secret is not public).
#[utoipa::path(
    get,
    path = "/.well-known/jwks.json",
    tag = "tokens",
    responses((status = 200, description = "A JSON Web Key Set (RFC 7517)", body = Object))
)]
pub async fn jwks(State(state): State<AppState>) -> Json<jsonwebtoken::jwk::JwkSet> {
    Json(state.tokens.keys().jwks().clone())
}
