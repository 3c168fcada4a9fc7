//! Report use cases: read a report with its money summary, save the form, and its workflow
//! (submit, accept, request a revision). A report's id is its requirement's; the row exists
//! once someone saves it (until then the report is `due`).
//!
//! The narrative's sections are the programme's report template.

use crate::error::ApiError;
use crate::service::events::{self, Event};
use crate::service::grants::audience;
use chrono::NaiveDateTime;
use seriktes_domain::access::report::{ReportRight, ReportRole, report as policy};
use seriktes_domain::access::{Actor, Role, authorize};
use seriktes_domain::grant::{self, GrantStatus};
use seriktes_domain::ids::RequirementId;
use seriktes_domain::report::{
    self, Comment, Expenditure, Form, FormFacts, IndicatorFacts, IndicatorValue, LineSummary,
    ReportAction, ReportStatus,
};
use seriktes_domain::reporting::{self, RequirementStatus};
use seriktes_domain::workflow::Workflow;
use seriktes_domain::{DomainError, FieldError};
use seriktes_persistence::db::Tx;
use seriktes_persistence::grants::{self, Loaded};
use seriktes_persistence::reports::{self, Narrative, Report};
use seriktes_persistence::requirements::{self, Requirement};
use seriktes_persistence::{DbConn, StoreError, indicators, programmes};

/// A report as a caller sees it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// Its requirement.
    pub requirement: Requirement,
    /// The saved row (`None`: due).
    pub report: Option<Report>,
    /// The form.
    pub form: Form,
    /// The per-line money summary.
    pub budget: Vec<LineSummary>,
    /// The grant's budget lines' categories, by line.
    pub categories: Vec<(seriktes_domain::ids::BudgetLineId, String)>,
    /// Whether it is overdue today.
    pub overdue: bool,
    /// The caller's role.
    pub role: ReportRole,
    /// Whether the report may change (grant active, requirement open).
    pub open: bool,
}

impl Seen {
    /// Its status.
    pub fn status(&self) -> ReportStatus {
        self.report.as_ref().map_or(ReportStatus::Due, |r| r.status)
    }

    /// The version (ETag): 0 while due.
    pub fn version(&self) -> i64 {
        self.report.as_ref().map_or(0, |r| r.version)
    }

    /// The actions the caller may take now.
    pub fn allowed_actions(&self) -> Vec<&'static str> {
        if !self.open {
            return Vec::new();
        }
        let role = self.role;
        self.status()
            .allowed_actions()
            .into_iter()
            .filter(|a| match *a {
                "edit" => role.may(ReportRight::EditResults) || role.may(ReportRight::EditMoney),
                "submit" => role.may(ReportRight::Submit),
                _ => role.may(ReportRight::Review),
            })
            .collect()
    }
}

/// Everything a report's rules and response need.
struct Facts {
    requirement: Requirement,
    grant: Loaded,
    report: Option<Report>,
    form: Form,
}

fn load(conn: &mut DbConn, id: RequirementId) -> Result<Facts, ApiError> {
    let requirement = match requirements::find(conn, id) {
        Err(StoreError::NotFound) => return Err(ApiError::NotFound),
        other => other?,
    };
    let grant = grants::find(conn, requirement.grant)?;
    let report = reports::find(conn, id)?;
    let form = match &report {
        Some(r) => {
            let (values, expenditures) = reports::form_of(conn, id, grant.grant.amount.currency())?;
            Form {
                narrative: r.narrative.clone(),
                values,
                expenditures,
            }
        }
        None => Form::default(),
    };
    Ok(Facts {
        requirement,
        grant,
        report,
        form,
    })
}

fn role_of(actor: &Actor, f: &Facts) -> Result<ReportRole, ApiError> {
    let status = f.report.as_ref().map_or(ReportStatus::Due, |r| r.status);
    policy(actor, &f.grant.facts, status).ok_or(ApiError::NotFound)
}

fn seen(
    conn: &mut DbConn,
    f: Facts,
    role: ReportRole,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let before = reports::spent_before(
        conn,
        f.grant.grant.id,
        f.requirement.id,
        f.requirement.due_on,
    )?;
    let budget = report::summarize(&f.grant.grant.budget_lines, &f.form.expenditures, &before);
    let status = f.report.as_ref().map_or(ReportStatus::Due, |r| r.status);
    let overdue = reporting::is_overdue(
        f.requirement.due_on,
        f.requirement.status,
        status.delivered(),
        now.date(),
    );
    let open = f.grant.grant.status == GrantStatus::Active
        && f.requirement.status == RequirementStatus::Open;
    Ok(Seen {
        categories: f
            .grant
            .grant
            .budget_lines
            .iter()
            .map(|l| (l.id, l.category.clone()))
            .collect(),
        requirement: f.requirement,
        report: f.report,
        form: f.form,
        budget,
        overdue,
        role,
        open,
    })
}

/// Reads a report (404 for those who may not see it; funders see accepted ones only).
pub fn read(
    conn: &mut DbConn,
    actor: &Actor,
    id: RequirementId,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let f = load(conn, id)?;
    let role = role_of(actor, &f)?;
    authorize(Some(role), ReportRight::Read)?;
    seen(conn, f, role, now)
}

/// Changes to the form: each part given replaces the whole of that part.
#[derive(Debug, Clone, Default)]
pub struct FormChanges {
    /// Narrative texts.
    pub narrative: Option<Narrative>,
    /// Indicator values.
    pub values: Option<Vec<IndicatorValue>>,
    /// Expenditures.
    pub expenditures: Option<Vec<Expenditure>>,
}

fn check_open(f: &Facts) -> Result<(), DomainError> {
    grant::check_active(f.grant.grant.status, "reported on")?;
    if f.requirement.status != RequirementStatus::Open {
        return Err(DomainError::Conflict(
            "The requirement is waived: its report cannot change.".into(),
        ));
    }
    Ok(())
}

fn form_facts_check(
    conn: &mut DbConn,
    f: &Facts,
    form: &Form,
    complete: bool,
) -> Result<(), ApiError> {
    let form_rules = programmes::report_form(conn, f.grant.grant.programme)?;
    let inds: Vec<IndicatorFacts> = indicators::of_grant(conn, f.grant.grant.id)?
        .into_iter()
        .map(|g| IndicatorFacts {
            id: g.indicator.id,
            code: g.indicator.fields.code.to_string(),
            kind: g.indicator.fields.kind,
            dimensions: g.indicator.fields.disaggregation.clone(),
        })
        .collect();
    let facts = FormFacts {
        template: &form_rules.template,
        indicators: &inds,
        regions: &form_rules.regions,
        lines: &f.grant.grant.budget_lines,
        currency: f.grant.grant.amount.currency(),
    };
    if complete {
        report::check_submission(form, &facts)?;
    } else {
        report::check_form(form, &facts)?;
    }
    Ok(())
}

fn event(f: &Facts, kind: &str, summary: String) -> Event {
    Event::new(
        format!("report.{kind}"),
        "report",
        f.requirement.id,
        summary,
    )
    .seen_by(audience(&f.grant))
    .in_programme(f.grant.grant.programme)
}

/// Saves the form: authors write everything, accountants the expenditures only; the first
/// save creates the report (due → draft).
pub fn save(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: RequirementId,
    changes: FormChanges,
    if_match: Option<i64>,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let mut f = load(tx, id)?;
    let role = role_of(actor, &f)?;
    if changes.narrative.is_some() || changes.values.is_some() {
        authorize(Some(role), ReportRight::EditResults)?;
    }
    if changes.expenditures.is_some() || !role.may(ReportRight::EditResults) {
        authorize(Some(role), ReportRight::EditMoney)?;
    }
    let from = f.report.as_ref().map_or(ReportStatus::Due, |r| r.status);
    let to = from.next(ReportAction::Edit)?;
    check_open(&f)?;
    let mut form = f.form.clone();
    if let Some(n) = changes.narrative.clone() {
        form.narrative = n;
    }
    if let Some(v) = changes.values.clone() {
        form.values = v;
    }
    if let Some(e) = changes.expenditures.clone() {
        form.expenditures = e;
    }
    form_facts_check(tx, &f, &form, false)?;
    let next = store_row(tx, &f, if_match, now, |r| {
        r.status = to;
        r.narrative = form.narrative.clone();
    })?;
    if let Some(v) = &changes.values {
        reports::replace_values(tx, id, v)?;
    }
    if let Some(e) = &changes.expenditures {
        reports::replace_expenditures(tx, id, e)?;
    }
    events::record(
        tx,
        Some(actor),
        now,
        event(&f, "saved", format!("report {id} saved")),
    )?;
    f.report = Some(next);
    f.form = form;
    seen(tx, f, role, now)
}

/// Inserts the row (first save) or updates it; returns the row as stored.
fn store_row(
    tx: &mut Tx<'_>,
    f: &Facts,
    if_match: Option<i64>,
    now: NaiveDateTime,
    change: impl FnOnce(&mut Report),
) -> Result<Report, ApiError> {
    match &f.report {
        Some(current) => {
            let mut next = current.clone();
            change(&mut next);
            next.version = reports::update(tx, current, if_match, &next, now)?;
            next.updated_at = now;
            Ok(next)
        }
        None => {
            let mut next = Report {
                id: f.requirement.id,
                grant: f.grant.grant.id,
                status: ReportStatus::Draft,
                narrative: Narrative::new(),
                submissions: 0,
                submitted_at: None,
                decided_at: None,
                version: 1,
                created_at: now,
                updated_at: now,
            };
            change(&mut next);
            reports::insert(tx, &next)?;
            Ok(next)
        }
    }
}

/// A move of the report's workflow: submit, accept or request a revision (with comments).
pub fn act(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: RequirementId,
    action: ReportAction,
    comments: Vec<Comment>,
    if_match: Option<i64>,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let mut f = load(tx, id)?;
    let role = role_of(actor, &f)?;
    let right = if action == ReportAction::Submit {
        ReportRight::Submit
    } else {
        ReportRight::Review
    };
    authorize(Some(role), right)?;
    let from = f.report.as_ref().map_or(ReportStatus::Due, |r| r.status);
    let to = from.next(action)?;
    check_open(&f)?;
    let number = f.report.as_ref().map_or(0, |r| r.submissions);
    match action {
        ReportAction::Submit => form_facts_check(tx, &f, &f.form, true)?,
        ReportAction::RequestRevision => {
            let template = programmes::report_form(tx, f.grant.grant.programme)?.template;
            report::check_comments(&comments, &template, true)?;
        }
        _ => {}
    }
    let submit = action == ReportAction::Submit;
    let next = store_row(tx, &f, if_match, now, |r| {
        r.status = to;
        if submit {
            r.submissions += 1;
            r.submitted_at = Some(now);
        } else {
            r.decided_at = Some(now);
        }
    })?;
    if submit {
        let snapshot = snapshot(&f.form);
        reports::insert_version(
            tx,
            id,
            next.submissions,
            &snapshot,
            Some(actor.user_id()),
            now,
        )?;
    }
    if action == ReportAction::RequestRevision {
        reports::insert_comments(
            tx,
            id,
            Some(actor.user_id()),
            "revision",
            Some(number),
            &comments,
            now,
        )?;
    }
    let kind = match action {
        ReportAction::Submit => "submitted",
        ReportAction::Accept => "accepted",
        ReportAction::RequestRevision => "revision_requested",
        ReportAction::Edit => "saved",
    };
    events::record(
        tx,
        Some(actor),
        now,
        event(&f, kind, format!("report {id}: → {}", to.as_str())),
    )?;
    f.report = Some(next);
    seen(tx, f, role, now)
}

/// The form as JSON, as a version keeps it.
fn snapshot(form: &Form) -> String {
    let values: Vec<serde_json::Value> = form
        .values
        .iter()
        .map(|v| {
            let (value, denominator, text) = match &v.value {
                report::Value::Count(n) => (Some(*n), None, None),
                report::Value::Percentage {
                    numerator,
                    denominator,
                } => (Some(*numerator), Some(*denominator), None),
                report::Value::Qualitative(t) => (None, None, Some(t.clone())),
            };
            let parts: Vec<serde_json::Value> = v
                .parts
                .iter()
                .map(|p| serde_json::json!({"dimension": p.dimension.as_str(), "category": p.category, "count": p.count}))
                .collect();
            serde_json::json!({"indicator_id": v.indicator.to_string(), "value": value, "denominator": denominator, "text": text, "note": v.note, "parts": parts})
        })
        .collect();
    let spent: Vec<serde_json::Value> = form
        .expenditures
        .iter()
        .map(|e| serde_json::json!({"budget_line_id": e.line.to_string(), "amount_minor": e.amount.minor(), "note": e.note}))
        .collect();
    serde_json::json!({"narrative": form.narrative, "indicator_values": values, "expenditures": spent})
        .to_string()
}

/// A field error for a request that names nothing to save.
pub fn nothing_to_save() -> DomainError {
    FieldError::new(
        "",
        "required",
        "give narrative, indicator_values or expenditures",
    )
    .into()
}
