//! Membership use cases: list, get, add, change role, remove. The members of an organisation
//! exist only for its members and admins (404 to anyone else, `access::organization::members`);
//! who may make which change is `membership::authorize_change`.

use crate::error::ApiError;
use crate::service::events::{self, Event};
use chrono::NaiveDateTime;
use seriktes_domain::DomainError;
use seriktes_domain::access::organization::{self as policy, OrganizationRight, OrganizationRole};
use seriktes_domain::access::{Actor, authorize};
use seriktes_domain::ids::{OrganizationId, UserId};
use seriktes_domain::membership::{
    Membership, MembershipChange, NewMember, OrgRole, Person, authorize_change,
    check_room_for_membership,
};
use seriktes_persistence::db::Tx;
use seriktes_persistence::memberships::{self, MemberRecord};
use seriktes_persistence::{DbConn, Page, PageRequest, StoreError, organizations};

/// The caller's role towards the organisation's members: 404 when the caller may not see them
/// or the organisation does not exist.
fn member_role(
    conn: &mut DbConn,
    actor: &Actor,
    org: OrganizationId,
) -> Result<OrganizationRole, ApiError> {
    let role = authorize(policy::members(actor, org), OrganizationRight::ReadMembers)?;
    if !organizations::exists(conn, org)? {
        return Err(ApiError::NotFound);
    }
    Ok(role)
}

/// Asks the membership rule, counting owners only when the change touches one.
fn check_change(
    conn: &mut DbConn,
    actor: &Actor,
    role: OrganizationRole,
    org: OrganizationId,
    target: UserId,
    from: Option<OrgRole>,
    to: Option<OrgRole>,
) -> Result<(), ApiError> {
    let owner_count = if from == Some(OrgRole::Owner) {
        usize::try_from(memberships::count_owners(conn, org)?).unwrap_or(usize::MAX)
    } else {
        0
    };
    let change_actor = role.change_actor().ok_or(DomainError::NotFound)?;
    let change = MembershipChange {
        from,
        to,
        is_self: target == actor.user_id(),
        owner_count,
    };
    Ok(authorize_change(change_actor, change)?)
}

/// One page of an organisation's members.
pub fn list(
    conn: &mut DbConn,
    actor: &Actor,
    org: OrganizationId,
    page: &PageRequest,
) -> Result<Page<MemberRecord>, ApiError> {
    member_role(conn, actor, org)?;
    Ok(memberships::list(conn, org, page)?)
}

/// One membership.
pub fn get(
    conn: &mut DbConn,
    actor: &Actor,
    org: OrganizationId,
    user: UserId,
) -> Result<MemberRecord, ApiError> {
    member_role(conn, actor, org)?;
    memberships::load(conn, org, user)?.ok_or(ApiError::NotFound)
}

/// Adds a user to an organisation.
pub fn add(
    tx: &mut Tx<'_>,
    actor: &Actor,
    org: OrganizationId,
    new: NewMember,
    now: NaiveDateTime,
) -> Result<MemberRecord, ApiError> {
    let role = member_role(tx, actor, org)?;
    let who = memberships::candidate(tx, &new.person)?.ok_or_else(|| match new.person {
        Person::Id(_) => ApiError::invalid("user_id", "exists", "no user has this id"),
        Person::Email(_) => ApiError::invalid("email", "exists", "no user has this e-mail address"),
    })?;
    if memberships::load(tx, org, who.id)?.is_some() {
        return Err(ApiError::conflict(
            "This user is already a member; change their role instead.",
        ));
    }
    check_change(tx, actor, role, org, who.id, None, Some(new.role))?;
    let so_far = memberships::count_of_user(tx, who.id)?;
    check_room_for_membership(usize::try_from(so_far).unwrap_or(usize::MAX))?;
    let summary = format!("added {} as {}", who.email, new.role.as_str());
    let membership = Membership {
        organization: org,
        user: who.id,
        role: new.role,
    };
    let record = memberships::insert(tx, membership, who, now)?;
    record_event(tx, actor, now, "membership.create", &record, summary)?;
    Ok(record)
}

/// Changes a member's role, guarded by the version read here (and by `if_match`).
pub fn change_role(
    tx: &mut Tx<'_>,
    actor: &Actor,
    (org, user): (OrganizationId, UserId),
    to: OrgRole,
    if_match: Option<i64>,
    now: NaiveDateTime,
) -> Result<MemberRecord, ApiError> {
    let role = member_role(tx, actor, org)?;
    let current = memberships::load(tx, org, user)?.ok_or(ApiError::NotFound)?;
    let from = current.membership.role;
    check_change(tx, actor, role, org, user, Some(from), Some(to))?;
    if if_match.is_some_and(|v| v != current.version) {
        return Err(StoreError::VersionMismatch.into());
    }
    let updated = memberships::set_role(tx, &current, to, now)?;
    let summary = format!(
        "changed {} from {} to {}",
        current.email,
        from.as_str(),
        to.as_str()
    );
    record_event(tx, actor, now, "membership.update", &updated, summary)?;
    Ok(updated)
}

/// Removes a member, or lets the caller leave.
pub fn remove(
    tx: &mut Tx<'_>,
    actor: &Actor,
    (org, user): (OrganizationId, UserId),
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let role = member_role(tx, actor, org)?;
    let current = memberships::load(tx, org, user)?.ok_or(ApiError::NotFound)?;
    let from = current.membership.role;
    check_change(tx, actor, role, org, user, Some(from), None)?;
    memberships::delete(tx, &current)?;
    let summary = format!("removed {} ({})", current.email, from.as_str());
    record_event(tx, actor, now, "membership.delete", &current, summary)
}

/// Records a membership event on the organisation (the audit log files memberships under
/// their organisation), seen by the organisation itself.
fn record_event(
    tx: &mut Tx<'_>,
    actor: &Actor,
    now: NaiveDateTime,
    kind: &'static str,
    record: &MemberRecord,
    summary: String,
) -> Result<(), ApiError> {
    let m = record.membership;
    events::record(
        tx,
        Some(actor),
        now,
        Event::new(kind, "organization", m.organization, summary)
            .seen_by([m.organization])
            .with_payload(serde_json::json!({
                "organization_id": m.organization,
                "user_id": m.user,
                "role": m.role.as_str(),
            })),
    )
}
