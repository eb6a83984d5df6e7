//! The `accounts` table (see `server/migrations/accounts/{sqlite,postgres}`). Usernames keep
//! the case the user typed; a lower-cased key makes them unique regardless of case.
//! The same SQL runs on SQLite and PostgreSQL (see [`crate::sql`]).

use crate::{
    sql::{unix_now, SqlPool},
    with_pool,
};

/// An account as stored. The hash is kept out of `Debug` so it can never reach a log.
#[derive(Clone, sqlx::FromRow)]
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

/// What inserting an account can run into besides a database failure.
pub enum InsertOutcome {
    Created,
    UsernameTaken,
}

#[derive(Clone, Debug)]
pub struct AccountRepository {
    pool: SqlPool,
}

impl AccountRepository {
    pub fn new(pool: SqlPool) -> Self {
        Self { pool }
    }

    pub async fn insert(
        &self,
        username: &str,
        username_key: &str,
        password_hash: &str,
    ) -> Result<InsertOutcome, sqlx::Error> {
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
            Err(e) => Err(e),
        }
    }

    pub async fn find_by_key(&self, username_key: &str) -> Result<Option<Account>, sqlx::Error> {
        with_pool!(&self.pool, pool => sqlx::query_as::<_, Account>(
            "SELECT id, username, password_hash, credentials_version
             FROM accounts WHERE username_key = $1",
        )
        .bind(username_key)
        .fetch_optional(pool)
        .await)
    }

    /// The account's current credentials version; `None` if the account is gone.
    pub async fn credentials_version(&self, id: i64) -> Result<Option<i64>, sqlx::Error> {
        with_pool!(&self.pool, pool => sqlx::query_scalar(
            "SELECT credentials_version FROM accounts WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await)
    }

    /// Stores a new hash and bumps the credentials version in one statement, so no request
    /// can see the new password with the old version. Returns the new version.
    pub async fn change_password(
        &self,
        id: i64,
        password_hash: &str,
    ) -> Result<Option<i64>, sqlx::Error> {
        with_pool!(&self.pool, pool => sqlx::query_scalar(
            "UPDATE accounts SET password_hash = $1, credentials_version = credentials_version + 1
             WHERE id = $2 RETURNING credentials_version",
        )
        .bind(password_hash)
        .bind(id)
        .fetch_optional(pool)
        .await)
    }

    /// For readiness checks.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        self.pool.ping().await
    }
}
