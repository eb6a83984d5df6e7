//! What the server hands to every handler and server function.

use crate::{accounts::service::Accounts, shop::cart::CartStore};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub accounts: Accounts,
    pub carts: Arc<dyn CartStore>,
}
