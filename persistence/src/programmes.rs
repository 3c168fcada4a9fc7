//! Programmes and their funders.

use crate::db::DbConn;
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::requirements;
use crate::schema::{organizations, programme_funders, programmes};
use crate::stored;
use crate::visibility;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use seriktes_domain::access::Actor;
use seriktes_domain::access::programme::Circle;
use seriktes_domain::ids::{OrganizationId, ProgrammeId};
use seriktes_domain::money::{Currency, Money};
use seriktes_domain::programme::{Programme, ProgrammeFunder, ProgrammeInput, ProgrammeStatus};
use seriktes_domain::report::Template;

/// A stored programme. `title`/`description` are JSON multilingual text, `regions`/`themes` JSON arrays.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = programmes)]
struct ProgrammeRow {
    /// UUID.
    id: String,
    /// JSON multilingual title.
    title: String,
    /// JSON multilingual description.
    description: Option<String>,
    /// The organisation that runs it.
    managing_organization_id: String,
    /// ISO 4217.
    currency: String,
    /// Budget in minor units.
    budget_minor: i64,
    /// First day.
    starts_on: NaiveDate,
    /// Last day.
    ends_on: NaiveDate,
    /// JSON array of ISO 3166-2 codes.
    regions: String,
    /// JSON array of theme tags.
    themes: String,
    /// `draft`, `active` or `closed`.
    status: String,
    /// Incremented on every change (ETag).
    version: i64,
    /// When created (UTC).
    created_at: NaiveDateTime,
    /// When last changed (UTC).
    updated_at: NaiveDateTime,
    /// The funders' ids, comma-separated (migration 000010): `RETURNING all_columns` reads it,
    /// grant loads use it, this module only writes it.
    #[expect(
        dead_code,
        reason = "read by RETURNING all_columns; grant loads select it themselves"
    )]
    funder_ids: Option<String>,
    /// The reporting schedule's frequency (migration 000015).
    reporting_frequency: String,
    /// Whether a final report is due.
    reporting_final_report: bool,
    /// Days after a period's end that a report is due.
    reporting_due_days: i32,
    /// JSON report template (migration 000018).
    report_template: String,
    /// The results stamp (migration 000022): `RETURNING all_columns` reads it, `results` uses it.
    #[expect(
        dead_code,
        reason = "read by RETURNING all_columns; the results module selects it itself"
    )]
    results_stamp: i64,
}

/// The editable fields of a programme, as stored.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = programmes, treat_none_as_null = true)]
struct ProgrammeFields {
    /// JSON multilingual title.
    title: String,
    /// JSON multilingual description.
    description: Option<String>,
    /// The organisation that runs it.
    managing_organization_id: String,
    /// ISO 4217.
    currency: String,
    /// Budget in minor units.
    budget_minor: i64,
    /// First day.
    starts_on: NaiveDate,
    /// Last day.
    ends_on: NaiveDate,
    /// JSON array of regions.
    regions: String,
    /// JSON array of themes.
    themes: String,
    /// The reporting schedule's frequency.
    reporting_frequency: String,
    /// Whether a final report is due.
    reporting_final_report: bool,
    /// Days after a period's end that a report is due.
    reporting_due_days: i32,
    /// JSON report template.
    report_template: String,
}

/// A programme to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = programmes)]
struct NewProgrammeRow<'a> {
    /// UUID.
    id: &'a str,
    /// `draft`.
    status: &'a str,
    /// When created (UTC).
    created_at: NaiveDateTime,
    /// Same as `created_at`.
    updated_at: NaiveDateTime,
}

/// One funder's commitment.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = programme_funders)]
struct FunderRow {
    /// Programme UUID.
    programme_id: String,
    /// Funding organisation UUID.
    organization_id: String,
    /// Committed amount in minor units of the programme's currency.
    committed_minor: i64,
}

/// The fields of `fields` that differ from `current`: an update writes only these.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = programmes)]
struct ProgrammeChanges {
    title: Option<String>,
    description: Option<Option<String>>,
    managing_organization_id: Option<String>,
    currency: Option<String>,
    budget_minor: Option<i64>,
    starts_on: Option<NaiveDate>,
    ends_on: Option<NaiveDate>,
    regions: Option<String>,
    themes: Option<String>,
    reporting_frequency: Option<String>,
    reporting_final_report: Option<bool>,
    reporting_due_days: Option<i32>,
    report_template: Option<String>,
}

impl ProgrammeChanges {
    fn between(current: &ProgrammeFields, fields: &ProgrammeFields) -> Self {
        fn changed<T: PartialEq + Clone>(old: &T, new: &T) -> Option<T> {
            (old != new).then(|| new.clone())
        }
        Self {
            title: changed(&current.title, &fields.title),
            description: changed(&current.description, &fields.description),
            managing_organization_id: changed(
                &current.managing_organization_id,
                &fields.managing_organization_id,
            ),
            currency: changed(&current.currency, &fields.currency),
            budget_minor: changed(&current.budget_minor, &fields.budget_minor),
            starts_on: changed(&current.starts_on, &fields.starts_on),
            ends_on: changed(&current.ends_on, &fields.ends_on),
            regions: changed(&current.regions, &fields.regions),
            themes: changed(&current.themes, &fields.themes),
            reporting_frequency: changed(&current.reporting_frequency, &fields.reporting_frequency),
            reporting_final_report: changed(
                &current.reporting_final_report,
                &fields.reporting_final_report,
            ),
            reporting_due_days: changed(&current.reporting_due_days, &fields.reporting_due_days),
            report_template: changed(&current.report_template, &fields.report_template),
        }
    }
}

/// The stored fields of a programme's input.
fn fields(managing: OrganizationId, input: &ProgrammeInput<NaiveDate>) -> ProgrammeFields {
    let (reporting_frequency, reporting_final_report, reporting_due_days) =
        requirements::schedule_columns(&input.reporting);
    ProgrammeFields {
        title: stored::to_json(input.title.translations()),
        description: input
            .description
            .as_ref()
            .map(|d| stored::to_json(d.translations())),
        managing_organization_id: managing.to_string(),
        currency: input.budget.currency().as_str().to_owned(),
        budget_minor: input.budget.minor(),
        starts_on: input.starts_on,
        ends_on: input.ends_on,
        regions: stored::to_json(&input.regions),
        themes: stored::to_json(&input.themes),
        reporting_frequency,
        reporting_final_report,
        reporting_due_days,
        report_template: stored::to_json(&input.report_template),
    }
}

/// Reads stored programmes back with their funders (`funders` ordered by programme), parsing
/// every stored value once.
fn build(
    rows: Vec<ProgrammeRow>,
    mut funders: Vec<ProgrammeFunder>,
) -> Result<Vec<Programme>, StoreError> {
    rows.into_iter()
        .map(|row| {
            let id = stored::id("programmes.id", &row.id, ProgrammeId::parse)?;
            let (mine, rest): (Vec<_>, Vec<_>) = funders.drain(..).partition(|f| f.programme == id);
            funders = rest;
            programme(id, row, mine)
        })
        .collect()
}

fn programme(
    id: ProgrammeId,
    row: ProgrammeRow,
    funders: Vec<ProgrammeFunder>,
) -> Result<Programme, StoreError> {
    let currency = stored::value("programmes.currency", &row.currency, Currency::parse)?;
    Ok(Programme {
        id,
        circle: Circle {
            managing: stored::id(
                "programmes.managing_organization_id",
                &row.managing_organization_id,
                OrganizationId::parse,
            )?,
            funders: funders.iter().map(|f| f.organization).collect(),
        },
        title: stored::text("programmes.title", &row.title)?,
        description: row
            .description
            .as_deref()
            .map(|d| stored::text("programmes.description", d))
            .transpose()?,
        budget: Money::from_minor(row.budget_minor, currency),
        starts_on: row.starts_on,
        ends_on: row.ends_on,
        regions: stored::json("programmes.regions", &row.regions)?,
        themes: stored::json("programmes.themes", &row.themes)?,
        status: stored::value("programmes.status", &row.status, ProgrammeStatus::parse)?,
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
        funders,
        reporting: requirements::schedule_from(
            "programmes.reporting_frequency",
            &row.reporting_frequency,
            row.reporting_final_report,
            row.reporting_due_days,
        )?,
        report_template: stored::template("programmes.report_template", &row.report_template)?,
    })
}

/// Inserts a draft programme with its funders and reads its funders back (one statement for
/// the programme, the funders' replacement, one for the funders read).
pub fn insert(
    conn: &mut DbConn,
    id: ProgrammeId,
    managing: OrganizationId,
    input: &ProgrammeInput<NaiveDate>,
    now: NaiveDateTime,
) -> Result<Programme, StoreError> {
    let raw_id = id.to_string();
    let row: ProgrammeRow = diesel::insert_into(programmes::table)
        .values((
            &NewProgrammeRow {
                id: &raw_id,
                status: ProgrammeStatus::Draft.as_str(),
                created_at: now,
                updated_at: now,
            },
            &fields(managing, input),
        ))
        .returning(programmes::all_columns)
        .get_result(conn)?;
    replace_funders(conn, id, input)?;
    let funders = funders_of(conn, &[id])?;
    programme(id, row, funders)
}

/// Refuses when `expected` (when given) names another version than the one read.
fn check_version(current: &Programme, expected: Option<i64>) -> Result<(), StoreError> {
    if expected.is_some_and(|v| v != current.version) {
        Err(StoreError::VersionMismatch)
    } else {
        Ok(())
    }
}

/// Finds a programme with its funders (two statements).
pub fn find(conn: &mut DbConn, id: ProgrammeId) -> Result<Programme, StoreError> {
    let row: ProgrammeRow = programmes::table
        .find(id.to_string())
        .select(ProgrammeRow::as_select())
        .first(conn)?;
    let funders = funders_of(conn, &[id])?;
    programme(id, row, funders)
}

/// Whether any report of the programme's grants has been saved (one statement): its report
/// template is then in use.
pub fn has_reports(conn: &mut DbConn, id: ProgrammeId) -> Result<bool, StoreError> {
    use crate::schema::{grants, reports};
    let used = diesel::select(diesel::dsl::exists(
        reports::table
            .inner_join(grants::table)
            .filter(grants::programme_id.eq(id.to_string())),
    ))
    .get_result(conn)?;
    Ok(used)
}

/// What a programme's report forms are checked against: the template of narrative sections
/// and the regions (the categories of the region dimension).
#[derive(Debug, Clone)]
pub struct ReportForm {
    /// The narrative sections.
    pub template: Template,
    /// ISO 3166-2 regions.
    pub regions: Vec<String>,
}

/// The programme's [`ReportForm`] (one statement).
pub fn report_form(conn: &mut DbConn, id: ProgrammeId) -> Result<ReportForm, StoreError> {
    let (template, regions): (String, String) = programmes::table
        .find(id.to_string())
        .select((programmes::report_template, programmes::regions))
        .first(conn)?;
    Ok(ReportForm {
        template: stored::template("programmes.report_template", &template)?,
        regions: stored::json("programmes.regions", &regions)?,
    })
}

/// A programme's currency (one statement).
pub fn currency(conn: &mut DbConn, id: ProgrammeId) -> Result<Currency, StoreError> {
    let raw: String = programmes::table
        .find(id.to_string())
        .select(programmes::currency)
        .first(conn)?;
    stored::value("programmes.currency", &raw, Currency::parse)
}

/// Filters for [`list`].
#[derive(Debug, Default)]
pub struct ProgrammeFilter {
    /// Only this status.
    pub status: Option<ProgrammeStatus>,
    /// Only programmes run by this organisation.
    pub managing: Option<OrganizationId>,
    /// Only programmes this organisation funds.
    pub funder: Option<OrganizationId>,
    /// Only programmes changed at or after this time.
    pub updated_since: Option<NaiveDateTime>,
}

/// One page of the programmes `viewer` may see ([`visibility::programmes`]), by id, with their
/// funders (two statements).
pub fn list(
    conn: &mut DbConn,
    viewer: &Actor,
    filter: &ProgrammeFilter,
    page: &PageRequest,
) -> Result<Page<Programme>, StoreError> {
    let mut q = programmes::table
        .select(ProgrammeRow::as_select())
        .into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(programmes::id.gt(after.clone()));
    }
    if let Some(s) = filter.status {
        q = q.filter(programmes::status.eq(s.as_str()));
    }
    if let Some(org) = filter.managing {
        q = q.filter(programmes::managing_organization_id.eq(org.to_string()));
    }
    if let Some(org) = filter.funder {
        let funded = programme_funders::table
            .filter(programme_funders::organization_id.eq(org.to_string()))
            .select(programme_funders::programme_id);
        q = q.filter(programmes::id.eq_any(funded));
    }
    if let Some(visible) = visibility::programmes(viewer) {
        q = q.filter(visible);
    }
    if let Some(since) = filter.updated_since {
        q = q.filter(programmes::updated_at.ge(since));
    }
    let rows = q
        .order(programmes::id.asc())
        .limit(page.fetch_limit())
        .load(conn)?;
    let page = Page::from_rows(rows, page, |r: &ProgrammeRow| r.id.clone());
    let ids = page
        .items
        .iter()
        .map(|r| stored::id("programmes.id", &r.id, ProgrammeId::parse))
        .collect::<Result<Vec<_>, _>>()?;
    let funders = funders_of(conn, &ids)?;
    Ok(Page {
        items: build(page.items, funders)?,
        next_after: page.next_after,
    })
}

/// Writes the editable fields that differ from `current` and replaces the funders if the
/// programme is still at the version read and `expected_version` (when given) names it;
/// returns the stored programme.
pub fn update(
    conn: &mut DbConn,
    current: &Programme,
    expected_version: Option<i64>,
    input: &ProgrammeInput<NaiveDate>,
    now: NaiveDateTime,
) -> Result<Programme, StoreError> {
    check_version(current, expected_version)?;
    let managing = current.circle.managing;
    let changes = ProgrammeChanges::between(
        &fields(managing, &current.input()),
        &fields(managing, input),
    );
    let row: ProgrammeRow = diesel::update(
        programmes::table
            .find(current.id.to_string())
            .filter(programmes::version.eq(current.version)),
    )
    .set((
        changes,
        programmes::version.eq(current.version + 1),
        programmes::updated_at.eq(now),
    ))
    .returning(programmes::all_columns)
    .get_result(conn)
    .optional()?
    .ok_or(StoreError::WriteConflict)?;
    replace_funders(conn, current.id, input)?;
    let funders = funders_of(conn, &[current.id])?;
    programme(current.id, row, funders)
}

/// Sets the status if the programme is still at the version read and `expected_version` (when
/// given) names it; returns the stored programme (its funders unchanged).
pub fn set_status(
    conn: &mut DbConn,
    current: &Programme,
    expected_version: Option<i64>,
    status: ProgrammeStatus,
    now: NaiveDateTime,
) -> Result<Programme, StoreError> {
    check_version(current, expected_version)?;
    let row: ProgrammeRow = diesel::update(
        programmes::table
            .find(current.id.to_string())
            .filter(programmes::version.eq(current.version)),
    )
    .set((
        programmes::status.eq(status.as_str()),
        programmes::version.eq(current.version + 1),
        programmes::updated_at.eq(now),
    ))
    .returning(programmes::all_columns)
    .get_result(conn)
    .optional()?
    .ok_or(StoreError::WriteConflict)?;
    programme(current.id, row, current.funders.clone())
}

/// The funders of some programmes with each funder's name, ordered by programme then
/// organisation: one query for a whole page.
pub fn funders_of(
    conn: &mut DbConn,
    programme_ids: &[ProgrammeId],
) -> Result<Vec<ProgrammeFunder>, StoreError> {
    let ids: Vec<String> = programme_ids.iter().map(ToString::to_string).collect();
    let rows: Vec<(FunderRow, String)> = programme_funders::table
        .inner_join(organizations::table)
        .filter(programme_funders::programme_id.eq_any(ids))
        .select((FunderRow::as_select(), organizations::name))
        .order((
            programme_funders::programme_id.asc(),
            programme_funders::organization_id.asc(),
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(f, name)| {
            Ok(ProgrammeFunder {
                programme: stored::id(
                    "programme_funders.programme_id",
                    &f.programme_id,
                    ProgrammeId::parse,
                )?,
                organization: stored::id(
                    "programme_funders.organization_id",
                    &f.organization_id,
                    OrganizationId::parse,
                )?,
                name: stored::text("organizations.name", &name)?,
                committed_minor: f.committed_minor,
            })
        })
        .collect()
}

/// Replaces a programme's funders with those of `input` (rows inserted one by one:
/// MultiConnection has no batch insert).
fn replace_funders(
    conn: &mut DbConn,
    id: ProgrammeId,
    input: &ProgrammeInput<NaiveDate>,
) -> Result<(), StoreError> {
    let programme_id = id.to_string();
    diesel::delete(
        programme_funders::table.filter(programme_funders::programme_id.eq(&programme_id)),
    )
    .execute(conn)?;
    let mut ids = Vec::with_capacity(input.funders.len());
    for f in &input.funders {
        let organization_id = f.organization.to_string();
        diesel::insert_into(programme_funders::table)
            .values(&FunderRow {
                programme_id: programme_id.clone(),
                organization_id: organization_id.clone(),
                committed_minor: f.committed.minor(),
            })
            .execute(conn)?;
        ids.push(organization_id);
    }
    diesel::update(programmes::table.find(&programme_id))
        .set(programmes::funder_ids.eq(ids.join(",")))
        .execute(conn)?;
    Ok(())
}

/// The funders named by a `programmes.funder_ids` value that a query read alongside its rows
/// (a grant's or an application's access facts need them).
pub(crate) fn funders_from_ids(
    funder_ids: Option<&str>,
) -> Result<Vec<OrganizationId>, StoreError> {
    let csv = funder_ids.ok_or_else(|| StoreError::Corrupt {
        column: "programmes.funder_ids",
        reason: "NULL: the backfill that runs after migrations has not filled it".into(),
    })?;
    csv.split(',')
        .filter(|s| !s.is_empty())
        .map(|s| stored::id("programmes.funder_ids", s, OrganizationId::parse))
        .collect()
}

/// Fills `programmes.funder_ids` where it is NULL (rows written other than through this
/// module). Idempotent: runs after every migration.
pub fn backfill_funder_ids(conn: &mut DbConn) -> Result<(), StoreError> {
    diesel::sql_query(
        "UPDATE programmes SET funder_ids = COALESCE((SELECT string_agg(f.organization_id, ',') \
         FROM programme_funders f WHERE f.programme_id = programmes.id), '') \
         WHERE funder_ids IS NULL",
    )
    .execute(conn)?;
    Ok(())
}

/// Some programmes, by id, with their funders, in two statements.
pub fn find_many(conn: &mut DbConn, ids: &[ProgrammeId]) -> Result<Vec<Programme>, StoreError> {
    let raw: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let rows: Vec<ProgrammeRow> = programmes::table
        .filter(programmes::id.eq_any(raw))
        .select(ProgrammeRow::as_select())
        .order(programmes::id.asc())
        .load(conn)?;
    let funders = funders_of(conn, ids)?;
    build(rows, funders)
}
