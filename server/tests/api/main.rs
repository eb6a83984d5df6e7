//! Integration tests: each starts the real app on a random port with a fresh data directory.

mod accounts;
mod api;
mod cookies;
mod helpers;
mod jwt;
mod lifecycle;
mod modes;
mod security;
mod shop;
