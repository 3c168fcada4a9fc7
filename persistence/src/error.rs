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
    /// A row changed since the caller read it (optimistic concurrency).
    #[error("the object was changed by someone else")]
    VersionMismatch,
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
/// users.email`; PostgreSQL names the constraint, which our migrations call `<table>_<column>_key`.
fn duplicate_field(info: &dyn diesel::result::DatabaseErrorInformation) -> String {
    if let Some(rest) = info.constraint_name().and_then(|c| c.strip_suffix("_key")) {
        let tables = [
            "users_",
            "organizations_",
            "refresh_tokens_",
            "memberships_",
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

/// Whether an error means the connection to the server is gone (the server restarted, the
/// network dropped): such a request answers 503 and the connection is not reused.
pub fn is_connection_lost(e: &DieselError) -> bool {
    matches!(
        e,
        DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _
        ) | DieselError::BrokenTransactionManager
    )
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
            e if is_connection_lost(&e) => Self::Unavailable(Box::new(e)),
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
