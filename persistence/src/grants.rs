//! Grants, their budget lines, amendments and disbursements (tranches).
//!
//! A grant, or a page of grants, is loaded with the facts its access policy needs (the
//! programme's managing organisation and funders), its tranche sums and its budget lines in one
//! statement (a diesel query, no `sql("…")` fragments, so PostgreSQL prepares it once per
//! connection). The sums and the lines come from the grant's own row (`committed_minor`,
//! `paid_minor`, `lines_json`): this module is the only writer of tranches and budget lines and
//! updates those columns with every change, in the same transaction; `tests/api/grants.rs`
//! checks them against the tables they copy.

use crate::db::{Backend, DbConn};
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::schema::{
    applications, calls, disbursements, grant_amendments, grant_budget_lines, grants,
    organizations, programmes,
};
use crate::stored;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Integer, Nullable, Text};
use seriktes_domain::access::Actor;
use seriktes_domain::access::grant::GrantFacts;
use seriktes_domain::access::programme::Circle;
use seriktes_domain::application::{ApplicationStatus, BudgetLine as ApplicationLine};
use seriktes_domain::budget::BudgetLine;
use seriktes_domain::call::CallStatus;
use seriktes_domain::grant::{AmendmentChanges, Change, DisbursementStatus, GrantStatus};
use seriktes_domain::ids::{
    AmendmentId, ApplicationId, BudgetLineId, CallId, DisbursementId, GrantId, OrganizationId,
    ProgrammeId, RequirementId, UserId,
};
use seriktes_domain::money::{Currency, Money};
use seriktes_domain::reporting::ReportingSchedule;
use seriktes_domain::text::LocalizedText;

/// A grant as the domain sees it.
pub type Grant = seriktes_domain::grant::Grant<NaiveDate, NaiveDateTime>;

/// A grant with its policy facts and tranche sums.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The grant, with its budget lines.
    pub grant: Grant,
    /// What the access policy needs.
    pub facts: GrantFacts,
    /// Tranches not cancelled.
    pub committed: Money,
    /// Tranches paid.
    pub paid: Money,
}

/// A stored grant as read. `committed_minor`, `paid_minor` and `lines_json` are the read
/// columns of migration 000009: this module writes them with every tranche and budget-line
/// change. Ids are read as UUIDs, without a `String` each.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = grants)]
pub(crate) struct GrantRow {
    id: stored::Uuid,
    application_id: stored::Uuid,
    call_id: stored::Uuid,
    programme_id: stored::Uuid,
    grantee_organization_id: stored::Uuid,
    mentor_organization_id: Option<stored::Uuid>,
    currency: String,
    amount_minor: i64,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    status: String,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    committed_minor: i64,
    paid_minor: i64,
    lines_json: Option<String>,
}

/// A grant to insert (the legacy `budget_lines` column keeps its default).
#[derive(Debug, Insertable)]
#[diesel(table_name = grants)]
struct NewGrantRow {
    id: String,
    application_id: String,
    call_id: String,
    programme_id: String,
    grantee_organization_id: String,
    mentor_organization_id: Option<String>,
    currency: String,
    amount_minor: i64,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    status: String,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    committed_minor: i64,
    paid_minor: i64,
    lines_json: Option<String>,
}

/// The load query of a grant: its row, its programme's managing organisation and funders
/// (`programmes.funder_ids`, comma-separated). The same text on both backends.
macro_rules! loaded_query {
    () => {
        grants::table.inner_join(programmes::table).select((
            GrantRow::as_select(),
            programmes::managing_organization_id,
            programmes::funder_ids,
        ))
    };
}

fn currency(raw: &str) -> Result<Currency, StoreError> {
    stored::value("grants.currency", raw, Currency::parse)
}

/// A budget line in `grants.lines_json` (the array is in position order).
#[derive(serde::Serialize, serde::Deserialize, Queryable)]
struct LineJson {
    id: stored::Uuid,
    category: String,
    description: String,
    amount_minor: i64,
}

/// `grants.lines_json` of `lines`.
fn lines_json(lines: &[BudgetLine]) -> String {
    let items: Vec<LineJson> = lines
        .iter()
        .map(|l| LineJson {
            id: stored::Uuid(l.id.uuid()),
            category: l.category.clone(),
            description: l.description.clone(),
            amount_minor: l.amount.minor(),
        })
        .collect();
    stored::to_json(&items)
}

fn lines_from(json: Option<&str>, cur: Currency) -> Result<Vec<BudgetLine>, StoreError> {
    let json = json.ok_or_else(|| StoreError::Corrupt {
        column: "grants.lines_json",
        reason: "NULL: the backfill that runs after migrations has not filled it".into(),
    })?;
    let lines: Vec<LineJson> = stored::json("grants.lines_json", json)?;
    Ok(lines
        .into_iter()
        .map(|l| BudgetLine {
            id: BudgetLineId::from_uuid(l.id.0),
            category: l.category,
            description: l.description,
            amount: Money::from_minor(l.amount_minor, cur),
        })
        .collect())
}

fn to_loaded(
    g: GrantRow,
    managing: stored::Uuid,
    funders: Vec<OrganizationId>,
) -> Result<Loaded, StoreError> {
    let cur = currency(&g.currency)?;
    let grantee = OrganizationId::from_uuid(g.grantee_organization_id.0);
    let mentor = g
        .mentor_organization_id
        .map(|m| OrganizationId::from_uuid(m.0));
    let facts = GrantFacts {
        circle: Circle {
            managing: OrganizationId::from_uuid(managing.0),
            funders,
        },
        grantee,
        mentor,
    };
    let grant = Grant {
        id: GrantId::from_uuid(g.id.0),
        application: ApplicationId::from_uuid(g.application_id.0),
        call: CallId::from_uuid(g.call_id.0),
        programme: ProgrammeId::from_uuid(g.programme_id.0),
        grantee,
        mentor,
        amount: Money::from_minor(g.amount_minor, cur),
        starts_on: g.starts_on,
        ends_on: g.ends_on,
        budget_lines: lines_from(g.lines_json.as_deref(), cur)?,
        status: stored::value("grants.status", &g.status, GrantStatus::parse)?,
        version: g.version,
        created_at: g.created_at,
        updated_at: g.updated_at,
    };
    Ok(Loaded {
        grant,
        facts,
        committed: Money::from_minor(g.committed_minor, cur),
        paid: Money::from_minor(g.paid_minor, cur),
    })
}

/// A grant row with its programme's managing organisation and funders (comma-separated).
pub(crate) type LoadedRow = (GrantRow, stored::Uuid, Option<String>);

pub(crate) fn from_row((g, managing, funder_ids): LoadedRow) -> Result<Loaded, StoreError> {
    let funders = crate::programmes::funders_from_ids(funder_ids.as_deref())?;
    to_loaded(g, managing, funders)
}

/// A grant with its facts, sums and budget lines, in one statement.
pub fn find(conn: &mut DbConn, id: GrantId) -> Result<Loaded, StoreError> {
    // A static query on the backend's own connection: found in its statement cache by type,
    // without writing its SQL (see `db::DbConn`).
    let id = id.to_string();
    from_row(crate::on_backend!(conn, |c| loaded_query!()
        .filter(grants::id.eq(id))
        .first(c))?)
}

/// Filters for [`list`].
#[derive(Debug, Default)]
pub struct GrantFilter {
    /// Only grants of this programme.
    pub programme_id: Option<String>,
    /// Only grants of this call.
    pub call_id: Option<String>,
    /// Only this grantee.
    pub grantee_organization_id: Option<String>,
    /// Only this status.
    pub status: Option<String>,
    /// Only grants changed at or after this time.
    pub updated_since: Option<NaiveDateTime>,
}

impl GrantFilter {
    /// Whether no filter is set.
    pub fn is_empty(&self) -> bool {
        self.programme_id.is_none()
            && self.call_id.is_none()
            && self.grantee_organization_id.is_none()
            && self.status.is_none()
            && self.updated_since.is_none()
    }
}

/// One page of the grants `viewer` may see (`visibility::grants`), by id, with their facts,
/// sums and budget lines: one statement.
pub fn list(
    conn: &mut DbConn,
    viewer: &Actor,
    filter: &GrantFilter,
    page: &PageRequest,
) -> Result<Page<Loaded>, StoreError> {
    let rows: Vec<LoadedRow> = if filter.is_empty() && !viewer.is_admin() {
        // The page most callers ask for: a static query on the backend's own connection,
        // found in its statement cache by type (the boxed one below has its SQL written on
        // every call). Every id is greater than "", so the first page needs no other shape.
        let after = page.after.clone().unwrap_or_default();
        let visible = crate::visibility::grants_of(viewer.user_id());
        crate::on_backend!(conn, |c| loaded_query!()
            .filter(grants::id.gt(after))
            .filter(visible)
            .order(grants::id.asc())
            .limit(page.fetch_limit())
            .load(c))?
    } else {
        let mut q = loaded_query!().into_boxed();
        if let Some(after) = &page.after {
            q = q.filter(grants::id.gt(after.clone()));
        }
        if let Some(p) = &filter.programme_id {
            q = q.filter(grants::programme_id.eq(p.clone()));
        }
        if let Some(c) = &filter.call_id {
            q = q.filter(grants::call_id.eq(c.clone()));
        }
        if let Some(o) = &filter.grantee_organization_id {
            q = q.filter(grants::grantee_organization_id.eq(o.clone()));
        }
        if let Some(s) = &filter.status {
            q = q.filter(grants::status.eq(s.clone()));
        }
        if let Some(visible) = crate::visibility::grants(viewer) {
            q = q.filter(visible);
        }
        if let Some(since) = filter.updated_since {
            q = q.filter(grants::updated_at.ge(since));
        }
        q.order(grants::id.asc())
            .limit(page.fetch_limit())
            .load(conn)?
    };
    let page = Page::from_rows(rows, page, |r| r.0.id.0.to_string());
    let items = page
        .items
        .into_iter()
        .map(from_row)
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Page {
        items,
        next_after: page.next_after,
    })
}

/// What an award needs to know, loaded in one statement.
#[derive(Debug, Clone)]
pub struct AwardSource {
    /// The application's status.
    pub application_status: ApplicationStatus,
    /// Its version.
    pub application_version: i64,
    /// The applicant.
    pub applicant: OrganizationId,
    /// Amount requested.
    pub requested: Money,
    /// Project duration.
    pub duration_months: i32,
    /// The application's budget lines, in its currency.
    pub budget_lines: Vec<ApplicationLine>,
    /// The call.
    pub call: CallId,
    /// The call's stored status (the caller applies the deadline).
    pub call_status: CallStatus,
    /// The call's deadline.
    pub closes_at: NaiveDateTime,
    /// The call's envelope.
    pub envelope: Money,
    /// Awarded in the call so far.
    pub awarded: Money,
    /// The programme.
    pub programme: ProgrammeId,
    /// Its organisations.
    pub circle: Circle,
    /// Whether the named mentor exists (`true` when none was named).
    pub mentor_exists: bool,
    /// The call's reporting schedule, if it states one.
    pub call_reporting: Option<ReportingSchedule>,
    /// The programme's reporting schedule.
    pub programme_reporting: ReportingSchedule,
}

#[derive(QueryableByName)]
struct AwardRow {
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = BigInt)]
    version: i64,
    #[diesel(sql_type = Text)]
    applicant: String,
    #[diesel(sql_type = Text)]
    currency: String,
    #[diesel(sql_type = BigInt)]
    requested_minor: i64,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    duration_months: i32,
    #[diesel(sql_type = Text)]
    budget_lines: String,
    #[diesel(sql_type = Text)]
    call_id: String,
    #[diesel(sql_type = Text)]
    call_status: String,
    #[diesel(sql_type = diesel::sql_types::Timestamp)]
    closes_at: NaiveDateTime,
    #[diesel(sql_type = BigInt)]
    envelope_minor: i64,
    #[diesel(sql_type = Text)]
    programme_id: String,
    #[diesel(sql_type = Text)]
    managing: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    funders: Option<String>,
    #[diesel(sql_type = BigInt)]
    awarded: i64,
    #[diesel(sql_type = BigInt)]
    mentors: i64,
    #[diesel(sql_type = Nullable<Text>)]
    call_frequency: Option<String>,
    #[diesel(sql_type = Nullable<Bool>)]
    call_final_report: Option<bool>,
    #[diesel(sql_type = Nullable<Integer>)]
    call_due_days: Option<i32>,
    #[diesel(sql_type = Text)]
    programme_frequency: String,
    #[diesel(sql_type = Bool)]
    programme_final_report: bool,
    #[diesel(sql_type = Integer)]
    programme_due_days: i32,
}

/// The application, its call and programme (with their reporting schedules), the call's awards
/// so far and whether `mentor` exists, in one statement. On PostgreSQL the same statement locks the call's row
/// (`FOR UPDATE OF c`), so concurrent awards in one call are checked against the envelope one
/// after the other (SQLite's `BEGIN IMMEDIATE` already serialises writers).
pub fn award_source(
    conn: &mut DbConn,
    id: ApplicationId,
    mentor: Option<OrganizationId>,
) -> Result<AwardSource, StoreError> {
    let lock = match conn.backend() {
        Backend::Postgres => " FOR UPDATE OF c",
        Backend::Sqlite => "",
    };
    let query = format!(
        "SELECT a.status, a.version, a.applicant_organization_id AS applicant, a.currency, \
         a.requested_minor, a.duration_months, a.budget_lines, c.id AS call_id, \
         c.status AS call_status, c.closes_at, c.envelope_minor, c.programme_id, \
         p.managing_organization_id AS managing, p.funder_ids AS funders, \
         (SELECT CAST(COALESCE(SUM(g.amount_minor), 0) AS BIGINT) FROM grants g \
          WHERE g.call_id = c.id) AS awarded, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM organizations o WHERE o.id = $1) AS mentors, \
         c.reporting_frequency AS call_frequency, c.reporting_final_report AS call_final_report, \
         c.reporting_due_days AS call_due_days, p.reporting_frequency AS programme_frequency, \
         p.reporting_final_report AS programme_final_report, \
         p.reporting_due_days AS programme_due_days \
         FROM applications a JOIN calls c ON c.id = a.call_id \
         JOIN programmes p ON p.id = c.programme_id \
         WHERE a.id = $2 AND a.status <> 'draft'{lock}"
    );
    // SQLite numbers `$n` parameters in order of appearance: keep `$1` before `$2`.
    let rows: Vec<AwardRow> = diesel::sql_query(query)
        .bind::<Text, _>(mentor.map(|m| m.to_string()).unwrap_or_default())
        .bind::<Text, _>(id.to_string())
        .load(conn)?;
    let r = rows.into_iter().next().ok_or(StoreError::NotFound)?;
    let cur = stored::value("applications.currency", &r.currency, Currency::parse)?;
    let lines: Vec<StoredLine> = stored::json("applications.budget_lines", &r.budget_lines)?;
    Ok(AwardSource {
        application_status: stored::value(
            "applications.status",
            &r.status,
            ApplicationStatus::parse,
        )?,
        application_version: r.version,
        applicant: stored::id(
            "applications.applicant_organization_id",
            &r.applicant,
            OrganizationId::parse,
        )?,
        requested: Money::from_minor(r.requested_minor, cur),
        duration_months: r.duration_months,
        budget_lines: lines
            .into_iter()
            .map(|l| ApplicationLine {
                category: l.category,
                description: l.description,
                amount: Money::from_minor(l.amount_minor, cur),
            })
            .collect(),
        call: stored::id("calls.id", &r.call_id, CallId::parse)?,
        call_status: stored::value("calls.status", &r.call_status, CallStatus::parse)?,
        closes_at: r.closes_at,
        envelope: Money::from_minor(r.envelope_minor, cur),
        awarded: Money::from_minor(r.awarded, cur),
        programme: stored::id("calls.programme_id", &r.programme_id, ProgrammeId::parse)?,
        circle: Circle {
            managing: stored::id(
                "programmes.managing_organization_id",
                &r.managing,
                OrganizationId::parse,
            )?,
            funders: crate::programmes::funders_from_ids(r.funders.as_deref())?,
        },
        mentor_exists: mentor.is_none() || r.mentors > 0,
        call_reporting: crate::requirements::call_schedule_from(
            r.call_frequency.as_deref(),
            r.call_final_report,
            r.call_due_days,
        )?,
        programme_reporting: crate::requirements::schedule_from(
            "programmes.reporting_frequency",
            &r.programme_frequency,
            r.programme_final_report,
            r.programme_due_days,
        )?,
    })
}

/// Sets an application's status if it is still at `version`.
pub fn set_application_status(
    conn: &mut DbConn,
    id: ApplicationId,
    version: i64,
    status: ApplicationStatus,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    let n = diesel::update(
        applications::table
            .find(id.to_string())
            .filter(applications::version.eq(version)),
    )
    .set((
        applications::status.eq(status.as_str()),
        applications::version.eq(version + 1),
        applications::updated_at.eq(now),
    ))
    .execute(conn)?;
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::WriteConflict)
    }
}

/// One budget-line row as `insert_many!` takes it: a tuple of `column.eq(value)`.
type LineValues = (
    diesel::dsl::Eq<grant_budget_lines::id, String>,
    diesel::dsl::Eq<grant_budget_lines::grant_id, String>,
    diesel::dsl::Eq<grant_budget_lines::position, i32>,
    diesel::dsl::Eq<grant_budget_lines::category, String>,
    diesel::dsl::Eq<grant_budget_lines::description, String>,
    diesel::dsl::Eq<grant_budget_lines::amount_minor, i64>,
);

/// The rows of a grant's budget lines.
fn line_rows(grant: GrantId, lines: &[BudgetLine]) -> Vec<LineValues> {
    lines
        .iter()
        .zip(0_i32..)
        .map(|(l, position)| {
            (
                grant_budget_lines::id.eq(l.id.to_string()),
                grant_budget_lines::grant_id.eq(grant.to_string()),
                grant_budget_lines::position.eq(position),
                grant_budget_lines::category.eq(l.category.clone()),
                grant_budget_lines::description.eq(l.description.clone()),
                grant_budget_lines::amount_minor.eq(l.amount.minor()),
            )
        })
        .collect()
}

/// Inserts a grant and its budget lines (two statements).
pub fn insert(conn: &mut DbConn, g: &Grant) -> Result<(), StoreError> {
    diesel::insert_into(grants::table)
        .values(&NewGrantRow {
            id: g.id.to_string(),
            application_id: g.application.to_string(),
            call_id: g.call.to_string(),
            programme_id: g.programme.to_string(),
            grantee_organization_id: g.grantee.to_string(),
            mentor_organization_id: g.mentor.map(|m| m.to_string()),
            currency: g.amount.currency().as_str().to_owned(),
            amount_minor: g.amount.minor(),
            starts_on: g.starts_on,
            ends_on: g.ends_on,
            status: g.status.as_str().to_owned(),
            version: g.version,
            created_at: g.created_at,
            updated_at: g.updated_at,
            committed_minor: 0,
            paid_minor: 0,
            lines_json: Some(lines_json(&g.budget_lines)),
        })
        .execute(conn)?;
    let rows = line_rows(g.id, &g.budget_lines);
    crate::insert_many!(conn, grant_budget_lines::table, rows);
    Ok(())
}

/// Replaces a grant's budget lines (ids kept by the caller) and their copy on the grant's row.
pub fn replace_lines(
    conn: &mut DbConn,
    grant: GrantId,
    lines: &[BudgetLine],
) -> Result<(), StoreError> {
    diesel::delete(
        grant_budget_lines::table.filter(grant_budget_lines::grant_id.eq(grant.to_string())),
    )
    .execute(conn)?;
    let rows = line_rows(grant, lines);
    crate::insert_many!(conn, grant_budget_lines::table, rows);
    diesel::update(grants::table.find(grant.to_string()))
        .set(grants::lines_json.eq(lines_json(lines)))
        .execute(conn)?;
    Ok(())
}

/// What a tranche in `status` adds to its grant's (committed, paid) sums.
fn tranche_sums(status: DisbursementStatus, amount: i64) -> (i64, i64) {
    let committed = if status.counts_against_amount() {
        amount
    } else {
        0
    };
    let paid = if status == DisbursementStatus::Paid {
        amount
    } else {
        0
    };
    (committed, paid)
}

/// Adds to a grant's stored tranche sums.
fn add_to_sums(
    conn: &mut DbConn,
    grant: GrantId,
    (committed, paid): (i64, i64),
) -> Result<(), StoreError> {
    if (committed, paid) != (0, 0) {
        diesel::update(grants::table.find(grant.to_string()))
            .set((
                grants::committed_minor.eq(grants::committed_minor + committed),
                grants::paid_minor.eq(grants::paid_minor + paid),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Changes to a grant; only what is `Some` is written.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = grants)]
pub struct GrantChanges {
    /// New mentor (`Some(None)` clears it).
    pub mentor_organization_id: Option<Option<String>>,
    /// New amount.
    pub amount_minor: Option<i64>,
    /// New first day.
    pub starts_on: Option<NaiveDate>,
    /// New last day.
    pub ends_on: Option<NaiveDate>,
    /// New status.
    pub status: Option<String>,
}

/// Applies changes if the grant is still at the version read (and at `expected_version`, when
/// given); returns the new version.
pub fn update(
    conn: &mut DbConn,
    id: GrantId,
    version: i64,
    expected_version: Option<i64>,
    changes: &GrantChanges,
    now: NaiveDateTime,
) -> Result<i64, StoreError> {
    update_versioned!(
        conn,
        grants,
        id.to_string(),
        version,
        expected_version,
        now,
        changes
    )?;
    Ok(version + 1)
}

/// An amendment as the domain sees it.
pub type Amendment = seriktes_domain::grant::Amendment<NaiveDate, NaiveDateTime>;

/// A stored amendment as read.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = grant_amendments)]
struct AmendmentRow {
    id: stored::Uuid,
    grant_id: stored::Uuid,
    reason: String,
    changes: String,
    actor_id: Option<stored::Uuid>,
    created_at: NaiveDateTime,
}

/// An amendment to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = grant_amendments)]
struct NewAmendmentRow {
    id: String,
    grant_id: String,
    reason: String,
    changes: String,
    actor_id: Option<String>,
    created_at: NaiveDateTime,
}

/// A value before and after, in `grant_amendments.changes`.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredChange<V> {
    from: V,
    to: V,
}

/// `grant_amendments.changes`: `{field: {"from": …, "to": …}}` for the fields changed, amounts
/// as decimal text in the grant's currency, dates as `YYYY-MM-DD`.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredChanges {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    amount: Option<StoredChange<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    budget_lines: Option<StoredChange<Vec<StoredAmendedLine>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ends_on: Option<StoredChange<NaiveDate>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    starts_on: Option<StoredChange<NaiveDate>>,
}

/// A budget line in `grant_amendments.changes`.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredAmendedLine {
    amount: String,
    category: String,
    description: String,
    id: stored::Uuid,
}

fn change_of<V, S>(c: &Change<V>, f: impl Fn(&V) -> S) -> StoredChange<S> {
    StoredChange {
        from: f(&c.from),
        to: f(&c.to),
    }
}

fn change_from<S, V>(
    c: StoredChange<S>,
    mut f: impl FnMut(S) -> Result<V, StoreError>,
) -> Result<Change<V>, StoreError> {
    Ok(Change {
        from: f(c.from)?,
        to: f(c.to)?,
    })
}

/// The stored form of `changes`.
fn changes_json(changes: &AmendmentChanges<NaiveDate>) -> String {
    let lines = |lines: &Vec<BudgetLine>| {
        lines
            .iter()
            .map(|l| StoredAmendedLine {
                amount: l.amount.amount_string(),
                category: l.category.clone(),
                description: l.description.clone(),
                id: stored::Uuid(l.id.uuid()),
            })
            .collect()
    };
    stored::to_json(&StoredChanges {
        amount: changes
            .amount
            .as_ref()
            .map(|c| change_of(c, Money::amount_string)),
        budget_lines: changes.budget_lines.as_ref().map(|c| change_of(c, lines)),
        ends_on: changes.ends_on.as_ref().map(|c| change_of(c, |d| *d)),
        starts_on: changes.starts_on.as_ref().map(|c| change_of(c, |d| *d)),
    })
}

/// Reads `grant_amendments.changes` of a grant in `cur`.
fn changes_from(raw: &str, cur: Currency) -> Result<AmendmentChanges<NaiveDate>, StoreError> {
    const COLUMN: &str = "grant_amendments.changes";
    let amount = |a: String| stored::value(COLUMN, &a, |a| Money::parse(a, cur));
    let lines = |lines: Vec<StoredAmendedLine>| {
        lines
            .into_iter()
            .map(|l| {
                Ok(BudgetLine {
                    id: BudgetLineId::from_uuid(l.id.0),
                    category: l.category,
                    description: l.description,
                    amount: amount(l.amount)?,
                })
            })
            .collect()
    };
    let c: StoredChanges = stored::json(COLUMN, raw)?;
    Ok(AmendmentChanges {
        amount: c.amount.map(|c| change_from(c, amount)).transpose()?,
        starts_on: c.starts_on.map(|c| change_from(c, Ok)).transpose()?,
        ends_on: c.ends_on.map(|c| change_from(c, Ok)).transpose()?,
        budget_lines: c.budget_lines.map(|c| change_from(c, lines)).transpose()?,
    })
}

/// Records an amendment.
pub fn insert_amendment(conn: &mut DbConn, a: &Amendment) -> Result<(), StoreError> {
    diesel::insert_into(grant_amendments::table)
        .values(&NewAmendmentRow {
            id: a.id.to_string(),
            grant_id: a.grant.to_string(),
            reason: a.reason.clone(),
            changes: changes_json(&a.changes),
            actor_id: a.actor.map(|u| u.to_string()),
            created_at: a.created_at,
        })
        .execute(conn)?;
    Ok(())
}

/// One page of the amendments of a grant in `cur`, oldest first; `since` filters by creation
/// time.
pub fn amendments(
    conn: &mut DbConn,
    grant: GrantId,
    cur: Currency,
    since: Option<NaiveDateTime>,
    page: &PageRequest,
) -> Result<Page<Amendment>, StoreError> {
    let mut q = grant_amendments::table
        .filter(grant_amendments::grant_id.eq(grant.to_string()))
        .select(AmendmentRow::as_select())
        .into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(grant_amendments::id.gt(after.clone()));
    }
    if let Some(since) = since {
        q = q.filter(grant_amendments::created_at.ge(since));
    }
    let rows: Vec<AmendmentRow> = q
        .order(grant_amendments::id.asc())
        .limit(page.fetch_limit())
        .load(conn)?;
    let page = Page::from_rows(rows, page, |r| r.id.0.to_string());
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(|r| {
                Ok(Amendment {
                    id: AmendmentId::from_uuid(r.id.0),
                    grant: GrantId::from_uuid(r.grant_id.0),
                    reason: r.reason,
                    changes: changes_from(&r.changes, cur)?,
                    actor: r.actor_id.map(|u| UserId::from_uuid(u.0)),
                    created_at: r.created_at,
                })
            })
            .collect::<Result<_, StoreError>>()?,
        next_after: page.next_after,
    })
}

/// A tranche as the domain sees it.
pub type Disbursement = seriktes_domain::grant::Disbursement<NaiveDate, NaiveDateTime>;

/// A stored tranche.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = disbursements)]
struct DisbursementRow {
    id: String,
    grant_id: String,
    amount_minor: i64,
    planned_on: NaiveDate,
    condition: Option<String>,
    status: String,
    paid_on: Option<NaiveDate>,
    payment_reference: Option<String>,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    requirement_id: Option<String>,
}

impl DisbursementRow {
    fn of(d: &Disbursement) -> Self {
        Self {
            id: d.id.to_string(),
            grant_id: d.grant.to_string(),
            amount_minor: d.amount.minor(),
            planned_on: d.planned_on,
            condition: d.condition.clone(),
            status: d.status.as_str().to_owned(),
            paid_on: d.paid_on,
            payment_reference: d.payment_reference.clone(),
            version: d.version,
            created_at: d.created_at,
            updated_at: d.updated_at,
            requirement_id: d.requirement.map(|r| r.to_string()),
        }
    }

    fn into_domain(self, cur: Currency) -> Result<Disbursement, StoreError> {
        Ok(Disbursement {
            id: stored::id("disbursements.id", &self.id, DisbursementId::parse)?,
            grant: stored::id("disbursements.grant_id", &self.grant_id, GrantId::parse)?,
            amount: Money::from_minor(self.amount_minor, cur),
            planned_on: self.planned_on,
            condition: self.condition,
            requirement: self
                .requirement_id
                .map(|r| stored::id("disbursements.requirement_id", &r, RequirementId::parse))
                .transpose()?,
            status: stored::value(
                "disbursements.status",
                &self.status,
                DisbursementStatus::parse,
            )?,
            paid_on: self.paid_on,
            payment_reference: self.payment_reference,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// Inserts a tranche.
pub fn insert_disbursement(conn: &mut DbConn, d: &Disbursement) -> Result<(), StoreError> {
    diesel::insert_into(disbursements::table)
        .values(&DisbursementRow::of(d))
        .execute(conn)?;
    add_to_sums(conn, d.grant, tranche_sums(d.status, d.amount.minor()))
}

/// Finds a tranche (in its grant's currency, read in the same statement).
pub fn find_disbursement(
    conn: &mut DbConn,
    id: DisbursementId,
) -> Result<Disbursement, StoreError> {
    let (row, cur): (DisbursementRow, String) = disbursements::table
        .inner_join(grants::table)
        .filter(disbursements::id.eq(id.to_string()))
        .select((DisbursementRow::as_select(), grants::currency))
        .first(conn)?;
    row.into_domain(currency(&cur)?)
}

/// One page of a grant's tranches in its currency, by id (creation order); `since` filters by
/// last change.
pub fn disbursements_of(
    conn: &mut DbConn,
    grant: GrantId,
    cur: Currency,
    since: Option<NaiveDateTime>,
    page: &PageRequest,
) -> Result<Page<Disbursement>, StoreError> {
    let mut q = disbursements::table
        .filter(disbursements::grant_id.eq(grant.to_string()))
        .select(DisbursementRow::as_select())
        .into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(disbursements::id.gt(after.clone()));
    }
    if let Some(since) = since {
        q = q.filter(disbursements::updated_at.ge(since));
    }
    let rows: Vec<DisbursementRow> = q
        .order(disbursements::id.asc())
        .limit(page.fetch_limit())
        .load(conn)?;
    let page = Page::from_rows(rows, page, |r| r.id.clone());
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(|r| r.into_domain(cur))
            .collect::<Result<_, _>>()?,
        next_after: page.next_after,
    })
}

/// Stores a tranche's new status (and, for a payment, its date and reference) in one update,
/// if it is still at the version read and at `expected_version`; returns the new version.
pub fn set_disbursement_status(
    conn: &mut DbConn,
    current: &Disbursement,
    expected_version: Option<i64>,
    status: DisbursementStatus,
    payment: Option<(NaiveDate, String)>,
    now: NaiveDateTime,
) -> Result<i64, StoreError> {
    let (paid_on, reference) = match payment {
        Some((d, r)) => (Some(d), Some(r)),
        None => (current.paid_on, current.payment_reference.clone()),
    };
    update_versioned!(
        conn,
        disbursements,
        current.id.to_string(),
        current.version,
        expected_version,
        now,
        disbursements::status.eq(status.as_str()),
        disbursements::paid_on.eq(paid_on),
        disbursements::payment_reference.eq(reference),
    )?;
    let amount = current.amount.minor();
    let (before, after) = (
        tranche_sums(current.status, amount),
        tranche_sums(status, amount),
    );
    add_to_sums(
        conn,
        current.grant,
        (after.0 - before.0, after.1 - before.1),
    )?;
    Ok(current.version + 1)
}

/// An id with the multilingual name or title it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named<I> {
    /// The id.
    pub id: I,
    /// Its name or title.
    pub name: LocalizedText,
}

/// A grant as published to everyone, with its grantee, programme, call and project texts.
#[derive(Debug, Clone)]
pub struct Published {
    /// The grant.
    pub id: GrantId,
    /// Amount.
    pub amount: Money,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Status.
    pub status: GrantStatus,
    /// When awarded.
    pub awarded_at: NaiveDateTime,
    /// The grantee.
    pub grantee: Named<OrganizationId>,
    /// The programme.
    pub programme: Named<ProgrammeId>,
    /// The call.
    pub call: Named<CallId>,
    /// The project's title (the application's).
    pub title: LocalizedText,
    /// The project's summary (the application's).
    pub summary: LocalizedText,
}

/// A published grant as read: ids as UUIDs, status and currency as stored, texts as JSON.
#[derive(Debug, Queryable)]
struct PublicRow {
    id: stored::Uuid,
    amount_minor: i64,
    currency: String,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    status: String,
    created_at: NaiveDateTime,
    grantee_id: stored::Uuid,
    grantee_name: String,
    programme_id: stored::Uuid,
    programme_title: String,
    call_id: stored::Uuid,
    call_title: String,
    title: String,
    summary: String,
}

impl PublicRow {
    fn published(self) -> Result<Published, StoreError> {
        let text = |column, raw: &str| stored::json::<LocalizedText>(column, raw);
        Ok(Published {
            id: GrantId::from_uuid(self.id.0),
            amount: Money::from_minor(self.amount_minor, currency(&self.currency)?),
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            status: stored::value("grants.status", &self.status, GrantStatus::parse)?,
            awarded_at: self.created_at,
            grantee: Named {
                id: OrganizationId::from_uuid(self.grantee_id.0),
                name: text("organizations.name", &self.grantee_name)?,
            },
            programme: Named {
                id: ProgrammeId::from_uuid(self.programme_id.0),
                name: text("programmes.title", &self.programme_title)?,
            },
            call: Named {
                id: CallId::from_uuid(self.call_id.0),
                name: text("calls.title", &self.call_title)?,
            },
            title: text("applications.title", &self.title)?,
            summary: text("applications.summary", &self.summary)?,
        })
    }
}

/// One page of grants for the public list (of one programme, if given), with grantee,
/// programme, call and application texts joined (one statement).
pub fn public_page(
    conn: &mut DbConn,
    programme: Option<ProgrammeId>,
    page: &PageRequest,
) -> Result<Page<Published>, StoreError> {
    let mut q = grants::table
        .inner_join(programmes::table)
        .inner_join(organizations::table.on(organizations::id.eq(grants::grantee_organization_id)))
        .inner_join(calls::table.on(calls::id.eq(grants::call_id)))
        .inner_join(applications::table.on(applications::id.eq(grants::application_id)))
        .select((
            grants::id,
            grants::amount_minor,
            grants::currency,
            grants::starts_on,
            grants::ends_on,
            grants::status,
            grants::created_at,
            organizations::id,
            organizations::name,
            programmes::id,
            programmes::title,
            calls::id,
            calls::title,
            applications::title,
            applications::summary,
        ))
        .into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(grants::id.gt(after.clone()));
    }
    if let Some(p) = programme {
        q = q.filter(grants::programme_id.eq(p.to_string()));
    }
    let rows: Vec<PublicRow> = q
        .order(grants::id.asc())
        .limit(page.fetch_limit())
        .load(conn)?;
    let page = Page::from_rows(rows, page, |r| r.id.0.to_string());
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(PublicRow::published)
            .collect::<Result<_, _>>()?,
        next_after: page.next_after,
    })
}

/// Locks a grant's row until the transaction ends. Serialises tranches and amendments against
/// the grant amount.
pub fn lock(conn: &mut DbConn, id: GrantId) -> Result<(), StoreError> {
    diesel::update(grants::table.find(id.to_string()))
        .set(grants::version.eq(grants::version))
        .execute(conn)?;
    Ok(())
}

#[derive(serde::Deserialize)]
struct StoredLine {
    category: String,
    description: String,
    amount_minor: i64,
}

/// Reads budget lines stored as JSON (`[{"category","description","amount_minor"}]`) with
/// fresh ids from `new_id`.
fn lines_from_json(
    column: &'static str,
    raw: &str,
    cur: Currency,
    mut new_id: impl FnMut() -> BudgetLineId,
) -> Result<Vec<BudgetLine>, StoreError> {
    let lines: Vec<StoredLine> = stored::json(column, raw)?;
    Ok(lines
        .into_iter()
        .map(|l| BudgetLine {
            id: new_id(),
            category: l.category,
            description: l.description,
            amount: Money::from_minor(l.amount_minor, cur),
        })
        .collect())
}

/// Copies the budget lines of grants that have none in `grant_budget_lines` from the legacy
/// `grants.budget_lines` JSON, then fills `grants.lines_json` where it is still NULL (grants
/// stored before migration 000009). Idempotent: runs after every migration.
pub fn backfill_budget_lines(conn: &mut DbConn) -> Result<(), StoreError> {
    let todo: Vec<(String, String, String)> = grants::table
        .filter(diesel::dsl::not(diesel::dsl::exists(
            grant_budget_lines::table.filter(grant_budget_lines::grant_id.eq(grants::id)),
        )))
        .filter(grants::budget_lines.ne("[]"))
        .select((grants::id, grants::currency, grants::budget_lines))
        .load(conn)?;
    for (id, cur, json) in todo {
        let grant = stored::id("grants.id", &id, GrantId::parse)?;
        let lines = lines_from_json("grants.budget_lines", &json, currency(&cur)?, || {
            BudgetLineId::from_uuid(uuid::Uuid::now_v7())
        })?;
        let rows = line_rows(grant, &lines);
        crate::insert_many!(conn, grant_budget_lines::table, rows);
    }
    // Grants stored before migration 000009: every line of them in one query, by grant.
    let unfilled = grants::table
        .filter(grants::lines_json.is_null())
        .select(grants::id);
    let ids: Vec<String> = unfilled.order(grants::id).load(conn)?;
    let lines: Vec<(String, LineJson)> = grant_budget_lines::table
        .filter(grant_budget_lines::grant_id.eq_any(unfilled))
        .order((grant_budget_lines::grant_id, grant_budget_lines::position))
        .select((
            grant_budget_lines::grant_id,
            (
                grant_budget_lines::id,
                grant_budget_lines::category,
                grant_budget_lines::description,
                grant_budget_lines::amount_minor,
            ),
        ))
        .load(conn)?;
    let mut lines = lines.into_iter().peekable();
    for id in ids {
        let mut mine = Vec::new();
        while let Some((_, line)) = lines.next_if(|(g, _)| *g <= id) {
            mine.push(line);
        }
        diesel::update(grants::table.find(&id))
            .set(grants::lines_json.eq(stored::to_json(&mine)))
            .execute(conn)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amendment_changes_are_read_and_written_in_the_stored_form() {
        // As the use case wrote them before they were typed (serde_json's sorted keys).
        let stored = r#"{"amount":{"from":"3846.00","to":"4346.00"},"budget_lines":{"from":[{"amount":"3846.00","category":"staff","description":"Lawyer","id":"0193a0c4-e200-7000-8000-000000000001"}],"to":[{"amount":"3846.00","category":"staff","description":"Lawyer","id":"0193a0c4-e200-7000-8000-000000000001"},{"amount":"500.00","category":"events","description":"Seminar","id":"0193a0c4-e200-7000-8000-000000000002"}]},"ends_on":{"from":"2027-03-31","to":"2027-04-30"}}"#;
        let eur = Currency::parse("EUR").unwrap();
        let changes = changes_from(stored, eur).unwrap();
        assert_eq!(
            changes.amount,
            Some(Change {
                from: Money::from_minor(384_600, eur),
                to: Money::from_minor(434_600, eur)
            })
        );
        assert_eq!(changes.starts_on, None);
        assert_eq!(
            changes
                .ends_on
                .as_ref()
                .map(|c| (c.from.to_string(), c.to.to_string())),
            Some(("2027-03-31".into(), "2027-04-30".into()))
        );
        let lines = changes.budget_lines.clone().unwrap();
        assert_eq!((lines.from.len(), lines.to.len()), (1, 2));
        assert_eq!(lines.to[1].amount, Money::from_minor(50_000, eur));
        assert_eq!(changes_json(&changes), stored);
    }

    #[test]
    fn amendment_changes_of_another_shape_are_corrupt() {
        let eur = Currency::parse("EUR").unwrap();
        for bad in [
            r#"{"mentor":{"from":"a","to":"b"}}"#,
            r#"{"amount":{"from":"12.345","to":"1.00"}}"#,
            r#"{"budget_lines":{"from":[{"category":"staff","description":"Lawyer","amount_minor":100}],"to":[]}}"#,
        ] {
            assert!(
                matches!(
                    changes_from(bad, eur),
                    Err(StoreError::Corrupt {
                        column: "grant_amendments.changes",
                        ..
                    })
                ),
                "{bad}"
            );
        }
    }
}
