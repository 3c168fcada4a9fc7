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
use seriktes_domain::ids::{BudgetLineId, GrantId, ReportCommentId, RequirementId};
use seriktes_domain::report::{
    self, Changed, Comment, Expenditure, Form, FormFacts, IndicatorFacts, IndicatorValue,
    LineSummary, ReportAction, ReportStatus,
};
use seriktes_domain::reporting::{self, RequirementStatus};
use seriktes_domain::training::{self, SuggestedValue};
use seriktes_domain::workflow::Workflow;
use seriktes_domain::{DomainError, FieldError};
use seriktes_persistence::db::Tx;
use seriktes_persistence::grants::{self, Loaded};
use seriktes_persistence::page::{Page, PageRequest};
use seriktes_persistence::reports::{
    self, Narrative, Report, ReportFilter, StoredComment, Version,
};
use seriktes_persistence::requirements::{Key, Requirement};
use seriktes_persistence::{DbConn, indicators, programmes};

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
    /// Values suggested from the attendance of the grant's linked trainings in the period
    /// (`seriktes_domain::training`); computed only while the grantee may edit the report.
    pub suggested: Vec<SuggestedValue>,
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
    /// What the grant's other accepted reports due on or before this one spent, per line.
    before: Vec<(BudgetLineId, i64)>,
}

/// A requirement, its grant and its report's row (one statement); 404 when there is no such
/// requirement.
fn head(conn: &mut DbConn, id: RequirementId) -> Result<reports::Loaded, ApiError> {
    reports::load(conn, id)?.ok_or(ApiError::NotFound)
}

/// The report's form and money besides its head (two statements while saved, one while due).
fn complete(conn: &mut DbConn, head: reports::Loaded) -> Result<Facts, ApiError> {
    let (requirement, grant, report) = head;
    let id = requirement.id;
    let money = reports::money_of(
        conn,
        id,
        grant.grant.id,
        requirement.due_on,
        grant.grant.amount.currency(),
    )?;
    let form = match &report {
        Some(r) => Form {
            narrative: r.narrative.clone(),
            values: reports::values_of(conn, &[id])?
                .into_iter()
                .map(|(_, v)| v)
                .collect(),
            expenditures: money.expenditures,
        },
        None => Form::default(),
    };
    Ok(Facts {
        requirement,
        grant,
        report,
        form,
        before: money.before,
    })
}

fn load(conn: &mut DbConn, id: RequirementId) -> Result<Facts, ApiError> {
    let h = head(conn, id)?;
    complete(conn, h)
}

fn status_of(report: Option<&Report>) -> ReportStatus {
    report.map_or(ReportStatus::Due, |r| r.status)
}

fn role_of(actor: &Actor, f: &Facts) -> Result<ReportRole, ApiError> {
    policy(actor, &f.grant.facts, status_of(f.report.as_ref())).ok_or(ApiError::NotFound)
}

fn seen(f: Facts, role: ReportRole, now: NaiveDateTime) -> Seen {
    let budget = report::summarize(&f.grant.grant.budget_lines, &f.form.expenditures, &f.before);
    let status = status_of(f.report.as_ref());
    let overdue = reporting::is_overdue(
        f.requirement.due_on,
        f.requirement.status,
        status.delivered(),
        now.date(),
    );
    let open = f.grant.grant.status == GrantStatus::Active
        && f.requirement.status == RequirementStatus::Open;
    Seen {
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
        suggested: Vec::new(),
    }
}

/// The values suggested for a report from its grant's linked trainings (one statement), only
/// while the grantee may still edit it; nothing otherwise (no statement).
fn suggested(conn: &mut DbConn, f: &Facts) -> Result<Vec<SuggestedValue>, ApiError> {
    let open = f.requirement.status == RequirementStatus::Open;
    if !training::suggests(status_of(f.report.as_ref()), f.grant.grant.status, open) {
        return Ok(Vec::new());
    }
    let (from, to) = (f.requirement.period_start, f.requirement.period_end);
    let groups = seriktes_persistence::trainings::attendance(conn, f.grant.grant.id, from, to)?;
    Ok(training::suggest(&groups, from, to))
}

/// [`seen`] with the suggested values.
fn seen_suggested(
    conn: &mut DbConn,
    f: Facts,
    role: ReportRole,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let suggested = suggested(conn, &f)?;
    let mut s = seen(f, role, now);
    s.suggested = suggested;
    Ok(s)
}

/// Reads a report (404 for those who may not see it; funders see accepted ones only).
pub fn read(
    conn: &mut DbConn,
    actor: &Actor,
    id: RequirementId,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let h = head(conn, id)?;
    let role = policy(actor, &h.1.facts, status_of(h.2.as_ref())).ok_or(ApiError::NotFound)?;
    authorize(Some(role), ReportRight::Read)?;
    let f = complete(conn, h)?;
    seen_suggested(conn, f, role, now)
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
    event_of(&f.requirement, &f.grant, kind, summary)
}

fn event_of(requirement: &Requirement, grant: &Loaded, kind: &str, summary: String) -> Event {
    Event::new(format!("report.{kind}"), "report", requirement.id, summary)
        .seen_by(audience(grant))
        .in_programme(grant.grant.programme)
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
    seen_suggested(tx, f, role, now)
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
    if action == ReportAction::Accept {
        // Its values now count: the programme's kept results are stale.
        seriktes_persistence::results::touch(tx, f.grant.grant.programme)?;
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
    seen_suggested(tx, f, role, now)
}

/// The form as JSON, as a version keeps it.
fn snapshot(form: &Form) -> String {
    reports::form_json(form)
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

/// Filters of a grant's report list.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReportQuery {
    /// Only this status.
    pub status: Option<ReportStatus>,
    /// Only reports changed since.
    pub updated_since: Option<NaiveDateTime>,
}

/// The key of a list ordered by due date then id, or 422 naming the cursor.
fn requirement_key(page: &PageRequest) -> Result<Option<Key>, ApiError> {
    page.after
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
        .transpose()
}

/// One page of a grant's saved reports, by due date then id, as whoever may read the grant's
/// reports sees them (funders: accepted ones only). A page costs the grant, the page, and one
/// statement each for the values with their parts, the expenditures and the earlier spending.
pub fn list(
    conn: &mut DbConn,
    actor: &Actor,
    grant: GrantId,
    query: ReportQuery,
    page: &PageRequest,
    now: NaiveDateTime,
) -> Result<Page<Seen>, ApiError> {
    let g = grants::find(conn, grant)?;
    // Whoever sees an accepted report of the grant may list; who sees a submitted one sees all.
    policy(actor, &g.facts, ReportStatus::Accepted).ok_or(ApiError::NotFound)?;
    let accepted_only = policy(actor, &g.facts, ReportStatus::Submitted).is_none();
    let after = requirement_key(page)?;
    let filter = ReportFilter {
        status: query.status,
        accepted_only,
        updated_since: query.updated_since,
    };
    let p = reports::list(conn, grant, &filter, after, page.limit)?;
    let ids: Vec<RequirementId> = p.items.iter().map(|(r, _)| r.id).collect();
    let values = reports::values_of(conn, &ids)?;
    let spent = reports::expenditures_of(conn, &ids, g.grant.amount.currency())?;
    let accepted = match p.items.iter().map(|(r, _)| r.due_on).max() {
        Some(until) => reports::accepted_spending(conn, grant, until)?,
        None => Vec::new(),
    };
    let mut items = Vec::with_capacity(p.items.len());
    for (requirement, report) in p.items {
        let id = requirement.id;
        let role = policy(actor, &g.facts, report.status).ok_or(ApiError::NotFound)?;
        let before = accepted
            .iter()
            .filter(|a| a.report != id && a.due_on <= requirement.due_on)
            .map(|a| (a.line, a.minor))
            .collect();
        let form = Form {
            narrative: report.narrative.clone(),
            values: values
                .iter()
                .filter(|(r, _)| *r == id)
                .map(|(_, v)| v.clone())
                .collect(),
            expenditures: spent
                .iter()
                .filter(|(r, _)| *r == id)
                .map(|(_, e)| e.clone())
                .collect(),
        };
        let f = Facts {
            requirement,
            grant: g.clone(),
            report: Some(report),
            form,
            before,
        };
        items.push(seen(f, role, now));
    }
    Ok(Page {
        items,
        next_after: p.next_after,
    })
}

/// A submission as a caller sees it: the version and what it changed since the one before.
#[derive(Debug, Clone)]
pub struct SeenVersion {
    /// The version.
    pub version: Version,
    /// What differs from the version before (everything, for the first).
    pub changed: Changed,
}

/// The report's head, once `actor` holds `right` on it.
fn authorized(
    conn: &mut DbConn,
    actor: &Actor,
    id: RequirementId,
    right: ReportRight,
) -> Result<reports::Loaded, ApiError> {
    let h = head(conn, id)?;
    authorize(policy(actor, &h.1.facts, status_of(h.2.as_ref())), right)?;
    Ok(h)
}

/// One page of a report's submissions by number, each with what it changed (for whoever may
/// read the report; two statements and the caller's).
pub fn versions(
    conn: &mut DbConn,
    actor: &Actor,
    id: RequirementId,
    page: &PageRequest,
) -> Result<Page<SeenVersion>, ApiError> {
    let (_, grant, _) = authorized(conn, actor, id, ReportRight::Read)?;
    let after = page
        .after
        .as_deref()
        .map(|k| {
            k.parse::<i32>().ok().filter(|n| *n > 0).ok_or_else(|| {
                ApiError::invalid(
                    "cursor",
                    "format",
                    "not a cursor of this list; start again without one",
                )
            })
        })
        .transpose()?;
    // After version n, read n again: the first item's changes are counted from it.
    let (from, extra) = after.map_or((1, 0), |n| (n, 1));
    let mut rows = reports::versions_from(
        conn,
        id,
        from,
        page.fetch_limit().saturating_add(extra),
        grant.grant.amount.currency(),
    )?;
    let mut previous = match after {
        Some(n) if rows.first().is_some_and(|v| v.number == n) => Some(rows.remove(0)),
        _ => None,
    };
    let p = Page::from_rows(rows, page, |v| v.number.to_string());
    let mut items = Vec::with_capacity(p.items.len());
    for version in p.items {
        let changed = report::diff(previous.as_ref().map(|v| &v.form), &version.form);
        previous = Some(version.clone());
        items.push(SeenVersion { version, changed });
    }
    Ok(Page {
        items,
        next_after: p.next_after,
    })
}

/// One submission of a report with what it changed (for whoever may read the report; 404 for
/// a number it does not have).
pub fn version(
    conn: &mut DbConn,
    actor: &Actor,
    id: RequirementId,
    number: i32,
) -> Result<SeenVersion, ApiError> {
    let (_, grant, _) = authorized(conn, actor, id, ReportRight::Read)?;
    let (version, previous) =
        reports::version_with_previous(conn, id, number, grant.grant.amount.currency())?
            .ok_or(ApiError::NotFound)?;
    let changed = report::diff(previous.as_ref().map(|v| &v.form), &version.form);
    Ok(SeenVersion { version, changed })
}

/// One page of a report's comments, oldest first (for whoever may read the report).
pub fn comments(
    conn: &mut DbConn,
    actor: &Actor,
    id: RequirementId,
    since: Option<NaiveDateTime>,
    page: &PageRequest,
) -> Result<Page<StoredComment>, ApiError> {
    authorized(conn, actor, id, ReportRight::Read)?;
    Ok(reports::comments(conn, id, since, page)?)
}

/// Comments on a report (reviewers, the mentor organisation's members and the grantee's
/// owners and managers), in any status but `due`, about a section of the template or
/// `general`; kept with the number of the latest submission.
pub fn comment(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: RequirementId,
    input: Comment,
    now: NaiveDateTime,
) -> Result<StoredComment, ApiError> {
    let (requirement, grant, report) = authorized(tx, actor, id, ReportRight::Comment)?;
    report::check_commentable(status_of(report.as_ref()))?;
    let template = programmes::report_form(tx, grant.grant.programme)?.template;
    report::check_comment(&input, &template)?;
    let c = StoredComment {
        id: ReportCommentId::from_uuid(uuid::Uuid::now_v7()),
        report: id,
        author: Some(actor.user_id()),
        kind: "comment".to_owned(),
        section: input.section,
        text: input.text,
        submission: report.as_ref().map(|r| r.submissions).filter(|n| *n > 0),
        created_at: now,
    };
    reports::insert_comment(tx, &c)?;
    let event = event_of(
        &requirement,
        &grant,
        "commented",
        format!("comment on report {id}, section {}", c.section),
    )
    .with_payload(serde_json::json!({
        "comment_id": c.id.to_string(), "section": c.section, "submission": c.submission
    }));
    events::record(tx, Some(actor), now, event)?;
    Ok(c)
}
