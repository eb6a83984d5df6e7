//! The SQLite session store: one connection on a thread of its own, which runs every session
//! read and write that is waiting in one transaction ("group commit").
//!
//! Why not `tower_sessions_sqlx_store::SqliteStore`: each sqlx SQLite query travels to its
//! connection's worker thread and back, and each is its own transaction with its own file
//! locks. A page view loads and saves its session (the count changes), so under load that was
//! two thread round trips and two transactions per request: the store, not SQLite, was the
//! cost (docs/performance.md). Here a request hands its operation to the thread and awaits the
//! answer; the thread takes everything queued meanwhile and runs it in one transaction, so the
//! wake-ups and locks are shared by all waiting requests.
//!
//! The table and its encoding are those of `SqliteStore` (`tower_sessions`: the id, the record
//! as MessagePack, the expiry as RFC 3339 text), so a data directory works with either.
//! Every write is committed before its request is answered: nothing is cached, so a session
//! logged out in one process is gone for every other process that shares the file.
//!
//! What keeps it honest under load and failure (docs/security.md):
//! - `save` only updates a live record: a request that loaded a session before its logout
//!   cannot bring it back by saving after it (new records come through `create`);
//! - each job is one statement, which SQLite applies whole or not at all, so a failing job
//!   undoes only itself; if the whole transaction is lost every job of the batch is told so
//!   (none took effect) and no later job runs outside it;
//! - the queue is bounded and every call waits at most [`Tuning::timeout`]: an overloaded or
//!   stuck store answers `503` like an unreachable database instead of piling up requests;
//! - `ping` goes through the thread, so `/readyz` sees a store whose thread is gone.
//!
//! The carts and the JWT denylist's hot statements run here too ([`SqliteSessions::run`],
//! `stores/carts.rs`, `stores/revocations.rs`): a page view that reads its session and its
//! cart, or checks the denylist, then wakes one thread and shares one transaction instead of
//! also crossing to sqlx's worker thread (docs/performance.md).

use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use std::{any::Any, path::Path, sync::mpsc, thread, time::Duration};
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

/// How much the store takes on before it says it is busy.
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    /// Operations waiting for the thread; one more is refused at once.
    pub queue: usize,
    /// How long a call waits for its answer before it fails (as a database timeout would).
    pub timeout: Duration,
}

impl Default for Tuning {
    fn default() -> Self {
        Self {
            // Sixteen full batches: far more than a healthy store ever has waiting.
            queue: 16 * MAX_BATCH,
            timeout: super::STORE_TIMEOUT,
        }
    }
}

/// A handle to the store's thread; cheap to clone.
#[derive(Debug, Clone)]
pub struct SqliteSessions {
    jobs: mpsc::SyncSender<Job>,
    timeout: Duration,
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

/// A statement on another table of the same database (one statement: see [`run_alone`]).
type Statement = Box<dyn FnOnce(&Connection) -> rusqlite::Result<Box<dyn Any + Send>> + Send>;

/// One operation, encoded by the caller so the thread does only database work.
enum Op {
    Other {
        writes: bool,
        statement: Option<Statement>,
    },
    Load {
        id: String,
        now: String,
    },
    Create(Record),
    Save {
        row: Row,
        now: String,
    },
    Delete(String),
    DeleteExpired,
    Ping,
    Close,
}

/// A session record as stored.
struct Row {
    id: String,
    data: Vec<u8>,
    expiry: String,
}

enum Done {
    Value(Box<dyn Any + Send>),
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
        Self::open_with(path, Tuning::default()).await
    }

    /// [`open`](Self::open) with another queue length and timeout.
    pub async fn open_with(path: &Path, tuning: Tuning) -> Result<SqliteSessions, OpenError> {
        let (jobs, queue) = mpsc::sync_channel(tuning.queue);
        let (opened, is_open) = oneshot::channel();
        let path = path.to_path_buf();
        thread::Builder::new()
            .name("sqlite-sessions".into())
            .spawn(move || {
                let_requests_run_first();
                match connect(&path) {
                    Ok(connection) => {
                        let _ = opened.send(Ok(()));
                        serve(connection, queue);
                    }
                    Err(e) => {
                        let _ = opened.send(Err(e));
                    }
                }
            })
            .map_err(OpenError::Thread)?;
        match is_open.await {
            Ok(Ok(())) => Ok(SqliteSessions {
                jobs,
                timeout: tuning.timeout,
            }),
            Ok(Err(e)) => Err(OpenError::Database(e)),
            Err(_) => Err(OpenError::ThreadEnded),
        }
    }

    /// Finishes the queued operations and closes the connection, which checkpoints the
    /// write-ahead log if no other connection is open. Later calls fail as an outage would.
    pub async fn close(&self) {
        // Not `call`: closing must not be refused by a full queue, nor give up after the
        // call timeout while the queue drains.
        let (reply, answer) = oneshot::channel();
        let jobs = self.jobs.clone();
        let queued = tokio::task::spawn_blocking(move || {
            jobs.send(Job {
                op: Op::Close,
                reply,
            })
        })
        .await;
        if matches!(queued, Ok(Ok(()))) {
            let _ = answer.await;
        }
    }

    /// Runs one statement on another table of this database on the store's thread, in the
    /// transaction of the batch it joins, and answers once that is committed. `writes` says
    /// whether it changes anything (a batch of reads takes no write lock).
    pub async fn run<T: Send + 'static>(
        &self,
        writes: bool,
        statement: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> session_store::Result<T> {
        let statement: Statement =
            Box::new(move |connection| statement(connection).map(|v| Box::new(v) as _));
        let op = Op::Other {
            writes,
            statement: Some(statement),
        };
        match self.call(op).await? {
            Done::Value(value) => value.downcast::<T>().map(|v| *v).map_err(|_| unexpected()),
            _ => Err(unexpected()),
        }
    }

    /// Whether the thread answers: for `/readyz`.
    pub async fn ping(&self) -> session_store::Result<()> {
        self.call(Op::Ping).await.map(|_| ())
    }

    async fn call(&self, op: Op) -> session_store::Result<Done> {
        let (reply, answer) = oneshot::channel();
        self.jobs.try_send(Job { op, reply }).map_err(|e| match e {
            mpsc::TrySendError::Full(_) => busy(),
            mpsc::TrySendError::Disconnected(_) => closed(),
        })?;
        // A job that times out may still run later; like a database timeout, the caller
        // answers 503 and the client retries.
        match tokio::time::timeout(self.timeout, answer).await {
            Ok(answer) => answer.map_err(|_| closed())?,
            Err(_) => Err(session_store::Error::Backend(
                "the SQLite session store did not answer in time".into(),
            )),
        }
    }
}

fn busy() -> session_store::Error {
    session_store::Error::Backend("the SQLite session store's queue is full".into())
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

    /// Updates a live record; a record deleted (logged out) or expired meanwhile stays gone.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let op = Op::Save {
            row: encode(record)?,
            now: rfc3339(OffsetDateTime::now_utc())?,
        };
        self.call(op).await.map(|_| ())
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

/// For the tests of the stores that share the thread: the store on `sessions.db` in `dir`,
/// and a sqlx pool on the same file, as `Stores` opens them.
#[cfg(test)]
impl SqliteSessions {
    pub(super) async fn open_beside_pool(
        dir: &Path,
        tuning: Tuning,
    ) -> (SqliteSessions, super::SqlPool) {
        let path = dir.join("sessions.db");
        let thread = SqliteSessions::open_with(&path, tuning).await.unwrap();
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal);
        let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
        (thread, super::SqlPool::Sqlite(pool))
    }
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

/// Marks this thread as a batch thread (`SCHED_BATCH`): woken by a job, it no longer takes the
/// core from the request thread at once, but when that thread waits. On a shared core the
/// default switched threads for every query, two switches each; now the store finds the
/// queue full and answers it in one transaction (docs/performance.md: `/session/profile`
/// doubled on one core). With a core to itself nothing changes.
fn let_requests_run_first() {
    #[cfg(target_os = "linux")]
    {
        let param = libc::sched_param { sched_priority: 0 };
        // SAFETY: sets the calling thread's own policy (pid 0); `param` outlives the call.
        if unsafe { libc::sched_setscheduler(0, libc::SCHED_BATCH, &param) } != 0 {
            tracing::debug!(
                error = %std::io::Error::last_os_error(),
                "SCHED_BATCH refused: the store works, with more thread switches"
            );
        }
    }
}

/// One transaction for the whole batch; each job gets its own answer once it is committed.
/// A job that fails is undone alone (one statement). If the transaction itself is lost (the
/// commit fails, or SQLite rolled it back after an I/O or disk-full error), every job in the
/// batch gets that error and none of them took effect: no later job runs outside it.
fn run_batch(connection: &mut Connection, batch: &mut Vec<Job>) {
    let writes = batch.iter().any(|job| match job.op {
        Op::Load { .. } | Op::Ping => false,
        Op::Other { writes, .. } => writes,
        _ => true,
    });
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
            let mut answers = Vec::with_capacity(batch.len());
            for job in batch.iter_mut() {
                answers.push(run_alone(&transaction, &mut job.op)?);
            }
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

/// Runs one job. Every job is a single SQL statement (`create` retries one `insert`), which
/// SQLite applies whole or not at all: a job that fails undoes only itself, without the cost
/// of a savepoint per job. The outer error means SQLite rolled the whole transaction back by
/// itself (disk full, an I/O error, a trigger's `RAISE(ROLLBACK)`), which fails the batch.
fn run_alone(
    transaction: &Transaction<'_>,
    op: &mut Op,
) -> rusqlite::Result<session_store::Result<Done>> {
    let answer = run(transaction, op);
    if transaction.is_autocommit() {
        // Whatever ran before in this batch is undone, so nothing of it may be reported
        // done, and nothing after it may run outside a transaction.
        if let Err(error) = &answer {
            tracing::warn!(%error, "a session store job failed and took its batch with it");
        }
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ABORT_ROLLBACK),
            Some("the session transaction was rolled back".into()),
        ));
    }
    Ok(answer)
}

fn run(connection: &Connection, op: &mut Op) -> session_store::Result<Done> {
    match op {
        Op::Other { statement, .. } => match statement.take() {
            Some(statement) => statement(connection).map(Done::Value).map_err(backend),
            None => Err(unexpected()),
        },
        Op::Load { id, now } => connection
            .prepare_cached("select data from tower_sessions where id = ?1 and expiry_date > ?2")
            .and_then(|mut select| {
                select
                    .query_row(params![id.as_str(), now.as_str()], |row| row.get(0))
                    .optional()
            })
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
        // Update-only: a deleted or expired record is not brought back.
        Op::Save { row, now } => connection
            .prepare_cached(
                "update tower_sessions set data = ?2, expiry_date = ?3
                 where id = ?1 and expiry_date > ?4",
            )
            .and_then(|mut update| {
                update.execute(params![row.id, row.data, row.expiry, now.as_str()])
            })
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
        Op::Ping => connection
            .query_row("select 1", [], |_| Ok(()))
            .map(|()| Done::Written)
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

    /// The store's thread yields the core to the request threads (`SCHED_BATCH`), which is
    /// what lets jobs queue up into batches on a shared core.
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn the_store_thread_is_a_batch_thread() {
        let (_dir, _path, store) = fresh_store().await;
        // Asked on the store's own thread (pid 0: the calling thread).
        // SAFETY: reads the calling thread's policy; no memory is passed.
        let policy = store
            .run(false, |_| Ok(unsafe { libc::sched_getscheduler(0) }))
            .await
            .unwrap();
        assert_eq!(policy, libc::SCHED_BATCH);
    }

    /// Other tables' statements share the thread: concurrent increments all count, each
    /// caller gets its own answer, and a failing statement fails alone.
    #[tokio::test]
    async fn statements_of_other_tables_join_the_batches_and_fail_alone() {
        let (_dir, _, store) = fresh_store().await;
        store
            .run(true, |c| {
                c.execute("create table n (id text primary key, v integer)", [])
            })
            .await
            .unwrap();
        let add = |store: SqliteSessions| async move {
            store
                .run(true, |c| {
                    c.query_row(
                        "insert into n values ('a', 1) on conflict(id) do update set v = v + 1 returning v",
                        [],
                        |row| row.get::<_, i64>(0),
                    )
                })
                .await
        };
        let mut answers: Vec<i64> = futures::future::join_all((0..64).map(|_| add(store.clone())))
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        answers.sort_unstable();
        assert_eq!(
            answers,
            (1..=64).collect::<Vec<_>>(),
            "every increment counted once"
        );
        let (bad, good) = tokio::join!(
            store.run(true, |c| c.execute("insert into missing values (1)", [])),
            add(store.clone()),
        );
        assert!(bad.is_err());
        assert_eq!(good.unwrap(), 65);
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
        let mut first = record(1, TimeDuration::hours(1));
        store.create(&mut first).await.unwrap();
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
        let mut expired = record(1, TimeDuration::seconds(-5));
        let mut live = record(2, TimeDuration::hours(1));
        store.create(&mut expired).await.unwrap();
        store.create(&mut live).await.unwrap();
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
                    let mut session = record(n, TimeDuration::hours(1));
                    store.create(&mut session).await.unwrap();
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
        let mut session = record(7, TimeDuration::hours(1));
        one.create(&mut session).await.unwrap();
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

        let mut from_ours = record(4, TimeDuration::hours(1));
        ours.create(&mut from_ours).await.unwrap();
        assert_eq!(
            published.load(&from_ours.id).await.unwrap(),
            Some(from_ours.clone())
        );

        let mut expired = record(5, TimeDuration::seconds(-5));
        ours.create(&mut expired).await.unwrap();
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
    async fn a_save_after_a_delete_does_not_bring_the_record_back() {
        let (_dir, _, store) = fresh_store().await;
        let mut session = record(1, TimeDuration::hours(1));
        store.create(&mut session).await.unwrap();
        let loaded = store.load(&session.id).await.unwrap().unwrap();
        store.delete(&session.id).await.unwrap();
        store.save(&loaded).await.unwrap();
        assert!(store.load(&session.id).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_save_does_not_revive_an_expired_record() {
        let (_dir, _, store) = fresh_store().await;
        let mut session = record(1, TimeDuration::seconds(-5));
        store.create(&mut session).await.unwrap();
        session.expiry_date = OffsetDateTime::now_utc() + TimeDuration::hours(1);
        store.save(&session).await.unwrap();
        assert!(store.load(&session.id).await.unwrap().is_none());
    }

    /// Holds the database's write lock from another connection (as another process would)
    /// until the returned sender is dropped or sent to.
    fn hold_write_lock(path: &std::path::Path) -> std::sync::mpsc::Sender<()> {
        let (release, released) = std::sync::mpsc::channel::<()>();
        let (locked, is_locked) = std::sync::mpsc::channel();
        let path = path.to_owned();
        thread::spawn(move || {
            let connection = Connection::open(path).unwrap();
            connection.execute_batch("begin immediate").unwrap();
            locked.send(()).unwrap();
            let _ = released.recv();
            connection.execute_batch("commit").unwrap();
        });
        is_locked.recv().unwrap();
        release
    }

    /// A job that makes SQLite roll the whole transaction back (here a trigger's
    /// `RAISE(ROLLBACK)`; in life a full disk or an I/O error) must not leave its batch
    /// half done: every job that answered `Ok` is stored, every job that failed is not.
    #[tokio::test]
    async fn a_batch_whose_transaction_is_lost_reports_no_job_done() {
        for _ in 0..3 {
            let (_dir, path, store) = fresh_store().await;
            Connection::open(&path)
                .unwrap()
                .execute_batch(
                    "create trigger poison before insert on tower_sessions
                     when new.expiry_date < '2000' begin select raise(rollback, 'poisoned'); end",
                )
                .unwrap();
            let release = hold_write_lock(&path);
            // The first job takes the thread and waits for the lock; the others queue behind
            // it and then run as one batch.
            let mut first = record(0, TimeDuration::hours(1));
            let first_job = tokio::spawn({
                let store = store.clone();
                async move { store.create(&mut first).await.map(|()| first) }
            });
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            let mut poisoned = record(1, TimeDuration::hours(1));
            poisoned.expiry_date = OffsetDateTime::new_utc(
                time::Date::from_calendar_date(1999, time::Month::January, 1).unwrap(),
                time::Time::MIDNIGHT,
            );
            let batch: Vec<_> = [record(2, TimeDuration::hours(1)), poisoned]
                .into_iter()
                .chain((3..6).map(|n| record(n, TimeDuration::hours(1))))
                .map(|mut session| {
                    let store = store.clone();
                    tokio::spawn(async move {
                        let answer = store.create(&mut session).await;
                        (session, answer)
                    })
                })
                .collect();
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            release.send(()).unwrap();
            assert!(first_job.await.unwrap().is_ok());
            for job in batch {
                let (session, answer) = job.await.unwrap();
                let stored = Connection::open(&path)
                    .unwrap()
                    .query_row(
                        "select count(*) from tower_sessions where id = ?1",
                        [session.id.to_string()],
                        |row| row.get::<_, i64>(0),
                    )
                    .unwrap();
                assert_eq!(
                    answer.is_ok(),
                    stored == 1,
                    "record {}: answered {answer:?}, stored {stored}",
                    count(&session)
                );
            }
        }
    }

    #[tokio::test]
    async fn a_full_queue_refuses_at_once_and_a_slow_answer_times_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let tuning = Tuning {
            queue: 2,
            timeout: std::time::Duration::from_millis(300),
        };
        let store = SqliteSessions::open_with(&path, tuning).await.unwrap();
        let release = hold_write_lock(&path);
        let started = std::time::Instant::now();
        let spawn_create = |n| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut session = record(n, TimeDuration::hours(1));
                store.create(&mut session).await
            })
        };
        // The first job takes the thread, which then waits for the lock; only then do the
        // others arrive, so exactly two fit in the queue.
        let mut calls = vec![spawn_create(0)];
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        calls.extend((1..8).map(spawn_create));
        let mut refused = 0;
        for call in calls {
            let answer = call.await.unwrap();
            assert!(answer.is_err(), "the store is locked: nothing can succeed");
            if answer.unwrap_err().to_string().contains("queue is full") {
                refused += 1;
            }
        }
        // One job on the thread, two queued: the other five are refused.
        assert_eq!(refused, 5, "refused for a full queue");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(3),
            "every call gave up within its timeout, not SQLite's busy timeout"
        );
        drop(release);
    }

    #[tokio::test]
    async fn ping_answers_while_the_thread_runs_and_fails_after_close() {
        let (_dir, _, store) = fresh_store().await;
        store.ping().await.unwrap();
        store.close().await;
        assert!(store.ping().await.is_err());
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
