//! Cookies: reading the `Cookie` header defensively (duplicates, garbage, non-UTF-8) and
//! writing `Set-Cookie` with every attribute of `docs/spec.md` §7 spelled out. The two labs
//! that keep a login in a cookie are [`crate::labs::plain_cookie`] and
//! [`crate::labs::signed_cookie`].

/// Reading cookies from requests, writing them to responses.
pub mod jar;
