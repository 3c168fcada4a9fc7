//! Programme use cases: create, read, list, edit, and the `activate`/`close` transitions
//! (through [`crate::service::transition`]).

use crate::error::ApiError;
use crate::service::events::{self, Event};
use crate::service::transition::Machine;
use chrono::{NaiveDate, NaiveDateTime};
use seriktes_domain::access::programme::{
    Circle, ProgrammeFacts, ProgrammeRight, ProgrammeRole, programme,
};
use seriktes_domain::access::{Actor, authorize};
use seriktes_domain::ids::{OrganizationId, ProgrammeId};
use seriktes_domain::money::{Currency, Money};
use seriktes_domain::programme::{
    Funder, ProgrammeAction, ProgrammeInput, ProgrammeStatus, check_editable, check_programme,
};
use seriktes_domain::text::LocalizedText;
use seriktes_domain::{DomainError, FieldError};
use seriktes_persistence::db::Tx;
use seriktes_persistence::page::{Page, PageRequest};
use seriktes_persistence::programmes::{
    self as store, FunderRow, NewProgrammeRow, ProgrammeFields, ProgrammeFilter, ProgrammeRow,
};
use seriktes_persistence::{DbConn, StoreError, organizations, stored};

/// A programme with its funders, as read.
#[derive(Debug, Clone)]
pub struct Programme {
    /// Its id.
    pub id: ProgrammeId,
    /// The stored row (text fields hold JSON).
    pub row: ProgrammeRow,
    /// Its status.
    pub status: ProgrammeStatus,
    /// Its currency.
    pub currency: Currency,
    /// Funders with their names (JSON text).
    pub funders: Vec<(FunderRow, String)>,
    /// Its title, parsed once from the stored JSON.
    pub title: LocalizedText,
    /// Its description, parsed once from the stored JSON.
    pub description: Option<LocalizedText>,
    /// Its regions, parsed once from the stored JSON.
    pub regions: Vec<String>,
    /// Its themes, parsed once from the stored JSON.
    pub themes: Vec<String>,
    /// The funders' names, in the order of `funders`, parsed once from the stored JSON.
    pub funder_names: Vec<LocalizedText>,
    /// The organisations around it.
    pub circle: Circle,
}

impl Programme {
    /// The facts its access policy needs.
    pub fn facts(&self) -> ProgrammeFacts {
        ProgrammeFacts {
            circle: self.circle.clone(),
            draft: self.status == ProgrammeStatus::Draft,
        }
    }

    /// Its version (ETag).
    pub fn version(&self) -> i64 {
        self.row.version
    }
}

/// The circle of a stored programme.
pub fn circle_of(
    row: &ProgrammeRow,
    funders: &[(FunderRow, String)],
) -> Result<Circle, StoreError> {
    Ok(Circle {
        managing: stored::id(
            "programmes.managing_organization_id",
            &row.managing_organization_id,
            OrganizationId::parse,
        )?,
        funders: funders
            .iter()
            .map(|(f, _)| {
                stored::id(
                    "programme_funders.organization_id",
                    &f.organization_id,
                    OrganizationId::parse,
                )
            })
            .collect::<Result<_, _>>()?,
    })
}

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

/// Loads programmes with their funders: two statements for any number.
pub fn load_many(conn: &mut DbConn, rows: Vec<ProgrammeRow>) -> Result<Vec<Programme>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut funders = store::funders_of(conn, &ids)?;
    rows.into_iter()
        .map(|row| {
            let (mine, rest): (Vec<_>, Vec<_>) = funders
                .drain(..)
                .partition(|(f, _)| f.programme_id == row.id);
            funders = rest;
            Ok(Programme {
                circle: circle_of(&row, &mine)?,
                title: stored_text("programmes.title", &row.title)?,
                description: row
                    .description
                    .as_deref()
                    .map(|d| stored_text("programmes.description", d))
                    .transpose()?,
                regions: stored::json("programmes.regions", &row.regions)?,
                themes: stored::json("programmes.themes", &row.themes)?,
                funder_names: mine
                    .iter()
                    .map(|(_, name)| stored_text("organizations.name", name))
                    .collect::<Result<_, _>>()?,
                id: stored::id("programmes.id", &row.id, ProgrammeId::parse)?,
                status: stored::value("programmes.status", &row.status, ProgrammeStatus::parse)?,
                currency: stored::value("programmes.currency", &row.currency, Currency::parse)?,
                row,
                funders: mine,
            })
        })
        .collect()
}

/// Loads one programme with its funders.
pub fn load(conn: &mut DbConn, id: ProgrammeId) -> Result<Programme, ApiError> {
    let row = store::find(conn, &id.to_string())?;
    load_many(conn, vec![row])?.pop().ok_or(ApiError::NotFound)
}

fn fields(
    managing: OrganizationId,
    input: &ProgrammeInput<NaiveDate>,
) -> (ProgrammeFields, Vec<FunderRow>) {
    let fields = ProgrammeFields {
        title: json(input.title.translations()),
        description: input.description.as_ref().map(|d| json(d.translations())),
        managing_organization_id: managing.to_string(),
        currency: input.budget.currency().as_str().to_owned(),
        budget_minor: input.budget.minor(),
        starts_on: input.starts_on,
        ends_on: input.ends_on,
        regions: json(&input.regions),
        themes: json(&input.themes),
    };
    let funders = input
        .funders
        .iter()
        .map(|f| FunderRow {
            programme_id: String::new(),
            organization_id: f.organization.to_string(),
            committed_minor: f.committed.minor(),
        })
        .collect();
    (fields, funders)
}

/// JSON text of a value the store keeps as JSON (maps and lists of strings always serialise).
pub(crate) fn json<T: serde::Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// A stored multilingual text.
pub(crate) fn stored_text(column: &'static str, raw: &str) -> Result<LocalizedText, StoreError> {
    let map: std::collections::BTreeMap<String, String> = stored::json(column, raw)?;
    LocalizedText::parse(map, usize::MAX).map_err(|e| StoreError::Corrupt {
        column,
        reason: e.to_string(),
    })
}

/// Checks that every referenced organisation exists (422 naming the field otherwise).
fn check_organizations(
    conn: &mut DbConn,
    managing: OrganizationId,
    funders: &[Funder],
) -> Result<(), ApiError> {
    let mut exists = |id: OrganizationId| match organizations::find(conn, &id.to_string()) {
        Ok(_) => Ok(true),
        Err(StoreError::NotFound) => Ok(false),
        Err(e) => Err(ApiError::from(e)),
    };
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

fn stored_funders(tx: &mut Tx<'_>, id: &str, mut funders: Vec<FunderRow>) -> Result<(), ApiError> {
    for f in &mut funders {
        id.clone_into(&mut f.programme_id);
    }
    store::replace_funders(tx, id, &funders)?;
    Ok(())
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
    let id = ProgrammeId::from_uuid(uuid::Uuid::now_v7()).to_string();
    let (fields, funders) = fields(new.managing, &new.input);
    let row = store::insert(
        tx,
        &NewProgrammeRow {
            id: &id,
            status: ProgrammeStatus::Draft.as_str(),
            created_at: now,
            updated_at: now,
        },
        &fields,
    )?;
    stored_funders(tx, &id, funders)?;
    let p = load_many(tx, vec![row])?.pop().ok_or(ApiError::NotFound)?;
    let e = event(
        "programme.create",
        &p,
        format!("created programme {}", p.row.title),
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
        status: query.status.map(|s| s.as_str().to_owned()),
        managing_organization_id: query.managing.map(|o| o.to_string()),
        funder_organization_id: query.funder.map(|o| o.to_string()),
        updated_since: query.updated_since,
    };
    let p = store::list(conn, actor, &filter, page)?;
    Ok(Page {
        items: load_many(conn, p.items)?,
        next_after: p.next_after,
    })
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
    let input = merge(&current, patch)?;
    check_programme(&input)?;
    let managing = current.circle.managing;
    check_organizations(tx, managing, &input.funders)?;
    let (fields, funders) = fields(managing, &input);
    let row = store::update(tx, &current.row, if_match, &fields, now)?;
    stored_funders(tx, &current.row.id, funders)?;
    let p = load_many(tx, vec![row])?.pop().ok_or(ApiError::NotFound)?;
    events::record(
        tx,
        Some(actor),
        now,
        event("programme.update", &p, "updated programme".into())?,
    )?;
    Ok(p)
}

/// The stored programme with `patch` laid over it.
fn merge(
    current: &Programme,
    patch: ProgrammePatch,
) -> Result<ProgrammeInput<NaiveDate>, ApiError> {
    let row = &current.row;
    let text = stored_text;
    let funders = match patch.funders {
        Some(f) => f,
        None => current
            .funders
            .iter()
            .map(|(f, _)| {
                Ok(Funder {
                    organization: stored::id(
                        "programme_funders.organization_id",
                        &f.organization_id,
                        OrganizationId::parse,
                    )?,
                    committed: Money::from_minor(f.committed_minor, current.currency),
                })
            })
            .collect::<Result<_, StoreError>>()?,
    };
    Ok(ProgrammeInput {
        title: match patch.title {
            Some(t) => t,
            None => text("programmes.title", &row.title)?,
        },
        description: match patch.description {
            Some(d) => d,
            None => row
                .description
                .as_deref()
                .map(|d| text("programmes.description", d))
                .transpose()?,
        },
        budget: patch
            .budget
            .unwrap_or_else(|| Money::from_minor(row.budget_minor, current.currency)),
        starts_on: patch.starts_on.unwrap_or(row.starts_on),
        ends_on: patch.ends_on.unwrap_or(row.ends_on),
        regions: match patch.regions {
            Some(r) => r,
            None => stored::json("programmes.regions", &row.regions)?,
        },
        themes: match patch.themes {
            Some(t) => t,
            None => stored::json("programmes.themes", &row.themes)?,
        },
        funders,
    })
}

impl Machine for Programme {
    type Id = ProgrammeId;
    type State = ProgrammeStatus;
    type Loaded = Programme;
    type Output = Programme;

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
        if_match: Option<i64>,
        now: NaiveDateTime,
    ) -> Result<(Programme, Event), ApiError> {
        let row = store::set_status(tx, &p.row, if_match, to.as_str(), now)?;
        let p = Programme {
            status: to,
            row,
            ..p
        };
        let kind = match to {
            ProgrammeStatus::Active => "programme.activate",
            _ => "programme.close",
        };
        let e = event(kind, &p, String::new())?;
        Ok((p, e))
    }
}
