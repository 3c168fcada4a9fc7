//! Awards and grants (handlers only; use cases in `service::grants`). The programme's
//! managers award applications of a closed call (the grant is created in the same
//! transaction, never over the call's envelope); grants are read by the grantee, its mentor
//! organisation and the programme's managing and funding organisations; the managers suspend,
//! resume, complete, terminate and amend them (amendments are kept as history).

mod dto;

pub use dto::*;

use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::{IfMatch, Json, Query};
use crate::response::{PageParams, Paginated, Tagged};
use crate::service::grants::{self as uc, GrantMachine};
use crate::service::transition::transition;
use crate::state::State;
use actix_web::{get, patch, post, web};
use seriktes_domain::grant::{AmendmentInput, GrantAction, GrantStatus};
use seriktes_domain::ids::{ApplicationId, GrantId, OrganizationId, ProgrammeId};
use seriktes_persistence::grants::GrantFilter;
use uuid::Uuid;

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(award_application)
        .service(list_grants)
        .service(get_grant)
        .service(update_grant)
        .service(suspend_grant)
        .service(resume_grant)
        .service(complete_grant)
        .service(terminate_grant)
        .service(amend_grant)
        .service(list_amendments);
}

/// Award an application under review (the programme's managers): creates its grant, with a
/// copy of the application's budget lines and its reporting requirements (planned from the
/// call's `reporting` schedule, or else the programme's: one per period and a final report),
/// in the same transaction. The call must be closed
/// and not decided; the call's awards may not exceed its envelope (409
/// `urn:seriktes:problem:envelope-exceeded` with `envelope`, `awarded` and `requested`). The
/// grant carries the `indicators` named: each of the programme's catalogue and named once
/// (422 naming `indicators.<i>.indicator_id` otherwise), with a baseline and target within the
/// indicator's kind.
#[utoipa::path(
    tag = "grants",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Application id")),
    request_body = AwardRequest,
    responses(
        (status = 201, description = "Awarded; the grant is created.", body = GrantResponse,
            headers(("ETag" = String), ("Location" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, description = "The call or application is in the wrong state (`invalid-transition`), or the award would exceed the call's envelope (`envelope-exceeded`, with `envelope`, `awarded` and `requested`).",
            body = Problem, content_type = "application/problem+json",
            example = json!({
                "type": "urn:seriktes:problem:envelope-exceeded", "title": "Conflict", "status": 409,
                "detail": "Awarding 3846.00 EUR would bring the call's awards to 69228.00 EUR, over its envelope of 65382.00 EUR (65382.00 EUR awarded so far).",
                "envelope": {"amount": "65382.00", "currency": "EUR"},
                "awarded": {"amount": "65382.00", "currency": "EUR"},
                "requested": {"amount": "3846.00", "currency": "EUR"}
            })),
    )
)]
#[post("/applications/{id}/award")]
pub async fn award_application(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<AwardRequest>,
) -> Result<Tagged<GrantResponse>, ApiError> {
    let id = ApplicationId::from_uuid(id.into_inner());
    let input = uc::Award::try_from(body.0)?;
    let seen = state
        .write_as(&caller, move |tx, actor, now| {
            uc::award(tx, actor, id, input.clone(), now)
        })
        .await?;
    let version = seen.loaded.grant.version;
    let body = GrantResponse::from(seen);
    let location = format!("/api/v1/grants/{}", body.id);
    Ok(Tagged::created(body, version, location))
}

/// List the grants the caller may see.
#[utoipa::path(
    tag = "grants",
    security(("bearer" = [])),
    params(PageParams, GrantListParams),
    responses(
        (status = 200, description = "One page of grants.", body = Paginated<GrantResponse>),
        crate::openapi::AuthErrors,
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/grants")]
pub async fn list_grants(
    state: State,
    caller: Caller,
    page: Query<PageParams>,
    filter: Query<GrantListParams>,
) -> Result<Paginated<GrantResponse>, ApiError> {
    let page = page.0.to_request()?;
    let f = filter.0;
    let filter = GrantFilter {
        programme_id: f.programme_id.map(|p| p.to_string()),
        call_id: f.call_id.map(|c| c.to_string()),
        grantee_organization_id: f.grantee_organization_id.map(|o| o.to_string()),
        status: f.status.map(|s| GrantStatus::from(s).as_str().to_owned()),
        updated_since: f.updated_since.map(crate::wire::Timestamp::get),
    };
    let p = state
        .read_as(&caller, move |conn, actor, _| {
            uc::list(conn, actor, filter, &page)
        })
        .await?;
    Paginated::try_from_page(p, |s| Ok(GrantResponse::from(s)))
}

/// Get a grant.
#[utoipa::path(
    tag = "grants",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Grant id")),
    responses(
        (status = 200, description = "The grant.", body = GrantResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/grants/{id}")]
pub async fn get_grant(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<Tagged<GrantResponse>, ApiError> {
    let id = GrantId::from_uuid(id.into_inner());
    let seen = state
        .read_as(&caller, move |conn, actor, _| uc::get(conn, actor, id))
        .await?;
    let version = seen.loaded.grant.version;
    Ok(Tagged::ok(seen.into(), version))
}

/// Set or clear a grant's mentor organisation (the programme's managers).
#[utoipa::path(
    tag = "grants",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Grant id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = UpdateGrantRequest,
    responses(
        (status = 200, description = "Updated.", body = GrantResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[patch("/grants/{id}")]
pub async fn update_grant(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateGrantRequest>,
) -> Result<Tagged<GrantResponse>, ApiError> {
    let id = GrantId::from_uuid(id.into_inner());
    let mentor = body.0.mentor_organization_id.map(OrganizationId::from_uuid);
    let seen = state
        .write_as(&caller, move |tx, actor, now| {
            uc::set_mentor(tx, actor, id, mentor, if_match.0, now)
        })
        .await?;
    let version = seen.loaded.grant.version;
    Ok(Tagged::ok(seen.into(), version))
}

async fn act(
    state: State,
    caller: Caller,
    id: Uuid,
    if_match: IfMatch,
    action: GrantAction,
) -> Result<Tagged<GrantResponse>, ApiError> {
    let id = GrantId::from_uuid(id);
    let seen = state
        .write_as(&caller, move |tx, actor, now| {
            transition::<GrantMachine>(tx, actor, id, action, (), if_match.0, now)
        })
        .await?;
    let version = seen.loaded.grant.version;
    Ok(Tagged::ok(seen.into(), version))
}

macro_rules! grant_action {
    ($fn:ident, $path:literal, $action:expr, $doc:literal, $ok:literal) => {
        #[doc = $doc]
        #[utoipa::path(
            tag = "grants",
            security(("bearer" = [])),
            params(("id" = Uuid, Path, description = "Grant id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
            responses(
                (status = 200, description = $ok, body = GrantResponse, headers(("ETag" = String))),
                crate::openapi::AuthErrors,
                (status = 403, response = crate::openapi::Forbidden),
                (status = 404, response = crate::openapi::NotFound),
                (status = 409, response = crate::openapi::InvalidTransition),
                (status = 412, response = crate::openapi::PreconditionFailed),
            )
        )]
        #[post($path)]
        pub async fn $fn(state: State, caller: Caller, id: web::Path<Uuid>, if_match: IfMatch) -> Result<Tagged<GrantResponse>, ApiError> {
            act(state, caller, id.into_inner(), if_match, $action).await
        }
    };
}

grant_action!(
    suspend_grant,
    "/grants/{id}/suspend",
    GrantAction::Suspend,
    "Suspend an active grant (the programme's managers).",
    "Suspended."
);
grant_action!(
    resume_grant,
    "/grants/{id}/resume",
    GrantAction::Resume,
    "Resume a suspended grant (the programme's managers).",
    "Active again."
);
grant_action!(
    complete_grant,
    "/grants/{id}/complete",
    GrantAction::Complete,
    "Mark an active grant completed (the programme's managers).",
    "Completed."
);
grant_action!(
    terminate_grant,
    "/grants/{id}/terminate",
    GrantAction::Terminate,
    "Terminate an active grant (the programme's managers).",
    "Terminated."
);

/// Amend a grant's amount, period or budget (the programme's managers); the change and its
/// reason are kept as history. Budget lines naming an `id` keep it (an unknown id is 422);
/// new lines get new ids. An amount below the tranches already committed is refused (409).
/// A new period plans the grant's periodic and final reporting requirements again: those whose
/// period is unchanged stay (with moved due dates and waivers), the others are replaced;
/// ad-hoc requirements stay. A period with more than 200 reporting periods is refused (422).
#[utoipa::path(
    tag = "grants",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Grant id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = AmendGrantRequest,
    responses(
        (status = 201, description = "Amended; the amendment is returned.", body = AmendmentResponse),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/grants/{id}/amendments")]
pub async fn amend_grant(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<AmendGrantRequest>,
) -> Result<(web::Json<AmendmentResponse>, actix_web::http::StatusCode), ApiError> {
    let id = GrantId::from_uuid(id.into_inner());
    let input = AmendmentInput::try_from(body.0)?;
    let amendment = state
        .write_as(&caller, move |tx, actor, now| {
            uc::amend(tx, actor, id, input.clone(), if_match.0, now)
        })
        .await?;
    Ok((
        web::Json(amendment.into()),
        actix_web::http::StatusCode::CREATED,
    ))
}

/// A grant's amendments, oldest first (`updated_since` filters by when they were made).
#[utoipa::path(
    tag = "grants",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Grant id"), PageParams, SinceParams),
    responses(
        (status = 200, description = "One page of the history.", body = Paginated<AmendmentResponse>),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/grants/{id}/amendments")]
pub async fn list_amendments(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    page: Query<PageParams>,
    since: Query<SinceParams>,
) -> Result<Paginated<AmendmentResponse>, ApiError> {
    let id = GrantId::from_uuid(id.into_inner());
    let page = page.0.to_request()?;
    let since = since.0.updated_since.map(crate::wire::Timestamp::get);
    let p = state
        .read_as(&caller, move |conn, actor, _| {
            uc::amendments(conn, actor, id, since, &page)
        })
        .await?;
    Paginated::try_from_page(p, |a| Ok(AmendmentResponse::from(a)))
}

/// Awarded grants, for anyone: project title and summary, grantee, amount, period, call,
/// programme and funders, and when awarded (never budget lines or tranches).
#[utoipa::path(
    tag = "public",
    params(PageParams, PublicGrantParams),
    responses(
        (status = 200, description = "One page of grants.", body = Paginated<PublicGrant>),
        (status = 422, response = crate::openapi::Unprocessable),
        (status = 503, response = crate::openapi::ServiceUnavailable),
    )
)]
#[get("/public/grants")]
pub async fn list_public_grants(
    state: State,
    page: Query<PageParams>,
    filter: Query<PublicGrantParams>,
) -> Result<Paginated<PublicGrant>, ApiError> {
    let page = page.0.to_request()?;
    let programme = filter.0.programme_id.map(ProgrammeId::from_uuid);
    let p = state
        .read_maybe(None, move |conn, _, _| uc::public(conn, programme, &page))
        .await?;
    Paginated::try_from_page(p, |g| Ok(PublicGrant::from(g)))
}
