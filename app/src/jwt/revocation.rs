//! The denylist: ids of tokens (and logins) that must be refused although their signature is
//! fine. It lives in the same store as the sessions (memory or SQLite here), so every process
//! sharing that store refuses a logged-out token at once. Entries are kept only until the
//! token would have expired anyway; after that the signature check refuses it by itself.

use crate::error::AppError;
use async_trait::async_trait;
use sqlx::SqlitePool;
use std::{
    collections::HashMap,
    sync::Mutex,
    time::{SystemTime, UNIX_EPOCH},
};

#[async_trait]
pub trait RevocationStore: Send + Sync + 'static {
    /// Denies every id in `ids` until `until` (Unix seconds).
    async fn revoke(&self, ids: &[&str], until: u64) -> Result<(), AppError>;
    /// Whether any of `ids` is denied.
    async fn any_revoked(&self, ids: &[&str]) -> Result<bool, AppError>;
    /// Forgets entries whose tokens have expired; returns how many.
    async fn delete_expired(&self) -> Result<u64, AppError>;
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// The denylist in this process's memory, beside the memory session store.
#[derive(Default)]
pub struct MemoryRevocations {
    until: Mutex<HashMap<String, u64>>,
}

impl MemoryRevocations {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, u64>> {
        self.until.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl RevocationStore for MemoryRevocations {
    async fn revoke(&self, ids: &[&str], until: u64) -> Result<(), AppError> {
        let mut denied = self.lock();
        for id in ids {
            let entry = denied.entry((*id).to_owned()).or_insert(until);
            *entry = (*entry).max(until);
        }
        Ok(())
    }

    async fn any_revoked(&self, ids: &[&str]) -> Result<bool, AppError> {
        let denied = self.lock();
        Ok(ids.iter().any(|id| denied.contains_key(*id)))
    }

    async fn delete_expired(&self) -> Result<u64, AppError> {
        let now = unix_now();
        let mut denied = self.lock();
        let before = denied.len();
        denied.retain(|_, until| *until > now);
        Ok((before - denied.len()) as u64)
    }
}

/// The denylist as a table in the session database.
#[derive(Clone)]
pub struct SqliteRevocations {
    pool: SqlitePool,
}

impl SqliteRevocations {
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }

    pub async fn migrate(&self) -> Result<(), sqlx::Error> {
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS revoked_tokens (
                id TEXT PRIMARY KEY NOT NULL,
                until INTEGER NOT NULL
            ) STRICT",
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

#[async_trait]
impl RevocationStore for SqliteRevocations {
    async fn revoke(&self, ids: &[&str], until: u64) -> Result<(), AppError> {
        let mut tx = self.pool.begin().await?;
        for id in ids {
            sqlx::query(
                "INSERT INTO revoked_tokens (id, until) VALUES (?, ?)
                 ON CONFLICT (id) DO UPDATE SET until = max(until, excluded.until)",
            )
            .bind(*id)
            .bind(until as i64)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn any_revoked(&self, ids: &[&str]) -> Result<bool, AppError> {
        let placeholders = vec!["?"; ids.len()].join(", ");
        let sql =
            format!("SELECT EXISTS (SELECT 1 FROM revoked_tokens WHERE id IN ({placeholders}))");
        let mut query = sqlx::query_scalar::<_, bool>(&sql);
        for id in ids {
            query = query.bind(*id);
        }
        Ok(query.fetch_one(&self.pool).await?)
    }

    async fn delete_expired(&self) -> Result<u64, AppError> {
        let done = sqlx::query("DELETE FROM revoked_tokens WHERE until <= ?")
            .bind(unix_now() as i64)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
