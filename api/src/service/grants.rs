//! Grant use cases: award, read, list, set the mentor, amend, and the grant state machine.

use crate::error::ApiError;
use crate::service::events::{self, Event};
use crate::service::transition::Machine;
use chrono::{NaiveDate, NaiveDateTime};
use seriktes_domain::DomainError;
use seriktes_domain::access::grant::{GrantRight, GrantRole, grant as policy};
use seriktes_domain::access::{Actor, authorize};
use seriktes_domain::application::ApplicationStatus;
use seriktes_domain::calendar;
use seriktes_domain::call::CallStatus;
use seriktes_domain::grant::{self, Amendment, AwardFacts, AwardRefusal, GrantStatus};
use seriktes_domain::ids::{ApplicationId, BudgetLineId, GrantId, OrganizationId, ProgrammeId};
use seriktes_domain::money::Money;
use seriktes_persistence::db::Tx;
use seriktes_persistence::grants::{self, AmendmentRow, GrantChanges, GrantFilter, Loaded};
use seriktes_persistence::page::{Page, PageRequest};
use seriktes_persistence::{DbConn, stored};

/// A grant as a caller sees it: with sums and the caller's role.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The grant with facts and sums.
    pub loaded: Loaded,
    /// The caller's role.
    pub role: GrantRole,
}

/// Who hears of a change to a grant.
pub(crate) fn audience(l: &Loaded) -> Vec<OrganizationId> {
    let mut orgs = vec![l.facts.circle.managing, l.grant.grantee];
    orgs.extend(l.facts.circle.funders.iter().copied());
    orgs.extend(l.grant.mentor);
    orgs
}

/// An award decision.
#[derive(Debug, Clone)]
pub struct Award {
    /// Amount (`None`: as requested).
    pub amount: Option<Money>,
    /// First day.
    pub starts_on: NaiveDate,
    /// Mentor organisation.
    pub mentor: Option<OrganizationId>,
}

fn new_line_id() -> BudgetLineId {
    BudgetLineId::from_uuid(uuid::Uuid::now_v7())
}

/// Awards an application: creates its grant with a copy of the application's budget lines.
pub fn award(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: ApplicationId,
    input: Award,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let src = grants::award_source(tx, id, input.mentor)?;
    let circle = src.circle.clone();
    if !circle.managed_by(actor) {
        return Err(ApiError::NotFound);
    }
    let months = u32::try_from(src.duration_months).map_err(ApiError::internal)?;
    // `None` (a 422 on `starts_on`) when the period would end after 9999-12-31.
    let period = calendar::Date::new(input.starts_on)
        .and_then(|start| start.last_day_of_months(months))
        .ok()
        .map(|end| (input.starts_on, end.get()));
    let plan = grant::plan_award(AwardFacts {
        call: stored::value("calls.status", &src.call_status, CallStatus::parse)?
            .effective(&src.closes_at, &now),
        application: stored::value(
            "applications.status",
            &src.application_status,
            ApplicationStatus::parse,
        )?,
        requested: src.requested,
        amount: input.amount,
        envelope: src.envelope,
        awarded: src.awarded,
        period,
        mentor_exists: src.mentor_exists,
    })
    .map_err(|e| match e {
        AwardRefusal::Rule(e) => ApiError::from(e),
        AwardRefusal::Envelope(e) => ApiError::EnvelopeExceeded(e),
    })?;
    grants::set_application_status(
        tx,
        id,
        src.application_version,
        plan.application.as_str(),
        now,
    )?;
    let grant = grants::Grant {
        id: GrantId::from_uuid(uuid::Uuid::now_v7()),
        application: id,
        call: src.call,
        programme: src.programme,
        grantee: src.applicant,
        mentor: input.mentor,
        amount: plan.amount,
        starts_on: plan.starts_on,
        ends_on: plan.ends_on,
        budget_lines: grants::lines_from_json(
            "applications.budget_lines",
            &src.budget_lines,
            plan.amount.currency(),
            new_line_id,
        )?,
        status: GrantStatus::Active,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    grants::insert(tx, &grant)?;
    let loaded = Loaded {
        committed: Money::zero(plan.amount.currency()),
        paid: Money::zero(plan.amount.currency()),
        facts: seriktes_domain::access::grant::GrantFacts {
            circle,
            grantee: grant.grantee,
            mentor: grant.mentor,
        },
        grant,
    };
    let event = Event::new(
        "grant.award",
        "grant",
        loaded.grant.id,
        format!("awarded {} to application {id}", plan.amount),
    )
    .seen_by(audience(&loaded))
    .in_programme(loaded.grant.programme)
    .with_payload(
        serde_json::json!({"application_id": id.to_string(), "amount_minor": plan.amount.minor()}),
    );
    events::record(tx, Some(actor), now, event)?;
    Ok(Seen {
        loaded,
        role: GrantRole::Manager,
    })
}

fn load_as(
    conn: &mut DbConn,
    actor: &Actor,
    id: GrantId,
    right: GrantRight,
) -> Result<Seen, ApiError> {
    let loaded = match grants::find(conn, id) {
        Err(seriktes_persistence::StoreError::NotFound) => return Err(ApiError::NotFound),
        other => other?,
    };
    let role = authorize(policy(actor, &loaded.facts), right)?;
    Ok(Seen { loaded, role })
}

/// One grant with its budget lines.
pub fn get(conn: &mut DbConn, actor: &Actor, id: GrantId) -> Result<Seen, ApiError> {
    let seen = load_as(conn, actor, id, GrantRight::Read)?;
    Ok(seen)
}

/// One page of the grants the caller may see (filtered in SQL by the policy's rule).
pub fn list(
    conn: &mut DbConn,
    actor: &Actor,
    filter: GrantFilter,
    page: &PageRequest,
) -> Result<Page<Seen>, ApiError> {
    let p = grants::list(conn, actor, &filter, page)?;
    let items = p
        .items
        .into_iter()
        .map(|loaded| {
            let role = policy(actor, &loaded.facts).ok_or(DomainError::NotFound)?;
            Ok(Seen { loaded, role })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(Page {
        items,
        next_after: p.next_after,
    })
}

/// Sets or clears the mentor.
pub fn set_mentor(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: GrantId,
    mentor: Option<OrganizationId>,
    if_match: Option<i64>,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let mut seen = load_as(tx, actor, id, GrantRight::Manage)?;
    if let Some(m) = mentor
        && !seriktes_persistence::organizations::exists(tx, m)?
    {
        return Err(ApiError::invalid(
            "mentor_organization_id",
            "exists",
            "no organisation has this id",
        ));
    }
    let changes = GrantChanges {
        mentor_organization_id: Some(mentor.map(|m| m.to_string())),
        ..GrantChanges::default()
    };
    let g = &mut seen.loaded.grant;
    g.version = grants::update(tx, id, g.version, if_match, &changes, now)?;
    g.updated_at = now;
    g.mentor = mentor;
    seen.loaded.facts.mentor = mentor;
    let summary = format!(
        "mentor → {}",
        mentor.map_or("none".to_owned(), |m| m.to_string())
    );
    let event = Event::new("grant.update", "grant", id, summary)
        .seen_by(audience(&seen.loaded))
        .in_programme(seen.loaded.grant.programme);
    events::record(tx, Some(actor), now, event)?;
    Ok(seen)
}

/// Amends a grant; returns the amendment kept as history.
pub fn amend(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: GrantId,
    input: Amendment<NaiveDate>,
    if_match: Option<i64>,
    now: NaiveDateTime,
) -> Result<AmendmentRow, ApiError> {
    grants::lock(tx, id)?;
    let seen = load_as(tx, actor, id, GrantRight::Manage)?;
    let g = &seen.loaded.grant;
    let reason = input.reason.clone();
    let plan = grant::plan_amendment(g, seen.loaded.committed, input, new_line_id)?;
    let mut diff = serde_json::Map::new();
    let mut note = |field: &str, from: String, to: String| {
        if from != to {
            diff.insert(
                field.to_owned(),
                serde_json::json!({"from": from, "to": to}),
            );
        }
    };
    note(
        "amount",
        g.amount.amount_string(),
        plan.amount.amount_string(),
    );
    note(
        "starts_on",
        g.starts_on.to_string(),
        plan.starts_on.to_string(),
    );
    note("ends_on", g.ends_on.to_string(), plan.ends_on.to_string());
    if let Some(lines) = &plan.budget_lines {
        let show = |l: &[seriktes_domain::budget::BudgetLine]| {
            l.iter().map(|l| serde_json::json!({"id": l.id.to_string(), "category": l.category, "description": l.description, "amount": l.amount.amount_string()})).collect::<Vec<_>>()
        };
        diff.insert(
            "budget_lines".into(),
            serde_json::json!({"from": show(&g.budget_lines), "to": show(lines)}),
        );
    }
    let changes = GrantChanges {
        amount_minor: Some(plan.amount.minor()),
        starts_on: Some(plan.starts_on),
        ends_on: Some(plan.ends_on),
        ..GrantChanges::default()
    };
    grants::update(tx, id, g.version, if_match, &changes, now)?;
    if let Some(lines) = &plan.budget_lines {
        grants::replace_lines(tx, id, lines)?;
    }
    let row = AmendmentRow {
        id: uuid::Uuid::now_v7().to_string(),
        grant_id: id.to_string(),
        reason,
        changes: serde_json::Value::Object(diff).to_string(),
        actor_id: Some(actor.user_id().to_string()),
        created_at: now,
    };
    grants::insert_amendment(tx, &row)?;
    let event = Event::new("grant.amend", "grant", id, row.reason.clone())
        .seen_by(audience(&seen.loaded))
        .in_programme(seen.loaded.grant.programme);
    events::record(tx, Some(actor), now, event)?;
    Ok(row)
}

/// One page of a grant's amendments.
pub fn amendments(
    conn: &mut DbConn,
    actor: &Actor,
    id: GrantId,
    since: Option<NaiveDateTime>,
    page: &PageRequest,
) -> Result<Page<AmendmentRow>, ApiError> {
    load_as(conn, actor, id, GrantRight::Read)?;
    Ok(grants::amendments(conn, id, since, page)?)
}

/// The grant state machine (suspend, resume, complete, terminate).
#[derive(Debug)]
pub struct GrantMachine;

impl Machine for GrantMachine {
    type Id = GrantId;
    type State = GrantStatus;
    type Loaded = Loaded;
    type Output = Seen;
    type Input = ();

    fn load(tx: &mut Tx<'_>, id: GrantId, _now: NaiveDateTime) -> Result<Loaded, ApiError> {
        match grants::find(tx, id) {
            Err(seriktes_persistence::StoreError::NotFound) => Err(ApiError::NotFound),
            other => Ok(other?),
        }
    }

    fn authorize(
        actor: &Actor,
        loaded: &Loaded,
        _action: grant::GrantAction,
    ) -> Result<(), DomainError> {
        authorize(policy(actor, &loaded.facts), GrantRight::Manage).map(|_| ())
    }

    fn state(loaded: &Loaded, _now: NaiveDateTime) -> GrantStatus {
        loaded.grant.status
    }

    fn store(
        tx: &mut Tx<'_>,
        mut loaded: Loaded,
        to: GrantStatus,
        _input: (),
        if_match: Option<i64>,
        now: NaiveDateTime,
    ) -> Result<(Seen, Event), ApiError> {
        let changes = GrantChanges {
            status: Some(to.as_str().to_owned()),
            ..GrantChanges::default()
        };
        let g = &mut loaded.grant;
        g.version = grants::update(tx, g.id, g.version, if_match, &changes, now)?;
        g.status = to;
        g.updated_at = now;
        let event = Event::new(
            format!("grant.{}", to.as_str()),
            "grant",
            loaded.grant.id,
            String::new(),
        )
        .seen_by(audience(&loaded))
        .in_programme(loaded.grant.programme);
        Ok((
            Seen {
                loaded,
                role: GrantRole::Manager,
            },
            event,
        ))
    }
}

/// One page of the public grant list, with each programme's funders (two statements).
pub fn public(
    conn: &mut DbConn,
    programme: Option<&str>,
    page: &PageRequest,
) -> Result<Page<crate::routes::grants::PublicGrant>, ApiError> {
    use crate::routes::grants::{NamedRef, PublicGrant};
    let p = grants::public_page(conn, programme, page)?;
    let mut ids: Vec<String> = p.items.iter().map(|r| r.programme_id.clone()).collect();
    ids.sort();
    ids.dedup();
    let ids = ids
        .iter()
        .map(|id| stored::id("grants.programme_id", id, ProgrammeId::parse))
        .collect::<Result<Vec<_>, _>>()?;
    let funders = seriktes_persistence::programmes::funders_of(conn, &ids)?;
    let mut items = Vec::with_capacity(p.items.len());
    for row in p.items {
        let pid = row.programme_id.clone();
        let mut g = PublicGrant::try_from(row)?;
        g.funders = funders
            .iter()
            .filter(|f| f.programme.to_string() == pid)
            .map(|f| NamedRef {
                id: f.organization.to_string(),
                name: crate::wire::LocalizedText(f.name.translations().clone()),
            })
            .collect();
        items.push(g);
    }
    Ok(Page {
        items,
        next_after: p.next_after,
    })
}
