//! Throttling of password guesses: how many failures a client may have before it must wait,
//! per what it guesses at. Pure: the counting windows come from storage (shared by every API
//! replica), the time is passed in.
//!
//! Three counts guard sign-in (OWASP Authentication Cheat Sheet, "Login Throttling"):
//! - one e-mail from one client address: a user mistyping, or guessing one account;
//! - one client address, whatever the e-mail: password spraying (one password, many accounts);
//! - one e-mail, whatever the address: guessing one account from many addresses.
//!
//! A fourth guards `PUT /me/password`: a stolen access token must not become a way to guess
//! the current password.
//!
//! A fifth limits public registrations for meetings per client address (no account is needed
//! to register, so the address is what a flood is counted by).
//!
//! When a count is full, attempts are refused until its window ends, even with the right
//! password, so guessing gains nothing. The limits per address and per e-mail are higher than
//! per pair, so that a crowd behind one address, or someone guessing at a victim's account, does
//! not lock the rightful user out for long.

use chrono::{NaiveDateTime, TimeDelta};
use std::net::IpAddr;

/// How long a counting window lasts from its first failure.
pub const WINDOW: TimeDelta = TimeDelta::minutes(15);

/// What a count is kept for, and its limit per [`WINDOW`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// Sign-in attempts for one e-mail from one client address.
    AddressAndEmail(ClientAddress, String),
    /// Sign-in attempts from one client address.
    Address(ClientAddress),
    /// Sign-in attempts for one e-mail.
    Email(String),
    /// Attempts at the current password of one signed-in user.
    CurrentPassword(crate::ids::UserId),
    /// Public registrations for meetings from one client address, with the configured limit
    /// per window (every registration counts, not only failures).
    Registration(ClientAddress, i32),
}

impl Subject {
    /// Failures allowed per window; the next attempt is refused.
    pub fn limit(&self) -> i32 {
        match self {
            Self::AddressAndEmail(..) | Self::CurrentPassword(_) => 10,
            Self::Address(_) => 50,
            Self::Email(_) => 100,
            Self::Registration(_, limit) => *limit,
        }
    }

    /// The key a count is stored under.
    pub fn key(&self) -> String {
        match self {
            Self::AddressAndEmail(a, e) => format!("login:{a}:{e}"),
            Self::Address(a) => format!("login-address:{a}"),
            Self::Email(e) => format!("login-email:{e}"),
            Self::CurrentPassword(u) => format!("password:{u}"),
            Self::Registration(a, _) => format!("register:{a}"),
        }
    }

    /// The counts that guard a sign-in as `email` from `client`. E-mails are compared
    /// trimmed and lower-cased, as sign-in finds them.
    pub fn sign_in(client: ClientAddress, email: &str) -> [Self; 3] {
        let email = email.trim().to_lowercase();
        [
            Self::AddressAndEmail(client, email.clone()),
            Self::Address(client),
            Self::Email(email),
        ]
    }
}

/// The address a count is kept per: an IPv4 address, or the /64 network of an IPv6 one (a
/// single subscriber usually holds a whole /64, so counting per address would be no limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(IpAddr);

impl ClientAddress {
    /// The counting address of `ip`; IPv4-mapped IPv6 addresses count as IPv4.
    pub fn of(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(_) => Self(ip),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Self(IpAddr::V4(v4)),
                None => {
                    let network = u128::from(v6) & !u128::from(u64::MAX);
                    Self(IpAddr::V6(network.into()))
                }
            },
        }
    }
}

impl std::fmt::Display for ClientAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            IpAddr::V4(a) => write!(f, "{a}"),
            IpAddr::V6(a) => write!(f, "{a}/64"),
        }
    }
}

/// A stored count: when its window started and how many failures it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    /// The first failure of the window.
    pub started_at: NaiveDateTime,
    /// Failures in the window.
    pub failures: i32,
}

/// `Err(seconds to wait)` when any of the counts is full at `now`: the longest wait among
/// them, at least one second. `counts` pairs each subject with its stored count, if any.
pub fn check(counts: &[(&Subject, Option<Count>)], now: NaiveDateTime) -> Result<(), u64> {
    let wait = counts
        .iter()
        .filter_map(|(subject, count)| {
            let c = (*count)?;
            let left = WINDOW - (now - c.started_at);
            (c.failures >= subject.limit() && left > TimeDelta::zero()).then_some(left)
        })
        .max();
    match wait {
        Some(left) => Err(u64::try_from(left.num_seconds()).unwrap_or(0).max(1)),
        None => Ok(()),
    }
}

/// The start of the oldest window still running at `now`: counts that started at or before
/// it are over (a new failure starts a new window).
pub fn window_cutoff(now: NaiveDateTime) -> NaiveDateTime {
    now - WINDOW
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn at(minutes: i64) -> NaiveDateTime {
        chrono::DateTime::UNIX_EPOCH.naive_utc() + TimeDelta::minutes(minutes)
    }

    fn client() -> ClientAddress {
        ClientAddress::of(IpAddr::V4(Ipv4Addr::LOCALHOST))
    }

    #[test]
    fn a_full_count_refuses_until_its_window_ends() {
        let [pair, _, _] = Subject::sign_in(client(), " A@b.kz ");
        assert_eq!(pair.key(), "login:127.0.0.1:a@b.kz");
        let full = Count {
            started_at: at(0),
            failures: 10,
        };
        assert_eq!(check(&[(&pair, Some(full))], at(1)), Err(14 * 60));
        assert_eq!(check(&[(&pair, Some(full))], at(15)), Ok(()));
        let nine = Count {
            failures: 9,
            ..full
        };
        assert_eq!(check(&[(&pair, Some(nine))], at(1)), Ok(()));
        assert_eq!(check(&[(&pair, None)], at(1)), Ok(()));
    }

    #[test]
    fn spraying_from_one_address_fills_the_address_count() {
        let [_, address, email] = Subject::sign_in(client(), "a@b.kz");
        let count = |failures| {
            Some(Count {
                started_at: at(0),
                failures,
            })
        };
        assert_eq!(check(&[(&address, count(49))], at(1)), Ok(()));
        assert!(check(&[(&address, count(50))], at(1)).is_err());
        assert_eq!(check(&[(&email, count(99))], at(1)), Ok(()));
        assert!(check(&[(&email, count(100))], at(1)).is_err());
    }

    #[test]
    fn the_longest_wait_wins() {
        let [pair, address, _] = Subject::sign_in(client(), "a@b.kz");
        let counts = [
            (
                &pair,
                Some(Count {
                    started_at: at(0),
                    failures: 10,
                }),
            ),
            (
                &address,
                Some(Count {
                    started_at: at(5),
                    failures: 50,
                }),
            ),
        ];
        assert_eq!(check(&counts, at(6)), Err(14 * 60));
    }

    #[test]
    fn ipv6_clients_count_per_64_network_and_mapped_ipv4_as_ipv4() {
        let a: Ipv6Addr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: Ipv6Addr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        assert_eq!(
            ClientAddress::of(IpAddr::V6(a)),
            ClientAddress::of(IpAddr::V6(b))
        );
        assert_eq!(
            ClientAddress::of(IpAddr::V6(a)).to_string(),
            "2001:db8:1:2::/64"
        );
        let mapped = Ipv4Addr::new(10, 0, 0, 1).to_ipv6_mapped();
        assert_eq!(
            ClientAddress::of(IpAddr::V6(mapped)).to_string(),
            "10.0.0.1"
        );
    }
}
