//! Programmes and their funders.

use crate::db::DbConn;
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::schema::{memberships, organizations, programme_funders, programmes};
use crate::visibility;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use seriktes_domain::access::Actor;

/// A stored programme. `title`/`description` are JSON multilingual text, `regions`/`themes` JSON arrays.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = programmes)]
pub struct ProgrammeRow {
    /// UUID.
    pub id: String,
    /// JSON multilingual title.
    pub title: String,
    /// JSON multilingual description.
    pub description: Option<String>,
    /// The organisation that runs it.
    pub managing_organization_id: String,
    /// ISO 4217.
    pub currency: String,
    /// Budget in minor units.
    pub budget_minor: i64,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// JSON array of ISO 3166-2 codes.
    pub regions: String,
    /// JSON array of theme tags.
    pub themes: String,
    /// `draft`, `active` or `closed`.
    pub status: String,
    /// Incremented on every change (ETag).
    pub version: i64,
    /// When created (UTC).
    pub created_at: NaiveDateTime,
    /// When last changed (UTC).
    pub updated_at: NaiveDateTime,
}

/// The editable fields of a programme, as stored.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = programmes, treat_none_as_null = true)]
pub struct ProgrammeFields {
    /// JSON multilingual title.
    pub title: String,
    /// JSON multilingual description.
    pub description: Option<String>,
    /// The organisation that runs it.
    pub managing_organization_id: String,
    /// ISO 4217.
    pub currency: String,
    /// Budget in minor units.
    pub budget_minor: i64,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// JSON array of regions.
    pub regions: String,
    /// JSON array of themes.
    pub themes: String,
}

/// A programme to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = programmes)]
pub struct NewProgrammeRow<'a> {
    /// UUID.
    pub id: &'a str,
    /// `draft`.
    pub status: &'a str,
    /// When created (UTC).
    pub created_at: NaiveDateTime,
    /// Same as `created_at`.
    pub updated_at: NaiveDateTime,
}

/// One funder's commitment.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = programme_funders)]
pub struct FunderRow {
    /// Programme UUID.
    pub programme_id: String,
    /// Funding organisation UUID.
    pub organization_id: String,
    /// Committed amount in minor units of the programme's currency.
    pub committed_minor: i64,
}

/// The columns of [`ProgrammeRow`], in its order, for `RETURNING` (`as_returning()` does not
/// compile on `MultiConnection`, STACK §2).
type Columns = (
    programmes::id,
    programmes::title,
    programmes::description,
    programmes::managing_organization_id,
    programmes::currency,
    programmes::budget_minor,
    programmes::starts_on,
    programmes::ends_on,
    programmes::regions,
    programmes::themes,
    programmes::status,
    programmes::version,
    programmes::created_at,
    programmes::updated_at,
);

const COLUMNS: Columns = (
    programmes::id,
    programmes::title,
    programmes::description,
    programmes::managing_organization_id,
    programmes::currency,
    programmes::budget_minor,
    programmes::starts_on,
    programmes::ends_on,
    programmes::regions,
    programmes::themes,
    programmes::status,
    programmes::version,
    programmes::created_at,
    programmes::updated_at,
);

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
}

impl ProgrammeChanges {
    fn between(current: &ProgrammeRow, fields: &ProgrammeFields) -> Self {
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
        }
    }
}

/// Inserts a programme with its fields, returning the stored row (one statement).
pub fn insert(
    conn: &mut DbConn,
    row: &NewProgrammeRow<'_>,
    fields: &ProgrammeFields,
) -> Result<ProgrammeRow, StoreError> {
    Ok(diesel::insert_into(programmes::table)
        .values((row, fields))
        .returning(COLUMNS)
        .get_result(conn)?)
}

/// Refuses when `expected` (when given) names another version than the one read.
fn check_version(current: &ProgrammeRow, expected: Option<i64>) -> Result<(), StoreError> {
    if expected.is_some_and(|v| v != current.version) {
        Err(StoreError::VersionMismatch)
    } else {
        Ok(())
    }
}

/// Finds a programme.
pub fn find(conn: &mut DbConn, id: &str) -> Result<ProgrammeRow, StoreError> {
    Ok(programmes::table
        .find(id)
        .select(ProgrammeRow::as_select())
        .first(conn)?)
}

/// Filters for [`list`].
#[derive(Debug, Default)]
pub struct ProgrammeFilter {
    /// Only this status.
    pub status: Option<String>,
    /// Only programmes run by this organisation.
    pub managing_organization_id: Option<String>,
    /// Only programmes this organisation funds.
    pub funder_organization_id: Option<String>,
    /// Only programmes changed at or after this time.
    pub updated_since: Option<NaiveDateTime>,
}

/// One page of the programmes `viewer` may see ([`visibility::programmes`]), by id.
pub fn list(
    conn: &mut DbConn,
    viewer: &Actor,
    filter: &ProgrammeFilter,
    page: &PageRequest,
) -> Result<Page<ProgrammeRow>, StoreError> {
    let mut q = programmes::table
        .select(ProgrammeRow::as_select())
        .into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(programmes::id.gt(after.clone()));
    }
    if let Some(s) = &filter.status {
        q = q.filter(programmes::status.eq(s.clone()));
    }
    if let Some(org) = &filter.managing_organization_id {
        q = q.filter(programmes::managing_organization_id.eq(org.clone()));
    }
    if let Some(org) = &filter.funder_organization_id {
        let funded = programme_funders::table
            .filter(programme_funders::organization_id.eq(org.clone()))
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
    Ok(Page::from_rows(rows, page, |r| r.id.clone()))
}

/// Writes the editable fields that differ from `current` if the programme is still at the
/// version read and `expected_version` (when given) names it; returns the stored row.
pub fn update(
    conn: &mut DbConn,
    current: &ProgrammeRow,
    expected_version: Option<i64>,
    fields: &ProgrammeFields,
    now: NaiveDateTime,
) -> Result<ProgrammeRow, StoreError> {
    check_version(current, expected_version)?;
    diesel::update(
        programmes::table
            .find(&current.id)
            .filter(programmes::version.eq(current.version)),
    )
    .set((
        ProgrammeChanges::between(current, fields),
        programmes::version.eq(current.version + 1),
        programmes::updated_at.eq(now),
    ))
    .returning(COLUMNS)
    .get_result(conn)
    .optional()?
    .ok_or(StoreError::VersionMismatch)
}

/// Sets the status if the programme is still at the version read and `expected_version` (when
/// given) names it; returns the stored row.
pub fn set_status(
    conn: &mut DbConn,
    current: &ProgrammeRow,
    expected_version: Option<i64>,
    status: &str,
    now: NaiveDateTime,
) -> Result<ProgrammeRow, StoreError> {
    check_version(current, expected_version)?;
    diesel::update(
        programmes::table
            .find(&current.id)
            .filter(programmes::version.eq(current.version)),
    )
    .set((
        programmes::status.eq(status),
        programmes::version.eq(current.version + 1),
        programmes::updated_at.eq(now),
    ))
    .returning(COLUMNS)
    .get_result(conn)
    .optional()?
    .ok_or(StoreError::VersionMismatch)
}

/// The funders of some programmes with each funder's name (JSON), ordered by programme then
/// organisation: one query for a whole page.
pub fn funders_of(
    conn: &mut DbConn,
    programme_ids: &[String],
) -> Result<Vec<(FunderRow, String)>, StoreError> {
    Ok(programme_funders::table
        .inner_join(organizations::table)
        .filter(programme_funders::programme_id.eq_any(programme_ids))
        .select((FunderRow::as_select(), organizations::name))
        .order((
            programme_funders::programme_id.asc(),
            programme_funders::organization_id.asc(),
        ))
        .load(conn)?)
}

/// Whether the user is a member of the programme's managing organisation or of a funder.
pub fn involves_user(
    conn: &mut DbConn,
    programme: &ProgrammeRow,
    user_id: &str,
) -> Result<bool, StoreError> {
    let my_orgs: Vec<String> = memberships::table
        .filter(memberships::user_id.eq(user_id))
        .select(memberships::organization_id)
        .load(conn)?;
    if my_orgs.contains(&programme.managing_organization_id) {
        return Ok(true);
    }
    let funds: i64 = programme_funders::table
        .filter(programme_funders::programme_id.eq(&programme.id))
        .filter(programme_funders::organization_id.eq_any(&my_orgs))
        .count()
        .get_result(conn)?;
    Ok(funds > 0)
}

/// Replaces a programme's funders (rows inserted one by one: MultiConnection has no batch insert).
pub fn replace_funders(
    conn: &mut DbConn,
    programme_id: &str,
    funders: &[FunderRow],
) -> Result<(), StoreError> {
    diesel::delete(
        programme_funders::table.filter(programme_funders::programme_id.eq(programme_id)),
    )
    .execute(conn)?;
    for f in funders {
        diesel::insert_into(programme_funders::table)
            .values(f)
            .execute(conn)?;
    }
    Ok(())
}

/// The managing organisation of some programmes, as `(programme id, organisation id)`.
pub fn managing_of(conn: &mut DbConn, ids: &[String]) -> Result<Vec<(String, String)>, StoreError> {
    Ok(programmes::table
        .filter(programmes::id.eq_any(ids))
        .select((programmes::id, programmes::managing_organization_id))
        .load(conn)?)
}

/// Some programmes, by id, in one statement.
pub fn find_many(conn: &mut DbConn, ids: &[String]) -> Result<Vec<ProgrammeRow>, StoreError> {
    Ok(programmes::table
        .filter(programmes::id.eq_any(ids))
        .select(ProgrammeRow::as_select())
        .order(programmes::id.asc())
        .load(conn)?)
}
