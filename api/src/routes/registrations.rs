//! Public registration for meetings (handlers only; use cases in `service::registrations`):
//! anyone registers (no account needed, rate-limited per client address), the holder of a
//! registration's token reads or cancels it (header `Registration-Token`, never the URL, which
//! ends up in logs), organisers list, export as CSV and mark attendance, and anyone who sees
//! the meeting reads the counts. Personal data never appears in a public response.

mod dto;

pub use dto::*;

use crate::auth::throttle::client_address;
use crate::auth::{Caller, MaybeCaller, refresh};
use crate::error::ApiError;
use crate::extract::{IfMatch, Json, Query};
use crate::response::{PageParams, Paginated, Tagged};
use crate::service::registrations::{self as uc, Origin, Seen};
use crate::state::State;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use seriktes_domain::ids::{MeetingId, RegistrationId};
use seriktes_domain::registration::RegistrationRequest;
use seriktes_domain::throttle::ClientAddress;
use uuid::Uuid;

/// The header that carries a registration's management token.
pub const TOKEN_HEADER: &str = "Registration-Token";

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(register)
        .service(list_registrations)
        .service(export_registrations)
        .service(registration_counts)
        .service(get_registration)
        .service(cancel_registration)
        .service(mark_attendance);
}

/// The hash of the token the request presents, if any (compared with the stored hash).
fn token_hash(req: &HttpRequest) -> Option<String> {
    let raw = req.headers().get(TOKEN_HEADER)?.to_str().ok()?.trim();
    (!raw.is_empty() && raw.len() <= refresh::TOKEN_CHARS).then(|| refresh::hash(raw))
}

fn tagged(s: Seen) -> Tagged<RegistrationResponse> {
    let version = s.registration.version;
    Tagged::ok(s.into(), version)
}

/// Register for a meeting, signed in or not: confirmed while places last, then waitlisted,
/// first come first served. Refused (409) when registration is not open, the meeting is not
/// planned, or the e-mail is already registered for it; a participants-only meeting is 404 to
/// whoever may not see it. The response carries the management `token` once. At most
/// `SERIKTES_REGISTRATION_LIMIT` (default 10) registrations per client address per 15
/// minutes; then 429 with `Retry-After`.
#[utoipa::path(
    tag = "meetings",
    params(("id" = Uuid, Path, description = "Meeting id")),
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Registered; `Location` names the registration.", body = RegisteredResponse,
            headers(("ETag" = String), ("Location" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 429, response = crate::openapi::TooManyRequests),
    )
)]
#[post("/meetings/{id}/registrations")]
pub async fn register(
    state: State,
    caller: MaybeCaller,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<RegisterRequest>,
) -> Result<Tagged<RegisteredResponse>, ApiError> {
    let meeting = MeetingId::from_uuid(id.into_inner());
    let request = RegistrationRequest::from(body.0);
    let origin = Origin {
        client: ClientAddress::of(client_address(&req, &state.trusted_proxies)),
        limit: state.registration_limit,
    };
    let token = refresh::generate().map_err(ApiError::internal)?;
    let hash = refresh::hash(&token);
    let s = state
        .write_maybe(caller.0.as_ref(), move |tx, actor, now| {
            uc::register(tx, actor, meeting, request.clone(), &hash, origin, now)
        })
        .await?;
    let (version, location) = (
        s.registration.version,
        format!("/api/v1/registrations/{}", s.registration.id),
    );
    let registration = s.into();
    Ok(Tagged::created(
        RegisteredResponse {
            registration,
            token,
        },
        version,
        location,
    ))
}

/// A meeting's registrations with personal data, in the order they were made (the meeting's
/// organisers; 404 to everyone else, its participants included).
#[utoipa::path(
    tag = "meetings",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Meeting id"), PageParams, RegistrationListParams),
    responses(
        (status = 200, description = "One page of registrations.", body = Paginated<RegistrationResponse>),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/meetings/{id}/registrations")]
pub async fn list_registrations(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    page: Query<PageParams>,
    filter: Query<RegistrationListParams>,
) -> Result<Paginated<RegistrationResponse>, ApiError> {
    let meeting = MeetingId::from_uuid(id.into_inner());
    let page = page.0.to_request()?;
    let filter = filter.0.into();
    let p = state
        .read_as(&caller, move |conn, actor, _| {
            uc::list(conn, actor, meeting, &filter, &page)
        })
        .await?;
    Paginated::try_from_page(p, |s| Ok(RegistrationResponse::from(s)))
}

/// A meeting's registrations that are not cancelled as CSV (RFC 4180), by arrival: the
/// volunteers' list (the meeting's organisers; 404 to everyone else). Cells a spreadsheet
/// would run as a formula (starting with `=`, `+`, `-`, `@`) are prefixed with `'`.
#[utoipa::path(
    tag = "meetings",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Meeting id")),
    responses(
        (status = 200, description = "The registrations, one CSV record each after a header.",
            content_type = "text/csv; charset=utf-8", body = RegistrationsCsv),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/meetings/{id}/registrations.csv")]
pub async fn export_registrations(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let meeting = MeetingId::from_uuid(id.into_inner());
    let (rows, names) = state
        .read_as(&caller, move |conn, actor, _| {
            uc::export(conn, actor, meeting)
        })
        .await?;
    let body = dto::csv(&rows, |o| names.get(&o).cloned().unwrap_or_default());
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"registrations-{meeting}.csv\""),
        ))
        .body(body))
}

/// The public counts of a meeting's registrations, for whoever sees the meeting: capacity,
/// confirmed, waitlisted, once it has started attended and no-show, and per contribution kind
/// and asked demographic. Never a name or an e-mail.
#[utoipa::path(
    tag = "meetings",
    params(("id" = Uuid, Path, description = "Meeting id")),
    responses(
        (status = 200, description = "The counts.", body = RegistrationCountsResponse),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/meetings/{id}/registration-counts")]
pub async fn registration_counts(
    state: State,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
) -> Result<web::Json<RegistrationCountsResponse>, ApiError> {
    let meeting = MeetingId::from_uuid(id.into_inner());
    let c = state
        .read_maybe(caller.0.as_ref(), move |conn, actor, now| {
            uc::counts(conn, actor, meeting, now)
        })
        .await?;
    Ok(web::Json(c.into()))
}

/// Read a registration: with its `Registration-Token`, or as the meeting's organiser. A
/// missing or wrong token is 404.
#[utoipa::path(
    tag = "meetings",
    params(
        ("id" = Uuid, Path, description = "Registration id"),
        ("Registration-Token" = Option<String>, Header, description = "The token given at registration"),
    ),
    responses(
        (status = 200, description = "The registration.", body = RegistrationResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/registrations/{id}")]
pub async fn get_registration(
    state: State,
    caller: MaybeCaller,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<Tagged<RegistrationResponse>, ApiError> {
    let id = RegistrationId::from_uuid(id.into_inner());
    let hash = token_hash(&req);
    let s = state
        .read_maybe(caller.0.as_ref(), move |conn, actor, _| {
            uc::get(conn, actor, id, hash.as_deref())
        })
        .await?;
    Ok(tagged(s))
}

/// Cancel a registration of a planned meeting: with its `Registration-Token`, or as the
/// meeting's organiser. A confirmed registration's place goes to the first waitlisted one at
/// once.
#[utoipa::path(
    tag = "meetings",
    params(
        ("id" = Uuid, Path, description = "Registration id"),
        ("Registration-Token" = Option<String>, Header, description = "The token given at registration"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read"),
    ),
    responses(
        (status = 200, description = "Cancelled.", body = RegistrationResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/registrations/{id}/cancel")]
pub async fn cancel_registration(
    state: State,
    caller: MaybeCaller,
    req: HttpRequest,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<Tagged<RegistrationResponse>, ApiError> {
    let id = RegistrationId::from_uuid(id.into_inner());
    let hash = token_hash(&req);
    let s = state
        .write_maybe(caller.0.as_ref(), move |tx, actor, now| {
            uc::cancel(tx, actor, id, hash.as_deref(), if_match.0, now)
        })
        .await?;
    Ok(tagged(s))
}

/// Mark a confirmed registrant `attended` or `no_show` (the meeting's organisers), once the
/// meeting has started (held, or planned and past its start) and until its minutes are
/// published.
#[utoipa::path(
    tag = "meetings",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Registration id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = AttendanceRequest,
    responses(
        (status = 200, description = "Marked.", body = RegistrationResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::InvalidTransition),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[post("/registrations/{id}/attendance")]
pub async fn mark_attendance(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<AttendanceRequest>,
) -> Result<Tagged<RegistrationResponse>, ApiError> {
    let id = RegistrationId::from_uuid(id.into_inner());
    let attendance = body.0.attendance.into();
    let s = state
        .write_as(&caller, move |tx, actor, now| {
            uc::mark_attendance(tx, actor, id, attendance, if_match.0, now)
        })
        .await?;
    Ok(tagged(s))
}
