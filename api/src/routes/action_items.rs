//! Action items (handlers only; use cases in `service::action_items`): a meeting's follow-ups
//! with an owner and a due date, added and edited by its organisers, marked done by their
//! owner, and listed per meeting and for the signed-in user.

mod dto;

pub use dto::*;

use crate::auth::{Caller, MaybeCaller};
use crate::error::ApiError;
use crate::extract::{IfMatch, Json, Query};
use crate::response::{PageParams, Paginated, Tagged};
use crate::service::action_items::{self as uc, ItemInput, ItemPatch, Seen};
use crate::state::State;
use actix_web::{get, patch, post, web};
use seriktes_domain::ids::{ActionItemId, MeetingId};
use uuid::Uuid;

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(create_action_item)
        .service(list_action_items)
        .service(my_action_items)
        .service(get_action_item)
        .service(patch_action_item);
}

fn tagged(s: Seen) -> Tagged<ActionItemResponse> {
    let version = s.item.version;
    Tagged::ok(s.into(), version)
}

/// Add an action item to a meeting that is not cancelled (its organisers): what is to be done,
/// by an organisation, a user or both, by when.
#[utoipa::path(
    tag = "meetings",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Meeting id")),
    request_body = CreateActionItemRequest,
    responses(
        (status = 201, description = "Added.", body = ActionItemResponse, headers(("ETag" = String), ("Location" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/meetings/{id}/action-items")]
pub async fn create_action_item(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<CreateActionItemRequest>,
) -> Result<Tagged<ActionItemResponse>, ApiError> {
    let meeting = MeetingId::from_uuid(id.into_inner());
    let input = ItemInput::from(body.0);
    let s = state
        .write_as(&caller, move |tx, actor, now| {
            uc::create(tx, actor, meeting, input.clone(), now)
        })
        .await?;
    let version = s.item.version;
    let location = format!("/api/v1/action-items/{}", s.item.id);
    Ok(Tagged::created(s.into(), version, location))
}

/// A meeting's action items, in the order they were added (whoever sees the meeting; no
/// sign-in for a public one).
#[utoipa::path(
    tag = "meetings",
    params(("id" = Uuid, Path, description = "Meeting id"), PageParams, ActionItemListParams),
    responses(
        (status = 200, description = "One page of action items.", body = Paginated<ActionItemResponse>),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/meetings/{id}/action-items")]
pub async fn list_action_items(
    state: State,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
    page: Query<PageParams>,
    filter: Query<ActionItemListParams>,
) -> Result<Paginated<ActionItemResponse>, ApiError> {
    let meeting = MeetingId::from_uuid(id.into_inner());
    let page = page.0.to_request()?;
    let filter = filter.0.into();
    let p = state
        .read_maybe(caller.0.as_ref(), move |conn, actor, now| {
            uc::list(conn, actor, meeting, &filter, &page, now)
        })
        .await?;
    Paginated::try_from_page(p, |s| Ok(ActionItemResponse::from(s)))
}

/// The signed-in user's action items: owned by them, or by an organisation they own or manage.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    params(PageParams, ActionItemListParams),
    responses(
        (status = 200, description = "One page of action items.", body = Paginated<ActionItemResponse>),
        crate::openapi::AuthErrors,
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/me/action-items")]
pub async fn my_action_items(
    state: State,
    caller: Caller,
    page: Query<PageParams>,
    filter: Query<ActionItemListParams>,
) -> Result<Paginated<ActionItemResponse>, ApiError> {
    let page = page.0.to_request()?;
    let filter = filter.0.into();
    let p = state
        .read_as(&caller, move |conn, actor, now| {
            uc::mine(conn, actor, &filter, &page, now)
        })
        .await?;
    Paginated::try_from_page(p, |s| Ok(ActionItemResponse::from(s)))
}

/// Get an action item (whoever sees its meeting, and its owner).
#[utoipa::path(
    tag = "meetings",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Action item id")),
    responses(
        (status = 200, description = "The action item.", body = ActionItemResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/action-items/{id}")]
pub async fn get_action_item(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<Tagged<ActionItemResponse>, ApiError> {
    let id = ActionItemId::from_uuid(id.into_inner());
    let s = state
        .read_as(&caller, move |conn, actor, now| {
            uc::get(conn, actor, id, now)
        })
        .await?;
    Ok(tagged(s))
}

/// Change an action item: the meeting's organisers edit its text, owners and due date; they
/// and its owner mark it `done` (or open it again).
#[utoipa::path(
    tag = "meetings",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Action item id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = PatchActionItemRequest,
    responses(
        (status = 200, description = "Changed.", body = ActionItemResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[patch("/action-items/{id}")]
pub async fn patch_action_item(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<PatchActionItemRequest>,
) -> Result<Tagged<ActionItemResponse>, ApiError> {
    let id = ActionItemId::from_uuid(id.into_inner());
    let patch = ItemPatch::from(body.0);
    let s = state
        .write_as(&caller, move |tx, actor, now| {
            uc::update(tx, actor, id, patch.clone(), if_match.0, now)
        })
        .await?;
    Ok(tagged(s))
}
