//! Accounts: one account works in every lab. Registration validates the username and password
//! rules, stores only an argon2id hash, and never logs anybody in.

/// The login, registration and password-change forms: plain HTML forms that work with
/// JavaScript off, with the username and password rules as hints.
pub mod forms;
/// The registration page.
pub mod pages;
/// Username and password rules, shared by the browser (hints) and the server (enforcement).
pub mod validation;

/// `POST /register`.
#[cfg(feature = "ssr")]
pub mod handlers;
/// argon2id hashing and verification, off the async runtime.
#[cfg(feature = "ssr")]
pub mod password;
/// Register and authenticate: the rules above, applied in order.
#[cfg(feature = "ssr")]
pub mod service;
/// Where accounts live (the adapter is in the server).
#[cfg(feature = "ssr")]
pub mod store;
/// Slows down repeated failed logins on one account.
#[cfg(feature = "ssr")]
pub mod throttle;
/// Credentials versions remembered for a moment, so a page view needs no account query.
#[cfg(feature = "ssr")]
pub mod versions;
