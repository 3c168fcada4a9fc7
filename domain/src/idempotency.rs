//! Idempotency keys (IETF draft `httpapi-idempotency-key-header`): a client that sends
//! `Idempotency-Key` with a POST may send the same request again after a timeout or a 503 and
//! gets the first answer instead of a second effect. Pure: what to do with a request, given
//! what is stored under its key.
//!
//! A key is the caller's own (two users may use the same key). It is bound to the request's
//! fingerprint (method, path and body): the same key with another request is refused. The
//! stored record says whether the request's write transaction committed (marked inside that
//! same transaction), so a request whose response was lost after it committed is never carried
//! out twice.

use chrono::{NaiveDateTime, TimeDelta};

/// How long a key and its answer are kept.
pub const KEPT_FOR: TimeDelta = TimeDelta::hours(24);

/// How long a request holds its key before a retry may take it over: a request that started
/// this long ago and never committed has died (it is far beyond every timeout a request has).
pub const LEASE: TimeDelta = TimeDelta::seconds(60);

/// The longest key accepted.
pub const MAX_KEY_LEN: usize = 255;

/// What is stored under a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The fingerprint of the request that took the key.
    pub fingerprint: String,
    /// When that request (or the retry that took it over) started.
    pub started_at: NaiveDateTime,
    /// Whether its write transaction committed.
    pub committed: bool,
    /// Whether its answer is stored (and can be replayed).
    pub answered: bool,
}

/// What to do with a request that carries a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// No request used the key yet: take it and carry the request out.
    Start,
    /// A request took the key and died before committing: take it over and carry this out.
    TakeOver,
    /// Answer with the stored answer of the first request.
    Replay,
    /// The key was used for another request: refuse (422).
    Mismatch,
    /// The first request is still being carried out: refuse for now (409), retry after the
    /// given seconds.
    InProgress(u64),
    /// The first request committed but its answer was never stored (the connection broke as
    /// it committed, and its lease ran out): refuse (409); the client should read what it
    /// created instead.
    AnswerLost,
}

/// Decides what to do with a request of `fingerprint` at `now`, given the key's record.
pub fn decide(stored: Option<&Record>, fingerprint: &str, now: NaiveDateTime) -> Decision {
    let Some(r) = stored else {
        return Decision::Start;
    };
    if r.fingerprint != fingerprint {
        Decision::Mismatch
    } else if r.answered {
        Decision::Replay
    } else if now - r.started_at < LEASE {
        // Still running; one that committed is only storing its answer.
        let left = LEASE - (now - r.started_at);
        let wait = if r.committed { 1 } else { left.num_seconds() };
        Decision::InProgress(u64::try_from(wait).unwrap_or(0).max(1))
    } else if r.committed {
        Decision::AnswerLost
    } else {
        Decision::TakeOver
    }
}

/// Whether `key` is acceptable: 1 to [`MAX_KEY_LEN`] visible ASCII characters.
pub fn valid_key(key: &str) -> bool {
    (1..=MAX_KEY_LEN).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> NaiveDateTime {
        chrono::DateTime::UNIX_EPOCH.naive_utc() + TimeDelta::seconds(seconds)
    }

    fn record(committed: bool, answered: bool) -> Record {
        Record {
            fingerprint: "f1".to_owned(),
            started_at: at(0),
            committed,
            answered,
        }
    }

    #[test]
    fn each_state_of_a_key_gets_its_decision() {
        assert_eq!(decide(None, "f1", at(0)), Decision::Start);
        assert_eq!(
            decide(Some(&record(true, true)), "f1", at(5)),
            Decision::Replay
        );
        assert_eq!(
            decide(Some(&record(true, true)), "f2", at(5)),
            Decision::Mismatch
        );
        assert_eq!(
            decide(Some(&record(true, false)), "f1", at(500)),
            Decision::AnswerLost
        );
        assert_eq!(
            decide(Some(&record(true, false)), "f1", at(2)),
            Decision::InProgress(1),
            "committed and about to store its answer"
        );
        assert_eq!(
            decide(Some(&record(false, false)), "f1", at(15)),
            Decision::InProgress(45)
        );
        assert_eq!(
            decide(Some(&record(false, false)), "f1", at(60)),
            Decision::TakeOver
        );
    }

    #[test]
    fn keys_are_visible_ascii_of_bounded_length() {
        assert!(valid_key("8e03978e-40d5-43e8-bc93-6894a57f9324"));
        assert!(!valid_key(""));
        assert!(!valid_key("with space"));
        assert!(!valid_key("ключ"));
        assert!(!valid_key(&"k".repeat(MAX_KEY_LEN + 1)));
    }
}
