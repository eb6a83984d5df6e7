//! The few browser APIs the islands need — the clock, `document.cookie`, same-origin `fetch`,
//! a timer — through web-sys in the wasm build, and harmless stand-ins while the server renders.

#[cfg(feature = "hydrate")]
mod web;
#[cfg(feature = "hydrate")]
pub use web::*;

#[cfg(not(feature = "hydrate"))]
mod on_server;
#[cfg(not(feature = "hydrate"))]
pub use on_server::*;
