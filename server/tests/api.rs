//! Integration tests of the routes: each starts the real app on a random port with a fresh
//! data directory (`common::spawn_app`) and talks to it over HTTP like a browser or a script.
//! The groups follow `docs/spec.md`.

mod common;

mod api {
    mod abuse;
    mod accounts;
    mod assets;
    mod attacks;
    mod cookies;
    mod hardening;
    mod inspector;
    mod json_api;
    mod jwt;
    mod labs;
    mod lifecycle;
    mod notices;
    mod security;
    mod shop;
    mod signed_in;
}
