//! Seriktes HTTP API: actix-web handlers, authentication, the OpenAPI contract, and the
//! `Application` that both `main` and the integration tests start.
//!
//! Handlers are thin (STYLE §4): extract, convert the DTO into a domain input, call one use case
//! in [`service`], answer. Use cases load facts, ask `seriktes-domain` (rules and access
//! policies), write through `seriktes-persistence` and record the event.

pub mod auth;
pub mod clock;
pub mod error;
pub mod extract;
pub mod idempotency;
/// Kept only until every route uses `domain::access`; see the module.
pub mod middleware;
pub mod openapi;
pub mod recurrence;
pub mod response;
pub mod routes;
pub mod service;
pub mod settings;
pub mod startup;
pub mod state;
pub mod transport;
pub mod upload;
pub mod wire;

pub use settings::Settings;
pub use startup::{Application, openapi_document};
