//! The denylist adapters: in memory, in SQL (SQLite or PostgreSQL) and in Redis, each beside
//! the session store of the same kind. Entries past their `until` never count.

use super::{
    sql::{database_error, redis_error, SqlPool},
    SqliteSessions,
};
use crate::with_pool;
use app::{clock::unix_now, error::AppError, logins::revocation::RevocationStore};
use async_trait::async_trait;
use fred::prelude::{Expiration, KeysInterface, Pool as RedisPool};
use std::{collections::HashMap, sync::Mutex};

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
        let now = unix_now();
        let denied = self.lock();
        Ok(ids
            .iter()
            .any(|id| denied.get(*id).is_some_and(|until| *until > now)))
    }

    async fn delete_expired(&self) -> Result<u64, AppError> {
        let now = unix_now();
        let mut denied = self.lock();
        let before = denied.len();
        denied.retain(|_, until| *until > now);
        Ok((before - denied.len()) as u64)
    }
}

/// The denylist as a table in the session database (SQLite or PostgreSQL).
#[derive(Clone)]
pub struct SqlRevocations {
    pool: SqlPool,
}

impl SqlRevocations {
    pub fn new(pool: SqlPool) -> Self {
        Self { pool }
    }

    pub async fn migrate(&self) -> Result<(), sqlx::Error> {
        with_pool!(&self.pool, pool => sqlx::query(
            "CREATE TABLE IF NOT EXISTS revoked_tokens (
                id TEXT PRIMARY KEY NOT NULL,
                until BIGINT NOT NULL
            )",
        )
        .execute(pool)
        .await
        .map(|_| ()))
    }
}

/// Denies one id until a time; never shortens an earlier, longer denial. One text for sqlx
/// (SQLite and PostgreSQL) and for the SQLite store's thread.
const REVOKE: &str = "INSERT INTO revoked_tokens (id, until) VALUES ($1, $2)
     ON CONFLICT (id) DO UPDATE SET until = excluded.until
     WHERE revoked_tokens.until < excluded.until";

/// Whether any of `count` ids (`$2`…) is denied at the time `$1`.
fn any_revoked_sql(count: usize) -> String {
    let placeholders: Vec<String> = (2..=count + 1).map(|i| format!("${i}")).collect();
    format!(
        "SELECT COUNT(*) FROM revoked_tokens WHERE until > $1 AND id IN ({})",
        placeholders.join(", ")
    )
}

#[async_trait]
impl RevocationStore for SqlRevocations {
    async fn revoke(&self, ids: &[&str], until: u64) -> Result<(), AppError> {
        // Each id is one idempotent statement: a retry after a failure does no harm.
        for id in ids {
            with_pool!(&self.pool, pool => sqlx::query(REVOKE)
            .bind(*id)
            .bind(until as i64)
            .execute(pool)
            .await
            .map(|_| ()))
            .map_err(database_error)?;
        }
        Ok(())
    }

    async fn any_revoked(&self, ids: &[&str]) -> Result<bool, AppError> {
        let sql = any_revoked_sql(ids.len());
        let found: i64 = with_pool!(&self.pool, pool => {
            let mut query = sqlx::query_scalar(&sql).bind(unix_now() as i64);
            for id in ids {
                query = query.bind(*id);
            }
            query.fetch_one(pool).await
        })
        .map_err(database_error)?;
        Ok(found > 0)
    }

    async fn delete_expired(&self) -> Result<u64, AppError> {
        let deleted = with_pool!(&self.pool, pool => sqlx::query(
            "DELETE FROM revoked_tokens WHERE until <= $1",
        )
        .bind(unix_now() as i64)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))
        .map_err(database_error)?;
        Ok(deleted)
    }
}

/// The denylist in SQLite, beside our SQLite session store: the check every lab visit makes
/// and the writes of a logout run on the session store's thread, in its batch
/// ([`SqliteSessions::run`]); the sweep stays on the sqlx pool. Same table and statements as
/// [`SqlRevocations`].
#[derive(Clone)]
pub struct SqliteRevocations {
    thread: SqliteSessions,
    pool: SqlRevocations,
}

impl SqliteRevocations {
    pub fn new(thread: SqliteSessions, pool: SqlRevocations) -> Self {
        Self { thread, pool }
    }
}

fn unavailable(error: tower_sessions::session_store::Error) -> AppError {
    AppError::unavailable("the SQLite store", error)
}

#[async_trait]
impl RevocationStore for SqliteRevocations {
    async fn revoke(&self, ids: &[&str], until: u64) -> Result<(), AppError> {
        // Each id is one idempotent statement: a retry after a failure does no harm.
        for id in ids {
            let id = (*id).to_owned();
            self.thread
                .run(true, move |connection| {
                    connection
                        .prepare_cached(REVOKE)?
                        .execute(rusqlite::params![id, until as i64])
                })
                .await
                .map_err(unavailable)?;
        }
        Ok(())
    }

    async fn any_revoked(&self, ids: &[&str]) -> Result<bool, AppError> {
        let ids: Vec<String> = ids.iter().map(|id| (*id).to_owned()).collect();
        let now = unix_now() as i64;
        self.thread
            .run(false, move |connection| {
                let sql = any_revoked_sql(ids.len());
                let mut parameters: Vec<&dyn rusqlite::ToSql> = vec![&now];
                parameters.extend(ids.iter().map(|id| id as &dyn rusqlite::ToSql));
                let found: i64 = connection
                    .prepare_cached(&sql)?
                    .query_row(parameters.as_slice(), |row| row.get(0))?;
                Ok(found > 0)
            })
            .await
            .map_err(unavailable)
    }

    async fn delete_expired(&self) -> Result<u64, AppError> {
        self.pool.delete_expired().await
    }
}

/// The denylist in Redis: one key per id, expiring by itself when the token would have.
#[derive(Clone)]
pub struct RedisRevocations {
    pool: RedisPool,
}

impl RedisRevocations {
    pub fn new(pool: RedisPool) -> Self {
        Self { pool }
    }

    fn key(id: &str) -> String {
        format!("revoked:{id}")
    }
}

#[async_trait]
impl RevocationStore for RedisRevocations {
    async fn revoke(&self, ids: &[&str], until: u64) -> Result<(), AppError> {
        for id in ids {
            let expiry = Some(Expiration::EXAT(until as i64));
            let _: () = self
                .pool
                .set(Self::key(id), 1, expiry, None, false)
                .await
                .map_err(redis_error)?;
        }
        Ok(())
    }

    async fn any_revoked(&self, ids: &[&str]) -> Result<bool, AppError> {
        let keys: Vec<String> = ids.iter().map(|id| Self::key(id)).collect();
        let found: i64 = self.pool.exists(keys).await.map_err(redis_error)?;
        Ok(found > 0)
    }

    async fn delete_expired(&self) -> Result<u64, AppError> {
        Ok(0) // Redis expires the keys itself.
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// The denylist as `Stores` opens it on SQLite, in `dir`, and the store thread it runs on.
    async fn thread_denylist(dir: &std::path::Path) -> (SqliteSessions, Arc<SqliteRevocations>) {
        let (thread, pool) = SqliteSessions::open_beside_pool(dir, Default::default()).await;
        let pool = SqlRevocations::new(pool);
        pool.migrate().await.unwrap();
        (
            thread.clone(),
            Arc::new(SqliteRevocations::new(thread, pool)),
        )
    }

    /// Checks in flight while a logout revokes: each answers (before or after it), and every
    /// check that starts once the revocation has answered sees it; a replayed revocation
    /// changes nothing. Five runs, since the race decides the in-flight answers.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_revocation_holds_for_every_check_after_it_and_replays_are_harmless() {
        let dir = tempfile::tempdir().unwrap();
        let (_, denylist) = thread_denylist(dir.path()).await;
        let until = unix_now() + 600;
        for run in 0..5 {
            let id = format!("sid:{run}");
            let in_flight: Vec<_> = (0..50)
                .map(|_| {
                    let (denylist, id) = (denylist.clone(), id.clone());
                    tokio::spawn(async move { denylist.any_revoked(&[&id]).await })
                })
                .collect();
            denylist.revoke(&[&id], until).await.unwrap();
            for check in in_flight {
                check.await.unwrap().expect("a check in flight answers");
            }
            for _ in 0..20 {
                assert!(
                    denylist.any_revoked(&["other", &id]).await.unwrap(),
                    "run {run}"
                );
            }
            // A replay with an earlier end does not shorten it.
            denylist.revoke(&[&id], until - 500).await.unwrap();
            assert!(denylist.any_revoked(&[&id]).await.unwrap());
        }
        assert!(!denylist.any_revoked(&["never"]).await.unwrap());
    }

    /// A flood of revocations of one id, each with its own end, arriving at once: every one
    /// answers, and the denial kept is the longest, whatever order the batch ran them in.
    /// Three runs, since the order is the race.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_flood_of_revocations_of_one_id_keeps_the_longest() {
        let dir = tempfile::tempdir().unwrap();
        let (thread, denylist) = thread_denylist(dir.path()).await;
        let base = unix_now() + 600;
        for run in 0..3 {
            let id = format!("lid:{run}");
            let flood: Vec<_> = (0..100u64)
                .map(|n| {
                    let (denylist, id) = (denylist.clone(), id.clone());
                    // The longest (n = 27) is neither first nor last.
                    let until = base + (n * 37) % 100;
                    tokio::spawn(async move { denylist.revoke(&[&id], until).await })
                })
                .collect();
            for revocation in flood {
                revocation.await.unwrap().expect("every revocation answers");
            }
            let kept: i64 = thread
                .run(false, move |c| {
                    c.query_row(
                        "SELECT until FROM revoked_tokens WHERE id = $1",
                        [&id],
                        |row| row.get(0),
                    )
                })
                .await
                .unwrap();
            assert_eq!(kept, (base + 99) as i64, "run {run}");
        }
    }
}
