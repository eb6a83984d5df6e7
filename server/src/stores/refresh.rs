//! Refresh tokens (by hash) and their families: in memory, in SQL (SQLite or PostgreSQL) and in
//! Redis, beside the sessions. Retiring a token is one atomic step in each store — a locked
//! map, an `UPDATE … WHERE retired_at IS NULL … RETURNING`, a Lua script — so of two requests
//! presenting the same token exactly one finds it live: there are never two live chains.

use super::sql::{database_error, redis_error, unix_now, unsigned, SqlPool};
use crate::with_pool;
use app::{
    error::AppError,
    jwt::refresh::{label_of, RefreshEntry, RefreshGrant, RefreshStore, Rotation},
};
use async_trait::async_trait;
use fred::prelude::{HashesInterface, ListInterface, LuaInterface, Pool as RedisPool};
use std::{collections::HashMap, sync::Mutex};

/// A stored token: what it grants, when it was retired, when it was replayed.
type Stored = (RefreshGrant, Option<u64>, Option<u64>);

/// Refresh tokens in this process's memory, beside the memory session store.
#[derive(Default)]
pub struct MemoryRefresh {
    tokens: Mutex<HashMap<String, Stored>>,
}

impl MemoryRefresh {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Stored>> {
        self.tokens.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Oldest first; of tokens issued in the same second, the retired before the live.
fn in_order(mut entries: Vec<RefreshEntry>) -> Vec<RefreshEntry> {
    entries.sort_by_key(|e| (e.issued_at, e.retired_at.is_none(), e.retired_at));
    entries
}

#[async_trait]
impl RefreshStore for MemoryRefresh {
    async fn insert(&self, hash: &str, grant: &RefreshGrant) -> Result<(), AppError> {
        self.lock()
            .insert(hash.to_owned(), (grant.clone(), None, None));
        Ok(())
    }

    async fn rotate(&self, hash: &str, now: u64) -> Result<Rotation, AppError> {
        let mut tokens = self.lock();
        let Some((grant, retired, replayed)) = tokens.get_mut(hash) else {
            return Ok(Rotation::Unknown);
        };
        if retired.is_none() {
            *retired = Some(now);
            return Ok(Rotation::Retired(grant.clone()));
        }
        *replayed = Some(now);
        Ok(Rotation::Replayed(grant.clone()))
    }

    async fn restore(&self, hash: &str, retired_at: u64) -> Result<(), AppError> {
        if let Some((_, retired, None)) = self.lock().get_mut(hash) {
            if *retired == Some(retired_at) {
                *retired = None;
            }
        }
        Ok(())
    }

    async fn family(&self, family: &str) -> Result<Vec<RefreshEntry>, AppError> {
        let entries = self
            .lock()
            .iter()
            .filter(|(_, (grant, ..))| grant.family == family)
            .map(|(hash, (grant, retired, replayed))| RefreshEntry {
                label: label_of(hash),
                issued_at: grant.issued_at,
                retired_at: *retired,
                replayed_at: *replayed,
            })
            .collect();
        Ok(in_order(entries))
    }

    async fn delete_expired(&self) -> Result<u64, AppError> {
        let now = app::clock::unix_now();
        let mut tokens = self.lock();
        let before = tokens.len();
        tokens.retain(|_, (grant, ..)| grant.expires_at > now);
        Ok((before - tokens.len()) as u64)
    }
}

/// Refresh tokens as a table in the session database (SQLite or PostgreSQL).
#[derive(Clone)]
pub struct SqlRefresh {
    pool: SqlPool,
}

type GrantRow = (String, i64, String, i64, i64, i64, i64);
const GRANT: &str = "family, account_id, username, version, auth_time, issued_at, expires_at";

fn grant(row: GrantRow) -> RefreshGrant {
    let (family, account_id, username, version, auth_time, issued_at, expires_at) = row;
    RefreshGrant {
        family,
        account_id,
        username,
        version,
        auth_time: unsigned(auth_time),
        issued_at: unsigned(issued_at),
        expires_at: unsigned(expires_at),
    }
}

impl SqlRefresh {
    pub fn new(pool: SqlPool) -> Self {
        Self { pool }
    }

    pub async fn migrate(&self) -> Result<(), sqlx::Error> {
        with_pool!(&self.pool, pool => {
            sqlx::query(
                "CREATE TABLE IF NOT EXISTS refresh_tokens (
                    hash TEXT PRIMARY KEY NOT NULL,
                    family TEXT NOT NULL,
                    account_id BIGINT NOT NULL,
                    username TEXT NOT NULL,
                    version BIGINT NOT NULL,
                    auth_time BIGINT NOT NULL,
                    issued_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    retired_at BIGINT,
                    replayed_at BIGINT
                )",
            )
            .execute(pool)
            .await?;
            sqlx::query(
                "CREATE INDEX IF NOT EXISTS refresh_tokens_by_family ON refresh_tokens (family)",
            )
            .execute(pool)
            .await
            .map(|_| ())
        })
    }
}

#[async_trait]
impl RefreshStore for SqlRefresh {
    async fn insert(&self, hash: &str, grant: &RefreshGrant) -> Result<(), AppError> {
        with_pool!(&self.pool, pool => sqlx::query(&format!(
            "INSERT INTO refresh_tokens (hash, {GRANT}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        ))
        .bind(hash)
        .bind(&grant.family)
        .bind(grant.account_id)
        .bind(&grant.username)
        .bind(grant.version)
        .bind(grant.auth_time as i64)
        .bind(grant.issued_at as i64)
        .bind(grant.expires_at as i64)
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(database_error)
    }

    async fn rotate(&self, hash: &str, now: u64) -> Result<Rotation, AppError> {
        // The decisive step: only one statement can move `retired_at` from NULL.
        let retired: Option<GrantRow> = with_pool!(&self.pool, pool => sqlx::query_as(&format!(
            "UPDATE refresh_tokens SET retired_at = $2 WHERE hash = $1 AND retired_at IS NULL
             RETURNING {GRANT}"
        ))
        .bind(hash)
        .bind(now as i64)
        .fetch_optional(pool)
        .await)
        .map_err(database_error)?;
        if let Some(row) = retired {
            return Ok(Rotation::Retired(grant(row)));
        }
        let replayed: Option<GrantRow> = with_pool!(&self.pool, pool => sqlx::query_as(&format!(
            "UPDATE refresh_tokens SET replayed_at = $2 WHERE hash = $1 RETURNING {GRANT}"
        ))
        .bind(hash)
        .bind(now as i64)
        .fetch_optional(pool)
        .await)
        .map_err(database_error)?;
        Ok(replayed.map_or(Rotation::Unknown, |row| Rotation::Replayed(grant(row))))
    }

    async fn restore(&self, hash: &str, retired_at: u64) -> Result<(), AppError> {
        with_pool!(&self.pool, pool => sqlx::query(
            "UPDATE refresh_tokens SET retired_at = NULL
             WHERE hash = $1 AND retired_at = $2 AND replayed_at IS NULL",
        )
        .bind(hash)
        .bind(retired_at as i64)
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(database_error)
    }

    async fn family(&self, family: &str) -> Result<Vec<RefreshEntry>, AppError> {
        let rows: Vec<(String, i64, Option<i64>, Option<i64>)> =
            with_pool!(&self.pool, pool => sqlx::query_as(
            "SELECT hash, issued_at, retired_at, replayed_at FROM refresh_tokens WHERE family = $1",
        )
        .bind(family)
        .fetch_all(pool)
        .await)
            .map_err(database_error)?;
        let entries = rows
            .into_iter()
            .map(|(hash, issued_at, retired_at, replayed_at)| RefreshEntry {
                label: label_of(&hash),
                issued_at: unsigned(issued_at),
                retired_at: retired_at.map(unsigned),
                replayed_at: replayed_at.map(unsigned),
            })
            .collect();
        Ok(in_order(entries))
    }

    async fn delete_expired(&self) -> Result<u64, AppError> {
        with_pool!(&self.pool, pool => sqlx::query("DELETE FROM refresh_tokens WHERE expires_at <= $1")
            .bind(unix_now())
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))
        .map_err(database_error)
    }
}

/// Refresh tokens in Redis: a hash per token (`refresh:<hash>`: `grant`, `retired_at`,
/// `replayed_at`) and a list per family (`refresh-family:<family>`), both expiring with it.
#[derive(Clone)]
pub struct RedisRefresh {
    pool: RedisPool,
}

impl RedisRefresh {
    pub fn new(pool: RedisPool) -> Self {
        Self { pool }
    }

    fn key(hash: &str) -> String {
        format!("refresh:{hash}")
    }

    fn family_key(family: &str) -> String {
        format!("refresh-family:{family}")
    }
}

const INSERT: &str = "redis.call('HSET', KEYS[1], 'grant', ARGV[2])
redis.call('EXPIREAT', KEYS[1], ARGV[3])
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('EXPIREAT', KEYS[2], ARGV[3])
return 1";

/// `1` and the grant when it was live (now retired), `2` and the grant when it was already
/// retired (a replay, now noted), `0` when there is no such token.
const ROTATE: &str = "local grant = redis.call('HGET', KEYS[1], 'grant')
if not grant then return '0' end
if redis.call('HSETNX', KEYS[1], 'retired_at', ARGV[1]) == 1 then return '1' .. grant end
redis.call('HSET', KEYS[1], 'replayed_at', ARGV[1])
return '2' .. grant";

/// Un-retires a token retired at `ARGV[1]` that nobody has presented since.
const RESTORE: &str = "if redis.call('HGET', KEYS[1], 'retired_at') == ARGV[1]
  and redis.call('HEXISTS', KEYS[1], 'replayed_at') == 0 then
  redis.call('HDEL', KEYS[1], 'retired_at')
end
return 1";

#[async_trait]
impl RefreshStore for RedisRefresh {
    async fn insert(&self, hash: &str, grant: &RefreshGrant) -> Result<(), AppError> {
        let json =
            serde_json::to_string(grant).map_err(|e| AppError::internal("refresh json", e))?;
        let _: i64 = self
            .pool
            .eval(
                INSERT,
                vec![Self::key(hash), Self::family_key(&grant.family)],
                vec![hash.to_owned(), json, grant.expires_at.to_string()],
            )
            .await
            .map_err(redis_error)?;
        Ok(())
    }

    async fn rotate(&self, hash: &str, now: u64) -> Result<Rotation, AppError> {
        let answer: String = self
            .pool
            .eval(ROTATE, vec![Self::key(hash)], vec![now.to_string()])
            .await
            .map_err(redis_error)?;
        let (code, json) = answer.split_at(answer.len().min(1));
        let parsed = || {
            serde_json::from_str::<RefreshGrant>(json)
                .map_err(|e| AppError::internal("stored refresh grant", e))
        };
        Ok(match code {
            "1" => Rotation::Retired(parsed()?),
            "2" => Rotation::Replayed(parsed()?),
            _ => Rotation::Unknown,
        })
    }

    async fn restore(&self, hash: &str, retired_at: u64) -> Result<(), AppError> {
        let _: i64 = self
            .pool
            .eval(RESTORE, vec![Self::key(hash)], vec![retired_at.to_string()])
            .await
            .map_err(redis_error)?;
        Ok(())
    }

    async fn family(&self, family: &str) -> Result<Vec<RefreshEntry>, AppError> {
        let hashes: Vec<String> = self
            .pool
            .lrange(Self::family_key(family), 0, -1)
            .await
            .map_err(redis_error)?;
        let mut entries = Vec::new();
        for hash in hashes {
            let fields: HashMap<String, String> = self
                .pool
                .hgetall(Self::key(&hash))
                .await
                .map_err(redis_error)?;
            let Some(grant) = fields
                .get("grant")
                .and_then(|json| serde_json::from_str::<RefreshGrant>(json).ok())
            else {
                continue;
            };
            let time = |field: &str| fields.get(field).and_then(|t| t.parse().ok());
            entries.push(RefreshEntry {
                label: label_of(&hash),
                issued_at: grant.issued_at,
                retired_at: time("retired_at"),
                replayed_at: time("replayed_at"),
            });
        }
        Ok(in_order(entries))
    }

    async fn delete_expired(&self) -> Result<u64, AppError> {
        Ok(0) // Redis expires the keys itself.
    }
}
