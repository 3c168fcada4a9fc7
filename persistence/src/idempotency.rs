//! Idempotency keys and the answers stored under them (`domain::idempotency`).

use crate::db::DbConn;
use crate::error::StoreError;
use crate::schema::idempotency_keys as keys;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use seriktes_domain::idempotency::Record;

/// A key's stored row: the domain record, the row's id, and the answer once there is one.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The row's id (what the request's write transaction marks as committed).
    pub id: String,
    /// What the decision needs.
    pub record: Record,
    /// The first request's answer: status, headers (JSON object), body.
    pub answer: Option<Answer>,
}

/// A stored answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// HTTP status.
    pub status: i32,
    /// The headers that are replayed, as a JSON object of name → value.
    pub headers: String,
    /// The body (UTF-8; the API answers JSON).
    pub body: String,
}

type Row = (
    String,
    String,
    NaiveDateTime,
    bool,
    Option<i32>,
    Option<String>,
    Option<String>,
);

/// The record under `principal`'s `key`, if any.
pub fn find(conn: &mut DbConn, principal: &str, key: &str) -> Result<Option<Stored>, StoreError> {
    let row: Option<Row> = keys::table
        .filter(keys::principal.eq(principal))
        .filter(keys::key.eq(key))
        .select((
            keys::id,
            keys::fingerprint,
            keys::started_at,
            keys::committed,
            keys::status,
            keys::response_headers,
            keys::response_body,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(
        |(id, fingerprint, started_at, committed, status, headers, body)| {
            let answer = match (status, headers, body) {
                (Some(status), Some(headers), Some(body)) => Some(Answer {
                    status,
                    headers,
                    body,
                }),
                _ => None,
            };
            Stored {
                id,
                record: Record {
                    fingerprint,
                    started_at,
                    committed,
                    answered: answer.is_some(),
                },
                answer,
            }
        },
    ))
}

/// Takes `principal`'s `key` for a request of `fingerprint` starting at `now`; returns the
/// row's id. A concurrent request that took it first makes this a `StoreError::Duplicate`.
/// Sweeps keys older than `expired_before`.
pub fn take(
    conn: &mut DbConn,
    principal: &str,
    key: &str,
    fingerprint: &str,
    now: NaiveDateTime,
    expired_before: NaiveDateTime,
) -> Result<String, StoreError> {
    diesel::delete(keys::table.filter(keys::created_at.lt(expired_before))).execute(conn)?;
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(keys::table)
        .values((
            keys::id.eq(&id),
            keys::principal.eq(principal),
            keys::key.eq(key),
            keys::fingerprint.eq(fingerprint),
            keys::started_at.eq(now),
            keys::committed.eq(false),
            keys::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Takes over the key of a request that died before committing (its row still shows the
/// `started_at` read); `false` when another retry took it over first.
pub fn take_over(
    conn: &mut DbConn,
    id: &str,
    started_at: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    let n = diesel::update(
        keys::table
            .find(id)
            .filter(keys::started_at.eq(started_at))
            .filter(keys::committed.eq(false)),
    )
    .set(keys::started_at.eq(now))
    .execute(conn)?;
    Ok(n == 1)
}

/// Marks the key's request as committed; called inside the request's write transaction.
pub fn mark_committed(conn: &mut DbConn, id: &str) -> Result<(), StoreError> {
    diesel::update(keys::table.find(id))
        .set(keys::committed.eq(true))
        .execute(conn)?;
    Ok(())
}

/// Stores the answer of the key's request.
pub fn answer(conn: &mut DbConn, id: &str, answer: &Answer) -> Result<(), StoreError> {
    diesel::update(keys::table.find(id))
        .set((
            keys::status.eq(answer.status),
            keys::response_headers.eq(&answer.headers),
            keys::response_body.eq(&answer.body),
        ))
        .execute(conn)?;
    Ok(())
}

/// Gives the key back when its request stored nothing (it failed before committing), so that
/// a retry carries it out; a committed request keeps its key.
pub fn release(conn: &mut DbConn, id: &str) -> Result<(), StoreError> {
    diesel::delete(keys::table.find(id).filter(keys::committed.eq(false))).execute(conn)?;
    Ok(())
}
