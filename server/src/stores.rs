//! Opens the stores the configuration names: the account database (SQLite or PostgreSQL), and
//! the session store with the carts and the JWT denylist beside it (process memory, SQLite,
//! PostgreSQL or Redis), so every process that shares the session store shares all three.

use crate::config::{AccountDb, ServerUrl, Settings, StoreLocation};
use app::{
    accounts::store::AccountStore,
    jwt::refresh::RefreshStore,
    logins::{revocation::RevocationStore, store::LoginStore},
    sessions::SessionStoreInfo,
    shop::cart::CartStore,
};
use async_trait::async_trait;
use sqlx::{
    postgres::{PgPool, PgPoolOptions},
    sqlite::{
        SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
    },
};
use std::{path::Path, sync::Arc, time::Duration};
use tower_sessions::{
    session::{Id, Record},
    session_store::{self, ExpiredDeletion},
    SessionStore,
};
use tower_sessions_redis_store::fred::prelude::{
    Builder, ClientLike, Config as RedisConfig, Pool as RedisPool, ReconnectPolicy,
};

/// The accounts table (SQLite or PostgreSQL).
pub mod accounts;
/// Carts: memory, SQL, Redis.
pub mod carts;
/// The index of logins (the sessions page): memory, SQL, Redis.
pub mod logins;
/// The API's refresh tokens: memory, SQL, Redis.
pub mod refresh;
/// The JWT denylist: memory, SQL, Redis.
pub mod revocations;
/// One SQL text for SQLite and PostgreSQL: the pool and `with_pool!`.
pub mod sql;

mod memory_sessions;
mod postgres_sessions;
mod redis_sessions;
mod sqlite_sessions;
pub use accounts::SqlAccounts;
use carts::{MemoryCarts, RedisCarts, SqlCarts, SqliteCarts};
use logins::{MemoryLogins, RedisLogins, SqlLogins};
pub use memory_sessions::MemorySessions;
pub use postgres_sessions::PostgresSessions;
pub use redis_sessions::RedisSessions;
use refresh::{MemoryRefresh, RedisRefresh, SqlRefresh};
use revocations::{MemoryRevocations, RedisRevocations, SqlRevocations, SqliteRevocations};
pub use sql::SqlPool;
pub use sqlite_sessions::{SqliteSessions, Tuning as SqliteTuning};

/// How long a request waits for a database connection or a Redis answer before it gives up
/// with `503`: an outage must not hang every request.
const STORE_TIMEOUT: Duration = Duration::from_secs(2);

/// How long a SQLite statement waits for another connection's (or process's) write lock
/// before it fails; the pools and the session store's own connection alike.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The session store chosen by configuration. tower-sessions wants one concrete store type;
/// this enum is it, delegating to the store behind each variant.
///
/// Every variant has the same semantics, which the logout promise rests on: `create` inserts
/// under a fresh id, `save` only **updates a record that is still there** (a request that
/// loaded a session before its logout cannot re-create it by saving after), `delete` removes.
/// Each is ours or wraps the published store (see each module).
#[derive(Debug, Clone)]
pub enum SessionBackend {
    Memory(MemorySessions),
    Sqlite(SqliteSessions),
    Postgres(PostgresSessions),
    Redis(RedisSessions),
}

impl SessionBackend {
    /// What `/api/echo` tells learners about this store.
    pub fn info(&self) -> SessionStoreInfo {
        let (kind, survives_restart) = match self {
            SessionBackend::Memory(_) => ("memory", false),
            SessionBackend::Sqlite(_) => ("SQLite", true),
            SessionBackend::Postgres(_) => ("PostgreSQL", true),
            SessionBackend::Redis(_) => ("Redis", true),
        };
        SessionStoreInfo {
            kind,
            survives_restart,
        }
    }
}

macro_rules! delegate {
    ($self:ident, $store:ident => $call:expr) => {
        match $self {
            SessionBackend::Memory($store) => $call,
            SessionBackend::Sqlite($store) => $call,
            SessionBackend::Postgres($store) => $call,
            SessionBackend::Redis($store) => $call,
        }
    };
}

#[async_trait]
impl SessionStore for SessionBackend {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        delegate!(self, store => store.create(record).await)
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        delegate!(self, store => store.save(record).await)
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        delegate!(self, store => store.load(session_id).await)
    }

    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        delegate!(self, store => store.delete(session_id).await)
    }
}

impl Stores {
    /// The accounts adapter over the account database.
    pub fn account_store(&self) -> Arc<dyn AccountStore> {
        Arc::new(SqlAccounts::new(self.accounts.clone()))
    }
}

/// Everything that keeps state, opened and migrated.
pub struct Stores {
    pub accounts: SqlPool,
    pub sessions: SessionBackend,
    pub carts: Arc<dyn CartStore>,
    /// The JWT denylist, beside the sessions so every process sharing them sees it.
    pub revocations: Arc<dyn RevocationStore>,
    /// The index of every account's logins, for the sessions page.
    pub logins: Arc<dyn LoginStore>,
    /// The API's refresh tokens (hashes only) and their families.
    pub refresh: Arc<dyn RefreshStore>,
    /// The session database's pool, when sessions are in SQL (pinged, closed at shutdown).
    sessions_db: Option<SqlPool>,
    /// The Redis pool, when sessions are in Redis.
    redis: Option<RedisPool>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot open the {what} database at {location}: {source}")]
    Open {
        what: &'static str,
        location: String,
        source: sqlx::Error,
    },
    #[error("cannot connect to Redis at {location}: {reason}")]
    Redis { location: String, reason: String },
    #[error("cannot migrate the {what} database: {source}")]
    Migrate {
        what: &'static str,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

fn migrate_error<E>(what: &'static str) -> impl FnOnce(E) -> StoreError
where
    E: std::error::Error + Send + Sync + 'static,
{
    move |e| StoreError::Migrate {
        what,
        source: Box::new(e),
    }
}

impl Stores {
    /// Opens every store. `deployment` names this deployment in the Redis keys that hold
    /// account ids (see [`logins::RedisLogins`]); every instance of it passes the same.
    pub async fn open(settings: &Settings, deployment: &str) -> Result<Stores, StoreError> {
        std::fs::create_dir_all(&settings.data_dir).map_err(|source| StoreError::DataDir {
            path: settings.data_dir.display().to_string(),
            source,
        })?;
        let accounts = open_accounts(&settings.account_db).await?;

        let stores = match &settings.session_store {
            StoreLocation::Memory => Stores {
                accounts,
                sessions: SessionBackend::Memory(MemorySessions::default()),
                carts: Arc::new(MemoryCarts::default()),
                revocations: Arc::new(MemoryRevocations::default()),
                logins: Arc::new(MemoryLogins::default()),
                refresh: Arc::new(MemoryRefresh::default()),
                sessions_db: None,
                redis: None,
            },
            StoreLocation::Sqlite(path) => {
                let pool = open_sqlite("session", path).await?;
                let store = SqliteSessions::open(path)
                    .await
                    .map_err(migrate_error("session"))?;
                Stores::beside_sql_sessions(
                    accounts,
                    SessionBackend::Sqlite(store),
                    SqlPool::Sqlite(pool),
                )
                .await?
            }
            StoreLocation::Postgres(url) => {
                let pool = open_postgres("session", url).await?;
                let store = PostgresSessions::new(pool.clone());
                store.migrate().await.map_err(migrate_error("session"))?;
                Stores::beside_sql_sessions(
                    accounts,
                    SessionBackend::Postgres(store),
                    SqlPool::Postgres(pool),
                )
                .await?
            }
            StoreLocation::Redis(url) => {
                let pool = open_redis(url).await?;
                Stores {
                    accounts,
                    sessions: SessionBackend::Redis(RedisSessions::new(pool.clone())),
                    carts: Arc::new(RedisCarts::new(
                        pool.clone(),
                        settings.session_absolute_timeout,
                    )),
                    revocations: Arc::new(RedisRevocations::new(pool.clone())),
                    logins: Arc::new(RedisLogins::new(pool.clone(), deployment)),
                    refresh: Arc::new(RedisRefresh::new(pool.clone())),
                    sessions_db: None,
                    redis: Some(pool),
                }
            }
        };
        Ok(stores)
    }

    /// Carts, the denylist, the logins and the refresh tokens as tables in the SQL session
    /// database.
    async fn beside_sql_sessions(
        accounts: SqlPool,
        sessions: SessionBackend,
        pool: SqlPool,
    ) -> Result<Stores, StoreError> {
        let carts = SqlCarts::new(pool.clone());
        carts.migrate().await.map_err(migrate_error("cart"))?;
        let revocations = SqlRevocations::new(pool.clone());
        revocations
            .migrate()
            .await
            .map_err(migrate_error("revocation"))?;
        // Beside our SQLite session store, a page view's cart and denylist statements join
        // the session store's batches (stores/sqlite_sessions.rs).
        let (carts, revocations): (Arc<dyn CartStore>, Arc<dyn RevocationStore>) = match &sessions {
            SessionBackend::Sqlite(thread) => (
                Arc::new(SqliteCarts::new(thread.clone(), carts)),
                Arc::new(SqliteRevocations::new(thread.clone(), revocations)),
            ),
            _ => (Arc::new(carts), Arc::new(revocations)),
        };
        let logins = SqlLogins::new(pool.clone());
        logins.migrate().await.map_err(migrate_error("login"))?;
        let refresh = SqlRefresh::new(pool.clone());
        refresh
            .migrate()
            .await
            .map_err(migrate_error("refresh token"))?;
        Ok(Stores {
            accounts,
            sessions,
            carts,
            revocations,
            logins: Arc::new(logins),
            refresh: Arc::new(refresh),
            sessions_db: Some(pool),
            redis: None,
        })
    }

    /// Deletes expired sessions, abandoned carts, revocations of tokens that have expired
    /// anyway, and logins and refresh tokens past their end. Runs in the background, once a minute. (Redis expires its keys itself.)
    pub async fn delete_expired(&self, cart_idle: Duration) {
        let expired = match &self.sessions {
            SessionBackend::Memory(store) => store.delete_expired().await,
            SessionBackend::Sqlite(store) => store.delete_expired().await,
            SessionBackend::Postgres(store) => store.delete_expired().await,
            SessionBackend::Redis(_) => Ok(()),
        };
        if let Err(e) = expired {
            tracing::warn!(error = %e, "deleting expired sessions failed");
        }
        swept("abandoned carts", self.carts.delete_idle(cart_idle).await);
        swept(
            "expired revocations",
            self.revocations.delete_expired().await,
        );
        swept("ended logins", self.logins.delete_expired().await);
        swept(
            "refresh tokens of ended logins",
            self.refresh.delete_expired().await,
        );
    }

    /// Whether the session store answers: for `/readyz`.
    pub async fn ping_sessions(&self) -> bool {
        // Our SQLite store answers from its own thread: ask the thread, not only the pool.
        if let SessionBackend::Sqlite(store) = &self.sessions {
            if store.ping().await.is_err() {
                return false;
            }
        }
        if let Some(pool) = &self.sessions_db {
            return pool.ping().await.is_ok();
        }
        if let Some(redis) = &self.redis {
            return redis.ping::<String>(None).await.is_ok();
        }
        true
    }

    /// Closes the pools: SQLite checkpoints its write-ahead log into the database files.
    pub async fn close(&self) {
        // The session thread's connection first, so the pool's is the last to close.
        if let SessionBackend::Sqlite(store) = &self.sessions {
            store.close().await;
        }
        if let Some(pool) = &self.sessions_db {
            pool.close().await;
        }
        if let Some(redis) = &self.redis {
            let _ = redis.quit().await;
        }
        self.accounts.close().await;
    }
}

/// Logs what one sweep of [`Stores::delete_expired`] removed, or that it failed.
fn swept(what: &str, result: Result<u64, app::error::AppError>) {
    match result {
        Ok(0) => {}
        Ok(n) => tracing::debug!(deleted = n, "deleted {what}"),
        Err(_) => tracing::warn!("deleting {what} failed"),
    }
}

async fn open_accounts(location: &AccountDb) -> Result<SqlPool, StoreError> {
    let migrate = migrate_error::<sqlx::Error>("account");
    match location {
        AccountDb::Sqlite(path) => {
            let pool = open_sqlite("account", path).await?;
            sqlx::migrate!("./migrations/accounts/sqlite")
                .run(&pool)
                .await
                .map_err(|e| migrate(e.into()))?;
            Ok(SqlPool::Sqlite(pool))
        }
        AccountDb::Postgres(url) => {
            let pool = open_postgres("account", url).await?;
            sqlx::migrate!("./migrations/accounts/postgres")
                .run(&pool)
                .await
                .map_err(|e| migrate(e.into()))?;
            Ok(SqlPool::Postgres(pool))
        }
    }
}

/// SQLite in WAL mode: readers never wait for the writer, and a writer waits (busy timeout)
/// instead of failing when another process holds the lock.
///
/// One connection per database and process: SQLite runs one write at a time anyway, and with
/// several connections concurrent writers met the lock and slept in SQLite's busy handler
/// (milliseconds each); queueing in the pool instead is faster (docs/performance.md).
///
/// No ping before each checkout (sqlx's `test_before_acquire`): a SQLite connection is a file
/// handle on a worker thread in this process, not a socket that can silently die, and each
/// ping was one more round trip to that thread per query (docs/performance.md).
async fn open_sqlite(what: &'static str, path: &Path) -> Result<SqlitePool, StoreError> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(SQLITE_BUSY_TIMEOUT)
        .foreign_keys(true);
    SqlitePoolOptions::new()
        .max_connections(1)
        .test_before_acquire(false)
        .connect_with(options)
        .await
        .map_err(|source| StoreError::Open {
            what,
            location: path.display().to_string(),
            source,
        })
}

/// PostgreSQL: connections are checked out for at most [`STORE_TIMEOUT`], so an outage answers
/// `503` quickly; the pool reconnects by itself when the server is back.
async fn open_postgres(what: &'static str, url: &ServerUrl) -> Result<PgPool, StoreError> {
    PgPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(STORE_TIMEOUT)
        .connect(url.expose())
        .await
        .map_err(|source| StoreError::Open {
            what,
            location: url.to_string(),
            source,
        })
}

/// Redis through fred: command and connection timeouts, and a reconnect policy that never
/// gives up (exponential backoff from 100 ms to 2 s), so the app recovers without a restart.
async fn open_redis(url: &ServerUrl) -> Result<RedisPool, StoreError> {
    let failed = |reason: String| StoreError::Redis {
        location: url.to_string(),
        reason,
    };
    let config = RedisConfig::from_url(url.expose()).map_err(|e| failed(e.to_string()))?;
    let pool = Builder::from_config(config)
        .with_connection_config(|connection| {
            connection.connection_timeout = STORE_TIMEOUT;
            connection.internal_command_timeout = STORE_TIMEOUT;
        })
        .with_performance_config(|performance| {
            performance.default_command_timeout = STORE_TIMEOUT;
        })
        .set_policy(ReconnectPolicy::new_exponential(0, 100, 2_000, 2))
        .build_pool(4)
        .map_err(|e| failed(e.to_string()))?;
    pool.init().await.map_err(|e| failed(e.to_string()))?;
    Ok(pool)
}
