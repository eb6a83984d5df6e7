//! The shop's rules, shared by the form handlers and the server function: a login in the
//! session that points at a cart, and the cart in the store beside the sessions.

use super::cart::CartStore;
use crate::{
    accounts::service::{Accounts, AuthenticatedUser, Credentials},
    error::AppError,
    limits::PasswordCheck,
    logins::LoginKind,
    sessions::{LabSession, SessionEntry},
};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What the shop keeps in the session: who logged in, and which cart is theirs.
#[derive(Serialize, Deserialize)]
pub struct ShopLogin {
    pub user: AuthenticatedUser,
    pub cart_id: String,
}

impl SessionEntry for ShopLogin {
    const KEY: &'static str = "shop";
    const KIND: LoginKind = LoginKind::Shop;
    fn account(&self) -> &AuthenticatedUser {
        &self.user
    }
}

/// The shop service: the accounts (to check passwords and credentials versions) and the carts.
#[derive(Clone)]
pub struct Shop {
    accounts: Accounts,
    carts: Arc<dyn CartStore>,
}

impl Shop {
    pub fn new(accounts: Accounts, carts: Arc<dyn CartStore>) -> Self {
        Self { accounts, carts }
    }

    /// The logged-in shopper, or `NotLoggedIn`.
    pub async fn shopper(&self, session: &LabSession) -> Result<ShopLogin, AppError> {
        session
            .get::<ShopLogin>(&self.accounts)
            .await?
            .ok_or(AppError::NotLoggedIn)
    }

    /// Checks the password, then logs in under a new session id with a fresh, empty cart.
    pub async fn log_in(
        &self,
        session: &LabSession,
        credentials: Credentials,
        check: PasswordCheck,
    ) -> Result<(), AppError> {
        let user = self.accounts.authenticate(credentials, check).await?;
        let mut id = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut id);
        let cart_id = id.iter().map(|b| format!("{b:02x}")).collect();
        let username = user.username.clone();
        session.log_in(ShopLogin { user, cart_id }).await?;
        tracing::info!(%username, "shop login");
        Ok(())
    }

    pub async fn add_apple(&self, session: &LabSession) -> Result<u64, AppError> {
        let login = self.shopper(session).await?;
        self.carts.add_apple(&login.cart_id).await
    }

    pub async fn apples(&self, session: &LabSession) -> Result<u64, AppError> {
        let login = self.shopper(session).await?;
        self.carts.apples(&login.cart_id).await
    }

    /// Pays for the cart: returns how many apples were paid for and empties it.
    pub async fn pay(&self, session: &LabSession) -> Result<u64, AppError> {
        let login = self.shopper(session).await?;
        self.carts.take_all(&login.cart_id).await
    }

    /// Ends the session server-side and throws its cart away.
    pub async fn log_out(&self, session: &LabSession) -> Result<(), AppError> {
        if let Some(login) = session.get::<ShopLogin>(&self.accounts).await? {
            self.carts.discard(&login.cart_id).await?;
        }
        session.log_out::<ShopLogin>().await
    }
}
