//! Wire types of action items.

use crate::response::utc;
use crate::service::action_items::{ItemInput, ItemPatch, Seen};
use crate::wire::{CalendarDate, ser};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use seriktes_domain::ids::{OrganizationId, UserId};
use seriktes_persistence::action_items::ItemFilter;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A follow-up of a meeting.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-f600-7000-8000-000000000001", "meeting_id": "0193a0c4-f000-7000-8000-000000000001",
    "text": "Send the draft regulation on monthly meetings to every CSO of the district",
    "owner_organization_id": "0193a0c4-8000-7000-8000-000000000002", "owner_user_id": null,
    "due_on": "2026-12-15", "done": false, "done_at": null, "overdue": false,
    "allowed_actions": ["edit", "complete"],
    "created_at": "2026-12-01T09:00:00Z", "updated_at": "2026-12-01T09:00:00Z"
}))]
pub struct ActionItemResponse {
    /// Id.
    pub id: Uuid,
    /// The meeting it follows up.
    pub meeting_id: Uuid,
    /// What is to be done.
    pub text: String,
    /// The owning organisation.
    pub owner_organization_id: Option<Uuid>,
    /// The owning user.
    pub owner_user_id: Option<Uuid>,
    /// When it is due.
    #[serde(serialize_with = "ser::date")]
    pub due_on: NaiveDate,
    /// Whether it is done.
    pub done: bool,
    /// When it was marked done.
    pub done_at: Option<DateTime<Utc>>,
    /// Whether it is overdue today (UTC): open past its due date. Derived, never stored.
    pub overdue: bool,
    /// What the caller may do: `edit` (the meeting's organisers), `complete` or `reopen`
    /// (organisers and the owner).
    #[schema(value_type = Vec<String>)]
    pub allowed_actions: Vec<&'static str>,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<Seen> for ActionItemResponse {
    fn from(s: Seen) -> Self {
        let allowed_actions = s.allowed_actions();
        let i = s.item;
        Self {
            id: i.id.uuid(),
            meeting_id: i.meeting.uuid(),
            text: i.fields.text,
            owner_organization_id: i.fields.owner_organization.map(OrganizationId::uuid),
            owner_user_id: i.fields.owner_user.map(UserId::uuid),
            due_on: i.fields.due_on,
            done: i.done_at.is_some(),
            done_at: i.done_at.map(utc),
            overdue: s.overdue,
            allowed_actions,
            created_at: utc(i.created_at),
            updated_at: utc(i.updated_at),
        }
    }
}

/// A new action item: an owning organisation, a user or both.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "Send the draft regulation to every CSO of the district", "owner_organization_id": "0193a0c4-8000-7000-8000-000000000002", "due_on": "2026-12-15"}))]
pub struct CreateActionItemRequest {
    /// What is to be done (1 to 1,000 characters).
    pub text: String,
    /// The owning organisation.
    pub owner_organization_id: Option<Uuid>,
    /// The owning user.
    pub owner_user_id: Option<Uuid>,
    /// When it is due.
    pub due_on: CalendarDate,
}

impl From<CreateActionItemRequest> for ItemInput {
    fn from(r: CreateActionItemRequest) -> Self {
        Self {
            text: r.text,
            owner_organization: r.owner_organization_id.map(OrganizationId::from_uuid),
            owner_user: r.owner_user_id.map(UserId::from_uuid),
            due_on: r.due_on.get(),
        }
    }
}

/// Changes to an action item; absent fields stay. The meeting's organisers change `text`, the
/// owners and `due_on`; organisers and the owner set `done`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"done": true}))]
pub struct PatchActionItemRequest {
    /// New text.
    pub text: Option<String>,
    /// New owning organisation, or `null`.
    #[serde(default, deserialize_with = "crate::wire::double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub owner_organization_id: Option<Option<Uuid>>,
    /// New owning user, or `null`.
    #[serde(default, deserialize_with = "crate::wire::double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub owner_user_id: Option<Option<Uuid>>,
    /// New due date.
    pub due_on: Option<CalendarDate>,
    /// Done (`true`) or open again (`false`).
    pub done: Option<bool>,
}

impl From<PatchActionItemRequest> for ItemPatch {
    fn from(r: PatchActionItemRequest) -> Self {
        Self {
            text: r.text,
            owner_organization: r
                .owner_organization_id
                .map(|o| o.map(OrganizationId::from_uuid)),
            owner_user: r.owner_user_id.map(|u| u.map(UserId::from_uuid)),
            due_on: r.due_on.map(CalendarDate::get),
            done: r.done,
        }
    }
}

/// Filters of the action item lists.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActionItemListParams {
    /// Only done items (`true`) or only open ones (`false`).
    pub done: Option<bool>,
    /// Only overdue items (`true`) or only those not overdue (`false`).
    pub overdue: Option<bool>,
    /// Only items changed at or after this time (RFC 3339).
    pub updated_since: Option<crate::wire::Timestamp>,
}

impl From<ActionItemListParams> for ItemFilter {
    fn from(p: ActionItemListParams) -> Self {
        Self {
            done: p.done,
            overdue: p.overdue,
            today: None,
            updated_since: p.updated_since.map(crate::wire::Timestamp::get),
        }
    }
}
