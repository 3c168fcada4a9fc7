//! Memberships: who acts for which organisation, in what role. Domain types in and out; the
//! rows stay in this module.

use crate::db::{DbConn, Tx};
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::schema::{memberships, organizations, users};
use crate::stored;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use seriktes_domain::ids::{OrganizationId, UserId};
use seriktes_domain::membership::{Membership, OrgRole, Person};
use seriktes_domain::text::LocalizedText;

/// A stored membership. Fields in the table's column order (`RETURNING
/// memberships::all_columns` reads into it).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = memberships)]
struct MembershipRow {
    organization_id: String,
    user_id: String,
    /// `owner`, `manager`, `member` or `accountant`.
    role: String,
    /// Incremented on every change (ETag).
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl MembershipRow {
    fn membership(&self) -> Result<Membership, StoreError> {
        Ok(Membership {
            organization: stored::id(
                "memberships.organization_id",
                &self.organization_id,
                OrganizationId::parse,
            )?,
            user: stored::id("memberships.user_id", &self.user_id, UserId::parse)?,
            role: stored::value("memberships.role", &self.role, OrgRole::parse)?,
        })
    }
}

/// A stored membership as the domain sees it, with the member's e-mail and name (as the
/// members list shows them), its version (ETag) and times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRecord {
    /// The membership.
    pub membership: Membership,
    /// The member's e-mail address.
    pub email: String,
    /// The member's display name.
    pub name: String,
    /// Incremented on every change.
    pub version: i64,
    /// When the user joined (UTC).
    pub created_at: NaiveDateTime,
    /// When the role last changed (UTC).
    pub updated_at: NaiveDateTime,
}

/// A user who may be added: id, e-mail and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The user.
    pub id: UserId,
    /// Their e-mail address.
    pub email: String,
    /// Their display name.
    pub name: String,
}

fn record(row: MembershipRow, email: String, name: String) -> Result<MemberRecord, StoreError> {
    Ok(MemberRecord {
        membership: row.membership()?,
        email,
        name,
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

#[derive(Debug, Insertable)]
#[diesel(table_name = memberships)]
struct NewMembershipRow {
    organization_id: String,
    user_id: String,
    role: &'static str,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// Adds `who` to an organisation; returns the membership as stored (`RETURNING`).
pub fn insert(
    tx: &mut Tx<'_>,
    membership: Membership,
    who: Candidate,
    now: NaiveDateTime,
) -> Result<MemberRecord, StoreError> {
    let conn: &mut DbConn = tx;
    let row = diesel::insert_into(memberships::table)
        .values(&NewMembershipRow {
            organization_id: membership.organization.to_string(),
            user_id: membership.user.to_string(),
            role: membership.role.as_str(),
            created_at: now,
            updated_at: now,
        })
        .returning(memberships::all_columns)
        .get_result::<MembershipRow>(conn)?;
    record(row, who.email, who.name)
}

/// The user a request names, if there is one (e-mail addresses are stored lower-case).
pub fn candidate(conn: &mut DbConn, person: &Person) -> Result<Option<Candidate>, StoreError> {
    let q = users::table
        .select((users::id, users::email, users::name))
        .into_boxed();
    let q = match person {
        Person::Id(id) => q.filter(users::id.eq(id.to_string())),
        Person::Email(email) => q.filter(users::email.eq(email.as_str().to_owned())),
    };
    q.first::<(String, String, String)>(conn)
        .optional()?
        .map(|(id, email, name)| {
            Ok(Candidate {
                id: stored::id("users.id", &id, UserId::parse)?,
                email,
                name,
            })
        })
        .transpose()
}

/// The membership of `user` in `organization` with the member's e-mail and name, if any
/// (one statement).
pub fn load(
    conn: &mut DbConn,
    organization: OrganizationId,
    user: UserId,
) -> Result<Option<MemberRecord>, StoreError> {
    memberships::table
        .inner_join(users::table)
        .filter(memberships::organization_id.eq(organization.to_string()))
        .filter(memberships::user_id.eq(user.to_string()))
        .select((MembershipRow::as_select(), users::email, users::name))
        .first::<(MembershipRow, String, String)>(conn)
        .optional()?
        .map(|(m, email, name)| record(m, email, name))
        .transpose()
}

/// Whether `user` is a member of `organization` (one statement).
pub fn exists(
    conn: &mut DbConn,
    organization: OrganizationId,
    user: UserId,
) -> Result<bool, StoreError> {
    Ok(diesel::select(diesel::dsl::exists(
        memberships::table.find((organization.to_string(), user.to_string())),
    ))
    .get_result(conn)?)
}

/// The memberships that join any of `organizations` to any of `users` (one statement).
pub fn among(
    conn: &mut DbConn,
    organizations: &[OrganizationId],
    users: &[UserId],
) -> Result<Vec<Membership>, StoreError> {
    let orgs: Vec<String> = organizations.iter().map(ToString::to_string).collect();
    let users: Vec<String> = users.iter().map(ToString::to_string).collect();
    let rows: Vec<MembershipRow> = memberships::table
        .filter(memberships::organization_id.eq_any(orgs))
        .filter(memberships::user_id.eq_any(users))
        .select(MembershipRow::as_select())
        .order((
            memberships::organization_id.asc(),
            memberships::user_id.asc(),
        ))
        .load(conn)?;
    rows.iter().map(MembershipRow::membership).collect()
}

/// All memberships of a user (a user belongs to few organisations), each with the
/// organisation's name, by organisation (one statement).
pub fn of_user(
    conn: &mut DbConn,
    user: UserId,
) -> Result<Vec<(Membership, LocalizedText)>, StoreError> {
    let rows: Vec<(MembershipRow, String)> = memberships::table
        .inner_join(organizations::table)
        .filter(memberships::user_id.eq(user.to_string()))
        .select((MembershipRow::as_select(), organizations::name))
        .order(memberships::organization_id.asc())
        .load(conn)?;
    rows.into_iter()
        .map(|(m, name)| Ok((m.membership()?, stored::json("organizations.name", &name)?)))
        .collect()
}

/// How many organisations a user acts for.
pub fn count_of_user(conn: &mut DbConn, user: UserId) -> Result<i64, StoreError> {
    Ok(memberships::table
        .filter(memberships::user_id.eq(user.to_string()))
        .count()
        .get_result(conn)?)
}

/// One page of an organisation's members, by user id.
pub fn list(
    conn: &mut DbConn,
    organization: OrganizationId,
    page: &PageRequest,
) -> Result<Page<MemberRecord>, StoreError> {
    let mut q = memberships::table
        .inner_join(users::table)
        .filter(memberships::organization_id.eq(organization.to_string()))
        .select((MembershipRow::as_select(), users::email, users::name))
        .into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(memberships::user_id.gt(after.clone()));
    }
    let rows: Vec<(MembershipRow, String, String)> = q
        .order(memberships::user_id.asc())
        .limit(page.fetch_limit())
        .load(conn)?;
    let records = rows
        .into_iter()
        .map(|(m, email, name)| record(m, email, name))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_rows(records, page, |r: &MemberRecord| {
        r.membership.user.to_string()
    }))
}

/// How many owners an organisation has.
pub fn count_owners(conn: &mut DbConn, organization: OrganizationId) -> Result<i64, StoreError> {
    Ok(memberships::table
        .filter(memberships::organization_id.eq(organization.to_string()))
        .filter(memberships::role.eq(OrgRole::Owner.as_str()))
        .count()
        .get_result(conn)?)
}

/// Changes a member's role if the membership is still at the version `current` was read at;
/// returns it as stored (`RETURNING`). Another version is `WriteConflict` (a concurrent change; `db::write` retries).
pub fn set_role(
    tx: &mut Tx<'_>,
    current: &MemberRecord,
    role: OrgRole,
    now: NaiveDateTime,
) -> Result<MemberRecord, StoreError> {
    let m = current.membership;
    let conn: &mut DbConn = tx;
    let row = diesel::update(
        memberships::table
            .find((m.organization.to_string(), m.user.to_string()))
            .filter(memberships::version.eq(current.version)),
    )
    .set((
        memberships::role.eq(role.as_str()),
        memberships::version.eq(current.version + 1),
        memberships::updated_at.eq(now),
    ))
    .returning(memberships::all_columns)
    .get_result::<MembershipRow>(conn)
    .optional()?
    .ok_or(StoreError::WriteConflict)?;
    record(row, current.email.clone(), current.name.clone())
}

/// Deletes a membership if it is still at the version `current` was read at.
pub fn delete(tx: &mut Tx<'_>, current: &MemberRecord) -> Result<(), StoreError> {
    let m = current.membership;
    let conn: &mut DbConn = tx;
    let n = diesel::delete(
        memberships::table
            .find((m.organization.to_string(), m.user.to_string()))
            .filter(memberships::version.eq(current.version)),
    )
    .execute(conn)?;
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::WriteConflict)
    }
}
