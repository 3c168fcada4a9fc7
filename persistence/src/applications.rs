//! Applications to calls.

use crate::db::DbConn;
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::schema::{
    applications, call_committee, calls, memberships, programme_funders, programmes,
};
use chrono::NaiveDateTime;
use diesel::prelude::*;

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
pub struct ApplicationFilter {
    /// For a non-admin: drafts of the user's organisations, and non-drafts of calls whose
    /// programme an organisation the user owns or manages runs or funds, or whose committee the
    /// user sits on.
    pub visible_to_user: Option<String>,
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
    filter: &ApplicationFilter,
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
    if let Some(user) = &filter.visible_to_user {
        let my_orgs = memberships::table
            .filter(memberships::user_id.eq(user.clone()))
            .select(memberships::organization_id);
        let managed_orgs = || {
            memberships::table
                .filter(memberships::user_id.eq(user.clone()))
                .filter(memberships::role.eq_any(["owner", "manager"]))
                .select(memberships::organization_id)
        };
        let run_programmes = programmes::table
            .filter(programmes::managing_organization_id.eq_any(managed_orgs()))
            .select(programmes::id);
        let funded_programmes = programme_funders::table
            .filter(programme_funders::organization_id.eq_any(managed_orgs()))
            .select(programme_funders::programme_id);
        let managed_calls = calls::table
            .filter(
                calls::programme_id
                    .eq_any(run_programmes)
                    .or(calls::programme_id.eq_any(funded_programmes)),
            )
            .select(calls::id);
        let committee_calls = call_committee::table
            .filter(call_committee::user_id.eq(user.clone()))
            .select(call_committee::call_id);
        q = q.filter(
            applications::applicant_organization_id
                .eq_any(my_orgs)
                .or(applications::submitted_at.is_not_null().and(
                    applications::call_id
                        .eq_any(managed_calls)
                        .or(applications::call_id.eq_any(committee_calls)),
                )),
        );
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
