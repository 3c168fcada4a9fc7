//! Users: system roles, display names and the password policy.

use crate::email::Email;
use crate::error::{DomainError, FieldError};
use crate::ids::UserId;
use serde::{Deserialize, Serialize};

/// Longest display name.
pub const MAX_NAME: usize = 200;

/// A user account (never its password).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Id.
    pub id: UserId,
    /// Normalised e-mail address.
    pub email: Email,
    /// Display name.
    pub name: String,
    /// System role.
    pub system_role: SystemRole,
    /// Whether the user may sign in.
    pub active: bool,
}

impl User {
    /// Whether the user is an active administrator.
    pub fn is_active_admin(&self) -> bool {
        self.active && self.system_role == SystemRole::Admin
    }
}

/// A validated new account.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// E-mail address.
    pub email: Email,
    /// Display name.
    pub name: String,
    /// System role.
    pub system_role: SystemRole,
    /// Whether the user may sign in.
    pub active: bool,
}

/// Validated changes to an account; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChange {
    /// New e-mail address.
    pub email: Option<Email>,
    /// New display name.
    pub name: Option<String>,
    /// New password.
    pub password: Option<NewPassword>,
    /// New system role.
    pub system_role: Option<SystemRole>,
    /// New active flag.
    pub active: Option<bool>,
}

impl UserChange {
    /// Whether the change signs the user out everywhere (new password, deactivation).
    pub fn signs_out(&self) -> bool {
        self.password.is_some() || self.active == Some(false)
    }

    /// Names what changed, never the password itself.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(e) = &self.email {
            parts.push(format!("email → {e}"));
        }
        if self.name.is_some() {
            parts.push("name".to_owned());
        }
        if self.password.is_some() {
            parts.push("password".to_owned());
        }
        if let Some(r) = self.system_role {
            parts.push(format!("role → {}", r.as_str()));
        }
        if let Some(a) = self.active {
            parts.push(if a { "activated" } else { "deactivated" }.to_owned());
        }
        if parts.is_empty() {
            "no changes".to_owned()
        } else {
            format!("changed {}", parts.join(", "))
        }
    }
}

/// The last active admin may be neither demoted nor deactivated: someone must be able to
/// manage users. `active_admins` counts every active admin, `before` included.
pub fn check_admin_change(
    before: &User,
    change: &UserChange,
    active_admins: i64,
) -> Result<(), DomainError> {
    let loses_admin = before.is_active_admin()
        && (change.system_role.is_some_and(|r| r != SystemRole::Admin)
            || change.active == Some(false));
    if loses_admin && active_admins <= 1 {
        return Err(DomainError::Conflict(
            "This is the last active admin; make another user admin first.".to_owned(),
        ));
    }
    Ok(())
}

/// A user's role in the whole system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SystemRole {
    /// Sees and changes everything; manages users and service keys.
    Admin,
    /// Acts through memberships and assignments only.
    User,
}

impl SystemRole {
    /// The wire and storage name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::User => "user",
        }
    }

    /// Parses a stored or wire name.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        match raw {
            "admin" => Ok(Self::Admin),
            "user" => Ok(Self::User),
            _ => Err(FieldError::new("", "one_of", format!("{raw:?} is not a system role")).into()),
        }
    }
}

/// Parses a required single-line text of 1..=`max` characters as sent, trimmed.
pub fn parse_line(raw: &str, max: usize) -> Result<String, DomainError> {
    let v = raw.trim();
    if v.is_empty() {
        Err(FieldError::new("", "required", "may not be empty").into())
    } else if raw.chars().count() > max {
        Err(FieldError::new("", "max_length", format!("at most {max} characters")).into())
    } else if v.chars().any(char::is_control) {
        Err(FieldError::new("", "format", "may not contain control characters").into())
    } else {
        Ok(v.to_owned())
    }
}

/// A new password that satisfies the policy (OWASP ASVS 2.1: at least 8 characters, at most
/// 128, any characters, no composition rules). Its `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl NewPassword {
    /// Fewest characters accepted.
    pub const MIN_CHARS: usize = 8;
    /// Most characters accepted (argon2 would take more; this bounds the work per request).
    pub const MAX_CHARS: usize = 128;

    /// Checks a password against the policy.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let n = raw.chars().count();
        if n < Self::MIN_CHARS {
            Err(FieldError::new(
                "",
                "min_length",
                format!("at least {} characters", Self::MIN_CHARS),
            )
            .into())
        } else if n > Self::MAX_CHARS {
            Err(FieldError::new(
                "",
                "max_length",
                format!("at most {} characters", Self::MAX_CHARS),
            )
            .into())
        } else if raw.trim().is_empty() {
            Err(FieldError::new("", "format", "may not be only white space").into())
        } else {
            Ok(Self(raw.to_owned()))
        }
    }

    /// The password, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_between_8_and_128_characters_are_accepted() {
        assert!(NewPassword::parse("correct horse").is_ok());
        assert!(
            NewPassword::parse("пароль12").is_ok(),
            "characters, not bytes, are counted"
        );
        assert!(NewPassword::parse("short").is_err());
        assert!(NewPassword::parse(&"x".repeat(129)).is_err());
        assert!(NewPassword::parse("          ").is_err());
    }

    #[test]
    fn a_password_never_shows_in_debug_output() {
        let p = NewPassword::parse("hunter2hunter2").unwrap();
        assert!(!format!("{p:?}").contains("hunter2"));
    }

    #[test]
    fn lines_are_trimmed_and_bounded() {
        assert_eq!(parse_line("  Aigerim  ", 11).unwrap(), "Aigerim");
        assert!(parse_line("  Aigerim  ", 10).is_err(), "white space counts");
        assert!(parse_line("   ", 10).is_err());
        assert!(parse_line("abcdefghijk", 10).is_err());
        assert!(parse_line("a\nb", 10).is_err());
    }

    fn admin(active: bool) -> User {
        User {
            id: UserId::from_uuid(uuid::Uuid::from_u128(1)),
            email: Email::parse("a@b.kz").unwrap(),
            name: "A".to_owned(),
            system_role: SystemRole::Admin,
            active,
        }
    }

    #[test]
    fn the_last_active_admin_may_not_be_demoted_or_deactivated() {
        let demote = UserChange {
            system_role: Some(SystemRole::User),
            ..UserChange::default()
        };
        let deactivate = UserChange {
            active: Some(false),
            ..UserChange::default()
        };
        let rename = UserChange {
            name: Some("B".to_owned()),
            ..UserChange::default()
        };
        for change in [&demote, &deactivate] {
            assert!(matches!(
                check_admin_change(&admin(true), change, 1),
                Err(DomainError::Conflict(_))
            ));
            assert_eq!(check_admin_change(&admin(true), change, 2), Ok(()));
        }
        assert_eq!(check_admin_change(&admin(true), &rename, 1), Ok(()));
        assert_eq!(
            check_admin_change(&admin(false), &demote, 0),
            Ok(()),
            "an inactive admin is not the last active one"
        );
    }

    #[test]
    fn a_change_names_what_changed_but_never_the_password() {
        let c = UserChange {
            password: Some(NewPassword::parse("hunter2hunter2").unwrap()),
            active: Some(false),
            ..UserChange::default()
        };
        assert_eq!(c.describe(), "changed password, deactivated");
        assert!(c.signs_out());
        assert_eq!(UserChange::default().describe(), "no changes");
    }

    #[test]
    fn system_roles_round_trip() {
        for r in [SystemRole::Admin, SystemRole::User] {
            assert_eq!(SystemRole::parse(r.as_str()), Ok(r));
        }
        assert!(SystemRole::parse("root").is_err());
    }
}
