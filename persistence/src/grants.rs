//! Grants, their amendments and their disbursements (tranches).

use crate::db::DbConn;
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::schema::{
    disbursements, grant_amendments, grants, memberships, programme_funders, programmes,
};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// A stored grant.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = grants)]
pub struct GrantRow {
    /// UUID.
    pub id: String,
    /// The awarded application.
    pub application_id: String,
    /// The call.
    pub call_id: String,
    /// The programme.
    pub programme_id: String,
    /// The grantee.
    pub grantee_organization_id: String,
    /// The mentor organisation, whose members read the grant.
    pub mentor_organization_id: Option<String>,
    /// ISO 4217.
    pub currency: String,
    /// Amount, minor units.
    pub amount_minor: i64,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// JSON budget lines.
    pub budget_lines: String,
    /// Status.
    pub status: String,
    /// Incremented on every change (ETag).
    pub version: i64,
    /// When created (UTC).
    pub created_at: NaiveDateTime,
    /// When last changed (UTC).
    pub updated_at: NaiveDateTime,
}

/// Changes to a grant.
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
    /// New budget lines.
    pub budget_lines: Option<String>,
    /// New status.
    pub status: Option<String>,
}

/// Inserts a grant.
pub fn insert(conn: &mut DbConn, row: &GrantRow) -> Result<(), StoreError> {
    diesel::insert_into(grants::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Finds a grant.
pub fn find(conn: &mut DbConn, id: &str) -> Result<GrantRow, StoreError> {
    Ok(grants::table
        .find(id)
        .select(GrantRow::as_select())
        .first(conn)?)
}

/// The total awarded in a call, minor units.
pub fn total_of_call(conn: &mut DbConn, call_id: &str) -> Result<i64, StoreError> {
    let amounts: Vec<i64> = grants::table
        .filter(grants::call_id.eq(call_id))
        .select(grants::amount_minor)
        .load(conn)?;
    Ok(amounts.iter().sum())
}

/// Filters for [`list`].
#[derive(Debug, Default)]
pub struct GrantFilter {
    /// For a non-admin: grants of the user's organisations as grantee or mentor, and grants of
    /// programmes their organisations run or fund.
    pub visible_to_user: Option<String>,
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

/// One page of grants, by id.
pub fn list(
    conn: &mut DbConn,
    filter: &GrantFilter,
    page: &PageRequest,
) -> Result<Page<GrantRow>, StoreError> {
    let mut q = grants::table.select(GrantRow::as_select()).into_boxed();
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
    if let Some(user) = &filter.visible_to_user {
        let my_orgs = || {
            memberships::table
                .filter(memberships::user_id.eq(user.clone()))
                .select(memberships::organization_id)
        };
        let run = programmes::table
            .filter(programmes::managing_organization_id.eq_any(my_orgs()))
            .select(programmes::id);
        let funded = programme_funders::table
            .filter(programme_funders::organization_id.eq_any(my_orgs()))
            .select(programme_funders::programme_id);
        q = q.filter(
            grants::grantee_organization_id
                .eq_any(my_orgs())
                .or(grants::mentor_organization_id.eq_any(
                    memberships::table
                        .filter(memberships::user_id.eq(user.clone()))
                        .select(memberships::organization_id.nullable()),
                ))
                .or(grants::programme_id.eq_any(run))
                .or(grants::programme_id.eq_any(funded)),
        );
    }
    if let Some(since) = filter.updated_since {
        q = q.filter(grants::updated_at.ge(since));
    }
    let rows = q
        .order(grants::id.asc())
        .limit(page.fetch_limit())
        .load(conn)?;
    Ok(Page::from_rows(rows, page, |r| r.id.clone()))
}

/// Applies changes if the grant is still at `expected_version` (when given).
pub fn update(
    conn: &mut DbConn,
    current: &GrantRow,
    expected_version: Option<i64>,
    changes: &GrantChanges,
    now: NaiveDateTime,
) -> Result<GrantRow, StoreError> {
    update_versioned!(
        conn,
        grants,
        &current.id,
        current.version,
        expected_version,
        now,
        changes
    )?;
    find(conn, &current.id)
}

/// An amendment, kept as history.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = grant_amendments)]
pub struct AmendmentRow {
    /// UUIDv7.
    pub id: String,
    /// The grant.
    pub grant_id: String,
    /// Why.
    pub reason: String,
    /// JSON `{field: {"from": …, "to": …}}`.
    pub changes: String,
    /// Who.
    pub actor_id: Option<String>,
    /// When (UTC).
    pub created_at: NaiveDateTime,
}

/// Records an amendment.
pub fn insert_amendment(conn: &mut DbConn, row: &AmendmentRow) -> Result<(), StoreError> {
    diesel::insert_into(grant_amendments::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// A grant's amendments, oldest first.
pub fn amendments(conn: &mut DbConn, grant_id: &str) -> Result<Vec<AmendmentRow>, StoreError> {
    Ok(grant_amendments::table
        .filter(grant_amendments::grant_id.eq(grant_id))
        .select(AmendmentRow::as_select())
        .order(grant_amendments::id.asc())
        .load(conn)?)
}

/// A stored tranche.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = disbursements)]
pub struct DisbursementRow {
    /// UUIDv7.
    pub id: String,
    /// The grant.
    pub grant_id: String,
    /// Amount, minor units of the grant's currency.
    pub amount_minor: i64,
    /// Planned payment date.
    pub planned_on: NaiveDate,
    /// Condition for payment, e.g. "interim report accepted".
    pub condition: Option<String>,
    /// Status.
    pub status: String,
    /// Date paid.
    pub paid_on: Option<NaiveDate>,
    /// Bank reference of the payment.
    pub payment_reference: Option<String>,
    /// Incremented on every change (ETag).
    pub version: i64,
    /// When created (UTC).
    pub created_at: NaiveDateTime,
    /// When last changed (UTC).
    pub updated_at: NaiveDateTime,
}

/// Inserts a tranche.
pub fn insert_disbursement(conn: &mut DbConn, row: &DisbursementRow) -> Result<(), StoreError> {
    diesel::insert_into(disbursements::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Finds a tranche.
pub fn find_disbursement(conn: &mut DbConn, id: &str) -> Result<DisbursementRow, StoreError> {
    Ok(disbursements::table
        .find(id)
        .select(DisbursementRow::as_select())
        .first(conn)?)
}

/// A grant's tranches, by id (creation order).
pub fn disbursements_of(
    conn: &mut DbConn,
    grant_id: &str,
) -> Result<Vec<DisbursementRow>, StoreError> {
    Ok(disbursements::table
        .filter(disbursements::grant_id.eq(grant_id))
        .select(DisbursementRow::as_select())
        .order(disbursements::id.asc())
        .load(conn)?)
}

/// The tranches of some grants (one query for a page of grants).
pub fn disbursements_of_grants(
    conn: &mut DbConn,
    grant_ids: &[String],
) -> Result<Vec<DisbursementRow>, StoreError> {
    Ok(disbursements::table
        .filter(disbursements::grant_id.eq_any(grant_ids))
        .select(DisbursementRow::as_select())
        .order(disbursements::id.asc())
        .load(conn)?)
}

/// Sets a tranche's status (and payment details) if still at `expected_version`.
pub fn set_disbursement_status(
    conn: &mut DbConn,
    current: &DisbursementRow,
    expected_version: Option<i64>,
    status: &str,
    payment: Option<(NaiveDate, String)>,
    now: NaiveDateTime,
) -> Result<DisbursementRow, StoreError> {
    let (paid_on, reference) = match payment {
        Some((d, r)) => (Some(d), Some(r)),
        None => (current.paid_on, current.payment_reference.clone()),
    };
    update_versioned!(
        conn,
        disbursements,
        &current.id,
        current.version,
        expected_version,
        now,
        disbursements::status.eq(status),
        disbursements::paid_on.eq(paid_on),
        disbursements::payment_reference.eq(reference),
    )?;
    find_disbursement(conn, &current.id)
}

/// Grants for the public list: every grant, newest programme data joined by the caller.
pub fn list_public(
    conn: &mut DbConn,
    programme_id: Option<&str>,
    page: &PageRequest,
) -> Result<Page<GrantRow>, StoreError> {
    let mut q = grants::table.select(GrantRow::as_select()).into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(grants::id.gt(after.clone()));
    }
    if let Some(p) = programme_id {
        q = q.filter(grants::programme_id.eq(p.to_owned()));
    }
    let rows = q
        .order(grants::id.asc())
        .limit(page.fetch_limit())
        .load(conn)?;
    Ok(Page::from_rows(rows, page, |r| r.id.clone()))
}

/// Locks a grant's row until the transaction ends (see `calls::lock`). Serialises tranches
/// and amendments against the grant amount.
pub fn lock(conn: &mut DbConn, id: &str) -> Result<(), StoreError> {
    diesel::update(grants::table.find(id))
        .set(grants::version.eq(grants::version))
        .execute(conn)?;
    Ok(())
}
