//! Tranche use cases: plan, list, and the tranche state machine (approve, pay, cancel).

use crate::error::ApiError;
use crate::service::events::{self, Event};
use crate::service::grants::audience;
use crate::service::transition::{Machine, transition};
use chrono::{NaiveDate, NaiveDateTime};
use seriktes_domain::access::grant::{GrantFacts, GrantRight, GrantRole, grant as policy};
use seriktes_domain::access::{Actor, authorize};
use seriktes_domain::grant::{self, DisbursementAction, DisbursementStatus};
use seriktes_domain::ids::{DisbursementId, GrantId, RequirementId};
use seriktes_domain::money::Money;
use seriktes_domain::report::{self, ReportStatus};
use seriktes_domain::{DomainError, FieldError};
use seriktes_persistence::db::Tx;
use seriktes_persistence::grants::{self, Disbursement, Loaded};
use seriktes_persistence::page::{Page, PageRequest};
use seriktes_persistence::reports;
use seriktes_persistence::{DbConn, StoreError};

/// A tranche as a caller sees it.
#[derive(Debug, Clone)]
pub struct Tranche {
    /// The tranche.
    pub disbursement: Disbursement,
    /// The caller's role.
    pub role: GrantRole,
    /// The grant's access facts (the caller's role is decided from them, without a re-read).
    pub facts: GrantFacts,
}

fn tranche(disbursement: Disbursement, role: GrantRole, facts: GrantFacts) -> Tranche {
    Tranche {
        disbursement,
        role,
        facts,
    }
}

fn load_grant(conn: &mut DbConn, id: GrantId) -> Result<Loaded, ApiError> {
    match grants::find(conn, id) {
        Err(StoreError::NotFound) => Err(ApiError::NotFound),
        other => Ok(other?),
    }
}

/// A new tranche, parsed.
#[derive(Debug, Clone)]
pub struct NewTranche {
    /// Amount.
    pub amount: Money,
    /// Planned payment date.
    pub planned_on: NaiveDate,
    /// Condition for payment.
    pub condition: Option<String>,
    /// The requirement whose report must be accepted first.
    pub requirement: Option<RequirementId>,
}

/// Plans a tranche of an active grant; tranches never add up to more than the grant.
pub fn plan(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: GrantId,
    input: NewTranche,
    now: NaiveDateTime,
) -> Result<Tranche, ApiError> {
    grants::lock(tx, id)?;
    let g = load_grant(tx, id)?;
    let role = authorize(policy(actor, &g.facts), GrantRight::Manage)?;
    grant::check_tranche(g.grant.status, g.grant.amount, g.committed, input.amount)?;
    if let Some(r) = input.requirement {
        let of_grant = match reports::requirement_report(tx, r) {
            Ok((grant, _)) => grant == id,
            Err(StoreError::NotFound) => false,
            Err(e) => return Err(e.into()),
        };
        if !of_grant {
            return Err(DomainError::from(FieldError::new(
                "requirement_id",
                "not_found",
                "not a reporting requirement of this grant",
            ))
            .into());
        }
    }
    let d = Disbursement {
        id: DisbursementId::from_uuid(uuid::Uuid::now_v7()),
        grant: id,
        amount: input.amount,
        planned_on: input.planned_on,
        condition: input.condition,
        requirement: input.requirement,
        status: DisbursementStatus::Planned,
        paid_on: None,
        payment_reference: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    grants::insert_disbursement(tx, &d)?;
    let event = Event::new(
        "disbursement.create",
        "grant",
        id,
        format!("planned {} on {}", input.amount, input.planned_on),
    )
    .seen_by(audience(&g))
    .in_programme(g.grant.programme);
    events::record(tx, Some(actor), now, event)?;
    Ok(tranche(d, role, g.facts))
}

/// One page of a grant's tranches.
pub fn list(
    conn: &mut DbConn,
    actor: &Actor,
    id: GrantId,
    since: Option<NaiveDateTime>,
    page: &PageRequest,
) -> Result<Page<Tranche>, ApiError> {
    let g = load_grant(conn, id)?;
    let role = authorize(policy(actor, &g.facts), GrantRight::Read)?;
    let p = grants::disbursements_of(conn, id, g.grant.amount.currency(), since, page)?;
    let items = p
        .items
        .into_iter()
        .map(|d| tranche(d, role, g.facts.clone()))
        .collect();
    Ok(Page {
        items,
        next_after: p.next_after,
    })
}

/// The tranche state machine.
#[derive(Debug)]
pub struct DisbursementMachine;

/// A tranche with its grant.
#[derive(Debug)]
pub struct WithGrant {
    disbursement: Disbursement,
    grant: Loaded,
    role: Option<GrantRole>,
    /// The status of the report the tranche waits for (`None`: none saved yet).
    report: Option<ReportStatus>,
}

impl Machine for DisbursementMachine {
    type Id = DisbursementId;
    type State = DisbursementStatus;
    type Loaded = WithGrant;
    type Output = Tranche;
    type Input = Option<(NaiveDate, String)>;

    fn load(
        tx: &mut Tx<'_>,
        id: DisbursementId,
        _now: NaiveDateTime,
    ) -> Result<WithGrant, ApiError> {
        let disbursement = match grants::find_disbursement(tx, id) {
            Err(StoreError::NotFound) => return Err(ApiError::NotFound),
            other => other?,
        };
        let grant = load_grant(tx, disbursement.grant)?;
        let report = match disbursement.requirement {
            Some(r) => reports::requirement_report(tx, r)?.1,
            None => None,
        };
        Ok(WithGrant {
            disbursement,
            grant,
            role: None,
            report,
        })
    }

    fn authorize(
        actor: &Actor,
        loaded: &WithGrant,
        action: DisbursementAction,
    ) -> Result<(), DomainError> {
        let right = if action == DisbursementAction::Pay {
            GrantRight::Pay
        } else {
            GrantRight::Manage
        };
        authorize(policy(actor, &loaded.grant.facts), right).map(|_| ())
    }

    fn state(loaded: &WithGrant, _now: NaiveDateTime) -> DisbursementStatus {
        loaded.disbursement.status
    }

    fn check(
        loaded: &WithGrant,
        action: DisbursementAction,
        _now: NaiveDateTime,
    ) -> Result<(), DomainError> {
        if action == DisbursementAction::Pay {
            grant::check_active(loaded.grant.grant.status, "paid a tranche")?;
        }
        Ok(())
    }

    fn store(
        tx: &mut Tx<'_>,
        loaded: WithGrant,
        to: DisbursementStatus,
        payment: Option<(NaiveDate, String)>,
        if_match: Option<i64>,
        now: NaiveDateTime,
    ) -> Result<(Tranche, Event), ApiError> {
        let WithGrant {
            disbursement: mut d,
            grant,
            role,
            report,
        } = loaded;
        if matches!(to, DisbursementStatus::Approved | DisbursementStatus::Paid) {
            report::check_tranche_report(d.requirement, report)
                .map_err(ApiError::ReportNotAccepted)?;
        }
        let paid = payment.clone();
        d.version = grants::set_disbursement_status(tx, &d, if_match, to, payment, now)?;
        if let Some((paid_on, reference)) = paid {
            d.paid_on = Some(paid_on);
            d.payment_reference = Some(reference);
        }
        d.status = to;
        d.updated_at = now;
        let event = Event::new(
            format!("disbursement.{}", to.as_str()),
            "grant",
            grant.grant.id,
            format!("tranche {}: → {}", d.id, to.as_str()),
        )
        .seen_by(audience(&grant))
        .in_programme(grant.grant.programme);
        let t = tranche(d, role.unwrap_or(GrantRole::Reader), grant.facts);
        Ok((t, event))
    }
}

/// Moves a tranche; a payment also records its date and reference.
pub fn act(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: DisbursementId,
    action: DisbursementAction,
    payment: Option<(NaiveDate, String)>,
    if_match: Option<i64>,
    now: NaiveDateTime,
) -> Result<Tranche, ApiError> {
    let mut t = transition::<DisbursementMachine>(tx, actor, id, action, payment, if_match, now)?;
    // The role shown is the caller's, decided from the facts loaded for the move.
    t.role = policy(actor, &t.facts).unwrap_or(GrantRole::Reader);
    Ok(t)
}
