//! The few browser APIs the islands need — the clock, `document.cookie`, same-origin `fetch`,
//! a timer, `JSON.parse` — through web-sys in the wasm build, and stand-ins while the server
//! renders (`parse_json` is serde_json there, so the plain-Rust logic is tested natively).

#[cfg(feature = "hydrate")]
mod web;
#[cfg(feature = "hydrate")]
pub use web::*;

#[cfg(not(feature = "hydrate"))]
mod on_server;
#[cfg(not(feature = "hydrate"))]
pub use on_server::*;

/// Browsers must accept name plus value up to this size (RFC 6265 section 6.1); bigger cookies
/// are silently dropped by some of them.
pub const MAX_COOKIE_BYTES: usize = 4096;
