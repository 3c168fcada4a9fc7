//! Meeting series use cases: create a series with every occurrence as a meeting of its own (in
//! one transaction), read and list series (anonymous callers too, for public ones), and the
//! compliance view. Access is the meeting policy over the series' template
//! ([`seriktes_domain::access::meeting_series`]); each occurrence is then an ordinary meeting,
//! edited, held and cancelled on its own through [`crate::service::meetings`].

use crate::error::ApiError;
use crate::recurrence;
use crate::service::events::{self, Event};
use crate::service::meetings::{check_parties, facts};
use chrono::{NaiveDate, NaiveDateTime};
use seriktes_domain::access::meeting::{
    MeetingFacts, MeetingRight, MeetingRole, may_organize, meeting,
};
use seriktes_domain::access::meeting_series::meeting_series;
use seriktes_domain::access::{Actor, authorize};
use seriktes_domain::ids::{MeetingId, MeetingSeriesId};
use seriktes_domain::meeting::{MeetingInput, MeetingStatus, Visibility, check_meeting};
use seriktes_domain::meeting_series::{Compliance, MeetingSeries, compliance};
use seriktes_domain::{DomainError, FieldError};
use seriktes_persistence::DbConn;
use seriktes_persistence::db::Tx;
use seriktes_persistence::meeting_series::{self as store, NewSeries};
use seriktes_persistence::meetings;
use seriktes_persistence::page::{Page, PageRequest};

/// A new series: the template of its occurrences (whose `starts_at`/`ends_at` are the first
/// occurrence's; every occurrence lasts as long) and its `RRULE` value.
#[derive(Debug, Clone)]
pub struct NewSeriesInput {
    /// The template.
    pub template: MeetingInput,
    /// The RFC 5545 `RRULE` value.
    pub recurrence: String,
}

/// A series as the caller sees it, with its meetings' ids by start.
#[derive(Debug, Clone)]
pub struct SeriesSeen {
    /// The series.
    pub series: MeetingSeries,
    /// Its meetings, by start.
    pub occurrences: Vec<MeetingId>,
    /// The caller's role.
    pub role: MeetingRole,
}

/// A series' compliance view as the caller sees it.
#[derive(Debug, Clone)]
pub struct ComplianceSeen {
    /// The series.
    pub series: MeetingSeries,
    /// The view.
    pub compliance: Compliance,
}

/// The policy's facts about a series (its template's parties and visibility).
fn series_facts(s: &MeetingSeries) -> MeetingFacts {
    MeetingFacts {
        organizers: s.template.organizers.clone(),
        participants: s.template.participants.iter().map(|(o, _)| *o).collect(),
        public: s.template.visibility == Visibility::Public,
    }
}

fn authorized(
    actor: Option<&Actor>,
    s: &MeetingSeries,
    right: MeetingRight,
) -> Result<MeetingRole, ApiError> {
    Ok(authorize(meeting_series(actor, &series_facts(s)), right)?)
}

/// Both checks' field errors at once (422 with all of them).
fn all_errors(results: [Result<(), DomainError>; 2]) -> Result<(), DomainError> {
    let mut errors: Vec<FieldError> = Vec::new();
    for r in results {
        match r {
            Ok(()) => {}
            Err(DomainError::Invalid(e)) => errors.extend(e),
            Err(other) => return Err(other),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Invalid(errors))
    }
}

/// Creates a series and every occurrence as a planned meeting with `series_id` set (admins,
/// and owners and managers of an organiser), in one transaction; records `meeting_series.create`
/// and a `meeting.create` per occurrence.
pub fn create(
    tx: &mut Tx<'_>,
    actor: &Actor,
    input: NewSeriesInput,
    now: NaiveDateTime,
) -> Result<SeriesSeen, ApiError> {
    let t = &input.template;
    let (rule, schedule) = match recurrence::expand(&input.recurrence, t.starts_at, t.time_zone) {
        Ok(s) => (Ok(()), Some(s)),
        Err(e) => (Err(e), None),
    };
    all_errors([check_meeting(t), rule])?;
    let schedule =
        schedule.ok_or_else(|| ApiError::invalid("recurrence", "rrule", "invalid rule"))?;
    check_parties(tx, t)?;
    may_organize(actor, &t.organizers)?;
    let id = MeetingSeriesId::from_uuid(uuid::Uuid::now_v7());
    let last = schedule.starts.last().copied().unwrap_or(t.starts_at);
    let count = i32::try_from(schedule.starts.len()).unwrap_or(i32::MAX);
    let new = NewSeries {
        id,
        template: t,
        recurrence: &input.recurrence,
        frequency: schedule.frequency,
        occurrences: count,
        last_starts_at: last,
    };
    store::insert(tx, &new, now)?;
    let duration = t.ends_at - t.starts_at;
    let audience = || {
        t.organizers
            .iter()
            .copied()
            .chain(t.participants.iter().map(|(o, _)| *o))
    };
    for start in &schedule.starts {
        let occurrence = MeetingInput {
            starts_at: *start,
            ends_at: *start + duration,
            ..t.clone()
        };
        let m = MeetingId::from_uuid(uuid::Uuid::now_v7());
        meetings::insert_occurrence(tx, m, id, &occurrence, now)?;
        let summary = format!("created occurrence of series {id}");
        let e = Event::new("meeting.create", "meeting", m, summary).seen_by(audience());
        events::record(tx, Some(actor), now, e)?;
    }
    let summary = format!("created series {} ({count} meetings)", input.recurrence);
    let e = Event::new("meeting_series.create", "meeting_series", id, summary).seen_by(audience());
    events::record(tx, Some(actor), now, e)?;
    get(tx, Some(actor), id)
}

/// A series the caller (`None`: anonymous) may see, with its meetings' ids.
pub fn get(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    id: MeetingSeriesId,
) -> Result<SeriesSeen, ApiError> {
    let series = store::find(conn, id)?;
    let role = authorized(actor, &series, MeetingRight::Read)?;
    let occurrences = store::occurrence_ids(conn, &[id])?
        .into_iter()
        .map(|(_, m)| m)
        .collect();
    Ok(SeriesSeen {
        series,
        occurrences,
        role,
    })
}

/// One page of the series the caller may see (filtered in SQL by the policy's rule), changed
/// at or after `updated_since` when given.
pub fn list(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    updated_since: Option<NaiveDateTime>,
    page: &PageRequest,
) -> Result<Page<SeriesSeen>, ApiError> {
    let p = store::list(conn, actor, updated_since, page)?;
    let ids: Vec<MeetingSeriesId> = p.items.iter().map(|s| s.id).collect();
    let all = store::occurrence_ids(conn, &ids)?;
    let items = p
        .items
        .into_iter()
        .map(|series| {
            let role = authorized(actor, &series, MeetingRight::Read)?;
            let occurrences = all
                .iter()
                .filter(|(s, _)| *s == series.id)
                .map(|(_, m)| *m)
                .collect();
            Ok(SeriesSeen {
                series,
                occurrences,
                role,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(Page {
        items,
        next_after: p.next_after,
    })
}

/// The compliance view of a series the caller may see: for each period of its rule that
/// overlaps `[from, to]` (default: all), what happened and the verdict against `now`.
pub fn compliance_of(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    id: MeetingSeriesId,
    window: (Option<NaiveDate>, Option<NaiveDate>),
    now: NaiveDateTime,
) -> Result<ComplianceSeen, ApiError> {
    if let (Some(from), Some(to)) = window
        && to < from
    {
        return Err(ApiError::invalid(
            "to",
            "after",
            "to must not be before from",
        ));
    }
    let series = store::find(conn, id)?;
    authorized(actor, &series, MeetingRight::Read)?;
    let t = &series.template;
    let schedule = recurrence::expand(&series.recurrence, t.starts_at, t.time_zone)?;
    let meetings = store::occurrences(conn, id)?;
    let view = compliance(
        series.frequency,
        t.time_zone,
        &schedule.starts,
        &meetings,
        window,
        now,
    );
    Ok(ComplianceSeen {
        series,
        compliance: view,
    })
}

/// Cancels what remains of a series (its organisers): every occurrence still `planned` that
/// starts at or after `now`, each with `reason`, in one transaction. Occurrences already held,
/// cancelled, or past but not yet marked held stay as they are; the caller must be able to act
/// on each occurrence cancelled (403 otherwise: an occurrence may have been given other
/// organisers). Bumps the series' version (If-Match, 412); records a `meeting.cancel` per
/// occurrence and `meeting_series.cancel`.
pub fn cancel(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: MeetingSeriesId,
    reason: &str,
    if_match: Option<i64>,
    now: NaiveDateTime,
) -> Result<SeriesSeen, ApiError> {
    let series = store::find(tx, id)?;
    authorized(Some(actor), &series, MeetingRight::Act)?;
    let remaining: Vec<MeetingId> = store::occurrences(tx, id)?
        .into_iter()
        .filter(|o| o.status == MeetingStatus::Planned && o.starts_at >= now)
        .map(|o| o.id)
        .collect();
    store::touch(tx, &series, if_match, now)?;
    for m in &remaining {
        let current = meetings::find(tx, *m)?;
        authorize(meeting(Some(actor), &facts(&current)), MeetingRight::Act)?;
        let to = MeetingStatus::Cancelled;
        meetings::set_status(tx, &current, None, to, Some(reason), now)?;
        let f = &current.fields;
        let audience = f
            .organizers
            .iter()
            .copied()
            .chain(f.participants.iter().map(|(o, _)| *o));
        let summary = format!("cancelled with series {id}: {reason}");
        let e = Event::new("meeting.cancel", "meeting", m, summary).seen_by(audience);
        events::record(tx, Some(actor), now, e)?;
    }
    let t = &series.template;
    let audience = t
        .organizers
        .iter()
        .copied()
        .chain(t.participants.iter().map(|(o, _)| *o));
    let summary = format!("cancelled {} remaining meetings: {reason}", remaining.len());
    let e = Event::new("meeting_series.cancel", "meeting_series", id, summary).seen_by(audience);
    events::record(tx, Some(actor), now, e)?;
    get(tx, Some(actor), id)
}
