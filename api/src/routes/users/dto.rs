//! Wire forms of user administration.

use crate::wire::SystemRole;
use serde::Deserialize;
use seriktes_domain::email::Email;
use seriktes_domain::user::{MAX_NAME, NewPassword, NewUser, UserChange, parse_line};
use seriktes_domain::{DomainError, FieldError, Validator};
use seriktes_persistence::users::UserFilter;
use utoipa::{IntoParams, ToSchema};

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "aigerim@example.org", "name": "Aigerim Sadykova", "password": "a long passphrase", "system_role": "user"}))]
pub struct CreateUserRequest {
    /// E-mail address; unique after Unicode NFKC and case folding (`ａdmin@example.org` is
    /// `admin@example.org`); a part before @ that mixes scripts is refused (`mixed_script`).
    pub email: String,
    /// Display name, 1–200 characters.
    pub name: String,
    /// 8–128 characters.
    #[schema(format = Password)]
    pub password: String,
    /// Default `user`.
    pub system_role: Option<SystemRole>,
    /// Default `true`.
    pub active: Option<bool>,
}

impl TryFrom<CreateUserRequest> for (NewUser, NewPassword) {
    type Error = DomainError;

    fn try_from(r: CreateUserRequest) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        let email = v.check("email", Email::parse(&r.email));
        let name = v.check("name", parse_line(&r.name, MAX_NAME));
        let password = v.check("password", NewPassword::parse(&r.password));
        v.finish()?;
        match (email, name, password) {
            (Some(email), Some(name), Some(password)) => Ok((
                NewUser {
                    email,
                    name,
                    system_role: r
                        .system_role
                        .map_or(seriktes_domain::user::SystemRole::User, Into::into),
                    active: r.active.unwrap_or(true),
                },
                password,
            )),
            _ => Err(FieldError::new("", "invalid", "invalid input").into()),
        }
    }
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
    #[schema(format = Password)]
    pub password: Option<String>,
    /// New system role.
    pub system_role: Option<SystemRole>,
    /// `false` deactivates the account.
    pub active: Option<bool>,
}

impl TryFrom<UpdateUserRequest> for UserChange {
    type Error = DomainError;

    fn try_from(r: UpdateUserRequest) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        let email = v.check_opt("email", r.email, |e| Email::parse(&e));
        let name = v.check_opt("name", r.name, |n| parse_line(&n, MAX_NAME));
        let password = v.check_opt("password", r.password, |p| NewPassword::parse(&p));
        v.finish()?;
        Ok(Self {
            email: email.flatten(),
            name: name.flatten(),
            password: password.flatten(),
            system_role: r.system_role.map(Into::into),
            active: r.active,
        })
    }
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
    pub updated_since: Option<crate::wire::Timestamp>,
}

impl UserListParams {
    /// The filters, if each is within its bound.
    pub fn checked(self) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        if let Some(email) = &self.email {
            v.max_chars("email", email, Email::MAX_LEN);
        }
        v.finish().map(|()| self)
    }
}

impl From<UserListParams> for UserFilter {
    fn from(f: UserListParams) -> Self {
        Self {
            email_contains: f.email.map(|e| e.trim().to_lowercase()),
            active: f.active,
            system_role: f.system_role.map(Into::into),
            updated_since: f.updated_since.map(crate::wire::Timestamp::get),
        }
    }
}
