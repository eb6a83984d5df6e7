//! The attack lab at `/attacks`: twelve classic session, cookie and JWT attacks, crafted
//! against this server, with the answer it gives and the check that gives it.
//!
//! Each [`catalogue::Attack`] is a card: what the attacker wants, the exact request (tokens
//! forged here, at render, from public information only: the issuer, the audience and the
//! published keys), what this server answers and why (the reason in its own words, which the
//! test suite checks by sending every request), the defence with its RFC 8725 or OWASP
//! section, and what a naive server would have done. Nothing on the server is vulnerable for
//! this lab's sake: the one attack that works, editing the plain cookie lab's cookie, is that
//! lab's lesson, and the "naive server" answer is computed in the page, never by an endpoint.
//!
//! Every request is shown as a `curl` command too, so the page works without JavaScript; with
//! it, "Run it" ([`runner`]) sends the request from the browser.

/// The attacks, in the order the page lists them.
#[cfg(feature = "ssr")]
pub mod catalogue;
/// Forging tokens the way an attacker would: by hand, with keys the attacker has.
#[cfg(feature = "ssr")]
pub mod forge;
/// `GET /attacks`.
#[cfg(feature = "ssr")]
pub mod handlers;
/// What a naive server would answer, computed from the request.
pub mod naive;
/// The page.
#[cfg(feature = "ssr")]
pub mod page;
/// The "Run it" island.
pub mod runner;
