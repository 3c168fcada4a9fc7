//! Reporting-requirement use cases: list a grant's requirements, read one with the history of
//! its moved due dates, add an ad-hoc one, and move a due date or waive a requirement (the
//! requirement state machine, through [`crate::service::transition`]).
//!
//! The requirements a schedule generates are created by the award and planned again by an
//! amendment of the grant's period (`service::grants`), through [`generated`] and
//! [`regenerate`]. Whether a requirement is overdue is derived on `now`'s date, never stored.

use crate::error::ApiError;
use crate::service::events::Event;
use crate::service::grants::audience;
use crate::service::transition::{Machine, transition};
use chrono::{NaiveDate, NaiveDateTime};
use seriktes_domain::DomainError;
use seriktes_domain::access::requirement::{
    RequirementRight, RequirementRole, requirement as policy,
};
use seriktes_domain::access::{Actor, Role, authorize};
use seriktes_domain::grant::{self, GrantStatus};
use seriktes_domain::ids::{GrantId, RequirementId, RequirementMoveId, UserId};
use seriktes_domain::report::ReportStatus;
use seriktes_domain::reporting::{
    self, PlannedRequirement, RequirementAction, RequirementKind, RequirementStatus,
};
use seriktes_domain::text::LocalizedText;
use seriktes_persistence::DbConn;
use seriktes_persistence::db::Tx;
use seriktes_persistence::grants::{self, Loaded};
use seriktes_persistence::page::{Page, PageRequest};
use seriktes_persistence::requirements::{self, Key, Move, Requirement, RequirementFilter};

/// A requirement as a caller sees it: with its moves, whether it is overdue, and what the
/// caller may do next.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The requirement.
    pub requirement: Requirement,
    /// Its moved due dates, oldest first.
    pub moves: Vec<Move>,
    /// Whether it is overdue today.
    pub overdue: bool,
    /// The caller's role.
    pub role: RequirementRole,
    /// The grant's status (its requirements change only while it is active).
    pub grant_status: GrantStatus,
    /// Its report's status (`due` until the report is first saved).
    pub report_status: ReportStatus,
}

impl Seen {
    fn new(
        (requirement, report): (Requirement, Option<ReportStatus>),
        moves: Vec<Move>,
        role: RequirementRole,
        grant_status: GrantStatus,
        now: NaiveDateTime,
    ) -> Self {
        let report_status = report.unwrap_or(ReportStatus::Due);
        let overdue = reporting::is_overdue(
            requirement.due_on,
            requirement.status,
            report_status.delivered(),
            now.date(),
        );
        Self {
            requirement,
            moves,
            overdue,
            role,
            grant_status,
            report_status,
        }
    }

    /// The actions the caller may take now: none unless they manage the grant and it is
    /// active.
    pub fn allowed_actions(&self) -> Vec<&'static str> {
        if self.role.may(RequirementRight::Manage) && self.grant_status == GrantStatus::Active {
            self.requirement.status.allowed_actions()
        } else {
            Vec::new()
        }
    }
}

/// A requirement planned for `grant` (by the schedule, or an ad-hoc one), open, to store.
pub(crate) fn generated(grant: GrantId, p: &PlannedRequirement, now: NaiveDateTime) -> Requirement {
    Requirement {
        id: RequirementId::from_uuid(uuid::Uuid::now_v7()),
        grant,
        kind: p.kind,
        title: None,
        period_start: p.period_start,
        period_end: p.period_end,
        due_on: p.due_on,
        status: RequirementStatus::Open,
        waived_reason: None,
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

/// What planning a grant's requirements again did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Regenerated {
    /// Requirements whose kind and period stayed.
    pub kept: usize,
    /// Requirements removed.
    pub removed: usize,
    /// Requirements added.
    pub added: usize,
}

/// Plans the generated requirements of a grant whose period is now `starts_on`–`ends_on` again,
/// from its call's schedule or else its programme's: those whose kind and period are planned
/// again stay (with their moved due dates and waivers), the others are replaced; ad-hoc ones
/// stay. Two statements, and one more each for removing and adding when there is any.
pub(crate) fn regenerate(
    tx: &mut Tx<'_>,
    grant: GrantId,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    now: NaiveDateTime,
) -> Result<Regenerated, ApiError> {
    let (call, programme) = requirements::schedules_of(tx, grant)?;
    let planned = reporting::plan_requirements(starts_on, ends_on, &call.unwrap_or(programme))?;
    let existing = requirements::generated_of(tx, grant)?;
    let plan = reporting::plan_regeneration(&existing, planned);
    let removed = requirements::remove(tx, &plan.remove)?;
    let added: Vec<Requirement> = plan.add.iter().map(|p| generated(grant, p, now)).collect();
    requirements::insert(tx, &added)?;
    Ok(Regenerated {
        kept: plan.keep.len(),
        removed,
        added: added.len(),
    })
}

/// Filters of the list.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequirementQuery {
    /// Only this status.
    pub status: Option<RequirementStatus>,
    /// Only overdue requirements, or only those not overdue.
    pub overdue: Option<bool>,
    /// Only requirements changed since.
    pub updated_since: Option<NaiveDateTime>,
}

/// One page of a grant's requirements, by due date then id, with their moves and their
/// reports' statuses (three statements).
pub fn list(
    conn: &mut DbConn,
    actor: &Actor,
    id: GrantId,
    query: RequirementQuery,
    page: &PageRequest,
    now: NaiveDateTime,
) -> Result<Page<Seen>, ApiError> {
    let g = grants::find(conn, id)?;
    let role = authorize(policy(actor, &g.facts), RequirementRight::Read)?;
    let after = page
        .after
        .as_deref()
        .map(|k| {
            Key::parse(k).ok_or_else(|| {
                ApiError::invalid(
                    "cursor",
                    "format",
                    "not a cursor of this list; start again without one",
                )
            })
        })
        .transpose()?;
    let filter = RequirementFilter {
        status: query.status,
        overdue: query.overdue,
        today: now.date(),
        updated_since: query.updated_since,
    };
    let p = requirements::list(conn, id, &filter, after, page.limit)?;
    let ids: Vec<RequirementId> = p.items.iter().map(|(r, _)| r.id).collect();
    let mut moves = requirements::moves_of(conn, &ids)?;
    Ok(p.map(|r| {
        let (mine, rest) = moves.drain(..).partition(|m| m.requirement == r.0.id);
        moves = rest;
        Seen::new(r, mine, role, g.grant.status, now)
    }))
}

/// A requirement with its grant and moves.
#[derive(Debug)]
pub struct WithGrant {
    requirement: Requirement,
    report: Option<ReportStatus>,
    moves: Vec<Move>,
    grant: Loaded,
}

fn load(conn: &mut DbConn, id: RequirementId) -> Result<WithGrant, ApiError> {
    let (requirement, report) = requirements::find_reported(conn, id)?;
    let grant = grants::find(conn, requirement.grant)?;
    let moves = requirements::moves_of(conn, &[id])?;
    Ok(WithGrant {
        requirement,
        report,
        moves,
        grant,
    })
}

/// One requirement with its moves (three statements).
pub fn get(
    conn: &mut DbConn,
    actor: &Actor,
    id: RequirementId,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let w = load(conn, id)?;
    let role = authorize(policy(actor, &w.grant.facts), RequirementRight::Read)?;
    Ok(Seen::new(
        (w.requirement, w.report),
        w.moves,
        role,
        w.grant.grant.status,
        now,
    ))
}

/// An ad-hoc requirement, parsed.
#[derive(Debug, Clone)]
pub struct NewAdHoc {
    /// Title.
    pub title: LocalizedText,
    /// When the report is due.
    pub due_on: NaiveDate,
    /// First day of the period reported on (with `period_end`, or neither).
    pub period_start: Option<NaiveDate>,
    /// Last day of the period reported on.
    pub period_end: Option<NaiveDate>,
}

/// Adds an ad-hoc requirement to an active grant (the programme's managers).
pub fn add(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: GrantId,
    input: NewAdHoc,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let g = grants::find(tx, id)?;
    let role = authorize(policy(actor, &g.facts), RequirementRight::Manage)?;
    grant::check_active(g.grant.status, "given a reporting requirement")?;
    let (period_start, period_end) = reporting::plan_ad_hoc_period(
        g.grant.starts_on,
        g.grant.ends_on,
        input.due_on,
        input.period_start,
        input.period_end,
    )?;
    let planned = PlannedRequirement {
        kind: RequirementKind::AdHoc,
        period_start,
        period_end,
        due_on: input.due_on,
    };
    let r = Requirement {
        title: Some(input.title),
        ..generated(id, &planned, now)
    };
    requirements::insert(tx, std::slice::from_ref(&r))?;
    let event = Event::new(
        "requirement.created",
        "reporting_requirement",
        r.id,
        format!(
            "ad-hoc report for {period_start}–{period_end} due {}",
            r.due_on
        ),
    )
    .seen_by(audience(&g))
    .in_programme(g.grant.programme)
    .with_payload(serde_json::json!({"grant_id": id.to_string(), "due_on": r.due_on}));
    crate::service::events::record(tx, Some(actor), now, event)?;
    Ok(Seen::new((r, None), Vec::new(), role, g.grant.status, now))
}

/// A change the programme's managers make to a requirement.
#[derive(Debug, Clone)]
pub enum Change {
    /// Move the due date, with a reason.
    Reschedule {
        /// The new due date.
        due_on: NaiveDate,
        /// Why (1–500 characters).
        reason: String,
    },
    /// Waive the requirement, with a reason.
    Waive {
        /// Why (1–500 characters).
        reason: String,
    },
}

impl Change {
    /// The state-machine action it takes.
    pub fn action(&self) -> RequirementAction {
        match self {
            Self::Reschedule { .. } => RequirementAction::Reschedule,
            Self::Waive { .. } => RequirementAction::Waive,
        }
    }
}

/// The requirement state machine (reschedule, waive).
#[derive(Debug)]
pub struct RequirementMachine;

impl Machine for RequirementMachine {
    type Id = RequirementId;
    type State = RequirementStatus;
    type Loaded = WithGrant;
    type Output = Seen;
    /// The change and who makes it.
    type Input = (Change, UserId);

    fn load(
        tx: &mut Tx<'_>,
        id: RequirementId,
        _now: NaiveDateTime,
    ) -> Result<WithGrant, ApiError> {
        load(tx, id)
    }

    fn authorize(
        actor: &Actor,
        loaded: &WithGrant,
        _action: RequirementAction,
    ) -> Result<(), DomainError> {
        authorize(policy(actor, &loaded.grant.facts), RequirementRight::Manage).map(|_| ())
    }

    fn state(loaded: &WithGrant, _now: NaiveDateTime) -> RequirementStatus {
        loaded.requirement.status
    }

    fn check(
        loaded: &WithGrant,
        _action: RequirementAction,
        _now: NaiveDateTime,
    ) -> Result<(), DomainError> {
        grant::check_active(
            loaded.grant.grant.status,
            "given changes to its reporting requirements",
        )
    }

    fn store(
        tx: &mut Tx<'_>,
        loaded: WithGrant,
        to: RequirementStatus,
        (change, by): (Change, UserId),
        if_match: Option<i64>,
        now: NaiveDateTime,
    ) -> Result<(Seen, Event), ApiError> {
        let WithGrant {
            requirement: mut r,
            report,
            mut moves,
            grant,
        } = loaded;
        let (kind, summary) = match change {
            Change::Reschedule { due_on, reason } => {
                reporting::check_reschedule(r.due_on, due_on, moves.len())?;
                r.version = requirements::set_due(tx, &r, if_match, due_on, now)?;
                let m = Move {
                    id: RequirementMoveId::from_uuid(uuid::Uuid::now_v7()),
                    requirement: r.id,
                    from_due_on: r.due_on,
                    to_due_on: due_on,
                    reason,
                    actor: Some(by),
                    at: now,
                };
                requirements::insert_move(tx, &m)?;
                let summary = format!("due {} → {due_on}: {}", r.due_on, m.reason);
                r.due_on = due_on;
                moves.push(m);
                ("requirement.rescheduled", summary)
            }
            Change::Waive { reason } => {
                r.version = requirements::waive(tx, &r, if_match, &reason, now)?;
                let summary = format!("waived: {reason}");
                r.waived_reason = Some(reason);
                ("requirement.waived", summary)
            }
        };
        r.status = to;
        r.updated_at = now;
        let event = Event::new(kind, "reporting_requirement", r.id, summary)
            .seen_by(audience(&grant))
            .in_programme(grant.grant.programme)
            .with_payload(serde_json::json!({
                "grant_id": r.grant.to_string(), "status": r.status.as_str(), "due_on": r.due_on
            }));
        let seen = Seen::new(
            (r, report),
            moves,
            RequirementRole::Manager,
            grant.grant.status,
            now,
        );
        Ok((seen, event))
    }
}

/// Moves a requirement's due date or waives it (the programme's managers, while the grant is
/// active); a move is kept as history with who made it.
pub fn act(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: RequirementId,
    change: Change,
    if_match: Option<i64>,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let action = change.action();
    let input = (change, actor.user_id());
    transition::<RequirementMachine>(tx, actor, id, action, input, if_match, now)
}
