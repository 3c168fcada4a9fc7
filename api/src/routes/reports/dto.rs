//! Wire types of reports.

use crate::response::utc;
use crate::service::reports::{FormChanges, ReportQuery, Seen, SeenVersion};
use crate::wire::Money;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use seriktes_domain::ids::{BudgetLineId, IndicatorId};
use seriktes_domain::indicator::Dimension;
use seriktes_domain::report::{
    self, Changed, Comment, Expenditure, Form, IndicatorValue, MAX_SECTION_CHARS, Part,
    ReportStatus, Value,
};
use seriktes_domain::text::LocalizedText;
use seriktes_domain::training::SuggestedValue;
use seriktes_domain::{DomainError, FieldError, Validator};
use seriktes_persistence::reports::StoredComment;
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// One disaggregated part of a value.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"dimension": "sex", "category": "female", "count": 70}))]
pub struct PartDto {
    /// The dimension (`sex`, `age_band`, `disability`, `region`).
    pub dimension: String,
    /// Its category (`female`, `18-29`, `KZ-79`).
    pub category: String,
    /// How many.
    pub count: i64,
}

/// The value of one indicator: `value` is a count or a numerator (with `denominator`), `text` a
/// qualitative value.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"indicator_id": "0193a0c4-d000-7000-8000-000000000001", "value": 120, "denominator": null, "text": null, "note": null, "parts": [{"dimension": "sex", "category": "female", "count": 70}, {"dimension": "sex", "category": "male", "count": 50}]}))]
pub struct IndicatorValueDto {
    /// The indicator.
    pub indicator_id: uuid::Uuid,
    /// A count, or the numerator of a percentage.
    pub value: Option<i64>,
    /// The denominator of a percentage.
    pub denominator: Option<i64>,
    /// A qualitative value.
    pub text: Option<String>,
    /// A note.
    pub note: Option<String>,
    /// The breakdown: per dimension, the parts add up to the value.
    #[serde(default)]
    pub parts: Vec<PartDto>,
}

/// A value suggested for an indicator from the attendance of the grant's trainings linked to
/// it (`counts_toward`), held in the report's period: nothing is saved until the grantee copies
/// it into `indicator_values`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"indicator_id": "0193a0c4-d000-7000-8000-000000000001", "value": 3, "parts": [{"dimension": "sex", "category": "female", "count": 2}, {"dimension": "sex", "category": "not_stated", "count": 1}], "meeting_ids": ["0193a0c4-f000-7000-8000-000000000001"]}))]
pub struct SuggestedValueDto {
    /// The indicator.
    pub indicator_id: uuid::Uuid,
    /// How many registrations were marked `attended`.
    pub value: i64,
    /// The breakdown, for each dimension the indicator is disaggregated by and every counted
    /// registrant answered (an unanswered sex or disability counts as `not_stated`).
    pub parts: Vec<PartDto>,
    /// The meetings counted, by id (at most 500 listed; `value` counts them all).
    pub meeting_ids: Vec<uuid::Uuid>,
}

fn suggested_dto(v: &SuggestedValue) -> SuggestedValueDto {
    SuggestedValueDto {
        indicator_id: v.indicator.uuid(),
        value: v.value,
        parts: v.parts.iter().map(part_dto).collect(),
        meeting_ids: v.meetings.iter().map(|m| m.uuid()).collect(),
    }
}

fn part_dto(p: &Part) -> PartDto {
    PartDto {
        dimension: p.dimension.as_str().to_owned(),
        category: p.category.clone(),
        count: p.count,
    }
}

/// What the period spent on one budget line.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"budget_line_id": "0193a0c4-e100-7000-8000-000000000001", "amount": {"amount": "1200.00", "currency": "KZT"}, "note": "Trainer's fee"}))]
pub struct ExpenditureDto {
    /// The grant's budget line.
    pub budget_line_id: uuid::Uuid,
    /// How much, in the grant's currency.
    pub amount: Money,
    /// A note.
    pub note: Option<String>,
}

/// One budget line's money as the report shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"budget_line_id": "0193a0c4-e100-7000-8000-000000000001", "category": "staff", "budget": {"amount": "3846.00", "currency": "EUR"}, "this_period": {"amount": "500.50", "currency": "EUR"}, "to_date": {"amount": "1500.50", "currency": "EUR"}, "remaining": {"amount": "2345.50", "currency": "EUR"}, "variance_percent": "-60.98"}))]
pub struct BudgetLineSummary {
    /// The line.
    pub budget_line_id: uuid::Uuid,
    /// Its category.
    pub category: String,
    /// Its budget.
    pub budget: Money,
    /// Spent in this report's period.
    pub this_period: Money,
    /// Spent up to and including this period (this report and the grant's other accepted
    /// reports due on or before it).
    pub to_date: Money,
    /// Budget left.
    pub remaining: Money,
    /// `(to_date − budget) / budget` in percent, two decimals (`-25.00`); null for a line
    /// budgeted at zero.
    pub variance_percent: Option<String>,
}

/// A report: its requirement's facts, the form, the money summary.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-f100-7000-8000-000000000001", "grant_id": "0193a0c4-e000-7000-8000-000000000001",
    "kind": "periodic", "period_start": "2026-04-01", "period_end": "2026-06-30", "due_on": "2026-07-30",
    "overdue": false, "status": "draft", "allowed_actions": ["edit", "submit"],
    "narrative": {"activities": {"en": "Three trainings held."}},
    "indicator_values": [], "suggested_values": [], "expenditures": [], "budget": [], "submissions": 0,
    "submitted_at": null, "decided_at": null, "updated_at": "2026-07-01T09:00:00Z"
}))]
pub struct ReportResponse {
    /// Id (its requirement's).
    pub id: uuid::Uuid,
    /// The grant.
    pub grant_id: uuid::Uuid,
    /// The requirement's kind.
    pub kind: String,
    /// First day of the period.
    pub period_start: NaiveDate,
    /// Last day of the period.
    pub period_end: NaiveDate,
    /// Due date.
    pub due_on: NaiveDate,
    /// Past its due date and not handed in.
    pub overdue: bool,
    /// Status: `due` until first saved.
    pub status: String,
    /// Actions the caller may take now.
    pub allowed_actions: Vec<String>,
    /// Narrative texts by section, by language.
    pub narrative: BTreeMap<String, BTreeMap<String, String>>,
    /// Indicator values.
    pub indicator_values: Vec<IndicatorValueDto>,
    /// Values suggested from the attendance of the grant's linked trainings and seminars held
    /// in the period (by the meeting's local date), one per indicator; given while the grantee
    /// may still edit the report (due, draft, revision requested, grant active) in the
    /// responses of a single report, empty otherwise and in lists.
    pub suggested_values: Vec<SuggestedValueDto>,
    /// Expenditures.
    pub expenditures: Vec<ExpenditureDto>,
    /// Money per budget line.
    pub budget: Vec<BudgetLineSummary>,
    /// How many times it was submitted.
    pub submissions: i32,
    /// When last submitted.
    pub submitted_at: Option<DateTime<Utc>>,
    /// When last accepted or sent back.
    pub decided_at: Option<DateTime<Utc>>,
    /// When last changed (null while due).
    pub updated_at: Option<DateTime<Utc>>,
}

/// Changes to a report: each part given replaces the whole of that part.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"narrative": {"activities": {"en": "Three trainings held."}}, "expenditures": [{"budget_line_id": "0193a0c4-e100-7000-8000-000000000001", "amount": {"amount": "1200.00", "currency": "KZT"}, "note": null}]}))]
pub struct PatchReportRequest {
    /// Narrative texts by section, by language.
    pub narrative: Option<BTreeMap<String, BTreeMap<String, String>>>,
    /// Indicator values.
    pub indicator_values: Option<Vec<IndicatorValueDto>>,
    /// Expenditures.
    pub expenditures: Option<Vec<ExpenditureDto>>,
}

/// A review comment.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"section": "results", "text": "Give the number of participants."}))]
pub struct CommentDto {
    /// A narrative section, `indicator_values`, `expenditures` or `general`.
    pub section: String,
    /// The comment.
    pub text: String,
}

/// What to revise.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"comments": [{"section": "results", "text": "Give the number of participants."}]}))]
pub struct RevisionRequest {
    /// 1 to 50 comments.
    pub comments: Vec<CommentDto>,
}

impl RevisionRequest {
    /// The comments.
    pub fn comments(self) -> Vec<Comment> {
        self.comments
            .into_iter()
            .map(|c| Comment {
                section: c.section,
                text: c.text,
            })
            .collect()
    }
}

fn value_dto(v: &IndicatorValue) -> IndicatorValueDto {
    let (value, denominator, text) = match &v.value {
        Value::Count(n) => (Some(*n), None, None),
        Value::Percentage {
            numerator,
            denominator,
        } => (Some(*numerator), Some(*denominator), None),
        Value::Qualitative(t) => (None, None, Some(t.clone())),
    };
    IndicatorValueDto {
        indicator_id: v.indicator.uuid(),
        value,
        denominator,
        text,
        note: v.note.clone(),
        parts: v.parts.iter().map(part_dto).collect(),
    }
}

impl From<Seen> for ReportResponse {
    fn from(s: Seen) -> Self {
        let allowed_actions = s.allowed_actions().into_iter().map(str::to_owned).collect();
        let status = s.status().as_str().to_owned();
        let r = s.report.as_ref();
        let budget = s
            .budget
            .iter()
            .map(|l| BudgetLineSummary {
                budget_line_id: l.line.uuid(),
                category: s
                    .categories
                    .iter()
                    .find(|(id, _)| *id == l.line)
                    .map(|(_, c)| c.clone())
                    .unwrap_or_default(),
                budget: l.budget.into(),
                this_period: l.this_period.into(),
                to_date: l.to_date.into(),
                remaining: l.remaining.into(),
                variance_percent: l.variance_basis_points.map(report::percent_string),
            })
            .collect();
        Self {
            id: s.requirement.id.uuid(),
            grant_id: s.requirement.grant.uuid(),
            kind: s.requirement.kind.as_str().to_owned(),
            period_start: s.requirement.period_start,
            period_end: s.requirement.period_end,
            due_on: s.requirement.due_on,
            overdue: s.overdue,
            status,
            allowed_actions,
            narrative: narrative_dto(&s.form),
            indicator_values: s.form.values.iter().map(value_dto).collect(),
            suggested_values: s.suggested.iter().map(suggested_dto).collect(),
            expenditures: s.form.expenditures.iter().map(expenditure_dto).collect(),
            budget,
            submissions: r.map_or(0, |r| r.submissions),
            submitted_at: r.and_then(|r| r.submitted_at).map(utc),
            decided_at: r.and_then(|r| r.decided_at).map(utc),
            updated_at: r.map(|r| utc(r.updated_at)),
        }
    }
}

fn parse_value(i: usize, d: IndicatorValueDto, v: &mut Validator) -> Option<IndicatorValue> {
    let at = format!("indicator_values.{i}");
    let value = match (d.text, d.value, d.denominator) {
        (Some(t), None, None) => Value::Qualitative(t),
        (None, Some(n), None) => Value::Count(n),
        (None, Some(numerator), Some(denominator)) => Value::Percentage {
            numerator,
            denominator,
        },
        _ => {
            v.push(FieldError::new(
                format!("{at}.value"),
                "required",
                "give value (a count), value and denominator (a percentage), or text",
            ));
            return None;
        }
    };
    let mut parts = Vec::with_capacity(d.parts.len());
    for (j, p) in d.parts.into_iter().enumerate() {
        match Dimension::parse(&p.dimension) {
            Ok(dimension) => parts.push(Part {
                dimension,
                category: p.category,
                count: p.count,
            }),
            Err(_) => v.push(FieldError::new(
                format!("{at}.parts.{j}.dimension"),
                "one_of",
                "sex, age_band, disability or region",
            )),
        }
    }
    Some(IndicatorValue {
        indicator: IndicatorId::from_uuid(d.indicator_id),
        value,
        parts,
        note: d.note,
    })
}

impl TryFrom<PatchReportRequest> for FormChanges {
    type Error = DomainError;
    fn try_from(r: PatchReportRequest) -> Result<Self, DomainError> {
        if r.narrative.is_none() && r.indicator_values.is_none() && r.expenditures.is_none() {
            return Err(crate::service::reports::nothing_to_save());
        }
        let mut v = Validator::new();
        let narrative = r.narrative.map(|n| {
            n.into_iter()
                .filter_map(|(k, t)| {
                    let field = format!("narrative.{k}");
                    v.check(&field, LocalizedText::parse(t, MAX_SECTION_CHARS))
                        .map(|t| (k, t))
                })
                .collect()
        });
        let values = r.indicator_values.map(|vals| {
            vals.into_iter()
                .enumerate()
                .filter_map(|(i, d)| parse_value(i, d, &mut v))
                .collect()
        });
        let expenditures = r.expenditures.map(|es| {
            es.into_iter()
                .enumerate()
                .filter_map(|(i, e)| {
                    let amount = v.check(&format!("expenditures.{i}.amount"), e.amount.parse())?;
                    Some(Expenditure {
                        line: BudgetLineId::from_uuid(e.budget_line_id),
                        amount,
                        note: e.note,
                    })
                })
                .collect()
        });
        v.finish()?;
        Ok(Self {
            narrative,
            values,
            expenditures,
        })
    }
}

fn narrative_dto(form: &Form) -> BTreeMap<String, BTreeMap<String, String>> {
    form.narrative
        .iter()
        .map(|(k, t)| (k.clone(), t.translations().clone()))
        .collect()
}

fn expenditure_dto(e: &Expenditure) -> ExpenditureDto {
    ExpenditureDto {
        budget_line_id: e.line.uuid(),
        amount: e.amount.into(),
        note: e.note.clone(),
    }
}

/// A saved report's status, as a list filters by it.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SavedReportStatus {
    /// Saved, not submitted.
    Draft,
    /// Submitted, waiting for review.
    Submitted,
    /// Accepted.
    Accepted,
    /// Sent back for revision.
    RevisionRequested,
}

impl From<SavedReportStatus> for ReportStatus {
    fn from(s: SavedReportStatus) -> Self {
        match s {
            SavedReportStatus::Draft => Self::Draft,
            SavedReportStatus::Submitted => Self::Submitted,
            SavedReportStatus::Accepted => Self::Accepted,
            SavedReportStatus::RevisionRequested => Self::RevisionRequested,
        }
    }
}

/// Filters of a grant's report list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportListParams {
    /// Only this status (a report still `due` is not saved: the grant's reporting requirements
    /// list it).
    #[param(inline)]
    pub status: Option<SavedReportStatus>,
    /// Only reports changed at or after this time (RFC 3339).
    pub updated_since: Option<crate::wire::Timestamp>,
}

impl From<ReportListParams> for ReportQuery {
    fn from(p: ReportListParams) -> Self {
        Self {
            status: p.status.map(Into::into),
            updated_since: p.updated_since.map(crate::wire::Timestamp::get),
        }
    }
}

/// What a submission changed since the one before it (for the first: everything it holds).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"sections": ["results"], "indicator_ids": ["0193a0c4-d000-7000-8000-000000000001"], "budget_line_ids": []}))]
pub struct ReportChanges {
    /// Narrative section keys whose text differs (added, removed or edited).
    pub sections: Vec<String>,
    /// Indicators whose value, parts or note differ.
    pub indicator_ids: Vec<uuid::Uuid>,
    /// Budget lines whose expenditure (amount or note) differs.
    pub budget_line_ids: Vec<uuid::Uuid>,
}

impl From<&Changed> for ReportChanges {
    fn from(c: &Changed) -> Self {
        Self {
            sections: c.sections.clone(),
            indicator_ids: c.indicators.iter().map(|i| i.uuid()).collect(),
            budget_line_ids: c.lines.iter().map(|l| l.uuid()).collect(),
        }
    }
}

/// One submission of a report, as the list of its versions shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"number": 2, "submitted_at": "2026-07-20T09:00:00Z", "submitted_by": "0193a0c4-7c1e-7d4a-9a51-3f7e2b8c9d10",
    "changed": {"sections": ["results"], "indicator_ids": [], "budget_line_ids": []}}))]
pub struct ReportVersionSummary {
    /// Its number: 1 for the first submission.
    pub number: i32,
    /// When it was submitted.
    pub submitted_at: DateTime<Utc>,
    /// Who submitted it (`null` once the account is gone).
    pub submitted_by: Option<uuid::Uuid>,
    /// What it changed since the submission before.
    pub changed: ReportChanges,
}

impl From<SeenVersion> for ReportVersionSummary {
    fn from(v: SeenVersion) -> Self {
        Self {
            number: v.version.number,
            submitted_at: utc(v.version.submitted_at),
            submitted_by: v.version.submitted_by.map(|u| u.uuid()),
            changed: (&v.changed).into(),
        }
    }
}

/// One submission of a report: the form as it was submitted, and what it changed since the
/// submission before.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"number": 1, "submitted_at": "2026-07-20T09:00:00Z", "submitted_by": "0193a0c4-7c1e-7d4a-9a51-3f7e2b8c9d10",
    "narrative": {"activities": {"en": "Three trainings held."}, "results": {"en": "120 people trained."}},
    "indicator_values": [], "expenditures": [{"budget_line_id": "0193a0c4-e100-7000-8000-000000000001", "amount": {"amount": "1200.00", "currency": "KZT"}, "note": null}],
    "changed": {"sections": ["activities", "results"], "indicator_ids": [], "budget_line_ids": ["0193a0c4-e100-7000-8000-000000000001"]}}))]
pub struct ReportVersionResponse {
    /// Its number: 1 for the first submission.
    pub number: i32,
    /// When it was submitted.
    pub submitted_at: DateTime<Utc>,
    /// Who submitted it (`null` once the account is gone).
    pub submitted_by: Option<uuid::Uuid>,
    /// Narrative texts by section, by language, as submitted.
    pub narrative: BTreeMap<String, BTreeMap<String, String>>,
    /// Indicator values as submitted.
    pub indicator_values: Vec<IndicatorValueDto>,
    /// Expenditures as submitted.
    pub expenditures: Vec<ExpenditureDto>,
    /// What it changed since the submission before.
    pub changed: ReportChanges,
}

impl From<SeenVersion> for ReportVersionResponse {
    fn from(v: SeenVersion) -> Self {
        let f = &v.version.form;
        Self {
            number: v.version.number,
            submitted_at: utc(v.version.submitted_at),
            submitted_by: v.version.submitted_by.map(|u| u.uuid()),
            narrative: narrative_dto(f),
            indicator_values: f.values.iter().map(value_dto).collect(),
            expenditures: f.expenditures.iter().map(expenditure_dto).collect(),
            changed: (&v.changed).into(),
        }
    }
}

/// A comment on a report: a review comment given with a revision request (`revision`), or a
/// comment (`comment`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a0c4-e600-7000-8000-000000000001", "report_id": "0193a0c4-e300-7000-8000-000000000001",
    "kind": "comment", "section": "results", "text": "Could you add the number of women trained?",
    "author_id": "0193a0c4-7c1e-7d4a-9a51-3f7e2b8c9d10", "submission": 1, "created_at": "2026-07-21T09:00:00Z"}))]
pub struct ReportCommentResponse {
    /// Id.
    pub id: uuid::Uuid,
    /// The report.
    pub report_id: uuid::Uuid,
    /// `revision` (with a revision request) or `comment`.
    pub kind: String,
    /// A narrative section, `indicator_values`, `expenditures` or `general`.
    pub section: String,
    /// The comment.
    pub text: String,
    /// Who wrote it (`null` once the account is gone).
    pub author_id: Option<uuid::Uuid>,
    /// The number of the submission it is about (`null` before the first submission).
    pub submission: Option<i32>,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

impl From<StoredComment> for ReportCommentResponse {
    fn from(c: StoredComment) -> Self {
        Self {
            id: c.id.uuid(),
            report_id: c.report.uuid(),
            kind: c.kind,
            section: c.section,
            text: c.text,
            author_id: c.author.map(|u| u.uuid()),
            submission: c.submission,
            created_at: utc(c.created_at),
        }
    }
}

impl From<CommentDto> for Comment {
    fn from(c: CommentDto) -> Self {
        Self {
            section: c.section,
            text: c.text,
        }
    }
}

/// `updated_since` of a report's comments.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommentListParams {
    /// Only comments written at or after this time (RFC 3339).
    pub updated_since: Option<crate::wire::Timestamp>,
}
