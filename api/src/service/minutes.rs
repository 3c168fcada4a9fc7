//! Minutes use cases: the organisers write the draft while the meeting is `held`, publish it
//! (the meeting moves to `minutes_published`, the attendance summary is computed and stored,
//! and the minutes freeze); whoever sees the meeting reads published minutes, the organisers
//! the draft too. The minutes carry the recommendations made at the meeting.

use crate::error::ApiError;
use crate::service::events::{self, Event};
use crate::service::meetings::facts;
use chrono::NaiveDateTime;
use seriktes_domain::access::meeting::{MeetingRight, meeting as meeting_policy};
use seriktes_domain::access::minutes::{MinutesRight, MinutesRole, minutes as minutes_policy};
use seriktes_domain::access::{Actor, authorize};
use seriktes_domain::ids::{MeetingId, RecommendationId};
use seriktes_domain::meeting::{Meeting, MeetingAction, MeetingStatus};
use seriktes_domain::minutes::{self as rules, Minutes, MinutesText};
use seriktes_domain::recommendation::RecommendationStatus;
use seriktes_domain::text::LocalizedText;
use seriktes_persistence::db::Tx;
use seriktes_persistence::{DbConn, StoreError, meetings, minutes as store, recommendations};

/// Minutes as the caller sees them, with the recommendations made at the meeting.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The minutes.
    pub minutes: Minutes,
    /// The meeting's status.
    pub meeting_status: MeetingStatus,
    /// The recommendations made at the meeting: id, text, status.
    pub recommendations: Vec<(RecommendationId, LocalizedText, RecommendationStatus)>,
    /// The caller's role.
    pub role: MinutesRole,
}

impl Seen {
    /// What the caller may do now: `edit` and `publish` (organisers, while unpublished).
    pub fn allowed_actions(&self) -> Vec<&'static str> {
        if self.role == MinutesRole::Writer
            && self.minutes.published_at.is_none()
            && self.meeting_status == MeetingStatus::Held
        {
            vec!["edit", "publish"]
        } else {
            Vec::new()
        }
    }
}

fn load_meeting(conn: &mut DbConn, id: MeetingId) -> Result<Meeting, ApiError> {
    match meetings::find(conn, id) {
        Err(StoreError::NotFound) => Err(ApiError::NotFound),
        other => Ok(other?),
    }
}

fn seen(
    conn: &mut DbConn,
    m: &Meeting,
    minutes: Minutes,
    role: MinutesRole,
) -> Result<Seen, ApiError> {
    Ok(Seen {
        recommendations: recommendations::summary_of_meeting(conn, m.id)?,
        meeting_status: m.status,
        minutes,
        role,
    })
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

/// A meeting's minutes: the organisers read the draft; whoever else sees the meeting reads
/// them once published (404 before, and to those who do not see the meeting).
pub fn get(conn: &mut DbConn, actor: Option<&Actor>, id: MeetingId) -> Result<Seen, ApiError> {
    let m = load_meeting(conn, id)?;
    let seen_as = meeting_policy(actor, &facts(&m));
    let minutes = store::find(conn, id)?;
    let published = minutes.as_ref().is_some_and(|x| x.published_at.is_some());
    let role = authorize(minutes_policy(seen_as, published), MinutesRight::Read)?;
    let minutes = minutes.ok_or(ApiError::NotFound)?;
    seen(conn, &m, minutes, role)
}

/// Writes the draft of a held meeting's minutes (its organisers); 409 once published or when
/// the meeting is not held.
pub fn write(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: MeetingId,
    text: MinutesText,
    if_match: Option<i64>,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let m = load_meeting(tx, id)?;
    // Writing is the meeting's organisers' (403 to its other readers, 404 to the rest).
    authorize(meeting_policy(Some(actor), &facts(&m)), MeetingRight::Edit)?;
    let role = MinutesRole::Writer;
    let current = store::find(tx, id)?;
    let published = current.as_ref().is_some_and(|x| x.published_at.is_some());
    rules::check_writable(m.status, published)?;
    store::write(tx, id, current.as_ref(), if_match, &text, now)?;
    let minutes = store::find(tx, id)?.ok_or(ApiError::NotFound)?;
    let summary = format!("minutes written: {} decisions", text.decisions.len());
    events::record(tx, Some(actor), now, event("meeting.minutes", &m, summary))?;
    seen(tx, &m, minutes, role)
}

/// Publishes a held meeting's minutes (its organisers): the meeting moves to
/// `minutes_published` (409 with the allowed actions otherwise), the attendance summary is
/// computed and stored, and the minutes freeze.
pub fn publish(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: MeetingId,
    if_match: Option<i64>,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let m = load_meeting(tx, id)?;
    // Writing is the meeting's organisers' (403 to its other readers, 404 to the rest).
    authorize(meeting_policy(Some(actor), &facts(&m)), MeetingRight::Edit)?;
    let role = MinutesRole::Writer;
    let current = store::find(tx, id)?;
    let to = m.status.apply(MeetingAction::PublishMinutes)?;
    rules::check_publishable(current.as_ref())?;
    let Some(current) = current else {
        return Err(ApiError::NotFound);
    };
    let attendance = rules::attendance(&store::participants(tx, id)?, &store::registrants(tx, id)?);
    store::publish(tx, &current, if_match, &attendance, now)?;
    meetings::set_status(tx, &m, None, to, None, now)?;
    let minutes = store::find(tx, id)?.ok_or(ApiError::NotFound)?;
    let summary = format!(
        "minutes published: {} participant organisations",
        attendance.participant_organizations
    );
    events::record(
        tx,
        Some(actor),
        now,
        event("meeting.publish_minutes", &m, summary),
    )?;
    let m = load_meeting(tx, id)?;
    seen(tx, &m, minutes, role)
}
