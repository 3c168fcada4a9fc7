//! User accounts, managed by admins (DESIGN: "Admins: everything, users and service keys").

use crate::audit;
use crate::auth::{CurrentUser, password};
use crate::error::ApiError;
use crate::extract::{IfMatch, Json, Query};
use crate::response::{PageParams, Paginated, Tagged, utc};
use crate::state::{State, now};
use crate::wire::SystemRole;
use actix_web::{get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use seriktes_domain::email::Email;
use seriktes_domain::user::{NewPassword, parse_line};
use seriktes_domain::{DomainError, FieldError, Validator};
use seriktes_persistence::users::{self, NewUserRow, UserChanges, UserFilter, UserRow};
use seriktes_persistence::{DbConn, refresh_tokens};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Longest display name.
const MAX_NAME: usize = 200;

/// A user account. Never carries the password or its hash.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-7c1e-7d4a-9a51-3f7e2b8c9d10", "email": "aigerim@example.org", "name": "Aigerim Sadykova",
    "system_role": "user", "active": true,
    "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:00:00Z"
}))]
pub struct UserResponse {
    /// Id.
    #[schema(format = Uuid)]
    pub id: String,
    /// E-mail address, lower-cased.
    pub email: String,
    /// Display name.
    pub name: String,
    /// System role.
    pub system_role: SystemRole,
    /// Whether the user may sign in.
    pub active: bool,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

impl UserResponse {
    /// The wire form of a stored user.
    pub fn from_row(row: UserRow) -> Result<Self, ApiError> {
        let role = seriktes_domain::user::SystemRole::parse(&row.system_role)
            .map_err(ApiError::internal)?;
        Ok(Self {
            id: row.id,
            email: row.email,
            name: row.name,
            system_role: role.into(),
            active: row.active,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        })
    }
}

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "aigerim@example.org", "name": "Aigerim Sadykova", "password": "a long passphrase", "system_role": "user"}))]
pub struct CreateUserRequest {
    /// E-mail address; unique, case-insensitive.
    pub email: String,
    /// Display name, 1–200 characters.
    pub name: String,
    /// 8–128 characters.
    #[schema(min_length = 8, max_length = 128, format = Password)]
    pub password: String,
    /// Default `user`.
    pub system_role: Option<SystemRole>,
    /// Default `true`.
    pub active: Option<bool>,
}

/// Changes to an account; absent fields stay as they are. Deactivating signs the user out
/// everywhere; so does setting a password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": false}))]
pub struct UpdateUserRequest {
    /// New e-mail address.
    pub email: Option<String>,
    /// New display name.
    pub name: Option<String>,
    /// New password (8–128 characters).
    #[schema(min_length = 8, max_length = 128, format = Password)]
    pub password: Option<String>,
    /// New system role.
    pub system_role: Option<SystemRole>,
    /// `false` deactivates the account.
    pub active: Option<bool>,
}

/// Filters of the user list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListParams {
    /// Only users whose e-mail contains this text.
    pub email: Option<String>,
    /// Only active (`true`) or inactive (`false`) users.
    pub active: Option<bool>,
    /// Only users with this system role.
    pub system_role: Option<SystemRole>,
    /// Only users changed at or after this time (RFC 3339), for incremental sync.
    pub updated_since: Option<DateTime<Utc>>,
}

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(create_user)
        .service(list_users)
        .service(get_user)
        .service(update_user);
}

/// Hashes a password on the blocking pool.
pub(crate) async fn hash_password(password: NewPassword) -> Result<String, ApiError> {
    web::block(move || password::hash(password.expose()))
        .await?
        .map_err(|e| ApiError::Internal(e.to_string().into()))
}

/// A validated new account.
struct NewUser {
    email: Email,
    name: String,
    password: NewPassword,
    role: seriktes_domain::user::SystemRole,
    active: bool,
}

impl TryFrom<CreateUserRequest> for NewUser {
    type Error = DomainError;

    fn try_from(r: CreateUserRequest) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        let email = v.check("email", Email::parse(&r.email));
        let name = v.check("name", parse_line(&r.name, MAX_NAME));
        let password = v.check("password", NewPassword::parse(&r.password));
        v.finish()?;
        match (email, name, password) {
            (Some(email), Some(name), Some(password)) => Ok(Self {
                email,
                name,
                password,
                role: r
                    .system_role
                    .map_or(seriktes_domain::user::SystemRole::User, Into::into),
                active: r.active.unwrap_or(true),
            }),
            _ => Err(FieldError::new("", "invalid", "invalid input").into()),
        }
    }
}

/// Creates an account and records it in the audit log, in one transaction. Used by the API and
/// by `seriktes create-admin`.
pub fn insert_user(
    conn: &mut DbConn,
    actor: Option<&str>,
    email: &Email,
    name: &str,
    password_hash: &str,
    role: seriktes_domain::user::SystemRole,
    active: bool,
) -> Result<UserRow, ApiError> {
    let at = now();
    let row = users::insert(
        conn,
        &NewUserRow {
            id: &Uuid::now_v7().to_string(),
            email: email.as_str(),
            name,
            password_hash,
            system_role: role.as_str(),
            active,
            created_at: at,
            updated_at: at,
        },
    )?;
    audit::record(
        conn,
        actor,
        "user.create",
        ("user", &row.id),
        format!("created {} user {}", role.as_str(), row.email),
    )?;
    Ok(row)
}

/// Create a user (admins).
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    request_body = CreateUserRequest,
    responses(
        (status = 201, description = "Created; `Location` names it.", body = UserResponse,
            headers(("ETag" = String, description = "Version of the user"), ("Location" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
#[post("/users")]
pub async fn create_user(
    state: State,
    caller: CurrentUser,
    body: Json<CreateUserRequest>,
) -> Result<Tagged<UserResponse>, ApiError> {
    caller.require_admin()?;
    let new = NewUser::try_from(body.0)?;
    let hash = hash_password(new.password.clone()).await?;
    let row = state
        .write(move |conn| {
            insert_user(
                conn,
                Some(caller.id()),
                &new.email,
                &new.name,
                &hash,
                new.role,
                new.active,
            )
        })
        .await?;
    log::info!("user {} created", row.id);
    let (version, location) = (row.version, format!("/api/v1/users/{}", row.id));
    Ok(Tagged::created(
        UserResponse::from_row(row)?,
        version,
        location,
    ))
}

/// List users (admins), oldest first.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(PageParams, UserListParams),
    responses(
        (status = 200, description = "One page of users.", body = Paginated<UserResponse>),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/users")]
pub async fn list_users(
    state: State,
    caller: CurrentUser,
    page: Query<PageParams>,
    filter: Query<UserListParams>,
) -> Result<web::Json<Paginated<UserResponse>>, ApiError> {
    caller.require_admin()?;
    let page = page.0.to_request()?;
    let f = filter.0;
    let filter = UserFilter {
        email_contains: f.email.map(|e| e.trim().to_lowercase()),
        active: f.active,
        system_role: f.system_role.map(|r| {
            seriktes_domain::user::SystemRole::from(r)
                .as_str()
                .to_owned()
        }),
        updated_since: f.updated_since.map(|t| t.naive_utc()),
    };
    let rows = state
        .read(move |conn| Ok(users::list(conn, &filter, &page)?))
        .await?;
    Ok(web::Json(Paginated::try_from_page(
        rows,
        UserResponse::from_row,
    )?))
}

/// Get a user (admins).
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "User id")),
    responses(
        (status = 200, description = "The user.", body = UserResponse, headers(("ETag" = String))),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/users/{id}")]
pub async fn get_user(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
) -> Result<Tagged<UserResponse>, ApiError> {
    caller.require_admin()?;
    let id = id.into_inner().to_string();
    let row = state.read(move |conn| Ok(users::find(conn, &id)?)).await?;
    let version = row.version;
    Ok(Tagged::ok(UserResponse::from_row(row)?, version))
}

/// Update a user (admins): e-mail, name, password, role, active.
///
/// An admin cannot demote or deactivate the last active admin (409).
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "User id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; 412 if the user changed since"),
    ),
    request_body = UpdateUserRequest,
    responses(
        (status = 200, description = "The updated user.", body = UserResponse, headers(("ETag" = String))),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 412, response = crate::openapi::PreconditionFailed),
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    state: State,
    caller: CurrentUser,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateUserRequest>,
) -> Result<Tagged<UserResponse>, ApiError> {
    caller.require_admin()?;
    let r = body.0;
    let mut v = Validator::new();
    let email = v.check_opt("email", r.email, |e| Email::parse(&e));
    let name = v.check_opt("name", r.name, |n| parse_line(&n, MAX_NAME));
    let new_password = v.check_opt("password", r.password, |p| NewPassword::parse(&p));
    v.finish()?;
    let password_hash = match new_password.flatten() {
        Some(p) => Some(hash_password(p).await?),
        None => None,
    };
    let changes = UserChanges {
        email: email.flatten().map(|e| e.as_str().to_owned()),
        name: name.flatten(),
        password_hash,
        system_role: r.system_role.map(|s| {
            seriktes_domain::user::SystemRole::from(s)
                .as_str()
                .to_owned()
        }),
        active: r.active,
    };
    let id = id.into_inner().to_string();
    let row = state
        .write(move |conn| {
            let before = users::find(conn, &id)?;
            let loses_admin = before.system_role == "admin"
                && before.active
                && (changes.system_role.as_deref().is_some_and(|r| r != "admin")
                    || changes.active == Some(false));
            if loses_admin && users::count_active_admins(conn)? <= 1 {
                return Err(ApiError::conflict(
                    "This is the last active admin; make another user admin first.",
                ));
            }
            let at = now();
            let after = users::update(conn, &id, if_match.0, &changes, at)?;
            let signs_out = changes.password_hash.is_some() || changes.active == Some(false);
            if signs_out {
                refresh_tokens::revoke_user(conn, &id, at)?;
            }
            audit::record(
                conn,
                Some(caller.id()),
                "user.update",
                ("user", &id),
                describe_user_changes(&changes),
            )?;
            Ok(after)
        })
        .await?;
    let version = row.version;
    Ok(Tagged::ok(UserResponse::from_row(row)?, version))
}

/// Names what changed, never the password itself.
fn describe_user_changes(c: &UserChanges) -> String {
    let mut parts = Vec::new();
    if let Some(e) = &c.email {
        parts.push(format!("email → {e}"));
    }
    if c.name.is_some() {
        parts.push("name".to_owned());
    }
    if c.password_hash.is_some() {
        parts.push("password".to_owned());
    }
    if let Some(r) = &c.system_role {
        parts.push(format!("role → {r}"));
    }
    if let Some(a) = c.active {
        parts.push(if a { "activated" } else { "deactivated" }.to_owned());
    }
    if parts.is_empty() {
        "no changes".to_owned()
    } else {
        format!("changed {}", parts.join(", "))
    }
}
