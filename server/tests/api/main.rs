//! Integration tests: each starts the real app on a random port with a fresh data directory,
//! on a multi-threaded runtime like the binary's (on a single-threaded test runtime, a page
//! request twice hung a loaded CI run; the server never runs that way in production).

mod abuse;
mod accounts;
mod api;
mod assets;
mod cookies;
mod hardening;
mod helpers;
mod inspector;
mod jwt;
mod lifecycle;
mod modes;
mod security;
mod shop;
