//! Shared application state and the bridge from async handlers to blocking diesel calls.

use crate::auth::JwtKeys;
use crate::error::ApiError;
use actix_web::web;
use seriktes_persistence::{DbConn, DbPool, StoreError, db};
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
    /// Failed sign-ins per client and e-mail.
    pub login_throttle: crate::auth::throttle::LoginThrottle,
}

/// The shared state as handlers receive it.
pub type State = web::Data<AppState>;

impl AppState {
    /// Runs `f` with a pooled connection on the blocking thread pool, never on a worker thread.
    pub async fn read<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get().map_err(StoreError::from)?;
            f(&mut conn)
        })
        .await?
    }

    /// Runs `f` in one write transaction on the blocking thread pool: all or nothing.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        self.read(move |conn| db::write(conn, f)).await
    }
}

/// The current time as stored: UTC, microsecond precision (PostgreSQL's), so that values read
/// back compare equal on both backends.
pub fn now() -> chrono::NaiveDateTime {
    use chrono::SubsecRound;
    chrono::Utc::now().naive_utc().trunc_subsecs(6)
}
