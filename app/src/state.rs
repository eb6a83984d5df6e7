//! What the server hands to every handler and server function.

use crate::{
    accounts::service::Accounts, cookies::jar::CookieRules, jwt::service::Tokens,
    sessions::SessionStoreInfo, shop::cart::CartStore,
};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub accounts: Accounts,
    pub carts: Arc<dyn CartStore>,
    /// How the server's cookies are named and marked.
    pub cookies: CookieRules,
    /// Encrypts and authenticates the signed cookie (64 bytes: encryption and signing halves).
    pub cookie_key: cookie::Key,
    pub tokens: Tokens,
    /// Which store keeps the sessions (shown by `/api/echo`).
    pub session_store: SessionStoreInfo,
}
