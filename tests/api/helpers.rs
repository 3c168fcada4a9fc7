//! `spawn_app`: the real application (same `Application::build` as `main`) on a random port,
//! against a fresh SQLite file or a fresh PostgreSQL database, dropped afterwards.

use awc::http::Method;
use awc::http::header::HeaderMap;
use diesel::{Connection, PgConnection, RunQueryDsl};
use serde_json::{Value, json};
use seriktes_api::Settings;
use seriktes_api::clock::ManualClock;
use seriktes_api::service::users::create_user;
use seriktes_api::startup::Extras;
use seriktes_domain::email::Email;
use seriktes_domain::user::SystemRole;
use seriktes_persistence::db;
use seriktes_persistence::db::StatementCounter;
use seriktes_persistence::files::{FilesLocation, S3Location};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The JWT secret every test app uses (tests forge tokens with it).
pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123456789";
/// The password of every user the helpers create.
pub const PASSWORD: &str = "correct horse battery staple";

/// Which database a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each test body once per backend: `async fn <name>` plus `mod <name> { sqlite; postgres }`.
#[macro_export]
macro_rules! both_backends {
    ($(async fn $name:ident($app:ident) $body:block)*) => {
        $(
            async fn $name($app: $crate::helpers::TestApp) $body

            mod $name {
                #[actix_web::test]
                async fn sqlite() {
                    let app = $crate::helpers::spawn_app($crate::helpers::Backend::Sqlite).await;
                    super::$name(app.expect("sqlite app")).await;
                }

                #[actix_web::test]
                async fn postgres() {
                    if let Some(app) = $crate::helpers::spawn_app($crate::helpers::Backend::Postgres).await {
                        super::$name(app).await;
                    }
                }
            }
        )*
    };
}

enum TestDb {
    Sqlite(
        #[expect(dead_code, reason = "held so the directory lives as long as the app")]
        tempfile::TempDir,
    ),
    Postgres {
        admin_url: String,
        name: String,
    },
    /// Another app's database (a replica's): dropped by that app.
    Shared,
}

impl TestDb {
    fn drop_now(&self) {
        if let Self::Postgres { admin_url, name } = self
            && let Ok(mut conn) = PgConnection::establish(admin_url)
        {
            {
                let _ =
                    diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                        .execute(&mut conn);
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        self.drop_now();
    }
}

/// A running app and a client for it.
pub struct TestApp {
    pub address: String,
    pub client: awc::Client,
    pub database_url: String,
    /// The app's clock: it stands still until a test moves it.
    pub clock: Arc<ManualClock>,
    /// Counts the SQL statements and pool checkouts of the app.
    pub counter: Arc<StatementCounter>,
    /// The folder of uploaded files (replicas share it, as they share a bucket).
    pub files_dir: Arc<tempfile::TempDir>,
    _db: TestDb,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub raw: Vec<u8>,
}

impl Resp {
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the status, printing the body when it differs.
    #[track_caller]
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.body
        );
        self
    }

    /// Asserts an RFC 9457 problem with this status.
    #[track_caller]
    pub fn expect_problem(self, status: u16) -> Self {
        let r = self.expect(status);
        assert_eq!(
            r.header("content-type"),
            Some("application/problem+json"),
            "{}",
            r.body
        );
        assert_eq!(r.body["status"], status);
        assert!(
            r.body["type"]
                .as_str()
                .is_some_and(|t| t.starts_with("urn:seriktes:problem:")),
            "{}",
            r.body
        );
        assert!(
            r.body["title"].is_string() && r.body["detail"].is_string(),
            "{}",
            r.body
        );
        r
    }

    /// The `(field, code)` pairs of a 422.
    pub fn field_errors(&self) -> Vec<(String, String)> {
        self.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| {
                        (
                            e["field"].as_str().unwrap_or("").to_owned(),
                            e["code"].as_str().unwrap_or("").to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The admin URL of the test server (`TEST_POSTGRES_URL`). Without an `sslmode` of its own it
/// gets `sslmode=disable`: a test process ends with dozens of apps' pools still open, and
/// OpenSSL's clean-up at exit under connections other threads still hold has crashed the test
/// binary (SIGSEGV after every test passed). Loopback needs no TLS.
fn postgres_admin_url() -> String {
    let url = std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    if url.contains("sslmode=") {
        url
    } else if url.contains('?') {
        format!("{url}&sslmode=disable")
    } else {
        format!("{url}?sslmode=disable")
    }
}

/// A fresh prefix in the test bucket of the local S3-compatible server at `TEST_S3_ENDPOINT`
/// (bucket `TEST_S3_BUCKET`, default `seriktes-test`; `.ci/run` starts `moto_server` and makes
/// the bucket). `None`, said loudly, when it is not set; under CI=true that fails.
pub fn s3_location() -> Option<FilesLocation> {
    let Some(endpoint) = std::env::var("TEST_S3_ENDPOINT")
        .ok()
        .filter(|e| !e.is_empty())
    else {
        if in_ci() {
            panic!(
                "TEST_S3_ENDPOINT is unset under CI=true: .ci/run starts moto_server and sets it"
            );
        }
        eprintln!(
            "\n!!!! SKIPPING the S3 run of this test: TEST_S3_ENDPOINT is unset (run `moto_server -p 5000`, make the bucket, and set it; .ci/run does).\n"
        );
        return None;
    };
    let bucket = std::env::var("TEST_S3_BUCKET").unwrap_or_else(|_| "seriktes-test".to_owned());
    Some(FilesLocation::S3(S3Location {
        url: format!("s3://{bucket}/{}", uuid::Uuid::new_v4().simple()),
        endpoint: Some(endpoint),
        region: Some("us-east-1".to_owned()),
        access_key_id: Some("test".to_owned()),
        secret_access_key: Some("test".to_owned()),
    }))
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// The migrated template database every PostgreSQL test database is cloned from, made once per
/// test run (process); `Err` when PostgreSQL is unreachable. Also sweeps databases older test
/// runs left behind (over an hour old).
fn postgres_template() -> Option<&'static str> {
    static TEMPLATE: OnceLock<Result<String, String>> = OnceLock::new();
    let result = TEMPLATE.get_or_init(|| {
        let url = postgres_admin_url();
        let mut conn = PgConnection::establish(&url).map_err(|e| format!("{url}: {e}"))?;
        sweep_leftovers(&mut conn).map_err(|e| e.to_string())?;
        Ok(ensure_template(&mut conn, &url))
    });
    match result {
        Ok(name) => Some(name),
        Err(e) if in_ci() => {
            panic!("PostgreSQL is unreachable under CI=true ({e}); set TEST_POSTGRES_URL")
        }
        Err(e) => {
            eprintln!(
                "\n!!!! SKIPPING the PostgreSQL run of this test: PostgreSQL is unreachable ({e}).\n!!!! Set TEST_POSTGRES_URL or start PostgreSQL; under CI=true this fails.\n"
            );
            None
        }
    }
}

#[derive(diesel::QueryableByName)]
struct DbName {
    #[diesel(sql_type = diesel::sql_types::Text)]
    datname: String,
}

/// Drops the test databases of runs that started over an hour ago.
fn sweep_leftovers(conn: &mut PgConnection) -> diesel::QueryResult<()> {
    let names: Vec<DbName> = diesel::sql_query(
        "SELECT datname FROM pg_database WHERE datname LIKE 'seriktes\\_test\\_%'",
    )
    .load(conn)?;
    let hour_ago = now_secs().saturating_sub(3600);
    for n in names {
        let created = n
            .datname
            .split('_')
            .nth(2)
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(0);
        if created < hour_ago {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                n.datname
            ))
            .execute(conn);
        }
    }
    Ok(())
}

/// Any key, the same in every test process: serialises template builds across processes.
const TEMPLATE_LOCK: i64 = 0x05e7_17e5_7e3a_1a7e;

/// Makes sure `seriktes_tmpl_<hash of the migrations>` exists and is fully migrated; returns its
/// name. Built under an advisory lock as `<name>_wip` and renamed when complete, so parallel
/// test processes never race and a crashed build is never cloned.
fn ensure_template(conn: &mut PgConnection, admin_url: &str) -> String {
    let name = format!("seriktes_tmpl_{:016x}", migrations_hash());
    diesel::sql_query(format!("SELECT pg_advisory_lock({TEMPLATE_LOCK})"))
        .execute(conn)
        .expect("take the template lock");
    let exists: Vec<DbName> = diesel::sql_query(format!(
        "SELECT datname FROM pg_database WHERE datname = '{name}'"
    ))
    .load(conn)
    .expect("look for the template");
    if exists.is_empty() {
        let wip = format!("{name}_wip");
        for sql in [
            format!("DROP DATABASE IF EXISTS \"{wip}\" WITH (FORCE)"),
            format!("CREATE DATABASE \"{wip}\""),
        ] {
            diesel::sql_query(sql)
                .execute(conn)
                .expect("prepare the template");
        }
        {
            let mut db = db::DbConn::Postgresql(
                PgConnection::establish(&database_url(admin_url, &wip))
                    .expect("connect to the template"),
            );
            db::migrate(&mut db).expect("migrate the template");
        }
        diesel::sql_query(format!("ALTER DATABASE \"{wip}\" RENAME TO \"{name}\""))
            .execute(conn)
            .expect("publish the template");
    }
    diesel::sql_query(format!("SELECT pg_advisory_unlock({TEMPLATE_LOCK})"))
        .execute(conn)
        .expect("release the template lock");
    name
}

/// FNV-1a over the relative paths and contents of every file under `persistence/migrations`,
/// in path order: a template is rebuilt whenever a migration is added or changed.
fn migrations_hash() -> u64 {
    fn walk(dir: &std::path::Path, root: &std::path::Path, out: &mut Vec<(String, Vec<u8>)>) {
        let entries = std::fs::read_dir(dir).expect("read the migrations directory");
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(&path, root, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .display()
                    .to_string();
                out.push((rel, std::fs::read(&path).expect("read a migration")));
            }
        }
    }
    let root = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../persistence/migrations"
    ));
    let mut files = Vec::new();
    walk(root, root, &mut files);
    files.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (path, content) in &files {
        for b in path
            .bytes()
            .chain([0])
            .chain(content.iter().copied())
            .chain([0])
        {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// `admin_url` naming the database `name` instead, its query (`?sslmode=…`) kept.
fn database_url(admin_url: &str, name: &str) -> String {
    let (url, query) = admin_url
        .split_once('?')
        .map_or((admin_url, None), |(u, q)| (u, Some(q)));
    let (base, _) = url.rsplit_once('/').expect("database URL has a path");
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Starts the app on a fresh database of `backend`; `None` when PostgreSQL is unavailable
/// outside CI.
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |_| {}).await
}

/// Like [`spawn_app`], with a chance to change the settings first.
pub async fn spawn_app_with(
    backend: Backend,
    configure: impl FnOnce(&mut Settings),
) -> Option<TestApp> {
    init_logging();
    let started = std::time::Instant::now();
    let (database_url, db) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = dir.path().join("seriktes.db").display().to_string();
            (url, TestDb::Sqlite(dir))
        }
        Backend::Postgres => {
            let template = postgres_template()?;
            let admin_url = postgres_admin_url();
            let name = format!(
                "seriktes_test_{}_{}",
                now_secs(),
                uuid::Uuid::new_v4().simple()
            );
            let mut conn = PgConnection::establish(&admin_url).expect("connect to PostgreSQL");
            // TEST_NO_TEMPLATE=1: an empty database the app migrates, to measure what the
            // template saves.
            let create = if std::env::var("TEST_NO_TEMPLATE").is_ok() {
                format!("CREATE DATABASE \"{name}\"")
            } else {
                format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"")
            };
            diesel::sql_query(create)
                .execute(&mut conn)
                .expect("create test database");
            (
                database_url(&admin_url, &name),
                TestDb::Postgres { admin_url, name },
            )
        }
    };
    let db_ready = started.elapsed();
    let files_dir = Arc::new(tempfile::tempdir().expect("temp dir"));
    let app = start(database_url, db, files_dir, configure).await;
    // TEST_TIMING=1: the set-up time of each PostgreSQL test (database and app), on stderr.
    if backend == Backend::Postgres && std::env::var("TEST_TIMING").is_ok() {
        eprintln!(
            "TIMING postgres-setup-ms {} database-ms {}",
            started.elapsed().as_millis(),
            db_ready.as_millis()
        );
    }
    Some(app)
}

/// Starts the app on `database_url` (migrated on start, if it is not yet).
async fn start(
    database_url: String,
    db: TestDb,
    files_dir: Arc<tempfile::TempDir>,
    configure: impl FnOnce(&mut Settings),
) -> TestApp {
    let mut settings = Settings::for_database(&database_url, JWT_SECRET);
    settings.workers = Some(1);
    settings.db_pool_size = 4;
    settings.files = FilesLocation::Local(files_dir.path().to_path_buf());
    // Every test client is 127.0.0.1: tests that register many people for meetings must not
    // meet the per-address limit; `registrations` lowers it on a replica to hit it.
    settings.registration_limit = 10_000;
    configure(&mut settings);
    let clock = Arc::new(ManualClock::starting_now());
    let counter = Arc::new(StatementCounter::default());
    let app = seriktes_api::Application::build_with(
        settings,
        Extras {
            clock: Some(clock.clone()),
            counter: Some(counter.clone()),
        },
    )
    .await
    .expect("app starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    actix_web::rt::spawn(app.run_until_stopped());
    let client = awc::Client::builder()
        .disable_redirects()
        .timeout(Duration::from_secs(60))
        .finish();
    TestApp {
        address,
        client,
        database_url,
        clock,
        counter,
        files_dir,
        _db: db,
    }
}

/// Tests are silent unless `TEST_LOG=1` (then `RUST_LOG` picks the level).
fn init_logging() {
    if std::env::var("TEST_LOG").is_ok() {
        let _ = env_logger::builder().is_test(true).try_init();
    }
}

impl TestApp {
    /// A second instance of the app on the same database (another replica behind the same
    /// load balancer): it shares nothing with this one but the database, which this one drops.
    pub async fn replica(&self, configure: impl FnOnce(&mut Settings)) -> TestApp {
        start(
            self.database_url.clone(),
            TestDb::Shared,
            self.files_dir.clone(),
            configure,
        )
        .await
    }

    /// Runs `request` and returns its response with the statements and checkouts it cost.
    /// Only meaningful while nothing else calls the app.
    pub async fn counting<F: std::future::Future<Output = Resp>>(
        &self,
        request: F,
    ) -> (Resp, u64, u64) {
        let (s0, c0) = (self.counter.statements(), self.counter.checkouts());
        let r = request.await;
        (
            r,
            self.counter.statements() - s0,
            self.counter.checkouts() - c0,
        )
    }

    /// Terminates every server connection to the app's PostgreSQL database (a server restart
    /// as the pool sees it); returns how many there were.
    pub fn terminate_connections(&self) -> usize {
        #[derive(diesel::QueryableByName)]
        struct Killed {
            #[diesel(sql_type = diesel::sql_types::Bool)]
            #[expect(dead_code, reason = "only counted")]
            killed: bool,
        }
        let TestDb::Postgres { admin_url, name } = &self._db else {
            panic!("only a PostgreSQL test app has server connections");
        };
        let mut conn = PgConnection::establish(admin_url).expect("connect to PostgreSQL");
        let rows: Vec<Killed> = diesel::sql_query(format!(
            "SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity \
             WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        ))
        .load(&mut conn)
        .expect("terminate the app's connections");
        rows.len()
    }

    /// Drops the PostgreSQL database under the running app (an outage).
    pub fn drop_database(&self) {
        self._db.drop_now();
    }

    /// Sends a request with an optional bearer token and JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Resp {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.address));
        if let Some(t) = token {
            req = req.insert_header(("Authorization", format!("Bearer {t}")));
        }
        let res = match body {
            Some(b) => req.send_json(b).await,
            None => req.send().await,
        };
        read(res.expect("request sent")).await
    }

    /// Sends raw bytes with the given headers.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Resp {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.address));
        for (k, v) in headers {
            req = req.insert_header((*k, *v));
        }
        read(req.send_body(body).await.expect("request sent")).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Resp {
        self.call(Method::POST, path, token, Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: &Value) -> Resp {
        self.call(Method::PATCH, path, token, Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Resp {
        self.call(Method::DELETE, path, token, None).await
    }

    /// PATCH with `If-Match`.
    pub async fn patch_if_match(&self, path: &str, token: &str, etag: &str, body: &Value) -> Resp {
        let req = self
            .client
            .request(Method::PATCH, format!("{}{path}", self.address))
            .insert_header(("Authorization", format!("Bearer {token}")))
            .insert_header(("If-Match", etag));
        read(req.send_json(body).await.expect("request sent")).await
    }

    /// PUT with an optional `If-Match`.
    pub async fn put_if_match(
        &self,
        path: &str,
        token: &str,
        etag: Option<&str>,
        body: &Value,
    ) -> Resp {
        let mut req = self
            .client
            .request(Method::PUT, format!("{}{path}", self.address))
            .insert_header(("Authorization", format!("Bearer {token}")));
        if let Some(tag) = etag {
            req = req.insert_header(("If-Match", tag));
        }
        read(req.send_json(body).await.expect("request sent")).await
    }

    /// Runs `f` on a connection of its own to the app's database (off the async runtime).
    pub async fn with_db<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut db::DbConn) -> R + Send + 'static,
    ) -> R {
        let url = self.database_url.clone();
        actix_web::web::block(move || {
            let mut conn = db::open(&url).expect("a connection of its own");
            f(&mut conn)
        })
        .await
        .expect("database work")
    }

    /// Creates a user straight in the database (as `seriktes create-admin` does) and returns its id.
    pub async fn seed_user(&self, email: &str, role: SystemRole) -> String {
        let email = Email::parse(email).expect("valid e-mail");
        self.with_db(move |conn| {
            let hash = seriktes_api::auth::password::HashedPassword::of(PASSWORD).expect("hash");
            let new = seriktes_domain::user::NewUser {
                email,
                name: "Seeded User".to_owned(),
                system_role: role,
                active: true,
            };
            let now = seriktes_api::clock::Clock::now(&seriktes_api::clock::SystemClock);
            db::write(conn, |tx| create_user(tx, None, &new, &hash, now))
                .expect("insert user")
                .user
                .id
                .to_string()
        })
        .await
    }

    /// Signs in and returns the token response.
    pub async fn login(&self, email: &str, password: &str) -> Resp {
        self.post(
            "/api/v1/auth/login",
            None,
            &json!({"email": email, "password": password}),
        )
        .await
    }

    /// Signs in with the helpers' password and returns the access token.
    pub async fn token(&self, email: &str) -> String {
        let r = self.login(email, PASSWORD).await.expect(200);
        r.body["access_token"]
            .as_str()
            .expect("access token")
            .to_owned()
    }

    /// Seeds an admin and returns its access token.
    pub async fn admin_token(&self) -> String {
        self.seed_user("admin@example.org", SystemRole::Admin).await;
        self.token("admin@example.org").await
    }

    /// Creates a user through the API (as admin) and returns `(id, access token)`.
    pub async fn user(&self, admin: &str, email: &str) -> (String, String) {
        let r = self
            .post(
                "/api/v1/users",
                Some(admin),
                &json!({"email": email, "name": "Test User", "password": PASSWORD}),
            )
            .await
            .expect(201);
        let id = r.body["id"].as_str().expect("id").to_owned();
        (id, self.token(email).await)
    }

    /// Creates an NGO (as admin) and returns its id.
    pub async fn organization(&self, admin: &str, name: &str) -> String {
        let r = self
            .post(
                "/api/v1/organizations",
                Some(admin),
                &json!({"kind": "ngo", "name": {"en": name}, "region": "KZ-39"}),
            )
            .await
            .expect(201);
        r.body["id"].as_str().expect("id").to_owned()
    }

    /// Adds a member (as admin).
    pub async fn add_member(&self, admin: &str, org: &str, user_id: &str, role: &str) {
        self.post(
            &format!("/api/v1/organizations/{org}/members"),
            Some(admin),
            &json!({"user_id": user_id, "role": role}),
        )
        .await
        .expect(201);
    }
}

async fn read<S>(mut res: awc::ClientResponse<S>) -> Resp
where
    S: futures_core::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>> + Unpin,
{
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let raw = res
        .body()
        .limit(16 * 1024 * 1024)
        .await
        .expect("body")
        .to_vec();
    let body = serde_json::from_slice(&raw).unwrap_or(Value::Null);
    Resp {
        status,
        headers,
        body,
        raw,
    }
}
