//! Sign-in throttling: after too many failed attempts for one e-mail from one address, further
//! attempts are refused with 429 until the window ends — even with the right password, so
//! guessing gains nothing. Counting is per process (each replica throttles on its own); the
//! limit bounds online guessing, argon2id bounds offline guessing. Time is the application's
//! clock (`state.now()`), so tests move it instead of sleeping.

use chrono::{NaiveDateTime, TimeDelta};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// Failed attempts allowed per window before sign-in is refused.
pub const MAX_FAILURES: u32 = 10;
/// Length of the counting window.
pub const WINDOW: TimeDelta = TimeDelta::minutes(15);
/// Entries kept before expired ones are swept.
const SWEEP_AT: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Window {
    started: NaiveDateTime,
    failures: u32,
}

/// Counts failed sign-ins per (client address, e-mail).
#[derive(Debug, Default)]
pub struct LoginThrottle {
    windows: Mutex<HashMap<(IpAddr, String), Window>>,
}

impl LoginThrottle {
    fn key(ip: IpAddr, email: &str) -> (IpAddr, String) {
        (ip, email.trim().to_lowercase())
    }

    /// `Err(seconds to wait)` when this client has failed too often for this e-mail.
    pub fn check(&self, ip: IpAddr, email: &str, now: NaiveDateTime) -> Result<(), u64> {
        let windows = self
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match windows.get(&Self::key(ip, email)) {
            Some(w) if w.failures >= MAX_FAILURES && now - w.started < WINDOW => {
                let left = WINDOW - (now - w.started);
                Err(u64::try_from(left.num_seconds()).unwrap_or(0).max(1))
            }
            _ => Ok(()),
        }
    }

    /// Counts one failed attempt.
    pub fn fail(&self, ip: IpAddr, email: &str, now: NaiveDateTime) {
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if windows.len() >= SWEEP_AT {
            windows.retain(|_, w| now - w.started < WINDOW);
        }
        let w = windows.entry(Self::key(ip, email)).or_insert(Window {
            started: now,
            failures: 0,
        });
        if now - w.started >= WINDOW {
            *w = Window {
                started: now,
                failures: 0,
            };
        }
        w.failures = w.failures.saturating_add(1);
    }

    /// Forgets the failures of a client that signed in.
    pub fn succeed(&self, ip: IpAddr, email: &str) {
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        windows.remove(&Self::key(ip, email));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn the_eleventh_attempt_within_the_window_is_refused() {
        let t = LoginThrottle::default();
        let start = chrono::DateTime::UNIX_EPOCH.naive_utc();
        for _ in 0..MAX_FAILURES {
            assert!(t.check(IP, "a@b.kz", start).is_ok());
            t.fail(IP, "A@b.kz", start);
        }
        let wait = t
            .check(IP, "a@b.kz", start + TimeDelta::seconds(60))
            .unwrap_err();
        assert_eq!(wait, 15 * 60 - 60);
        assert!(
            t.check(IP, "other@b.kz", start).is_ok(),
            "other accounts are unaffected"
        );
        assert!(
            t.check(IP, "a@b.kz", start + WINDOW).is_ok(),
            "the window ends"
        );
    }

    #[test]
    fn a_successful_sign_in_clears_the_count() {
        let t = LoginThrottle::default();
        let now = chrono::DateTime::UNIX_EPOCH.naive_utc();
        for _ in 0..MAX_FAILURES - 1 {
            t.fail(IP, "a@b.kz", now);
        }
        t.succeed(IP, "a@b.kz");
        t.fail(IP, "a@b.kz", now);
        assert!(t.check(IP, "a@b.kz", now).is_ok());
    }
}
