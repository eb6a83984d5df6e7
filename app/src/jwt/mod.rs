//! JSON Web Tokens: how the `jwt` lab and the JSON API log you in without server-side sessions.
//!
//! 1. **Login.** You prove your password once; the server signs a token
//!    ([`claims::Claims`]): who you are (`sub`, `name`), who made it and for whom (`iss`,
//!    `aud`), when it was made and when it ends (`iat`, `exp`), and a unique id (`jti`).
//!    `header.payload.signature`, each part base64url: anyone can *read* it; only the holder
//!    of the key can *make* one ([`keys`]: an HS256 secret, or an EdDSA/RS256 private key whose
//!    public half is published at `/.well-known/jwks.json`).
//! 2. **Each request.** The browser sends the token back (an HttpOnly cookie in the lab, an
//!    `Authorization: Bearer` header for the API). [`service::Tokens::verify`] checks it
//!    completely: the one configured algorithm (never `none`, never the token's choice), the
//!    signature, `typ`, `iss`, `aud`, `exp`, `nbf`, and it never lets a header (`kid`, `jku`,
//!    `x5u`, `jwk`) pick or fetch the key.
//! 3. **State rides in the token.** The lab's visit counter is a claim; every profile visit
//!    re-issues the token with `count + 1`. The server remembers nothing…
//! 4. **…except revocations.** A valid signature stays valid until `exp`, so logout puts the
//!    token's `jti` (and its login, `sid`) on a denylist ([`crate::logins::revocation`]) in
//!    the same store as the sessions, until the token would have expired anyway. A password
//!    change revokes every earlier token through the credentials version claim (`ver`).
//! 5. **The API pairs a short access token with a refresh token** ([`refresh`]) that rotates
//!    at every use; presenting a used one again revokes the whole login.

/// The claims of our tokens: registered (`iss`, `sub`, …) and private (`name`, `count`, …).
pub mod claims;

/// Signing and verifying keys and the validation rules, built once at start.
#[cfg(feature = "ssr")]
pub mod keys;
/// Refresh tokens that rotate at every use and revoke their family when replayed.
#[cfg(feature = "ssr")]
pub mod refresh;
/// Issue, verify, re-issue, revoke.
#[cfg(feature = "ssr")]
pub mod service;
