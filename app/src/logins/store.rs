//! Where the index of logins lives: beside the sessions (memory, SQL or Redis), so a login
//! started on one instance is listed, and can be ended, on every other. The adapters are in
//! `server/src/stores/logins.rs`.

use super::LoginRecord;
use crate::error::AppError;
use async_trait::async_trait;

#[async_trait]
pub trait LoginStore: Send + Sync + 'static {
    async fn insert(&self, login: &LoginRecord) -> Result<(), AppError>;
    /// Sets the login's `last_seen`, if it is still in the index (never re-creates it).
    async fn touch(&self, account_id: i64, id: &str, now: u64) -> Result<(), AppError>;
    /// The account's logins that have not reached their end, in no particular order
    /// ([`Logins::list`](super::service::Logins::list) puts them in order).
    async fn list(&self, account_id: i64) -> Result<Vec<LoginRecord>, AppError>;
    /// Removes the login `id` **of this account** and returns it; `None` when there is none
    /// (another account's id included). Of two concurrent removals, one gets it.
    async fn remove(&self, account_id: i64, id: &str) -> Result<Option<LoginRecord>, AppError>;
    /// Removes the account's logins recorded under a credentials version before `version`
    /// (its password changed); a login of the new password, recorded at the same moment,
    /// stays.
    async fn remove_older(&self, account_id: i64, version: i64) -> Result<(), AppError>;
    /// Forgets logins past their end; returns how many.
    async fn delete_expired(&self) -> Result<u64, AppError>;
}
