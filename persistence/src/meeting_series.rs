//! Meeting series: the `meeting_series` row (the template its occurrences were made from, the
//! rule and its frequency), its organisers and participants (own tables, as lists filter by
//! them), and the reads of its occurrences (`meetings.series_id`). The occurrences themselves
//! are written by [`crate::meetings::insert_occurrence`].

use crate::db::DbConn;
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::schema::{
    meeting_series, meeting_series_organizers, meeting_series_participants, meetings,
};
use crate::stored;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use seriktes_domain::access::Actor;
use seriktes_domain::geo::RegionCode;
use seriktes_domain::ids::{MeetingId, MeetingSeriesId, OrganizationId};
use seriktes_domain::meeting::{
    MeetingFormat, MeetingInput, MeetingKind, MeetingStatus, OnlineUrl, ParticipantRole, Place,
    TimeZone, Visibility,
};
use seriktes_domain::meeting_series::{Frequency, MeetingSeries, Occurrence};
use seriktes_domain::registration::RegistrationSettings;

#[derive(Queryable, Selectable)]
#[diesel(table_name = meeting_series)]
struct SeriesRow {
    id: String,
    kind: String,
    title: String,
    description: Option<String>,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    time_zone: String,
    format: String,
    place_address: Option<String>,
    place_region: Option<String>,
    online_url: Option<String>,
    visibility: String,
    capacity: Option<i32>,
    recurrence: String,
    frequency: String,
    occurrences: i32,
    last_starts_at: NaiveDateTime,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

fn text_json(t: &seriktes_domain::text::LocalizedText) -> String {
    stored::to_json(t.translations())
}

/// What [`insert`] writes besides the template.
#[derive(Debug, Clone)]
pub struct NewSeries<'a> {
    /// Id.
    pub id: MeetingSeriesId,
    /// The template (first occurrence's start and end).
    pub template: &'a MeetingInput,
    /// The `RRULE` value.
    pub recurrence: &'a str,
    /// Its frequency.
    pub frequency: Frequency,
    /// How many occurrences it gave.
    pub occurrences: i32,
    /// The last occurrence's start (UTC).
    pub last_starts_at: NaiveDateTime,
}

/// Inserts a series with its organisers and participants (three statements).
pub fn insert(conn: &mut DbConn, s: &NewSeries<'_>, now: NaiveDateTime) -> Result<(), StoreError> {
    use meeting_series as t;
    let m = s.template;
    let key = s.id.to_string();
    diesel::insert_into(t::table)
        .values((
            (
                t::id.eq(key.clone()),
                t::kind.eq(m.kind.as_str()),
                t::title.eq(text_json(&m.title)),
                t::description.eq(m.description.as_ref().map(text_json)),
                t::starts_at.eq(m.starts_at),
                t::ends_at.eq(m.ends_at),
                t::time_zone.eq(m.time_zone.name()),
                t::format.eq(m.format.as_str()),
                t::place_address.eq(m.place.as_ref().map(|p| p.address.clone())),
                t::place_region.eq(m.place.as_ref().map(|p| p.region.as_str().to_owned())),
                t::online_url.eq(m.online_url.as_ref().map(|u| u.as_str().to_owned())),
                t::visibility.eq(m.visibility.as_str()),
                t::capacity.eq(m.capacity),
            ),
            (
                t::recurrence.eq(s.recurrence),
                t::frequency.eq(s.frequency.as_str()),
                t::occurrences.eq(s.occurrences),
                t::last_starts_at.eq(s.last_starts_at),
                t::version.eq(1_i64),
                t::created_at.eq(now),
                t::updated_at.eq(now),
            ),
        ))
        .execute(conn)?;
    let organizers: Vec<_> = m
        .organizers
        .iter()
        .zip(0_i32..)
        .map(|(o, i)| {
            (
                meeting_series_organizers::series_id.eq(key.clone()),
                meeting_series_organizers::organization_id.eq(o.to_string()),
                meeting_series_organizers::position.eq(i),
            )
        })
        .collect();
    insert_many!(conn, meeting_series_organizers::table, organizers);
    let participants: Vec<_> = m
        .participants
        .iter()
        .zip(0_i32..)
        .map(|((o, role), i)| {
            (
                meeting_series_participants::series_id.eq(key.clone()),
                meeting_series_participants::organization_id.eq(o.to_string()),
                meeting_series_participants::role.eq(role.as_str()),
                meeting_series_participants::position.eq(i),
            )
        })
        .collect();
    insert_many!(conn, meeting_series_participants::table, participants);
    Ok(())
}

/// Bumps a series' version (a change to the series as a whole, such as cancelling what remains
/// of it), guarded like every versioned update: 412 when `expected` (the client's `If-Match`)
/// is stale.
pub fn touch(
    conn: &mut DbConn,
    current: &MeetingSeries,
    expected: Option<i64>,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    let key = current.id.to_string();
    update_versioned!(
        conn,
        meeting_series,
        key.clone(),
        current.version,
        expected,
        now,
        meeting_series::id.eq(key.clone()),
    )
}

/// One series, whole (three statements); `NotFound` when there is none.
pub fn find(conn: &mut DbConn, id: MeetingSeriesId) -> Result<MeetingSeries, StoreError> {
    let row: SeriesRow = meeting_series::table
        .find(id.to_string())
        .select(SeriesRow::as_select())
        .first(conn)?;
    assemble(conn, vec![row])?.pop().ok_or(StoreError::NotFound)
}

/// One page of the series the caller (`None`: anonymous) may see, by id, changed at or after
/// `updated_since` when given; filtered in SQL by the rule of
/// [`seriktes_domain::access::meeting::meeting`] (as meetings are): anonymous callers see
/// public series, admins all, others public ones and those an organisation they belong to
/// organises or takes part in.
pub fn list(
    conn: &mut DbConn,
    viewer: Option<&Actor>,
    updated_since: Option<NaiveDateTime>,
    page: &PageRequest,
) -> Result<Page<MeetingSeries>, StoreError> {
    let mut q = meeting_series::table
        .select(SeriesRow::as_select())
        .into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(meeting_series::id.gt(after.clone()));
    }
    if let Some(since) = updated_since {
        q = q.filter(meeting_series::updated_at.ge(since));
    }
    let public = Visibility::Public.as_str();
    match viewer {
        None => q = q.filter(meeting_series::visibility.eq(public)),
        Some(a) if a.is_admin() => {}
        Some(a) => {
            let mine: Vec<String> = a.memberships().iter().map(|(o, _)| o.to_string()).collect();
            let organised = meeting_series_organizers::table
                .filter(meeting_series_organizers::organization_id.eq_any(mine.clone()))
                .select(meeting_series_organizers::series_id);
            let invited = meeting_series_participants::table
                .filter(meeting_series_participants::organization_id.eq_any(mine))
                .select(meeting_series_participants::series_id);
            q = q.filter(
                meeting_series::visibility
                    .eq(public)
                    .or(meeting_series::id.eq_any(organised))
                    .or(meeting_series::id.eq_any(invited)),
            );
        }
    }
    let rows = q
        .order(meeting_series::id.asc())
        .limit(page.fetch_limit())
        .load(conn)?;
    let page = Page::from_rows(rows, page, |r: &SeriesRow| r.id.clone());
    Ok(Page {
        items: assemble(conn, page.items)?,
        next_after: page.next_after,
    })
}

/// The meetings of each of `series`, by start then id (one statement).
pub fn occurrence_ids(
    conn: &mut DbConn,
    series: &[MeetingSeriesId],
) -> Result<Vec<(MeetingSeriesId, MeetingId)>, StoreError> {
    let keys: Vec<String> = series.iter().map(ToString::to_string).collect();
    let rows: Vec<(Option<String>, String)> = meetings::table
        .filter(meetings::series_id.eq_any(keys))
        .order((meetings::starts_at.asc(), meetings::id.asc()))
        .select((meetings::series_id, meetings::id))
        .load(conn)?;
    rows.into_iter()
        .filter_map(|(s, m)| s.map(|s| (s, m)))
        .map(|(s, m)| {
            Ok((
                stored::id("meetings.series_id", &s, MeetingSeriesId::parse)?,
                stored::id("meetings.id", &m, MeetingId::parse)?,
            ))
        })
        .collect()
}

/// The meetings of a series as the compliance view sees them: id, status and start, by start
/// (one statement).
pub fn occurrences(
    conn: &mut DbConn,
    series: MeetingSeriesId,
) -> Result<Vec<Occurrence>, StoreError> {
    let rows: Vec<(String, String, NaiveDateTime)> = meetings::table
        .filter(meetings::series_id.eq(series.to_string()))
        .order((meetings::starts_at.asc(), meetings::id.asc()))
        .select((meetings::id, meetings::status, meetings::starts_at))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, status, starts_at)| {
            Ok(Occurrence {
                id: stored::id("meetings.id", &id, MeetingId::parse)?,
                status: stored::value("meetings.status", &status, MeetingStatus::parse)?,
                starts_at,
            })
        })
        .collect()
}

/// Series from rows with their organisers and participants (two statements).
fn assemble(conn: &mut DbConn, rows: Vec<SeriesRow>) -> Result<Vec<MeetingSeries>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let organizers: Vec<(String, stored::Uuid)> = meeting_series_organizers::table
        .filter(meeting_series_organizers::series_id.eq_any(ids.clone()))
        .order((
            meeting_series_organizers::series_id.asc(),
            meeting_series_organizers::position.asc(),
        ))
        .select((
            meeting_series_organizers::series_id,
            meeting_series_organizers::organization_id,
        ))
        .load(conn)?;
    let participants: Vec<(String, stored::Uuid, String)> = meeting_series_participants::table
        .filter(meeting_series_participants::series_id.eq_any(ids))
        .order((
            meeting_series_participants::series_id.asc(),
            meeting_series_participants::position.asc(),
        ))
        .select((
            meeting_series_participants::series_id,
            meeting_series_participants::organization_id,
            meeting_series_participants::role,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|r| {
            let orgs = organizers
                .iter()
                .filter(|(s, _)| *s == r.id)
                .map(|(_, o)| OrganizationId::from_uuid(o.0))
                .collect();
            let parts = participants
                .iter()
                .filter(|(s, _, _)| *s == r.id)
                .map(|(_, o, role)| {
                    Ok((
                        OrganizationId::from_uuid(o.0),
                        stored::value(
                            "meeting_series_participants.role",
                            role,
                            ParticipantRole::parse,
                        )?,
                    ))
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            series_from(r, orgs, parts)
        })
        .collect()
}

fn series_from(
    r: SeriesRow,
    organizers: Vec<OrganizationId>,
    participants: Vec<(OrganizationId, ParticipantRole)>,
) -> Result<MeetingSeries, StoreError> {
    let place = match (r.place_address, r.place_region) {
        (Some(address), Some(region)) => Some(Place {
            address,
            region: stored::value("meeting_series.place_region", &region, RegionCode::parse)?,
        }),
        _ => None,
    };
    Ok(MeetingSeries {
        id: stored::id("meeting_series.id", &r.id, MeetingSeriesId::parse)?,
        template: MeetingInput {
            kind: stored::value("meeting_series.kind", &r.kind, MeetingKind::parse)?,
            title: stored::text("meeting_series.title", &r.title)?,
            description: r
                .description
                .map(|d| stored::text("meeting_series.description", &d))
                .transpose()?,
            organizers,
            participants,
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            time_zone: stored::value("meeting_series.time_zone", &r.time_zone, TimeZone::parse)?,
            format: stored::value("meeting_series.format", &r.format, MeetingFormat::parse)?,
            place,
            online_url: r
                .online_url
                .map(|u| stored::value("meeting_series.online_url", &u, OnlineUrl::parse))
                .transpose()?,
            visibility: stored::value(
                "meeting_series.visibility",
                &r.visibility,
                Visibility::parse,
            )?,
            capacity: r.capacity,
            registration: RegistrationSettings::default(),
            counts_toward: None,
        },
        recurrence: r.recurrence,
        frequency: stored::value("meeting_series.frequency", &r.frequency, Frequency::parse)?,
        occurrences: r.occurrences,
        last_starts_at: r.last_starts_at,
        version: r.version,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}
