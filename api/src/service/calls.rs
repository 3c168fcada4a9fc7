//! Call use cases: create, read, list, edit a draft, and `publish`/`close`/`decide` through
//! [`crate::service::transition`]. A call's `closed` state is derived from `now`.

use crate::error::ApiError;
use crate::service::events::{self, Event};
use crate::service::programmes::{self as programmes, Programme};
use crate::service::transition::Machine;
use chrono::NaiveDateTime;
use seriktes_domain::access::call::{CallFacts, CallRight, CallRole, call};
use seriktes_domain::access::programme::Circle;
use seriktes_domain::access::{Actor, authorize};
use seriktes_domain::call::{Call as StoredCall, CallCriterion};
use seriktes_domain::call::{
    CallAction, CallInput, CallProgrammeFacts, CallStatus, CriterionInput, check_call,
    check_editable, check_publish,
};
use seriktes_domain::ids::{CallId, ProgrammeId, UserId};
use seriktes_domain::money::{Currency, Money};
use seriktes_domain::organization::OrganizationKind;
use seriktes_domain::programme::ProgrammeStatus;
use seriktes_domain::reporting::ReportingSchedule;
use seriktes_domain::text::LocalizedText;
use seriktes_domain::{DomainError, FieldError};
use seriktes_persistence::calls::{self as store, CallFilter, Decision};
use seriktes_persistence::db::Tx;
use seriktes_persistence::page::{Page, PageRequest};
use seriktes_persistence::{DbConn, users};

/// A call with its criteria, committee and what the caller may do with it.
#[derive(Debug, Clone)]
pub struct Call {
    /// Its id.
    pub id: CallId,
    /// The stored call.
    pub stored: StoredCall,
    /// Its status now.
    pub status: CallStatus,
    /// The programme's currency.
    pub currency: Currency,
    /// Criteria in order.
    pub criteria: Vec<CallCriterion>,
    /// Committee members.
    pub committee: Vec<UserId>,
    /// The caller's role (`None` only inside a use case, before authorizing).
    pub role: Option<CallRole>,
    /// The programme's id.
    pub programme_id: ProgrammeId,
    /// The programme's organisations.
    pub circle: Circle,
    /// What the access policy needs.
    pub facts: CallFacts,
    /// Whether the programme is active.
    pub programme_active: bool,
}

impl Call {
    /// Its version (ETag).
    pub fn version(&self) -> i64 {
        self.stored.version
    }

    /// Whether the caller manages it (and sees its committee and next actions).
    pub fn managed(&self) -> bool {
        self.role == Some(CallRole::Manager)
    }
}

/// A call's fields as given.
pub type CallDraft = CallInput<NaiveDateTime, UserId>;

/// Changes to a draft call; `None` keeps a field.
#[derive(Debug, Clone, Default)]
pub struct CallPatch {
    /// New title.
    pub title: Option<LocalizedText>,
    /// New description or none.
    pub description: Option<Option<LocalizedText>>,
    /// New window start.
    pub opens_at: Option<NaiveDateTime>,
    /// New window end.
    pub closes_at: Option<NaiveDateTime>,
    /// New cap.
    pub max_award: Option<Money>,
    /// New envelope.
    pub envelope: Option<Money>,
    /// New kinds.
    pub eligible_kinds: Option<Vec<OrganizationKind>>,
    /// New regions.
    pub eligible_regions: Option<Vec<String>>,
    /// New shortest duration.
    pub min_duration_months: Option<i32>,
    /// New longest duration.
    pub max_duration_months: Option<i32>,
    /// New criteria.
    pub criteria: Option<Vec<CriterionInput>>,
    /// New committee.
    pub committee: Option<Vec<UserId>>,
    /// New reporting schedule (`Some(None)`: the programme's).
    pub reporting: Option<Option<ReportingSchedule>>,
}

/// Filters of the call list.
#[derive(Debug, Clone, Default)]
pub struct CallQuery {
    /// Only calls of this programme.
    pub programme: Option<ProgrammeId>,
    /// Only calls in this status as of now.
    pub status: Option<CallStatus>,
    /// Only calls changed since.
    pub updated_since: Option<NaiveDateTime>,
}

/// What a transition did: the call and, for `decide`, the outcome.
#[derive(Debug, Clone)]
pub struct Moved {
    /// The call after the move.
    pub call: Call,
    /// The decision, when the call was decided.
    pub decision: Option<Decision>,
}

/// Builds calls from rows with a constant number of statements: programmes, funders,
/// criteria, committees.
fn assemble(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    calls: Vec<StoredCall>,
    now: NaiveDateTime,
) -> Result<Vec<Call>, ApiError> {
    let mut pids: Vec<ProgrammeId> = calls.iter().map(|c| c.programme).collect();
    pids.sort_by_key(ToString::to_string);
    pids.dedup();
    let progs = seriktes_persistence::programmes::find_many(conn, &pids)?;
    let ids: Vec<CallId> = calls.iter().map(|c| c.id).collect();
    let criteria = store::criteria_of(conn, &ids)?;
    let committee = store::committee_of(conn, &ids)?;
    calls
        .into_iter()
        .map(|stored| {
            let p = progs
                .iter()
                .find(|p| p.id == stored.programme)
                .ok_or(ApiError::NotFound)?;
            let status = stored.status_at(now);
            let facts = CallFacts {
                programme: p.facts(),
                status,
            };
            Ok(Call {
                id: stored.id,
                status,
                currency: p.currency(),
                criteria: criteria
                    .iter()
                    .filter(|c| c.call == stored.id)
                    .cloned()
                    .collect(),
                committee: committee
                    .iter()
                    .filter(|(c, _)| *c == stored.id)
                    .map(|(_, u)| *u)
                    .collect(),
                role: call(actor, &facts),
                programme_id: p.id,
                circle: p.circle.clone(),
                facts,
                programme_active: p.status == ProgrammeStatus::Active,
                stored,
            })
        })
        .collect()
}

fn load(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    id: CallId,
    now: NaiveDateTime,
) -> Result<Call, ApiError> {
    let stored = store::find(conn, id)?;
    assemble(conn, actor, vec![stored], now)?
        .pop()
        .ok_or(ApiError::NotFound)
}

fn event(kind: &str, c: &Call, summary: String) -> Event {
    Event::new(kind, "call", c.id, summary)
        .seen_by(std::iter::once(c.circle.managing).chain(c.circle.funders.iter().copied()))
        .in_programme(c.programme_id)
}

fn programme_facts(p: &Programme) -> Result<CallProgrammeFacts, ApiError> {
    Ok(CallProgrammeFacts {
        currency: p.currency(),
        budget_minor: p.budget.minor(),
        regions: p.regions.clone(),
    })
}

/// Stores criteria and committee, checking that committee members are active users.
fn store_parts(tx: &mut Tx<'_>, call_id: CallId, d: &CallDraft) -> Result<(), ApiError> {
    let active = users::active(tx, &d.committee)?;
    let errors: Vec<FieldError> = d
        .committee
        .iter()
        .enumerate()
        .filter(|(_, u)| !active.contains(u))
        .map(|(i, _)| {
            FieldError::new(
                format!("committee_user_ids.{i}"),
                "exists",
                "no active user has this id",
            )
        })
        .collect();
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    store::replace_criteria(tx, call_id, &d.criteria)?;
    store::replace_committee(tx, call_id, &d.committee)?;
    Ok(())
}

/// Creates a draft call under a programme that is not closed (its managers).
pub fn create(
    tx: &mut Tx<'_>,
    actor: &Actor,
    programme_id: ProgrammeId,
    draft: CallDraft,
    now: NaiveDateTime,
) -> Result<Call, ApiError> {
    let (p, _) = programmes::get(tx, actor, programme_id)?;
    authorize(
        seriktes_domain::access::programme::programme(actor, &p.facts()),
        seriktes_domain::access::programme::ProgrammeRight::CreateCall,
    )?;
    if p.status == ProgrammeStatus::Closed {
        return Err(DomainError::InvalidTransition {
            entity: "programme",
            action: "add a call to",
            from: "closed",
            allowed: vec![],
        }
        .into());
    }
    check_call(&draft, &programme_facts(&p)?)?;
    let id = CallId::from_uuid(uuid::Uuid::now_v7());
    let stored = store::insert(tx, id, p.id, &draft, now)?;
    store_parts(tx, id, &draft)?;
    let c = assemble(tx, Some(actor), vec![stored], now)?
        .pop()
        .ok_or(ApiError::NotFound)?;
    let title = seriktes_persistence::stored::to_json(c.stored.title.translations());
    let e = event("call.create", &c, format!("created call {title}"));
    events::record(tx, Some(actor), now, e)?;
    Ok(c)
}

/// A call the caller may see (anonymous callers: open and decided calls).
pub fn get(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    id: CallId,
    now: NaiveDateTime,
) -> Result<Call, ApiError> {
    let c = load(conn, actor, id, now)?;
    authorize(c.role, CallRight::Read)?;
    Ok(c)
}

/// One page of the calls the caller may see, filtered in SQL by the rule of
/// [`seriktes_domain::access::call::call`].
pub fn list(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    query: CallQuery,
    page: &PageRequest,
    now: NaiveDateTime,
) -> Result<Page<Call>, ApiError> {
    let filter = CallFilter {
        programme: query.programme,
        status: query.status,
        updated_since: query.updated_since,
        now,
    };
    let p = store::list(conn, actor, &filter, page)?;
    Ok(Page {
        items: assemble(conn, actor, p.items, now)?,
        next_after: p.next_after,
    })
}

/// Edits a draft call (the programme's managers).
pub fn update(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: CallId,
    patch: CallPatch,
    if_match: Option<i64>,
    now: NaiveDateTime,
) -> Result<Call, ApiError> {
    let current = load(tx, Some(actor), id, now)?;
    authorize(current.role, CallRight::Manage)?;
    check_editable(current.status)?;
    let p = programmes::load(tx, current.programme_id)?;
    let draft = merge(&current, patch);
    check_call(&draft, &programme_facts(&p)?)?;
    let stored = store::update(tx, &current.stored, if_match, &draft, now)?;
    store_parts(tx, current.id, &draft)?;
    let c = assemble(tx, Some(actor), vec![stored], now)?
        .pop()
        .ok_or(ApiError::NotFound)?;
    events::record(
        tx,
        Some(actor),
        now,
        event("call.update", &c, "updated draft call".into()),
    )?;
    Ok(c)
}

/// The stored call with `patch` laid over it.
fn merge(c: &Call, p: CallPatch) -> CallDraft {
    let s = &c.stored;
    CallInput {
        title: p.title.unwrap_or_else(|| s.title.clone()),
        description: p.description.unwrap_or_else(|| s.description.clone()),
        opens_at: p.opens_at.unwrap_or(s.opens_at),
        closes_at: p.closes_at.unwrap_or(s.closes_at),
        max_award: p
            .max_award
            .unwrap_or_else(|| Money::from_minor(s.max_award_minor, c.currency)),
        envelope: p
            .envelope
            .unwrap_or_else(|| Money::from_minor(s.envelope_minor, c.currency)),
        eligible_kinds: p.eligible_kinds.unwrap_or_else(|| s.eligible_kinds.clone()),
        eligible_regions: p
            .eligible_regions
            .unwrap_or_else(|| s.eligible_regions.clone()),
        min_duration_months: p.min_duration_months.unwrap_or(s.min_duration_months),
        max_duration_months: p.max_duration_months.unwrap_or(s.max_duration_months),
        criteria: p.criteria.unwrap_or_else(|| {
            c.criteria
                .iter()
                .map(|k| CriterionInput {
                    name: k.name.clone(),
                    weight: k.weight,
                    max_score: k.max_score,
                })
                .collect()
        }),
        committee: p.committee.unwrap_or_else(|| c.committee.clone()),
        reporting: p.reporting.unwrap_or(s.reporting),
    }
}

impl Machine for Call {
    type Id = CallId;
    type State = CallStatus;
    type Loaded = Call;
    type Output = Moved;
    type Input = ();

    fn load(tx: &mut Tx<'_>, id: CallId, now: NaiveDateTime) -> Result<Call, ApiError> {
        load(tx, None, id, now)
    }

    fn authorize(actor: &Actor, c: &Call, _: CallAction) -> Result<(), DomainError> {
        authorize(call(Some(actor), &c.facts), CallRight::Manage).map(|_| ())
    }

    fn state(c: &Call, _: NaiveDateTime) -> CallStatus {
        c.status
    }

    fn check(c: &Call, action: CallAction, now: NaiveDateTime) -> Result<(), DomainError> {
        if action == CallAction::Publish {
            check_publish(c.programme_active, &c.stored.closes_at, &now)?;
        }
        Ok(())
    }

    fn store(
        tx: &mut Tx<'_>,
        c: Call,
        to: CallStatus,
        _input: (),
        if_match: Option<i64>,
        now: NaiveDateTime,
    ) -> Result<(Moved, Event), ApiError> {
        let decision = if to == CallStatus::Decided {
            Some(store::decide(tx, c.id, now)?)
        } else {
            None
        };
        let stored = store::set_status(tx, &c.stored, if_match, to, now)?;
        let call = Call {
            status: stored.status_at(now),
            role: Some(CallRole::Manager),
            stored,
            ..c
        };
        let (kind, summary) = match (to, decision) {
            (CallStatus::Decided, Some(d)) => (
                "call.decide",
                format!(
                    "decided: {} awarded ({}), {} rejected",
                    d.awarded,
                    Money::from_minor(d.awarded_total_minor, call.currency),
                    d.rejected
                ),
            ),
            (CallStatus::Open, _) => ("call.publish", String::new()),
            _ => ("call.close", String::new()),
        };
        let e = event(kind, &call, summary);
        Ok((Moved { call, decision }, e))
    }
}
