//! Registration use cases: anyone registers for a meeting with open registration (signed in
//! or not; rate-limited per client address through the database), confirmed while places last,
//! else waitlisted; the holder of the registration's token reads and cancels it; a cancelled
//! confirmed registration promotes the first waitlisted one in the same transaction; organisers
//! list, export and mark attendance; anyone who sees the meeting reads its counts.
//!
//! Personal data never leaves through an event: summaries name statuses, never names or
//! e-mails.

use crate::error::ApiError;
use crate::service::events::{self, Event};
use crate::service::meetings::facts;
use chrono::NaiveDateTime;
use seriktes_domain::access::meeting::{MeetingRole, meeting as meeting_policy};
use seriktes_domain::access::registration::{
    RegistrationRight, RegistrationRole, registration as registration_policy,
};
use seriktes_domain::access::{Actor, authorize};
use seriktes_domain::ids::{MeetingId, OrganizationId, RegistrationId};
use seriktes_domain::indicator::Dimension;
use seriktes_domain::meeting::{Meeting, MeetingStatus};
use seriktes_domain::registration::{
    Affiliation, Attendance, ContributionKind, DEMOGRAPHICS, Registration, RegistrationAction,
    RegistrationRequest, RegistrationStatus, check_attendance, check_cancellable, check_open,
    check_registration,
};
use seriktes_domain::throttle::{self as domain_throttle, ClientAddress, Subject};
use seriktes_persistence::db::Tx;
use seriktes_persistence::page::{Page, PageRequest};
use seriktes_persistence::registrations::{self as store, RegistrationFilter};
use seriktes_persistence::{DbConn, StoreError, meetings, organizations, throttle};
use std::collections::BTreeMap;

/// A registration as its reader sees it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The registration.
    pub registration: Registration,
    /// The caller's role.
    pub role: RegistrationRole,
    /// Its place in the waitlist (1 = next), when waitlisted.
    pub waitlist_position: Option<i64>,
    /// The meeting's status (what may be done to a registration depends on it).
    pub meeting_status: MeetingStatus,
}

impl Seen {
    /// What the caller may do now: `cancel` (a registration not cancelled, of a planned
    /// meeting), `mark_attendance` (organisers, confirmed registrations of a held meeting; it
    /// is also accepted once a planned meeting has started, see `check_attendance`).
    pub fn allowed_actions(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.registration.status != RegistrationStatus::Cancelled
            && self.meeting_status == MeetingStatus::Planned
        {
            out.push("cancel");
        }
        if self.role == RegistrationRole::Organizer
            && self.registration.status == RegistrationStatus::Confirmed
            && self.meeting_status == MeetingStatus::Held
        {
            out.push("mark_attendance");
        }
        out
    }
}

/// Who registers from where.
#[derive(Debug, Clone, Copy)]
pub struct Origin {
    /// The client address the rate limit counts.
    pub client: ClientAddress,
    /// Registrations allowed per address per window (`Settings::registration_limit`).
    pub limit: i32,
}

/// The public counts of a meeting's registrations (no personal data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counts {
    /// The meeting's capacity.
    pub capacity: Option<i32>,
    /// Confirmed registrations.
    pub confirmed: i64,
    /// Waitlisted registrations.
    pub waitlisted: i64,
    /// Once the meeting has started: confirmed registrations marked attended.
    pub attended: Option<i64>,
    /// Once the meeting has started: confirmed registrations marked no-show.
    pub no_show: Option<i64>,
    /// Confirmed and waitlisted registrations per contribution kind.
    pub by_contribution: BTreeMap<&'static str, i64>,
    /// Per dimension the meeting asks about, confirmed and waitlisted registrations per
    /// answer (`not_given` for none).
    pub by_demographic: BTreeMap<&'static str, BTreeMap<String, i64>>,
}

fn load_meeting(conn: &mut DbConn, id: MeetingId) -> Result<Meeting, ApiError> {
    match meetings::find(conn, id) {
        Err(StoreError::NotFound) => Err(ApiError::NotFound),
        other => Ok(other?),
    }
}

fn load(conn: &mut DbConn, id: RegistrationId) -> Result<(Registration, String), ApiError> {
    match store::find(conn, id) {
        Err(StoreError::NotFound) => Err(ApiError::NotFound),
        other => Ok(other?),
    }
}

/// The caller's role towards a registration: organisers of its meeting, or whoever presents
/// its token (`token`, compared by hash).
fn role_of(
    actor: Option<&Actor>,
    m: &Meeting,
    stored_hash: &str,
    token_hash: Option<&str>,
) -> Option<RegistrationRole> {
    let seen = meeting_policy(actor, &facts(m));
    registration_policy(seen, token_hash.is_some_and(|h| h == stored_hash))
}

fn event(kind: &str, m: &Meeting, r: &Registration, summary: String) -> Event {
    Event::new(kind, "registration", r.id, summary)
        .seen_by(m.fields.organizers.iter().copied())
        .with_payload(serde_json::json!({
            "meeting_id": r.meeting.to_string(),
            "status": r.status.as_str(),
            "attendance": r.attendance.map(Attendance::as_str),
        }))
}

fn position(conn: &mut DbConn, r: &Registration) -> Result<Option<i64>, ApiError> {
    if r.status == RegistrationStatus::Waitlisted {
        Ok(store::waitlist_positions(conn, r.meeting, &[r.seq])?
            .first()
            .copied())
    } else {
        Ok(None)
    }
}

/// Refuses a registration from `origin` (429 with the seconds to wait) when its window is
/// full.
fn check_rate(tx: &mut Tx<'_>, subject: &Subject, now: NaiveDateTime) -> Result<(), ApiError> {
    let counts = throttle::counts(tx, std::slice::from_ref(subject))?;
    let pairs: Vec<_> = std::iter::once(subject).zip(counts).collect();
    domain_throttle::check(&pairs, now).map_err(ApiError::TooManyRequests)
}

/// Registers for a meeting the caller (`None`: anonymous) may see, whose registration is open
/// and which is planned: confirmed while places last, else waitlisted. `token_hash` is the hash
/// of the management token the caller is given once.
pub fn register(
    tx: &mut Tx<'_>,
    actor: Option<&Actor>,
    meeting: MeetingId,
    request: RegistrationRequest,
    token_hash: &str,
    origin: Origin,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let subject = Subject::Registration(origin.client, origin.limit);
    check_rate(tx, &subject, now)?;
    let m = load_meeting(tx, meeting)?;
    meeting_policy(actor, &facts(&m)).ok_or(ApiError::NotFound)?;
    let settings = &m.fields.registration;
    check_open(m.status, settings)?;
    let registrant = check_registration(settings, request, |o| {
        actor.is_some_and(|a| a.belongs_to(o))
    })?;
    let duplicate =
        || ApiError::conflict("This e-mail address is already registered for this meeting.");
    if store::email_taken(tx, meeting, &registrant.email)? {
        return Err(duplicate());
    }
    // The first write locks the meeting's row: concurrent registrations for it queue here
    // (on PostgreSQL the losers of the race are run again by `db::write`).
    let seq = store::next_seq(tx, meeting)?;
    throttle::fail(
        tx,
        std::slice::from_ref(&subject),
        now,
        domain_throttle::window_cutoff(now),
    )?;
    let status = if store::claim_place(tx, meeting)? {
        RegistrationStatus::Confirmed
    } else {
        RegistrationStatus::Waitlisted
    };
    let r = Registration {
        id: RegistrationId::from_uuid(uuid::Uuid::now_v7()),
        meeting,
        registrant,
        user: actor.map(Actor::user_id),
        consent_version: settings.consent_version.clone().unwrap_or_default(),
        consented_at: now,
        status,
        seq,
        attendance: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    match store::insert(tx, &r, token_hash) {
        Err(StoreError::Duplicate { .. }) => return Err(duplicate()),
        other => other?,
    }
    let summary = format!("registration {}", r.status.as_str());
    events::record(
        tx,
        actor,
        now,
        event("registration.created", &m, &r, summary),
    )?;
    let waitlist_position = position(tx, &r)?;
    Ok(Seen {
        registration: r,
        role: RegistrationRole::Holder,
        waitlist_position,
        meeting_status: m.status,
    })
}

/// One registration, for its meeting's organisers or the holder of its token.
pub fn get(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    id: RegistrationId,
    token_hash: Option<&str>,
) -> Result<Seen, ApiError> {
    let (r, hash) = load(conn, id)?;
    let m = load_meeting(conn, r.meeting)?;
    let role = authorize(
        role_of(actor, &m, &hash, token_hash),
        RegistrationRight::Read,
    )?;
    let waitlist_position = position(conn, &r)?;
    Ok(Seen {
        registration: r,
        role,
        waitlist_position,
        meeting_status: m.status,
    })
}

/// Cancels a registration of a planned meeting (its token's holder or the meeting's
/// organisers). A confirmed one gives its place to the first waitlisted registration, in the
/// same transaction.
pub fn cancel(
    tx: &mut Tx<'_>,
    actor: Option<&Actor>,
    id: RegistrationId,
    token_hash: Option<&str>,
    if_match: Option<i64>,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let (current, hash) = load(tx, id)?;
    let m = load_meeting(tx, current.meeting)?;
    let role = authorize(
        role_of(actor, &m, &hash, token_hash),
        RegistrationRight::Cancel,
    )?;
    let to = current.status.apply(RegistrationAction::Cancel)?;
    check_cancellable(m.status)?;
    let version = store::set_status(tx, &current, if_match, to, now)?;
    let next = Registration {
        status: to,
        attendance: None,
        version,
        updated_at: now,
        ..current.clone()
    };
    events::record(
        tx,
        actor,
        now,
        event(
            "registration.cancelled",
            &m,
            &next,
            "registration cancelled".into(),
        ),
    )?;
    if current.status == RegistrationStatus::Confirmed {
        store::release_place(tx, m.id)?;
        fill_places(tx, actor, &m, now)?;
    }
    Ok(Seen {
        registration: next,
        role,
        waitlist_position: None,
        meeting_status: m.status,
    })
}

/// Promotes waitlisted registrations, first come first served, while the meeting has places
/// left (after a cancellation, or a larger capacity).
pub fn fill_places(
    tx: &mut Tx<'_>,
    actor: Option<&Actor>,
    m: &Meeting,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    while let Some(first) = store::first_waitlisted(tx, m.id)? {
        if !store::claim_place(tx, m.id)? {
            break;
        }
        let to = first.status.apply(RegistrationAction::Promote)?;
        let version = store::set_status(tx, &first, None, to, now)?;
        let promoted = Registration {
            status: to,
            version,
            updated_at: now,
            ..first
        };
        events::record(
            tx,
            actor,
            now,
            event(
                "registration.promoted",
                m,
                &promoted,
                "waitlisted registration confirmed".into(),
            ),
        )?;
    }
    Ok(())
}

/// The organisers' role towards a meeting's registrations; everyone else gets 404 (they are
/// personal data), the meeting's participants included.
fn organiser(actor: &Actor, m: &Meeting) -> Result<RegistrationRole, ApiError> {
    let seen = meeting_policy(Some(actor), &facts(m));
    Ok(authorize(
        registration_policy(seen, false),
        RegistrationRight::Manage,
    )?)
}

/// Marks a confirmed registration attended or no-show (the meeting's organisers), once the
/// meeting has started and until its minutes are published.
pub fn mark_attendance(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: RegistrationId,
    attendance: Attendance,
    if_match: Option<i64>,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let (current, _) = load(tx, id)?;
    let m = load_meeting(tx, current.meeting)?;
    let role = organiser(actor, &m)?;
    check_attendance(m.status, m.fields.starts_at, current.status, now)?;
    let version = store::set_attendance(tx, &current, if_match, attendance, now)?;
    let next = Registration {
        attendance: Some(attendance),
        version,
        updated_at: now,
        ..current
    };
    let summary = format!("attendance marked {}", attendance.as_str());
    events::record(
        tx,
        Some(actor),
        now,
        event("registration.attendance", &m, &next, summary),
    )?;
    Ok(Seen {
        registration: next,
        role,
        waitlist_position: None,
        meeting_status: m.status,
    })
}

/// One page of a meeting's registrations with personal data (its organisers).
pub fn list(
    conn: &mut DbConn,
    actor: &Actor,
    meeting: MeetingId,
    filter: &RegistrationFilter,
    page: &PageRequest,
) -> Result<Page<Seen>, ApiError> {
    let m = load_meeting(conn, meeting)?;
    let role = organiser(actor, &m)?;
    let p = store::list(conn, meeting, filter, page)?;
    let waiting: Vec<i64> = p
        .items
        .iter()
        .filter(|r| r.status == RegistrationStatus::Waitlisted)
        .map(|r| r.seq)
        .collect();
    let mut places = store::waitlist_positions(conn, meeting, &waiting)?.into_iter();
    let mut items = Vec::with_capacity(p.items.len());
    for r in p.items {
        let waitlist_position = if r.status == RegistrationStatus::Waitlisted {
            places.next()
        } else {
            None
        };
        items.push(Seen {
            registration: r,
            role,
            waitlist_position,
            meeting_status: m.status,
        });
    }
    Ok(Page {
        items,
        next_after: p.next_after,
    })
}

/// Every registration of a meeting that is not cancelled, by arrival, with the names of the
/// organisations they name (English, else the first language) (its organisers; the
/// volunteers' list).
pub fn export(
    conn: &mut DbConn,
    actor: &Actor,
    meeting: MeetingId,
) -> Result<(Vec<Registration>, BTreeMap<OrganizationId, String>), ApiError> {
    let m = load_meeting(conn, meeting)?;
    organiser(actor, &m)?;
    let all = store::all(conn, meeting)?;
    let ids: Vec<OrganizationId> = all
        .iter()
        .filter_map(|r| match r.registrant.affiliation {
            Affiliation::Member(o) => Some(o),
            _ => None,
        })
        .collect();
    let names = organizations::load_many(conn, &ids)?
        .into_iter()
        .map(|o| {
            let t = o.organization.profile.name.translations();
            let name = t.get("en").or_else(|| t.values().next()).cloned();
            (o.organization.id, name.unwrap_or_default())
        })
        .collect();
    Ok((all, names))
}

/// The public counts of a meeting's registrations, for whoever sees the meeting.
pub fn counts(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    meeting: MeetingId,
    now: NaiveDateTime,
) -> Result<Counts, ApiError> {
    let m = load_meeting(conn, meeting)?;
    let _: MeetingRole = meeting_policy(actor, &facts(&m)).ok_or(ApiError::NotFound)?;
    let started = matches!(
        m.status,
        MeetingStatus::Held | MeetingStatus::MinutesPublished
    ) || (m.status == MeetingStatus::Planned && m.fields.starts_at <= now);
    let mut c = Counts {
        capacity: m.fields.capacity,
        confirmed: 0,
        waitlisted: 0,
        attended: started.then_some(0),
        no_show: started.then_some(0),
        by_contribution: ContributionKind::ALL
            .iter()
            .map(|k| (k.as_str(), 0))
            .collect(),
        by_demographic: BTreeMap::new(),
    };
    let asked: Vec<Dimension> = DEMOGRAPHICS
        .into_iter()
        .filter(|d| m.fields.registration.demographics.contains(d))
        .collect();
    for t in store::tally(conn, meeting)? {
        match t.status {
            RegistrationStatus::Confirmed => c.confirmed += t.count,
            RegistrationStatus::Waitlisted => c.waitlisted += t.count,
            RegistrationStatus::Cancelled => continue,
        }
        match (t.attendance, &mut c.attended, &mut c.no_show) {
            (Some(Attendance::Attended), Some(n), _) | (Some(Attendance::NoShow), _, Some(n)) => {
                *n += t.count;
            }
            _ => {}
        }
        if let Some(k) = t.contribution {
            *c.by_contribution.entry(k.as_str()).or_default() += t.count;
        }
        for d in &asked {
            let answer = t.demographics.get(*d).unwrap_or("not_given").to_owned();
            *c.by_demographic
                .entry(d.as_str())
                .or_default()
                .entry(answer)
                .or_default() += t.count;
        }
    }
    Ok(c)
}
