//! The cookie and token viewer at `/inspector`: what the tutorials describe, shown live.
//!
//! The page itself is server-rendered text (the lessons); two islands run in the browser as
//! wasm: [`jar_view::CookieJar`] (cookies, the session record, what the server makes of each)
//! and [`token_lab::TokenLab`] (decode, check and forge JWTs). The decoding and explaining is
//! plain Rust ([`token`], [`claim_notes`], [`check_keys`], [`jar_model`]), tested natively; only [`crate::browser`]
//! and [`crypto`] touch browser APIs.

/// Base64 and base64url, small enough for the wasm bundle.
pub mod base64;
/// JWT `alg` to WebCrypto algorithm; secrets, PEM and JWK keys.
pub mod check_keys;
/// What each claim means, and the warnings a token deserves.
pub mod claim_notes;
/// `GET /inspector`, rendered by a handler from the request.
#[cfg(feature = "ssr")]
pub mod handlers;
/// The jar model: `document.cookie` merged with what the server received.
pub mod jar_model;
/// The cookie jar, session view and lab verdicts island.
pub mod jar_view;
/// JSON kept as text, in the token's own key order.
pub mod json_text;
/// The page and its lessons.
#[cfg(feature = "ssr")]
pub mod page;
/// Decoding a JWT part by part, with errors that name the broken part.
pub mod token;
/// The decoder, signature check and encoder island.
pub mod token_lab;

/// Signatures with WebCrypto through web-sys.
#[cfg(feature = "hydrate")]
pub mod crypto;
#[cfg(not(feature = "hydrate"))]
#[path = "crypto_on_server.rs"]
pub mod crypto;
