//! Reports (handlers only; use cases in `service::reports`): the single reporting form of a
//! reporting requirement (same id), saved by the grantee's owners and managers (accountants:
//! the expenditures), submitted, and accepted or sent back by the programme's managers.

mod dto;

pub use dto::*;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json, Query};
use crate::response::{PageParams, Paginated, Tagged};
use crate::service::reports::{self as uc, FormChanges, ReportQuery, Seen};
use crate::state::State;
use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web};
use seriktes_domain::ids::{GrantId, RequirementId};
use seriktes_domain::report::{Comment, ReportAction};
use uuid::Uuid;

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(get_report)
        .service(patch_report)
        .service(submit_report)
        .service(accept_report)
        .service(request_revision)
        .service(list_grant_reports)
        .service(list_report_versions)
        .service(get_report_version)
        .service(list_report_comments)
        .service(create_report_comment);
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

/// A grant's saved reports, by due date then id, as whoever may read them sees them: funders
/// see accepted reports only. A report still `due` (never saved) is not listed: the grant's
/// reporting requirements show it, with its `report_status`.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Grant id"), PageParams, ReportListParams),
    responses(
        (status = 200, description = "One page of reports.", body = Paginated<ReportResponse>),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/grants/{id}/reports")]
pub async fn list_grant_reports(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    page: Query<PageParams>,
    filter: Query<ReportListParams>,
) -> Result<Paginated<ReportResponse>, ApiError> {
    let id = GrantId::from_uuid(id.into_inner());
    let page = page.0.to_request()?;
    let query = ReportQuery::from(filter.0);
    let p = state
        .read_as(&caller, move |conn, actor, now| {
            uc::list(conn, actor, id, query, &page, now)
        })
        .await?;
    Paginated::try_from_page(p, |s| Ok(ReportResponse::from(s)))
}

/// A report's submissions by number, each with what it changed since the one before (read
/// like the report: funders only once it is accepted).
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Report id"), PageParams),
    responses(
        (status = 200, description = "One page of versions.", body = Paginated<ReportVersionSummary>),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/reports/{id}/versions")]
pub async fn list_report_versions(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    page: Query<PageParams>,
) -> Result<Paginated<ReportVersionSummary>, ApiError> {
    let id = RequirementId::from_uuid(id.into_inner());
    let page = page.0.to_request()?;
    let p = state
        .read_as(&caller, move |conn, actor, _| {
            uc::versions(conn, actor, id, &page)
        })
        .await?;
    Paginated::try_from_page(p, |v| Ok(ReportVersionSummary::from(v)))
}

/// One submission of a report: the form as submitted, and the sections, indicators and budget
/// lines it changed since the submission before (all of them for the first).
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Report id"),
        ("number" = i32, Path, description = "Version number: 1 for the first submission", minimum = 1),
    ),
    responses(
        (status = 200, description = "The version.", body = ReportVersionResponse),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/reports/{id}/versions/{number}")]
pub async fn get_report_version(
    state: State,
    caller: Caller,
    path: web::Path<(Uuid, i32)>,
) -> Result<web::Json<ReportVersionResponse>, ApiError> {
    let (id, number) = path.into_inner();
    let id = RequirementId::from_uuid(id);
    let v = state
        .read_as(&caller, move |conn, actor, _| {
            uc::version(conn, actor, id, number)
        })
        .await?;
    Ok(web::Json(v.into()))
}

/// A report's comments, oldest first: the review comments of revision requests and the
/// comments of reviewers, mentors and authors (read like the report).
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Report id"), PageParams, CommentListParams),
    responses(
        (status = 200, description = "One page of comments.", body = Paginated<ReportCommentResponse>),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/reports/{id}/comments")]
pub async fn list_report_comments(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    page: Query<PageParams>,
    filter: Query<CommentListParams>,
) -> Result<Paginated<ReportCommentResponse>, ApiError> {
    let id = RequirementId::from_uuid(id.into_inner());
    let page = page.0.to_request()?;
    let since = filter.0.updated_since.map(crate::wire::Timestamp::get);
    let p = state
        .read_as(&caller, move |conn, actor, _| {
            uc::comments(conn, actor, id, since, &page)
        })
        .await?;
    Paginated::try_from_page(p, |c| Ok(ReportCommentResponse::from(c)))
}

/// Comment on a report (admins and the programme's managers, the mentor organisation's
/// members, the grantee's owners and managers) in any status but `due`; `section` is one of
/// the programme's report sections or `general`. The comment is kept with the number of the
/// latest submission.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Report id")),
    request_body = CommentDto,
    responses(
        (status = 201, description = "Commented.", body = ReportCommentResponse),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
    )
)]
#[post("/reports/{id}/comments")]
pub async fn create_report_comment(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<CommentDto>,
) -> Result<(web::Json<ReportCommentResponse>, StatusCode), ApiError> {
    let id = RequirementId::from_uuid(id.into_inner());
    let input: Comment = body.0.into();
    let c = state
        .write_as(&caller, move |tx, actor, now| {
            uc::comment(tx, actor, id, input.clone(), now)
        })
        .await?;
    Ok((web::Json(c.into()), StatusCode::CREATED))
}
