//! Wire forms of the signed-in user.

use crate::service::users::MyMembership as Membership;
use crate::wire::{OrgRole, OrganizationName, UserResponse};
use serde::{Deserialize, Serialize};
use seriktes_domain::user::NewPassword;
use seriktes_domain::{DomainError, Validator};
use utoipa::ToSchema;

/// One organisation the user acts for.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyMembership {
    /// The organisation.
    #[schema(format = Uuid)]
    pub organization_id: String,
    /// Its name.
    pub organization_name: OrganizationName,
    /// The user's role in it.
    pub role: OrgRole,
}

impl From<Membership> for MyMembership {
    fn from(m: Membership) -> Self {
        Self {
            organization_id: m.organization.to_string(),
            organization_name: m.organization_name.into(),
            role: m.role.into(),
        }
    }
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
    #[schema(format = Password)]
    pub new_password: String,
}

impl ChangePasswordRequest {
    /// The request, if the current password is no longer than any password can be.
    pub fn checked(self) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        v.max_chars(
            "current_password",
            &self.current_password,
            NewPassword::MAX_CHARS,
        );
        v.finish().map(|()| self)
    }
}
