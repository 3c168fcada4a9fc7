//! Action items of meetings: SQL only.

use crate::db::DbConn;
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::schema::action_items;
use crate::stored;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use seriktes_domain::action_item::{ActionItem, ActionItemFields};
use seriktes_domain::ids::{ActionItemId, MeetingId, OrganizationId, UserId};

/// A stored action item.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = action_items)]
struct ItemRow {
    id: stored::Uuid,
    meeting_id: stored::Uuid,
    text: String,
    owner_organization_id: Option<String>,
    owner_user_id: Option<String>,
    due_on: NaiveDate,
    done_at: Option<NaiveDateTime>,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl ItemRow {
    fn into_domain(self) -> Result<ActionItem, StoreError> {
        Ok(ActionItem {
            id: ActionItemId::from_uuid(self.id.0),
            meeting: MeetingId::from_uuid(self.meeting_id.0),
            fields: ActionItemFields {
                text: self.text,
                owner_organization: self
                    .owner_organization_id
                    .as_deref()
                    .map(|o| {
                        stored::id(
                            "action_items.owner_organization_id",
                            o,
                            OrganizationId::parse,
                        )
                    })
                    .transpose()?,
                owner_user: self
                    .owner_user_id
                    .as_deref()
                    .map(|u| stored::id("action_items.owner_user_id", u, UserId::parse))
                    .transpose()?,
                due_on: self.due_on,
            },
            done_at: self.done_at,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// Inserts an action item (one statement).
pub fn insert(conn: &mut DbConn, item: &ActionItem) -> Result<(), StoreError> {
    use action_items as t;
    let f = &item.fields;
    diesel::insert_into(t::table)
        .values((
            t::id.eq(item.id.to_string()),
            t::meeting_id.eq(item.meeting.to_string()),
            t::text.eq(&f.text),
            t::owner_organization_id.eq(f.owner_organization.map(|o| o.to_string())),
            t::owner_user_id.eq(f.owner_user.map(|u| u.to_string())),
            t::due_on.eq(f.due_on),
            t::done_at.eq(item.done_at),
            t::version.eq(item.version),
            t::created_at.eq(item.created_at),
            t::updated_at.eq(item.updated_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// One action item (one statement).
pub fn find(conn: &mut DbConn, id: ActionItemId) -> Result<ActionItem, StoreError> {
    action_items::table
        .find(id.to_string())
        .select(ItemRow::as_select())
        .first::<ItemRow>(conn)?
        .into_domain()
}

/// Stores `next` over `current` if it is still at the version read (one statement).
pub fn update(
    conn: &mut DbConn,
    current: &ActionItem,
    expected: Option<i64>,
    next: &ActionItem,
    now: NaiveDateTime,
) -> Result<i64, StoreError> {
    let f = &next.fields;
    update_versioned!(
        conn,
        action_items,
        current.id.to_string(),
        current.version,
        expected,
        now,
        action_items::text.eq(&f.text),
        action_items::owner_organization_id.eq(f.owner_organization.map(|o| o.to_string())),
        action_items::owner_user_id.eq(f.owner_user.map(|u| u.to_string())),
        action_items::due_on.eq(f.due_on),
        action_items::done_at.eq(next.done_at),
    )?;
    Ok(current.version + 1)
}

/// Filters of the action item lists.
#[derive(Debug, Clone, Copy, Default)]
pub struct ItemFilter {
    /// Only done items (`true`) or only open ones (`false`).
    pub done: Option<bool>,
    /// Only items overdue on `today` (`true`) or only those not (`false`).
    pub overdue: Option<bool>,
    /// The day `overdue` is decided on.
    pub today: Option<NaiveDate>,
    /// Only items changed at or after this time.
    pub updated_since: Option<NaiveDateTime>,
}

/// Whose items a list holds.
#[derive(Debug, Clone)]
pub enum Owner {
    /// A meeting's.
    Meeting(MeetingId),
    /// Those owned by this user or by one of these organisations.
    Of(UserId, Vec<OrganizationId>),
}

/// One page of action items by id (one statement).
pub fn list(
    conn: &mut DbConn,
    whose: &Owner,
    filter: &ItemFilter,
    page: &PageRequest,
) -> Result<Page<ActionItem>, StoreError> {
    use action_items as t;
    let mut q = t::table.select(ItemRow::as_select()).into_boxed();
    match whose {
        Owner::Meeting(m) => q = q.filter(t::meeting_id.eq(m.to_string())),
        Owner::Of(user, orgs) => {
            let orgs: Vec<String> = orgs.iter().map(ToString::to_string).collect();
            q = q.filter(
                t::owner_user_id
                    .eq(user.to_string())
                    .or(t::owner_organization_id.eq_any(orgs)),
            );
        }
    }
    if let Some(after) = &page.after {
        q = q.filter(t::id.gt(after.clone()));
    }
    match filter.done {
        Some(true) => q = q.filter(t::done_at.is_not_null()),
        Some(false) => q = q.filter(t::done_at.is_null()),
        None => {}
    }
    if let (Some(overdue), Some(today)) = (filter.overdue, filter.today) {
        let late = t::done_at.is_null().and(t::due_on.lt(today));
        q = if overdue {
            q.filter(late)
        } else {
            q.filter(diesel::dsl::not(late))
        };
    }
    if let Some(since) = filter.updated_since {
        q = q.filter(t::updated_at.ge(since));
    }
    let rows: Vec<ItemRow> = q.order(t::id.asc()).limit(page.fetch_limit()).load(conn)?;
    let page = Page::from_rows(rows, page, |r| r.id.0.to_string());
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(ItemRow::into_domain)
            .collect::<Result<_, _>>()?,
        next_after: page.next_after,
    })
}
