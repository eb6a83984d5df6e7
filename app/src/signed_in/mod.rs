//! `/account/sessions` — where you're signed in. Every login of your account, in every lab,
//! the shop and the API, on every instance: where, from which device and address, since when,
//! last used when, and which one is this browser; "End" on each, and "Sign out everywhere
//! else".
//!
//! The page reads this browser's logins the way each lab checks a visit ([`crate::labs::Lab::login`]),
//! takes the account from them, and lists the account's logins from the index
//! ([`crate::logins`]). It never shows or ends another account's logins: every lookup is by
//! this account's id, so a guessed row id of someone else is simply "not one of yours".

/// `GET /account/sessions`, `POST /account/sessions/end`, `POST /account/sessions/end-others`.
#[cfg(feature = "ssr")]
pub mod handlers;
/// The island that keeps the list current without a reload.
pub mod live;
/// The page.
#[cfg(feature = "ssr")]
pub mod page;
