//! Training attendance counted toward a grant indicator (DESIGN: "Attendance of a training
//! linked to a grant indicator counts toward it"). A `training` or `seminar` may be linked to
//! one of its grantee-organiser's grants and a `count` indicator that grant carries
//! ([`check_link`]); the grant's report for a period then shows, as a suggested value, how many
//! registrations attended the grant's linked meetings that were held in the period
//! ([`suggest`]), disaggregated where every counted registrant answered. Nothing is written
//! into the report: the grantee copies the suggestion through the ordinary form.
//!
//! Pure: the facts come from the use case, which loads them in its transaction.

use crate::error::{DomainError, FieldError, Validator};
use crate::grant::GrantStatus;
use crate::ids::{GrantId, IndicatorId, MeetingId, OrganizationId};
use crate::indicator::{Dimension, IndicatorKind};
use crate::meeting::{MeetingKind, TimeZone};
use crate::report::{Part, ReportStatus};
use chrono::{NaiveDate, NaiveDateTime};
use std::collections::BTreeMap;

/// What a meeting's attendance counts toward: one indicator of one grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountsToward {
    /// The grant.
    pub grant: GrantId,
    /// The indicator, carried by the grant.
    pub indicator: IndicatorId,
}

/// What the store knows about a link's grant and indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkFacts {
    /// The grant's grantee; `None` when there is no such grant.
    pub grantee: Option<OrganizationId>,
    /// The indicator's kind when the grant carries it; `None` otherwise.
    pub carried: Option<IndicatorKind>,
}

/// Most meetings a suggested value lists as its sources (the value counts them all).
pub const MAX_SOURCES: usize = 500;

/// The meeting kinds whose attendance may count toward an indicator.
pub const COUNTING_KINDS: [MeetingKind; 2] = [MeetingKind::Training, MeetingKind::Seminar];

/// Checks a meeting's link, every broken rule named: only trainings and seminars count
/// (`counts_toward`/`kind`); the grant exists and its grantee organises the meeting (one
/// message for both, so that grant ids of others do not leak); the grant carries the
/// indicator and it is a `count`.
pub fn check_link(
    kind: MeetingKind,
    organizers: &[OrganizationId],
    facts: LinkFacts,
) -> Result<(), DomainError> {
    let mut v = Validator::new();
    if !COUNTING_KINDS.contains(&kind) {
        v.push(FieldError::new(
            "counts_toward",
            "kind",
            "only a training or a seminar counts its attendance toward an indicator",
        ));
    }
    let organised = facts.grantee.is_some_and(|g| organizers.contains(&g));
    if !organised {
        v.push(FieldError::new(
            "counts_toward.grant_id",
            "organised_by_grantee",
            "no grant with this id whose grantee organises the meeting",
        ));
    } else {
        match facts.carried {
            None => v.push(FieldError::new(
                "counts_toward.indicator_id",
                "not_in_grant",
                "the grant does not carry this indicator",
            )),
            Some(k) if k != IndicatorKind::Count => v.push(FieldError::new(
                "counts_toward.indicator_id",
                "kind",
                "attendance counts toward a count indicator only",
            )),
            Some(_) => {}
        }
    }
    v.finish()
}

/// Whether a report is still the grantee's to edit, so that suggestions help: due, draft or
/// sent back for revision, the grant active and the requirement open (`open`).
pub fn suggests(status: ReportStatus, grant: GrantStatus, open: bool) -> bool {
    open && grant == GrantStatus::Active
        && matches!(
            status,
            ReportStatus::Due | ReportStatus::Draft | ReportStatus::RevisionRequested
        )
}

/// One group of attended registrations of one linked meeting with the same answers, as
/// counted in SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceGroup {
    /// The indicator the meeting counts toward.
    pub indicator: IndicatorId,
    /// The dimensions the indicator is disaggregated by.
    pub dimensions: Vec<Dimension>,
    /// The meeting.
    pub meeting: MeetingId,
    /// Its start, UTC.
    pub starts_at: NaiveDateTime,
    /// Its time zone.
    pub time_zone: TimeZone,
    /// The answer on sex, if any.
    pub sex: Option<String>,
    /// The answer on age band, if any.
    pub age_band: Option<String>,
    /// The answer on disability, if any.
    pub disability: Option<String>,
    /// How many registrations.
    pub count: i64,
}

/// A value suggested for one indicator of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuggestedValue {
    /// The indicator.
    pub indicator: IndicatorId,
    /// How many attended.
    pub value: i64,
    /// The breakdown, per dimension the indicator is disaggregated by and every counted
    /// registrant answered (sex and disability: an unanswered one is `not_stated`).
    pub parts: Vec<Part>,
    /// The meetings counted, by id (the first [`MAX_SOURCES`]).
    pub meetings: Vec<MeetingId>,
}

/// The category a registrant's answer counts under, `None` when it cannot be counted.
fn category(dimension: Dimension, g: &AttendanceGroup) -> Option<String> {
    match dimension {
        Dimension::Sex => Some(g.sex.clone().unwrap_or_else(|| "not_stated".to_owned())),
        Dimension::Disability => Some(
            g.disability
                .clone()
                .unwrap_or_else(|| "not_stated".to_owned()),
        ),
        Dimension::AgeBand => g.age_band.clone(),
        Dimension::Region => None,
    }
}

/// Folds attendance groups into one suggested value per indicator (by indicator id), counting
/// only meetings that start within `[period_start, period_end]` by their date in their own time
/// zone (as the participants saw the calendar). Parts are given for each dimension the
/// indicator is disaggregated by when every counted registration has a category there; they
/// then add up to the value. Indicators with nothing counted are left out.
pub fn suggest(
    groups: &[AttendanceGroup],
    period_start: NaiveDate,
    period_end: NaiveDate,
) -> Vec<SuggestedValue> {
    let mut by_indicator: BTreeMap<IndicatorId, Vec<&AttendanceGroup>> = BTreeMap::new();
    for g in groups {
        let local = g
            .starts_at
            .and_utc()
            .with_timezone(&g.time_zone.tz())
            .date_naive();
        if (period_start..=period_end).contains(&local) && g.count > 0 {
            by_indicator.entry(g.indicator).or_default().push(g);
        }
    }
    by_indicator
        .into_iter()
        .map(|(indicator, gs)| {
            let value = gs.iter().map(|g| g.count).sum();
            let mut meetings: Vec<MeetingId> = gs.iter().map(|g| g.meeting).collect();
            meetings.sort();
            meetings.dedup();
            meetings.truncate(MAX_SOURCES);
            let dimensions = gs.first().map(|g| g.dimensions.clone()).unwrap_or_default();
            let mut parts = Vec::new();
            for d in dimensions {
                let mut counts: BTreeMap<String, i64> = BTreeMap::new();
                let complete = gs.iter().all(|g| {
                    category(d, g).is_some_and(|c| {
                        *counts.entry(c).or_default() += g.count;
                        true
                    })
                });
                if complete {
                    let order = d.categories(&[]);
                    let mut ps: Vec<Part> = counts
                        .into_iter()
                        .map(|(category, count)| Part {
                            dimension: d,
                            category,
                            count,
                        })
                        .collect();
                    ps.sort_by_key(|p| order.iter().position(|c| *c == p.category));
                    parts.extend(ps);
                }
            }
            SuggestedValue {
                indicator,
                value,
                parts,
                meetings,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn org(n: u128) -> OrganizationId {
        OrganizationId::from_uuid(Uuid::from_u128(n))
    }

    fn ind(n: u128) -> IndicatorId {
        IndicatorId::from_uuid(Uuid::from_u128(n))
    }

    fn meeting(n: u128) -> MeetingId {
        MeetingId::from_uuid(Uuid::from_u128(n))
    }

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn codes(r: Result<(), DomainError>) -> Vec<(String, &'static str)> {
        match r {
            Err(DomainError::Invalid(e)) => e.into_iter().map(|e| (e.field, e.code)).collect(),
            Ok(()) => Vec::new(),
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    fn facts(grantee: Option<u128>, carried: Option<IndicatorKind>) -> LinkFacts {
        LinkFacts {
            grantee: grantee.map(org),
            carried,
        }
    }

    #[test]
    fn a_training_of_its_grantee_counts_toward_a_carried_count_indicator() {
        let f = facts(Some(1), Some(IndicatorKind::Count));
        assert!(check_link(MeetingKind::Training, &[org(2), org(1)], f).is_ok());
        assert!(check_link(MeetingKind::Seminar, &[org(1)], f).is_ok());
    }

    #[test]
    fn other_kinds_do_not_count() {
        let f = facts(Some(1), Some(IndicatorKind::Count));
        assert_eq!(
            codes(check_link(MeetingKind::RoundTable, &[org(1)], f)),
            [("counts_toward".to_owned(), "kind")]
        );
    }

    #[test]
    fn an_unknown_grant_and_one_not_organised_by_its_grantee_are_refused_alike() {
        let unknown = check_link(MeetingKind::Training, &[org(1)], facts(None, None));
        let others = check_link(
            MeetingKind::Training,
            &[org(1)],
            facts(Some(9), Some(IndicatorKind::Count)),
        );
        assert_eq!(unknown, others);
        assert_eq!(
            codes(unknown),
            [("counts_toward.grant_id".to_owned(), "organised_by_grantee")]
        );
    }

    #[test]
    fn the_indicator_is_carried_and_a_count() {
        assert_eq!(
            codes(check_link(
                MeetingKind::Training,
                &[org(1)],
                facts(Some(1), None)
            )),
            [("counts_toward.indicator_id".to_owned(), "not_in_grant")]
        );
        assert_eq!(
            codes(check_link(
                MeetingKind::Training,
                &[org(1)],
                facts(Some(1), Some(IndicatorKind::Percentage))
            )),
            [("counts_toward.indicator_id".to_owned(), "kind")]
        );
    }

    #[test]
    fn only_reports_the_grantee_may_still_edit_get_suggestions() {
        for s in ReportStatus::ALL {
            let editable = matches!(
                s,
                ReportStatus::Due | ReportStatus::Draft | ReportStatus::RevisionRequested
            );
            assert_eq!(suggests(*s, GrantStatus::Active, true), editable, "{s:?}");
            assert!(!suggests(*s, GrantStatus::Suspended, true));
            assert!(!suggests(*s, GrantStatus::Active, false));
        }
    }

    fn group(
        indicator: u128,
        m: u128,
        starts_at: NaiveDateTime,
        sex: Option<&str>,
        age: Option<&str>,
        count: i64,
    ) -> AttendanceGroup {
        AttendanceGroup {
            indicator: ind(indicator),
            dimensions: vec![Dimension::Sex, Dimension::AgeBand, Dimension::Disability],
            meeting: meeting(m),
            starts_at,
            time_zone: TimeZone::parse("Asia/Almaty").unwrap(),
            sex: sex.map(str::to_owned),
            age_band: age.map(str::to_owned),
            disability: None,
            count,
        }
    }

    fn at(m: u32, d: u32, h: u32) -> NaiveDateTime {
        day(m, d).and_hms_opt(h, 0, 0).unwrap()
    }

    fn part(dimension: Dimension, category: &str, count: i64) -> Part {
        Part {
            dimension,
            category: category.to_owned(),
            count,
        }
    }

    #[test]
    fn attendance_is_summed_with_unanswered_sex_and_disability_as_not_stated() {
        let groups = [
            group(1, 1, at(5, 10, 4), Some("female"), Some("18-29"), 3),
            group(1, 1, at(5, 10, 4), None, Some("30-64"), 1),
            group(1, 2, at(6, 2, 4), Some("male"), Some("18-29"), 2),
        ];
        let s = suggest(&groups, day(4, 1), day(6, 30));
        assert_eq!(
            s,
            [SuggestedValue {
                indicator: ind(1),
                value: 6,
                parts: vec![
                    part(Dimension::Sex, "female", 3),
                    part(Dimension::Sex, "male", 2),
                    part(Dimension::Sex, "not_stated", 1),
                    part(Dimension::AgeBand, "18-29", 5),
                    part(Dimension::AgeBand, "30-64", 1),
                    part(Dimension::Disability, "not_stated", 6),
                ],
                meetings: vec![meeting(1), meeting(2)],
            }]
        );
    }

    #[test]
    fn age_bands_are_given_only_when_every_counted_registrant_answered() {
        let groups = [
            group(1, 1, at(5, 10, 4), Some("female"), Some("18-29"), 3),
            group(1, 1, at(5, 10, 4), Some("female"), None, 1),
        ];
        let s = suggest(&groups, day(4, 1), day(6, 30));
        assert_eq!(s.len(), 1);
        assert!(s[0].parts.iter().all(|p| p.dimension != Dimension::AgeBand));
        assert_eq!(s[0].parts[0], part(Dimension::Sex, "female", 4));
    }

    #[test]
    fn a_meeting_counts_in_the_period_of_its_local_date() {
        // 20:00 UTC on 30 June is 1 July in Almaty (UTC+5): next period.
        let groups = [
            group(1, 1, at(6, 30, 20), Some("female"), None, 2),
            group(1, 2, at(3, 31, 20), Some("male"), None, 1),
        ];
        let q2 = suggest(&groups, day(4, 1), day(6, 30));
        assert_eq!(q2.len(), 1);
        assert_eq!((q2[0].value, q2[0].meetings.clone()), (1, vec![meeting(2)]));
        assert_eq!(suggest(&groups, day(7, 1), day(9, 30))[0].value, 2);
        assert!(suggest(&groups, day(10, 1), day(12, 31)).is_empty());
    }

    #[test]
    fn indicators_are_suggested_apart_and_without_dimensions_have_no_parts() {
        let mut plain = group(2, 3, at(5, 1, 4), Some("female"), None, 4);
        plain.dimensions = Vec::new();
        let groups = [group(1, 1, at(5, 10, 4), Some("female"), None, 1), plain];
        let s = suggest(&groups, day(4, 1), day(6, 30));
        assert_eq!(s.len(), 2);
        assert_eq!(s[1].indicator, ind(2));
        assert_eq!(s[1].value, 4);
        assert!(s[1].parts.is_empty());
    }
}
