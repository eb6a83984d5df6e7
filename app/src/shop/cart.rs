//! Where carts live. Every change is one atomic step in the store (`UPDATE … SET apples =
//! apples + 1` in SQLite, a locked map in memory), so concurrent requests never lose an apple.

use crate::error::AppError;
use async_trait::async_trait;
use sqlx::SqlitePool;
use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

/// A store of carts, each a count of apples under a random cart id.
#[async_trait]
pub trait CartStore: Send + Sync + 'static {
    /// Adds one apple and returns the new count.
    async fn add_apple(&self, cart_id: &str) -> Result<u64, AppError>;
    async fn apples(&self, cart_id: &str) -> Result<u64, AppError>;
    /// Empties the cart and returns how many apples were in it, in one step.
    async fn take_all(&self, cart_id: &str) -> Result<u64, AppError>;
    async fn discard(&self, cart_id: &str) -> Result<(), AppError>;
    /// Deletes carts untouched for `idle` (their sessions have ended); returns how many.
    async fn delete_idle(&self, idle: Duration) -> Result<u64, AppError>;
    async fn ping(&self) -> Result<(), AppError>;
}

/// Carts in this process's memory: gone on restart, like the memory session store.
#[derive(Default)]
pub struct MemoryCarts {
    carts: Mutex<HashMap<String, (u64, u64)>>,
}

impl MemoryCarts {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (u64, u64)>> {
        self.carts.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl CartStore for MemoryCarts {
    async fn add_apple(&self, cart_id: &str) -> Result<u64, AppError> {
        let mut carts = self.lock();
        let cart = carts.entry(cart_id.to_owned()).or_insert((0, 0));
        cart.0 += 1;
        cart.1 = unix_now();
        Ok(cart.0)
    }

    async fn apples(&self, cart_id: &str) -> Result<u64, AppError> {
        Ok(self.lock().get(cart_id).map_or(0, |c| c.0))
    }

    async fn take_all(&self, cart_id: &str) -> Result<u64, AppError> {
        Ok(self.lock().remove(cart_id).map_or(0, |c| c.0))
    }

    async fn discard(&self, cart_id: &str) -> Result<(), AppError> {
        self.lock().remove(cart_id);
        Ok(())
    }

    async fn delete_idle(&self, idle: Duration) -> Result<u64, AppError> {
        let cutoff = unix_now().saturating_sub(idle.as_secs());
        let mut carts = self.lock();
        let before = carts.len();
        carts.retain(|_, (_, updated)| *updated >= cutoff);
        Ok((before - carts.len()) as u64)
    }

    async fn ping(&self) -> Result<(), AppError> {
        Ok(())
    }
}

/// Carts in the SQLite database that also holds the sessions.
#[derive(Clone)]
pub struct SqliteCarts {
    pool: SqlitePool,
}

impl SqliteCarts {
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }

    /// Creates the table if needed (the session store manages its own table the same way).
    pub async fn migrate(&self) -> Result<(), sqlx::Error> {
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS shop_carts (
                 id TEXT PRIMARY KEY NOT NULL,
                 apples INTEGER NOT NULL,
                 updated_at INTEGER NOT NULL
             )",
        )
        .execute(&self.pool)
        .await
        .map(|_| ())
    }
}

#[async_trait]
impl CartStore for SqliteCarts {
    async fn add_apple(&self, cart_id: &str) -> Result<u64, AppError> {
        let apples: i64 = sqlx::query_scalar(
            "INSERT INTO shop_carts (id, apples, updated_at) VALUES (?, 1, unixepoch())
             ON CONFLICT (id) DO UPDATE SET apples = apples + 1, updated_at = unixepoch()
             RETURNING apples",
        )
        .bind(cart_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(apples as u64)
    }

    async fn apples(&self, cart_id: &str) -> Result<u64, AppError> {
        let apples: Option<i64> = sqlx::query_scalar("SELECT apples FROM shop_carts WHERE id = ?")
            .bind(cart_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(apples.unwrap_or(0) as u64)
    }

    async fn take_all(&self, cart_id: &str) -> Result<u64, AppError> {
        let apples: Option<i64> =
            sqlx::query_scalar("DELETE FROM shop_carts WHERE id = ? RETURNING apples")
                .bind(cart_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(apples.unwrap_or(0) as u64)
    }

    async fn discard(&self, cart_id: &str) -> Result<(), AppError> {
        sqlx::query("DELETE FROM shop_carts WHERE id = ?")
            .bind(cart_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_idle(&self, idle: Duration) -> Result<u64, AppError> {
        let result = sqlx::query("DELETE FROM shop_carts WHERE updated_at < unixepoch() - ?")
            .bind(idle.as_secs() as i64)
            .execute(&self.pool)
            .await?;
        Ok(result.rows_affected())
    }

    async fn ping(&self) -> Result<(), AppError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    async fn hundred_concurrent_adds(store: Arc<dyn CartStore>) {
        let tasks: Vec<_> = (0..100)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { store.add_apple("cart").await.unwrap() })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(store.apples("cart").await.unwrap(), 100);
        assert_eq!(store.take_all("cart").await.unwrap(), 100);
        assert_eq!(store.apples("cart").await.unwrap(), 0);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn memory_carts_lose_no_concurrent_add() {
        hundred_concurrent_adds(Arc::new(MemoryCarts::default())).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sqlite_carts_lose_no_concurrent_add() {
        let dir = std::env::temp_dir().join(format!("carts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(dir.join("carts.db"))
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal);
        let pool = SqlitePool::connect_with(options).await.unwrap();
        let carts = SqliteCarts::new(pool);
        carts.migrate().await.unwrap();
        hundred_concurrent_adds(Arc::new(carts)).await;
        std::fs::remove_dir_all(dir).ok();
    }
}
