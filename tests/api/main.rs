//! Integration tests: each test starts the real app on a random port and calls it over HTTP,
//! once against a fresh SQLite file and once against a fresh PostgreSQL database.

mod helpers;

mod audit;
mod auth;
mod contract;
mod errors;
mod members;
mod organizations;
mod platform;
mod users;
