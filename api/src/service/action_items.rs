//! Action-item use cases: a meeting's organisers add follow-ups with an owner and a due date,
//! whoever sees the meeting reads them, the owner (or an organiser) marks them done, and a
//! signed-in user lists the items they or the organisations they run own. Overdue is derived
//! from the due date on `now`'s date, never stored.

use crate::error::ApiError;
use crate::service::events::{self, Event};
use crate::service::meetings::facts;
use chrono::{NaiveDate, NaiveDateTime};
use seriktes_domain::DomainError;
use seriktes_domain::access::action_item::{ActionItemRight, ActionItemRole, action_item};
use seriktes_domain::access::meeting::meeting as meeting_policy;
use seriktes_domain::access::{Actor, Role, authorize};
use seriktes_domain::action_item::{self as rules, ActionItem};
use seriktes_domain::ids::{ActionItemId, MeetingId, OrganizationId, UserId};
use seriktes_domain::meeting::{Meeting, MeetingStatus};
use seriktes_persistence::action_items::{self as store, ItemFilter, Owner};
use seriktes_persistence::db::Tx;
use seriktes_persistence::page::{Page, PageRequest};
use seriktes_persistence::{DbConn, StoreError, meetings, organizations, users};

/// An action item as a caller sees it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The item.
    pub item: ActionItem,
    /// The caller's role.
    pub role: ActionItemRole,
    /// Whether it is overdue today.
    pub overdue: bool,
}

impl Seen {
    fn new(item: ActionItem, role: ActionItemRole, today: NaiveDate) -> Self {
        let overdue = item.is_overdue(today);
        Self {
            item,
            role,
            overdue,
        }
    }

    /// What the caller may do: `edit` (organisers), `complete` or `reopen` (organisers, owner).
    pub fn allowed_actions(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.role.may(ActionItemRight::Manage) {
            out.push("edit");
        }
        if self.role.may(ActionItemRight::Complete) {
            out.push(if self.item.done_at.is_some() {
                "reopen"
            } else {
                "complete"
            });
        }
        out
    }
}

/// An action item's fields as sent.
#[derive(Debug, Clone)]
pub struct ItemInput {
    /// What is to be done.
    pub text: String,
    /// The owning organisation.
    pub owner_organization: Option<OrganizationId>,
    /// The owning user.
    pub owner_user: Option<UserId>,
    /// When it is due.
    pub due_on: NaiveDate,
}

/// Changes to an action item; `None` keeps a field.
#[derive(Debug, Clone, Default)]
pub struct ItemPatch {
    /// New text.
    pub text: Option<String>,
    /// New owning organisation, or none.
    pub owner_organization: Option<Option<OrganizationId>>,
    /// New owning user, or none.
    pub owner_user: Option<Option<UserId>>,
    /// New due date.
    pub due_on: Option<NaiveDate>,
    /// Done (`true`) or open again (`false`).
    pub done: Option<bool>,
}

fn role_of(
    actor: Option<&Actor>,
    m: &Meeting,
    item: &rules::ActionItemFields,
) -> Option<ActionItemRole> {
    let seen = meeting_policy(actor, &facts(m));
    action_item(actor, seen, item.owner_organization, item.owner_user)
}

fn load_meeting(conn: &mut DbConn, id: MeetingId) -> Result<Meeting, ApiError> {
    match meetings::find(conn, id) {
        Err(StoreError::NotFound) => Err(ApiError::NotFound),
        other => Ok(other?),
    }
}

/// Checks that the named owners exist (a user: an active account).
fn check_owners(conn: &mut DbConn, f: &rules::ActionItemFields) -> Result<(), ApiError> {
    if let Some(o) = f.owner_organization
        && !organizations::exists(conn, o)?
    {
        return Err(ApiError::invalid(
            "owner_organization_id",
            "exists",
            "no such organisation",
        ));
    }
    if let Some(u) = f.owner_user
        && users::active(conn, &[u])?.is_empty()
    {
        return Err(ApiError::invalid(
            "owner_user_id",
            "exists",
            "no such active user",
        ));
    }
    Ok(())
}

fn event(kind: &str, m: &Meeting, item: &ActionItem, summary: String) -> Event {
    let f = &item.fields;
    Event::new(kind, "action_item", item.id, summary)
        .seen_by(m.fields.organizers.iter().copied().chain(f.owner_organization))
        .with_payload(serde_json::json!({"meeting_id": item.meeting.to_string(), "due_on": f.due_on, "done": item.done_at.is_some()}))
}

/// Adds an action item to a meeting that is not cancelled (its organisers).
pub fn create(
    tx: &mut Tx<'_>,
    actor: &Actor,
    meeting: MeetingId,
    input: ItemInput,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let m = load_meeting(tx, meeting)?;
    let fields = rules::check_fields(
        &input.text,
        input.owner_organization,
        input.owner_user,
        input.due_on,
    )?;
    let role = authorize(role_of(Some(actor), &m, &fields), ActionItemRight::Manage)?;
    if m.status == MeetingStatus::Cancelled {
        return Err(DomainError::Conflict(
            "The meeting is cancelled: it has no follow-ups.".into(),
        )
        .into());
    }
    check_owners(tx, &fields)?;
    let item = ActionItem {
        id: ActionItemId::from_uuid(uuid::Uuid::now_v7()),
        meeting,
        fields,
        done_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    store::insert(tx, &item)?;
    let summary = format!("action item due {}", item.fields.due_on);
    events::record(
        tx,
        Some(actor),
        now,
        event("action_item.created", &m, &item, summary),
    )?;
    Ok(Seen::new(item, role, now.date()))
}

/// One action item (whoever sees its meeting, and its owner).
pub fn get(
    conn: &mut DbConn,
    actor: &Actor,
    id: ActionItemId,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let item = match store::find(conn, id) {
        Err(StoreError::NotFound) => return Err(ApiError::NotFound),
        other => other?,
    };
    let m = load_meeting(conn, item.meeting)?;
    let role = authorize(
        role_of(Some(actor), &m, &item.fields),
        ActionItemRight::Read,
    )?;
    Ok(Seen::new(item, role, now.date()))
}

/// Changes an action item: organisers edit its text, owners and due date; organisers and its
/// owner mark it done or open it again.
pub fn update(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: ActionItemId,
    patch: ItemPatch,
    if_match: Option<i64>,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let current = match store::find(tx, id) {
        Err(StoreError::NotFound) => return Err(ApiError::NotFound),
        other => other?,
    };
    let m = load_meeting(tx, current.meeting)?;
    let role = role_of(Some(actor), &m, &current.fields);
    let edits = patch.text.is_some()
        || patch.owner_organization.is_some()
        || patch.owner_user.is_some()
        || patch.due_on.is_some();
    let role = authorize(role, ActionItemRight::Read)?;
    if edits {
        authorize(Some(role), ActionItemRight::Manage)?;
    }
    if patch.done.is_some() {
        authorize(Some(role), ActionItemRight::Complete)?;
    }
    let f = &current.fields;
    let fields = rules::check_fields(
        patch.text.as_deref().unwrap_or(&f.text),
        patch.owner_organization.unwrap_or(f.owner_organization),
        patch.owner_user.unwrap_or(f.owner_user),
        patch.due_on.unwrap_or(f.due_on),
    )?;
    check_owners(tx, &fields)?;
    let done_at = match patch.done {
        Some(true) => current.done_at.or(Some(now)),
        Some(false) => None,
        None => current.done_at,
    };
    let mut next = ActionItem {
        fields,
        done_at,
        ..current.clone()
    };
    next.version = store::update(tx, &current, if_match, &next, now)?;
    next.updated_at = now;
    let kind = match (current.done_at.is_some(), next.done_at.is_some()) {
        (false, true) => "action_item.completed",
        (true, false) => "action_item.reopened",
        _ => "action_item.updated",
    };
    events::record(
        tx,
        Some(actor),
        now,
        event(kind, &m, &next, format!("action item {id} changed")),
    )?;
    let role = role_of(Some(actor), &m, &next.fields).unwrap_or(role);
    Ok(Seen::new(next, role, now.date()))
}

/// One page of a meeting's action items (whoever sees the meeting; anonymous callers for a
/// public one).
pub fn list(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    meeting: MeetingId,
    filter: &ItemFilter,
    page: &PageRequest,
    now: NaiveDateTime,
) -> Result<Page<Seen>, ApiError> {
    let m = load_meeting(conn, meeting)?;
    meeting_policy(actor, &facts(&m)).ok_or(ApiError::NotFound)?;
    let filter = ItemFilter {
        today: Some(now.date()),
        ..*filter
    };
    let p = store::list(conn, &Owner::Meeting(meeting), &filter, page)?;
    Ok(p.map(|item| {
        let role = role_of(actor, &m, &item.fields).unwrap_or(ActionItemRole::Reader);
        Seen::new(item, role, now.date())
    }))
}

/// One page of the signed-in user's action items: owned by them, or by an organisation they
/// own or manage.
pub fn mine(
    conn: &mut DbConn,
    actor: &Actor,
    filter: &ItemFilter,
    page: &PageRequest,
    now: NaiveDateTime,
) -> Result<Page<Seen>, ApiError> {
    let run: Vec<OrganizationId> = actor
        .memberships()
        .iter()
        .filter(|(o, _)| actor.manages(*o))
        .map(|(o, _)| *o)
        .collect();
    let filter = ItemFilter {
        today: Some(now.date()),
        ..*filter
    };
    let p = store::list(conn, &Owner::Of(actor.user_id(), run), &filter, page)?;
    Ok(p.map(|item| Seen::new(item, ActionItemRole::Owner, now.date())))
}
