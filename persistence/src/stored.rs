//! Reading stored values back into domain types, once, at the edge of the store: a value the
//! database holds that the domain refuses (a bad id, an unknown state name) is
//! [`StoreError::Corrupt`], never a string handed upwards.

use crate::db::{MultiBackend, MultiRawValue};
use crate::error::StoreError;
use diesel::deserialize::{self, FromSql};
use diesel::pg::{Pg, PgValue};
use diesel::sql_types::Text;
use diesel::sqlite::{Sqlite, SqliteValue};

/// Parses a stored typed id (`GrantId::parse`, …), naming the column on failure.
pub fn id<T>(
    column: &'static str,
    raw: &str,
    parse: impl FnOnce(&str) -> Result<T, uuid::Error>,
) -> Result<T, StoreError> {
    parse(raw).map_err(|e| StoreError::Corrupt {
        column,
        reason: e.to_string(),
    })
}

/// Parses a stored enum or value with the domain's parser, naming the column on failure.
pub fn value<T, E: std::fmt::Display>(
    column: &'static str,
    raw: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, StoreError> {
    parse(raw).map_err(|e| StoreError::Corrupt {
        column,
        reason: e.to_string(),
    })
}

/// Parses a JSON text column.
pub fn json<T: serde::de::DeserializeOwned>(
    column: &'static str,
    raw: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(raw).map_err(|e| StoreError::Corrupt {
        column,
        reason: e.to_string(),
    })
}

/// Parses a stored multilingual text (a JSON object of translations).
pub fn text(
    column: &'static str,
    raw: &str,
) -> Result<seriktes_domain::text::LocalizedText, StoreError> {
    let map: std::collections::BTreeMap<String, String> = json(column, raw)?;
    seriktes_domain::text::LocalizedText::parse(map, usize::MAX).map_err(|e| StoreError::Corrupt {
        column,
        reason: e.to_string(),
    })
}

/// JSON text of a value the store keeps as JSON (maps and lists of strings always serialise).
pub fn to_json<T: serde::Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// A UUID read straight from a text column (or a JSON string). On PostgreSQL it is parsed from the row's bytes
/// without an intermediate `String` (a page of grants reads seven per row); on SQLite through
/// one. A malformed value fails the row, which [`StoreError`] reports as
/// [`StoreError::Corrupt`].
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    diesel::deserialize::FromSqlRow,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct Uuid(pub uuid::Uuid);

impl FromSql<Text, Pg> for Uuid {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        Ok(Self(uuid::Uuid::try_parse_ascii(value.as_bytes())?))
    }
}

impl FromSql<Text, Sqlite> for Uuid {
    fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        let text = <String as FromSql<Text, Sqlite>>::from_sql(value)?;
        Ok(Self(uuid::Uuid::try_parse(&text)?))
    }
}

impl FromSql<Text, MultiBackend> for Uuid {
    fn from_sql(value: MultiRawValue<'_>) -> deserialize::Result<Self> {
        value.from_sql::<Self, Text>()
    }
}

/// Parses a stored report template (a JSON array of sections), checked like a new one.
pub fn template(
    column: &'static str,
    raw: &str,
) -> Result<seriktes_domain::report::Template, StoreError> {
    let sections: Vec<seriktes_domain::report::Section> = json(column, raw)?;
    value(column, raw, |_| {
        seriktes_domain::report::Template::parse(sections)
    })
}
