//! The SQLite session store: one connection on a thread of its own, which runs every session
//! read and write that is waiting in one transaction ("group commit").
//!
//! Why not `tower_sessions_sqlx_store::SqliteStore`: each sqlx SQLite query travels to its
//! connection's worker thread and back, and each is its own transaction with its own file
//! locks. A page view loads and saves its session (the count changes), so under load that was
//! two thread round trips and two transactions per request: the store, not SQLite, was the
//! cost (README, Performance). Here a request hands its operation to the thread and awaits the
//! answer; the thread takes everything queued meanwhile and runs it in one transaction, so the
//! wake-ups and locks are shared by all waiting requests.
//!
//! The table and its encoding are those of `SqliteStore` (`tower_sessions`: the id, the record
//! as MessagePack, the expiry as RFC 3339 text), so a data directory works with either.
//! Every write is committed before its request is answered: nothing is cached, so a session
//! logged out in one process is gone for every other process that shares the file.

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::{path::Path, sync::mpsc, thread};
use time::{format_description::well_known::Rfc3339, OffsetDateTime};
use tokio::sync::oneshot;
use tower_sessions::{
    session::{Id, Record},
    session_store::{self, ExpiredDeletion},
    SessionStore,
};

/// At most this many operations share a transaction, so one batch cannot hold the write lock
/// (which other processes on the same file wait for) for long.
const MAX_BATCH: usize = 128;

/// A handle to the store's thread; cheap to clone.
#[derive(Debug, Clone)]
pub struct SqliteSessions {
    jobs: mpsc::Sender<Job>,
}

/// Why the store could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot start the session store's thread: {0}")]
    Thread(std::io::Error),
    #[error(transparent)]
    Database(rusqlite::Error),
    #[error("the session store's thread ended while opening the database")]
    ThreadEnded,
}

/// One operation, encoded by the caller so the thread does only database work.
enum Op {
    Load { id: String, now: String },
    Create(Record),
    Save(Row),
    Delete(String),
    DeleteExpired,
    Close,
}

/// A session record as stored.
struct Row {
    id: String,
    data: Vec<u8>,
    expiry: String,
}

enum Done {
    Loaded(Option<Vec<u8>>),
    Created(Id),
    Written,
}

struct Job {
    op: Op,
    reply: oneshot::Sender<session_store::Result<Done>>,
}

impl SqliteSessions {
    /// Opens (and if needed creates) the session table in the database file at `path`, and
    /// starts the thread that serves it.
    pub async fn open(path: &Path) -> Result<SqliteSessions, OpenError> {
        let (jobs, queue) = mpsc::channel();
        let (opened, is_open) = oneshot::channel();
        let path = path.to_path_buf();
        thread::Builder::new()
            .name("sqlite-sessions".into())
            .spawn(move || match connect(&path) {
                Ok(connection) => {
                    let _ = opened.send(Ok(()));
                    serve(connection, queue);
                }
                Err(e) => {
                    let _ = opened.send(Err(e));
                }
            })
            .map_err(OpenError::Thread)?;
        match is_open.await {
            Ok(Ok(())) => Ok(SqliteSessions { jobs }),
            Ok(Err(e)) => Err(OpenError::Database(e)),
            Err(_) => Err(OpenError::ThreadEnded),
        }
    }

    /// Finishes the queued operations and closes the connection, which checkpoints the
    /// write-ahead log if no other connection is open. Later calls fail as an outage would.
    pub async fn close(&self) {
        let _ = self.call(Op::Close).await;
    }

    async fn call(&self, op: Op) -> session_store::Result<Done> {
        let (reply, answer) = oneshot::channel();
        self.jobs.send(Job { op, reply }).map_err(|_| closed())?;
        answer.await.map_err(|_| closed())?
    }
}

fn closed() -> session_store::Error {
    session_store::Error::Backend("the SQLite session store is closed".into())
}

fn backend(e: rusqlite::Error) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn encode(record: &Record) -> session_store::Result<Row> {
    Ok(Row {
        id: record.id.to_string(),
        data: rmp_serde::to_vec(record).map_err(|e| session_store::Error::Encode(e.to_string()))?,
        expiry: rfc3339(record.expiry_date)?,
    })
}

/// The expiry as text, exactly as sqlx encodes an `OffsetDateTime` for SQLite, so rows written
/// by either store compare alike.
fn rfc3339(at: OffsetDateTime) -> session_store::Result<String> {
    at.format(&Rfc3339)
        .map_err(|e| session_store::Error::Encode(e.to_string()))
}

fn unexpected() -> session_store::Error {
    session_store::Error::Backend("the SQLite session store answered out of turn".into())
}

#[async_trait::async_trait]
impl SessionStore for SqliteSessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self.call(Op::Create(record.clone())).await? {
            Done::Created(id) => {
                record.id = id;
                Ok(())
            }
            _ => Err(unexpected()),
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.call(Op::Save(encode(record)?)).await.map(|_| ())
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        let op = Op::Load {
            id: session_id.to_string(),
            now: rfc3339(OffsetDateTime::now_utc())?,
        };
        match self.call(op).await? {
            Done::Loaded(None) => Ok(None),
            Done::Loaded(Some(data)) => rmp_serde::from_slice(&data)
                .map(Some)
                .map_err(|e| session_store::Error::Decode(e.to_string())),
            _ => Err(unexpected()),
        }
    }

    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        self.call(Op::Delete(session_id.to_string()))
            .await
            .map(|_| ())
    }
}

#[async_trait::async_trait]
impl ExpiredDeletion for SqliteSessions {
    async fn delete_expired(&self) -> session_store::Result<()> {
        self.call(Op::DeleteExpired).await.map(|_| ())
    }
}

// ---- The thread ----

/// The same settings as the app's sqlx pools: write-ahead log (readers never wait for the
/// writer), `synchronous = NORMAL` (no fsync per commit; safe in WAL mode), and a wait for
/// other processes' locks.
fn connect(path: &Path) -> rusqlite::Result<Connection> {
    let connection = Connection::open(path)?;
    connection.busy_timeout(super::SQLITE_BUSY_TIMEOUT)?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    connection.execute_batch(
        "create table if not exists tower_sessions (
            id text primary key not null,
            data blob not null,
            expiry_date integer not null
        )",
    )?;
    Ok(connection)
}

/// Waits for work, then runs it together with whatever else has queued up meanwhile.
fn serve(mut connection: Connection, queue: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Ok(first) = queue.recv() {
        batch.push(first);
        batch.extend(queue.try_iter().take(MAX_BATCH - 1));
        let close = batch.iter().position(|job| matches!(job.op, Op::Close));
        let closing = close.map(|at| batch.remove(at));
        run_batch(&mut connection, &mut batch);
        if let Some(job) = closing {
            if let Err((_, e)) = connection.close() {
                tracing::warn!(error = %e, "closing the SQLite session store failed");
            }
            let _ = job.reply.send(Ok(Done::Written));
            return;
        }
    }
}

/// One transaction for the whole batch; each job gets its own answer once it is committed.
/// If the commit fails, every job in the batch gets that error: none of them took effect.
fn run_batch(connection: &mut Connection, batch: &mut Vec<Job>) {
    let writes = batch.iter().any(|job| !matches!(job.op, Op::Load { .. }));
    // A writing batch takes the write lock at once: a read-then-write transaction that found
    // the lock taken could not wait for it without failing.
    let behavior = if writes {
        TransactionBehavior::Immediate
    } else {
        TransactionBehavior::Deferred
    };
    let outcome = connection
        .transaction_with_behavior(behavior)
        .and_then(|transaction| {
            let answers: Vec<_> = batch
                .iter_mut()
                .map(|job| run(&transaction, &mut job.op))
                .collect();
            transaction.commit().map(|()| answers)
        });
    match outcome {
        Ok(answers) => {
            for (job, answer) in batch.drain(..).zip(answers) {
                let _ = job.reply.send(answer);
            }
        }
        Err(e) => {
            let message = e.to_string();
            for job in batch.drain(..) {
                let _ = job
                    .reply
                    .send(Err(session_store::Error::Backend(message.clone())));
            }
        }
    }
}

fn run(connection: &Connection, op: &mut Op) -> session_store::Result<Done> {
    match op {
        Op::Load { id, now } => connection
            .prepare_cached("select data from tower_sessions where id = ?1 and expiry_date > ?2")
            .and_then(|mut select| select.query_row(params![id.as_str(), now.as_str()], |row| row.get(0)).optional())
            .map(Done::Loaded)
            .map_err(backend),
        Op::Create(record) => loop {
            // A fresh id that is already taken (vanishingly rare) gets another, as in
            // `SqliteStore::create`.
            let row = encode(record)?;
            let inserted = connection
                .prepare_cached(
                    "insert into tower_sessions (id, data, expiry_date) values (?1, ?2, ?3)
                     on conflict(id) do nothing",
                )
                .and_then(|mut insert| insert.execute(params![row.id, row.data, row.expiry]))
                .map_err(backend)?;
            if inserted == 1 {
                return Ok(Done::Created(record.id));
            }
            record.id = Id::default();
        },
        Op::Save(row) => connection
            .prepare_cached(
                "insert into tower_sessions (id, data, expiry_date) values (?1, ?2, ?3)
                 on conflict(id) do update set data = excluded.data, expiry_date = excluded.expiry_date",
            )
            .and_then(|mut upsert| upsert.execute(params![row.id, row.data, row.expiry]))
            .map(|_| Done::Written)
            .map_err(backend),
        Op::Delete(id) => connection
            .prepare_cached("delete from tower_sessions where id = ?1")
            .and_then(|mut delete| delete.execute(params![id.as_str()]))
            .map(|_| Done::Written)
            .map_err(backend),
        Op::DeleteExpired => connection
            .execute(
                "delete from tower_sessions where datetime(expiry_date) < datetime('now')",
                [],
            )
            .map(|_| Done::Written)
            .map_err(backend),
        // Taken out of the batch by `serve`.
        Op::Close => Ok(Done::Written),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};
    use std::{collections::HashMap, path::PathBuf};
    use time::Duration as TimeDuration;
    use tower_sessions_sqlx_store::SqliteStore;

    fn record(count: i64, lives: TimeDuration) -> Record {
        Record {
            id: Id::default(),
            data: HashMap::from([("count".to_string(), serde_json::json!(count))]),
            expiry_date: OffsetDateTime::now_utc() + lives,
        }
    }

    fn count(record: &Record) -> i64 {
        record.data["count"].as_i64().unwrap()
    }

    /// A store on a new database file; the directory lives as long as the returned guard.
    async fn fresh_store() -> (tempfile::TempDir, PathBuf, SqliteSessions) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let store = SqliteSessions::open(&path).await.unwrap();
        (dir, path, store)
    }

    #[tokio::test]
    async fn saves_loads_and_deletes() {
        let (_dir, _, store) = fresh_store().await;
        let mut session = record(1, TimeDuration::hours(1));
        store.create(&mut session).await.unwrap();
        session.data.insert("count".into(), serde_json::json!(2));
        store.save(&session).await.unwrap();
        assert_eq!(count(&store.load(&session.id).await.unwrap().unwrap()), 2);
        store.delete(&session.id).await.unwrap();
        assert!(store.load(&session.id).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_taken_id_is_not_overwritten_by_create() {
        let (_dir, _, store) = fresh_store().await;
        let first = record(1, TimeDuration::hours(1));
        store.save(&first).await.unwrap();
        let mut second = record(2, TimeDuration::hours(1));
        second.id = first.id;
        store.create(&mut second).await.unwrap();
        assert_ne!(second.id, first.id);
        assert_eq!(count(&store.load(&first.id).await.unwrap().unwrap()), 1);
        assert_eq!(count(&store.load(&second.id).await.unwrap().unwrap()), 2);
    }

    #[tokio::test]
    async fn an_expired_record_is_not_loaded_and_is_deleted_by_housekeeping() {
        let (_dir, path, store) = fresh_store().await;
        let expired = record(1, TimeDuration::seconds(-5));
        let live = record(2, TimeDuration::hours(1));
        store.save(&expired).await.unwrap();
        store.save(&live).await.unwrap();
        assert!(store.load(&expired.id).await.unwrap().is_none());
        store.delete_expired().await.unwrap();
        let rows: i64 = Connection::open(&path)
            .unwrap()
            .query_row("select count(*) from tower_sessions", [], |row| row.get(0))
            .unwrap();
        assert_eq!(rows, 1);
        assert!(store.load(&live.id).await.unwrap().is_some());
    }

    /// Many requests at once share transactions; each must still get its own answer.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_requests_in_one_batch_each_get_their_own_answer() {
        let (_dir, _, store) = fresh_store().await;
        let tasks: Vec<_> = (0..300)
            .map(|n| {
                let store = store.clone();
                tokio::spawn(async move {
                    let session = record(n, TimeDuration::hours(1));
                    store.save(&session).await.unwrap();
                    let loaded = store.load(&session.id).await.unwrap().unwrap();
                    (n, count(&loaded))
                })
            })
            .collect();
        for task in tasks {
            let (saved, loaded) = task.await.unwrap();
            assert_eq!(saved, loaded);
        }
    }

    /// Two connections on one file, as two server processes on one machine: a logout in one
    /// is seen at once by the other.
    #[tokio::test]
    async fn two_stores_on_one_file_see_each_others_writes_and_deletes() {
        let (_dir, path, one) = fresh_store().await;
        let other = SqliteSessions::open(&path).await.unwrap();
        let session = record(7, TimeDuration::hours(1));
        one.save(&session).await.unwrap();
        assert_eq!(count(&other.load(&session.id).await.unwrap().unwrap()), 7);
        other.delete(&session.id).await.unwrap();
        assert!(one.load(&session.id).await.unwrap().is_none());
    }

    /// The same table and encoding as tower-sessions-sqlx-store's `SqliteStore`, both ways.
    #[tokio::test]
    async fn records_are_interchangeable_with_the_published_sqlite_store() {
        let (_dir, path, ours) = fresh_store().await;
        let pool = SqlitePool::connect_with(SqliteConnectOptions::new().filename(&path))
            .await
            .unwrap();
        let published = SqliteStore::new(pool);

        let mut from_published = record(3, TimeDuration::hours(1));
        published.create(&mut from_published).await.unwrap();
        assert_eq!(
            ours.load(&from_published.id).await.unwrap(),
            Some(from_published)
        );

        let from_ours = record(4, TimeDuration::hours(1));
        ours.save(&from_ours).await.unwrap();
        assert_eq!(
            published.load(&from_ours.id).await.unwrap(),
            Some(from_ours.clone())
        );

        let expired = record(5, TimeDuration::seconds(-5));
        ours.save(&expired).await.unwrap();
        assert!(published.load(&expired.id).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_closed_store_answers_with_an_error() {
        let (_dir, _, store) = fresh_store().await;
        store.close().await;
        let session = record(1, TimeDuration::hours(1));
        assert!(matches!(
            store.save(&session).await,
            Err(session_store::Error::Backend(_))
        ));
    }

    #[tokio::test]
    async fn a_path_that_cannot_be_opened_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no such directory").join("s.db");
        assert!(matches!(
            SqliteSessions::open(&missing).await,
            Err(OpenError::Database(_))
        ));
    }
}
