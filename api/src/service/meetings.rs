//! Meeting use cases: create, read (anonymous callers too, for public meetings), list, edit a
//! planned meeting, replace its agenda, the public calendar, and `hold`/`cancel` through
//! [`crate::service::transition`].

use crate::error::ApiError;
use crate::service::events::{self, Event};
use crate::service::transition::Machine;
use chrono::NaiveDateTime;
use seriktes_domain::access::meeting::{
    MeetingFacts, MeetingRight, MeetingRole, may_organize, meeting,
};
use seriktes_domain::access::{Actor, authorize};
use seriktes_domain::ids::{MeetingId, OrganizationId};
use seriktes_domain::meeting::{
    AgendaItem, FEED_DAYS_BACK, MAX_FEED_EVENTS, Meeting, MeetingAction, MeetingFormat,
    MeetingInput, MeetingKind, MeetingStatus, OnlineUrl, ParticipantRole, Place, TimeZone,
    Visibility, check_editable, check_meeting,
};
use seriktes_domain::registration::RegistrationSettings;
use seriktes_domain::text::LocalizedText;
use seriktes_domain::training::{CountsToward, check_link};
use seriktes_domain::{DomainError, FieldError};
use seriktes_persistence::DbConn;
use seriktes_persistence::db::Tx;
use seriktes_persistence::meetings::{self as store, MeetingFilter};
use seriktes_persistence::page::{Page, PageRequest};

/// A meeting as the caller sees it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The meeting.
    pub meeting: Meeting,
    /// The caller's role.
    pub role: MeetingRole,
}

impl Seen {
    /// The actions the caller may take now (organisers only).
    pub fn allowed_actions(&self) -> Vec<&'static str> {
        if self.role == MeetingRole::Organizer {
            self.meeting.status.allowed_actions()
        } else {
            Vec::new()
        }
    }
}

/// Changes to a planned meeting; `None` keeps a field.
#[derive(Debug, Clone, Default)]
pub struct MeetingPatch {
    /// New kind.
    pub kind: Option<MeetingKind>,
    /// New title.
    pub title: Option<LocalizedText>,
    /// New description or none.
    pub description: Option<Option<LocalizedText>>,
    /// New organisers.
    pub organizers: Option<Vec<OrganizationId>>,
    /// New participants.
    pub participants: Option<Vec<(OrganizationId, ParticipantRole)>>,
    /// New start.
    pub starts_at: Option<NaiveDateTime>,
    /// New end.
    pub ends_at: Option<NaiveDateTime>,
    /// New time zone.
    pub time_zone: Option<TimeZone>,
    /// New format.
    pub format: Option<MeetingFormat>,
    /// New place or none.
    pub place: Option<Option<Place>>,
    /// New link or none.
    pub online_url: Option<Option<OnlineUrl>>,
    /// New visibility.
    pub visibility: Option<Visibility>,
    /// New capacity or none.
    pub capacity: Option<Option<i32>>,
    /// New registration settings.
    pub registration: Option<RegistrationSettings>,
    /// New grant indicator its attendance counts toward, or none.
    pub counts_toward: Option<Option<CountsToward>>,
}

/// Filters of the meeting list.
pub type MeetingQuery = MeetingFilter;

/// The policy's facts about a meeting.
pub(crate) fn facts(m: &Meeting) -> MeetingFacts {
    MeetingFacts {
        organizers: m.fields.organizers.clone(),
        participants: m.fields.participants.iter().map(|(o, _)| *o).collect(),
        public: m.fields.visibility == Visibility::Public,
    }
}

fn event(kind: &str, m: &Meeting, summary: String) -> Event {
    let f = &m.fields;
    Event::new(kind, "meeting", m.id, summary).seen_by(
        f.organizers
            .iter()
            .copied()
            .chain(f.participants.iter().map(|(o, _)| *o)),
    )
}

/// Checks that every organiser and participant exists (422 naming each unknown one).
pub(crate) fn check_parties(tx: &mut Tx<'_>, m: &MeetingInput) -> Result<(), ApiError> {
    let mut all: Vec<OrganizationId> = m.organizers.clone();
    all.extend(m.participants.iter().map(|(o, _)| *o));
    let found = store::existing(tx, &all)?;
    let mut errors: Vec<FieldError> = Vec::new();
    for (i, o) in m.organizers.iter().enumerate() {
        if !found.contains(o) {
            errors.push(FieldError::new(
                format!("organizer_organization_ids.{i}"),
                "exists",
                "no organisation has this id",
            ));
        }
    }
    for (i, (o, _)) in m.participants.iter().enumerate() {
        if !found.contains(o) {
            errors.push(FieldError::new(
                format!("participants.{i}.organization_id"),
                "exists",
                "no organisation has this id",
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Checks the grant indicator a meeting's attendance counts toward, if any, against the facts
/// loaded here ([`seriktes_domain::training::check_link`]; 422 naming each broken rule).
fn check_counts_toward(tx: &mut Tx<'_>, m: &MeetingInput) -> Result<(), ApiError> {
    let Some(link) = m.counts_toward else {
        return Ok(());
    };
    let facts = seriktes_persistence::trainings::link_facts(tx, link)?;
    check_link(m.kind, &m.organizers, facts)?;
    Ok(())
}

fn seen(actor: Option<&Actor>, meeting: Meeting, right: MeetingRight) -> Result<Seen, ApiError> {
    let role = authorize(self::meeting(actor, &facts(&meeting)), right)?;
    Ok(Seen { meeting, role })
}

/// Creates a planned meeting (admins, and owners and managers of an organiser).
pub fn create(
    tx: &mut Tx<'_>,
    actor: &Actor,
    input: MeetingInput,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    check_meeting(&input)?;
    check_parties(tx, &input)?;
    may_organize(actor, &input.organizers)?;
    check_counts_toward(tx, &input)?;
    let id = MeetingId::from_uuid(uuid::Uuid::now_v7());
    store::insert(tx, id, &input, now)?;
    let m = store::find(tx, id)?;
    let title = seriktes_persistence::stored::to_json(m.fields.title.translations());
    events::record(
        tx,
        Some(actor),
        now,
        event("meeting.create", &m, format!("created meeting {title}")),
    )?;
    seen(Some(actor), m, MeetingRight::Read)
}

/// A meeting the caller (`None`: anonymous) may see.
pub fn get(conn: &mut DbConn, actor: Option<&Actor>, id: MeetingId) -> Result<Seen, ApiError> {
    let m = store::find(conn, id)?;
    seen(actor, m, MeetingRight::Read)
}

/// One page of the meetings the caller may see, filtered in SQL by the policy's rule.
pub fn list(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    query: &MeetingQuery,
    page: &PageRequest,
) -> Result<Page<Seen>, ApiError> {
    let p = store::list(conn, actor, query, page)?;
    let items = p
        .items
        .into_iter()
        .map(|m| seen(actor, m, MeetingRight::Read))
        .collect::<Result<_, _>>()?;
    Ok(Page {
        items,
        next_after: p.next_after,
    })
}

/// Public meetings that are not cancelled, starting in `[from, to)` (`from` defaults to 30
/// days before `now`), by start, at most 500.
pub fn public_calendar(
    conn: &mut DbConn,
    from: Option<NaiveDateTime>,
    to: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Result<Vec<Meeting>, ApiError> {
    let from = from.unwrap_or_else(|| now - chrono::TimeDelta::days(FEED_DAYS_BACK));
    let limit = i64::try_from(MAX_FEED_EVENTS).unwrap_or(i64::MAX);
    Ok(store::public_calendar(conn, from, to, limit)?)
}

/// Edits a planned meeting (its organisers); the caller must still organise it afterwards.
pub fn update(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: MeetingId,
    patch: MeetingPatch,
    if_match: Option<i64>,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let current = seen(Some(actor), store::find(tx, id)?, MeetingRight::Edit)?.meeting;
    check_editable(current.status, "edit")?;
    let next = merge(&current.fields, patch);
    check_meeting(&next)?;
    check_parties(tx, &next)?;
    may_organize(actor, &next.organizers)?;
    if next.counts_toward != current.fields.counts_toward
        || next.kind != current.fields.kind
        || next.organizers != current.fields.organizers
    {
        check_counts_toward(tx, &next)?;
    }
    store::update(tx, &current, if_match, &next, now)?;
    let m = store::find(tx, id)?;
    if m.fields.capacity != current.fields.capacity {
        // More places (or none to count) confirm waitlisted registrations, first come first.
        crate::service::registrations::fill_places(tx, Some(actor), &m, now)?;
    }
    events::record(
        tx,
        Some(actor),
        now,
        event("meeting.update", &m, "updated planned meeting".into()),
    )?;
    seen(Some(actor), m, MeetingRight::Read)
}

/// Replaces the agenda of a planned meeting (its organisers).
pub fn set_agenda(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: MeetingId,
    agenda: Vec<AgendaItem>,
    if_match: Option<i64>,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let current = seen(Some(actor), store::find(tx, id)?, MeetingRight::Edit)?.meeting;
    check_editable(current.status, "change the agenda of")?;
    check_agenda_recommendations(tx, id, &agenda)?;
    store::replace_agenda(tx, &current, if_match, &agenda, now)?;
    let m = store::find(tx, id)?;
    let summary = format!("agenda set: {} items", agenda.len());
    events::record(tx, Some(actor), now, event("meeting.agenda", &m, summary))?;
    seen(Some(actor), m, MeetingRight::Read)
}

/// Checks that every recommendation an agenda item lists is one of the meeting's (422 naming
/// each other one: `items.2.recommendation_ids.0`).
fn check_agenda_recommendations(
    tx: &mut Tx<'_>,
    id: MeetingId,
    agenda: &[AgendaItem],
) -> Result<(), ApiError> {
    let listed: Vec<_> = agenda
        .iter()
        .flat_map(|i| i.recommendations.iter().copied())
        .collect();
    if listed.is_empty() {
        return Ok(());
    }
    let found = seriktes_persistence::recommendations::of_meeting_among(tx, id, &listed)?;
    let mut errors = Vec::new();
    for (i, item) in agenda.iter().enumerate() {
        for (j, r) in item.recommendations.iter().enumerate() {
            if !found.contains(r) {
                errors.push(FieldError::new(
                    format!("items.{i}.recommendation_ids.{j}"),
                    "exists",
                    "not a recommendation of this meeting",
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// The stored fields with `p` laid over them.
fn merge(f: &MeetingInput, p: MeetingPatch) -> MeetingInput {
    MeetingInput {
        kind: p.kind.unwrap_or(f.kind),
        title: p.title.unwrap_or_else(|| f.title.clone()),
        description: p.description.unwrap_or_else(|| f.description.clone()),
        organizers: p.organizers.unwrap_or_else(|| f.organizers.clone()),
        participants: p.participants.unwrap_or_else(|| f.participants.clone()),
        starts_at: p.starts_at.unwrap_or(f.starts_at),
        ends_at: p.ends_at.unwrap_or(f.ends_at),
        time_zone: p.time_zone.unwrap_or(f.time_zone),
        format: p.format.unwrap_or(f.format),
        place: p.place.unwrap_or_else(|| f.place.clone()),
        online_url: p.online_url.unwrap_or_else(|| f.online_url.clone()),
        visibility: p.visibility.unwrap_or(f.visibility),
        capacity: p.capacity.unwrap_or(f.capacity),
        registration: p.registration.unwrap_or_else(|| f.registration.clone()),
        counts_toward: p.counts_toward.unwrap_or(f.counts_toward),
    }
}

impl Machine for Seen {
    type Id = MeetingId;
    type State = MeetingStatus;
    type Loaded = Meeting;
    type Output = Seen;
    /// The reason of a cancellation.
    type Input = Option<String>;

    fn load(tx: &mut Tx<'_>, id: MeetingId, _: NaiveDateTime) -> Result<Meeting, ApiError> {
        Ok(store::find(tx, id)?)
    }

    fn authorize(actor: &Actor, m: &Meeting, _: MeetingAction) -> Result<(), DomainError> {
        authorize(meeting(Some(actor), &facts(m)), MeetingRight::Act).map(|_| ())
    }

    fn state(m: &Meeting, _: NaiveDateTime) -> MeetingStatus {
        m.status
    }

    fn store(
        tx: &mut Tx<'_>,
        m: Meeting,
        to: MeetingStatus,
        reason: Option<String>,
        if_match: Option<i64>,
        now: NaiveDateTime,
    ) -> Result<(Seen, Event), ApiError> {
        store::set_status(tx, &m, if_match, to, reason.as_deref(), now)?;
        let next = store::find(tx, m.id)?;
        let (kind, summary) = match (to, &reason) {
            (MeetingStatus::Cancelled, Some(r)) => ("meeting.cancel", format!("cancelled: {r}")),
            (MeetingStatus::Cancelled, None) => ("meeting.cancel", String::new()),
            _ => ("meeting.hold", String::new()),
        };
        let e = event(kind, &next, summary);
        Ok((
            Seen {
                meeting: next,
                role: MeetingRole::Organizer,
            },
            e,
        ))
    }
}
