//! Network memberships (coalitions): SQL only. A membership is read with its member
//! organisation's name; a network's growth over a period is counted in one statement.

use crate::db::DbConn;
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::schema::{network_memberships, organizations};
use crate::stored;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Text};
use seriktes_domain::ids::{NetworkMembershipId, OrganizationId};
use seriktes_domain::network::{Growth, NetworkMembership};
use seriktes_domain::organization::OrganizationKind;
use seriktes_domain::text::LocalizedText;

/// A stored membership.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = network_memberships)]
struct MembershipRow {
    id: stored::Uuid,
    network_id: stored::Uuid,
    member_organization_id: stored::Uuid,
    joined_on: NaiveDate,
    left_on: Option<NaiveDate>,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl MembershipRow {
    fn into_domain(self) -> NetworkMembership {
        NetworkMembership {
            id: NetworkMembershipId::from_uuid(self.id.0),
            network: OrganizationId::from_uuid(self.network_id.0),
            member: OrganizationId::from_uuid(self.member_organization_id.0),
            joined_on: self.joined_on,
            left_on: self.left_on,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// A membership with its member organisation's name.
#[derive(Debug, Clone)]
pub struct Listed {
    /// The membership.
    pub membership: NetworkMembership,
    /// The member organisation's name.
    pub member_name: LocalizedText,
}

fn listed((row, name): (MembershipRow, String)) -> Result<Listed, StoreError> {
    Ok(Listed {
        membership: row.into_domain(),
        member_name: stored::text("organizations.name", &name)?,
    })
}

/// Inserts a membership (one statement). A second current membership of the same organisation
/// is refused by the partial unique index as [`StoreError::Duplicate`].
pub fn insert(conn: &mut DbConn, m: &NetworkMembership) -> Result<(), StoreError> {
    use network_memberships as t;
    diesel::insert_into(t::table)
        .values((
            t::id.eq(m.id.to_string()),
            t::network_id.eq(m.network.to_string()),
            t::member_organization_id.eq(m.member.to_string()),
            t::joined_on.eq(m.joined_on),
            t::left_on.eq(m.left_on),
            t::version.eq(m.version),
            t::created_at.eq(m.created_at),
            t::updated_at.eq(m.updated_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// A membership with its member's name (one statement).
pub fn find(conn: &mut DbConn, id: NetworkMembershipId) -> Result<Listed, StoreError> {
    let row = network_memberships::table
        .inner_join(organizations::table)
        .filter(network_memberships::id.eq(id.to_string()))
        .select((MembershipRow::as_select(), organizations::name))
        .first::<(MembershipRow, String)>(conn)?;
    listed(row)
}

/// What an admission is checked against, in one statement: the network's kind, whether the
/// member organisation exists, and whether it is a current member already. `None`: no such
/// network.
pub fn admission_facts(
    conn: &mut DbConn,
    network: OrganizationId,
    member: OrganizationId,
) -> Result<Option<(OrganizationKind, bool, bool)>, StoreError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        kind: String,
        #[diesel(sql_type = BigInt)]
        member_exists: i64,
        #[diesel(sql_type = BigInt)]
        current: i64,
    }
    // SQLite numbers `$n` parameters in order of appearance: keep `$1` before `$2` and `$3`.
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT n.kind, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM organizations o WHERE o.id = $1) AS member_exists, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM network_memberships m \
          WHERE m.network_id = n.id AND m.member_organization_id = $2 AND m.left_on IS NULL) \
          AS current \
         FROM organizations n WHERE n.id = $3",
    )
    .bind::<Text, _>(member.to_string())
    .bind::<Text, _>(member.to_string())
    .bind::<Text, _>(network.to_string())
    .load(conn)?;
    rows.into_iter()
        .next()
        .map(|r| {
            let kind = stored::value("organizations.kind", &r.kind, OrganizationKind::parse)?;
            Ok((kind, r.member_exists > 0, r.current > 0))
        })
        .transpose()
}

/// Filters of [`list`].
#[derive(Debug, Clone, Copy, Default)]
pub struct MembershipFilter {
    /// Only current memberships (`true`) or only ended ones (`false`).
    pub current: Option<bool>,
    /// Only memberships that began on or after this day.
    pub joined_from: Option<NaiveDate>,
    /// Only memberships that began on or before this day.
    pub joined_to: Option<NaiveDate>,
    /// Only memberships changed at or after this time.
    pub updated_since: Option<NaiveDateTime>,
}

/// One page of a network's memberships by id (the order they were recorded in), with the
/// member organisations' names (one statement).
pub fn list(
    conn: &mut DbConn,
    network: OrganizationId,
    filter: &MembershipFilter,
    page: &PageRequest,
) -> Result<Page<Listed>, StoreError> {
    use network_memberships as t;
    let mut q = t::table
        .inner_join(organizations::table)
        .filter(t::network_id.eq(network.to_string()))
        .select((MembershipRow::as_select(), organizations::name))
        .into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(t::id.gt(after.clone()));
    }
    match filter.current {
        Some(true) => q = q.filter(t::left_on.is_null()),
        Some(false) => q = q.filter(t::left_on.is_not_null()),
        None => {}
    }
    if let Some(from) = filter.joined_from {
        q = q.filter(t::joined_on.ge(from));
    }
    if let Some(to) = filter.joined_to {
        q = q.filter(t::joined_on.le(to));
    }
    if let Some(since) = filter.updated_since {
        q = q.filter(t::updated_at.ge(since));
    }
    let rows: Vec<(MembershipRow, String)> =
        q.order(t::id.asc()).limit(page.fetch_limit()).load(conn)?;
    let page = Page::from_rows(rows, page, |(r, _)| r.id.0.to_string());
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(listed)
            .collect::<Result<_, _>>()?,
        next_after: page.next_after,
    })
}

/// Ends a membership on `left_on` if it is still at the version read (one statement).
pub fn end(
    conn: &mut DbConn,
    current: &NetworkMembership,
    expected: Option<i64>,
    left_on: NaiveDate,
    now: NaiveDateTime,
) -> Result<i64, StoreError> {
    update_versioned!(
        conn,
        network_memberships,
        current.id.to_string(),
        current.version,
        expected,
        now,
        network_memberships::left_on.eq(Some(left_on)),
    )?;
    Ok(current.version + 1)
}

/// How a network grew between `from` and `to` (inclusive), with its current members, in one
/// statement.
pub fn growth(
    conn: &mut DbConn,
    network: OrganizationId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Growth, StoreError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = BigInt)]
        joined: i64,
        #[diesel(sql_type = BigInt)]
        left_count: i64,
        #[diesel(sql_type = BigInt)]
        current: i64,
    }
    // SQLite numbers `$n` parameters in order of appearance: `$1` to `$5` appear in order.
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT \
         CAST(COALESCE(SUM(CASE WHEN joined_on >= $1 AND joined_on <= $2 THEN 1 ELSE 0 END), 0) \
          AS BIGINT) AS joined, \
         CAST(COALESCE(SUM(CASE WHEN left_on >= $3 AND left_on <= $4 THEN 1 ELSE 0 END), 0) \
          AS BIGINT) AS left_count, \
         CAST(COALESCE(SUM(CASE WHEN left_on IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS current \
         FROM network_memberships WHERE network_id = $5",
    )
    .bind::<Date, _>(from)
    .bind::<Date, _>(to)
    .bind::<Date, _>(from)
    .bind::<Date, _>(to)
    .bind::<Text, _>(network.to_string())
    .load(conn)?;
    let r = rows.into_iter().next().ok_or(StoreError::NotFound)?;
    Ok(Growth {
        current: r.current,
        joined: r.joined,
        left: r.left_count,
    })
}
