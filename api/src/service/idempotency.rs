//! Idempotency keys: taking a key for a request, replaying the answer of the request that took
//! it first, and remembering the answer (`domain::idempotency` decides; the HTTP layer's
//! middleware fingerprints the request and calls these).

use crate::error::ApiError;
use chrono::NaiveDateTime;
use seriktes_domain::idempotency::{self, Decision};
use seriktes_persistence::StoreError;
use seriktes_persistence::db::Tx;
use seriktes_persistence::idempotency::{self as keys, Answer};

tokio::task_local! {
    /// The idempotency key row of the request being carried out, if it sent a key: the request's
    /// write transactions mark it committed (`AppState::write`), so that a request whose answer
    /// is lost after it committed is never carried out again.
    pub static KEY_IN_USE: String;
}

/// What to do with a request that sent a key.
#[derive(Debug)]
pub enum Begun {
    /// Carry the request out; the key's row id.
    CarryOut(String),
    /// Answer with what the first request answered.
    Replay(Answer),
}

/// Takes `principal`'s `key` for a request of `fingerprint`, or says why not.
pub fn begin(
    tx: &mut Tx<'_>,
    principal: &str,
    key: &str,
    fingerprint: &str,
    now: NaiveDateTime,
) -> Result<Begun, ApiError> {
    let stored = keys::find(tx, principal, key)?;
    let in_progress = || ApiError::RequestInProgress(lease_secs());
    match idempotency::decide(stored.as_ref().map(|s| &s.record), fingerprint, now) {
        Decision::Start => {
            let expired = now - idempotency::KEPT_FOR;
            match keys::take(tx, principal, key, fingerprint, now, expired) {
                Ok(id) => Ok(Begun::CarryOut(id)),
                Err(StoreError::Duplicate { .. }) => Err(in_progress()),
                Err(e) => Err(e.into()),
            }
        }
        Decision::TakeOver => {
            let s = stored.ok_or(ApiError::WriteConflict)?;
            if keys::take_over(tx, &s.id, s.record.started_at, now)? {
                Ok(Begun::CarryOut(s.id))
            } else {
                Err(in_progress())
            }
        }
        Decision::Replay => stored
            .and_then(|s| s.answer)
            .map(Begun::Replay)
            .ok_or(ApiError::WriteConflict),
        Decision::Mismatch => Err(ApiError::invalid(
            "Idempotency-Key",
            "mismatch",
            "this key was used for another request (another method, path or body); use a new key",
        )),
        Decision::InProgress(seconds) => Err(ApiError::RequestInProgress(seconds)),
        Decision::AnswerLost => Err(ApiError::AnswerLost),
    }
}

fn lease_secs() -> u64 {
    u64::try_from(idempotency::LEASE.num_seconds()).unwrap_or(60)
}

/// Marks the key of the request being carried out (if it sent one) as committed; called inside
/// the request's write transaction, just before it commits.
pub fn mark_committed(tx: &mut Tx<'_>, key_row: Option<&str>) -> Result<(), ApiError> {
    if let Some(id) = key_row {
        keys::mark_committed(tx, id)?;
    }
    Ok(())
}

/// Remembers the answer of the request that holds the key.
pub fn remember(tx: &mut Tx<'_>, key_row: &str, answer: &Answer) -> Result<(), ApiError> {
    Ok(keys::answer(tx, key_row, answer)?)
}

/// Gives the key back when its request stored nothing, so that a retry carries it out.
pub fn release(tx: &mut Tx<'_>, key_row: &str) -> Result<(), ApiError> {
    Ok(keys::release(tx, key_row)?)
}
