//! Wire types of reporting requirements.

use crate::response::utc;
use crate::service::requirements::{Change, NewAdHoc, RequirementQuery, Seen};
use crate::wire::ser;
use crate::wire::{
    CalendarDate, RequirementKind as WireKind, RequirementStatus as WireStatus, RequirementTitle,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use seriktes_domain::reporting::MAX_REASON_CHARS;
use seriktes_domain::user::parse_line;
use seriktes_domain::{DomainError, Validator};
use seriktes_persistence::requirements::Move;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A reporting requirement: what a grant must report on, and when.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-e300-7000-8000-000000000001", "grant_id": "0193a0c4-e000-7000-8000-000000000001",
    "kind": "periodic", "title": null,
    "period_start": "2026-04-01", "period_end": "2026-06-30", "due_on": "2026-08-14",
    "status": "open", "waived_reason": null, "overdue": false, "report_status": "draft",
    "moves": [{"id": "0193a0c4-e400-7000-8000-000000000001", "from_due_on": "2026-07-30", "to_due_on": "2026-08-14",
        "reason": "The project director is on leave until August", "actor_id": "0193a0c4-7c1e-7d4a-9a51-3f7e2b8c9d10",
        "at": "2026-07-20T09:00:00Z"}],
    "allowed_actions": ["reschedule", "waive"],
    "created_at": "2026-03-20T09:00:00Z", "updated_at": "2026-07-20T09:00:00Z"
}))]
pub struct RequirementResponse {
    /// Id.
    pub id: Uuid,
    /// The grant.
    pub grant_id: Uuid,
    /// What kind of report: one period of the schedule, the final report, or an ad-hoc one.
    pub kind: WireKind,
    /// Title (ad-hoc requirements; `null` for generated ones, named by kind and period).
    pub title: Option<RequirementTitle>,
    /// First day of the period reported on.
    #[serde(serialize_with = "ser::date")]
    pub period_start: NaiveDate,
    /// Last day of the period reported on.
    #[serde(serialize_with = "ser::date")]
    pub period_end: NaiveDate,
    /// When the report is due.
    #[serde(serialize_with = "ser::date")]
    pub due_on: NaiveDate,
    /// Status.
    pub status: WireStatus,
    /// Why it was waived.
    pub waived_reason: Option<String>,
    /// Whether it is overdue today (UTC): open, its due date has passed, and its report was
    /// not delivered (submitted or accepted). Derived, never stored.
    pub overdue: bool,
    /// Its report's status: `due` until the report is first saved, then `draft`, `submitted`,
    /// `accepted` or `revision_requested`.
    #[schema(value_type = String, example = "draft")]
    pub report_status: &'static str,
    /// Every move of the due date, oldest first.
    pub moves: Vec<RequirementMoveResponse>,
    /// Actions the caller may take now (none unless they manage the grant and it is active).
    #[schema(value_type = Vec<String>)]
    pub allowed_actions: Vec<&'static str>,
    /// When created.
    #[serde(serialize_with = "ser::timestamp")]
    pub created_at: DateTime<Utc>,
    /// When last changed.
    #[serde(serialize_with = "ser::timestamp")]
    pub updated_at: DateTime<Utc>,
}

/// A move of a due date.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a0c4-e400-7000-8000-000000000001", "from_due_on": "2026-07-30", "to_due_on": "2026-08-14",
    "reason": "The project director is on leave until August", "actor_id": "0193a0c4-7c1e-7d4a-9a51-3f7e2b8c9d10",
    "at": "2026-07-20T09:00:00Z"}))]
pub struct RequirementMoveResponse {
    /// Id.
    pub id: Uuid,
    /// The due date before.
    #[serde(serialize_with = "ser::date")]
    pub from_due_on: NaiveDate,
    /// The due date after.
    #[serde(serialize_with = "ser::date")]
    pub to_due_on: NaiveDate,
    /// Why.
    pub reason: String,
    /// Who moved it.
    pub actor_id: Option<Uuid>,
    /// When.
    #[serde(serialize_with = "ser::timestamp")]
    pub at: DateTime<Utc>,
}

/// An ad-hoc requirement (a milestone report on a date).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": {"en": "Report on the public hearing in Shymkent"}, "due_on": "2026-09-15",
    "period_start": "2026-06-01", "period_end": "2026-08-31"}))]
pub struct CreateRequirementRequest {
    /// Title in one or more languages.
    pub title: RequirementTitle,
    /// When the report is due.
    pub due_on: CalendarDate,
    /// First day of the period reported on, within the grant's period (with `period_end`, or
    /// neither: then from the grant's first day to the due date, within the grant's period).
    pub period_start: Option<CalendarDate>,
    /// Last day of the period reported on, not before `period_start`, within the grant's
    /// period.
    pub period_end: Option<CalendarDate>,
}

/// A new due date and why.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"due_on": "2026-08-14", "reason": "The project director is on leave until August"}))]
pub struct RescheduleRequest {
    /// The new due date (another day than the current one).
    pub due_on: CalendarDate,
    /// Why (1–500 characters; kept in the requirement's history).
    pub reason: String,
}

/// Why a requirement is waived.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Covered by the interim report"}))]
pub struct WaiveRequest {
    /// Why (1–500 characters).
    pub reason: String,
}

/// Filters of a grant's requirement list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequirementListParams {
    /// Only this status.
    pub status: Option<WireStatus>,
    /// Only overdue requirements (`true`), or only those not overdue (`false`).
    pub overdue: Option<bool>,
    /// Only requirements changed at or after this time (RFC 3339).
    pub updated_since: Option<crate::wire::Timestamp>,
}

impl From<RequirementListParams> for RequirementQuery {
    fn from(p: RequirementListParams) -> Self {
        Self {
            status: p.status.map(Into::into),
            overdue: p.overdue,
            updated_since: p.updated_since.map(crate::wire::Timestamp::get),
        }
    }
}

impl From<Move> for RequirementMoveResponse {
    fn from(m: Move) -> Self {
        Self {
            id: m.id.uuid(),
            from_due_on: m.from_due_on,
            to_due_on: m.to_due_on,
            reason: m.reason,
            actor_id: m.actor.map(|a| a.uuid()),
            at: utc(m.at),
        }
    }
}

impl From<Seen> for RequirementResponse {
    fn from(s: Seen) -> Self {
        let allowed_actions = s.allowed_actions();
        let r = s.requirement;
        Self {
            id: r.id.uuid(),
            grant_id: r.grant.uuid(),
            kind: r.kind.into(),
            title: r.title.map(Into::into),
            period_start: r.period_start,
            period_end: r.period_end,
            due_on: r.due_on,
            status: r.status.into(),
            waived_reason: r.waived_reason,
            overdue: s.overdue,
            report_status: s.report_status.as_str(),
            moves: s.moves.into_iter().map(Into::into).collect(),
            allowed_actions,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
        }
    }
}

impl TryFrom<CreateRequirementRequest> for NewAdHoc {
    type Error = DomainError;
    fn try_from(r: CreateRequirementRequest) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        let title = v.check("title", r.title.parse());
        v.finish()?;
        Ok(Self {
            title: title.ok_or_else(|| {
                seriktes_domain::FieldError::new("title", "required", "a title is required")
            })?,
            due_on: r.due_on.get(),
            period_start: r.period_start.map(CalendarDate::get),
            period_end: r.period_end.map(CalendarDate::get),
        })
    }
}

/// The reason of a move or waiver, checked: 1–500 characters, no control characters.
fn reason(raw: &str) -> Result<String, DomainError> {
    let mut v = Validator::new();
    let reason = v.check("reason", parse_line(raw, MAX_REASON_CHARS));
    v.finish_with(reason)
}

impl TryFrom<RescheduleRequest> for Change {
    type Error = DomainError;
    fn try_from(r: RescheduleRequest) -> Result<Self, DomainError> {
        Ok(Self::Reschedule {
            due_on: r.due_on.get(),
            reason: reason(&r.reason)?,
        })
    }
}

impl TryFrom<WaiveRequest> for Change {
    type Error = DomainError;
    fn try_from(r: WaiveRequest) -> Result<Self, DomainError> {
        Ok(Self::Waive {
            reason: reason(&r.reason)?,
        })
    }
}
