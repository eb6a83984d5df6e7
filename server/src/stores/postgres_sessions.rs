//! The PostgreSQL session store: `tower_sessions_sqlx_store::PostgresStore` (its table, its
//! encoding, its create, load and delete), with one change: `save` only updates a record that
//! is still there and has not expired.
//!
//! The published `save` is an upsert (`insert … on conflict do update`), so a request that
//! loaded a session before its logout and saved after it re-created the deleted record
//! (docs/security.md, "A logout is final"). New records go through `create`, which
//! tower-sessions calls for every new id (a login's included), so `save` never needs to insert.

use sqlx::PgPool;
use time::OffsetDateTime;
use tower_sessions::{
    session::{Id, Record},
    session_store::{self, ExpiredDeletion},
    SessionStore,
};
use tower_sessions_sqlx_store::PostgresStore;

/// `PostgresStore` with an update-only `save`.
#[derive(Debug, Clone)]
pub struct PostgresSessions {
    store: PostgresStore,
    pool: PgPool,
}

impl PostgresSessions {
    /// The store on `pool`, in `PostgresStore`'s default schema and table.
    pub fn new(pool: PgPool) -> Self {
        Self {
            store: PostgresStore::new(pool.clone()),
            pool,
        }
    }

    /// Creates the schema and table if they are missing.
    pub async fn migrate(&self) -> Result<(), sqlx::Error> {
        self.store.migrate().await
    }
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

#[async_trait::async_trait]
impl SessionStore for PostgresSessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.store.create(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data =
            rmp_serde::to_vec(record).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        // The schema and table names are `PostgresStore::new`'s defaults.
        sqlx::query(
            r#"update "tower_sessions"."session" set data = $2, expiry_date = $3
               where id = $1 and expiry_date > $4"#,
        )
        .bind(record.id.to_string())
        .bind(data)
        .bind(record.expiry_date)
        .bind(OffsetDateTime::now_utc())
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        self.store.load(session_id).await
    }

    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        self.store.delete(session_id).await
    }
}

#[async_trait::async_trait]
impl ExpiredDeletion for PostgresSessions {
    async fn delete_expired(&self) -> session_store::Result<()> {
        self.store.delete_expired().await
    }
}
