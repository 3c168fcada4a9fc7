//! Use cases (STYLE §1, §4): one function per thing a caller can do. Each takes the
//! transaction handle only `db::write` makes (reads take the connection), the caller's
//! `Actor` and `now`; it loads the facts, asks `seriktes-domain` (rules and access policies),
//! writes through `seriktes-persistence` and records the event in the same transaction.
//!
//! Synchronous and free of HTTP: nothing here names the web framework or the contract
//! generator (`.ci/check-structure` checks), so the CLI, background workers and export writers
//! call the same functions the routes do.

pub mod action_items;
pub mod applications;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod calls;
pub mod disbursements;
pub mod events;
pub mod grants;
pub mod idempotency;
pub mod indicators;
pub mod meeting_series;
pub mod meetings;
pub mod members;
pub mod minutes;
pub mod networks;
pub mod organizations;
pub mod programmes;
pub mod recommendations;
pub mod registrations;
pub mod reports;
pub mod requirements;
pub mod results;
pub mod reviews;
pub mod transition;
pub mod users;
