//! The cart adapters: in memory, in SQL (SQLite or PostgreSQL) and in Redis. Every change is
//! one atomic step in the store (`UPDATE … SET apples = apples + 1` in SQL, a Lua script in
//! Redis, a locked map in memory), so concurrent requests never lose an apple.

use super::{
    sql::{self, database_error, redis_error, unsigned, SqlPool},
    SqliteSessions,
};
use crate::with_pool;
use app::{clock::unix_now, error::AppError, shop::cart::CartStore};
use async_trait::async_trait;
use fred::prelude::{ClientLike, KeysInterface, LuaInterface, Pool as RedisPool};
use std::{collections::HashMap, sync::Mutex, time::Duration};

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

/// Carts in the SQL database that also holds the sessions (SQLite or PostgreSQL): every
/// change is one statement, so concurrent requests from any number of processes add up.
#[derive(Clone)]
pub struct SqlCarts {
    pool: SqlPool,
}

impl SqlCarts {
    pub fn new(pool: SqlPool) -> Self {
        Self { pool }
    }

    /// Creates the table if needed (the session store manages its own table the same way).
    pub async fn migrate(&self) -> Result<(), sqlx::Error> {
        with_pool!(&self.pool, pool => sqlx::query(
            "CREATE TABLE IF NOT EXISTS shop_carts (
                 id TEXT PRIMARY KEY NOT NULL,
                 apples BIGINT NOT NULL,
                 updated_at BIGINT NOT NULL
             )",
        )
        .execute(pool)
        .await
        .map(|_| ()))
    }
}

/// A page view's statements, one text for sqlx (SQLite and PostgreSQL) and for the SQLite
/// store's thread (rusqlite binds `$1`, `$2` by position too).
const ADD: &str = "INSERT INTO shop_carts (id, apples, updated_at) VALUES ($1, 1, $2)
     ON CONFLICT (id) DO UPDATE SET apples = shop_carts.apples + 1, updated_at = $2
     RETURNING apples";
const APPLES: &str = "SELECT apples FROM shop_carts WHERE id = $1";
const TAKE: &str = "DELETE FROM shop_carts WHERE id = $1 RETURNING apples";
const DISCARD: &str = "DELETE FROM shop_carts WHERE id = $1";

#[async_trait]
impl CartStore for SqlCarts {
    async fn add_apple(&self, cart_id: &str) -> Result<u64, AppError> {
        let apples: i64 = with_pool!(&self.pool, pool => sqlx::query_scalar(ADD)
        .bind(cart_id)
        .bind(sql::unix_now())
        .fetch_one(pool)
        .await)
        .map_err(database_error)?;
        Ok(apples as u64)
    }

    async fn apples(&self, cart_id: &str) -> Result<u64, AppError> {
        let apples: Option<i64> = with_pool!(&self.pool, pool => sqlx::query_scalar(APPLES)
        .bind(cart_id)
        .fetch_optional(pool)
        .await)
        .map_err(database_error)?;
        Ok(apples.unwrap_or(0) as u64)
    }

    async fn take_all(&self, cart_id: &str) -> Result<u64, AppError> {
        let apples: Option<i64> = with_pool!(&self.pool, pool => sqlx::query_scalar(TAKE)
        .bind(cart_id)
        .fetch_optional(pool)
        .await)
        .map_err(database_error)?;
        Ok(apples.unwrap_or(0) as u64)
    }

    async fn discard(&self, cart_id: &str) -> Result<(), AppError> {
        with_pool!(&self.pool, pool => sqlx::query(DISCARD)
            .bind(cart_id)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(database_error)?;
        Ok(())
    }

    async fn delete_idle(&self, idle: Duration) -> Result<u64, AppError> {
        let cutoff = sql::unix_now() - idle.as_secs() as i64;
        let deleted = with_pool!(&self.pool, pool => sqlx::query(
            "DELETE FROM shop_carts WHERE updated_at < $1",
        )
        .bind(cutoff)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))
        .map_err(database_error)?;
        Ok(deleted)
    }

    async fn ping(&self) -> Result<(), AppError> {
        self.pool.ping().await.map_err(database_error)?;
        Ok(())
    }
}

/// Carts in SQLite, beside our SQLite session store: the statements of a page view run on the
/// session store's thread, in its batch ([`SqliteSessions::run`]); the once-a-minute sweep
/// and the health check stay on the sqlx pool. Same table and statements as [`SqlCarts`].
#[derive(Clone)]
pub struct SqliteCarts {
    thread: SqliteSessions,
    pool: SqlCarts,
}

impl SqliteCarts {
    pub fn new(thread: SqliteSessions, pool: SqlCarts) -> Self {
        Self { thread, pool }
    }

    /// One statement with the cart id (and the time), answering the apples it returns.
    async fn apples_of(
        &self,
        writes: bool,
        sql: &'static str,
        cart_id: &str,
    ) -> Result<u64, AppError> {
        let id = cart_id.to_owned();
        let now = sql::unix_now();
        let apples: Option<i64> = self
            .thread
            .run(writes, move |connection| {
                let mut statement = connection.prepare_cached(sql)?;
                let parameters = statement.parameter_count();
                let mut rows = if parameters == 2 {
                    statement.query(rusqlite::params![id, now])?
                } else {
                    statement.query(rusqlite::params![id])?
                };
                rows.next()?.map(|row| row.get(0)).transpose()
            })
            .await
            .map_err(|e| AppError::unavailable("the SQLite store", e))?;
        Ok(unsigned(apples.unwrap_or(0)))
    }
}

#[async_trait]
impl CartStore for SqliteCarts {
    async fn add_apple(&self, cart_id: &str) -> Result<u64, AppError> {
        self.apples_of(true, ADD, cart_id).await
    }

    async fn apples(&self, cart_id: &str) -> Result<u64, AppError> {
        self.apples_of(false, APPLES, cart_id).await
    }

    async fn take_all(&self, cart_id: &str) -> Result<u64, AppError> {
        self.apples_of(true, TAKE, cart_id).await
    }

    async fn discard(&self, cart_id: &str) -> Result<(), AppError> {
        self.apples_of(true, DISCARD, cart_id).await.map(|_| ())
    }

    async fn delete_idle(&self, idle: Duration) -> Result<u64, AppError> {
        self.pool.delete_idle(idle).await
    }

    async fn ping(&self) -> Result<(), AppError> {
        self.pool.ping().await
    }
}

/// Carts in Redis, beside the sessions. Adding is one Lua script (`INCR` then `EXPIRE`), which
/// Redis runs atomically, so every process adds up and no cart is left without its expiry;
/// each cart expires after `idle` without a change, like its session.
#[derive(Clone)]
pub struct RedisCarts {
    pool: RedisPool,
    idle: Duration,
}

impl RedisCarts {
    pub fn new(pool: RedisPool, idle: Duration) -> Self {
        Self { pool, idle }
    }

    fn key(cart_id: &str) -> String {
        format!("cart:{cart_id}")
    }
}

/// One apple more, and the idle expiry renewed, in one step: a process that dies between
/// the two cannot leave a cart that never expires.
const ADD_APPLE: &str = "local apples = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
return apples";

#[async_trait]
impl CartStore for RedisCarts {
    async fn add_apple(&self, cart_id: &str) -> Result<u64, AppError> {
        let idle = self.idle.as_secs().max(1).to_string();
        let apples: i64 = self
            .pool
            .eval(ADD_APPLE, vec![Self::key(cart_id)], vec![idle])
            .await
            .map_err(redis_error)?;
        Ok(unsigned(apples))
    }

    async fn apples(&self, cart_id: &str) -> Result<u64, AppError> {
        let apples: Option<i64> = self
            .pool
            .get(Self::key(cart_id))
            .await
            .map_err(redis_error)?;
        Ok(unsigned(apples.unwrap_or(0)))
    }

    async fn take_all(&self, cart_id: &str) -> Result<u64, AppError> {
        let apples: Option<i64> = self
            .pool
            .getdel(Self::key(cart_id))
            .await
            .map_err(redis_error)?;
        Ok(unsigned(apples.unwrap_or(0)))
    }

    async fn discard(&self, cart_id: &str) -> Result<(), AppError> {
        let _: i64 = self
            .pool
            .del(Self::key(cart_id))
            .await
            .map_err(redis_error)?;
        Ok(())
    }

    async fn delete_idle(&self, _: Duration) -> Result<u64, AppError> {
        Ok(0) // Redis expires idle carts itself.
    }

    async fn ping(&self) -> Result<(), AppError> {
        let _: String = self.pool.ping(None).await.map_err(redis_error)?;
        Ok(())
    }
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
        let dir = tempfile::tempdir().unwrap();
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(dir.path().join("carts.db"))
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal);
        let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
        let carts = SqlCarts::new(SqlPool::Sqlite(pool));
        carts.migrate().await.unwrap();
        hundred_concurrent_adds(Arc::new(carts)).await;
    }

    /// Carts on the SQLite session store's thread, the store opened with `tuning`.
    async fn thread_carts(
        dir: &std::path::Path,
        tuning: super::super::SqliteTuning,
    ) -> SqliteCarts {
        let (thread, pool) = SqliteSessions::open_beside_pool(dir, tuning).await;
        let carts = SqlCarts::new(pool);
        carts.migrate().await.unwrap();
        SqliteCarts::new(thread, carts)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn carts_on_the_session_thread_lose_no_concurrent_add() {
        let dir = tempfile::tempdir().unwrap();
        let carts = thread_carts(dir.path(), Default::default()).await;
        hundred_concurrent_adds(Arc::new(carts)).await;
    }

    /// A flood past the thread's queue: each add either counts once (its answer is the count
    /// it made) or is refused as unavailable; none is lost or counted twice.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_flood_of_adds_past_the_queue_is_refused_never_miscounted() {
        let dir = tempfile::tempdir().unwrap();
        let tuning = super::super::SqliteTuning {
            queue: 4,
            timeout: Duration::from_secs(5),
        };
        let carts = Arc::new(thread_carts(dir.path(), tuning).await);
        let tasks: Vec<_> = (0..300)
            .map(|_| {
                let carts = carts.clone();
                tokio::spawn(async move { carts.add_apple("flooded").await })
            })
            .collect();
        let mut counted = Vec::new();
        let mut refused = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(apples) => counted.push(apples),
                Err(AppError::Unavailable) => refused += 1,
                Err(other) => panic!("a flood is refused as unavailable, not {other:?}"),
            }
        }
        counted.sort_unstable();
        let expected: Vec<u64> = (1..=counted.len() as u64).collect();
        assert_eq!(counted, expected, "every accepted add counted exactly once");
        assert_eq!(carts.apples("flooded").await.unwrap(), counted.len() as u64);
        assert_eq!(counted.len() + refused, 300);
    }

    /// A checkout replayed while the first is in flight pays for the apples once.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_replayed_checkout_takes_the_apples_once() {
        let dir = tempfile::tempdir().unwrap();
        let carts = Arc::new(thread_carts(dir.path(), Default::default()).await);
        for run in 0..5 {
            let cart = format!("cart-{run}");
            for _ in 0..3 {
                carts.add_apple(&cart).await.unwrap();
            }
            let takes: Vec<_> = (0..8)
                .map(|_| {
                    let (carts, cart) = (carts.clone(), cart.clone());
                    tokio::spawn(async move { carts.take_all(&cart).await.unwrap() })
                })
                .collect();
            let mut taken = Vec::new();
            for take in takes {
                taken.push(take.await.unwrap());
            }
            taken.sort_unstable();
            assert_eq!(taken, [0, 0, 0, 0, 0, 0, 0, 3], "run {run}");
        }
    }
}
