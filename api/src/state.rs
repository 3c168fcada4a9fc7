//! Shared application state and the bridge from async handlers to blocking diesel calls.
//!
//! One request = one checkout = one `web::block` (STYLE §5): the `read_as`/`write_as` helpers
//! load the caller's [`Actor`] on the same connection the use case then runs on.

use crate::auth::password::Hashers;
use crate::auth::{Caller, JwtKeys};
use crate::clock::Clock;
use crate::error::ApiError;
use crate::service::idempotency;
use actix_web::web;
use chrono::NaiveDateTime;
use seriktes_domain::access::Actor;
use seriktes_persistence::db::{StatementCounter, Tx};
use seriktes_persistence::files::FileStore;
use seriktes_persistence::{DbConn, DbPool, StoreError, actors, db};
use std::sync::Arc;
use std::time::Duration;

/// What every handler may use; cloned into each worker as `web::Data`.
#[derive(Debug)]
pub struct AppState {
    /// The connection pool.
    pub pool: DbPool,
    /// Access-token keys.
    pub keys: JwtKeys,
    /// Lifetime of a refresh token.
    pub refresh_ttl: Duration,
    /// A hash of a random password, verified when an e-mail is unknown so that a wrong e-mail
    /// and a wrong password take the same time.
    pub dummy_hash: String,
    /// The password-hashing threads (argon2id never runs on a worker or the blocking pool).
    pub hashers: Arc<Hashers>,
    /// Reverse proxies whose `X-Forwarded-For` names the client (`auth::throttle`).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The longest a request waits for its database work (`Settings::db_request_timeout`).
    pub db_request_timeout: Duration,
    /// The one clock.
    pub clock: Arc<dyn Clock>,
    /// Counts statements and checkouts (tests only).
    pub counter: Option<Arc<StatementCounter>>,
    /// Where uploaded files are kept.
    pub files: FileStore,
    /// The largest file an upload may carry, in bytes.
    pub files_max_bytes: usize,
    /// Public registrations per client address per window (`Settings::registration_limit`).
    pub registration_limit: i32,
}

/// The shared state as handlers receive it.
pub type State = web::Data<AppState>;

impl AppState {
    /// The current time.
    pub fn now(&self) -> NaiveDateTime {
        self.clock.now()
    }

    /// Runs `f` with one pooled connection on the blocking thread pool, never on a worker thread.
    /// Past [`Self::db_request_timeout`] the request answers 503 without waiting further, even
    /// when the database stalls where no statement timeout reaches (the network); the blocked
    /// thread finishes or fails on its own, and nothing it did is acknowledged.
    pub async fn read<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let counter = self.counter.clone();
        let work = web::block(move || {
            let mut conn = pool.get().map_err(StoreError::from)?;
            if let Some(c) = &counter {
                c.count_checkout();
            }
            f(&mut conn)
        });
        match actix_web::rt::time::timeout(self.db_request_timeout, work).await {
            Ok(outcome) => outcome?,
            Err(_) => Err(ApiError::Unavailable(
                format!(
                    "the database did not answer within {} ms",
                    self.db_request_timeout.as_millis()
                )
                .into(),
            )),
        }
    }

    /// Runs `f` in one write transaction on the blocking thread pool: all or nothing. `f` may
    /// run more than once: [`db::write`] runs a transaction that lost a race again.
    pub async fn write<T, F>(&self, mut f: F) -> Result<T, ApiError>
    where
        F: FnMut(&mut Tx<'_>) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let key = key_in_use();
        self.read(move |conn| db::write(conn, |tx| committing(tx, key.as_deref(), &mut f)))
            .await
    }

    /// Runs a read use case for a signed-in caller: loads the [`Actor`] and runs `f` on the
    /// same checkout, with the current time.
    pub async fn read_as<T, F>(&self, caller: &Caller, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn, &Actor, NaiveDateTime) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let caller = *caller;
        let now = self.now();
        self.read(move |conn| {
            let actor = load_actor(conn, caller)?;
            f(conn, &actor, now)
        })
        .await
    }

    /// Runs a write use case for a signed-in caller: loads the [`Actor`], then runs `f` in one
    /// transaction on the same checkout, with the current time. `f` may run more than once (see
    /// [`Self::write`]).
    pub async fn write_as<T, F>(&self, caller: &Caller, mut f: F) -> Result<T, ApiError>
    where
        F: FnMut(&mut Tx<'_>, &Actor, NaiveDateTime) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let (caller, key) = (*caller, key_in_use());
        let now = self.now();
        self.read(move |conn| {
            let actor = load_actor(conn, caller)?;
            db::write(conn, |tx| {
                committing(tx, key.as_deref(), |tx| f(tx, &actor, now))
            })
        })
        .await
    }

    /// Runs a write use case for a caller who may be anonymous: loads the [`Actor`] if any, then
    /// runs `f` in one transaction on the same checkout (see [`Self::write_as`]).
    pub async fn write_maybe<T, F>(&self, caller: Option<&Caller>, mut f: F) -> Result<T, ApiError>
    where
        F: FnMut(&mut Tx<'_>, Option<&Actor>, NaiveDateTime) -> Result<T, ApiError>
            + Send
            + 'static,
        T: Send + 'static,
    {
        let (caller, key) = (caller.copied(), key_in_use());
        let now = self.now();
        self.read(move |conn| {
            let actor = caller.map(|c| load_actor(conn, c)).transpose()?;
            db::write(conn, |tx| {
                committing(tx, key.as_deref(), |tx| f(tx, actor.as_ref(), now))
            })
        })
        .await
    }

    /// Runs a read use case for a caller who may be anonymous.
    pub async fn read_maybe<T, F>(&self, caller: Option<&Caller>, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn, Option<&Actor>, NaiveDateTime) -> Result<T, ApiError>
            + Send
            + 'static,
        T: Send + 'static,
    {
        let caller = caller.copied();
        let now = self.now();
        self.read(move |conn| {
            let actor = caller.map(|c| load_actor(conn, c)).transpose()?;
            f(conn, actor.as_ref(), now)
        })
        .await
    }
}

/// The idempotency key row of the request being carried out, if it sent a key.
fn key_in_use() -> Option<String> {
    idempotency::KEY_IN_USE.try_with(Clone::clone).ok()
}

/// Runs `f`, then, if it succeeded and the request holds an idempotency key, marks the key as
/// committed in the same transaction (`service::idempotency`).
fn committing<T>(
    tx: &mut Tx<'_>,
    key: Option<&str>,
    mut f: impl FnMut(&mut Tx<'_>) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let value = f(tx)?;
    idempotency::mark_committed(tx, key)?;
    Ok(value)
}

/// The caller's actor; a user deleted or deactivated since the token was issued, or whose
/// sessions were ended since (a new password), is 401.
fn load_actor(conn: &mut DbConn, caller: Caller) -> Result<Actor, ApiError> {
    actors::load(conn, caller.user, caller.session_generation)?.ok_or_else(|| {
        ApiError::Unauthorized("The access token is invalid or has expired.".to_owned())
    })
}
