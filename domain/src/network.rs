//! Coalitions (DESIGN "Coalitions"): an organisation of kind `network` has member
//! organisations, each with the day it joined and, once it has left, the day it left. The
//! network's owners and managers admit and remove members; a member organisation's owners and
//! managers may leave. A network's growth over a period ("five new member organisations") is
//! the number of memberships that began in it.
//!
//! Pure rules: the use cases read the facts (the network's kind, whether the organisation is a
//! current member already) and ask.

use crate::ids::{NetworkMembershipId, OrganizationId};
use crate::organization::OrganizationKind;
use crate::{DomainError, FieldError};
use chrono::{NaiveDate, NaiveDateTime};

/// One organisation's membership of a network, from the day it joined to the day it left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkMembership {
    /// Its id.
    pub id: NetworkMembershipId,
    /// The network.
    pub network: OrganizationId,
    /// The member organisation.
    pub member: OrganizationId,
    /// The day it joined.
    pub joined_on: NaiveDate,
    /// The day it left (`None`: a current member).
    pub left_on: Option<NaiveDate>,
    /// Incremented on every change (ETag).
    pub version: i64,
    /// When recorded (UTC).
    pub created_at: NaiveDateTime,
    /// When last changed (UTC).
    pub updated_at: NaiveDateTime,
}

impl NetworkMembership {
    /// Whether the organisation is still a member.
    pub const fn is_current(&self) -> bool {
        self.left_on.is_none()
    }
}

/// Checks an admission: only a network has members, never itself, an organisation is a
/// current member once at a time, and the day it joined is not after `today` (a membership is
/// recorded as a fact, not planned).
pub fn check_admission(
    network_kind: OrganizationKind,
    network: OrganizationId,
    member: OrganizationId,
    joined_on: NaiveDate,
    already_member: bool,
    today: NaiveDate,
) -> Result<(), DomainError> {
    if network_kind != OrganizationKind::Network {
        return Err(DomainError::Conflict(format!(
            "Only an organisation of kind network has member organisations; this one is {}.",
            network_kind.as_str()
        )));
    }
    let mut errors = Vec::new();
    if member == network {
        errors.push(FieldError::new(
            "member_organization_id",
            "self",
            "a network is not a member of itself",
        ));
    }
    if joined_on > today {
        errors.push(FieldError::new(
            "joined_on",
            "future",
            format!("the day it joined is not after today ({today})"),
        ));
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    if already_member {
        return Err(DomainError::Conflict(
            "The organisation is a current member of the network already.".into(),
        ));
    }
    Ok(())
}

/// Plans the end of a membership (a removal by the network, or the member leaving) on
/// `left_on`: only a current membership ends, not before the day it joined, not after today.
pub fn plan_end(
    m: &NetworkMembership,
    left_on: NaiveDate,
    today: NaiveDate,
) -> Result<NaiveDate, DomainError> {
    if !m.is_current() {
        return Err(DomainError::InvalidTransition {
            entity: "network membership",
            action: "ended",
            from: "ended",
            allowed: Vec::new(),
        });
    }
    if left_on < m.joined_on {
        return Err(FieldError::new(
            "left_on",
            "before_joined",
            format!("the organisation joined on {}", m.joined_on),
        )
        .into());
    }
    if left_on > today {
        return Err(FieldError::new(
            "left_on",
            "future",
            format!("the day it left is not after today ({today})"),
        )
        .into());
    }
    Ok(left_on)
}

/// Checks a period asked about: `from` not after `to`.
pub fn check_period(from: NaiveDate, to: NaiveDate) -> Result<(), DomainError> {
    if from > to {
        return Err(
            FieldError::new("to", "before_from", "the period ends on or after it starts").into(),
        );
    }
    Ok(())
}

/// How a network grew over a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Growth {
    /// Current members (today).
    pub current: i64,
    /// Memberships that began in the period.
    pub joined: i64,
    /// Memberships that ended in the period.
    pub left: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn org(n: u128) -> OrganizationId {
        OrganizationId::from_uuid(Uuid::from_u128(n))
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn membership(left_on: Option<&str>) -> NetworkMembership {
        let at = day("2026-01-01").and_hms_opt(0, 0, 0).unwrap();
        NetworkMembership {
            id: NetworkMembershipId::from_uuid(Uuid::from_u128(9)),
            network: org(1),
            member: org(2),
            joined_on: day("2026-02-01"),
            left_on: left_on.map(day),
            version: 1,
            created_at: at,
            updated_at: at,
        }
    }

    fn fields(e: DomainError) -> Vec<(String, &'static str)> {
        match e {
            DomainError::Invalid(v) => v.into_iter().map(|f| (f.field, f.code)).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_network_admits_another_organisation_once_at_a_time() {
        let today = day("2026-06-01");
        let net = OrganizationKind::Network;
        assert_eq!(
            check_admission(net, org(1), org(2), today, false, today),
            Ok(())
        );
        assert!(matches!(
            check_admission(OrganizationKind::Ngo, org(1), org(2), today, false, today),
            Err(DomainError::Conflict(m)) if m.contains("ngo")
        ));
        assert_eq!(
            fields(
                check_admission(net, org(1), org(1), day("2026-06-02"), false, today).unwrap_err()
            ),
            vec![
                ("member_organization_id".to_owned(), "self"),
                ("joined_on".to_owned(), "future")
            ]
        );
        assert!(matches!(
            check_admission(net, org(1), org(2), today, true, today),
            Err(DomainError::Conflict(_))
        ));
    }

    #[test]
    fn a_membership_ends_once_between_joining_and_today() {
        let today = day("2026-06-01");
        let m = membership(None);
        assert!(m.is_current());
        assert_eq!(plan_end(&m, today, today), Ok(today));
        assert_eq!(
            fields(plan_end(&m, day("2026-01-31"), today).unwrap_err()),
            vec![("left_on".to_owned(), "before_joined")]
        );
        assert_eq!(
            fields(plan_end(&m, day("2026-06-02"), today).unwrap_err()),
            vec![("left_on".to_owned(), "future")]
        );
        let ended = membership(Some("2026-05-01"));
        assert!(!ended.is_current());
        assert!(matches!(
            plan_end(&ended, today, today),
            Err(DomainError::InvalidTransition { from: "ended", .. })
        ));
    }

    #[test]
    fn a_period_ends_on_or_after_it_starts() {
        assert_eq!(check_period(day("2026-01-01"), day("2026-01-01")), Ok(()));
        assert_eq!(
            fields(check_period(day("2026-02-01"), day("2026-01-01")).unwrap_err()),
            vec![("to".to_owned(), "before_from")]
        );
    }
}
