//! The wire forms of applications and their conversion to and from the domain.

use crate::response::utc;
use crate::wire::{ApplicationStatus as WireStatus, ApplicationSummary, ApplicationTitle, Money};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use seriktes_domain::access::Role;
use seriktes_domain::access::application::{ApplicationRight, ApplicationRole};
use seriktes_domain::application::{
    AmountInput, Application, ApplicationStatus, DraftInput, LineInput,
};
use seriktes_domain::ids::{CallId, OrganizationId};
use seriktes_persistence::applications::ListFilter;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// One line of an application's budget.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"category": "staff", "description": "Project coordinator, 12 months", "amount": {"amount": "2400.00", "currency": "EUR"}}))]
pub struct BudgetLine {
    /// Category, e.g. `staff`, `travel`, `events`, `equipment`, `communication`, `other`.
    pub category: String,
    /// What the money pays for.
    pub description: String,
    /// The amount, in the call's currency.
    pub amount: Money,
}

/// An application.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-c000-7000-8000-000000000001", "call_id": "0193a0c4-b000-7000-8000-000000000001",
    "applicant_organization_id": "0193a0c4-8000-7000-8000-000000000001",
    "title": {"en": "Legal aid for rural women"}, "summary": {"en": "Mobile legal clinics in three districts."},
    "requested": {"amount": "3846.00", "currency": "EUR"}, "duration_months": 12,
    "regions": ["KZ-61"], "target_groups": ["rural women"],
    "budget_lines": [{"category": "staff", "description": "Lawyer", "amount": {"amount": "3846.00", "currency": "EUR"}}],
    "partner_organization_ids": [], "status": "draft", "allowed_actions": ["submit", "withdraw"],
    "submitted_at": null, "created_at": "2026-02-10T09:00:00Z", "updated_at": "2026-02-10T09:00:00Z"
}))]
pub struct ApplicationResponse {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// The call.
    #[schema(format = Uuid)]
    pub call_id: String,
    /// The applying organisation.
    #[schema(format = Uuid)]
    pub applicant_organization_id: String,
    /// Title.
    pub title: ApplicationTitle,
    /// Summary.
    pub summary: ApplicationSummary,
    /// Amount requested.
    pub requested: Money,
    /// Project duration, months.
    pub duration_months: i32,
    /// Regions the project works in.
    pub regions: Vec<String>,
    /// Target groups.
    pub target_groups: Vec<String>,
    /// Budget lines; they must add up to `requested` to submit.
    pub budget_lines: Vec<BudgetLine>,
    /// Partner organisations.
    pub partner_organization_ids: Vec<String>,
    /// Status.
    pub status: WireStatus,
    /// What the caller may do now (`submit`, `withdraw`).
    pub allowed_actions: Vec<String>,
    /// When submitted.
    pub submitted_at: Option<DateTime<Utc>>,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

/// A new application (a draft).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "applicant_organization_id": "0193a0c4-8000-7000-8000-000000000001",
    "title": {"en": "Legal aid for rural women"}, "summary": {"en": "Mobile legal clinics in three districts."},
    "requested": {"amount": "3846.00", "currency": "EUR"}, "duration_months": 12,
    "regions": ["KZ-61"], "target_groups": ["rural women"],
    "budget_lines": [{"category": "staff", "description": "Lawyer", "amount": {"amount": "3846.00", "currency": "EUR"}}]
}))]
pub struct CreateApplicationRequest {
    /// The applying organisation; the caller must own or manage it.
    pub applicant_organization_id: Uuid,
    /// Title.
    pub title: ApplicationTitle,
    /// Summary.
    pub summary: ApplicationSummary,
    /// Amount requested, in the call's currency.
    pub requested: Money,
    /// Project duration, months.
    pub duration_months: i32,
    /// Regions the project works in.
    pub regions: Option<Vec<String>>,
    /// Target groups.
    pub target_groups: Option<Vec<String>>,
    /// Budget lines.
    pub budget_lines: Option<Vec<BudgetLine>>,
    /// Partner organisations.
    pub partner_organization_ids: Option<Vec<Uuid>>,
}

/// Changes to a draft application; absent fields stay, lists are replaced.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"duration_months": 12}))]
pub struct UpdateApplicationRequest {
    /// New title.
    pub title: Option<ApplicationTitle>,
    /// New summary.
    pub summary: Option<ApplicationSummary>,
    /// New amount.
    pub requested: Option<Money>,
    /// New duration.
    pub duration_months: Option<i32>,
    /// New regions.
    pub regions: Option<Vec<String>>,
    /// New target groups.
    pub target_groups: Option<Vec<String>>,
    /// New budget lines.
    pub budget_lines: Option<Vec<BudgetLine>>,
    /// New partners.
    pub partner_organization_ids: Option<Vec<Uuid>>,
}

/// Filters of the application list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApplicationListParams {
    /// Only applications to this call.
    pub call_id: Option<Uuid>,
    /// Only this applicant.
    pub applicant_organization_id: Option<Uuid>,
    /// Only this status.
    pub status: Option<WireStatus>,
    /// Only applications changed at or after this time (RFC 3339).
    pub updated_since: Option<crate::wire::Timestamp>,
}

fn amount_in(m: Money) -> AmountInput {
    AmountInput {
        amount: m.amount,
        currency: m.currency,
    }
}

fn lines_in(lines: Vec<BudgetLine>) -> Vec<LineInput> {
    lines
        .into_iter()
        .map(|l| LineInput {
            category: l.category,
            description: l.description,
            amount: amount_in(l.amount),
        })
        .collect()
}

fn orgs(ids: Vec<Uuid>) -> Vec<OrganizationId> {
    ids.into_iter().map(OrganizationId::from_uuid).collect()
}

impl CreateApplicationRequest {
    /// The applicant and the draft's fields as the caller wrote them.
    pub fn into_input(self) -> (OrganizationId, DraftInput) {
        let input = DraftInput {
            title: self.title.0,
            summary: self.summary.0,
            requested: amount_in(self.requested),
            duration_months: self.duration_months,
            regions: self.regions.unwrap_or_default(),
            target_groups: self.target_groups.unwrap_or_default(),
            budget_lines: lines_in(self.budget_lines.unwrap_or_default()),
            partners: orgs(self.partner_organization_ids.unwrap_or_default()),
        };
        (
            OrganizationId::from_uuid(self.applicant_organization_id),
            input,
        )
    }
}

impl UpdateApplicationRequest {
    /// Replaces the fields this change names.
    pub fn apply(self, mut d: DraftInput) -> DraftInput {
        if let Some(t) = self.title {
            d.title = t.0;
        }
        if let Some(s) = self.summary {
            d.summary = s.0;
        }
        if let Some(r) = self.requested {
            d.requested = amount_in(r);
        }
        d.duration_months = self.duration_months.unwrap_or(d.duration_months);
        d.regions = self.regions.unwrap_or(d.regions);
        d.target_groups = self.target_groups.unwrap_or(d.target_groups);
        if let Some(l) = self.budget_lines {
            d.budget_lines = lines_in(l);
        }
        if let Some(p) = self.partner_organization_ids {
            d.partners = orgs(p);
        }
        d
    }
}

impl From<ApplicationListParams> for ListFilter {
    fn from(f: ApplicationListParams) -> Self {
        Self {
            call: f.call_id.map(CallId::from_uuid),
            applicant: f.applicant_organization_id.map(OrganizationId::from_uuid),
            status: f.status.map(ApplicationStatus::from),
            updated_since: f.updated_since.map(crate::wire::Timestamp::get),
        }
    }
}

impl From<(Application<NaiveDateTime>, ApplicationRole)> for ApplicationResponse {
    fn from((a, role): (Application<NaiveDateTime>, ApplicationRole)) -> Self {
        let allowed_actions = if role.may(ApplicationRight::Apply) {
            a.status
                .allowed_actions()
                .into_iter()
                .filter(|x| matches!(*x, "submit" | "withdraw"))
                .map(str::to_owned)
                .collect()
        } else {
            Vec::new()
        };
        let d = a.draft;
        let money = |m: seriktes_domain::money::Money| Money::from_minor(m.minor(), m.currency());
        Self {
            id: a.id.to_string(),
            call_id: a.call.to_string(),
            applicant_organization_id: a.applicant.to_string(),
            title: d.title.into(),
            summary: d.summary.into(),
            requested: money(d.requested),
            duration_months: d.duration_months,
            regions: d.regions,
            target_groups: d.target_groups,
            budget_lines: d
                .budget_lines
                .into_iter()
                .map(|l| BudgetLine {
                    category: l.category,
                    description: l.description,
                    amount: money(l.amount),
                })
                .collect(),
            partner_organization_ids: d.partners.iter().map(ToString::to_string).collect(),
            status: a.status.into(),
            allowed_actions,
            submitted_at: a.submitted_at.map(utc),
            created_at: utc(a.created_at),
            updated_at: utc(a.updated_at),
        }
    }
}
