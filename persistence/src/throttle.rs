//! Counts of failed password guesses (`domain::throttle`), in the database so that every API
//! replica sees the same counts.

use crate::db::DbConn;
use crate::error::StoreError;
use crate::schema::throttle_windows;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Text, Timestamp};
use seriktes_domain::throttle::{Count, Subject};

/// The stored count of each subject, in the order given (`None`: no failures counted).
pub fn counts(conn: &mut DbConn, subjects: &[Subject]) -> Result<Vec<Option<Count>>, StoreError> {
    let keys: Vec<String> = subjects.iter().map(Subject::key).collect();
    let rows: Vec<(String, NaiveDateTime, i32)> = throttle_windows::table
        .filter(throttle_windows::key.eq_any(&keys))
        .select((
            throttle_windows::key,
            throttle_windows::started_at,
            throttle_windows::failures,
        ))
        .load(conn)?;
    Ok(keys
        .iter()
        .map(|k| {
            rows.iter()
                .find(|(key, _, _)| key == k)
                .map(|&(_, started_at, failures)| Count {
                    started_at,
                    failures,
                })
        })
        .collect())
}

/// Counts one failure at `now` for each subject: a count whose window started at or before
/// `cutoff` starts a new window. Sweeps counts whose window is over.
pub fn fail(
    conn: &mut DbConn,
    subjects: &[Subject],
    now: NaiveDateTime,
    cutoff: NaiveDateTime,
) -> Result<(), StoreError> {
    // `ON CONFLICT … DO UPDATE` is the same on PostgreSQL and SQLite (3.24+); `$n` placeholders
    // are positional on PostgreSQL and named, numbered by first use, on SQLite. The SET
    // expressions read the row as it was, on both.
    const UPSERT: &str = "INSERT INTO throttle_windows (key, started_at, failures) VALUES ($1, $2, 1) \
         ON CONFLICT (key) DO UPDATE SET \
         failures = CASE WHEN throttle_windows.started_at <= $3 THEN 1 ELSE throttle_windows.failures + 1 END, \
         started_at = CASE WHEN throttle_windows.started_at <= $3 THEN $2 ELSE throttle_windows.started_at END";
    for subject in subjects {
        diesel::sql_query(UPSERT)
            .bind::<Text, _>(subject.key())
            .bind::<Timestamp, _>(now)
            .bind::<Timestamp, _>(cutoff)
            .execute(conn)?;
    }
    diesel::delete(throttle_windows::table.filter(throttle_windows::started_at.le(cutoff)))
        .execute(conn)?;
    Ok(())
}

/// Forgets the count of `subject` (a guess that succeeded).
pub fn clear(conn: &mut DbConn, subject: &Subject) -> Result<(), StoreError> {
    diesel::delete(throttle_windows::table.find(subject.key())).execute(conn)?;
    Ok(())
}
