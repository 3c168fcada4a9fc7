//! Outages: a database that does not answer in time is 503 problem+json with `Retry-After`,
//! never a request held for as long as the database stalls, and nothing half-written.

use crate::helpers::{Backend, TestApp, spawn_app_with};
use crate::idempotency::post_with_key;
use chrono::TimeDelta;
use diesel::RunQueryDsl;
use diesel::connection::SimpleConnection;
use serde_json::json;
use seriktes_persistence::db;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
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

/// A TCP proxy in front of PostgreSQL that can cut every connection through it at once (a
/// server restart or a network drop, as the app's pool sees it); new connections go through.
/// Armed with `n`, it cuts once it has forwarded `n` more chunks from the app: mid-transaction
/// for some of the requests in flight, after their first statements reached the server.
struct Proxy {
    port: u16,
    armed: Arc<AtomicUsize>,
    stalled: Arc<tokio::sync::watch::Sender<bool>>,
}

impl Proxy {
    async fn start(upstream: String) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let cut = Arc::new(tokio::sync::watch::channel(0_u64).0);
        let armed = Arc::new(AtomicUsize::new(0));
        let trigger = armed.clone();
        let stalled = Arc::new(tokio::sync::watch::channel(false).0);
        let stall = stalled.clone();
        actix_web::rt::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = tokio::net::TcpStream::connect(&upstream).await else {
                    continue;
                };
                let (cut, trigger, stall) = (cut.clone(), trigger.clone(), stall.subscribe());
                actix_web::rt::spawn(pipe(client, server, cut, trigger, stall));
            }
        });
        Self {
            port,
            armed,
            stalled,
        }
    }

    /// Cuts every connection once `chunks` more chunks from the app have been forwarded.
    fn arm(&self, chunks: usize) {
        self.armed.store(chunks, Ordering::SeqCst);
    }

    /// Stops forwarding anything, either way, on every connection (which stay open), or starts
    /// again: a database stalled at the network, which no statement timeout reaches.
    fn stall(&self, stalled: bool) {
        self.stalled.send_replace(stalled);
    }
}

/// Waits while the proxy is stalled.
async fn unstalled(stall: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = stall.wait_for(|stalled| !stalled).await;
}

/// Forwards both ways until either side closes or the proxy cuts.
async fn pipe(
    mut client: tokio::net::TcpStream,
    mut server: tokio::net::TcpStream,
    cut: Arc<tokio::sync::watch::Sender<u64>>,
    armed: Arc<AtomicUsize>,
    mut stall: tokio::sync::watch::Receiver<bool>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut generation = cut.subscribe();
    let (mut to_server, mut to_client) = ([0_u8; 16 * 1024], [0_u8; 16 * 1024]);
    loop {
        tokio::select! {
            n = client.read(&mut to_server) => {
                let Ok(n @ 1..) = n else { break };
                unstalled(&mut stall).await;
                if server.write_all(&to_server[..n]).await.is_err() {
                    break;
                }
                // The chunk that disarms the proxy is the last one through.
                if armed.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |a| a.checked_sub(1)) == Ok(1) {
                    cut.send_modify(|g| *g += 1);
                }
            }
            n = server.read(&mut to_client) => {
                let Ok(n @ 1..) = n else { break };
                unstalled(&mut stall).await;
                if client.write_all(&to_client[..n]).await.is_err() {
                    break;
                }
            }
            _ = generation.changed() => break,
        }
    }
    // Dropping both ends closes them mid-conversation.
}

/// `url` with its `host:port` replaced by the proxy's, and the `host:port` it named.
fn through(url: &str, port: u16) -> (String, String) {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let (authority, path) = rest.split_once('/').expect("a database in the URL");
    let (user, host) = authority
        .rsplit_once('@')
        .map_or(("", authority), |(u, h)| (u, h));
    let host = if host.contains(':') {
        host.to_owned()
    } else {
        format!("{host}:5432")
    };
    let at = if user.is_empty() {
        String::new()
    } else {
        format!("{user}@")
    };
    (format!("{scheme}://{at}127.0.0.1:{port}/{path}"), host)
}

/// Writes under load while every database connection is cut, three times over: each answer is
/// 201 or 503 problem+json, and every organisation acknowledged with 201 is stored.
#[actix_web::test]
async fn connections_dropped_under_write_load_cost_only_503s_and_lose_no_acknowledged_write() {
    let Some((app, proxy)) = proxied_app().await else {
        return;
    };
    let admin = app.admin_token().await;

    let mut created = Vec::new();
    let mut unavailable = 0;
    for wave in 0..6 {
        let bodies: Vec<_> = (0..12)
            .map(|i| json!({"kind": "ngo", "name": {"en": format!("NGO {wave}-{i}")}}))
            .collect();
        let requests = bodies
            .iter()
            .map(|b| app.post("/api/v1/organizations", Some(&admin), b));
        let all = futures_util::future::join_all(requests);
        if wave % 2 == 1 {
            // Cut while the wave is in flight.
            proxy.arm(4 + wave);
        }
        let answers = all.await;
        let mut refused = 0;
        for r in answers {
            match r.status {
                201 => created.push(r.body["id"].as_str().unwrap().to_owned()),
                503 => {
                    assert_eq!(r.header("content-type"), Some("application/problem+json"));
                    assert!(r.header("retry-after").is_some());
                    refused += 1;
                }
                other => panic!("wave {wave}: {other} {}", r.body),
            }
        }
        if wave % 2 == 0 {
            // A connection cut while idle in the pool costs at most the one request that finds
            // it dead: at most the pool's size in the wave after a cut.
            assert!(refused <= 4, "wave {wave}: {refused} refused without a cut");
        }
        unavailable += refused;
    }
    assert!(
        unavailable > 0,
        "the cuts cost no request: the test did not cut anything"
    );
    for id in &created {
        app.get(&format!("/api/v1/organizations/{id}"), Some(&admin))
            .await
            .expect(200);
    }
}

/// A database that stops answering at the network (connections open, nothing forwarded)
/// costs requests a bounded wait and a 503, never a hang; once it answers again, so does the app.
#[actix_web::test]
async fn a_database_stalled_at_the_network_answers_503_within_the_request_bound() {
    let Some((app, proxy)) = proxied_app_with(|s| {
        s.db_timeout = Duration::from_secs(1);
        s.db_statement_timeout = Duration::from_millis(300);
    })
    .await
    else {
        return;
    };
    let admin = app.admin_token().await;
    let org = app.organization(&admin, "NGO").await;
    let path = format!("/api/v1/organizations/{org}");
    proxy.stall(true);
    let (read, write) = futures_util::future::join(
        app.get(&path, Some(&admin)),
        app.patch(&path, Some(&admin), &json!({"name": {"en": "Stalled"}})),
    )
    .await;
    for r in [read, write] {
        let r = r.expect_problem(503);
        assert_eq!(r.body["type"], "urn:seriktes:problem:unavailable");
        assert!(r.header("retry-after").is_some());
    }
    proxy.stall(false);
    // The stalled write may still land now (its answer said it might): either name is fine,
    // but the app answers again.
    let got = app.get(&path, Some(&admin)).await.expect(200);
    assert!(["NGO", "Stalled"].contains(&got.body["name"]["en"].as_str().unwrap()));
}

/// A PostgreSQL test app whose every database connection goes through a [`Proxy`].
async fn proxied_app() -> Option<(TestApp, Proxy)> {
    proxied_app_with(|_| {}).await
}

/// [`proxied_app`], with a chance to change the settings first.
async fn proxied_app_with(
    configure: impl FnOnce(&mut seriktes_api::Settings),
) -> Option<(TestApp, Proxy)> {
    // The proxy must exist before the app connects; its upstream comes from the test URL.
    let proxy = Arc::new(std::sync::Mutex::new(None::<Proxy>));
    let slot = proxy.clone();
    let app = spawn_app_with(Backend::Postgres, |s| {
        let (_, upstream) = through(&s.database_url, 0);
        let started = futures_util::FutureExt::now_or_never(Proxy::start(upstream));
        let p = started.expect("binding a local port does not wait");
        s.database_url = through(&s.database_url, p.port).0;
        *slot.lock().unwrap() = Some(p);
        configure(s);
    })
    .await?;
    let proxy = proxy.lock().unwrap().take().expect("the proxy");
    Some((app, proxy))
}

/// Requests answered 503 in an outage and sent again with their `Idempotency-Key` act once:
/// each ends with its first answer (201), or with `answer-lost` when it committed as the
/// connection broke; no organisation is created twice.
#[actix_web::test]
async fn requests_sent_again_with_their_key_after_an_outage_act_once() {
    let Some((app, proxy)) = proxied_app().await else {
        return;
    };
    let admin = app.admin_token().await;
    let name = |wave: usize, i: usize| format!("Keyed {wave}-{i}");
    let mut acted = Vec::new();
    for wave in 0..4 {
        let bodies: Vec<_> = (0..12)
            .map(|i| json!({"kind": "ngo", "name": {"en": name(wave, i)}}))
            .collect();
        let keys: Vec<_> = (0..12).map(|i| format!("outage-{wave}-{i}")).collect();
        let send = |i: usize| post_with_key(&app, &admin, &keys[i], &bodies[i]);
        proxy.arm(4 + wave);
        let first = futures_util::future::join_all((0..12).map(send)).await;
        let mut pending: Vec<usize> = (0..12).filter(|&i| first[i].status != 201).collect();
        acted.extend(
            first
                .iter()
                .enumerate()
                .filter(|(_, r)| r.status == 201)
                .map(|(i, _)| name(wave, i)),
        );
        // Send each unanswered request again with its key until it has an answer; a key its
        // broken request still holds is free once the lease runs out.
        for _ in 0..4 {
            if pending.is_empty() {
                break;
            }
            app.clock.advance(TimeDelta::seconds(61));
            let again = futures_util::future::join_all(pending.iter().map(|&i| send(i))).await;
            let mut still = Vec::new();
            for (&i, r) in pending.iter().zip(&again) {
                match (r.status, r.body["type"].as_str()) {
                    (201, _) => acted.push(name(wave, i)),
                    (409, Some("urn:seriktes:problem:answer-lost")) => acted.push(name(wave, i)),
                    (503, _) | (409, Some("urn:seriktes:problem:request-in-progress")) => {
                        still.push(i)
                    }
                    (s, _) => panic!("wave {wave}, request {i}: {s} {}", r.body),
                }
            }
            pending = still;
        }
        assert!(
            pending.is_empty(),
            "wave {wave}: {pending:?} never answered"
        );
    }
    let list = app
        .get("/api/v1/organizations?limit=200", Some(&admin))
        .await
        .expect(200);
    let mut names: Vec<String> = list.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["name"]["en"].as_str().map(str::to_owned))
        .filter(|n| n.starts_with("Keyed "))
        .collect();
    names.sort();
    acted.sort();
    assert_eq!(names, acted, "each request acted exactly once");
}
