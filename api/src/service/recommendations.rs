//! Recommendation use cases: a meeting's organisers record recommendations while it is
//! planned or held; whoever sees the meeting, and the addressee's members, read them; the
//! organisers and the addressee's owners and managers move them through their states (every
//! move kept as history with its evidence) and edit their links; statistics per meeting and
//! per addressee are counted in SQL over what the caller may see; organisations endorse them
//! once each.

use crate::error::ApiError;
use crate::service::events::{self, Event};
use crate::service::meetings::facts;
use chrono::NaiveDateTime;
use seriktes_domain::access::meeting::{MeetingRight, meeting as meeting_policy};
use seriktes_domain::access::recommendation::{
    RecommendationRight, RecommendationRole, acting_organization, may_endorse, recommendation,
};
use seriktes_domain::access::{Actor, Role, authorize};
use seriktes_domain::ids::{MeetingId, OrganizationId, RecommendationChangeId, RecommendationId};
use seriktes_domain::meeting::Meeting;
use seriktes_domain::recommendation::{
    self as rules, Change, ChangeInput, Links, Recommendation, RecommendationAction,
    RecommendationInput, RecommendationStatus, Statistics,
};
use seriktes_domain::{DomainError, FieldError};
use seriktes_persistence::db::Tx;
use seriktes_persistence::page::{Page, PageRequest};
use seriktes_persistence::recommendations::{self as store, Endorsement, RecommendationFilter};
use seriktes_persistence::{DbConn, StoreError, meetings, organizations};

/// A recommendation as the caller sees it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The recommendation.
    pub recommendation: Recommendation,
    /// The caller's role.
    pub role: RecommendationRole,
}

impl Seen {
    /// The status actions the caller may take now (organisers and the addressee's owners and
    /// managers).
    pub fn allowed_actions(&self) -> Vec<&'static str> {
        if self.role.may(RecommendationRight::Track) {
            self.recommendation.status.allowed_actions()
        } else {
            Vec::new()
        }
    }
}

/// Filters of the recommendation lists.
pub type RecommendationQuery = RecommendationFilter;

fn load_meeting(conn: &mut DbConn, id: MeetingId) -> Result<Meeting, ApiError> {
    match meetings::find(conn, id) {
        Err(StoreError::NotFound) => Err(ApiError::NotFound),
        other => Ok(other?),
    }
}

fn load(conn: &mut DbConn, id: RecommendationId) -> Result<Recommendation, ApiError> {
    match store::find(conn, id) {
        Err(StoreError::NotFound) => Err(ApiError::NotFound),
        other => Ok(other?),
    }
}

fn role_of(actor: Option<&Actor>, m: &Meeting, r: &Recommendation) -> Option<RecommendationRole> {
    recommendation(actor, meeting_policy(actor, &facts(m)), r.fields.addressee)
}

/// The recommendation and its meeting, if the caller may do `right` to it (404 / 403).
fn authorized(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    id: RecommendationId,
    right: RecommendationRight,
) -> Result<(Recommendation, Meeting, RecommendationRole), ApiError> {
    let r = load(conn, id)?;
    let m = load_meeting(conn, r.meeting)?;
    let role = authorize(role_of(actor, &m, &r), right)?;
    Ok((r, m, role))
}

fn event(kind: &str, m: &Meeting, r: &Recommendation, summary: String) -> Event {
    let f = &m.fields;
    Event::new(kind, "recommendation", r.id, summary)
        .seen_by(
            f.organizers
                .iter()
                .copied()
                .chain(f.participants.iter().map(|(o, _)| *o))
                .chain(std::iter::once(r.fields.addressee)),
        )
        .with_payload(serde_json::json!({
            "meeting_id": r.meeting.to_string(),
            "status": r.status.as_str(),
        }))
}

/// Checks that every named organisation, grant and indicator exists (422 naming each).
fn check_references(
    conn: &mut DbConn,
    orgs: Option<(&[OrganizationId], OrganizationId)>,
    links: &Links,
) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if let Some((proposers, addressee)) = orgs {
        let mut all = proposers.to_vec();
        all.push(addressee);
        let found = meetings::existing(conn, &all)?;
        for (i, o) in proposers.iter().enumerate() {
            if !found.contains(o) {
                errors.push(FieldError::new(
                    format!("proposer_organization_ids.{i}"),
                    "exists",
                    "no organisation has this id",
                ));
            }
        }
        if !found.contains(&addressee) {
            errors.push(FieldError::new(
                "addressee_organization_id",
                "exists",
                "no organisation has this id",
            ));
        }
    }
    let grants = store::existing_grants(conn, &links.grants)?;
    for (i, g) in links.grants.iter().enumerate() {
        if !grants.contains(g) {
            errors.push(FieldError::new(
                format!("grant_ids.{i}"),
                "exists",
                "no grant has this id",
            ));
        }
    }
    let indicators = store::existing_indicators(conn, &links.indicators)?;
    for (i, x) in links.indicators.iter().enumerate() {
        if !indicators.contains(x) {
            errors.push(FieldError::new(
                format!("indicator_ids.{i}"),
                "exists",
                "no indicator has this id",
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Records a recommendation made at a planned or held meeting (its organisers); 409 once the
/// minutes are published or the meeting is cancelled.
pub fn create(
    tx: &mut Tx<'_>,
    actor: &Actor,
    meeting: MeetingId,
    input: RecommendationInput,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let m = load_meeting(tx, meeting)?;
    authorize(meeting_policy(Some(actor), &facts(&m)), MeetingRight::Edit)?;
    rules::check_recommendation(&input)?;
    check_references(tx, Some((&input.proposers, input.addressee)), &input.links)?;
    let count = store::count_of_meeting(tx, meeting)?;
    rules::check_recordable(m.status, usize::try_from(count).unwrap_or(usize::MAX))?;
    let r = Recommendation {
        id: RecommendationId::from_uuid(uuid::Uuid::now_v7()),
        meeting,
        fields: input,
        status: RecommendationStatus::Proposed,
        endorsements: 0,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    store::insert(tx, &r)?;
    let summary = format!("recommendation addressed to {}", r.fields.addressee);
    events::record(
        tx,
        Some(actor),
        now,
        event("recommendation.create", &m, &r, summary),
    )?;
    Ok(Seen {
        recommendation: r,
        role: RecommendationRole::Organizer,
    })
}

/// A recommendation the caller (`None`: anonymous) may see.
pub fn get(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    id: RecommendationId,
) -> Result<Seen, ApiError> {
    let (recommendation, _, role) = authorized(conn, actor, id, RecommendationRight::Read)?;
    Ok(Seen {
        recommendation,
        role,
    })
}

/// One page of the recommendations the caller may see, filtered in SQL by the policy's rule;
/// with a meeting filter, 404 when the caller may not see that meeting.
pub fn list(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    query: &RecommendationQuery,
    page: &PageRequest,
) -> Result<Page<Seen>, ApiError> {
    if let Some(id) = query.meeting {
        let m = load_meeting(conn, id)?;
        meeting_policy(actor, &facts(&m)).ok_or(ApiError::NotFound)?;
    }
    let p = store::list(conn, actor, query, page)?;
    let mut seen_meetings: Vec<Meeting> = Vec::new();
    let mut items = Vec::with_capacity(p.items.len());
    for r in p.items {
        if !seen_meetings.iter().any(|m| m.id == r.meeting) {
            seen_meetings.push(load_meeting(conn, r.meeting)?);
        }
        let role = seen_meetings
            .iter()
            .find(|m| m.id == r.meeting)
            .and_then(|m| role_of(actor, m, &r))
            .ok_or(ApiError::NotFound)?;
        items.push(Seen {
            recommendation: r,
            role,
        });
    }
    Ok(Page {
        items,
        next_after: p.next_after,
    })
}

/// Replaces the grants and indicators linked to a recommendation (organisers and the
/// addressee's owners and managers; If-Match).
pub fn set_links(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: RecommendationId,
    links: Links,
    if_match: Option<i64>,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let (current, m, role) = authorized(tx, Some(actor), id, RecommendationRight::Track)?;
    let mut v = seriktes_domain::Validator::new();
    rules::check_links(&mut v, &links);
    v.finish()?;
    check_references(tx, None, &links)?;
    store::replace_links(tx, &current, if_match, &links, now)?;
    let next = load(tx, id)?;
    let summary = format!(
        "links set: {} grants, {} indicators",
        links.grants.len(),
        links.indicators.len()
    );
    events::record(
        tx,
        Some(actor),
        now,
        event("recommendation.links", &m, &next, summary),
    )?;
    Ok(Seen {
        recommendation: next,
        role,
    })
}

/// Moves a recommendation by `action` (organisers and the addressee's owners and managers;
/// If-Match): 409 with the allowed actions on an illegal move, 422 when implementing without
/// evidence; the change is kept as history with its author and acting organisation.
pub fn act(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: RecommendationId,
    action: RecommendationAction,
    input: ChangeInput,
    if_match: Option<i64>,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let (current, m, role) = authorized(tx, Some(actor), id, RecommendationRight::Track)?;
    let to = current.status.apply(action)?;
    let on = rules::check_change(action, &input, now.date())?;
    store::set_status(tx, &current, if_match, to, now)?;
    let change = Change {
        id: RecommendationChangeId::from_uuid(uuid::Uuid::now_v7()),
        recommendation: id,
        from: current.status,
        to,
        on,
        note: input.note,
        evidence_url: input.evidence_url,
        author: actor.user_id(),
        acting_organization: acting_organization(
            actor,
            current.fields.addressee,
            &m.fields.organizers,
        ),
        at: now,
    };
    store::insert_change(tx, &change)?;
    let next = load(tx, id)?;
    let summary = format!("{} → {}", current.status.as_str(), to.as_str());
    events::record(
        tx,
        Some(actor),
        now,
        event(
            &format!("recommendation.{}", action.as_str()),
            &m,
            &next,
            summary,
        ),
    )?;
    Ok(Seen {
        recommendation: next,
        role,
    })
}

/// One page of a recommendation's history, oldest first (whoever sees it).
pub fn history(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    id: RecommendationId,
    since: Option<NaiveDateTime>,
    page: &PageRequest,
) -> Result<Page<Change>, ApiError> {
    authorized(conn, actor, id, RecommendationRight::Read)?;
    Ok(store::changes(conn, id, since, page)?)
}

/// The statistics of a meeting's recommendations (whoever sees the meeting; anonymous
/// callers for a public one).
pub fn meeting_statistics(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    id: MeetingId,
) -> Result<Statistics, ApiError> {
    let m = load_meeting(conn, id)?;
    meeting_policy(actor, &facts(&m)).ok_or(ApiError::NotFound)?;
    let filter = RecommendationFilter {
        meeting: Some(id),
        ..RecommendationFilter::default()
    };
    Ok(Statistics::from_counts(&store::statistics(
        conn, actor, &filter,
    )?))
}

/// The statistics of the recommendations addressed to an organisation, counting only those
/// the caller may see (404 when there is no such organisation).
pub fn addressee_statistics(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    id: OrganizationId,
) -> Result<Statistics, ApiError> {
    if !organizations::exists(conn, id)? {
        return Err(ApiError::NotFound);
    }
    let filter = RecommendationFilter {
        addressee: Some(id),
        ..RecommendationFilter::default()
    };
    Ok(Statistics::from_counts(&store::statistics(
        conn, actor, &filter,
    )?))
}

fn already() -> ApiError {
    ApiError::conflict("This organisation already endorses the recommendation.")
}

/// Endorses a recommendation on behalf of an organisation (its owners and managers, and
/// admins, who see the recommendation): once; the second time is 409, also when two requests
/// race (the unique key decides).
pub fn endorse(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: RecommendationId,
    organization: OrganizationId,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let (_, m, role) = authorized(tx, Some(actor), id, RecommendationRight::Read)?;
    may_endorse(actor, organization)?;
    if !organizations::exists(tx, organization)? {
        return Err(ApiError::invalid(
            "organization_id",
            "exists",
            "no organisation has this id",
        ));
    }
    if store::endorses(tx, id, organization)? {
        return Err(already());
    }
    let key = uuid::Uuid::now_v7();
    match store::endorse(tx, key, id, organization, actor.user_id(), now) {
        Err(StoreError::Duplicate { .. }) => return Err(already()),
        other => other?,
    }
    let next = load(tx, id)?;
    let summary = format!("endorsed by {organization}");
    events::record(
        tx,
        Some(actor),
        now,
        event("recommendation.endorse", &m, &next, summary).seen_by([organization]),
    )?;
    Ok(Seen {
        recommendation: next,
        role,
    })
}

/// Withdraws an organisation's endorsement (its owners and managers, and admins); 404 when it
/// does not endorse the recommendation. It may endorse again later.
pub fn withdraw(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: RecommendationId,
    organization: OrganizationId,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let (_, m, _) = authorized(tx, Some(actor), id, RecommendationRight::Read)?;
    may_endorse(actor, organization)?;
    if !store::withdraw(tx, id, organization, now)? {
        return Err(DomainError::NotFound.into());
    }
    let next = load(tx, id)?;
    let summary = format!("endorsement of {organization} withdrawn");
    events::record(
        tx,
        Some(actor),
        now,
        event("recommendation.withdraw_endorsement", &m, &next, summary).seen_by([organization]),
    )?;
    Ok(())
}

/// One page of the organisations endorsing a recommendation, in the order they endorsed
/// (whoever sees the recommendation).
pub fn endorsements(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    id: RecommendationId,
    updated_since: Option<NaiveDateTime>,
    page: &PageRequest,
) -> Result<Page<Endorsement>, ApiError> {
    authorized(conn, actor, id, RecommendationRight::Read)?;
    Ok(store::endorsements(conn, id, updated_since, page)?)
}
