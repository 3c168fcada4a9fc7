//! The signed-in user: profile, memberships, own password.

use crate::audit;
use crate::auth::{CurrentUser, password};
use crate::error::ApiError;
use crate::extract::Json;
use crate::routes::users::{UserResponse, hash_password};
use crate::state::{State, now};
use crate::wire::{LocalizedText, OrgRole};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, put, web};
use serde::{Deserialize, Serialize};
use seriktes_domain::user::NewPassword;
use seriktes_persistence::users::UserChanges;
use seriktes_persistence::{memberships, refresh_tokens, users};
use utoipa::ToSchema;

/// One organisation the user acts for.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyMembership {
    /// The organisation.
    #[schema(format = Uuid)]
    pub organization_id: String,
    /// Its name.
    pub organization_name: LocalizedText,
    /// The user's role in it.
    pub role: OrgRole,
}

/// The signed-in user and the organisations they act for.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-7c1e-7d4a-9a51-3f7e2b8c9d10", "email": "aigerim@example.org", "name": "Aigerim Sadykova",
    "system_role": "user", "active": true,
    "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:00:00Z",
    "memberships": [{"organization_id": "0193a0c4-8000-7000-8000-000000000001",
        "organization_name": {"en": "Youth Initiatives Centre"}, "role": "manager"}]
}))]
pub struct MeResponse {
    /// The account.
    #[serde(flatten)]
    pub user: UserResponse,
    /// The organisations the user acts for.
    pub memberships: Vec<MyMembership>,
}

/// The current password and a new one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"current_password": "the old passphrase", "new_password": "a new long passphrase"}))]
pub struct ChangePasswordRequest {
    /// The password now in use.
    #[schema(format = Password)]
    pub current_password: String,
    /// 8–128 characters.
    #[schema(min_length = 8, max_length = 128, format = Password)]
    pub new_password: String,
}

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(get_me).service(change_password);
}

/// The signed-in user, with their memberships.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The signed-in user.", body = MeResponse),
        crate::openapi::AuthErrors,
    )
)]
#[get("/me")]
pub async fn get_me(state: State, caller: CurrentUser) -> Result<web::Json<MeResponse>, ApiError> {
    let user_id = caller.id().to_owned();
    let memberships = state
        .read(move |conn| {
            memberships::of_user(conn, &user_id)?
                .into_iter()
                .map(|(m, org_name)| {
                    let role = seriktes_domain::membership::OrgRole::parse(&m.role)
                        .map_err(ApiError::internal)?;
                    Ok(MyMembership {
                        organization_id: m.organization_id,
                        organization_name: serde_json::from_str(&org_name)
                            .map_err(ApiError::internal)?,
                        role: role.into(),
                    })
                })
                .collect::<Result<Vec<_>, ApiError>>()
        })
        .await?;
    Ok(web::Json(MeResponse {
        user: UserResponse::from_row(caller.row)?,
        memberships,
    }))
}

/// Change your own password; every other session is signed out.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Changed; all refresh tokens are revoked."),
        crate::openapi::BodyErrors,
        crate::openapi::AuthErrors,
    )
)]
#[put("/me/password")]
pub async fn change_password(
    state: State,
    caller: CurrentUser,
    body: Json<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let ChangePasswordRequest {
        current_password,
        new_password,
    } = body.0;
    let new_password = NewPassword::parse(&new_password).map_err(|e| match e {
        seriktes_domain::DomainError::Invalid(errs) => {
            ApiError::Validation(errs.into_iter().map(|e| e.under("new_password")).collect())
        }
        other => other.into(),
    })?;
    let phc = caller.row.password_hash.clone();
    if !web::block(move || password::verify(&current_password, &phc)).await? {
        return Err(ApiError::invalid(
            "current_password",
            "mismatch",
            "the current password is wrong",
        ));
    }
    let hash = hash_password(new_password).await?;
    let id = caller.id().to_owned();
    state
        .write(move |conn| {
            let at = now();
            let changes = UserChanges {
                password_hash: Some(hash),
                ..UserChanges::default()
            };
            users::update(conn, &id, None, &changes, at)?;
            refresh_tokens::revoke_user(conn, &id, at)?;
            audit::record(
                conn,
                Some(&id),
                "user.password_change",
                ("user", &id),
                "changed own password".to_owned(),
            )
        })
        .await?;
    Ok(HttpResponse::new(StatusCode::NO_CONTENT))
}
