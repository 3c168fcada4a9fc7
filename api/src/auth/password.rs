//! argon2id password hashing with OWASP parameters (m = 19456 KiB, t = 2, p = 1).
//!
//! Each hash or verification takes tens of milliseconds and 19 MiB, so it never runs on an
//! actix worker nor on the database's blocking pool: [`Hashers`] is a small pool of dedicated
//! threads (about one per core). At most as many jobs as threads run at once; a caller waits
//! at most `wait` for a thread, then gets [`ApiError::Busy`] (503 with `Retry-After`). Each
//! thread keeps one argon2 memory block and reuses it for every job, so memory stays bounded
//! under a sign-in storm (fresh 19 MiB allocations per hash fragment glibc's heap).
//!
//! The pool belongs to the application, not the process: `Application::build_with` starts one
//! from `Settings::{hash_threads, hash_wait}` and keeps it in `AppState` (STYLE §7: no
//! globals); `seriktes create-admin` starts its own one-thread pool.

use crate::error::ApiError;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::cell::RefCell;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Semaphore, oneshot};

/// A password hash in PHC form (`$argon2id$v=19$m=19456,t=2,p=1$…`).
#[derive(Clone, PartialEq, Eq)]
pub struct HashedPassword(String);

impl HashedPassword {
    /// Hashes `password` on the calling thread (the command line; servers use [`Hashers`]).
    pub fn of(password: &str) -> Result<Self, argon2::password_hash::Error> {
        hash(password).map(Self)
    }

    /// The PHC string, for storage.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for HashedPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HashedPassword([redacted])")
    }
}

fn production_params() -> Result<Params, argon2::Error> {
    Params::new(19_456, 2, 1, None)
}

thread_local! {
    /// The memory block of this thread's hashing, grown once and reused.
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Runs argon2 with this thread's reused memory block.
fn argon2_into(
    algorithm: Algorithm,
    version: Version,
    params: Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> Result<(), argon2::Error> {
    let blocks = params.block_count();
    let argon = Argon2::new(algorithm, version, params);
    MEMORY.with(|m| {
        let mut memory = m.borrow_mut();
        if memory.len() < blocks {
            memory.resize(blocks, Block::new());
        }
        argon.hash_password_into_with_memory(password, salt, out, &mut memory[..blocks])
    })
}

/// Hashes a password into a PHC string, on the calling thread.
pub fn hash(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0_u8; 64];
    let salt_raw = salt.decode_b64(&mut salt_bytes)?;
    let params = production_params()?;
    let output = Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
        Ok(argon2_into(
            Algorithm::Argon2id,
            Version::V0x13,
            params.clone(),
            password.as_bytes(),
            salt_raw,
            out,
        )?)
    })?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params)?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string (parameters read from it), on the calling thread.
pub fn verify(password: &str, phc: &str) -> bool {
    let check = || -> Result<bool, argon2::password_hash::Error> {
        let parsed = PasswordHash::new(phc)?;
        let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
            return Ok(false);
        };
        let algorithm = Algorithm::try_from(parsed.algorithm)?;
        let version = parsed
            .version
            .map(Version::try_from)
            .transpose()?
            .unwrap_or_default();
        let params = Params::try_from(&parsed)?;
        let mut salt_bytes = [0_u8; 64];
        let salt_raw = salt.decode_b64(&mut salt_bytes)?;
        let computed = Output::init_with(expected.len(), |out| {
            Ok(argon2_into(
                algorithm,
                version,
                params,
                password.as_bytes(),
                salt_raw,
                out,
            )?)
        })?;
        Ok(computed == expected)
    };
    check().unwrap_or(false)
}

type Job = Box<dyn FnOnce() + Send>;

/// The dedicated hashing threads and the permits that bound the work in flight.
#[derive(Debug)]
pub struct Hashers {
    permits: Arc<Semaphore>,
    jobs: SyncSender<Job>,
    wait: Duration,
}

impl Hashers {
    /// `threads` dedicated threads (at least one); a caller waits at most `wait` for one.
    pub fn start(threads: usize, wait: Duration) -> std::io::Result<Self> {
        let threads = threads.max(1);
        let (jobs, queue) = sync_channel::<Job>(threads);
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..threads {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || work(&queue))?;
        }
        Ok(Self {
            permits: Arc::new(Semaphore::new(threads)),
            jobs,
            wait,
        })
    }

    /// Runs `f` on a hashing thread, waiting at most the configured time for one.
    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let retry = self.wait.as_secs().max(1);
        let permit = tokio::time::timeout(self.wait, Arc::clone(&self.permits).acquire_owned())
            .await
            .map_err(|_| ApiError::Busy(retry))?
            .map_err(ApiError::internal)?;
        let (tx, rx) = oneshot::channel();
        self.jobs
            .try_send(Box::new(move || {
                let _ = tx.send(f());
                drop(permit);
            }))
            .map_err(|_| ApiError::Busy(retry))?;
        rx.await.map_err(ApiError::internal)
    }

    /// Hashes a password on a hashing thread.
    pub async fn hash(&self, password: String) -> Result<HashedPassword, ApiError> {
        self.run(move || HashedPassword::of(&password))
            .await?
            .map_err(|e| ApiError::Internal(e.to_string().into()))
    }

    /// Verifies a password on a hashing thread.
    pub async fn verify(&self, password: String, phc: String) -> Result<bool, ApiError> {
        self.run(move || verify(&password, &phc)).await
    }
}

fn work(queue: &Mutex<Receiver<Job>>) {
    loop {
        let job = match queue.lock() {
            Ok(q) => q.recv(),
            Err(_) => return,
        };
        match job {
            Ok(job) => job(),
            Err(_) => return,
        }
    }
}

/// Threads used when not configured: one per core.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse battery", &h));
        assert!(!verify("wrong horse battery", &h));
        assert!(!verify("anything", "not a phc string"));
    }

    #[test]
    fn hashes_of_the_argon2_crate_verify_and_ours_verify_there() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let theirs = Argon2::default()
            .hash_password(b"pw pw pw pw", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        assert!(verify("pw pw pw pw", &theirs));
        let ours = hash("pw pw pw pw").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"pw pw pw pw", &parsed)
                .is_ok()
        );
    }

    #[actix_web::test]
    async fn callers_beyond_the_pool_wait_then_are_told_to_retry() {
        let pool: &'static Hashers = Box::leak(Box::new(
            Hashers::start(1, Duration::from_millis(50)).unwrap(),
        ));
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let first = actix_web::rt::spawn(pool.run(move || hold.recv().is_ok()));
        actix_web::rt::time::sleep(Duration::from_millis(10)).await;
        let second = pool.run(|| true).await;
        assert!(matches!(second, Err(ApiError::Busy(1))), "{second:?}");
        release.send(()).unwrap();
        assert!(first.await.unwrap().unwrap());
        assert!(pool.run(|| true).await.unwrap(), "the thread is free again");
    }
}
