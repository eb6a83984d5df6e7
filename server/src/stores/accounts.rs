//! The accounts adapter: the `accounts` table (`server/migrations/accounts/{sqlite,postgres}`),
//! one SQL text for both databases (`sql.rs`).

use super::sql::{database_error, unix_now, SqlPool};
use crate::with_pool;
use app::{
    accounts::store::{Account, AccountStore, InsertOutcome},
    error::AppError,
};
use async_trait::async_trait;

/// An `accounts` row as sqlx reads it.
#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    username: String,
    password_hash: String,
    credentials_version: i64,
}

impl From<Row> for Account {
    fn from(row: Row) -> Self {
        Account {
            id: row.id,
            username: row.username,
            password_hash: row.password_hash,
            credentials_version: row.credentials_version,
        }
    }
}

/// Accounts in SQLite or PostgreSQL (`server/migrations/accounts/`).
#[derive(Clone, Debug)]
pub struct SqlAccounts {
    pool: SqlPool,
}

impl SqlAccounts {
    pub fn new(pool: SqlPool) -> Self {
        Self { pool }
    }
}

#[async_trait]
impl AccountStore for SqlAccounts {
    async fn insert(
        &self,
        username: &str,
        username_key: &str,
        password_hash: &str,
    ) -> Result<InsertOutcome, AppError> {
        let result = with_pool!(&self.pool, pool => sqlx::query(
            "INSERT INTO accounts (username, username_key, password_hash, created_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(username)
        .bind(username_key)
        .bind(password_hash)
        .bind(unix_now())
        .execute(pool)
        .await
        .map(|_| ()));
        match result {
            Ok(_) => Ok(InsertOutcome::Created),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Ok(InsertOutcome::UsernameTaken)
            }
            Err(e) => Err(database_error(e)),
        }
    }

    async fn find_by_key(&self, username_key: &str) -> Result<Option<Account>, AppError> {
        with_pool!(&self.pool, pool => sqlx::query_as::<_, Row>(
            "SELECT id, username, password_hash, credentials_version
             FROM accounts WHERE username_key = $1",
        )
        .bind(username_key)
        .fetch_optional(pool)
        .await)
        .map(|row| row.map(Account::from))
        .map_err(database_error)
    }

    /// The account's current credentials version; `None` if the account is gone.
    async fn credentials_version(&self, id: i64) -> Result<Option<i64>, AppError> {
        with_pool!(&self.pool, pool => sqlx::query_scalar(
            "SELECT credentials_version FROM accounts WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await)
        .map_err(database_error)
    }

    /// Stores a new hash and bumps the credentials version in one statement, so no request
    /// can see the new password with the old version. Returns the new version.
    async fn change_password(&self, id: i64, password_hash: &str) -> Result<Option<i64>, AppError> {
        with_pool!(&self.pool, pool => sqlx::query_scalar(
            "UPDATE accounts SET password_hash = $1, credentials_version = credentials_version + 1
             WHERE id = $2 RETURNING credentials_version",
        )
        .bind(password_hash)
        .bind(id)
        .fetch_optional(pool)
        .await)
        .map_err(database_error)
    }

    /// For readiness checks: a failure is the answer, not an event to log at every probe.
    async fn ping(&self) -> Result<(), AppError> {
        self.pool.ping().await.map_err(|_| AppError::Unavailable)
    }
}
