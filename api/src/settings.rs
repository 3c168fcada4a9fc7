//! Configuration, read once from environment variables in `main` and passed down (STYLE §7).
//! A bad value stops start-up with one line naming the variable.

use seriktes_persistence::Backend;
use seriktes_persistence::files::{FilesLocation, S3Location};
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The database used when `DATABASE_URL` is unset.
pub const DEFAULT_DATABASE_URL: &str = "./data/seriktes.db";
/// The address used when `SERIKTES_BIND` is unset.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
/// How long a caller waits for a password-hashing thread when `SERIKTES_HASH_WAIT_MS` is unset.
pub const DEFAULT_HASH_WAIT_MS: u64 = 2000;
/// The default bound on a statement, in milliseconds (`SERIKTES_DB_STATEMENT_TIMEOUT_MS`):
/// the slowest request here runs in tens of milliseconds; a few seconds means the database is
/// stalled or a lock is held, and the client is better told 503 than kept waiting.
pub const DEFAULT_STATEMENT_TIMEOUT_MS: u64 = 5000;
/// Shortest JWT secret accepted (HS256 wants at least 256 bits).
pub const MIN_SECRET_BYTES: usize = 32;

/// A secret whose `Debug` never prints it.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `DATABASE_URL`: `postgres://…` or an SQLite file path.
    pub database_url: String,
    /// `SERIKTES_BIND`: the address to listen on (`host:port`; port 0 picks a free one).
    pub bind: SocketAddr,
    /// `SERIKTES_JWT_SECRET`: the HS256 key for access tokens.
    pub jwt_secret: Secret,
    /// `SERIKTES_CORS_ORIGINS`: browser origins allowed to call the API (`*` for any).
    pub cors_origins: Vec<String>,
    /// `SERIKTES_TRUSTED_PROXIES`: addresses of reverse proxies whose `X-Forwarded-For` names
    /// the client (comma-separated IPs; default none: the peer address is the client).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// `SERIKTES_DB_POOL_SIZE`: most database connections (default 8).
    pub db_pool_size: u32,
    /// `SERIKTES_DB_TIMEOUT_SECS`: how long a request waits for a connection (default 5).
    pub db_timeout: Duration,
    /// `SERIKTES_DB_STATEMENT_TIMEOUT_MS`: the longest a statement may run, or wait for a lock,
    /// before the request answers 503 (default 5000).
    pub db_statement_timeout: Duration,
    /// `SERIKTES_WORKERS`: HTTP worker threads (default: one per core).
    pub workers: Option<usize>,
    /// `SERIKTES_HASH_THREADS`: passwords hashed or verified at once (default: one per core).
    pub hash_threads: usize,
    /// `SERIKTES_HASH_WAIT_MS`: how long a sign-in waits for a hashing thread before it is
    /// answered 503 with `Retry-After` (default 2000).
    pub hash_wait: Duration,
    /// Lifetime of access tokens (15 minutes).
    pub access_token_ttl: Duration,
    /// Lifetime of a refresh token (14 days, renewed on every rotation).
    pub refresh_token_ttl: Duration,
    /// Whether to run pending migrations at start (always, for `serve`).
    pub migrate_on_start: bool,
    /// `SERIKTES_FILES_URL`: where uploaded files are kept: unset, a folder under
    /// `./data/files`; a path or `file:///path`, that folder; `s3://bucket[/prefix]`, an
    /// S3-compatible bucket reached with the usual `AWS_ENDPOINT_URL`, `AWS_REGION`,
    /// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`.
    pub files: FilesLocation,
    /// `SERIKTES_FILES_MAX_BYTES`: the largest file an upload may carry (default 20 MB).
    pub files_max_bytes: usize,
    /// `SERIKTES_REGISTRATION_LIMIT`: public registrations for meetings allowed per client
    /// address per 15 minutes (default 10), counted in the database so replicas share it.
    pub registration_limit: i32,
}

/// Public registrations per client address per 15 minutes when `SERIKTES_REGISTRATION_LIMIT`
/// is unset: a family or a small team registering from one network, not a script.
pub const DEFAULT_REGISTRATION_LIMIT: i32 = 10;
/// The largest `SERIKTES_REGISTRATION_LIMIT` accepted.
pub const MAX_REGISTRATION_LIMIT: i32 = 100_000;

/// The default size limit of an uploaded file: 20 MB.
pub const DEFAULT_FILES_MAX_BYTES: usize = 20 * 1024 * 1024;
/// The largest `SERIKTES_FILES_MAX_BYTES` accepted (1 GiB).
pub const MAX_FILES_MAX_BYTES: usize = 1024 * 1024 * 1024;
/// The folder of uploaded files when `SERIKTES_FILES_URL` is unset.
pub const DEFAULT_FILES_DIR: &str = "./data/files";

/// Where files are kept, from `SERIKTES_FILES_URL` and the AWS variables.
fn parse_files(lookup: &dyn Fn(&str) -> Option<String>) -> Result<FilesLocation, ConfigError> {
    const VAR: &str = "SERIKTES_FILES_URL";
    let Some(raw) = lookup(VAR) else {
        return Ok(FilesLocation::Local(PathBuf::from(DEFAULT_FILES_DIR)));
    };
    let raw = raw.trim();
    if let Some(rest) = raw.strip_prefix("s3://") {
        let bucket = rest.split('/').next().unwrap_or_default();
        if bucket.len() < 3 {
            return Err(err(
                VAR,
                format!("{raw:?} names no bucket (s3://bucket[/prefix])"),
            ));
        }
        return Ok(FilesLocation::S3(S3Location {
            url: raw.to_owned(),
            endpoint: lookup("AWS_ENDPOINT_URL"),
            region: lookup("AWS_REGION").or_else(|| lookup("AWS_DEFAULT_REGION")),
            access_key_id: lookup("AWS_ACCESS_KEY_ID"),
            secret_access_key: lookup("AWS_SECRET_ACCESS_KEY"),
        }));
    }
    let path = raw.strip_prefix("file://").unwrap_or(raw);
    if path.contains("://") {
        return Err(err(
            VAR,
            format!("{raw:?} is neither a folder nor s3://bucket[/prefix]"),
        ));
    }
    Ok(FilesLocation::Local(PathBuf::from(path)))
}

/// Lifetime of access tokens in seconds (15 minutes); the contract's bound of `expires_in`.
pub const MAX_ACCESS_TOKEN_TTL_SECS: u64 = 15 * 60;

/// A configuration problem, printed as one line.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    /// The environment variable at fault.
    pub variable: &'static str,
    /// What is wrong with it.
    pub message: String,
}

fn err(variable: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        message: message.into(),
    }
}

/// Reads an environment variable; unset and empty are the same.
fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parse_num<T: std::str::FromStr>(
    lookup: &dyn Fn(&str) -> Option<String>,
    name: &'static str,
    default: T,
    ok: impl Fn(&T) -> bool,
) -> Result<T, ConfigError> {
    match lookup(name) {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse()
            .ok()
            .filter(|v| ok(v))
            .ok_or_else(|| err(name, format!("{raw:?} is not a valid value"))),
    }
}

impl Settings {
    /// Reads the environment; the JWT secret is resolved by [`Self::resolve_jwt_secret`].
    pub fn from_env() -> Result<Self, ConfigError> {
        let mut settings = Self::from_lookup(&var)?;
        settings.jwt_secret =
            Self::resolve_jwt_secret(&settings.database_url, var("SERIKTES_JWT_SECRET"))?;
        Ok(settings)
    }

    /// Reads the environment for a command that issues no token (`migrate`, `create-admin`):
    /// the JWT secret is neither required nor generated, and left empty, so these settings
    /// cannot serve.
    pub fn from_env_without_secret() -> Result<Self, ConfigError> {
        Self::from_lookup(&var)
    }

    /// Everything but the JWT secret (left empty), from `lookup` (the environment, or a test's
    /// map).
    fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let database_url =
            lookup("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        let bind_raw = lookup("SERIKTES_BIND").unwrap_or_else(|| DEFAULT_BIND.to_owned());
        let bind = bind_raw.parse().map_err(|_| {
            err(
                "SERIKTES_BIND",
                format!("{bind_raw:?} is not an address like 127.0.0.1:8080"),
            )
        })?;
        let cors_origins = parse_origins(
            lookup("SERIKTES_CORS_ORIGINS")
                .as_deref()
                .unwrap_or_default(),
        )?;
        let trusted_proxies = parse_proxies(
            lookup("SERIKTES_TRUSTED_PROXIES")
                .as_deref()
                .unwrap_or_default(),
        )?;
        let db_pool_size = parse_num(lookup, "SERIKTES_DB_POOL_SIZE", 8_u32, |n| {
            (1..=256).contains(n)
        })?;
        let db_timeout =
            Duration::from_secs(parse_num(lookup, "SERIKTES_DB_TIMEOUT_SECS", 5_u64, |n| {
                (1..=300).contains(n)
            })?);
        let db_statement_timeout = Duration::from_millis(parse_num(
            lookup,
            "SERIKTES_DB_STATEMENT_TIMEOUT_MS",
            DEFAULT_STATEMENT_TIMEOUT_MS,
            |n| (1..=600_000).contains(n),
        )?);
        let workers = match lookup("SERIKTES_WORKERS") {
            None => None,
            Some(_) => Some(parse_num(lookup, "SERIKTES_WORKERS", 1_usize, |n| {
                (1..=1024).contains(n)
            })?),
        };
        let hash_threads = parse_num(
            lookup,
            "SERIKTES_HASH_THREADS",
            crate::auth::password::default_threads(),
            |n| (1..=256).contains(n),
        )?;
        let hash_wait = Duration::from_millis(parse_num(
            lookup,
            "SERIKTES_HASH_WAIT_MS",
            DEFAULT_HASH_WAIT_MS,
            |n| (1..=60_000).contains(n),
        )?);
        let files = parse_files(lookup)?;
        let files_max_bytes = parse_num(
            lookup,
            "SERIKTES_FILES_MAX_BYTES",
            DEFAULT_FILES_MAX_BYTES,
            |n| (1024..=MAX_FILES_MAX_BYTES).contains(n),
        )?;
        let registration_limit = parse_num(
            lookup,
            "SERIKTES_REGISTRATION_LIMIT",
            DEFAULT_REGISTRATION_LIMIT,
            |n| (1..=MAX_REGISTRATION_LIMIT).contains(n),
        )?;
        Ok(Self {
            database_url,
            bind,
            jwt_secret: Secret::new(String::new()),
            cors_origins,
            trusted_proxies,
            db_pool_size,
            db_timeout,
            db_statement_timeout,
            workers,
            hash_threads,
            hash_wait,
            access_token_ttl: Duration::from_secs(MAX_ACCESS_TOKEN_TTL_SECS),
            refresh_token_ttl: Duration::from_secs(14 * 24 * 3600),
            migrate_on_start: true,
            files,
            files_max_bytes,
            registration_limit,
        })
    }

    /// The longest a request's database work may take, whatever the database or the network
    /// does: the wait for a connection plus two statements' worth (`SERIKTES_DB_TIMEOUT_SECS` +
    /// 2 × `SERIKTES_DB_STATEMENT_TIMEOUT_MS`). The statement timeout is the server's; this
    /// bound also holds when the network stalls and no statement reaches it.
    pub fn db_request_timeout(&self) -> Duration {
        self.db_timeout + 2 * self.db_statement_timeout
    }

    /// Settings for a test or tool: the given database, port 0, a fixed secret.
    pub fn for_database(database_url: &str, jwt_secret: &str) -> Self {
        Self {
            database_url: database_url.to_owned(),
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            jwt_secret: Secret::new(jwt_secret),
            cors_origins: Vec::new(),
            trusted_proxies: Vec::new(),
            db_pool_size: 4,
            db_timeout: Duration::from_secs(5),
            db_statement_timeout: Duration::from_millis(DEFAULT_STATEMENT_TIMEOUT_MS),
            workers: Some(2),
            hash_threads: crate::auth::password::default_threads(),
            hash_wait: Duration::from_millis(DEFAULT_HASH_WAIT_MS),
            access_token_ttl: Duration::from_secs(MAX_ACCESS_TOKEN_TTL_SECS),
            refresh_token_ttl: Duration::from_secs(14 * 24 * 3600),
            migrate_on_start: true,
            files: FilesLocation::Local(match Backend::of_url(database_url) {
                Backend::Sqlite => sqlite_data_dir(database_url).join("files"),
                Backend::Postgres => PathBuf::from(DEFAULT_FILES_DIR),
            }),
            files_max_bytes: DEFAULT_FILES_MAX_BYTES,
            registration_limit: DEFAULT_REGISTRATION_LIMIT,
        }
    }

    /// The JWT secret: `SERIKTES_JWT_SECRET` when set (at least 32 bytes); otherwise, on SQLite
    /// only, a random secret kept in `jwt-secret` (mode 0600) beside the database file, so tokens
    /// survive restarts. PostgreSQL deployments run several replicas and must share one secret.
    pub fn resolve_jwt_secret(
        database_url: &str,
        configured: Option<String>,
    ) -> Result<Secret, ConfigError> {
        const VAR: &str = "SERIKTES_JWT_SECRET";
        if let Some(s) = configured {
            if s.len() < MIN_SECRET_BYTES {
                return Err(err(
                    VAR,
                    format!("must be at least {MIN_SECRET_BYTES} bytes"),
                ));
            }
            return Ok(Secret::new(s));
        }
        if Backend::of_url(database_url) == Backend::Postgres {
            return Err(err(
                VAR,
                "is required with PostgreSQL (replicas must share it); use 32+ random bytes",
            ));
        }
        let dir = sqlite_data_dir(database_url);
        load_or_create_secret(&dir.join("jwt-secret"))
            .map_err(|e| err(VAR, format!("unset, and {e}")))
    }
}

/// The directory holding an SQLite database file.
pub fn sqlite_data_dir(database_url: &str) -> PathBuf {
    let path = database_url
        .strip_prefix("sqlite://")
        .unwrap_or(database_url);
    Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Creates the directory of an SQLite database file if needed.
pub fn ensure_sqlite_dir(database_url: &str) -> Result<(), ConfigError> {
    if Backend::of_url(database_url) == Backend::Sqlite {
        let dir = sqlite_data_dir(database_url);
        std::fs::create_dir_all(&dir).map_err(|e| {
            err(
                "DATABASE_URL",
                format!("cannot create directory {}: {e}", dir.display()),
            )
        })?;
    }
    Ok(())
}

fn load_or_create_secret(path: &Path) -> Result<Secret, String> {
    use base64::Engine;
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    if let Ok(existing) = std::fs::read_to_string(path) {
        let s = existing.trim().to_owned();
        if s.len() >= MIN_SECRET_BYTES {
            return Ok(Secret::new(s));
        }
        return Err(format!(
            "{} holds a secret shorter than {MIN_SECRET_BYTES} bytes",
            path.display()
        ));
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let mut bytes = [0_u8; 48];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness: {e}"))?;
    let secret = base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    file.write_all(secret.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    log::info!("generated a JWT secret in {} (mode 0600)", path.display());
    Ok(Secret::new(secret))
}

fn parse_proxies(raw: &str) -> Result<Vec<std::net::IpAddr>, ConfigError> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|p| {
            p.parse().map_err(|_| {
                err(
                    "SERIKTES_TRUSTED_PROXIES",
                    format!("{p:?} is not an IP address (comma-separated, e.g. 10.0.0.2,10.0.0.3)"),
                )
            })
        })
        .collect()
}

fn parse_origins(raw: &str) -> Result<Vec<String>, ConfigError> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|o| {
            let ok = o == "*"
                || ((o.starts_with("http://") || o.starts_with("https://"))
                    && !o.ends_with('/')
                    && o.split("://").nth(1).is_some_and(|h| !h.is_empty() && !h.contains('/')));
            if ok {
                Ok(o.to_owned())
            } else {
                Err(err(
                    "SERIKTES_CORS_ORIGINS",
                    format!("{o:?} is not an origin like https://app.example.org (comma-separated, or *)"),
                ))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_and_host_only() {
        assert_eq!(
            parse_origins("https://a.kz, http://localhost:3000")
                .unwrap()
                .len(),
            2
        );
        assert!(parse_origins("a.kz").is_err());
        assert!(parse_origins("https://a.kz/path").is_err());
        assert_eq!(parse_origins("").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn files_go_to_a_folder_unless_a_bucket_is_named() {
        let with = |url: &'static str| {
            move |name: &str| match name {
                "SERIKTES_FILES_URL" => Some(url.to_owned()),
                "AWS_ENDPOINT_URL" => Some("http://127.0.0.1:9000".to_owned()),
                _ => None,
            }
        };
        let none = |_: &str| None;
        assert_eq!(
            Settings::from_lookup(&none).unwrap().files,
            FilesLocation::Local(PathBuf::from("./data/files"))
        );
        assert_eq!(
            Settings::from_lookup(&with("file:///srv/files"))
                .unwrap()
                .files,
            FilesLocation::Local(PathBuf::from("/srv/files"))
        );
        match Settings::from_lookup(&with("s3://grants-files/prod"))
            .unwrap()
            .files
        {
            FilesLocation::S3(s3) => {
                assert_eq!(s3.url, "s3://grants-files/prod");
                assert_eq!(s3.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
            }
            other => panic!("{other:?}"),
        }
        for bad in ["s3://", "s3://x", "ftp://host/dir"] {
            let e = Settings::from_lookup(&with(bad)).unwrap_err();
            assert_eq!(e.variable, "SERIKTES_FILES_URL", "{bad}");
        }
    }

    #[test]
    fn postgres_needs_an_explicit_secret() {
        let e = Settings::resolve_jwt_secret("postgres://x/y", None).unwrap_err();
        assert_eq!(e.variable, "SERIKTES_JWT_SECRET");
        assert!(Settings::resolve_jwt_secret("postgres://x/y", Some("short".into())).is_err());
    }

    #[test]
    fn commands_that_issue_no_token_need_no_secret_on_postgres() {
        let env = |name: &str| match name {
            "DATABASE_URL" => Some("postgres://postgres@127.0.0.1/seriktes".to_owned()),
            "SERIKTES_DB_POOL_SIZE" => Some("3".to_owned()),
            _ => None,
        };
        let s = Settings::from_lookup(&env).unwrap();
        assert_eq!(s.database_url, "postgres://postgres@127.0.0.1/seriktes");
        assert_eq!(s.db_pool_size, 3);
        assert!(s.hash_threads >= 1);
        assert_eq!(s.hash_wait, Duration::from_millis(2000));
        assert!(s.jwt_secret.expose().is_empty());
    }

    #[test]
    fn the_hashing_pool_is_configured_and_bounded() {
        let env = |name: &str| match name {
            "SERIKTES_HASH_THREADS" => Some("3".to_owned()),
            "SERIKTES_HASH_WAIT_MS" => Some("250".to_owned()),
            _ => None,
        };
        let s = Settings::from_lookup(&env).unwrap();
        assert_eq!(
            (s.hash_threads, s.hash_wait),
            (3, Duration::from_millis(250))
        );
        let zero = |name: &str| (name == "SERIKTES_HASH_THREADS").then(|| "0".to_owned());
        let e = Settings::from_lookup(&zero).unwrap_err();
        assert_eq!(e.variable, "SERIKTES_HASH_THREADS");
    }

    #[test]
    fn an_sqlite_secret_is_generated_once_with_mode_0600() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let url = dir.path().join("db.sqlite").display().to_string();
        let first = Settings::resolve_jwt_secret(&url, None).unwrap();
        let second = Settings::resolve_jwt_secret(&url, None).unwrap();
        assert_eq!(first.expose(), second.expose());
        let mode = std::fs::metadata(dir.path().join("jwt-secret"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn the_data_directory_is_the_parent_of_the_file() {
        assert_eq!(
            sqlite_data_dir("./data/seriktes.db"),
            PathBuf::from("./data")
        );
        assert_eq!(sqlite_data_dir("seriktes.db"), PathBuf::from("."));
        assert_eq!(
            sqlite_data_dir("sqlite:///var/lib/s/x.db"),
            PathBuf::from("/var/lib/s")
        );
    }
}
