//! Seriktes storage: one diesel connection type over SQLite (the embedded default) and
//! PostgreSQL, an r2d2 pool, embedded migrations, and repository functions per aggregate.
//!
//! Writes answer with `RETURNING <table>::all_columns` (diesel's `as_returning()` does not
//! compile on `MultiConnection`), so a read row declares its fields in the table's column order.
//!
//! Repository functions take `&mut DbConn`, never the pool, so callers can put several in one
//! transaction ([`db::write`]). Nothing here knows HTTP; errors are [`StoreError`].
//!
//! # Concurrency: one rule, both backends
//! Every write transaction is serializable ([`db::write`]: `BEGIN IMMEDIATE` on SQLite,
//! `SERIALIZABLE` on PostgreSQL with the transaction run again when it loses a race), so a use
//! case may check a rule over the rows it read (the last owner, the last active admin, a
//! call's envelope) and write in the same transaction without locking anything by hand.
//! Updates write only the columns that change, guarded by the version read in the same
//! transaction; a guard that finds another version is [`StoreError::WriteConflict`] (run
//! again), never the client's 412, which only a stale `If-Match` earns. Every statement is
//! bounded ([`PoolSettings::statement_timeout`](db::PoolSettings)); past it, or when the
//! server is gone, the error is [`StoreError::Unavailable`] (503).

/// Optimistic concurrency, shared by every versioned table: refuses when `expected` names
/// another version than `current`, then updates the row only if it is still at `current`,
/// setting the given columns and bumping `version` and `updated_at`. Evaluates to
/// `Result<(), StoreError>`: `VersionMismatch` (412) when `expected` (the client's `If-Match`)
/// is stale, `WriteConflict` (retried by `db::write`) when a concurrent transaction changed the
/// row after this one read it.
macro_rules! update_versioned {
    ($conn:expr, $table:ident, $key:expr, $current:expr, $expected:expr, $now:expr, $($set:expr),+ $(,)?) => {{
        let current: i64 = $current;
        if $expected.is_some_and(|v: i64| v != current) {
            Err($crate::error::StoreError::VersionMismatch)
        } else {
            let n = diesel::update($table::table.find($key).filter($table::version.eq(current)))
                .set(($($set,)+ $table::version.eq(current + 1), $table::updated_at.eq($now)))
                .execute($conn)?;
            if n == 1 { Ok(()) } else { Err($crate::error::StoreError::WriteConflict) }
        }
    }};
}

/// Inserts many rows in ONE statement on both backends. `rows` is a `Vec` of tuples of
/// `column.eq(value)`: `MultiConnection` cannot batch-insert (STACK §2), so the insert runs on
/// the concrete connection of each backend; and on SQLite diesel batches tuples of `eq` into one
/// `INSERT … VALUES (…), (…)`, while for `#[derive(Insertable)]` structs it loops inside a
/// transaction of its own (which fails inside `db::write`'s). Nothing runs when `rows` is empty.
/// Evaluates to `()`, returning early with a `StoreError` on failure.
#[macro_export]
macro_rules! insert_many {
    ($conn:expr, $table:expr, $rows:expr) => {{
        let rows = $rows;
        if !rows.is_empty() {
            let conn: &mut $crate::db::DbConn = &mut *$conn;
            match conn {
                $crate::db::DbConn::Postgresql(c) => {
                    diesel::insert_into($table).values(rows).execute(c)?;
                }
                $crate::db::DbConn::Sqlite(c) => {
                    diesel::insert_into($table).values(rows).execute(c)?;
                }
            }
        }
    }};
}

pub mod action_items;
pub mod actors;
pub mod applications;
pub mod attachments;
pub mod audit;
pub mod calls;
pub mod db;
pub mod error;
pub mod events;
pub mod files;
pub mod grants;
pub mod idempotency;
pub mod indicators;
pub mod meeting_series;
pub mod meetings;
pub mod memberships;
pub mod minutes;
pub mod networks;
pub mod organizations;
pub mod page;
pub mod programmes;
pub mod recommendations;
pub mod refresh_tokens;
pub mod registrations;
pub mod reports;
pub mod requirements;
pub mod results;
pub mod reviews;
pub mod schema;
pub mod stored;
pub mod throttle;
pub mod trainings;
pub mod users;
pub mod visibility;

pub use db::{Backend, DbConn, DbPool, PoolSettings};
pub use error::StoreError;
pub use page::{Page, PageRequest};
