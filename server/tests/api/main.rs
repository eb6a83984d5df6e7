//! Integration tests: each starts the real app on a random port with a fresh data directory.

mod accounts;
mod cookies;
mod helpers;
mod lifecycle;
mod security;
mod shop;
