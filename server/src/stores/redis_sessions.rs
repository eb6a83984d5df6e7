//! The Redis session store: `tower_sessions_redis_store::RedisStore` (its keys, its encoding,
//! its create, load and delete), with one change: a `save` of a record that is gone succeeds
//! and does nothing.
//!
//! The published `save` is `SET … XX` (only if the key exists), which already never brings a
//! deleted record back; but Redis answers a skipped `SET` with nil, which the published store
//! reads as an error, so a request that loaded a session before its logout and saved after
//! it got a `503`. Here that nil is what it means: the record is gone, nothing to save.

use time::OffsetDateTime;
use tower_sessions::{
    session::{Id, Record},
    session_store, SessionStore,
};
use tower_sessions_redis_store::{
    fred::{
        prelude::{KeysInterface, Pool},
        types::{Expiration, SetOptions},
    },
    RedisStore,
};

/// `RedisStore` with a `save` that treats a missing record as nothing to do.
#[derive(Debug, Clone)]
pub struct RedisSessions {
    store: RedisStore<Pool>,
    pool: Pool,
}

impl RedisSessions {
    pub fn new(pool: Pool) -> Self {
        Self {
            store: RedisStore::new(pool.clone()),
            pool,
        }
    }
}

#[async_trait::async_trait]
impl SessionStore for RedisSessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.store.create(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data =
            rmp_serde::to_vec(record).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        let expiry = Expiration::EXAT(OffsetDateTime::unix_timestamp(record.expiry_date));
        // "OK" when the key was there and is updated, nil when it is gone.
        let _: Option<String> = self
            .pool
            .set(
                record.id.to_string(),
                data.as_slice(),
                Some(expiry),
                Some(SetOptions::XX),
                false,
            )
            .await
            .map_err(|e| session_store::Error::Backend(e.to_string()))?;
        Ok(())
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        self.store.load(session_id).await
    }

    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        self.store.delete(session_id).await
    }
}
