//! The index of logins (the sessions page): in memory, in SQL (SQLite or PostgreSQL) and in
//! Redis, each beside the session store of the same kind. Removing a login is one atomic step
//! that returns it, so of two concurrent "End" clicks exactly one ends it.

use super::sql::{database_error, redis_error, unix_now, unsigned, SqlPool};
use crate::with_pool;
use app::{
    error::AppError,
    logins::{store::LoginStore, LoginKind, LoginRecord},
};
use async_trait::async_trait;
use fred::prelude::{HashesInterface, LuaInterface, Pool as RedisPool};
use std::{collections::HashMap, sync::Mutex};

/// Logins in this process's memory, beside the memory session store.
#[derive(Default)]
pub struct MemoryLogins {
    logins: Mutex<HashMap<String, LoginRecord>>,
}

impl MemoryLogins {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, LoginRecord>> {
        self.logins.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Only logins before their end.
fn live(mut logins: Vec<LoginRecord>, now: u64) -> Vec<LoginRecord> {
    logins.retain(|login| login.ends_at > now);
    logins
}

#[async_trait]
impl LoginStore for MemoryLogins {
    async fn insert(&self, login: &LoginRecord) -> Result<(), AppError> {
        self.lock().insert(login.id.clone(), login.clone());
        Ok(())
    }

    async fn touch(&self, account_id: i64, id: &str, now: u64) -> Result<(), AppError> {
        if let Some(login) = self.lock().get_mut(id) {
            if login.account_id == account_id {
                login.last_seen = now;
            }
        }
        Ok(())
    }

    async fn list(&self, account_id: i64) -> Result<Vec<LoginRecord>, AppError> {
        let mine = self
            .lock()
            .values()
            .filter(|login| login.account_id == account_id)
            .cloned()
            .collect();
        Ok(live(mine, app::clock::unix_now()))
    }

    async fn remove(&self, account_id: i64, id: &str) -> Result<Option<LoginRecord>, AppError> {
        let mut logins = self.lock();
        if logins.get(id).is_some_and(|l| l.account_id == account_id) {
            return Ok(logins.remove(id));
        }
        Ok(None)
    }

    async fn remove_older(&self, account_id: i64, version: i64) -> Result<(), AppError> {
        self.lock()
            .retain(|_, login| login.account_id != account_id || login.version >= version);
        Ok(())
    }

    async fn delete_expired(&self) -> Result<u64, AppError> {
        let now = app::clock::unix_now();
        let mut logins = self.lock();
        let before = logins.len();
        logins.retain(|_, login| login.ends_at > now);
        Ok((before - logins.len()) as u64)
    }
}

/// Logins as a table in the session database (SQLite or PostgreSQL).
#[derive(Clone)]
pub struct SqlLogins {
    pool: SqlPool,
}

/// A row of the `logins` table, in column order.
type Row = (String, i64, i64, String, String, String, i64, i64, i64);

const COLUMNS: &str =
    "id, account_id, version, kind, device, address, started_at, last_seen, ends_at";

fn from_row(row: Row) -> Option<LoginRecord> {
    let (id, account_id, version, kind, device, address, started_at, last_seen, ends_at) = row;
    Some(LoginRecord {
        id,
        account_id,
        version,
        kind: LoginKind::from_code(&kind)?,
        device,
        address,
        started_at: unsigned(started_at),
        last_seen: unsigned(last_seen),
        ends_at: unsigned(ends_at),
    })
}

impl SqlLogins {
    pub fn new(pool: SqlPool) -> Self {
        Self { pool }
    }

    pub async fn migrate(&self) -> Result<(), sqlx::Error> {
        with_pool!(&self.pool, pool => {
            sqlx::query(
                "CREATE TABLE IF NOT EXISTS logins (
                    id TEXT PRIMARY KEY NOT NULL,
                    account_id BIGINT NOT NULL,
                    version BIGINT NOT NULL,
                    kind TEXT NOT NULL,
                    device TEXT NOT NULL,
                    address TEXT NOT NULL,
                    started_at BIGINT NOT NULL,
                    last_seen BIGINT NOT NULL,
                    ends_at BIGINT NOT NULL
                )",
            )
            .execute(pool)
            .await?;
            sqlx::query("CREATE INDEX IF NOT EXISTS logins_by_account ON logins (account_id)")
                .execute(pool)
                .await
                .map(|_| ())
        })
    }
}

#[async_trait]
impl LoginStore for SqlLogins {
    async fn insert(&self, login: &LoginRecord) -> Result<(), AppError> {
        with_pool!(&self.pool, pool => sqlx::query(&format!(
            "INSERT INTO logins ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (id) DO NOTHING"
        ))
        .bind(&login.id)
        .bind(login.account_id)
        .bind(login.version)
        .bind(login.kind.code())
        .bind(&login.device)
        .bind(&login.address)
        .bind(login.started_at as i64)
        .bind(login.last_seen as i64)
        .bind(login.ends_at as i64)
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(database_error)
    }

    async fn touch(&self, account_id: i64, id: &str, now: u64) -> Result<(), AppError> {
        with_pool!(&self.pool, pool => sqlx::query(
            "UPDATE logins SET last_seen = $1 WHERE id = $2 AND account_id = $3",
        )
        .bind(now as i64)
        .bind(id)
        .bind(account_id)
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(database_error)
    }

    async fn list(&self, account_id: i64) -> Result<Vec<LoginRecord>, AppError> {
        let rows: Vec<Row> = with_pool!(&self.pool, pool => sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM logins WHERE account_id = $1 AND ends_at > $2"
        ))
        .bind(account_id)
        .bind(unix_now())
        .fetch_all(pool)
        .await)
        .map_err(database_error)?;
        Ok(rows.into_iter().filter_map(from_row).collect())
    }

    async fn remove(&self, account_id: i64, id: &str) -> Result<Option<LoginRecord>, AppError> {
        let row: Option<Row> = with_pool!(&self.pool, pool => sqlx::query_as(&format!(
            "DELETE FROM logins WHERE id = $1 AND account_id = $2 RETURNING {COLUMNS}"
        ))
        .bind(id)
        .bind(account_id)
        .fetch_optional(pool)
        .await)
        .map_err(database_error)?;
        Ok(row.and_then(from_row))
    }

    async fn remove_older(&self, account_id: i64, version: i64) -> Result<(), AppError> {
        with_pool!(&self.pool, pool => sqlx::query(
            "DELETE FROM logins WHERE account_id = $1 AND version < $2",
        )
        .bind(account_id)
        .bind(version)
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(database_error)
    }

    async fn delete_expired(&self) -> Result<u64, AppError> {
        with_pool!(&self.pool, pool => sqlx::query("DELETE FROM logins WHERE ends_at <= $1")
            .bind(unix_now())
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))
        .map_err(database_error)
    }
}

/// Logins in Redis: one hash per account (`logins:<deployment>:<account>`), a field per login
/// holding its JSON and a `<id>:seen` field holding its last use. The hash expires with its
/// last login, and each insert drops the logins past their end.
///
/// Account ids are numbers from the account database, so the key carries the deployment (a
/// digest of the secrets every instance shares): a Redis shared with another account database
/// (another deployment, a test) never mixes their account 1s.
#[derive(Clone)]
pub struct RedisLogins {
    pool: RedisPool,
    deployment: String,
}

impl RedisLogins {
    pub fn new(pool: RedisPool, deployment: &str) -> Self {
        Self {
            pool,
            deployment: deployment.to_owned(),
        }
    }

    fn key(&self, account_id: i64) -> String {
        format!("logins:{}:{account_id}", self.deployment)
    }

    /// Runs `script` on the account's hash; every script here answers a string.
    async fn run(
        &self,
        script: &str,
        account_id: i64,
        args: Vec<String>,
    ) -> Result<String, AppError> {
        self.pool
            .eval(script, vec![self.key(account_id)], args)
            .await
            .map_err(redis_error)
    }
}

/// Drops the logins for which `gone(login)` holds (Lua prelude of the scripts below).
const SWEEP: &str = "local function sweep(gone)
  local all = redis.call('HGETALL', KEYS[1])
  for i = 1, #all, 2 do
    local field = all[i]
    if not string.find(field, ':', 1, true) then
      local ok, login = pcall(cjson.decode, all[i + 1])
      if ok and gone(login) then redis.call('HDEL', KEYS[1], field, field .. ':seen') end
    end
  end
end
";

/// Adds the login, drops ended ones, and keeps the hash at least as long as the new one.
const INSERT: &str =
    "sweep(function(login) return tonumber(login.ends_at) <= tonumber(ARGV[4]) end)
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if redis.call('TTL', KEYS[1]) < tonumber(ARGV[3]) then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
return ''";

/// Drops the logins recorded before credentials version `ARGV[1]`.
const REMOVE_OLDER: &str =
    "sweep(function(login) return tonumber(login.version) < tonumber(ARGV[1]) end)
return ''";

/// Notes the last use of a login that is still there (never re-creates an ended one).
const TOUCH: &str = "if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  redis.call('HSET', KEYS[1], ARGV[1] .. ':seen', ARGV[2])
end
return ''";

/// Takes the login out and returns it, in one step.
const REMOVE: &str = "local login = redis.call('HGET', KEYS[1], ARGV[1])
if login then redis.call('HDEL', KEYS[1], ARGV[1], ARGV[1] .. ':seen') return login end
return ''";

#[async_trait]
impl LoginStore for RedisLogins {
    async fn insert(&self, login: &LoginRecord) -> Result<(), AppError> {
        let json = serde_json::to_string(login).map_err(|e| AppError::internal("login json", e))?;
        let now = app::clock::unix_now();
        let lifetime = login.ends_at.saturating_sub(now).max(1);
        let args = vec![
            login.id.clone(),
            json,
            lifetime.to_string(),
            now.to_string(),
        ];
        self.run(&format!("{SWEEP}{INSERT}"), login.account_id, args)
            .await
            .map(drop)
    }

    async fn touch(&self, account_id: i64, id: &str, now: u64) -> Result<(), AppError> {
        let args = vec![id.to_owned(), now.to_string()];
        self.run(TOUCH, account_id, args).await.map(drop)
    }

    async fn list(&self, account_id: i64) -> Result<Vec<LoginRecord>, AppError> {
        let fields: HashMap<String, String> = self
            .pool
            .hgetall(self.key(account_id))
            .await
            .map_err(redis_error)?;
        let logins = fields
            .iter()
            .filter(|(field, _)| !field.contains(':'))
            .filter_map(|(id, json)| {
                let mut login: LoginRecord = serde_json::from_str(json).ok()?;
                if let Some(seen) = fields.get(&format!("{id}:seen")) {
                    login.last_seen = seen.parse().unwrap_or(login.last_seen);
                }
                Some(login)
            })
            .collect();
        Ok(live(logins, app::clock::unix_now()))
    }

    async fn remove(&self, account_id: i64, id: &str) -> Result<Option<LoginRecord>, AppError> {
        let json = self.run(REMOVE, account_id, vec![id.to_owned()]).await?;
        Ok(serde_json::from_str(&json).ok())
    }

    async fn remove_older(&self, account_id: i64, version: i64) -> Result<(), AppError> {
        let script = format!("{SWEEP}{REMOVE_OLDER}");
        self.run(&script, account_id, vec![version.to_string()])
            .await
            .map(drop)
    }

    async fn delete_expired(&self) -> Result<u64, AppError> {
        Ok(0) // Each insert sweeps its account's ended logins; the hash expires with its last.
    }
}
