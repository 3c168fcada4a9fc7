//! Wire forms of memberships.

use crate::response::utc;
use crate::wire::OrgRole;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use seriktes_domain::email::Email;
use seriktes_domain::ids::UserId;
use seriktes_domain::membership::{NewMember, Person};
use seriktes_domain::{DomainError, FieldError, Validator};
use seriktes_persistence::memberships::MemberRecord;
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

impl From<MemberRecord> for MemberResponse {
    fn from(r: MemberRecord) -> Self {
        Self {
            organization_id: r.membership.organization.to_string(),
            user_id: r.membership.user.to_string(),
            email: r.email,
            name: r.name,
            role: r.membership.role.into(),
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
        }
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

impl TryFrom<AddMemberRequest> for NewMember {
    type Error = DomainError;

    /// Exactly one of `user_id` and `email` names the user; the e-mail must be valid.
    fn try_from(r: AddMemberRequest) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        let person = match (r.user_id, r.email) {
            (Some(id), None) => Some(Person::Id(UserId::from_uuid(id))),
            (None, Some(e)) => v.check("email", Email::parse(&e)).map(Person::Email),
            _ => {
                v.push(FieldError::new(
                    "user_id",
                    "one_of",
                    "give exactly one of user_id and email",
                ));
                None
            }
        };
        let new = person.map(|person| NewMember {
            person,
            role: r.role.into(),
        });
        v.finish_with(new)
    }
}
