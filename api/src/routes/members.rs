//! Memberships of an organisation. Only its members and admins see them: to anyone else the
//! members of an organisation do not exist (404). Who may change what is decided by
//! `seriktes_domain::membership::authorize_change`.

use crate::audit;
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::extract::{IfMatch, Json, Query};
use crate::response::{PageParams, Paginated, Tagged, utc};
use crate::routes::organizations::actor_for;
use crate::state::{State, now};
use crate::wire::OrgRole;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use seriktes_domain::email::Email;
use seriktes_domain::membership::{MembershipChange, OrgActor, authorize_change};
use seriktes_persistence::memberships::{self, MemberRow, NewMembershipRow};
use seriktes_persistence::{DbConn, organizations, users};
use utoipa::ToSchema;
use uuid::Uuid;

/// A member of an organisation.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "organization_id": "0193a0c4-8000-7000-8000-000000000001", "user_id": "0193a0c4-7c1e-7d4a-9a51-3f7e2b8c9d10",
    "email": "aigerim@example.org", "name": "Aigerim Sadykova", "role": "manager",
    "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:00:00Z"
}))]
pub struct MemberResponse {
    /// The organisation.
    #[schema(format = Uuid)]
    pub organization_id: String,
    /// The user.
    #[schema(format = Uuid)]
    pub user_id: String,
    /// The user's e-mail address.
    pub email: String,
    /// The user's name.
    pub name: String,
    /// The user's role here.
    pub role: OrgRole,
    /// When the user joined.
    pub created_at: DateTime<Utc>,
    /// When the role last changed.
    pub updated_at: DateTime<Utc>,
}

impl MemberResponse {
    fn from_row(r: MemberRow) -> Result<Self, ApiError> {
        let role = seriktes_domain::membership::OrgRole::parse(&r.membership.role)
            .map_err(ApiError::internal)?;
        Ok(Self {
            organization_id: r.membership.organization_id,
            user_id: r.membership.user_id,
            email: r.email,
            name: r.name,
            role: role.into(),
            created_at: utc(r.membership.created_at),
            updated_at: utc(r.membership.updated_at),
        })
    }
}

/// A user to add, named by id or by e-mail (exactly one), and their role.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "aigerim@example.org", "role": "manager"}))]
pub struct AddMemberRequest {
    /// The user's id.
    #[schema(format = Uuid)]
    pub user_id: Option<Uuid>,
    /// The user's e-mail address.
    pub email: Option<String>,
    /// The role to give.
    pub role: OrgRole,
}

/// A new role.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role": "accountant"}))]
pub struct UpdateMemberRequest {
    /// The new role.
    pub role: OrgRole,
}

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(list_members)
        .service(add_member)
        .service(get_member)
        .service(update_member)
        .service(remove_member);
}

/// The caller's standing in the organisation; 404 when the organisation does not exist or the
/// caller is neither a member nor an admin.
fn member_actor(
    conn: &mut DbConn,
    caller: &CurrentUser,
    org_id: &str,
) -> Result<OrgActor, ApiError> {
    organizations::find(conn, org_id)?;
    actor_for(conn, caller, org_id)?.ok_or(ApiError::NotFound)
}

/// Checks a change against the role rules, counting owners only when it matters.
fn authorize(
    conn: &mut DbConn,
    actor: OrgActor,
    org_id: &str,
    is_self: bool,
    from: Option<seriktes_domain::membership::OrgRole>,
    to: Option<seriktes_domain::membership::OrgRole>,
) -> Result<(), ApiError> {
    let owner_count = if from == Some(seriktes_domain::membership::OrgRole::Owner) {
        usize::try_from(memberships::count_owners(conn, org_id)?).unwrap_or(usize::MAX)
    } else {
        0
    };
    Ok(authorize_change(
        actor,
        MembershipChange {
            from,
            to,
            is_self,
            owner_count,
        },
    )?)
}

fn parse_role(role: &str) -> Result<seriktes_domain::membership::OrgRole, ApiError> {
    seriktes_domain::membership::OrgRole::parse(role).map_err(ApiError::internal)
}

/// List an organisation's members (its members and admins).
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id"), PageParams),
    responses(
        (status = 200, description = "One page of members, by user id.", body = Paginated<MemberResponse>),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/organizations/{id}/members")]
pub async fn list_members(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
    page: Query<PageParams>,
) -> Result<web::Json<Paginated<MemberResponse>>, ApiError> {
    let page = page.0.to_request()?;
    let org_id = id.into_inner().to_string();
    let rows = state
        .read(move |conn| {
            member_actor(conn, &caller, &org_id)?;
            Ok(memberships::list(conn, &org_id, &page)?)
        })
        .await?;
    Ok(web::Json(Paginated::try_from_page(
        rows,
        MemberResponse::from_row,
    )?))
}

/// Add a member (admins, owners; managers for roles other than owner).
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id")),
    request_body = AddMemberRequest,
    responses(
        (status = 201, description = "Added; `Location` names the membership.", body = MemberResponse,
            headers(("ETag" = String), ("Location" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/organizations/{id}/members")]
pub async fn add_member(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
    body: Json<AddMemberRequest>,
) -> Result<Tagged<MemberResponse>, ApiError> {
    let AddMemberRequest {
        user_id,
        email,
        role,
    } = body.0;
    let email = match (&user_id, email) {
        (Some(_), None) => None,
        (None, Some(e)) => Some(Email::parse(&e).map_err(|e| match e {
            seriktes_domain::DomainError::Invalid(errs) => {
                ApiError::Validation(errs.into_iter().map(|e| e.under("email")).collect())
            }
            other => other.into(),
        })?),
        _ => {
            return Err(ApiError::invalid(
                "user_id",
                "one_of",
                "give exactly one of user_id and email",
            ));
        }
    };
    let role = seriktes_domain::membership::OrgRole::from(role);
    let org_id = id.into_inner().to_string();
    let row = state
        .write(move |conn| {
            let actor = member_actor(conn, &caller, &org_id)?;
            let user = match (user_id, email) {
                (Some(id), _) => users::find(conn, &id.to_string()).map_err(|e| match e {
                    seriktes_persistence::StoreError::NotFound => {
                        ApiError::invalid("user_id", "exists", "no user has this id")
                    }
                    other => other.into(),
                })?,
                (None, Some(email)) => {
                    users::find_by_email(conn, email.as_str())?.ok_or_else(|| {
                        ApiError::invalid("email", "exists", "no user has this e-mail address")
                    })?
                }
                (None, None) => {
                    return Err(ApiError::invalid(
                        "user_id",
                        "one_of",
                        "give exactly one of user_id and email",
                    ));
                }
            };
            if memberships::find(conn, &org_id, &user.id)?.is_some() {
                return Err(ApiError::conflict(
                    "This user is already a member; change their role instead.",
                ));
            }
            authorize(
                conn,
                actor,
                &org_id,
                user.id == caller.id(),
                None,
                Some(role),
            )?;
            let at = now();
            memberships::insert(
                conn,
                &NewMembershipRow {
                    organization_id: &org_id,
                    user_id: &user.id,
                    role: role.as_str(),
                    created_at: at,
                    updated_at: at,
                },
            )?;
            let summary = format!("added {} as {}", user.email, role.as_str());
            audit::record(
                conn,
                Some(caller.id()),
                "membership.create",
                ("organization", &org_id),
                summary,
            )?;
            Ok(memberships::find_member(conn, &org_id, &user.id)?)
        })
        .await?;
    let version = row.membership.version;
    let location = format!(
        "/api/v1/organizations/{}/members/{}",
        row.membership.organization_id, row.membership.user_id
    );
    Ok(Tagged::created(
        MemberResponse::from_row(row)?,
        version,
        location,
    ))
}

/// Get one membership (the organisation's members and admins).
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id"), ("user_id" = Uuid, Path, description = "User id")),
    responses(
        (status = 200, description = "The membership.", body = MemberResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/organizations/{id}/members/{user_id}")]
pub async fn get_member(
    state: State,
    caller: CurrentUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<Tagged<MemberResponse>, ApiError> {
    let (org_id, user_id) = path.into_inner();
    let (org_id, user_id) = (org_id.to_string(), user_id.to_string());
    let row = state
        .read(move |conn| {
            member_actor(conn, &caller, &org_id)?;
            Ok(memberships::find_member(conn, &org_id, &user_id)?)
        })
        .await?;
    let version = row.membership.version;
    Ok(Tagged::ok(MemberResponse::from_row(row)?, version))
}

/// Change a member's role.
///
/// Managers cannot grant or change the owner role; the last owner cannot be demoted (409).
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Organisation id"),
        ("user_id" = Uuid, Path, description = "User id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; 412 if the membership changed since"),
    ),
    request_body = UpdateMemberRequest,
    responses(
        (status = 200, description = "The updated membership.", body = MemberResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[patch("/organizations/{id}/members/{user_id}")]
pub async fn update_member(
    state: State,
    caller: CurrentUser,
    path: web::Path<(Uuid, Uuid)>,
    if_match: IfMatch,
    body: Json<UpdateMemberRequest>,
) -> Result<Tagged<MemberResponse>, ApiError> {
    let (org_id, user_id) = path.into_inner();
    let (org_id, user_id) = (org_id.to_string(), user_id.to_string());
    let role = seriktes_domain::membership::OrgRole::from(body.0.role);
    let row = state
        .write(move |conn| {
            let actor = member_actor(conn, &caller, &org_id)?;
            let current = memberships::find(conn, &org_id, &user_id)?.ok_or(ApiError::NotFound)?;
            let from = parse_role(&current.role)?;
            authorize(
                conn,
                actor,
                &org_id,
                user_id == caller.id(),
                Some(from),
                Some(role),
            )?;
            memberships::set_role(conn, &current, if_match.0, role.as_str(), now())?;
            let member = memberships::find_member(conn, &org_id, &user_id)?;
            let summary = format!(
                "changed {} from {} to {}",
                member.email,
                from.as_str(),
                role.as_str()
            );
            audit::record(
                conn,
                Some(caller.id()),
                "membership.update",
                ("organization", &org_id),
                summary,
            )?;
            Ok(member)
        })
        .await?;
    let version = row.membership.version;
    Ok(Tagged::ok(MemberResponse::from_row(row)?, version))
}

/// Remove a member, or leave an organisation (remove yourself).
///
/// The last owner cannot be removed (409).
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organisation id"), ("user_id" = Uuid, Path, description = "User id")),
    responses(
        (status = 204, description = "Removed."),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[delete("/organizations/{id}/members/{user_id}")]
pub async fn remove_member(
    state: State,
    caller: CurrentUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, user_id) = path.into_inner();
    let (org_id, user_id) = (org_id.to_string(), user_id.to_string());
    state
        .write(move |conn| {
            let actor = member_actor(conn, &caller, &org_id)?;
            let member = memberships::find_member(conn, &org_id, &user_id)?;
            let from = parse_role(&member.membership.role)?;
            authorize(
                conn,
                actor,
                &org_id,
                user_id == caller.id(),
                Some(from),
                None,
            )?;
            memberships::delete(conn, &org_id, &user_id)?;
            let summary = format!("removed {} ({})", member.email, from.as_str());
            audit::record(
                conn,
                Some(caller.id()),
                "membership.delete",
                ("organization", &org_id),
                summary,
            )
        })
        .await?;
    Ok(HttpResponse::new(StatusCode::NO_CONTENT))
}
