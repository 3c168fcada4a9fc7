//! Reports (handlers only; use cases in `service::reports`): the single reporting form of a
//! reporting requirement (same id), saved by the grantee's owners and managers (accountants:
//! the expenditures), submitted, and accepted or sent back by the programme's managers.

mod dto;

pub use dto::*;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json};
use crate::response::Tagged;
use crate::service::reports::{self as uc, FormChanges, Seen};
use crate::state::State;
use actix_web::{get, patch, post, web};
use seriktes_domain::ids::RequirementId;
use seriktes_domain::report::{Comment, ReportAction};
use uuid::Uuid;

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(get_report)
        .service(patch_report)
        .service(submit_report)
        .service(accept_report)
        .service(request_revision);
}

fn tagged(s: Seen) -> Tagged<ReportResponse> {
    let version = s.version();
    Tagged::ok(s.into(), version)
}

/// Get a report: its requirement's period and due date, the form, and the money per budget
/// line (funders: accepted reports only).
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Report (= reporting requirement) id")),
    responses(
        (status = 200, description = "The report.", body = ReportResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/reports/{id}")]
pub async fn get_report(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<Tagged<ReportResponse>, ApiError> {
    let id = RequirementId::from_uuid(id.into_inner());
    let s = state
        .read_as(&caller, move |conn, actor, now| {
            uc::read(conn, actor, id, now)
        })
        .await?;
    Ok(tagged(s))
}

/// Save the form: each part given replaces that part. Authors write all, accountants only
/// `expenditures`; the first save creates the report (due → draft).
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Report id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = PatchReportRequest,
    responses(
        (status = 200, description = "Saved.", body = ReportResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[patch("/reports/{id}")]
pub async fn patch_report(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<PatchReportRequest>,
) -> Result<Tagged<ReportResponse>, ApiError> {
    let id = RequirementId::from_uuid(id.into_inner());
    let changes = FormChanges::try_from(body.0)?;
    let s = state
        .write_as(&caller, move |tx, actor, now| {
            uc::save(tx, actor, id, changes.clone(), if_match.0, now)
        })
        .await?;
    Ok(tagged(s))
}

async fn act(
    state: State,
    caller: Caller,
    id: Uuid,
    if_match: IfMatch,
    action: ReportAction,
    comments: Vec<Comment>,
) -> Result<Tagged<ReportResponse>, ApiError> {
    let id = RequirementId::from_uuid(id);
    let s = state
        .write_as(&caller, move |tx, actor, now| {
            uc::act(tx, actor, id, action, comments.clone(), if_match.0, now)
        })
        .await?;
    Ok(tagged(s))
}

/// Submit a complete report (the grantee's owners and managers); each submission is kept as
/// a version.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Report id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Submitted.", body = ReportResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[post("/reports/{id}/submit")]
pub async fn submit_report(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<Tagged<ReportResponse>, ApiError> {
    let (id, action) = (id.into_inner(), ReportAction::Submit);
    act(state, caller, id, if_match, action, Vec::new()).await
}

/// Accept a submitted report (admins and the programme's managers).
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Report id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Accepted.", body = ReportResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/reports/{id}/accept")]
pub async fn accept_report(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<Tagged<ReportResponse>, ApiError> {
    let (id, action) = (id.into_inner(), ReportAction::Accept);
    act(state, caller, id, if_match, action, Vec::new()).await
}

/// Send a submitted report back with comments on what to revise (admins and the programme's
/// managers); the comments are kept on the version submitted.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Report id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = RevisionRequest,
    responses(
        (status = 200, description = "Sent back.", body = ReportResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/reports/{id}/request-revision")]
pub async fn request_revision(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<RevisionRequest>,
) -> Result<Tagged<ReportResponse>, ApiError> {
    let (id, action) = (id.into_inner(), ReportAction::RequestRevision);
    act(state, caller, id, if_match, action, body.0.comments()).await
}
