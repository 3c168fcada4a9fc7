//! Wire types of the programme endpoints and their conversions to and from the domain.

use crate::service::programmes::{NewProgramme, Programme, ProgrammePatch, ProgrammeQuery};
use crate::wire::{
    Money, OrganizationName, ProgrammeDescription, ProgrammeStatus as WireStatus, ProgrammeTitle,
    ReportSection, ReportingSchedule, report_sections, report_template,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use seriktes_domain::geo::{MAX_REGIONS, RegionCode};
use seriktes_domain::ids::OrganizationId;
use seriktes_domain::organization::parse_themes;
use seriktes_domain::programme::{Funder, MAX_FUNDERS, ProgrammeInput, check_programme_parts};
use seriktes_domain::{DomainError, Validator};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A funder's commitment to a programme.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"organization_id": "0193a0c4-8000-7000-8000-0000000000e1", "committed": {"amount": "60000.00", "currency": "EUR"}}))]
pub struct FunderInput {
    /// The funding organisation.
    pub organization_id: Uuid,
    /// The amount it commits, in the programme's currency.
    pub committed: Money,
}

/// A funder as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"organization_id": "0193a0c4-8000-7000-8000-0000000000e1",
    "organization_name": {"en": "EU Delegation"}, "committed": {"amount": "60000.00", "currency": "EUR"}}))]
pub struct FunderResponse {
    /// The funding organisation.
    #[schema(format = Uuid)]
    pub organization_id: String,
    /// Its name.
    pub organization_name: OrganizationName,
    /// The amount it commits.
    pub committed: Money,
}

/// A programme.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-a000-7000-8000-000000000001",
    "title": {"en": "Empowering South Kazakhstan CSOs to Promote Human Rights Reforms"},
    "description": null,
    "managing_organization_id": "0193a0c4-8000-7000-8000-000000000002",
    "budget": {"amount": "65382.00", "currency": "EUR"},
    "starts_on": "2026-01-01", "ends_on": "2027-12-31",
    "regions": ["KZ-61", "KZ-31", "KZ-43", "KZ-79"], "themes": ["human_rights"],
    "funders": [{"organization_id": "0193a0c4-8000-7000-8000-0000000000e1", "organization_name": {"en": "EU Delegation"},
        "committed": {"amount": "60000.00", "currency": "EUR"}}],
    "reporting": {"frequency": "quarterly", "final_report": true, "due_days": 30},
    "status": "active", "allowed_actions": ["close"],
    "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:00:00Z"
}))]
pub struct ProgrammeResponse {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// Title.
    pub title: ProgrammeTitle,
    /// Description.
    pub description: Option<ProgrammeDescription>,
    /// The organisation that runs the programme.
    #[schema(format = Uuid)]
    pub managing_organization_id: String,
    /// Total budget; its currency is the programme's currency.
    pub budget: Money,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// ISO 3166-2 regions covered.
    pub regions: Vec<String>,
    /// Theme tags.
    pub themes: Vec<String>,
    /// Funders and their commitments.
    pub funders: Vec<FunderResponse>,
    /// The reporting schedule of its grants, unless their call states its own.
    pub reporting: ReportingSchedule,
    /// The narrative sections of its grants' reports, in order.
    pub report_template: Vec<ReportSection>,
    /// `draft`, `active` or `closed`.
    pub status: WireStatus,
    /// Actions allowed now (`activate`, `close`).
    pub allowed_actions: Vec<String>,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

/// A new programme (in `draft`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": {"en": "Empowering South Kazakhstan CSOs to Promote Human Rights Reforms"},
    "managing_organization_id": "0193a0c4-8000-7000-8000-000000000002",
    "budget": {"amount": "65382.00", "currency": "EUR"},
    "starts_on": "2026-01-01", "ends_on": "2027-12-31",
    "regions": ["KZ-61", "KZ-31", "KZ-43", "KZ-79"], "themes": ["human_rights"],
    "funders": [{"organization_id": "0193a0c4-8000-7000-8000-0000000000e1", "committed": {"amount": "60000.00", "currency": "EUR"}}],
    "reporting": {"frequency": "quarterly", "final_report": true, "due_days": 30}
}))]
pub struct CreateProgrammeRequest {
    /// Title in one or more languages.
    pub title: ProgrammeTitle,
    /// Description in one or more languages.
    pub description: Option<ProgrammeDescription>,
    /// The organisation that runs it; the caller must own or manage it (or be an admin).
    pub managing_organization_id: Uuid,
    /// Total budget; sets the programme's currency.
    pub budget: Money,
    /// First day.
    pub starts_on: crate::wire::CalendarDate,
    /// Last day (not before `starts_on`).
    pub ends_on: crate::wire::CalendarDate,
    /// ISO 3166-2 regions covered.
    pub regions: Option<Vec<String>>,
    /// Theme tags.
    pub themes: Option<Vec<String>>,
    /// Funders; their commitments may not exceed the budget.
    pub funders: Option<Vec<FunderInput>>,
    /// The reporting schedule of its grants (a call may state its own); default: quarterly,
    /// a final report, due 30 days after a period's end.
    pub reporting: Option<ReportingSchedule>,
    /// The narrative sections of its grants' reports (1 to 20, each key once); default:
    /// `activities` and `results` (required), `challenges` and `next_steps`.
    pub report_template: Option<Vec<ReportSection>>,
}

/// Changes to a programme; absent fields stay, lists are replaced. Closed programmes are final.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ends_on": "2028-06-30"}))]
pub struct UpdateProgrammeRequest {
    /// New title.
    pub title: Option<ProgrammeTitle>,
    /// New description, or `null`.
    #[serde(default, deserialize_with = "crate::wire::double_option")]
    #[schema(value_type = Option<ProgrammeDescription>)]
    pub description: Option<Option<ProgrammeDescription>>,
    /// New budget (same currency unless no call exists yet).
    pub budget: Option<Money>,
    /// New first day.
    pub starts_on: Option<crate::wire::CalendarDate>,
    /// New last day.
    pub ends_on: Option<crate::wire::CalendarDate>,
    /// New regions.
    pub regions: Option<Vec<String>>,
    /// New themes.
    pub themes: Option<Vec<String>>,
    /// New funders.
    pub funders: Option<Vec<FunderInput>>,
    /// New reporting schedule, for grants awarded from now on (and amendments of their
    /// period).
    pub reporting: Option<ReportingSchedule>,
    /// New report template, replacing the sections. Once a report of the programme is saved,
    /// sections may only be added, as optional ones (409 otherwise).
    pub report_template: Option<Vec<ReportSection>>,
}

/// Filters of the programme list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgrammeListParams {
    /// Only this status.
    pub status: Option<WireStatus>,
    /// Only programmes run by this organisation.
    pub managing_organization_id: Option<Uuid>,
    /// Only programmes this organisation funds.
    pub funder_organization_id: Option<Uuid>,
    /// Only programmes changed at or after this time (RFC 3339).
    pub updated_since: Option<crate::wire::Timestamp>,
}

/// Region codes parsed and without repeats.
fn regions(v: &mut Validator, raw: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let within = v.max_items("regions", raw.len(), MAX_REGIONS);
    for (i, r) in raw.iter().enumerate().filter(|_| within) {
        if let Some(r) = v.check(&format!("regions.{i}"), RegionCode::parse(r))
            && !out.iter().any(|x| x == r.as_str())
        {
            out.push(r.as_str().to_owned());
        }
    }
    out
}

fn funders(v: &mut Validator, raw: &[FunderInput]) -> Vec<Funder> {
    let within = v.max_items("funders", raw.len(), MAX_FUNDERS);
    raw.iter()
        .enumerate()
        .filter(|_| within)
        .filter_map(|(i, f)| {
            let committed = v.check(&format!("funders.{i}.committed"), f.committed.parse())?;
            Some(Funder {
                organization: OrganizationId::from_uuid(f.organization_id),
                committed,
            })
        })
        .collect()
}

impl TryFrom<CreateProgrammeRequest> for NewProgramme {
    type Error = DomainError;

    fn try_from(r: CreateProgrammeRequest) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        let title = v.check("title", r.title.parse());
        let description = v.check_opt("description", r.description, ProgrammeDescription::parse);
        let budget = v.check("budget", r.budget.parse());
        let regions = regions(&mut v, &r.regions.unwrap_or_default());
        let themes = v.check("themes", parse_themes(&r.themes.unwrap_or_default()));
        let funders = funders(&mut v, &r.funders.unwrap_or_default());
        let reporting = v.check_opt("reporting", r.reporting, ReportingSchedule::parse);
        let template = v.check_opt("report_template", r.report_template, report_template);
        if let Some(budget) = &budget
            && let Err(DomainError::Invalid(broken)) =
                check_programme_parts(budget, &r.starts_on.get(), &r.ends_on.get(), &funders)
        {
            broken.into_iter().for_each(|e| v.push(e));
        }
        let input = (|| {
            Some(ProgrammeInput {
                title: title?,
                description: description?,
                budget: budget?,
                starts_on: r.starts_on.get(),
                ends_on: r.ends_on.get(),
                regions,
                themes: themes?,
                funders,
                reporting: reporting?.unwrap_or_default(),
                report_template: template?.unwrap_or_default(),
            })
        })();
        Ok(Self {
            managing: OrganizationId::from_uuid(r.managing_organization_id),
            input: v.finish_with(input)?,
        })
    }
}

impl TryFrom<UpdateProgrammeRequest> for ProgrammePatch {
    type Error = DomainError;

    fn try_from(r: UpdateProgrammeRequest) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        let title = r.title.map(|t| v.check("title", t.parse()));
        let description = r
            .description
            .map(|d| v.check_opt("description", d, ProgrammeDescription::parse));
        let budget = r.budget.map(|b| v.check("budget", b.parse()));
        let regions = r.regions.map(|x| regions(&mut v, &x));
        let themes = r.themes.map(|t| v.check("themes", parse_themes(&t)));
        let funders = r.funders.map(|f| funders(&mut v, &f));
        let reporting = v
            .check_opt("reporting", r.reporting, ReportingSchedule::parse)
            .flatten();
        let report_template = v
            .check_opt("report_template", r.report_template, report_template)
            .flatten();
        v.finish()?;
        Ok(Self {
            title: title.flatten(),
            description: description.flatten(),
            budget: budget.flatten(),
            starts_on: r.starts_on.map(crate::wire::CalendarDate::get),
            ends_on: r.ends_on.map(crate::wire::CalendarDate::get),
            regions,
            themes: themes.flatten(),
            funders,
            reporting,
            report_template,
        })
    }
}

impl From<ProgrammeListParams> for ProgrammeQuery {
    fn from(f: ProgrammeListParams) -> Self {
        Self {
            status: f.status.map(Into::into),
            managing: f.managing_organization_id.map(OrganizationId::from_uuid),
            funder: f.funder_organization_id.map(OrganizationId::from_uuid),
            updated_since: f.updated_since.map(crate::wire::Timestamp::get),
        }
    }
}

impl From<Programme> for ProgrammeResponse {
    fn from(p: Programme) -> Self {
        let currency = p.currency();
        Self {
            title: ProgrammeTitle(p.title.translations().clone()),
            description: p
                .description
                .map(|d| ProgrammeDescription(d.translations().clone())),
            budget: Money::from_minor(p.budget.minor(), currency),
            regions: p.regions,
            themes: p.themes,
            funders: p
                .funders
                .into_iter()
                .map(|f| FunderResponse {
                    organization_id: f.organization.to_string(),
                    organization_name: OrganizationName(f.name.translations().clone()),
                    committed: Money::from_minor(f.committed_minor, currency),
                })
                .collect(),
            reporting: p.reporting.into(),
            report_template: report_sections(&p.report_template),
            allowed_actions: p
                .status
                .allowed_actions()
                .into_iter()
                .map(str::to_owned)
                .collect(),
            status: p.status.into(),
            id: p.id.to_string(),
            managing_organization_id: p.circle.managing.to_string(),
            starts_on: p.starts_on,
            ends_on: p.ends_on,
            created_at: crate::response::utc(p.created_at),
            updated_at: crate::response::utc(p.updated_at),
        }
    }
}
