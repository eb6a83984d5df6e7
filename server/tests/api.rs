//! Integration tests of the routes: each starts the real app on a random port with a fresh
//! data directory (`common::spawn_app`) and talks to it over HTTP like a browser or a script.
//! The groups follow `docs/spec.md`.

mod common;

mod api {
    mod abuse;
    mod accounts;
    mod api;
    mod assets;
    mod cookies;
    mod hardening;
    mod inspector;
    mod jwt;
    mod lifecycle;
    mod modes;
    mod security;
    mod shop;
}
