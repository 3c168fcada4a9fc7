//! Applications: an NGO's proposal to a call. The applicant's owners and managers draft, edit,
//! submit and withdraw it; its members read it. Once submitted, the programme's managers, the
//! owners and managers of its funders and the call's committee read it too, and the
//! programme's managers may reject it while the call is closed. Anyone else gets 404
//! (`domain::access::application`).

mod dto;

pub use dto::{
    ApplicationListParams, ApplicationResponse, BudgetLine, CreateApplicationRequest,
    UpdateApplicationRequest,
};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json, Query};
use crate::response::{PageParams, Paginated, Tagged};
use crate::service::applications as uc;
use crate::state::State;
use actix_web::{get, patch, post, web};
use seriktes_domain::application::ApplicationAction;
use seriktes_domain::ids::{ApplicationId, CallId};
use uuid::Uuid;

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(create_application)
        .service(list_applications)
        .service(get_application)
        .service(update_application)
        .service(submit_application)
        .service(withdraw_application)
        .service(reject_application);
}

fn tagged(seen: uc::Seen) -> (ApplicationResponse, i64) {
    let version = seen.0.version;
    (seen.into(), version)
}

/// Start an application to an open call (owners and managers of the applicant).
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Call id")),
    request_body = CreateApplicationRequest,
    responses(
        (status = 201, description = "Created as a draft; `Location` names it.", body = ApplicationResponse,
            headers(("ETag" = String), ("Location" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/calls/{id}/applications")]
pub async fn create_application(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<CreateApplicationRequest>,
) -> Result<Tagged<ApplicationResponse>, ApiError> {
    let call = CallId::from_uuid(id.into_inner());
    let (applicant, input) = body.0.into_input();
    let (body, version) = state
        .write_as(&caller, move |tx, actor, now| {
            uc::create(tx, actor, call, applicant, input.clone(), now).map(tagged)
        })
        .await?;
    let location = format!("/api/v1/applications/{}", body.id);
    Ok(Tagged::created(body, version, location))
}

/// List the applications the caller may see: their organisations' own, and the submitted
/// applications of calls they manage, fund or review.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(PageParams, ApplicationListParams),
    responses(
        (status = 200, description = "One page of applications.", body = Paginated<ApplicationResponse>),
        crate::openapi::AuthErrors,
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/applications")]
pub async fn list_applications(
    state: State,
    caller: Caller,
    page: Query<PageParams>,
    filter: Query<ApplicationListParams>,
) -> Result<Paginated<ApplicationResponse>, ApiError> {
    let page = page.0.to_request()?;
    let filter = filter.0.into();
    let p = state
        .read_as(&caller, move |conn, actor, _| {
            uc::list(conn, actor, &filter, &page)
        })
        .await?;
    let data = p.items.into_iter().map(Into::into).collect();
    Ok(Paginated::from_parts(data, p.next_after.as_deref()))
}

/// Get an application.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id")),
    responses(
        (status = 200, description = "The application.", body = ApplicationResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/applications/{id}")]
pub async fn get_application(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<Tagged<ApplicationResponse>, ApiError> {
    let id = ApplicationId::from_uuid(id.into_inner());
    let (body, version) = state
        .read_as(&caller, move |conn, actor, _| {
            uc::get(conn, actor, id).map(tagged)
        })
        .await?;
    Ok(Tagged::ok(body, version))
}

/// Edit a draft application (owners and managers of the applicant).
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Application id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; 412 if the application changed since"),
    ),
    request_body = UpdateApplicationRequest,
    responses(
        (status = 200, description = "The updated draft.", body = ApplicationResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[patch("/applications/{id}")]
pub async fn update_application(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateApplicationRequest>,
) -> Result<Tagged<ApplicationResponse>, ApiError> {
    let id = ApplicationId::from_uuid(id.into_inner());
    let change = body.0;
    let (body, version) = state
        .write_as(&caller, move |tx, actor, now| {
            uc::update(tx, actor, id, |d| change.clone().apply(d), if_match.0, now).map(tagged)
        })
        .await?;
    Ok(Tagged::ok(body, version))
}

/// Runs one transition for the caller.
async fn act(
    state: State,
    caller: Caller,
    id: Uuid,
    if_match: Option<i64>,
    action: ApplicationAction,
) -> Result<(ApplicationResponse, i64), ApiError> {
    let id = ApplicationId::from_uuid(id);
    state
        .write_as(&caller, move |tx, actor, now| {
            uc::act(tx, actor, id, action, if_match, now).map(tagged)
        })
        .await
}

/// Submit a draft. Checks the call's window, the applicant's kind and region, the cap, the
/// duration and that the budget lines add up to the amount requested; a 422 names every rule
/// that fails.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Submitted.", body = ApplicationResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[post("/applications/{id}/submit")]
pub async fn submit_application(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<Tagged<ApplicationResponse>, ApiError> {
    let (body, version) = act(
        state,
        caller,
        id.into_inner(),
        if_match.0,
        ApplicationAction::Submit,
    )
    .await?;
    Ok(Tagged::ok(body, version))
}

/// Withdraw a draft or submitted application.
#[utoipa::path(
    tag = "applications",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Withdrawn.", body = ApplicationResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/applications/{id}/withdraw")]
pub async fn withdraw_application(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<Tagged<ApplicationResponse>, ApiError> {
    let (body, version) = act(
        state,
        caller,
        id.into_inner(),
        if_match.0,
        ApplicationAction::Withdraw,
    )
    .await?;
    Ok(Tagged::ok(body, version))
}

/// Reject an application under review (owners and managers of the programme's managing
/// organisation), while the call is closed: after the deadline, before the decision.
#[utoipa::path(
    tag = "grants",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id")),
    responses(
        (status = 200, description = "Rejected.", body = ApplicationResponse),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
    )
)]
#[post("/applications/{id}/reject")]
pub async fn reject_application(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<ApplicationResponse>, ApiError> {
    let (body, _) = act(
        state,
        caller,
        id.into_inner(),
        None,
        ApplicationAction::Reject,
    )
    .await?;
    Ok(web::Json(body))
}
