//! Wire types of network memberships (coalitions).

use crate::response::utc;
use crate::service::networks::{NewMember, Seen};
use crate::wire::{CalendarDate, OrganizationName, ser};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use seriktes_domain::ids::OrganizationId;
use seriktes_domain::network::Growth;
use seriktes_persistence::networks::MembershipFilter;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// An organisation's membership of a network: from the day it joined to the day it left.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-f500-7000-8000-000000000001",
    "network_organization_id": "0193a0c4-8000-7000-8000-0000000000a1",
    "member_organization_id": "0193a0c4-8000-7000-8000-000000000001",
    "member_name": {"en": "Youth Initiatives Centre"},
    "joined_on": "2026-03-01", "left_on": null, "current": true,
    "allowed_actions": ["end"],
    "created_at": "2026-03-01T09:00:00Z", "updated_at": "2026-03-01T09:00:00Z"
}))]
pub struct NetworkMembershipResponse {
    /// Id.
    pub id: Uuid,
    /// The network (an organisation of kind `network`).
    pub network_organization_id: Uuid,
    /// The member organisation.
    pub member_organization_id: Uuid,
    /// The member organisation's name.
    pub member_name: OrganizationName,
    /// The day it joined.
    #[serde(serialize_with = "ser::date")]
    pub joined_on: NaiveDate,
    /// The day it left (`null`: a current member).
    pub left_on: Option<NaiveDate>,
    /// Whether it is a current member.
    pub current: bool,
    /// Actions the caller may take now: `end` (the network's owners and managers remove, the
    /// member's owners and managers leave).
    #[schema(value_type = Vec<String>)]
    pub allowed_actions: Vec<&'static str>,
    /// When recorded.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<Seen> for NetworkMembershipResponse {
    fn from(s: Seen) -> Self {
        let allowed_actions = s.allowed_actions();
        let m = s.listed.membership;
        Self {
            id: m.id.uuid(),
            network_organization_id: m.network.uuid(),
            member_organization_id: m.member.uuid(),
            member_name: s.listed.member_name.into(),
            joined_on: m.joined_on,
            left_on: m.left_on,
            current: m.is_current(),
            allowed_actions,
            created_at: utc(m.created_at),
            updated_at: utc(m.updated_at),
        }
    }
}

/// Admit an organisation to the network.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"member_organization_id": "0193a0c4-8000-7000-8000-000000000001", "joined_on": "2026-03-01"}))]
pub struct AdmitMemberRequest {
    /// The organisation admitted (not the network itself, not a current member already).
    pub member_organization_id: Uuid,
    /// The day it joined, not after today (default: today, UTC).
    pub joined_on: Option<CalendarDate>,
}

impl From<AdmitMemberRequest> for NewMember {
    fn from(r: AdmitMemberRequest) -> Self {
        Self {
            member: OrganizationId::from_uuid(r.member_organization_id),
            joined_on: r.joined_on.map(CalendarDate::get),
        }
    }
}

/// End a membership.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"left_on": "2026-11-30"}))]
pub struct EndMembershipRequest {
    /// The day it left: not before it joined, not after today (default: today, UTC).
    pub left_on: Option<CalendarDate>,
}

/// Filters of a network's member list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MembershipListParams {
    /// Only current members (`true`) or only those who left (`false`).
    pub current: Option<bool>,
    /// Only memberships that began on or after this day.
    pub joined_from: Option<CalendarDate>,
    /// Only memberships that began on or before this day.
    pub joined_to: Option<CalendarDate>,
    /// Only memberships changed at or after this time (RFC 3339).
    pub updated_since: Option<crate::wire::Timestamp>,
}

impl From<MembershipListParams> for MembershipFilter {
    fn from(p: MembershipListParams) -> Self {
        Self {
            current: p.current,
            joined_from: p.joined_from.map(CalendarDate::get),
            joined_to: p.joined_to.map(CalendarDate::get),
            updated_since: p.updated_since.map(crate::wire::Timestamp::get),
        }
    }
}

/// The period a network's growth is counted over.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GrowthParams {
    /// First day (inclusive).
    pub from: CalendarDate,
    /// Last day (inclusive), not before `from`.
    pub to: CalendarDate,
}

/// How a network grew over a period ("five new member organisations").
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "network_organization_id": "0193a0c4-8000-7000-8000-0000000000a1",
    "from": "2026-01-01", "to": "2026-12-31", "current_members": 41, "joined": 5, "left": 1
}))]
pub struct NetworkGrowthResponse {
    /// The network.
    pub network_organization_id: Uuid,
    /// First day of the period.
    #[serde(serialize_with = "ser::date")]
    pub from: NaiveDate,
    /// Last day of the period.
    #[serde(serialize_with = "ser::date")]
    pub to: NaiveDate,
    /// Member organisations today.
    pub current_members: i64,
    /// Memberships that began in the period.
    pub joined: i64,
    /// Memberships that ended in the period.
    pub left: i64,
}

impl NetworkGrowthResponse {
    /// The response for `network` over `from`–`to`.
    pub fn new(network: Uuid, from: NaiveDate, to: NaiveDate, g: Growth) -> Self {
        Self {
            network_organization_id: network,
            from,
            to,
            current_members: g.current,
            joined: g.joined,
            left: g.left,
        }
    }
}
