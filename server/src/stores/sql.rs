//! One SQL text, two databases. The account, cart and revocation adapters write their SQL once,
//! in the dialect SQLite and PostgreSQL share (`$1` placeholders, `ON CONFLICT`, `RETURNING`,
//! times bound by the application instead of `unixepoch()`/`now()`), and [`with_pool!`] runs
//! it on whichever pool the configuration chose, through that database's own driver.

use app::error::AppError;
use sqlx::{PgPool, SqlitePool};

#[derive(Clone, Debug)]
pub enum SqlPool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl SqlPool {
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        crate::with_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))
    }

    pub async fn close(&self) {
        crate::with_pool!(self, pool => pool.close().await)
    }
}

/// Evaluates `$body` with `$pool` bound to the concrete pool (`&SqlitePool` or `&PgPool`).
/// The body is compiled once per database, so it must type-check against both.
#[macro_export]
macro_rules! with_pool {
    ($sql_pool:expr, $pool:ident => $body:expr) => {
        match $sql_pool {
            $crate::stores::sql::SqlPool::Sqlite($pool) => $body,
            $crate::stores::sql::SqlPool::Postgres($pool) => $body,
        }
    };
}

/// Unix seconds as SQL integers (`BIGINT` in PostgreSQL).
pub fn unix_now() -> i64 {
    app::clock::unix_now() as i64
}

/// A stored time or count (`BIGINT`) as the app's unsigned number; a negative value, which
/// the app never writes, reads as 0.
pub fn unsigned(value: i64) -> u64 {
    value.max(0) as u64
}

/// Connection-level failures mean "the database is not there right now" (`503`); anything
/// else is a bug or a broken schema (`500`).
pub fn database_error(err: sqlx::Error) -> AppError {
    use sqlx::Error::*;
    match err {
        PoolTimedOut | PoolClosed | Io(_) | Tls(_) | Protocol(_) | WorkerCrashed => {
            AppError::unavailable("database", err)
        }
        _ => AppError::internal("database error", err),
    }
}

/// Redis failing is the store being unavailable (`503`).
pub fn redis_error(err: fred::error::Error) -> AppError {
    AppError::unavailable("redis", err)
}
