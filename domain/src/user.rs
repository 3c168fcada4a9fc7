//! Users: system roles, display names and the password policy.

use crate::error::{DomainError, FieldError};
use serde::{Deserialize, Serialize};

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

/// Parses a required single-line text of 1..=`max` characters, trimmed.
pub fn parse_line(raw: &str, max: usize) -> Result<String, DomainError> {
    let v = raw.trim();
    if v.is_empty() {
        Err(FieldError::new("", "required", "may not be empty").into())
    } else if v.chars().count() > max {
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
        assert_eq!(parse_line("  Aigerim  ", 10).unwrap(), "Aigerim");
        assert!(parse_line("   ", 10).is_err());
        assert!(parse_line("abcdefghijk", 10).is_err());
        assert!(parse_line("a\nb", 10).is_err());
    }

    #[test]
    fn system_roles_round_trip() {
        for r in [SystemRole::Admin, SystemRole::User] {
            assert_eq!(SystemRole::parse(r.as_str()), Ok(r));
        }
        assert!(SystemRole::parse("root").is_err());
    }
}
