//! Seriktes domain: the value types, rules and state machines of the product.
//!
//! Pure by design (STYLE §1): no I/O, no clock, no randomness, no framework. Callers pass
//! `now` and ids in; every rule here is unit-tested beside its code.

pub mod access;
pub mod action_item;
pub mod application;
pub mod audit;
pub mod bin;
pub mod budget;
pub mod calendar;
pub mod call;
pub mod email;
pub mod error;
pub mod file;
pub mod geo;
pub mod grant;
pub mod idempotency;
pub mod ids;
pub mod indicator;
pub mod meeting;
pub mod meeting_series;
pub mod membership;
pub mod minutes;
pub mod money;
pub mod network;
pub mod organization;
pub mod programme;
pub mod recommendation;
pub mod registration;
pub mod report;
pub mod reporting;
pub mod results;
pub mod review;
pub mod text;
pub mod throttle;
pub mod training;
pub mod user;
pub mod workflow;

pub use error::{DomainError, FieldError, Validator};
