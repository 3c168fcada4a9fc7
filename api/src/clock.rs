//! The one clock of the application (STYLE §6): every "now" comes from the [`Clock`] in the
//! app state, so tests run on a fixed clock they advance instead of sleeping.

use chrono::{NaiveDateTime, SubsecRound, TimeDelta};
use std::sync::Mutex;

/// A source of the current time: UTC, microsecond precision (PostgreSQL's), so that values
/// read back compare equal on both backends.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current time.
    fn now(&self) -> NaiveDateTime;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> NaiveDateTime {
        chrono::Utc::now().naive_utc().trunc_subsecs(6)
    }
}

/// A clock that stands still until it is moved: for tests.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<NaiveDateTime>,
}

impl ManualClock {
    /// A clock showing `at`.
    pub fn at(at: NaiveDateTime) -> Self {
        Self {
            now: Mutex::new(at.trunc_subsecs(6)),
        }
    }

    /// A clock showing the system time of its creation.
    pub fn starting_now() -> Self {
        Self::at(SystemClock.now())
    }

    /// Moves the clock forward (or back, with a negative delta).
    pub fn advance(&self, by: TimeDelta) {
        let mut now = self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *now = now.checked_add_signed(by).unwrap_or(*now);
    }

    /// Sets the clock.
    pub fn set(&self, at: NaiveDateTime) {
        *self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = at.trunc_subsecs(6);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> NaiveDateTime {
        *self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told() {
        let start = SystemClock.now();
        let clock = ManualClock::at(start);
        assert_eq!(clock.now(), start);
        clock.advance(TimeDelta::days(2));
        assert_eq!(clock.now(), start + TimeDelta::days(2));
        clock.set(start);
        assert_eq!(clock.now(), start);
    }
}
