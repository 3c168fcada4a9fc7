//! Seriktes storage: one diesel connection type over SQLite (the embedded default) and
//! PostgreSQL, an r2d2 pool, embedded migrations, and repository functions per aggregate.
//!
//! Repository functions take `&mut DbConn`, never the pool, so callers can put several in one
//! transaction ([`db::write`]). Nothing here knows HTTP; errors are [`StoreError`].

pub mod applications;
pub mod audit;
pub mod calls;
pub mod db;
pub mod error;
pub mod grants;
pub mod memberships;
pub mod organizations;
pub mod page;
pub mod programmes;
pub mod refresh_tokens;
pub mod reviews;
pub mod schema;
pub mod users;

pub use db::{Backend, DbConn, DbPool, PoolSettings};
pub use error::StoreError;
pub use page::{Page, PageRequest};
