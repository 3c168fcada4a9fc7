//! Programme use cases: create, read, list, edit, and the `activate`/`close` transitions
//! (through [`crate::service::transition`]).

use crate::error::ApiError;
use crate::service::events::{self, Event};
use crate::service::transition::Machine;
use chrono::{NaiveDate, NaiveDateTime};
use seriktes_domain::access::programme::{ProgrammeRight, ProgrammeRole, programme};
use seriktes_domain::access::{Actor, authorize};
use seriktes_domain::ids::{OrganizationId, ProgrammeId};
use seriktes_domain::money::Money;
use seriktes_domain::programme::{
    Funder, ProgrammeAction, ProgrammeInput, ProgrammeStatus, check_editable, check_programme,
};
use seriktes_domain::report::Template;
use seriktes_domain::reporting::ReportingSchedule;
use seriktes_domain::text::LocalizedText;
use seriktes_domain::{DomainError, FieldError};
use seriktes_persistence::db::Tx;
use seriktes_persistence::page::{Page, PageRequest};
use seriktes_persistence::programmes::{self as store, ProgrammeFilter};
use seriktes_persistence::{DbConn, organizations};

pub use seriktes_domain::programme::Programme;

/// A new programme.
#[derive(Debug, Clone)]
pub struct NewProgramme {
    /// The organisation that will run it.
    pub managing: OrganizationId,
    /// Its fields.
    pub input: ProgrammeInput<NaiveDate>,
}

/// Changes to a programme; `None` keeps a field.
#[derive(Debug, Clone, Default)]
pub struct ProgrammePatch {
    /// New title.
    pub title: Option<LocalizedText>,
    /// New description or none.
    pub description: Option<Option<LocalizedText>>,
    /// New budget.
    pub budget: Option<Money>,
    /// New first day.
    pub starts_on: Option<NaiveDate>,
    /// New last day.
    pub ends_on: Option<NaiveDate>,
    /// New regions.
    pub regions: Option<Vec<String>>,
    /// New themes.
    pub themes: Option<Vec<String>>,
    /// New funders.
    pub funders: Option<Vec<Funder>>,
    /// New reporting schedule.
    pub reporting: Option<ReportingSchedule>,
    /// New report template.
    pub report_template: Option<Template>,
}

/// Filters of the programme list.
#[derive(Debug, Clone, Default)]
pub struct ProgrammeQuery {
    /// Only this status.
    pub status: Option<ProgrammeStatus>,
    /// Only programmes run by this organisation.
    pub managing: Option<OrganizationId>,
    /// Only programmes this organisation funds.
    pub funder: Option<OrganizationId>,
    /// Only programmes changed since.
    pub updated_since: Option<NaiveDateTime>,
}

/// Loads one programme with its funders (two statements).
pub fn load(conn: &mut DbConn, id: ProgrammeId) -> Result<Programme, ApiError> {
    Ok(store::find(conn, id)?)
}

use seriktes_persistence::stored::to_json as json;

/// Checks that every referenced organisation exists (422 naming the field otherwise).
fn check_organizations(
    conn: &mut DbConn,
    managing: OrganizationId,
    funders: &[Funder],
) -> Result<(), ApiError> {
    let mut exists = |id: OrganizationId| organizations::exists(conn, id);
    let mut errors = Vec::new();
    if !exists(managing)? {
        errors.push(FieldError::new(
            "managing_organization_id",
            "exists",
            "no organisation has this id",
        ));
    }
    for (i, f) in funders.iter().enumerate() {
        if !exists(f.organization)? {
            errors.push(FieldError::new(
                format!("funders.{i}.organization_id"),
                "exists",
                "no organisation has this id",
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

fn event(kind: &str, p: &Programme, summary: String) -> Result<Event, ApiError> {
    let circle = p.circle.clone();
    Ok(Event::new(kind, "programme", p.id, summary)
        .seen_by(std::iter::once(circle.managing).chain(circle.funders))
        .in_programme(p.id))
}

/// Creates a draft programme run by `new.managing`.
pub fn create(
    tx: &mut Tx<'_>,
    actor: &Actor,
    new: NewProgramme,
    now: NaiveDateTime,
) -> Result<Programme, ApiError> {
    check_programme(&new.input)?;
    check_organizations(tx, new.managing, &new.input.funders)?;
    if !(actor.is_admin() || actor.manages(new.managing)) {
        return Err(DomainError::Forbidden(
            "only admins and the managing organisation's owners and managers may create its programmes".into(),
        )
        .into());
    }
    let id = ProgrammeId::from_uuid(uuid::Uuid::now_v7());
    let p = store::insert(tx, id, new.managing, &new.input, now)?;
    let e = event(
        "programme.create",
        &p,
        format!("created programme {}", json(p.title.translations())),
    )?;
    events::record(tx, Some(actor), now, e)?;
    Ok(p)
}

/// A programme the actor may see, with their role.
pub fn get(
    conn: &mut DbConn,
    actor: &Actor,
    id: ProgrammeId,
) -> Result<(Programme, ProgrammeRole), ApiError> {
    let p = load(conn, id)?;
    let role = authorize(programme(actor, &p.facts()), ProgrammeRight::Read)?;
    Ok((p, role))
}

/// One page of the programmes the actor may see (drafts only of their organisations'
/// programmes, the same rule as [`programme`]), in three statements.
pub fn list(
    conn: &mut DbConn,
    actor: &Actor,
    query: ProgrammeQuery,
    page: &PageRequest,
) -> Result<Page<Programme>, ApiError> {
    let filter = ProgrammeFilter {
        status: query.status,
        managing: query.managing,
        funder: query.funder,
        updated_since: query.updated_since,
    };
    Ok(store::list(conn, actor, &filter, page)?)
}

/// Edits a programme that is not closed (its managers).
pub fn update(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: ProgrammeId,
    patch: ProgrammePatch,
    if_match: Option<i64>,
    now: NaiveDateTime,
) -> Result<Programme, ApiError> {
    let current = load(tx, id)?;
    authorize(programme(actor, &current.facts()), ProgrammeRight::Manage)?;
    check_editable(current.status)?;
    let input = merge(&current, patch);
    check_programme(&input)?;
    if input.report_template != current.report_template {
        let used = store::has_reports(tx, id)?;
        current
            .report_template
            .check_change(&input.report_template, used)?;
    }
    check_organizations(tx, current.circle.managing, &input.funders)?;
    let p = store::update(tx, &current, if_match, &input, now)?;
    events::record(
        tx,
        Some(actor),
        now,
        event("programme.update", &p, "updated programme".into())?,
    )?;
    Ok(p)
}

/// The stored programme with `patch` laid over it.
fn merge(current: &Programme, patch: ProgrammePatch) -> ProgrammeInput<NaiveDate> {
    let base = current.input();
    ProgrammeInput {
        title: patch.title.unwrap_or(base.title),
        description: patch.description.unwrap_or(base.description),
        budget: patch.budget.unwrap_or(base.budget),
        starts_on: patch.starts_on.unwrap_or(base.starts_on),
        ends_on: patch.ends_on.unwrap_or(base.ends_on),
        regions: patch.regions.unwrap_or(base.regions),
        themes: patch.themes.unwrap_or(base.themes),
        funders: patch.funders.unwrap_or(base.funders),
        reporting: patch.reporting.unwrap_or(base.reporting),
        report_template: patch.report_template.unwrap_or(base.report_template),
    }
}

impl Machine for Programme {
    type Id = ProgrammeId;
    type State = ProgrammeStatus;
    type Loaded = Programme;
    type Output = Programme;
    type Input = ();

    fn load(tx: &mut Tx<'_>, id: ProgrammeId, _: NaiveDateTime) -> Result<Programme, ApiError> {
        load(tx, id)
    }

    fn authorize(actor: &Actor, p: &Programme, _: ProgrammeAction) -> Result<(), DomainError> {
        authorize(programme(actor, &p.facts()), ProgrammeRight::Manage).map(|_| ())
    }

    fn state(p: &Programme, _: NaiveDateTime) -> ProgrammeStatus {
        p.status
    }

    fn store(
        tx: &mut Tx<'_>,
        p: Programme,
        to: ProgrammeStatus,
        _input: (),
        if_match: Option<i64>,
        now: NaiveDateTime,
    ) -> Result<(Programme, Event), ApiError> {
        let p = store::set_status(tx, &p, if_match, to, now)?;
        let kind = match to {
            ProgrammeStatus::Active => "programme.activate",
            _ => "programme.close",
        };
        let e = event(kind, &p, String::new())?;
        Ok((p, e))
    }
}
