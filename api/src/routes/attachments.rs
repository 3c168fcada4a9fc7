//! Report attachments (handlers only; use cases in `service::attachments`): the grantee's
//! owners, managers and accountants add and remove files while the report is a draft or sent
//! back for revision; whoever may read the report lists them and downloads them.

mod dto;

pub use dto::*;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::Query;
use crate::response::{PageParams, Paginated, Tagged};
use crate::service::attachments as uc;
use crate::state::State;
use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, post, web};
use seriktes_domain::ids::{AttachmentId, RequirementId};
use uuid::Uuid;

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(upload_attachment)
        .service(list_attachments)
        .service(get_attachment)
        .service(get_attachment_content)
        .service(delete_attachment);
}

/// Attach a file to a report (the grantee's owners, managers and accountants, while the report
/// is a draft or sent back for revision; at most 50 files). Send `multipart/form-data` with
/// one part named `file`; its type is decided from its content. A report still due (never
/// saved) is 409: save it first.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Report id (its reporting requirement's id)")),
    request_body(content = AttachmentUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Attached.", body = AttachmentResponse, headers(("ETag" = String), ("Location" = String))),
        (status = 400, response = crate::openapi::BadRequest),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[post("/reports/{id}/attachments")]
pub async fn upload_attachment(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Multipart,
) -> Result<Tagged<AttachmentResponse>, ApiError> {
    let report = RequirementId::from_uuid(id.into_inner());
    let upload = crate::upload::read_file(body, state.files_max_bytes).await?;
    let a = uc::attach(&state, &caller, report, upload).await?;
    let location = format!("/api/v1/attachments/{}", a.id);
    Ok(Tagged::created(a.into(), 1, location))
}

/// A report's files, in upload order, for whoever may read the report.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Report id (its reporting requirement's id)"), PageParams, AttachmentListParams),
    responses(
        (status = 200, description = "One page of files.", body = Paginated<AttachmentResponse>),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/reports/{id}/attachments")]
pub async fn list_attachments(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    page: Query<PageParams>,
    filter: Query<AttachmentListParams>,
) -> Result<Paginated<AttachmentResponse>, ApiError> {
    let report = RequirementId::from_uuid(id.into_inner());
    let page = page.0.to_request()?;
    let since = filter.0.updated_since.map(crate::wire::Timestamp::get);
    let p = state
        .read_as(&caller, move |conn, actor, _| {
            uc::list(conn, actor, report, since, &page)
        })
        .await?;
    Paginated::try_from_page(p, |a| Ok(AttachmentResponse::from(a)))
}

/// A file's metadata, for whoever may read its report.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Attachment id")),
    responses(
        (status = 200, description = "The file's metadata.", body = AttachmentResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/attachments/{id}")]
pub async fn get_attachment(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<Tagged<AttachmentResponse>, ApiError> {
    let id = AttachmentId::from_uuid(id.into_inner());
    let a = state
        .read_as(&caller, move |conn, actor, _| uc::get(conn, actor, id))
        .await?;
    Ok(Tagged::ok(a.into(), 1))
}

/// Download a file: its bytes with its media type, as an attachment named as uploaded, for
/// whoever may read its report.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Attachment id")),
    responses(
        (status = 200, description = "The file's bytes, served with its media type, `Content-Disposition: attachment` and `X-Content-Type-Options: nosniff`.",
            content_type = "application/octet-stream", body = AttachmentContent),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/attachments/{id}/content")]
pub async fn get_attachment_content(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = AttachmentId::from_uuid(id.into_inner());
    let (a, bytes) = uc::content(&state, &caller, id).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Content-Type", a.media_type.as_str()))
        .insert_header(("Content-Disposition", disposition(&a.name)))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(bytes))
}

/// Remove a file from a report (the grantee's owners, managers and accountants, while the
/// report is a draft or sent back for revision).
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Attachment id")),
    responses(
        (status = 204, description = "Removed."),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
    )
)]
#[delete("/attachments/{id}")]
pub async fn delete_attachment(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    uc::detach(&state, &caller, AttachmentId::from_uuid(id.into_inner())).await?;
    Ok(HttpResponse::new(StatusCode::NO_CONTENT))
}
