//! Organisations: insert, load, list, update; domain types in and out, stored values parsed
//! once ([`OrganizationRecord`]).

use crate::db::{DbConn, Tx};
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::schema::{memberships, organizations};
use crate::stored;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use seriktes_domain::bin::Bin;
use seriktes_domain::geo::{CountryCode, RegionCode};
use seriktes_domain::ids::{OrganizationId, UserId};
use seriktes_domain::organization::{Organization, OrganizationKind, Profile, ProfilePatch};

/// A stored organisation. `name` is JSON `{"lang": "text"}`, `themes` a JSON array. Fields in
/// the table's column order (`RETURNING organizations::all_columns` reads into it).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = organizations)]
struct OrganizationRow {
    id: String,
    kind: String,
    name: String,
    bin: Option<String>,
    country: String,
    region: Option<String>,
    themes: String,
    iati_identifier: Option<String>,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// A stored organisation as the domain sees it, with its version (ETag) and times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationRecord {
    /// The organisation.
    pub organization: Organization,
    /// Incremented on every change.
    pub version: i64,
    /// When created (UTC).
    pub created_at: NaiveDateTime,
    /// When last changed (UTC).
    pub updated_at: NaiveDateTime,
}

/// Parses the stored values once; a value the domain refuses is `Corrupt`.
fn record(row: OrganizationRow) -> Result<OrganizationRecord, StoreError> {
    let profile = Profile {
        kind: stored::value("organizations.kind", &row.kind, OrganizationKind::parse)?,
        name: stored::json("organizations.name", &row.name)?,
        bin: row
            .bin
            .as_deref()
            .map(|b| stored::value("organizations.bin", b, Bin::parse))
            .transpose()?,
        country: stored::value("organizations.country", &row.country, CountryCode::parse)?,
        region: row
            .region
            .as_deref()
            .map(|r| stored::value("organizations.region", r, RegionCode::parse))
            .transpose()?,
        themes: stored::json("organizations.themes", &row.themes)?,
        iati_identifier: row.iati_identifier,
    };
    Ok(OrganizationRecord {
        organization: Organization {
            id: stored::id("organizations.id", &row.id, OrganizationId::parse)?,
            profile,
        },
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// An organisation to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = organizations)]
struct NewOrganizationRow {
    id: String,
    kind: &'static str,
    name: String,
    bin: Option<String>,
    country: String,
    region: Option<String>,
    themes: String,
    iati_identifier: Option<String>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// The columns an update writes: only those the patch changes (`None` is left alone; for
/// nullable columns `Some(None)` writes NULL).
#[derive(Debug, AsChangeset)]
#[diesel(table_name = organizations)]
struct OrganizationChanges {
    kind: Option<&'static str>,
    name: Option<String>,
    bin: Option<Option<String>>,
    country: Option<String>,
    region: Option<Option<String>>,
    themes: Option<String>,
    iati_identifier: Option<Option<String>>,
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

/// Inserts an organisation; returns it as stored (`RETURNING`, no re-read).
pub fn insert(
    tx: &mut Tx<'_>,
    organization: &Organization,
    now: NaiveDateTime,
) -> Result<OrganizationRecord, StoreError> {
    let p = &organization.profile;
    let row = NewOrganizationRow {
        id: organization.id.to_string(),
        kind: p.kind.as_str(),
        name: json_text("organizations.name", p.name.translations())?,
        bin: p.bin.as_ref().map(|b| b.as_str().to_owned()),
        country: p.country.as_str().to_owned(),
        region: p.region.as_ref().map(|r| r.as_str().to_owned()),
        themes: json_text("organizations.themes", &p.themes)?,
        iati_identifier: p.iati_identifier.clone(),
        created_at: now,
        updated_at: now,
    };
    let conn: &mut DbConn = tx;
    diesel::insert_into(organizations::table)
        .values(&row)
        .returning(organizations::all_columns)
        .get_result::<OrganizationRow>(conn)
        .map_err(StoreError::from)
        .and_then(record)
}

/// Loads an organisation (`NotFound` if there is none; one statement).
pub fn load(conn: &mut DbConn, id: OrganizationId) -> Result<OrganizationRecord, StoreError> {
    record(
        organizations::table
            .find(id.to_string())
            .select(OrganizationRow::as_select())
            .first(conn)?,
    )
}

/// Some organisations, by id (those that exist), in one statement.
pub fn load_many(
    conn: &mut DbConn,
    ids: &[OrganizationId],
) -> Result<Vec<OrganizationRecord>, StoreError> {
    let raw: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let rows: Vec<OrganizationRow> = organizations::table
        .filter(organizations::id.eq_any(raw))
        .select(OrganizationRow::as_select())
        .order(organizations::id.asc())
        .load(conn)?;
    rows.into_iter().map(record).collect()
}

/// Whether the organisation exists (one statement).
pub fn exists(conn: &mut DbConn, id: OrganizationId) -> Result<bool, StoreError> {
    Ok(diesel::select(diesel::dsl::exists(
        organizations::table.find(id.to_string()),
    ))
    .get_result(conn)?)
}

/// Filters for [`list`].
#[derive(Debug, Default)]
pub struct OrganizationFilter {
    /// Only this kind.
    pub kind: Option<OrganizationKind>,
    /// Only this country (upper case).
    pub country: Option<String>,
    /// Only this region (upper case).
    pub region: Option<String>,
    /// Only this BIN.
    pub bin: Option<String>,
    /// Only organisations this user is a member of.
    pub member: Option<UserId>,
    /// Only organisations changed at or after this time.
    pub updated_since: Option<NaiveDateTime>,
}

/// One page of organisations, by id.
pub fn list(
    conn: &mut DbConn,
    filter: &OrganizationFilter,
    page: &PageRequest,
) -> Result<Page<OrganizationRecord>, StoreError> {
    let mut q = organizations::table
        .select(OrganizationRow::as_select())
        .into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(organizations::id.gt(after.clone()));
    }
    if let Some(kind) = filter.kind {
        q = q.filter(organizations::kind.eq(kind.as_str()));
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
    if let Some(user) = filter.member {
        let mine = memberships::table
            .filter(memberships::user_id.eq(user.to_string()))
            .select(memberships::organization_id);
        q = q.filter(organizations::id.eq_any(mine));
    }
    if let Some(since) = filter.updated_since {
        q = q.filter(organizations::updated_at.ge(since));
    }
    let rows: Vec<OrganizationRow> = q
        .order(organizations::id.asc())
        .limit(page.fetch_limit())
        .load(conn)?;
    let records = rows
        .into_iter()
        .map(record)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_rows(records, page, |r| {
        r.organization.id.to_string()
    }))
}

/// Writes the fields `patch` sets, and nothing else, if the organisation is still at
/// `version` (the version the caller's decision was made on); returns it as stored
/// (`RETURNING`). Another version is `WriteConflict` (a concurrent change; `db::write` retries).
pub fn update(
    tx: &mut Tx<'_>,
    id: OrganizationId,
    version: i64,
    patch: &ProfilePatch,
    now: NaiveDateTime,
) -> Result<OrganizationRecord, StoreError> {
    let changes = OrganizationChanges {
        kind: patch.kind.map(OrganizationKind::as_str),
        name: patch
            .name
            .as_ref()
            .map(|n| json_text("organizations.name", n.translations()))
            .transpose()?,
        bin: patch
            .bin
            .as_ref()
            .map(|b| b.as_ref().map(|b| b.as_str().to_owned())),
        country: patch.country.as_ref().map(|c| c.as_str().to_owned()),
        region: patch
            .region
            .as_ref()
            .map(|r| r.as_ref().map(|r| r.as_str().to_owned())),
        themes: patch
            .themes
            .as_ref()
            .map(|t| json_text("organizations.themes", t))
            .transpose()?,
        iati_identifier: patch.iati_identifier.clone(),
    };
    let conn: &mut DbConn = tx;
    diesel::update(
        organizations::table
            .find(id.to_string())
            .filter(organizations::version.eq(version)),
    )
    .set((
        changes,
        organizations::version.eq(version + 1),
        organizations::updated_at.eq(now),
    ))
    .returning(organizations::all_columns)
    .get_result::<OrganizationRow>(conn)
    .optional()?
    .ok_or(StoreError::WriteConflict)
    .and_then(record)
}
