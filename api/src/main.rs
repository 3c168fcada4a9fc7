//! The `seriktes` binary: `serve` (default), `migrate`, `create-admin`, `openapi`.

/// mimalloc: a page of grants spends a quarter of its CPU time in glibc's malloc otherwise.
/// Its per-thread caches stay small because database work runs on a few blocking threads per
/// worker (`startup.rs`); `bench/run.sh` samples resident memory under a login storm.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};
use seriktes_api::auth::password::Hashers;
use seriktes_api::clock::{Clock, SystemClock};
use seriktes_api::service::users::create_admin as create_admin_account;
use seriktes_api::startup::{StartError, prepare_database};
use seriktes_api::{Application, Settings, openapi_document};
use seriktes_domain::email::Email;
use seriktes_domain::user::NewPassword;
use seriktes_persistence::db;
use std::io::{BufRead, Write};
use std::process::ExitCode;

/// Seriktes: the API civil-society grant programmes run on.
#[derive(Debug, Parser)]
#[command(name = "seriktes", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Apply migrations and serve the API (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create an administrator; the password is read from the first line of standard input.
    CreateAdmin {
        /// The administrator's e-mail address.
        #[arg(long)]
        email: String,
        /// The administrator's display name (default: the e-mail address).
        #[arg(long)]
        name: Option<String>,
    },
    /// Print the OpenAPI contract (as served at /api-docs/openapi.json) to standard output.
    Openapi,
}

/// One line on standard error, the way every failure is reported.
fn fail(message: impl std::fmt::Display) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "seriktes: {message}");
    ExitCode::FAILURE
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(),
        Command::Migrate => migrate(),
        Command::CreateAdmin { email, name } => create_admin(&email, name.as_deref()),
        Command::Openapi => print_openapi(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => fail(message),
    }
}

fn serve() -> Result<(), String> {
    let settings = Settings::from_env().map_err(|e| e.to_string())?;
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings.clone())
            .await
            .map_err(|e| e.to_string())?;
        log::info!(
            "serving on http://{}:{} (Swagger UI at /swagger-ui/, database {})",
            settings.bind.ip(),
            app.port(),
            redact_url(&settings.database_url)
        );
        app.run_until_stopped().await.map_err(|e| e.to_string())
    })
}

/// A database URL without its password, for logs.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}{}@{}", &url[..scheme + 3], user, &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

fn migrate() -> Result<(), String> {
    let settings = Settings::from_env_without_secret().map_err(|e| e.to_string())?;
    let (_, applied) = prepare_database(&settings).map_err(|e: StartError| e.to_string())?;
    if applied.is_empty() {
        log::info!("database is up to date");
    } else {
        log::info!("applied migrations: {}", applied.join(", "));
    }
    Ok(())
}

fn create_admin(email: &str, name: Option<&str>) -> Result<(), String> {
    let email = Email::parse(email).map_err(|e| format!("--email: {e}"))?;
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
    let raw = line
        .strip_suffix('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .unwrap_or(&line);
    let password = NewPassword::parse(raw).map_err(|e| format!("password (from stdin): {e}"))?;
    let name = seriktes_domain::user::parse_line(
        name.unwrap_or(email.as_str()),
        seriktes_domain::user::MAX_NAME,
    )
    .map_err(|e| format!("--name: {e}"))?;
    // It issues no token, so it needs no JWT secret (not even on PostgreSQL).
    let settings = Settings::from_env_without_secret().map_err(|e| e.to_string())?;
    let (mut conn, _) = prepare_database(&settings).map_err(|e| e.to_string())?;
    // One password: a pool of its own with one thread, not the server's.
    let hashers = Hashers::start(1, settings.hash_wait)
        .map_err(|e| format!("cannot start a password hashing thread: {e}"))?;
    let secret = password.expose().to_owned();
    let hash = actix_web::rt::System::new()
        .block_on(hashers.hash(secret))
        .map_err(|e| e.to_string())?;
    let now = SystemClock.now();
    let record = db::write(&mut conn, |tx| {
        create_admin_account(tx, email.clone(), name.clone(), &hash, now)
    })
    .map_err(|e| match e {
        seriktes_api::error::ApiError::Conflict { .. } => {
            format!("a user with e-mail {email} already exists")
        }
        other => other.to_string(),
    })?;
    log::info!("created admin {} ({})", record.user.email, record.user.id);
    Ok(())
}

fn print_openapi() -> Result<(), String> {
    let json = openapi_document()
        .to_pretty_json()
        .map_err(|e| e.to_string())?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{json}").map_err(|e| e.to_string())
}
