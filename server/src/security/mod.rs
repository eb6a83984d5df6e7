//! Security layers around every route.

/// A tower layer for synchronous checks around a request, without `from_fn`'s clones.
pub mod guard;
/// Security headers and the Content-Security-Policy with a per-response script nonce.
pub mod headers;
/// Header size limit and per-client limits on password checks and new sessions.
pub mod limits;
/// `Cache-Control: no-store` on everything that may depend on who is logged in.
pub mod no_store;
/// Refuses cross-site state-changing requests (CSRF) by `Origin` and `Sec-Fetch-Site`.
pub mod origin;
/// Puts docs/spec.md §7's attributes on the session cookie, including when it is deleted.
pub mod session_cookie;
