//! The shop's rules, shared by the form handlers and the server functions.

use crate::{
    accounts::service::{AuthenticatedUser, Credentials},
    error::AppError,
    limits::PasswordCheck,
    sessions::{LabSession, SessionEntry},
    state::AppState,
};
use rand::RngCore;
use serde::{Deserialize, Serialize};

/// What the shop keeps in the session: who logged in, and which cart is theirs.
#[derive(Serialize, Deserialize)]
pub struct ShopLogin {
    pub user: AuthenticatedUser,
    pub cart_id: String,
}

impl SessionEntry for ShopLogin {
    const KEY: &'static str = "shop";
    fn account(&self) -> &AuthenticatedUser {
        &self.user
    }
}

/// The logged-in shopper, or `NotLoggedIn`.
pub async fn shopper(state: &AppState, session: &LabSession) -> Result<ShopLogin, AppError> {
    session
        .get::<ShopLogin>(&state.accounts)
        .await?
        .ok_or(AppError::NotLoggedIn)
}

/// Checks the password, then logs in under a new session id with a fresh, empty cart.
pub async fn log_in(
    state: &AppState,
    session: &LabSession,
    credentials: Credentials,
    check: PasswordCheck,
) -> Result<(), AppError> {
    let user = state.accounts.authenticate(credentials, check).await?;
    let mut id = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut id);
    let cart_id = id.iter().map(|b| format!("{b:02x}")).collect();
    let username = user.username.clone();
    session.log_in(ShopLogin { user, cart_id }).await?;
    tracing::info!(%username, "shop login");
    Ok(())
}

pub async fn add_apple(state: &AppState, session: &LabSession) -> Result<u64, AppError> {
    let login = shopper(state, session).await?;
    state.carts.add_apple(&login.cart_id).await
}

pub async fn apples(state: &AppState, session: &LabSession) -> Result<u64, AppError> {
    let login = shopper(state, session).await?;
    state.carts.apples(&login.cart_id).await
}

/// Pays for the cart: returns how many apples were paid for and empties it.
pub async fn pay(state: &AppState, session: &LabSession) -> Result<u64, AppError> {
    let login = shopper(state, session).await?;
    state.carts.take_all(&login.cart_id).await
}

/// Ends the session server-side and throws its cart away.
pub async fn log_out(state: &AppState, session: &LabSession) -> Result<(), AppError> {
    if let Some(login) = session.get::<ShopLogin>(&state.accounts).await? {
        state.carts.discard(&login.cart_id).await?;
    }
    session.log_out::<ShopLogin>().await
}
