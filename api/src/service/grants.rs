//! Grant use cases: award, read, list, set the mentor, amend, and the grant state machine.

use crate::error::ApiError;
use crate::service::events::{self, Event};
use crate::service::indicators;
use crate::service::requirements;
use crate::service::transition::Machine;
use chrono::{NaiveDate, NaiveDateTime};
use seriktes_domain::DomainError;
use seriktes_domain::access::grant::{GrantRight, GrantRole, grant as policy};
use seriktes_domain::access::{Actor, authorize};
use seriktes_domain::budget::BudgetLine;
use seriktes_domain::calendar;
use seriktes_domain::grant::{
    self, AmendmentChanges, AmendmentInput, AwardFacts, AwardRefusal, GrantStatus,
};
use seriktes_domain::ids::{
    AmendmentId, ApplicationId, BudgetLineId, GrantId, OrganizationId, ProgrammeId,
};
use seriktes_domain::indicator::GrantIndicatorInput;
use seriktes_domain::money::Money;
use seriktes_domain::programme::ProgrammeFunder;
use seriktes_domain::reporting;
use seriktes_persistence::DbConn;
use seriktes_persistence::db::Tx;
use seriktes_persistence::grants::{self, GrantChanges, GrantFilter, Loaded};
use seriktes_persistence::page::{Page, PageRequest};

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
    /// The indicators the grant carries, with its own baselines and targets.
    pub indicators: Vec<GrantIndicatorInput>,
}

fn new_line_id() -> BudgetLineId {
    BudgetLineId::from_uuid(uuid::Uuid::now_v7())
}

/// Awards an application: creates its grant with a copy of the application's budget lines, the
/// indicators named (checked against the programme's catalogue in one statement, stored in
/// one) and its reporting requirements, planned from the call's schedule or else the
/// programme's.
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
        call: src.call_status.effective(&src.closes_at, &now),
        application: src.application_status,
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
    indicators::check_for_grant(tx, src.programme, "indicators", &input.indicators)?;
    grants::set_application_status(tx, id, src.application_version, plan.application, now)?;
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
        // A copy of the application's lines (in the call's currency, as the award's amount),
        // each with an id of its own that amendments keep.
        budget_lines: src
            .budget_lines
            .into_iter()
            .map(|l| BudgetLine {
                id: new_line_id(),
                category: l.category,
                description: l.description,
                amount: l.amount,
            })
            .collect(),
        status: GrantStatus::Active,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    grants::insert(tx, &grant)?;
    seriktes_persistence::indicators::insert_for_grant(tx, grant.id, &input.indicators)?;
    let schedule = src.call_reporting.unwrap_or(src.programme_reporting);
    let planned = reporting::plan_requirements(grant.starts_on, grant.ends_on, &schedule)?;
    let due: Vec<_> = planned
        .iter()
        .map(|p| requirements::generated(grant.id, p, now))
        .collect();
    seriktes_persistence::requirements::insert(tx, &due)?;
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
        format!(
            "awarded {} to application {id}; {} reporting requirements generated",
            plan.amount,
            due.len()
        ),
    )
    .seen_by(audience(&loaded))
    .in_programme(loaded.grant.programme)
    .with_payload(serde_json::json!({
        "application_id": id.to_string(),
        "amount_minor": plan.amount.minor(),
        "indicator_ids": input.indicators.iter().map(|i| i.indicator.to_string()).collect::<Vec<_>>(),
        "reporting_requirements": due.len(),
    }));
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

/// Amends a grant; returns the amendment kept as history. A new period plans the grant's
/// generated reporting requirements again (`requirements::regenerate`).
pub fn amend(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: GrantId,
    input: AmendmentInput<NaiveDate>,
    if_match: Option<i64>,
    now: NaiveDateTime,
) -> Result<grants::Amendment, ApiError> {
    grants::lock(tx, id)?;
    let seen = load_as(tx, actor, id, GrantRight::Manage)?;
    let g = &seen.loaded.grant;
    let reason = input.reason.clone();
    let plan = grant::plan_amendment(g, seen.loaded.committed, input, new_line_id)?;
    let amendment = grants::Amendment {
        id: AmendmentId::from_uuid(uuid::Uuid::now_v7()),
        grant: id,
        reason,
        changes: AmendmentChanges::between(g, &plan),
        actor: Some(actor.user_id()),
        created_at: now,
    };
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
    grants::insert_amendment(tx, &amendment)?;
    let mut event = Event::new("grant.amend", "grant", id, amendment.reason.clone())
        .seen_by(audience(&seen.loaded))
        .in_programme(seen.loaded.grant.programme);
    if (plan.starts_on, plan.ends_on) != (g.starts_on, g.ends_on) {
        let r = requirements::regenerate(tx, id, plan.starts_on, plan.ends_on, now)?;
        event.summary = format!(
            "{}; reporting requirements: {} kept, {} removed, {} added",
            event.summary, r.kept, r.removed, r.added
        );
        event = event.with_payload(serde_json::json!({
            "reporting_requirements": {"kept": r.kept, "removed": r.removed, "added": r.added}
        }));
    }
    events::record(tx, Some(actor), now, event)?;
    Ok(amendment)
}

/// One page of a grant's amendments.
pub fn amendments(
    conn: &mut DbConn,
    actor: &Actor,
    id: GrantId,
    since: Option<NaiveDateTime>,
    page: &PageRequest,
) -> Result<Page<grants::Amendment>, ApiError> {
    let seen = load_as(conn, actor, id, GrantRight::Read)?;
    let currency = seen.loaded.grant.amount.currency();
    Ok(grants::amendments(conn, id, currency, since, page)?)
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

/// A grant as published, with its programme's funders.
#[derive(Debug, Clone)]
pub struct Public {
    /// The grant with its grantee, programme, call and project texts.
    pub grant: grants::Published,
    /// The programme's funders, by organisation.
    pub funders: Vec<ProgrammeFunder>,
}

/// One page of the public grant list (of one programme, if given), with each programme's
/// funders (two statements).
pub fn public(
    conn: &mut DbConn,
    programme: Option<ProgrammeId>,
    page: &PageRequest,
) -> Result<Page<Public>, ApiError> {
    let p = grants::public_page(conn, programme, page)?;
    let mut ids: Vec<ProgrammeId> = p.items.iter().map(|g| g.programme.id).collect();
    ids.sort_unstable();
    ids.dedup();
    let funders = seriktes_persistence::programmes::funders_of(conn, &ids)?;
    Ok(p.map(|grant| Public {
        funders: funders
            .iter()
            .filter(|f| f.programme == grant.programme.id)
            .cloned()
            .collect(),
        grant,
    }))
}
