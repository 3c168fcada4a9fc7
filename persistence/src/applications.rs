//! Applications to calls: domain types in and out ([`Application`], [`ApplicationContext`]),
//! stored values parsed once; the rows stay in this module.

use crate::db::DbConn;
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::schema::{applications, call_committee, calls, organizations, programmes};
use crate::stored;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use seriktes_domain::access::Actor;
use seriktes_domain::access::application::ApplicationFacts;
use seriktes_domain::access::programme::Circle;
use seriktes_domain::application::{Application, ApplicationStatus, BudgetLine, Draft};
use seriktes_domain::call::CallStatus;
use seriktes_domain::ids::{ApplicationId, CallId, OrganizationId, ProgrammeId, UserId};
use seriktes_domain::money::{Currency, Money};
use seriktes_domain::text::LocalizedText;

/// A stored application; list fields hold JSON. Fields in the table's column order
/// (`RETURNING applications::all_columns` reads into it).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = applications)]
struct ApplicationRow {
    id: String,
    call_id: String,
    applicant_organization_id: String,
    /// JSON multilingual title.
    title: String,
    /// JSON multilingual summary.
    summary: String,
    /// ISO 4217 (the programme's).
    currency: String,
    requested_minor: i64,
    duration_months: i32,
    /// JSON array of ISO 3166-2 codes.
    regions: String,
    /// JSON array of target groups.
    target_groups: String,
    /// JSON array of `{category, description, amount_minor}`.
    budget_lines: String,
    /// JSON array of partner organisation ids.
    partner_organization_ids: String,
    status: String,
    submitted_at: Option<NaiveDateTime>,
    /// Incremented on every change (ETag).
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// The editable fields of an application, as stored.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = applications)]
struct ApplicationFields {
    title: String,
    summary: String,
    currency: String,
    requested_minor: i64,
    duration_months: i32,
    regions: String,
    target_groups: String,
    budget_lines: String,
    partner_organization_ids: String,
}

/// The columns of a new application besides its fields.
#[derive(Debug, Insertable)]
#[diesel(table_name = applications)]
struct NewApplicationRow<'a> {
    id: &'a str,
    call_id: &'a str,
    applicant_organization_id: &'a str,
    /// `draft`.
    status: &'a str,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// Refuses when `if_match` (when given) names another version than the one read.
fn check_version(
    current: &Application<NaiveDateTime>,
    if_match: Option<i64>,
) -> Result<(), StoreError> {
    if if_match.is_some_and(|v| v != current.version) {
        Err(StoreError::VersionMismatch)
    } else {
        Ok(())
    }
}

/// A budget line as stored in `applications.budget_lines` (the award reads the same form).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct StoredLine {
    category: String,
    description: String,
    amount_minor: i64,
}

/// An application with the facts its access policy and state machine need.
#[derive(Debug, Clone)]
pub struct ApplicationContext {
    /// The application.
    pub application: Application<NaiveDateTime>,
    /// Who may see and act on it.
    pub facts: ApplicationFacts,
    /// The call's programme.
    pub programme: ProgrammeId,
    /// The call's stored status (the deadline is applied by the caller).
    pub call_status: CallStatus,
    /// The call's deadline.
    pub call_closes_at: NaiveDateTime,
}

/// The domain form of a stored application.
fn to_domain(row: ApplicationRow) -> Result<Application<NaiveDateTime>, StoreError> {
    let currency = stored::value("applications.currency", &row.currency, Currency::parse)?;
    let lines: Vec<StoredLine> = stored::json("applications.budget_lines", &row.budget_lines)?;
    let partners: Vec<String> = stored::json(
        "applications.partner_organization_ids",
        &row.partner_organization_ids,
    )?;
    Ok(Application {
        id: stored::id("applications.id", &row.id, ApplicationId::parse)?,
        call: stored::id("applications.call_id", &row.call_id, CallId::parse)?,
        applicant: stored::id(
            "applications.applicant_organization_id",
            &row.applicant_organization_id,
            OrganizationId::parse,
        )?,
        draft: Draft {
            title: stored::json::<LocalizedText>("applications.title", &row.title)?,
            summary: stored::json::<LocalizedText>("applications.summary", &row.summary)?,
            requested: Money::from_minor(row.requested_minor, currency),
            duration_months: row.duration_months,
            regions: stored::json("applications.regions", &row.regions)?,
            target_groups: stored::json("applications.target_groups", &row.target_groups)?,
            budget_lines: lines
                .into_iter()
                .map(|l| BudgetLine {
                    category: l.category,
                    description: l.description,
                    amount: Money::from_minor(l.amount_minor, currency),
                })
                .collect(),
            partners: partners
                .iter()
                .map(|p| {
                    stored::id(
                        "applications.partner_organization_ids",
                        p,
                        OrganizationId::parse,
                    )
                })
                .collect::<Result<_, _>>()?,
        },
        status: stored::value("applications.status", &row.status, ApplicationStatus::parse)?,
        submitted_at: row.submitted_at,
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

fn json_text<T: serde::Serialize + ?Sized>(
    column: &'static str,
    value: &T,
) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt {
        column,
        reason: e.to_string(),
    })
}

fn fields_of(d: &Draft) -> Result<ApplicationFields, StoreError> {
    let lines: Vec<StoredLine> = d
        .budget_lines
        .iter()
        .map(|l| StoredLine {
            category: l.category.clone(),
            description: l.description.clone(),
            amount_minor: l.amount.minor(),
        })
        .collect();
    let partners: Vec<String> = d.partners.iter().map(ToString::to_string).collect();
    Ok(ApplicationFields {
        title: json_text("applications.title", &d.title)?,
        summary: json_text("applications.summary", &d.summary)?,
        currency: d.requested.currency().as_str().to_owned(),
        requested_minor: d.requested.minor(),
        duration_months: d.duration_months,
        regions: json_text("applications.regions", &d.regions)?,
        target_groups: json_text("applications.target_groups", &d.target_groups)?,
        budget_lines: json_text("applications.budget_lines", &lines)?,
        partner_organization_ids: json_text("applications.partner_organization_ids", &partners)?,
    })
}

/// Loads an application with its policy facts in two statements: the application joined
/// with its call and programme (and the programme's funders, `programmes.funder_ids`), the
/// call's committee.
pub fn load(conn: &mut DbConn, id: ApplicationId) -> Result<ApplicationContext, StoreError> {
    let (row, call_status, closes_at, programme, managing, funder_ids): (
        ApplicationRow,
        String,
        NaiveDateTime,
        String,
        String,
        Option<String>,
    ) = applications::table
        .inner_join(calls::table.inner_join(programmes::table))
        .filter(applications::id.eq(id.to_string()))
        .select((
            ApplicationRow::as_select(),
            calls::status,
            calls::closes_at,
            calls::programme_id,
            programmes::managing_organization_id,
            programmes::funder_ids,
        ))
        .first(conn)?;
    let funders = crate::programmes::funders_from_ids(funder_ids.as_deref())?;
    let committee: Vec<String> = call_committee::table
        .filter(call_committee::call_id.eq(&row.call_id))
        .select(call_committee::user_id)
        .load(conn)?;
    let application = to_domain(row)?;
    Ok(ApplicationContext {
        facts: ApplicationFacts {
            applicant: application.applicant,
            circle: Circle {
                managing: stored::id(
                    "programmes.managing_organization_id",
                    &managing,
                    OrganizationId::parse,
                )?,
                funders,
            },
            committee: committee
                .iter()
                .map(|u| stored::id("call_committee.user_id", u, UserId::parse))
                .collect::<Result<_, _>>()?,
            submitted: application.submitted_at.is_some(),
        },
        application,
        programme: stored::id("calls.programme_id", &programme, ProgrammeId::parse)?,
        call_status: stored::value("calls.status", &call_status, CallStatus::parse)?,
        call_closes_at: closes_at,
    })
}

/// A new draft.
#[derive(Debug)]
pub struct NewApplication<'a> {
    /// Its id.
    pub id: ApplicationId,
    /// The call.
    pub call: CallId,
    /// The applicant.
    pub applicant: OrganizationId,
    /// Its fields.
    pub draft: &'a Draft,
    /// Now.
    pub at: NaiveDateTime,
}

/// Inserts a draft; returns it as stored (`RETURNING`, one statement).
pub fn create(
    conn: &mut DbConn,
    new: &NewApplication<'_>,
) -> Result<Application<NaiveDateTime>, StoreError> {
    let (id, call, applicant) = (
        new.id.to_string(),
        new.call.to_string(),
        new.applicant.to_string(),
    );
    let row: ApplicationRow = diesel::insert_into(applications::table)
        .values((
            &NewApplicationRow {
                id: &id,
                call_id: &call,
                applicant_organization_id: &applicant,
                status: ApplicationStatus::Draft.as_str(),
                created_at: new.at,
                updated_at: new.at,
            },
            &fields_of(new.draft)?,
        ))
        .returning(applications::all_columns)
        .get_result(conn)?;
    to_domain(row)
}

/// Replaces a draft's fields if it is still at the version read (and at `if_match`); returns
/// it as stored (`RETURNING`, one statement).
pub fn save_draft(
    conn: &mut DbConn,
    current: &Application<NaiveDateTime>,
    if_match: Option<i64>,
    draft: &Draft,
    now: NaiveDateTime,
) -> Result<Application<NaiveDateTime>, StoreError> {
    check_version(current, if_match)?;
    let row: ApplicationRow = diesel::update(
        applications::table
            .find(current.id.to_string())
            .filter(applications::version.eq(current.version)),
    )
    .set((
        &fields_of(draft)?,
        applications::version.eq(current.version + 1),
        applications::updated_at.eq(now),
    ))
    .returning(applications::all_columns)
    .get_result(conn)
    .optional()?
    .ok_or(StoreError::WriteConflict)?;
    to_domain(row)
}

/// Moves an application to `status` if it is still at the version read (and at `if_match`);
/// `submitted_at` is kept unless a new one is given. Returns it as stored (`RETURNING`, one
/// statement).
pub fn move_to(
    conn: &mut DbConn,
    current: &Application<NaiveDateTime>,
    if_match: Option<i64>,
    status: ApplicationStatus,
    submitted_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Result<Application<NaiveDateTime>, StoreError> {
    check_version(current, if_match)?;
    let row: ApplicationRow = diesel::update(
        applications::table
            .find(current.id.to_string())
            .filter(applications::version.eq(current.version)),
    )
    .set((
        applications::status.eq(status.as_str()),
        applications::submitted_at.eq(submitted_at.or(current.submitted_at)),
        applications::version.eq(current.version + 1),
        applications::updated_at.eq(now),
    ))
    .returning(applications::all_columns)
    .get_result(conn)
    .optional()?
    .ok_or(StoreError::WriteConflict)?;
    to_domain(row)
}

/// How many applications a call has, in any status.
pub fn count_of_call(conn: &mut DbConn, call: CallId) -> Result<i64, StoreError> {
    Ok(applications::table
        .filter(applications::call_id.eq(call.to_string()))
        .count()
        .get_result(conn)?)
}

/// Every application to a call in one of `statuses` (a call has tens to hundreds), by id, in
/// one statement.
pub fn of_call(
    conn: &mut DbConn,
    call: CallId,
    statuses: &[ApplicationStatus],
) -> Result<Vec<Application<NaiveDateTime>>, StoreError> {
    let statuses: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
    let rows: Vec<ApplicationRow> = applications::table
        .filter(applications::call_id.eq(call.to_string()))
        .filter(applications::status.eq_any(statuses))
        .select(ApplicationRow::as_select())
        .order(applications::id.asc())
        .load(conn)?;
    rows.into_iter().map(to_domain).collect()
}

/// Which of `ids` name no organisation.
pub fn missing_organizations(
    conn: &mut DbConn,
    ids: &[OrganizationId],
) -> Result<Vec<OrganizationId>, StoreError> {
    let raw: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let found: Vec<String> = organizations::table
        .filter(organizations::id.eq_any(&raw))
        .select(organizations::id)
        .load(conn)?;
    Ok(ids
        .iter()
        .filter(|i| !found.contains(&i.to_string()))
        .copied()
        .collect())
}

/// Filters of [`page_for`].
#[derive(Debug, Default)]
pub struct ListFilter {
    /// Only applications to this call.
    pub call: Option<CallId>,
    /// Only this applicant.
    pub applicant: Option<OrganizationId>,
    /// Only this status.
    pub status: Option<ApplicationStatus>,
    /// Only those changed at or after this time.
    pub updated_since: Option<NaiveDateTime>,
}

/// One page of the applications `actor` may see, filtered in SQL by the rule of
/// `domain::access::application`: the actor's organisations' own, and, once submitted, those
/// of calls whose programme the actor's organisations run or fund (as owner or manager) or
/// whose committee the actor sits on. Admins see all.
pub fn page_for(
    conn: &mut DbConn,
    actor: &Actor,
    filter: &ListFilter,
    page: &PageRequest,
) -> Result<Page<Application<NaiveDateTime>>, StoreError> {
    let mut q = applications::table
        .select(ApplicationRow::as_select())
        .into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(applications::id.gt(after.clone()));
    }
    if let Some(c) = filter.call {
        q = q.filter(applications::call_id.eq(c.to_string()));
    }
    if let Some(o) = filter.applicant {
        q = q.filter(applications::applicant_organization_id.eq(o.to_string()));
    }
    if let Some(s) = filter.status {
        q = q.filter(applications::status.eq(s.as_str()));
    }
    if let Some(visible) = crate::visibility::applications(actor) {
        q = q.filter(visible);
    }
    if let Some(since) = filter.updated_since {
        q = q.filter(applications::updated_at.ge(since));
    }
    let rows = q
        .order(applications::id.asc())
        .limit(page.fetch_limit())
        .load(conn)?;
    let rows = Page::from_rows(rows, page, |r: &ApplicationRow| r.id.clone());
    Ok(Page {
        items: rows
            .items
            .into_iter()
            .map(to_domain)
            .collect::<Result<_, _>>()?,
        next_after: rows.next_after,
    })
}
