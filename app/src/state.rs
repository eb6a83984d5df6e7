//! What the server hands to every handler and server function.

use crate::{
    accounts::service::Accounts,
    cookies::jar::CookieRules,
    jwt::{refresh::ApiTokens, service::Tokens},
    logins::service::Logins,
    sessions::SessionStoreInfo,
    shop::{cart::CartStore, service::Shop},
};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::{ops::Deref, sync::Arc};

/// Every request clones the state (extractors, the Leptos context), so it is one `Arc`: a
/// clone is a counter increment, not a copy of the options and of every service handle.
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl AppState {
    pub fn new(services: Services) -> Self {
        AppState(Arc::new(services))
    }
}

impl Deref for AppState {
    type Target = Services;
    fn deref(&self) -> &Services {
        &self.0
    }
}

/// leptos_axum's handlers take the options from the state.
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// Handlers that need only the accounts take `State<Accounts>`.
impl FromRef<AppState> for Accounts {
    fn from_ref(state: &AppState) -> Self {
        state.accounts.clone()
    }
}

/// The shop's handlers and server functions take `State<Shop>`.
impl FromRef<AppState> for Shop {
    fn from_ref(state: &AppState) -> Self {
        Shop::new(state.accounts.clone(), state.carts.clone())
    }
}

/// The sessions page and the labs record and end logins through `State<Logins>`.
impl FromRef<AppState> for Logins {
    fn from_ref(state: &AppState) -> Self {
        state.logins.clone()
    }
}

/// The services behind [`AppState`].
pub struct Services {
    pub leptos_options: LeptosOptions,
    pub accounts: Accounts,
    pub carts: Arc<dyn CartStore>,
    /// How the server's cookies are named and marked.
    pub cookies: CookieRules,
    /// Encrypts and authenticates the signed cookie (64 bytes: encryption and signing halves).
    pub cookie_key: cookie::Key,
    pub tokens: Tokens,
    /// The API's token pairs: access tokens and rotating refresh tokens.
    pub api_tokens: ApiTokens,
    /// The index of every login of every account, and ending them.
    pub logins: Logins,
    /// Which store keeps the sessions (shown by `/api/echo`).
    pub session_store: SessionStoreInfo,
    /// The port of the attack lab's second origin, which serves a cross-site form on
    /// loopback; `None` off loopback (`server/src/second_origin.rs`).
    pub second_origin: Option<u16>,
}
