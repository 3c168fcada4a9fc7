//! E-mail addresses: RFC 5322 syntax (checked by the `email_address` crate), normalised so that
//! uniqueness is case-insensitive (DESIGN: "email (unique, case-insensitive)") and look-alike
//! spellings are one address or none:
//! - Unicode NFKC folds compatibility forms onto their plain letters, so the full-width
//!   `ａdmin＠example.org` is `admin@example.org` (UAX #15);
//! - a local part whose letters come from more than one script (a Cyrillic `а` among Latin
//!   letters, `аdmin@example.org`) is refused: no one types such an address, impostors do
//!   (the single-script test of UTS #39 §5.1, over the Script_Extensions of each character,
//!   where digits and punctuation go with any script).
//!
//! Creating a user and signing in both go through [`Email::parse`], so they normalise alike.

use crate::error::{DomainError, FieldError};
use std::fmt;
use std::str::FromStr;
use unicode_normalization::UnicodeNormalization;
use unicode_script::ScriptExtension;

/// The rule code of a local part that mixes scripts.
pub const MIXED_SCRIPT: &str = "mixed_script";

/// A syntactically valid e-mail address: NFKC-normalised, trimmed, lower-cased, its local part
/// in one script.
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
        // NFKC before trimming (it turns odd spaces into plain ones) and after lower-casing
        // (which may leave a string that is no longer in NFKC).
        let folded: String = raw.nfkc().collect();
        let normalised: String = folded.trim().to_lowercase().nfkc().collect();
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
        if ScriptExtension::for_str(parsed.local_part()).is_empty() {
            return Err(FieldError::new(
                "",
                MIXED_SCRIPT,
                "the part before @ mixes letters of different scripts (such as Latin and \
                 Cyrillic letters that look alike)",
            )
            .into());
        }
        Ok(Self(normalised))
    }

    /// An address read back from storage, kept as written. It was checked when it was stored,
    /// but under the rules of that day: accounts made before normalisation (NFKC, one script)
    /// must stay readable, and are not re-normalised, so a look-alike spelling stored earlier
    /// is no longer reached by signing in with it (that now finds the account it imitates).
    pub fn from_stored(raw: &str) -> Result<Self, DomainError> {
        if raw.is_empty() {
            return Err(FieldError::new("", "required", "an e-mail address is required").into());
        }
        Ok(Self(raw.to_owned()))
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
    fn compatibility_forms_fold_onto_their_plain_letters() {
        let plain = Email::parse("admin@example.org").unwrap();
        for look_alike in [
            "ａdmin@example.org",
            "ＡＤＭＩＮ＠ＥＸＡＭＰＬＥ．ＯＲＧ",
            "\u{3000}admin@example.org\u{a0}",
            "ａｄｍｉｎ@example.org",
        ] {
            assert_eq!(Email::parse(look_alike).unwrap(), plain, "{look_alike:?}");
        }
    }

    #[test]
    fn a_local_part_mixing_scripts_is_refused_and_one_script_is_not() {
        for mixed in [
            "аdmin@example.org",
            "pаypal@example.org",
            "αdmin@example.org",
        ] {
            let Err(DomainError::Invalid(errors)) = Email::parse(mixed) else {
                panic!("{mixed:?} should be refused");
            };
            assert_eq!(errors[0].code, MIXED_SCRIPT, "{mixed:?}");
        }
        for single in [
            "админ@example.org",
            "айгерим.сәрсенова@example.kz",
            "a.b-c_2026+grants@example.org",
            "müller@example.de",
        ] {
            assert!(Email::parse(single).is_ok(), "{single:?} is one script");
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
