//! E-mail addresses: RFC 5322 syntax (checked by the `email_address` crate), normalised so that
//! uniqueness is case-insensitive (DESIGN: "email (unique, case-insensitive)").

use crate::error::{DomainError, FieldError};
use std::fmt;
use std::str::FromStr;

/// A syntactically valid e-mail address, trimmed and lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Longest address accepted (RFC 5321 path limit).
    pub const MAX_LEN: usize = 254;

    /// Parses and normalises an address.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        if raw.chars().count() > Self::MAX_LEN {
            return Err(FieldError::new(
                "",
                "max_length",
                format!("an e-mail address has at most {} characters", Self::MAX_LEN),
            )
            .into());
        }
        let normalised = raw.trim().to_lowercase();
        if normalised.is_empty() {
            return Err(FieldError::new("", "required", "an e-mail address is required").into());
        }
        if normalised.len() > Self::MAX_LEN {
            return Err(FieldError::new(
                "",
                "max_length",
                format!("an e-mail address has at most {} characters", Self::MAX_LEN),
            )
            .into());
        }
        let parsed = email_address::EmailAddress::from_str(&normalised).map_err(|e| {
            FieldError::new("", "format", format!("not a valid e-mail address: {e}"))
        })?;
        // A mailbox on a bare host name ("a@localhost") is legal but never a real user here.
        if !parsed.domain().contains('.') {
            return Err(FieldError::new(
                "",
                "format",
                "the domain of an e-mail address needs a dot",
            )
            .into());
        }
        Ok(Self(normalised))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_trimmed_and_lower_cased() {
        let e = Email::parse("  Aigerim.K@Example.ORG ").unwrap();
        assert_eq!(e.as_str(), "aigerim.k@example.org");
    }

    #[test]
    fn two_spellings_of_one_address_are_equal() {
        assert_eq!(
            Email::parse("A@B.kz").unwrap(),
            Email::parse("a@b.KZ").unwrap()
        );
    }

    #[test]
    fn malformed_addresses_are_rejected() {
        for bad in [
            "",
            "   ",
            "no-at-sign",
            "a@",
            "@b.kz",
            "a b@c.kz",
            "a@localhost",
            "a@@b.kz",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn overlong_addresses_are_rejected() {
        let long = format!("{}@example.org", "a".repeat(250));
        let Err(DomainError::Invalid(errors)) = Email::parse(&long) else {
            panic!("expected invalid");
        };
        assert_eq!(errors[0].code, "max_length");
    }
}
