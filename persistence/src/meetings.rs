//! Stakeholder meetings: the `meetings` row, its organisers and participants (own tables, as
//! lists filter by them) and its agenda. A meeting is read whole with four statements however
//! many are read at once.

use crate::db::DbConn;
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::schema::{
    meeting_agenda_items, meeting_organizers, meeting_participants, meetings, organizations,
};
use crate::stored;
use chrono::NaiveDateTime;
use diesel::dsl::Eq;
use diesel::prelude::*;
use seriktes_domain::access::Actor;
use seriktes_domain::geo::RegionCode;
use seriktes_domain::ids::{GrantId, IndicatorId, MeetingId, MeetingSeriesId, OrganizationId};
use seriktes_domain::indicator::Dimension;
use seriktes_domain::meeting::{
    AgendaItem, Meeting, MeetingFormat, MeetingInput, MeetingKind, MeetingStatus, OnlineUrl,
    ParticipantRole, Place, TimeZone, Visibility,
};
use seriktes_domain::registration::RegistrationSettings;
use seriktes_domain::training::CountsToward;

#[derive(Queryable, Selectable)]
#[diesel(table_name = meetings)]
struct MeetingRow {
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
    status: String,
    cancel_reason: Option<String>,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    series_id: Option<String>,
    registration_open: bool,
    registration_contribution_required: bool,
    registration_demographics: String,
    registration_consent_version: Option<String>,
    grant_id: Option<String>,
    indicator_id: Option<String>,
}

/// The organisations among `ids` that exist (one statement).
pub fn existing(
    conn: &mut DbConn,
    ids: &[OrganizationId],
) -> Result<Vec<OrganizationId>, StoreError> {
    let raw: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let rows: Vec<stored::Uuid> = organizations::table
        .filter(organizations::id.eq_any(raw))
        .select(organizations::id)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|u| OrganizationId::from_uuid(u.0))
        .collect())
}

/// An agenda item as read: meeting, title, presenter, minutes, recommendation ids (JSON).
type AgendaRow = (String, String, Option<String>, i32, String);

fn text_json(t: &seriktes_domain::text::LocalizedText) -> String {
    stored::to_json(t.translations())
}

/// A meeting's editable columns, as `insert` writes them and `update` sets them.
type Columns = (
    Eq<meetings::kind, &'static str>,
    Eq<meetings::title, String>,
    Eq<meetings::description, Option<String>>,
    Eq<meetings::starts_at, NaiveDateTime>,
    Eq<meetings::ends_at, NaiveDateTime>,
    Eq<meetings::time_zone, &'static str>,
    Eq<meetings::format, &'static str>,
    Eq<meetings::place_address, Option<String>>,
    Eq<meetings::place_region, Option<String>>,
    Eq<meetings::online_url, Option<String>>,
    Eq<meetings::visibility, &'static str>,
    Eq<meetings::capacity, Option<i32>>,
    Eq<meetings::registration_open, bool>,
    Eq<meetings::registration_contribution_required, bool>,
    Eq<meetings::registration_demographics, String>,
    Eq<meetings::registration_consent_version, Option<String>>,
    Eq<meetings::grant_id, Option<String>>,
    Eq<meetings::indicator_id, Option<String>>,
);

fn columns(m: &MeetingInput) -> Columns {
    use meetings as t;
    (
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
        t::registration_open.eq(m.registration.open),
        t::registration_contribution_required.eq(m.registration.contribution_required),
        t::registration_demographics.eq(m
            .registration
            .demographics
            .iter()
            .map(|d| d.as_str())
            .collect::<Vec<_>>()
            .join(",")),
        t::registration_consent_version.eq(m.registration.consent_version.clone()),
        t::grant_id.eq(m.counts_toward.map(|c| c.grant.to_string())),
        t::indicator_id.eq(m.counts_toward.map(|c| c.indicator.to_string())),
    )
}

/// Inserts a planned meeting with its organisers and participants (three statements).
pub fn insert(
    conn: &mut DbConn,
    id: MeetingId,
    m: &MeetingInput,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    insert_row(conn, id, None, m, now)
}

/// Inserts a planned occurrence of a series, like [`insert`].
pub fn insert_occurrence(
    conn: &mut DbConn,
    id: MeetingId,
    series: MeetingSeriesId,
    m: &MeetingInput,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    insert_row(conn, id, Some(series), m, now)
}

fn insert_row(
    conn: &mut DbConn,
    id: MeetingId,
    series: Option<MeetingSeriesId>,
    m: &MeetingInput,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    use meetings as t;
    diesel::insert_into(t::table)
        .values((
            t::id.eq(id.to_string()),
            columns(m),
            t::status.eq(MeetingStatus::Planned.as_str()),
            t::cancel_reason.eq(None::<String>),
            t::version.eq(1_i64),
            t::created_at.eq(now),
            t::updated_at.eq(now),
            t::series_id.eq(series.map(|s| s.to_string())),
        ))
        .execute(conn)?;
    replace_parties(conn, id, m)
}

/// Replaces a meeting's organisers and participants (up to four statements).
fn replace_parties(conn: &mut DbConn, id: MeetingId, m: &MeetingInput) -> Result<(), StoreError> {
    let key = id.to_string();
    diesel::delete(meeting_organizers::table.filter(meeting_organizers::meeting_id.eq(&key)))
        .execute(conn)?;
    diesel::delete(meeting_participants::table.filter(meeting_participants::meeting_id.eq(&key)))
        .execute(conn)?;
    let organizers: Vec<_> = m
        .organizers
        .iter()
        .zip(0_i32..)
        .map(|(o, i)| {
            (
                meeting_organizers::meeting_id.eq(key.clone()),
                meeting_organizers::organization_id.eq(o.to_string()),
                meeting_organizers::position.eq(i),
            )
        })
        .collect();
    insert_many!(conn, meeting_organizers::table, organizers);
    let participants: Vec<_> = m
        .participants
        .iter()
        .zip(0_i32..)
        .map(|((o, role), i)| {
            (
                meeting_participants::meeting_id.eq(key.clone()),
                meeting_participants::organization_id.eq(o.to_string()),
                meeting_participants::role.eq(role.as_str()),
                meeting_participants::position.eq(i),
            )
        })
        .collect();
    insert_many!(conn, meeting_participants::table, participants);
    Ok(())
}

/// Writes a planned meeting's fields if it is still at `current`'s version (and at `expected`,
/// the client's `If-Match`, when given).
pub fn update(
    conn: &mut DbConn,
    current: &Meeting,
    expected: Option<i64>,
    m: &MeetingInput,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    update_versioned!(
        conn,
        meetings,
        current.id.to_string(),
        current.version,
        expected,
        now,
        columns(m),
    )?;
    if current.fields.organizers != m.organizers || current.fields.participants != m.participants {
        replace_parties(conn, current.id, m)?;
    }
    Ok(())
}

/// Replaces the agenda and bumps the version, guarded like [`update`].
pub fn replace_agenda(
    conn: &mut DbConn,
    current: &Meeting,
    expected: Option<i64>,
    agenda: &[AgendaItem],
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    let key = current.id.to_string();
    update_versioned!(
        conn,
        meetings,
        key.clone(),
        current.version,
        expected,
        now,
        meetings::id.eq(key.clone()),
    )?;
    diesel::delete(meeting_agenda_items::table.filter(meeting_agenda_items::meeting_id.eq(&key)))
        .execute(conn)?;
    let rows: Vec<_> = agenda
        .iter()
        .zip(0_i32..)
        .map(|(item, i)| {
            (
                meeting_agenda_items::meeting_id.eq(key.clone()),
                meeting_agenda_items::position.eq(i),
                meeting_agenda_items::title.eq(text_json(&item.title)),
                meeting_agenda_items::presenter.eq(item.presenter.clone()),
                meeting_agenda_items::minutes.eq(item.minutes),
                meeting_agenda_items::recommendation_ids.eq(stored::to_json(&item.recommendations)),
            )
        })
        .collect();
    insert_many!(conn, meeting_agenda_items::table, rows);
    Ok(())
}

/// Moves a meeting to `to` (with the cancellation's reason), guarded like [`update`].
pub fn set_status(
    conn: &mut DbConn,
    current: &Meeting,
    expected: Option<i64>,
    to: MeetingStatus,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    update_versioned!(
        conn,
        meetings,
        current.id.to_string(),
        current.version,
        expected,
        now,
        meetings::status.eq(to.as_str()),
        meetings::cancel_reason.eq(reason.map(str::to_owned)),
    )
}

/// One meeting, whole (four statements); `NotFound` when there is none.
pub fn find(conn: &mut DbConn, id: MeetingId) -> Result<Meeting, StoreError> {
    let row: MeetingRow = meetings::table
        .find(id.to_string())
        .select(MeetingRow::as_select())
        .first(conn)?;
    assemble(conn, vec![row])?.pop().ok_or(StoreError::NotFound)
}

/// Filters of [`list`].
#[derive(Debug, Clone, Default)]
pub struct MeetingFilter {
    /// Only this kind.
    pub kind: Option<MeetingKind>,
    /// Only this status.
    pub status: Option<MeetingStatus>,
    /// Only meetings this organisation organises.
    pub organizer: Option<OrganizationId>,
    /// Only meetings starting at or after.
    pub from: Option<NaiveDateTime>,
    /// Only meetings starting before.
    pub to: Option<NaiveDateTime>,
    /// Only meetings changed at or after.
    pub updated_since: Option<NaiveDateTime>,
    /// Only the occurrences of this series.
    pub series: Option<MeetingSeriesId>,
}

/// One page of the meetings the caller (`None`: anonymous) may see, by id, filtered in SQL by
/// the rule of [`seriktes_domain::access::meeting::meeting`]: anonymous callers see public
/// meetings; admins all; others public meetings and those an organisation they belong to
/// organises or takes part in.
pub fn list(
    conn: &mut DbConn,
    viewer: Option<&Actor>,
    filter: &MeetingFilter,
    page: &PageRequest,
) -> Result<Page<Meeting>, StoreError> {
    let mut q = meetings::table.select(MeetingRow::as_select()).into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(meetings::id.gt(after.clone()));
    }
    if let Some(k) = filter.kind {
        q = q.filter(meetings::kind.eq(k.as_str()));
    }
    if let Some(s) = filter.status {
        q = q.filter(meetings::status.eq(s.as_str()));
    }
    if let Some(o) = filter.organizer {
        let theirs = meeting_organizers::table
            .filter(meeting_organizers::organization_id.eq(o.to_string()))
            .select(meeting_organizers::meeting_id);
        q = q.filter(meetings::id.eq_any(theirs));
    }
    if let Some(from) = filter.from {
        q = q.filter(meetings::starts_at.ge(from));
    }
    if let Some(to) = filter.to {
        q = q.filter(meetings::starts_at.lt(to));
    }
    if let Some(since) = filter.updated_since {
        q = q.filter(meetings::updated_at.ge(since));
    }
    if let Some(series) = filter.series {
        q = q.filter(meetings::series_id.eq(series.to_string()));
    }
    match viewer {
        None => q = q.filter(meetings::visibility.eq(Visibility::Public.as_str())),
        Some(a) if a.is_admin() => {}
        Some(a) => {
            let mine: Vec<String> = a.memberships().iter().map(|(o, _)| o.to_string()).collect();
            let organised = meeting_organizers::table
                .filter(meeting_organizers::organization_id.eq_any(mine.clone()))
                .select(meeting_organizers::meeting_id);
            let invited = meeting_participants::table
                .filter(meeting_participants::organization_id.eq_any(mine))
                .select(meeting_participants::meeting_id);
            q = q.filter(
                meetings::visibility
                    .eq(Visibility::Public.as_str())
                    .or(meetings::id.eq_any(organised))
                    .or(meetings::id.eq_any(invited)),
            );
        }
    }
    let rows = q
        .order(meetings::id.asc())
        .limit(page.fetch_limit())
        .load(conn)?;
    let page = Page::from_rows(rows, page, |r: &MeetingRow| r.id.clone());
    Ok(Page {
        items: assemble(conn, page.items)?,
        next_after: page.next_after,
    })
}

/// The public meetings that are not cancelled and start in `[from, to)`, by start then id, at
/// most `limit` (the calendar feed).
pub fn public_calendar(
    conn: &mut DbConn,
    from: NaiveDateTime,
    to: Option<NaiveDateTime>,
    limit: i64,
) -> Result<Vec<Meeting>, StoreError> {
    let mut q = meetings::table
        .select(MeetingRow::as_select())
        .filter(meetings::visibility.eq(Visibility::Public.as_str()))
        .filter(meetings::status.ne(MeetingStatus::Cancelled.as_str()))
        .filter(meetings::starts_at.ge(from))
        .into_boxed();
    if let Some(to) = to {
        q = q.filter(meetings::starts_at.lt(to));
    }
    let rows = q
        .order((meetings::starts_at.asc(), meetings::id.asc()))
        .limit(limit)
        .load(conn)?;
    assemble(conn, rows)
}

/// Meetings from rows with their organisers, participants and agendas (three statements).
fn assemble(conn: &mut DbConn, rows: Vec<MeetingRow>) -> Result<Vec<Meeting>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let organizers: Vec<(String, stored::Uuid)> = meeting_organizers::table
        .filter(meeting_organizers::meeting_id.eq_any(ids.clone()))
        .order((
            meeting_organizers::meeting_id.asc(),
            meeting_organizers::position.asc(),
        ))
        .select((
            meeting_organizers::meeting_id,
            meeting_organizers::organization_id,
        ))
        .load(conn)?;
    let participants: Vec<(String, stored::Uuid, String)> = meeting_participants::table
        .filter(meeting_participants::meeting_id.eq_any(ids.clone()))
        .order((
            meeting_participants::meeting_id.asc(),
            meeting_participants::position.asc(),
        ))
        .select((
            meeting_participants::meeting_id,
            meeting_participants::organization_id,
            meeting_participants::role,
        ))
        .load(conn)?;
    let agenda: Vec<AgendaRow> = meeting_agenda_items::table
        .filter(meeting_agenda_items::meeting_id.eq_any(ids))
        .order((
            meeting_agenda_items::meeting_id.asc(),
            meeting_agenda_items::position.asc(),
        ))
        .select((
            meeting_agenda_items::meeting_id,
            meeting_agenda_items::title,
            meeting_agenda_items::presenter,
            meeting_agenda_items::minutes,
            meeting_agenda_items::recommendation_ids,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|r| {
            let orgs = organizers
                .iter()
                .filter(|(m, _)| *m == r.id)
                .map(|(_, o)| OrganizationId::from_uuid(o.0))
                .collect();
            let parts = participants
                .iter()
                .filter(|(m, _, _)| *m == r.id)
                .map(|(_, o, role)| {
                    Ok((
                        OrganizationId::from_uuid(o.0),
                        stored::value("meeting_participants.role", role, ParticipantRole::parse)?,
                    ))
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            let items = agenda
                .iter()
                .filter(|(m, _, _, _, _)| *m == r.id)
                .map(|(_, title, presenter, minutes, recommendations)| {
                    Ok(AgendaItem {
                        title: stored::text("meeting_agenda_items.title", title)?,
                        presenter: presenter.clone(),
                        minutes: *minutes,
                        recommendations: stored::json(
                            "meeting_agenda_items.recommendation_ids",
                            recommendations,
                        )?,
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            meeting_from(r, orgs, parts, items)
        })
        .collect()
}

fn meeting_from(
    r: MeetingRow,
    organizers: Vec<OrganizationId>,
    participants: Vec<(OrganizationId, ParticipantRole)>,
    agenda: Vec<AgendaItem>,
) -> Result<Meeting, StoreError> {
    let place = match (r.place_address, r.place_region) {
        (Some(address), Some(region)) => Some(Place {
            address,
            region: stored::value("meetings.place_region", &region, RegionCode::parse)?,
        }),
        _ => None,
    };
    Ok(Meeting {
        id: stored::id("meetings.id", &r.id, MeetingId::parse)?,
        fields: MeetingInput {
            kind: stored::value("meetings.kind", &r.kind, MeetingKind::parse)?,
            title: stored::text("meetings.title", &r.title)?,
            description: r
                .description
                .map(|d| stored::text("meetings.description", &d))
                .transpose()?,
            organizers,
            participants,
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            time_zone: stored::value("meetings.time_zone", &r.time_zone, TimeZone::parse)?,
            format: stored::value("meetings.format", &r.format, MeetingFormat::parse)?,
            place,
            online_url: r
                .online_url
                .map(|u| stored::value("meetings.online_url", &u, OnlineUrl::parse))
                .transpose()?,
            visibility: stored::value("meetings.visibility", &r.visibility, Visibility::parse)?,
            capacity: r.capacity,
            registration: RegistrationSettings {
                open: r.registration_open,
                contribution_required: r.registration_contribution_required,
                demographics: r
                    .registration_demographics
                    .split(',')
                    .filter(|d| !d.is_empty())
                    .map(|d| {
                        stored::value("meetings.registration_demographics", d, Dimension::parse)
                    })
                    .collect::<Result<_, _>>()?,
                consent_version: r.registration_consent_version,
            },
            counts_toward: match (r.grant_id, r.indicator_id) {
                (Some(g), Some(i)) => Some(CountsToward {
                    grant: stored::id("meetings.grant_id", &g, GrantId::parse)?,
                    indicator: stored::id("meetings.indicator_id", &i, IndicatorId::parse)?,
                }),
                _ => None,
            },
        },
        agenda,
        status: stored::value("meetings.status", &r.status, MeetingStatus::parse)?,
        cancel_reason: r.cancel_reason,
        series_id: r
            .series_id
            .map(|s| stored::id("meetings.series_id", &s, MeetingSeriesId::parse))
            .transpose()?,
        version: r.version,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}
