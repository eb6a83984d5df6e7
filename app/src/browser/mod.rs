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
