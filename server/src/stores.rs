//! Opens the databases and stores the configuration names: the account database, and the
//! session store with the carts beside it (one SQLite file, or process memory).

use crate::config::{Settings, StoreLocation};
use app::{
    jwt::revocation::{MemoryRevocations, RevocationStore, SqliteRevocations},
    shop::cart::{CartStore, MemoryCarts, SqliteCarts},
};
use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::{path::Path, sync::Arc, time::Duration};
use tower_sessions::{
    session::{Id, Record},
    session_store::{self, ExpiredDeletion},
    MemoryStore, SessionStore,
};
use tower_sessions_sqlx_store::SqliteStore;

/// The session store chosen by configuration. tower-sessions wants one concrete store type;
/// this enum is it, delegating to the published store behind each variant.
#[derive(Debug, Clone)]
pub enum SessionBackend {
    Memory(MemoryStore),
    Sqlite(SqliteStore),
}

#[async_trait]
impl SessionStore for SessionBackend {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            SessionBackend::Memory(store) => store.create(record).await,
            SessionBackend::Sqlite(store) => store.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            SessionBackend::Memory(store) => store.save(record).await,
            SessionBackend::Sqlite(store) => store.save(record).await,
        }
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            SessionBackend::Memory(store) => store.load(session_id).await,
            SessionBackend::Sqlite(store) => store.load(session_id).await,
        }
    }

    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        match self {
            SessionBackend::Memory(store) => store.delete(session_id).await,
            SessionBackend::Sqlite(store) => store.delete(session_id).await,
        }
    }
}

/// Everything that keeps state, opened and migrated.
pub struct Stores {
    pub accounts_pool: SqlitePool,
    pub sessions: SessionBackend,
    pub carts: Arc<dyn CartStore>,
    /// The JWT denylist, beside the sessions so every process sharing them sees it.
    pub revocations: Arc<dyn RevocationStore>,
    /// The session database's pool, when sessions are in SQLite (closed at shutdown).
    pub sessions_pool: Option<SqlitePool>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot open the {what} database at {path}: {source}")]
    Open {
        what: &'static str,
        path: String,
        source: sqlx::Error,
    },
    #[error("cannot migrate the {what} database: {source}")]
    Migrate {
        what: &'static str,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl Stores {
    pub async fn open(settings: &Settings) -> Result<Stores, StoreError> {
        std::fs::create_dir_all(&settings.data_dir).map_err(|source| StoreError::DataDir {
            path: settings.data_dir.display().to_string(),
            source,
        })?;
        let accounts_pool = open_sqlite("account", &settings.account_db).await?;
        sqlx::migrate!("./migrations/accounts")
            .run(&accounts_pool)
            .await
            .map_err(|e| StoreError::Migrate {
                what: "account",
                source: Box::new(e),
            })?;

        let stores = match &settings.session_store {
            StoreLocation::Memory => Stores {
                accounts_pool,
                sessions: SessionBackend::Memory(MemoryStore::default()),
                carts: Arc::new(MemoryCarts::default()),
                revocations: Arc::new(MemoryRevocations::default()),
                sessions_pool: None,
            },
            StoreLocation::Sqlite(path) => {
                let pool = open_sqlite("session", path).await?;
                let store = SqliteStore::new(pool.clone());
                store.migrate().await.map_err(|e| StoreError::Migrate {
                    what: "session",
                    source: Box::new(e),
                })?;
                let carts = SqliteCarts::new(pool.clone());
                carts.migrate().await.map_err(|e| StoreError::Migrate {
                    what: "cart",
                    source: Box::new(e),
                })?;
                let revocations = SqliteRevocations::new(pool.clone());
                revocations
                    .migrate()
                    .await
                    .map_err(|e| StoreError::Migrate {
                        what: "revocation",
                        source: Box::new(e),
                    })?;
                Stores {
                    accounts_pool,
                    sessions: SessionBackend::Sqlite(store),
                    carts: Arc::new(carts),
                    revocations: Arc::new(revocations),
                    sessions_pool: Some(pool),
                }
            }
        };
        Ok(stores)
    }

    /// Deletes expired sessions, abandoned carts and revocations of tokens that have expired
    /// anyway. Runs in the background, once a minute.
    pub async fn delete_expired(&self, cart_idle: Duration) {
        if let SessionBackend::Sqlite(store) = &self.sessions {
            if let Err(e) = store.delete_expired().await {
                tracing::warn!(error = %e, "deleting expired sessions failed");
            }
        }
        // The memory store drops expired sessions when they are loaded; its carts go here.
        match self.carts.delete_idle(cart_idle).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(carts = n, "deleted abandoned carts"),
            Err(_) => tracing::warn!("deleting abandoned carts failed"),
        }
        match self.revocations.delete_expired().await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(revocations = n, "deleted expired revocations"),
            Err(_) => tracing::warn!("deleting expired revocations failed"),
        }
    }

    /// Whether every store answers: for `/readyz`.
    pub async fn ping_sessions(&self) -> bool {
        match &self.sessions_pool {
            Some(pool) => sqlx::query("SELECT 1").execute(pool).await.is_ok(),
            None => true,
        }
    }

    /// Closes the pools, which checkpoints SQLite's write-ahead log into the database files.
    pub async fn close(&self) {
        if let Some(pool) = &self.sessions_pool {
            pool.close().await;
        }
        self.accounts_pool.close().await;
    }
}

/// SQLite in WAL mode: readers never wait for the writer, and a writer waits (busy timeout)
/// instead of failing when another holds the lock.
async fn open_sqlite(what: &'static str, path: &Path) -> Result<SqlitePool, StoreError> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true);
    SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .map_err(|source| StoreError::Open {
            what,
            path: path.display().to_string(),
            source,
        })
}
