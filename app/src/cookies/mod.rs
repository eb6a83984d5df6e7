//! Cookies, and the two labs that keep the login in a cookie.
//!
//! - [`jar`]: reading the `Cookie` header defensively (duplicates, garbage, non-UTF-8) and
//!   writing `Set-Cookie` with every attribute of SPEC section 7 spelled out.
//! - [`plain`]: the tutorial's `user` cookie — plain JSON the browser can edit. It shows why
//!   a server must never trust what a client can change.
//! - [`signed`]: the same data encrypted and authenticated by the server, so any change is
//!   detected. No server state, but no way to revoke one cookie either.

/// Reading cookies from requests, writing them to responses.
pub mod jar;
/// The `cookie` lab: unprotected, on purpose.
pub mod plain;
/// The `signed-cookie` lab: authenticated encryption with the server's key.
pub mod signed;
