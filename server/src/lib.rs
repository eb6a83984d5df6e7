//! Session Lab's server: configuration, stores, the session layer, security middleware and
//! start-up. `main.rs` only wires these together; tests build the same [`startup::Application`].

/// `/pkg/`: the wasm, JS and CSS, compressed and revalidated.
pub mod assets;
/// `Leptos.toml`, then environment, then flags.
pub mod config;
/// `/healthz` and `/readyz`.
pub mod health;
/// The attack lab's second origin: an attacker's page on another loopback port.
pub mod second_origin;
/// The cookie key and JWT secret, generated once in development, required in production.
pub mod secrets;
/// Cross-site refusal, session cookie attributes, cache control.
pub mod security;
/// Builds the router and serves it.
pub mod startup;
/// The session layer's bare `500` on a failed save becomes the app's `503`.
pub mod store_failures;
/// Opens the account database, the session store and the carts.
pub mod stores;
/// Logging set-up.
pub mod telemetry;
