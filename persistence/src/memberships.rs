//! Memberships: who acts for which organisation, in what role.

use crate::db::DbConn;
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::schema::{memberships, organizations, users};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A stored membership.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = memberships)]
pub struct MembershipRow {
    /// Organisation UUID.
    pub organization_id: String,
    /// User UUID.
    pub user_id: String,
    /// `owner`, `manager`, `member` or `accountant`.
    pub role: String,
    /// Incremented on every change (ETag).
    pub version: i64,
    /// When created (UTC).
    pub created_at: NaiveDateTime,
    /// When last changed (UTC).
    pub updated_at: NaiveDateTime,
}

/// A membership with the member's name and e-mail, as the members list shows it.
#[derive(Debug, Clone)]
pub struct MemberRow {
    /// The membership.
    pub membership: MembershipRow,
    /// The member's e-mail address.
    pub email: String,
    /// The member's display name.
    pub name: String,
}

/// A membership to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = memberships)]
pub struct NewMembershipRow<'a> {
    /// Organisation UUID.
    pub organization_id: &'a str,
    /// User UUID.
    pub user_id: &'a str,
    /// Role name.
    pub role: &'a str,
    /// When created (UTC).
    pub created_at: NaiveDateTime,
    /// Same as `created_at`.
    pub updated_at: NaiveDateTime,
}

/// Inserts a membership.
pub fn insert(conn: &mut DbConn, row: &NewMembershipRow<'_>) -> Result<MembershipRow, StoreError> {
    diesel::insert_into(memberships::table)
        .values(row)
        .execute(conn)?;
    find(conn, row.organization_id, row.user_id)?.ok_or(StoreError::NotFound)
}

/// The membership of `user_id` in `organization_id`, if any.
pub fn find(
    conn: &mut DbConn,
    organization_id: &str,
    user_id: &str,
) -> Result<Option<MembershipRow>, StoreError> {
    Ok(memberships::table
        .find((organization_id, user_id))
        .select(MembershipRow::as_select())
        .first(conn)
        .optional()?)
}

/// The membership with the member's name and e-mail.
pub fn find_member(
    conn: &mut DbConn,
    organization_id: &str,
    user_id: &str,
) -> Result<MemberRow, StoreError> {
    let (membership, email, name) = memberships::table
        .inner_join(users::table)
        .filter(memberships::organization_id.eq(organization_id))
        .filter(memberships::user_id.eq(user_id))
        .select((MembershipRow::as_select(), users::email, users::name))
        .first(conn)?;
    Ok(MemberRow {
        membership,
        email,
        name,
    })
}

/// All memberships of a user (a user belongs to few organisations), each with the
/// organisation's name (JSON).
pub fn of_user(
    conn: &mut DbConn,
    user_id: &str,
) -> Result<Vec<(MembershipRow, String)>, StoreError> {
    Ok(memberships::table
        .inner_join(organizations::table)
        .filter(memberships::user_id.eq(user_id))
        .select((MembershipRow::as_select(), organizations::name))
        .order(memberships::organization_id.asc())
        .load(conn)?)
}

/// One page of an organisation's members, by user id.
pub fn list(
    conn: &mut DbConn,
    organization_id: &str,
    page: &PageRequest,
) -> Result<Page<MemberRow>, StoreError> {
    let mut q = memberships::table
        .inner_join(users::table)
        .filter(memberships::organization_id.eq(organization_id.to_owned()))
        .select((MembershipRow::as_select(), users::email, users::name))
        .into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(memberships::user_id.gt(after.clone()));
    }
    let rows: Vec<(MembershipRow, String, String)> = q
        .order(memberships::user_id.asc())
        .limit(page.fetch_limit())
        .load(conn)?;
    let rows = rows
        .into_iter()
        .map(|(membership, email, name)| MemberRow {
            membership,
            email,
            name,
        })
        .collect();
    Ok(Page::from_rows(rows, page, |r: &MemberRow| {
        r.membership.user_id.clone()
    }))
}

/// How many owners an organisation has.
pub fn count_owners(conn: &mut DbConn, organization_id: &str) -> Result<i64, StoreError> {
    Ok(memberships::table
        .filter(memberships::organization_id.eq(organization_id))
        .filter(memberships::role.eq("owner"))
        .count()
        .get_result(conn)?)
}

/// Changes a member's role if the membership is still at `expected_version` (when given).
pub fn set_role(
    conn: &mut DbConn,
    current: &MembershipRow,
    expected_version: Option<i64>,
    role: &str,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    update_versioned!(
        conn,
        memberships,
        (&current.organization_id, &current.user_id),
        current.version,
        expected_version,
        now,
        memberships::role.eq(role),
    )
}

/// Deletes a membership.
pub fn delete(conn: &mut DbConn, organization_id: &str, user_id: &str) -> Result<(), StoreError> {
    let n = diesel::delete(memberships::table.find((organization_id, user_id))).execute(conn)?;
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}
