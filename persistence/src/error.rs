//! `StoreError`: diesel and pool errors mapped once (STYLE §3).

use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// What can go wrong in storage, in terms the API can map to a status.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row does not exist.
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the write; `field` names the column.
    #[error("{field} is already taken")]
    Duplicate {
        /// The column whose value is already taken, e.g. `email`.
        field: String,
    },
    /// A foreign key refused the write (the referenced row is gone).
    #[error("a referenced object does not exist")]
    MissingReference,
    /// The client's `If-Match` names another version than the stored one (412).
    #[error("the object was changed by someone else")]
    VersionMismatch,
    /// A concurrent transaction changed what this one read or is writing: PostgreSQL's
    /// serialization failure or deadlock, or a guarded update that found the row at another
    /// version than this transaction read. [`crate::db::write`] runs the transaction again.
    #[error("a concurrent change conflicted with this one")]
    WriteConflict,
    /// A stored value the domain refuses (an unknown state name, a malformed id): a bug or a
    /// hand edit, answered as 500 and logged with the column.
    #[error("stored {column} is invalid: {reason}")]
    Corrupt {
        /// `table.column`.
        column: &'static str,
        /// What the domain said.
        reason: String,
    },
    /// The database cannot be reached or the pool is exhausted.
    #[error("database unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// Anything else diesel reports.
    #[error("database error")]
    Database(#[source] DieselError),
}

/// The column a unique-violation message names. SQLite says `UNIQUE constraint failed:
/// users.email`; PostgreSQL names the constraint, which our migrations call `<table>_<column>_key`
/// (for a key over several columns, the column a client chooses: `indicators_code_key` on
/// `(programme_id, code)` is `code`, the last column SQLite names).
fn duplicate_field(info: &dyn diesel::result::DatabaseErrorInformation) -> String {
    if let Some(rest) = info.constraint_name().and_then(|c| c.strip_suffix("_key")) {
        let tables = [
            "users_",
            "organizations_",
            "refresh_tokens_",
            "memberships_",
            "indicators_",
            "network_memberships_",
        ];
        let column = tables
            .iter()
            .find_map(|t| rest.strip_prefix(t))
            .unwrap_or(rest);
        return column.to_owned();
    }
    info.message()
        .rsplit_once(": ")
        .and_then(|(_, cols)| cols.split(", ").last())
        .and_then(|col| col.rsplit_once('.'))
        .map_or_else(|| "value".to_owned(), |(_, c)| c.to_owned())
}

/// Whether an error means the connection to the server is gone (the server restarted or
/// ended the session, the network dropped): such a request answers 503 and the connection is
/// not reused. libpq reports some of these only in its message, with no error kind.
pub fn is_connection_lost(e: &DieselError) -> bool {
    /// What libpq and PostgreSQL say when the session is gone (SQLSTATE 57P01–57P03 and
    /// libpq's own messages).
    const GONE: [&str; 7] = [
        "no connection to the server",
        "server closed the connection unexpectedly",
        "terminating connection",
        "could not receive data from server",
        "could not send data to server",
        "connection to server was lost",
        "the database system is shutting down",
    ];
    match e {
        DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _,
        )
        | DieselError::BrokenTransactionManager => true,
        DieselError::DatabaseError(_, info) => GONE.iter().any(|m| info.message().contains(m)),
        _ => false,
    }
}

/// Whether the database gave up waiting: PostgreSQL's `statement_timeout` or `lock_timeout`
/// (SQLSTATE 57014, 55P03), SQLite's `busy_timeout` ("database is locked"). Answered 503: the
/// request may succeed when retried.
fn is_timeout(e: &DieselError) -> bool {
    const TIMEOUTS: [&str; 4] = [
        "canceling statement due to statement timeout",
        "canceling statement due to lock timeout",
        "database is locked",
        "database table is locked",
    ];
    matches!(e, DieselError::DatabaseError(_, info)
        if TIMEOUTS.iter().any(|m| info.message().contains(m)))
}

/// Whether PostgreSQL aborted the transaction because a concurrent one conflicted with it
/// (SQLSTATE 40001; a deadlock, 40P01, only names itself in its message).
fn is_write_conflict(e: &DieselError) -> bool {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => true,
        DieselError::DatabaseError(_, info) => info.message().contains("deadlock detected"),
        _ => false,
    }
}

impl From<DieselError> for StoreError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::NotFound => Self::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                Self::Duplicate {
                    field: duplicate_field(info.as_ref()),
                }
            }
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
                Self::MissingReference
            }
            e if is_write_conflict(&e) => Self::WriteConflict,
            e if is_connection_lost(&e) || is_timeout(&e) => Self::Unavailable(Box::new(e)),
            // A value read straight into a typed column (`stored::Uuid`) that does not parse.
            DieselError::DeserializationError(e) => Self::Corrupt {
                column: "a typed column of the row",
                reason: e.to_string(),
            },
            other => Self::Database(other),
        }
    }
}

impl From<diesel::r2d2::PoolError> for StoreError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        Self::Unavailable(Box::new(e))
    }
}
