//! Applications to calls.

use crate::db::DbConn;
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::schema::{
    applications, call_committee, calls, organizations, programme_funders, programmes,
};
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

/// A stored application; list fields hold JSON.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = applications)]
pub struct ApplicationRow {
    /// UUID.
    pub id: String,
    /// The call.
    pub call_id: String,
    /// The applying organisation.
    pub applicant_organization_id: String,
    /// JSON multilingual title.
    pub title: String,
    /// JSON multilingual summary.
    pub summary: String,
    /// ISO 4217 (the programme's).
    pub currency: String,
    /// Requested amount, minor units.
    pub requested_minor: i64,
    /// Project duration, months.
    pub duration_months: i32,
    /// JSON array of ISO 3166-2 codes.
    pub regions: String,
    /// JSON array of target groups.
    pub target_groups: String,
    /// JSON array of `{category, description, amount_minor}`.
    pub budget_lines: String,
    /// JSON array of partner organisation ids.
    pub partner_organization_ids: String,
    /// Workflow status.
    pub status: String,
    /// When submitted (UTC).
    pub submitted_at: Option<NaiveDateTime>,
    /// Incremented on every change (ETag).
    pub version: i64,
    /// When created (UTC).
    pub created_at: NaiveDateTime,
    /// When last changed (UTC).
    pub updated_at: NaiveDateTime,
}

/// The editable fields of an application.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = applications)]
pub struct ApplicationFields {
    /// JSON multilingual title.
    pub title: String,
    /// JSON multilingual summary.
    pub summary: String,
    /// ISO 4217.
    pub currency: String,
    /// Requested amount, minor units.
    pub requested_minor: i64,
    /// Months.
    pub duration_months: i32,
    /// JSON array.
    pub regions: String,
    /// JSON array.
    pub target_groups: String,
    /// JSON array.
    pub budget_lines: String,
    /// JSON array.
    pub partner_organization_ids: String,
}

/// An application to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = applications)]
pub struct NewApplicationRow<'a> {
    /// UUID.
    pub id: &'a str,
    /// The call.
    pub call_id: &'a str,
    /// The applicant.
    pub applicant_organization_id: &'a str,
    /// `draft`.
    pub status: &'a str,
    /// When created (UTC).
    pub created_at: NaiveDateTime,
    /// Same as `created_at`.
    pub updated_at: NaiveDateTime,
}

/// Inserts an application.
pub fn insert(
    conn: &mut DbConn,
    row: &NewApplicationRow<'_>,
    fields: &ApplicationFields,
) -> Result<ApplicationRow, StoreError> {
    diesel::insert_into(applications::table)
        .values((row, fields))
        .execute(conn)?;
    find(conn, row.id)
}

/// Finds an application.
pub fn find(conn: &mut DbConn, id: &str) -> Result<ApplicationRow, StoreError> {
    Ok(applications::table
        .find(id)
        .select(ApplicationRow::as_select())
        .first(conn)?)
}

/// Filters for [`list`].
#[derive(Debug, Default)]
pub struct ApplicationFilter<'a> {
    /// Only what this caller may see (`visibility::applications`); `None`: everything.
    pub viewer: Option<&'a Actor>,
    /// Only applications to this call.
    pub call_id: Option<String>,
    /// Only this applicant.
    pub applicant_organization_id: Option<String>,
    /// Only this status.
    pub status: Option<String>,
    /// Only applications changed at or after this time.
    pub updated_since: Option<NaiveDateTime>,
}

/// One page of applications, by id.
pub fn list(
    conn: &mut DbConn,
    filter: &ApplicationFilter<'_>,
    page: &PageRequest,
) -> Result<Page<ApplicationRow>, StoreError> {
    let mut q = applications::table
        .select(ApplicationRow::as_select())
        .into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(applications::id.gt(after.clone()));
    }
    if let Some(c) = &filter.call_id {
        q = q.filter(applications::call_id.eq(c.clone()));
    }
    if let Some(o) = &filter.applicant_organization_id {
        q = q.filter(applications::applicant_organization_id.eq(o.clone()));
    }
    if let Some(s) = &filter.status {
        q = q.filter(applications::status.eq(s.clone()));
    }
    if let Some(visible) = filter.viewer.and_then(crate::visibility::applications) {
        q = q.filter(visible);
    }
    if let Some(since) = filter.updated_since {
        q = q.filter(applications::updated_at.ge(since));
    }
    let rows = q
        .order(applications::id.asc())
        .limit(page.fetch_limit())
        .load(conn)?;
    Ok(Page::from_rows(rows, page, |r| r.id.clone()))
}

/// Replaces the editable fields if the application is still at `expected_version` (when given).
pub fn update(
    conn: &mut DbConn,
    current: &ApplicationRow,
    expected_version: Option<i64>,
    fields: &ApplicationFields,
    now: NaiveDateTime,
) -> Result<ApplicationRow, StoreError> {
    update_versioned!(
        conn,
        applications,
        &current.id,
        current.version,
        expected_version,
        now,
        fields
    )?;
    find(conn, &current.id)
}

/// Sets the status (and `submitted_at` when submitting) if still at `expected_version`.
pub fn set_status(
    conn: &mut DbConn,
    current: &ApplicationRow,
    expected_version: Option<i64>,
    status: &str,
    submitted_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Result<ApplicationRow, StoreError> {
    update_versioned!(
        conn,
        applications,
        &current.id,
        current.version,
        expected_version,
        now,
        applications::status.eq(status),
        applications::submitted_at.eq(submitted_at.or(current.submitted_at)),
    )?;
    find(conn, &current.id)
}

/// Every application to a call (a call has tens to hundreds), by id.
pub fn of_call(conn: &mut DbConn, call_id: &str) -> Result<Vec<ApplicationRow>, StoreError> {
    Ok(applications::table
        .filter(applications::call_id.eq(call_id))
        .select(ApplicationRow::as_select())
        .order(applications::id.asc())
        .load(conn)?)
}

/// The call of each of some applications, as `(application id, call id)`.
pub fn call_ids_of(conn: &mut DbConn, ids: &[String]) -> Result<Vec<(String, String)>, StoreError> {
    Ok(applications::table
        .filter(applications::id.eq_any(ids))
        .select((applications::id, applications::call_id))
        .load(conn)?)
}

// ---- Domain-typed access (use cases call these; the row functions above remain for the
// award and review code that still works on rows).

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
pub fn to_domain(row: ApplicationRow) -> Result<Application<NaiveDateTime>, StoreError> {
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

/// Loads an application with its policy facts in three statements: the application joined
/// with its call and programme, the programme's funders, the call's committee.
pub fn load(conn: &mut DbConn, id: ApplicationId) -> Result<ApplicationContext, StoreError> {
    let (row, call_status, closes_at, programme, managing): (
        ApplicationRow,
        String,
        NaiveDateTime,
        String,
        String,
    ) = applications::table
        .inner_join(calls::table.inner_join(programmes::table))
        .filter(applications::id.eq(id.to_string()))
        .select((
            ApplicationRow::as_select(),
            calls::status,
            calls::closes_at,
            calls::programme_id,
            programmes::managing_organization_id,
        ))
        .first(conn)?;
    let funders: Vec<String> = programme_funders::table
        .filter(programme_funders::programme_id.eq(&programme))
        .select(programme_funders::organization_id)
        .load(conn)?;
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
                funders: funders
                    .iter()
                    .map(|f| {
                        stored::id(
                            "programme_funders.organization_id",
                            f,
                            OrganizationId::parse,
                        )
                    })
                    .collect::<Result<_, _>>()?,
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

/// Inserts a draft.
pub fn create(
    conn: &mut DbConn,
    new: &NewApplication<'_>,
) -> Result<Application<NaiveDateTime>, StoreError> {
    let (id, call, applicant) = (
        new.id.to_string(),
        new.call.to_string(),
        new.applicant.to_string(),
    );
    let row = insert(
        conn,
        &NewApplicationRow {
            id: &id,
            call_id: &call,
            applicant_organization_id: &applicant,
            status: ApplicationStatus::Draft.as_str(),
            created_at: new.at,
            updated_at: new.at,
        },
        &fields_of(new.draft)?,
    )?;
    to_domain(row)
}

/// Replaces a draft's fields if it is still at the version read (and at `if_match`).
pub fn save_draft(
    conn: &mut DbConn,
    current: &Application<NaiveDateTime>,
    if_match: Option<i64>,
    draft: &Draft,
    now: NaiveDateTime,
) -> Result<Application<NaiveDateTime>, StoreError> {
    let fields = fields_of(draft)?;
    update_versioned!(
        conn,
        applications,
        &current.id.to_string(),
        current.version,
        if_match,
        now,
        &fields
    )?;
    to_domain(find(conn, &current.id.to_string())?)
}

/// Moves an application to `status` if it is still at the version read (and at `if_match`);
/// `submitted_at` is kept unless a new one is given.
pub fn move_to(
    conn: &mut DbConn,
    current: &Application<NaiveDateTime>,
    if_match: Option<i64>,
    status: ApplicationStatus,
    submitted_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Result<Application<NaiveDateTime>, StoreError> {
    update_versioned!(
        conn,
        applications,
        &current.id.to_string(),
        current.version,
        if_match,
        now,
        applications::status.eq(status.as_str()),
        applications::submitted_at.eq(submitted_at.or(current.submitted_at)),
    )?;
    to_domain(find(conn, &current.id.to_string())?)
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
    let rows = list(
        conn,
        &ApplicationFilter {
            viewer: Some(actor),
            call_id: filter.call.map(|c| c.to_string()),
            applicant_organization_id: filter.applicant.map(|o| o.to_string()),
            status: filter.status.map(|s| s.as_str().to_owned()),
            updated_since: filter.updated_since,
        },
        page,
    )?;
    let next_after = rows.next_after;
    Ok(Page {
        items: rows
            .items
            .into_iter()
            .map(to_domain)
            .collect::<Result<_, _>>()?,
        next_after,
    })
}
