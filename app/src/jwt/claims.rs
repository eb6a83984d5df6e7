//! What our tokens say. Registered claims (RFC 7519 section 4.1) have fixed meanings every JWT
//! library checks; `sid` is registered too (OpenID Connect); the rest are private claims that
//! only this app understands.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Claims {
    /// Issuer: who made the token (this server's configured issuer).
    pub iss: String,
    /// Audience: who the token is for; a token made for another service is refused.
    pub aud: String,
    /// Subject: the account id.
    pub sub: String,
    /// Private: the username, for greeting.
    pub name: String,
    /// Private: profile visits since login (the lab's counter, riding in the token).
    pub count: u64,
    /// Issued at (Unix seconds).
    pub iat: u64,
    /// Expires at (Unix seconds).
    pub exp: u64,
    /// When the login this token descends from proved its password (Unix seconds; RFC 9068
    /// and OpenID Connect). Copied unchanged into every re-issue, so a login has an absolute
    /// lifetime: re-issuing cannot keep a stolen token alive for ever. Required; `Option`
    /// only so that a token without it is refused by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<u64>,
    /// Not before (Unix seconds). Our tokens do not set it; it is checked when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    /// JWT id: unique per token, the key of the logout denylist.
    pub jti: String,
    /// Session id of the login this token descends from (all its re-issues share it), so
    /// logout revokes the earlier tokens of the same login too.
    pub sid: String,
    /// Private: the account's credentials version; a password change makes it stale.
    pub ver: i64,
    /// `api` on the API's access tokens (RFC 8693's `scope` claim): the JWT lab refuses them,
    /// so a 5-minute access token cannot be re-issued into a 30-minute lab token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}
