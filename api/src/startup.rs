//! Building and starting the application: pool, migrations, state, routes, middleware.
//! `main` and the integration tests go through the same [`Application::build`].

use crate::auth::JwtKeys;
use crate::auth::password::Hashers;
use crate::clock::{Clock, SystemClock};
use crate::error::ApiError;
use crate::middleware;
use crate::openapi::ApiDoc;
use crate::routes;
use crate::settings::{Settings, ensure_sqlite_dir};
use crate::state::AppState;
use crate::transport;
use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::http::{Method, header};
use actix_web::middleware::{ErrorHandlers, Logger, from_fn};
use actix_web::{App, web};
use seriktes_persistence::db::StatementCounter;
use seriktes_persistence::files::FileStore;
use seriktes_persistence::{DbConn, DbPool, PoolSettings, db, refresh_tokens, users};
use std::net::TcpListener;
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

/// Why the application could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Bad configuration.
    #[error(transparent)]
    Config(#[from] crate::settings::ConfigError),
    /// The database is unreachable or a migration failed.
    #[error("database: {0}")]
    Database(String),
    /// The file store could not be opened (a folder that cannot be created, a bad bucket URL).
    #[error("files: {0}")]
    Files(#[source] seriktes_persistence::StoreError),
    /// The password-hashing threads could not be started.
    #[error("password hashing: {0}")]
    Hashers(String),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: std::net::SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// Applies pending migrations and start-up housekeeping on a connection of its own (no pool:
/// the command-line tools need one connection, and a pool keeps opening connections on threads
/// of its own, which must not be doing so when a short-lived process exits); returns the
/// connection and the versions applied. Its statements are not bounded: migrations may take
/// longer than a request may.
pub fn prepare_database(settings: &Settings) -> Result<(DbConn, Vec<String>), StartError> {
    prepare_database_at(settings, &SystemClock)
}

fn prepare_database_at(
    settings: &Settings,
    clock: &dyn Clock,
) -> Result<(DbConn, Vec<String>), StartError> {
    ensure_sqlite_dir(&settings.database_url)?;
    let mut conn = db::open(&settings.database_url).map_err(|e| StartError::Database(chain(&e)))?;
    let applied = db::migrate(&mut conn).map_err(|e| StartError::Database(chain(&e)))?;
    // Housekeeping: refresh tokens that expired over a day ago are useless.
    let cutoff = clock.now() - chrono::TimeDelta::days(1);
    refresh_tokens::delete_expired(&mut conn, cutoff)
        .map_err(|e| StartError::Database(chain(&e)))?;
    Ok((conn, applied))
}

/// Migrates the database, then opens the server's pool.
fn connect_and_migrate_counted(
    settings: &Settings,
    counter: Option<Arc<StatementCounter>>,
    clock: &dyn Clock,
) -> Result<(DbPool, Vec<String>), StartError> {
    let (_, applied) = prepare_database_at(settings, clock)?;
    let pool = db::connect(
        &settings.database_url,
        &PoolSettings {
            max_size: settings.db_pool_size,
            connection_timeout: settings.db_timeout,
            statement_timeout: settings.db_statement_timeout,
            counter,
        },
    )
    .map_err(|e| StartError::Database(chain(&e)))?;
    Ok((pool, applied))
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(c) = src {
        s.push_str(": ");
        s.push_str(&c.to_string());
        src = c.source();
    }
    s
}

/// The contract, exactly as the server serves it at `/api-docs/openapi.json`.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes::configure)
        .split_for_parts();
    crate::openapi::finish(api)
}

fn cors(origins: &[String]) -> Cors {
    let base = Cors::default()
        .allowed_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::ACCEPT_LANGUAGE,
            middleware::REQUEST_ID,
            crate::idempotency::IDEMPOTENCY_KEY,
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            middleware::REQUEST_ID,
            crate::idempotency::REPLAYED,
        ])
        .max_age(3600);
    if origins.iter().any(|o| o == "*") {
        return base.allow_any_origin();
    }
    origins.iter().fold(base, |c, o| c.allowed_origin(o))
}

/// What tests put into an application besides its settings.
#[derive(Debug, Default, Clone)]
pub struct Extras {
    /// The clock (default: the system clock).
    pub clock: Option<Arc<dyn Clock>>,
    /// Counts the statements and checkouts of the app's pool.
    pub counter: Option<Arc<StatementCounter>>,
}

/// A bound, not yet awaited server.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Connects, migrates, binds `settings.bind` and prepares the server.
    pub async fn build(settings: Settings) -> Result<Self, StartError> {
        Self::build_with(settings, Extras::default()).await
    }

    /// Like [`Self::build`], with a clock of the caller's and a statement counter (tests).
    pub async fn build_with(settings: Settings, extras: Extras) -> Result<Self, StartError> {
        let blocking_settings = settings.clone();
        let counter = extras.counter.clone();
        let clock = extras
            .clock
            .clone()
            .unwrap_or_else(|| Arc::new(SystemClock));
        let start_clock = Arc::clone(&clock);
        let (pool, applied) = web::block(move || {
            connect_and_migrate_counted(&blocking_settings, counter, start_clock.as_ref())
        })
        .await
        .map_err(|e| StartError::Database(e.to_string()))??;
        if !applied.is_empty() {
            log::info!("applied migrations: {}", applied.join(", "));
        }
        let check_pool = pool.clone();
        let admins = web::block(move || {
            let mut conn = check_pool.get().map_err(|e| e.to_string())?;
            users::count_active_admins(&mut conn).map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| StartError::Database(e.to_string()))?
        .map_err(StartError::Database)?;
        if admins == 0 {
            log::warn!(
                "no active admin yet; create one: echo 'a long passphrase' | seriktes create-admin --email you@example.org"
            );
        }
        let hashers = Hashers::start(settings.hash_threads, settings.hash_wait)
            .map_err(|e| StartError::Hashers(format!("cannot start threads: {e}")))?;
        // A hash of a random password, so unknown e-mails cost a verification too.
        let secret =
            crate::auth::refresh::generate().map_err(|e| StartError::Hashers(e.to_string()))?;
        let dummy_hash = hashers
            .hash(secret)
            .await
            .map_err(|e| StartError::Hashers(e.to_string()))?
            .as_str()
            .to_owned();
        let hashers = Arc::new(hashers);
        let state = web::Data::new(AppState {
            pool,
            keys: JwtKeys::new(&settings.jwt_secret, settings.access_token_ttl),
            refresh_ttl: settings.refresh_token_ttl,
            dummy_hash,
            hashers,
            trusted_proxies: settings.trusted_proxies.clone(),
            db_request_timeout: settings.db_request_timeout(),
            clock,
            counter: extras.counter,
            files: FileStore::open(&settings.files).map_err(StartError::Files)?,
            files_max_bytes: settings.files_max_bytes,
            registration_limit: settings.registration_limit,
        });
        let listener = TcpListener::bind(settings.bind).map_err(|source| StartError::Bind {
            addr: settings.bind,
            source,
        })?;
        let port = listener
            .local_addr()
            .map_err(|source| StartError::Bind {
                addr: settings.bind,
                source,
            })?
            .port();
        let origins = settings.cors_origins.clone();
        let cors_origins_configured = !origins.is_empty();
        let allowed = web::Data::new(middleware::AllowedMethods::from_openapi(&openapi_document()));
        // Database work runs on each worker's blocking threads, one connection each: a few more
        // threads than the pool has connections queue the rest of the requests without a
        // thread (and its stack and allocator cache) per waiting request.
        let workers = settings.workers.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        });
        let pool = usize::try_from(settings.db_pool_size).unwrap_or(usize::MAX);
        let serving = transport::Serving {
            workers,
            blocking_threads: pool.div_ceil(workers.max(1)) + 1,
        };
        let bind = settings.bind;
        let server = transport::serve(listener, serving, move || {
            let (app, api) = App::new()
                .app_data(state.clone())
                .app_data(allowed.clone())
                .app_data(web::PayloadConfig::new(crate::extract::MAX_BODY_BYTES))
                .app_data(
                    web::PathConfig::default().error_handler(|_, _| ApiError::NotFound.into()),
                )
                .wrap(from_fn(crate::idempotency::idempotency))
                .wrap(cors(&origins))
                .wrap(ErrorHandlers::new().default_handler(move |res| {
                    middleware::problem_for_errors(res, cors_origins_configured)
                }))
                .wrap(from_fn(middleware::request_id))
                .wrap(Logger::new(
                    r#"%a "%r" %s %b %Dms request_id=%{x-request-id}o"#,
                ))
                .into_utoipa_app()
                .openapi(ApiDoc::openapi())
                .configure(routes::configure)
                .split_for_parts();
            app.service(web::redirect("/swagger-ui", "/swagger-ui/"))
                .service(
                    SwaggerUi::new("/swagger-ui/{_:.*}")
                        .url("/api-docs/openapi.json", crate::openapi::finish(api)),
                )
                .default_service(web::to(middleware::fallback))
        })
        .map_err(|source| StartError::Bind { addr: bind, source })?;
        Ok(Self { port, server })
    }

    /// The port the server listens on (useful when `bind` asked for port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the process is stopped (SIGINT/SIGTERM shut down gracefully).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
