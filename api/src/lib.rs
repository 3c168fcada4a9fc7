//! Seriktes HTTP API: actix-web handlers, authentication, the OpenAPI contract, and the
//! `Application` that both `main` and the integration tests start.
//!
//! Handlers are thin (STYLE §4): extract, parse into domain types, authorise, one persistence
//! call or transaction, answer. Rules live in `seriktes-domain`, SQL in `seriktes-persistence`.

pub mod audit;
pub mod auth;
pub mod error;
pub mod extract;
pub mod middleware;
pub mod openapi;
pub mod response;
pub mod routes;
pub mod settings;
pub mod startup;
pub mod state;
pub mod wire;

pub use settings::Settings;
pub use startup::{Application, openapi_document};
