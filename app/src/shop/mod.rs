//! The apple shop of the express-session tutorial, done so it holds under load: log in, add
//! apples, check out, log out.
//!
//! Who is logged in lives in the server-side session ([`crate::sessions`]). The cart does not:
//! a session is read at the start of a request and written back at the end, so two requests
//! at once would each add one apple to the same old count and one apple would be lost. The cart
//! lives in a [`cart::CartStore`] that adds in one atomic step, keyed by a cart id kept in the
//! session. Tabs of one browser share the session, so they share the cart.

/// The "Add an apple" island: the only part of the shop in the wasm.
pub mod island;
/// The server function the apple island calls.
pub mod server_fns;

/// The shop's pages.
#[cfg(feature = "ssr")]
pub mod pages;

/// Cart stores: in memory, or in SQLite next to the sessions.
#[cfg(feature = "ssr")]
pub mod cart;
/// The shop's routes: its pages, and the forms that work with JavaScript off.
#[cfg(feature = "ssr")]
pub mod handlers;
/// Log in, add, pay, log out: the shop's rules, shared by handlers and server functions.
#[cfg(feature = "ssr")]
pub mod service;
