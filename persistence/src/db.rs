//! The connection type for both backends, the pool, migrations and write transactions.

use crate::error::StoreError;
use diesel::connection::SimpleConnection;
use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::prelude::*;
use diesel::r2d2::{self, CustomizeConnection, ManageConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// One connection to either backend (diesel `MultiConnection`).
///
/// Through this wrapper diesel writes the SQL text of every query on every call (its
/// `SerializedQuery` renders the inner query for the backend each time), even for a static
/// query that the backend's statement cache would find by type. The queries every request runs
/// (the actor, a grant, a page of grants) therefore match on the variant and run on the
/// backend's own connection; everything else goes through the wrapper.
///
/// [`on_backend!`](crate::on_backend) runs a query that way.
///
/// PostgreSQL is declared first:
/// SQLite would accept almost any string as a file name.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    /// A PostgreSQL connection.
    Postgresql(PgConnection),
    /// An SQLite connection.
    Sqlite(SqliteConnection),
}

/// The pool the API shares between requests.
pub type DbPool = r2d2::Pool<Manager>;

/// One migration tree, written in the SQL both backends accept (STYLE §5). The version folder
/// names are those of the former per-backend trees, so existing databases re-run nothing.
const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `postgres://…` or `postgresql://…`.
    Postgres,
    /// Anything else: a file path, optionally `sqlite://`-prefixed.
    Sqlite,
}

impl Backend {
    /// The backend a database URL names.
    pub fn of_url(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::Postgres
        } else {
            Self::Sqlite
        }
    }
}

/// Opens connections of the backend the URL names, keeping the backend's own error message
/// (`DbConn::establish` would try each variant and report only "invalid URL").
#[derive(Debug, Clone)]
pub struct Manager {
    url: String,
    backend: Backend,
}

impl Manager {
    /// A manager for `url`; `sqlite://path` is read as `path`.
    pub fn new(url: &str) -> Self {
        let backend = Backend::of_url(url);
        let url = match backend {
            Backend::Postgres => url.to_owned(),
            Backend::Sqlite => url.strip_prefix("sqlite://").unwrap_or(url).to_owned(),
        };
        Self { url, backend }
    }
}

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        match self.backend {
            Backend::Postgres => PgConnection::establish(&self.url).map(DbConn::Postgresql),
            Backend::Sqlite => SqliteConnection::establish(&self.url).map(DbConn::Sqlite),
        }
        .map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    /// Checked when a connection goes back to the pool: one that lost its server or was left
    /// mid-transaction is dropped there, so a dead connection costs at most the one request
    /// that found it dead (the pool does not ping on checkout).
    fn has_broken(&self, conn: &mut DbConn) -> bool {
        std::thread::panicking()
            || diesel::r2d2::R2D2Connection::is_broken(conn)
            || conn
                .instrumentation()
                .downcast_ref::<ConnWatch>()
                .is_some_and(|w| w.lost)
    }
}

/// Counts the SQL statements the pool's connections run, and the checkouts made through
/// [`StatementCounter::count_checkout`]: tests hold one to prove how many statements a request costs.
#[derive(Debug, Default)]
pub struct StatementCounter {
    statements: AtomicU64,
    checkouts: AtomicU64,
}

impl StatementCounter {
    /// Statements run so far.
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::SeqCst)
    }

    /// Pool checkouts so far.
    pub fn checkouts(&self) -> u64 {
        self.checkouts.load(Ordering::SeqCst)
    }
}

/// Watches one connection's statements: counts them when a counter is configured, and notes
/// when the server went away, so that [`Manager::has_broken`] drops the connection when it
/// goes back to the pool instead of handing it to the next request.
#[derive(Debug)]
struct ConnWatch {
    lost: bool,
    counter: Option<Arc<StatementCounter>>,
}

impl Instrumentation for ConnWatch {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            InstrumentationEvent::StartQuery { .. } => {
                if let Some(counter) = &self.counter {
                    counter.statements.fetch_add(1, Ordering::SeqCst);
                }
            }
            InstrumentationEvent::FinishQuery {
                error: Some(error), ..
            } if crate::error::is_connection_lost(error) => {
                self.lost = true;
            }
            _ => {}
        }
    }
}

/// Per-connection set-up. SQLite: wait for locks instead of failing, WAL so readers never
/// block the writer, foreign keys enforced (`batch_execute` runs every statement; `sql_query`
/// would run only the first). PostgreSQL: every statement bounded. Both: the [`ConnWatch`].
#[derive(Debug)]
struct OnConnect {
    counter: Option<Arc<StatementCounter>>,
    statement_timeout: Duration,
}

/// The session settings of a connection. `timeout` bounds every statement: on PostgreSQL
/// `statement_timeout` (which includes waiting for locks), on SQLite `busy_timeout` (waiting for
/// the write lock; SQLite has no other waits). Past it the statement fails, and the request
/// answers 503 (`StoreError::Unavailable`) instead of holding its client. Zero: no bound
/// (migrations).
fn set_up(conn: &mut DbConn, timeout: Duration) -> diesel::QueryResult<()> {
    let ms = timeout.as_millis();
    match conn {
        DbConn::Sqlite(c) => c.batch_execute(&format!(
            "PRAGMA busy_timeout = {}; PRAGMA journal_mode = WAL; \
             PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
            // SQLite's "no bound" is an hour: it would fail at once with 0.
            if ms == 0 { 3_600_000 } else { ms }
        )),
        // Our statements are prepared once per connection; PostgreSQL would still plan the
        // first five executions of each anew, and keep re-planning those whose parameters
        // are arrays (`= ANY($1)`). Every query here is an indexed lookup or a keyset page,
        // whose generic plan is the plan: plan once.
        DbConn::Postgresql(c) => c.batch_execute(&format!(
            "SET plan_cache_mode = force_generic_plan; SET statement_timeout = {ms}"
        )),
    }
}

impl CustomizeConnection<DbConn, r2d2::Error> for OnConnect {
    fn on_acquire(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        set_up(conn, self.statement_timeout).map_err(r2d2::Error::QueryError)?;
        // Installed after the set-up statements, so that the counter sees requests only.
        conn.set_instrumentation(ConnWatch {
            lost: false,
            counter: self.counter.clone(),
        });
        Ok(())
    }
}

/// One connection outside the pool, with no bound on its statements: for migrations and
/// start-up housekeeping, which may take longer than a request may.
pub fn open(url: &str) -> Result<DbConn, StoreError> {
    let mut conn = Manager::new(url)
        .connect()
        .map_err(|e| StoreError::Unavailable(Box::new(e)))?;
    set_up(&mut conn, Duration::ZERO)?;
    Ok(conn)
}

/// Pool sizing; measured defaults are in README.
#[derive(Debug, Clone)]
pub struct PoolSettings {
    /// Most connections open at once.
    pub max_size: u32,
    /// How long a request waits for a connection before the database counts as unavailable.
    pub connection_timeout: Duration,
    /// The longest any statement may run (or, on SQLite, wait for the write lock) before it
    /// fails and the request answers 503.
    pub statement_timeout: Duration,
    /// Counts statements and checkouts (tests only).
    pub counter: Option<Arc<StatementCounter>>,
}

impl StatementCounter {
    /// Counts one checkout (called by whoever takes connections from the pool).
    pub fn count_checkout(&self) {
        self.checkouts.fetch_add(1, Ordering::SeqCst);
    }
}

/// Builds the pool and checks that one connection can be opened.
pub fn connect(url: &str, settings: &PoolSettings) -> Result<DbPool, StoreError> {
    r2d2::Pool::builder()
        .max_size(settings.max_size)
        .min_idle(Some(1))
        .test_on_check_out(false)
        .connection_timeout(settings.connection_timeout)
        .connection_customizer(Box::new(OnConnect {
            counter: settings.counter.clone(),
            statement_timeout: settings.statement_timeout,
        }))
        .build(Manager::new(url))
        .map_err(|e| StoreError::Unavailable(Box::new(e)))
}

/// Applies pending migrations of the connection's backend; returns the versions applied.
pub fn migrate(conn: &mut DbConn) -> Result<Vec<String>, StoreError> {
    let applied: Vec<String> = match conn {
        DbConn::Postgresql(c) => c.run_pending_migrations(MIGRATIONS),
        DbConn::Sqlite(c) => c.run_pending_migrations(MIGRATIONS),
    }
    .map_err(StoreError::Unavailable)?
    .into_iter()
    .map(|v| v.to_string())
    .collect();
    crate::grants::backfill_budget_lines(conn)?;
    crate::programmes::backfill_funder_ids(conn)?;
    Ok(applied)
}

/// Checks that the database answers.
pub fn ping(conn: &mut DbConn) -> Result<(), StoreError> {
    conn.batch_execute("SELECT 1")
        .map_err(|e| StoreError::Unavailable(Box::new(e)))
}

/// A connection inside a write transaction. Only [`write`] makes one, so a use case that takes
/// `&mut Tx` can only run inside a transaction; it derefs to the connection that repository
/// functions take.
pub struct Tx<'c> {
    conn: &'c mut DbConn,
}

impl std::ops::Deref for Tx<'_> {
    type Target = DbConn;
    fn deref(&self) -> &DbConn {
        self.conn
    }
}

impl std::ops::DerefMut for Tx<'_> {
    fn deref_mut(&mut self) -> &mut DbConn {
        self.conn
    }
}

/// Errors that can tell whether the transaction that produced them lost a race with another
/// one ([`StoreError::WriteConflict`]), so that [`write`] may run it again.
pub trait Retryable {
    /// Whether this is a [`StoreError::WriteConflict`].
    fn is_write_conflict(&self) -> bool;
}

impl Retryable for StoreError {
    fn is_write_conflict(&self) -> bool {
        matches!(self, Self::WriteConflict)
    }
}

/// How many times [`write`] runs a transaction that keeps losing races before it gives up with
/// [`StoreError::WriteConflict`] (answered 409). Each attempt commits or fails on its own
/// merits; under SERIALIZABLE at least one of the racing transactions commits in each round,
/// so this bounds the wait, not the correctness.
pub const WRITE_ATTEMPTS: u32 = 16;

/// Runs `f` in one write transaction: all of it is stored or none.
///
/// # Isolation: the same guarantee on both backends
/// Every write transaction is **serializable**: it sees and leaves the database as if the write
/// transactions had run one after another. So a rule checked over rows that the same
/// transaction read (the last owner, the last active admin, the envelope of a call, the
/// version of the row being updated) still holds when it commits, whatever runs beside it.
/// - SQLite: `BEGIN IMMEDIATE` takes the database's write lock up front; writers queue on
///   `busy_timeout` (past it: [`StoreError::Unavailable`], 503).
/// - PostgreSQL: `BEGIN ISOLATION LEVEL SERIALIZABLE`. A transaction that PostgreSQL aborts
///   because a concurrent one conflicted (serialization failure, deadlock) is rolled back and
///   **run again from the start**, up to [`WRITE_ATTEMPTS`] times, with a short pause that
///   grows with each attempt and is jittered, so that a crowd writing one row at once (people
///   registering for one meeting) does not retry in lockstep and lose again together; `f` therefore must not have effects outside the transaction
///   (it does not: use cases only touch the database, and no network call happens inside a
///   transaction, STYLE §5).
/// - A guarded update (`… WHERE version = <the version read in this transaction>`) that finds
///   the row changed is a [`StoreError::WriteConflict`] too, and retried the same way. Only a
///   client's own `If-Match` naming an old version is [`StoreError::VersionMismatch`] (412):
///   a request without `If-Match` is never answered 412.
///
/// Read-only requests do not come here; each of their statements sees committed data.
/// Repository functions never open transactions themselves, so this is never nested. A panic
/// inside `f` rolls back before it unwinds, so no pooled connection is left mid-transaction.
pub fn write<T, E: From<StoreError> + Retryable>(
    conn: &mut DbConn,
    mut f: impl FnMut(&mut Tx<'_>) -> Result<T, E>,
) -> Result<T, E> {
    let mut attempt = 1;
    loop {
        match write_once(conn, &mut f) {
            Err(e) if e.is_write_conflict() && attempt < WRITE_ATTEMPTS => {
                log::debug!("write transaction lost a race (attempt {attempt}); running it again");
                std::thread::sleep(backoff(attempt));
                attempt += 1;
            }
            outcome => return outcome,
        }
    }
}

/// The pause before attempt `attempt + 1`: `attempt²` ms plus up to `2 · attempt` ms of
/// jitter (taken from a UUIDv7's random bits; no clock or RNG crate needed).
fn backoff(attempt: u32) -> Duration {
    let random = u32::from(uuid::Uuid::now_v7().as_bytes()[15]);
    Duration::from_millis(u64::from(attempt * attempt + random % (2 * attempt + 1)))
}

/// One attempt of [`write`].
fn write_once<T, E: From<StoreError>>(
    conn: &mut DbConn,
    f: &mut impl FnMut(&mut Tx<'_>) -> Result<T, E>,
) -> Result<T, E> {
    let begin = match conn.backend() {
        Backend::Postgres => "BEGIN ISOLATION LEVEL SERIALIZABLE",
        Backend::Sqlite => "BEGIN IMMEDIATE",
    };
    conn.batch_execute(begin).map_err(StoreError::from)?;
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut tx = Tx { conn: &mut *conn };
        f(&mut tx)
    }));
    match outcome {
        Ok(Ok(value)) => match conn.batch_execute("COMMIT") {
            Ok(()) => Ok(value),
            Err(e) => {
                // The transaction may still be open; leave nothing behind on this connection.
                let _ = conn.batch_execute("ROLLBACK");
                Err(StoreError::from(e).into())
            }
        },
        Ok(Err(e)) => {
            conn.batch_execute("ROLLBACK").map_err(StoreError::from)?;
            Err(e)
        }
        Err(panic) => {
            let _ = conn.batch_execute("ROLLBACK");
            std::panic::resume_unwind(panic)
        }
    }
}

impl DbConn {
    /// Which backend this connection talks to.
    pub fn backend(&self) -> Backend {
        match self {
            Self::Postgresql(_) => Backend::Postgres,
            Self::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// Runs `$body` with `$c` bound to the backend's own connection inside `$conn` (a `&mut
/// DbConn`), so that a static query is found in that connection's statement cache by its type
/// (see [`DbConn`]). The body is compiled once per backend, so it cannot hold a boxed query.
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Postgresql($c) => $body,
            $crate::db::DbConn::Sqlite($c) => $body,
        }
    };
}
