//! The memory session store: records in this process's memory, gone at restart.
//!
//! Why not `tower_sessions::MemoryStore`: its `save` inserts whatever it is given, so a request
//! that loaded a session before its logout and saves after it brings the deleted record back
//! (docs/security.md, "A logout is final"); and it never drops an expired record it is not
//! asked for, so abandoned sessions pile up until restart. Here `save` only updates a record
//! that is still there, and the minute-ly housekeeping sweeps expired ones.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard},
};
use time::OffsetDateTime;
use tower_sessions::{
    session::{Id, Record},
    session_store::{self, ExpiredDeletion},
    SessionStore,
};

/// A handle to the records; cheap to clone, every clone sees the same records.
#[derive(Debug, Clone, Default)]
pub struct MemorySessions {
    records: Arc<Mutex<HashMap<Id, Record>>>,
}

impl MemorySessions {
    fn lock(&self) -> MutexGuard<'_, HashMap<Id, Record>> {
        // A panic while holding the lock leaves whole records behind: keep using them.
        self.records.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many records are held, expired ones included: for tests of the sweep.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }
}

fn is_live(record: &Record, now: OffsetDateTime) -> bool {
    record.expiry_date > now
}

#[async_trait::async_trait]
impl SessionStore for MemorySessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let mut records = self.lock();
        while records.contains_key(&record.id) {
            record.id = Id::default();
        }
        records.insert(record.id, record.clone());
        Ok(())
    }

    /// Updates a live record; a record deleted (logged out) or expired meanwhile stays gone.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let now = OffsetDateTime::now_utc();
        if let Some(stored) = self.lock().get_mut(&record.id) {
            if is_live(stored, now) {
                *stored = record.clone();
            }
        }
        Ok(())
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        let now = OffsetDateTime::now_utc();
        let mut records = self.lock();
        match records.get(session_id) {
            Some(record) if is_live(record, now) => Ok(Some(record.clone())),
            Some(_) => {
                records.remove(session_id);
                Ok(None)
            }
            None => Ok(None),
        }
    }

    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        self.lock().remove(session_id);
        Ok(())
    }
}

#[async_trait::async_trait]
impl ExpiredDeletion for MemorySessions {
    async fn delete_expired(&self) -> session_store::Result<()> {
        let now = OffsetDateTime::now_utc();
        self.lock().retain(|_, record| is_live(record, now));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;

    fn record(lives: Duration) -> Record {
        Record {
            id: Id::default(),
            data: HashMap::from([("count".to_string(), serde_json::json!(1))]),
            expiry_date: OffsetDateTime::now_utc() + lives,
        }
    }

    #[tokio::test]
    async fn a_save_after_a_delete_does_not_bring_the_record_back() {
        let store = MemorySessions::default();
        let mut session = record(Duration::hours(1));
        store.create(&mut session).await.unwrap();
        let loaded = store.load(&session.id).await.unwrap().unwrap();
        store.delete(&session.id).await.unwrap();
        store.save(&loaded).await.unwrap();
        assert!(store.load(&session.id).await.unwrap().is_none());
        assert_eq!(store.len(), 0);
    }

    #[tokio::test]
    async fn housekeeping_drops_expired_records_nobody_asks_for() {
        let store = MemorySessions::default();
        let mut expired = record(Duration::seconds(-5));
        let mut live = record(Duration::hours(1));
        store.create(&mut expired).await.unwrap();
        store.create(&mut live).await.unwrap();
        assert_eq!(store.len(), 2);
        store.delete_expired().await.unwrap();
        assert_eq!(store.len(), 1);
        assert!(store.load(&live.id).await.unwrap().is_some());
    }

    #[tokio::test]
    async fn an_expired_record_is_not_loaded_and_is_dropped() {
        let store = MemorySessions::default();
        let mut expired = record(Duration::seconds(-1));
        store.create(&mut expired).await.unwrap();
        assert!(store.load(&expired.id).await.unwrap().is_none());
        assert_eq!(store.len(), 0);
    }

    #[tokio::test]
    async fn create_never_overwrites_a_taken_id() {
        let store = MemorySessions::default();
        let mut first = record(Duration::hours(1));
        store.create(&mut first).await.unwrap();
        let mut second = record(Duration::hours(1));
        second.id = first.id;
        store.create(&mut second).await.unwrap();
        assert_ne!(first.id, second.id);
        assert_eq!(store.len(), 2);
    }
}
