//! Organisations: insert, find, list, update.

use crate::db::DbConn;
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::schema::{memberships, organizations};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A stored organisation. `name` is JSON `{"lang": "text"}`, `themes` a JSON array.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = organizations)]
pub struct OrganizationRow {
    /// UUID.
    pub id: String,
    /// Organisation kind.
    pub kind: String,
    /// JSON multilingual name.
    pub name: String,
    /// Kazakhstan BIN.
    pub bin: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// ISO 3166-2.
    pub region: Option<String>,
    /// JSON array of theme tags.
    pub themes: String,
    /// IATI organisation identifier.
    pub iati_identifier: Option<String>,
    /// Incremented on every change (ETag).
    pub version: i64,
    /// When created (UTC).
    pub created_at: NaiveDateTime,
    /// When last changed (UTC).
    pub updated_at: NaiveDateTime,
}

/// An organisation to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = organizations)]
pub struct NewOrganizationRow<'a> {
    /// UUID.
    pub id: &'a str,
    /// Organisation kind.
    pub kind: &'a str,
    /// JSON multilingual name.
    pub name: &'a str,
    /// Kazakhstan BIN.
    pub bin: Option<&'a str>,
    /// ISO 3166-1 alpha-2.
    pub country: &'a str,
    /// ISO 3166-2.
    pub region: Option<&'a str>,
    /// JSON array of theme tags.
    pub themes: &'a str,
    /// IATI organisation identifier.
    pub iati_identifier: Option<&'a str>,
    /// When created (UTC).
    pub created_at: NaiveDateTime,
    /// Same as `created_at`.
    pub updated_at: NaiveDateTime,
}

/// A whole new profile (updates replace every editable field, after the API merged a patch).
#[derive(Debug, AsChangeset)]
#[diesel(table_name = organizations, treat_none_as_null = true)]
pub struct OrganizationChanges {
    /// Organisation kind.
    pub kind: String,
    /// JSON multilingual name.
    pub name: String,
    /// Kazakhstan BIN.
    pub bin: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// ISO 3166-2.
    pub region: Option<String>,
    /// JSON array of theme tags.
    pub themes: String,
    /// IATI organisation identifier.
    pub iati_identifier: Option<String>,
}

/// Inserts an organisation.
pub fn insert(
    conn: &mut DbConn,
    row: &NewOrganizationRow<'_>,
) -> Result<OrganizationRow, StoreError> {
    diesel::insert_into(organizations::table)
        .values(row)
        .execute(conn)?;
    find(conn, row.id)
}

/// Finds an organisation by id.
pub fn find(conn: &mut DbConn, id: &str) -> Result<OrganizationRow, StoreError> {
    Ok(organizations::table
        .find(id)
        .select(OrganizationRow::as_select())
        .first(conn)?)
}

/// Filters for [`list`].
#[derive(Debug, Default)]
pub struct OrganizationFilter {
    /// Only this kind.
    pub kind: Option<String>,
    /// Only this country.
    pub country: Option<String>,
    /// Only this region.
    pub region: Option<String>,
    /// Only this BIN.
    pub bin: Option<String>,
    /// Only organisations this user is a member of.
    pub member_user_id: Option<String>,
    /// Only organisations changed at or after this time.
    pub updated_since: Option<NaiveDateTime>,
}

/// One page of organisations, by id.
pub fn list(
    conn: &mut DbConn,
    filter: &OrganizationFilter,
    page: &PageRequest,
) -> Result<Page<OrganizationRow>, StoreError> {
    let mut q = organizations::table
        .select(OrganizationRow::as_select())
        .into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(organizations::id.gt(after.clone()));
    }
    if let Some(kind) = &filter.kind {
        q = q.filter(organizations::kind.eq(kind.clone()));
    }
    if let Some(country) = &filter.country {
        q = q.filter(organizations::country.eq(country.clone()));
    }
    if let Some(region) = &filter.region {
        q = q.filter(organizations::region.eq(region.clone()));
    }
    if let Some(bin) = &filter.bin {
        q = q.filter(organizations::bin.eq(bin.clone()));
    }
    if let Some(user_id) = &filter.member_user_id {
        let mine = memberships::table
            .filter(memberships::user_id.eq(user_id.clone()))
            .select(memberships::organization_id);
        q = q.filter(organizations::id.eq_any(mine));
    }
    if let Some(since) = filter.updated_since {
        q = q.filter(organizations::updated_at.ge(since));
    }
    let rows = q
        .order(organizations::id.asc())
        .limit(page.fetch_limit())
        .load(conn)?;
    Ok(Page::from_rows(rows, page, |r| r.id.clone()))
}

/// Replaces the profile if the organisation is still at `expected_version` (when given).
pub fn update(
    conn: &mut DbConn,
    id: &str,
    expected_version: Option<i64>,
    changes: &OrganizationChanges,
    now: NaiveDateTime,
) -> Result<OrganizationRow, StoreError> {
    let current = find(conn, id)?;
    update_versioned!(
        conn,
        organizations,
        id,
        current.version,
        expected_version,
        now,
        changes
    )?;
    find(conn, id)
}

/// The names (JSON) of some organisations, as `(id, name)`: one query for a page.
pub fn names(conn: &mut DbConn, ids: &[String]) -> Result<Vec<(String, String)>, StoreError> {
    Ok(organizations::table
        .filter(organizations::id.eq_any(ids))
        .select((organizations::id, organizations::name))
        .load(conn)?)
}
