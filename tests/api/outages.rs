//! Outages: a database that does not answer in time is 503 problem+json with `Retry-After`,
//! never a request held for as long as the database stalls, and nothing half-written.

use crate::helpers::{Backend, TestApp, spawn_app_with};
use diesel::RunQueryDsl;
use diesel::connection::SimpleConnection;
use serde_json::json;
use seriktes_persistence::db;
use std::sync::mpsc;
use std::time::Duration;

/// Holds the organisation `org`'s row (PostgreSQL) or the database's write lock (SQLite) from a
/// connection of its own, as a stuck writer would, until the returned sender is dropped.
fn hold_lock(app: &TestApp, org: &str) -> (mpsc::Sender<()>, std::thread::JoinHandle<()>) {
    let (url, org) = (app.database_url.clone(), org.to_owned());
    let (locked_tx, locked_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let holder = std::thread::spawn(move || {
        let mut conn = db::open(&url).expect("a connection of its own");
        match conn.backend() {
            db::Backend::Postgres => {
                conn.batch_execute("BEGIN").expect("begin");
                diesel::sql_query(format!(
                    "SELECT id FROM organizations WHERE id = '{org}' FOR UPDATE"
                ))
                .execute(&mut conn)
                .expect("lock the row");
            }
            db::Backend::Sqlite => conn
                .batch_execute("BEGIN IMMEDIATE")
                .expect("take the write lock"),
        }
        locked_tx.send(()).expect("report the lock");
        // Until the test lets go (or ends).
        let _ = release_rx.recv();
        conn.batch_execute("ROLLBACK").expect("let go");
    });
    locked_rx.recv().expect("the lock is held");
    (release_tx, holder)
}

async fn a_held_lock_answers_503_within_the_statement_timeout(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| {
        s.db_statement_timeout = Duration::from_millis(300);
    })
    .await
    else {
        return;
    };
    let admin = app.admin_token().await;
    let org = app.organization(&admin, "NGO").await;
    let path = format!("/api/v1/organizations/{org}");

    let (release, holder) = hold_lock(&app, &org);
    let r = app
        .patch(&path, Some(&admin), &json!({"name": {"en": "Blocked"}}))
        .await
        .expect_problem(503);
    assert_eq!(r.body["type"], "urn:seriktes:problem:unavailable");
    assert!(r.header("retry-after").is_some());
    drop(release);
    holder.join().expect("the holder lets go");

    // Nothing of the refused write was stored; the same request now succeeds.
    let got = app.get(&path, Some(&admin)).await.expect(200);
    assert_eq!(got.body["name"]["en"], "NGO");
    assert_eq!(got.header("etag"), Some("\"1\""));
    let r = app
        .patch(&path, Some(&admin), &json!({"name": {"en": "Renamed"}}))
        .await
        .expect(200);
    assert_eq!(r.body["name"]["en"], "Renamed");
}

mod a_held_lock_answers_503_within_the_statement_timeout {
    use crate::helpers::Backend;

    #[actix_web::test]
    async fn sqlite() {
        super::a_held_lock_answers_503_within_the_statement_timeout(Backend::Sqlite).await;
    }

    #[actix_web::test]
    async fn postgres() {
        super::a_held_lock_answers_503_within_the_statement_timeout(Backend::Postgres).await;
    }
}
