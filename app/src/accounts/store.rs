//! Where accounts live: the store the accounts service is given. Usernames keep the case the
//! user typed; a lower-cased key makes them unique regardless of case. The adapter (SQLite or
//! PostgreSQL, one SQL text) is `server/src/stores/accounts.rs`.

use crate::error::AppError;
use async_trait::async_trait;

/// An account as stored. The hash is kept out of `Debug` so it can never reach a log.
#[derive(Clone)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    /// Bumped at every password change; see the `credentials_version` migration.
    pub credentials_version: i64,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("credentials_version", &self.credentials_version)
            .finish_non_exhaustive()
    }
}

/// What inserting an account can run into besides a store failure.
pub enum InsertOutcome {
    Created,
    UsernameTaken,
}

#[async_trait]
pub trait AccountStore: std::fmt::Debug + Send + Sync + 'static {
    async fn insert(
        &self,
        username: &str,
        username_key: &str,
        password_hash: &str,
    ) -> Result<InsertOutcome, AppError>;

    async fn find_by_key(&self, username_key: &str) -> Result<Option<Account>, AppError>;

    /// The account's current credentials version; `None` if the account is gone.
    async fn credentials_version(&self, id: i64) -> Result<Option<i64>, AppError>;

    /// Stores a new hash and bumps the credentials version in one step, so no request can see
    /// the new password with the old version. Returns the new version; `None` if the account
    /// is gone.
    async fn change_password(&self, id: i64, password_hash: &str) -> Result<Option<i64>, AppError>;

    /// For readiness checks.
    async fn ping(&self) -> Result<(), AppError>;
}
