//! Coalition use cases: a network admits member organisations, lists them, ends a membership
//! (a removal by the network or the member leaving), and counts how it grew over a period.
//! The rules are `domain::network`'s, who may do what `domain::access::network`'s.

use crate::error::ApiError;
use crate::service::events::{self, Event};
use chrono::{NaiveDate, NaiveDateTime};
use seriktes_domain::access::network::{NetworkRight, NetworkRole, network as policy};
use seriktes_domain::access::{Actor, Role, authorize};
use seriktes_domain::ids::{NetworkMembershipId, OrganizationId};
use seriktes_domain::network::{self, Growth, NetworkMembership};
use seriktes_persistence::db::Tx;
use seriktes_persistence::networks::{self, Listed, MembershipFilter};
use seriktes_persistence::page::{Page, PageRequest};
use seriktes_persistence::{DbConn, StoreError, organizations};

/// A membership as a caller sees it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The membership and its member's name.
    pub listed: Listed,
    /// The caller's role towards it.
    pub role: NetworkRole,
}

impl Seen {
    /// What the caller may do next: `end` a current membership it may end.
    pub fn allowed_actions(&self) -> Vec<&'static str> {
        if self.listed.membership.is_current() && self.role.may(NetworkRight::End) {
            vec!["end"]
        } else {
            Vec::new()
        }
    }
}

/// An admission, parsed.
#[derive(Debug, Clone, Copy)]
pub struct NewMember {
    /// The organisation admitted.
    pub member: OrganizationId,
    /// The day it joined (default: today).
    pub joined_on: Option<NaiveDate>,
}

fn event(kind: &str, m: &NetworkMembership, summary: String) -> Event {
    Event::new(kind, "network_membership", m.id, summary)
        .seen_by([m.network, m.member])
        .with_payload(serde_json::json!({
            "network_id": m.network.to_string(),
            "member_organization_id": m.member.to_string(),
            "joined_on": m.joined_on,
            "left_on": m.left_on,
        }))
}

/// Admits an organisation to a network (the network's owners and managers, admins).
pub fn admit(
    tx: &mut Tx<'_>,
    actor: &Actor,
    network_id: OrganizationId,
    input: NewMember,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let Some((kind, member_exists, current)) =
        networks::admission_facts(tx, network_id, input.member)?
    else {
        return Err(ApiError::NotFound);
    };
    let role = authorize(policy(actor, network_id, None), NetworkRight::Admit)?;
    if !member_exists {
        return Err(ApiError::invalid(
            "member_organization_id",
            "exists",
            "no such organisation",
        ));
    }
    let today = now.date();
    let joined_on = input.joined_on.unwrap_or(today);
    network::check_admission(kind, network_id, input.member, joined_on, current, today)?;
    let m = NetworkMembership {
        id: NetworkMembershipId::from_uuid(uuid::Uuid::now_v7()),
        network: network_id,
        member: input.member,
        joined_on,
        left_on: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    match networks::insert(tx, &m) {
        // Another request admitted it first (the partial unique index).
        Err(StoreError::Duplicate { .. }) => {
            return Err(ApiError::conflict(
                "The organisation is a current member of the network already.",
            ));
        }
        other => other?,
    }
    let summary = format!("{} joined on {joined_on}", m.member);
    events::record(
        tx,
        Some(actor),
        now,
        event("network.member_admitted", &m, summary),
    )?;
    let listed = networks::find(tx, m.id)?;
    Ok(Seen { listed, role })
}

fn load(conn: &mut DbConn, id: NetworkMembershipId) -> Result<Listed, ApiError> {
    match networks::find(conn, id) {
        Err(StoreError::NotFound) => Err(ApiError::NotFound),
        other => Ok(other?),
    }
}

/// One membership (every signed-in user).
pub fn get(conn: &mut DbConn, actor: &Actor, id: NetworkMembershipId) -> Result<Seen, ApiError> {
    let listed = load(conn, id)?;
    let m = &listed.membership;
    let role = authorize(policy(actor, m.network, Some(m.member)), NetworkRight::Read)?;
    Ok(Seen { listed, role })
}

/// Ends a membership on `left_on` (default: today): a removal by the network's owners and
/// managers, or the member organisation's owners and managers leaving.
pub fn end(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: NetworkMembershipId,
    left_on: Option<NaiveDate>,
    if_match: Option<i64>,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let mut listed = load(tx, id)?;
    let m = &listed.membership;
    let role = authorize(policy(actor, m.network, Some(m.member)), NetworkRight::End)?;
    let today = now.date();
    let left_on = network::plan_end(m, left_on.unwrap_or(today), today)?;
    let version = networks::end(tx, m, if_match, left_on, now)?;
    let kind = if role == NetworkRole::MemberManager {
        "network.member_left"
    } else {
        "network.member_removed"
    };
    let m = &mut listed.membership;
    m.left_on = Some(left_on);
    m.version = version;
    m.updated_at = now;
    let summary = format!("{} left on {left_on}", m.member);
    events::record(tx, Some(actor), now, event(kind, m, summary))?;
    Ok(Seen { listed, role })
}

fn network_exists(conn: &mut DbConn, id: OrganizationId) -> Result<(), ApiError> {
    if organizations::exists(conn, id)? {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

/// One page of a network's memberships, in the order they were recorded (two statements).
pub fn list(
    conn: &mut DbConn,
    actor: &Actor,
    network_id: OrganizationId,
    filter: &MembershipFilter,
    page: &PageRequest,
) -> Result<Page<Seen>, ApiError> {
    network_exists(conn, network_id)?;
    authorize(policy(actor, network_id, None), NetworkRight::Read)?;
    let p = networks::list(conn, network_id, filter, page)?;
    Ok(p.map(|listed| {
        let m = &listed.membership;
        let role = policy(actor, m.network, Some(m.member)).unwrap_or(NetworkRole::Visitor);
        Seen { listed, role }
    }))
}

/// How a network grew between `from` and `to` (two statements).
pub fn growth(
    conn: &mut DbConn,
    actor: &Actor,
    network_id: OrganizationId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Growth, ApiError> {
    network::check_period(from, to)?;
    network_exists(conn, network_id)?;
    authorize(policy(actor, network_id, None), NetworkRight::Read)?;
    Ok(networks::growth(conn, network_id, from, to)?)
}
