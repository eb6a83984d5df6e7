//! Where you're signed in: an index of every login of an account, so that a person can see
//! each place their account is signed in and end any of them.
//!
//! Every lab that the server *can* end records its logins here when they start:
//!
//! | lab | the login id lives in | ending it |
//! |---|---|---|
//! | `session`, the shop | the session record, beside the lab's entry | the id is denied; the record's entry is deleted at its next request |
//! | `signed-cookie` | the sealed cookie (`lid`) | the id is denied: the sealed cookie stays valid, the id inside it does not |
//! | `jwt`, the API | the token's `sid` claim (the API's refresh-token family too) | `sid` is denied, as a logout does |
//!
//! The plain `user` cookie has no entry: the server never knew about it, so it cannot end it.
//!
//! "Denied" is the [`revocation`] list every lab already checks for logged-out tokens: one
//! lookup answers "was this login ended?" on every instance sharing the store. The index
//! ([`store::LoginStore`]) lives beside the sessions too, and forgets a login when it would
//! have expired anyway.

/// Turning a `User-Agent` header into "Firefox 128 on Linux".
#[cfg(feature = "ssr")]
pub mod device;
/// Ids of tokens and logins refused before they expire.
#[cfg(feature = "ssr")]
pub mod revocation;
/// Record, list, touch and end logins.
#[cfg(feature = "ssr")]
pub mod service;
/// Where the index lives (the adapters are in the server).
#[cfg(feature = "ssr")]
pub mod store;

use serde::{Deserialize, Serialize};

/// Which lab (or the API) a login belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LoginKind {
    Session,
    Shop,
    SignedCookie,
    Jwt,
    Api,
}

impl LoginKind {
    pub const ALL: [LoginKind; 5] = [
        LoginKind::Session,
        LoginKind::Shop,
        LoginKind::SignedCookie,
        LoginKind::Jwt,
        LoginKind::Api,
    ];

    /// How it is stored.
    pub fn code(self) -> &'static str {
        match self {
            LoginKind::Session => "session",
            LoginKind::Shop => "shop",
            LoginKind::SignedCookie => "signed-cookie",
            LoginKind::Jwt => "jwt",
            LoginKind::Api => "api",
        }
    }

    pub fn from_code(code: &str) -> Option<LoginKind> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// How the sessions page names it.
    pub fn label(self) -> &'static str {
        match self {
            LoginKind::Session => "Server-side session lab",
            LoginKind::Shop => "Apple shop",
            LoginKind::SignedCookie => "Signed-cookie lab",
            LoginKind::Jwt => "JSON Web Token lab",
            LoginKind::Api => "API (refresh token)",
        }
    }

    /// What ending it does, in one sentence.
    pub fn ending(self) -> &'static str {
        match self {
            LoginKind::Session | LoginKind::Shop => {
                "Ending it deletes the login from the session record: the cookie's id then points at nothing."
            }
            LoginKind::SignedCookie => {
                "The cookie's seal stays valid, but the login id sealed inside it is denied from now on."
            }
            LoginKind::Jwt => {
                "The token's signature stays valid until it expires, so its login id (sid) goes on the denylist."
            }
            LoginKind::Api => {
                "Its access tokens' sid goes on the denylist and its refresh token stops working."
            }
        }
    }
}

/// One login, as the index keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRecord {
    /// Random, unique; the `sid` of a JWT or API login.
    pub id: String,
    pub account_id: i64,
    /// The account's credentials version at login: a password change ends every earlier login.
    pub version: i64,
    pub kind: LoginKind,
    /// "Firefox 128 on Linux", from the `User-Agent` at login.
    pub device: String,
    /// The client address at login.
    pub address: String,
    /// Unix seconds.
    pub started_at: u64,
    /// Unix seconds of the last request that used it (updated at most once a minute).
    pub last_seen: u64,
    /// Unix seconds at which the login ends whatever happens (its absolute lifetime).
    pub ends_at: u64,
}
