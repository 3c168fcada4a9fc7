//! Domain errors. They know nothing of HTTP; `api::ApiError` maps them to statuses once.

use std::fmt;

/// One broken rule on one input field, reported back to the caller (RFC 9457 `errors[]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Dotted path of the field, e.g. `name.en` or `bin`.
    pub field: String,
    /// Machine-readable rule name, e.g. `required`, `format`, `check_digit`.
    pub code: &'static str,
    /// Human-readable explanation.
    pub message: String,
}

impl FieldError {
    /// A field error for `field` breaking rule `code`.
    pub fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code,
            message: message.into(),
        }
    }

    /// The same error, with its field path put under `parent` (`name` → `parent.name`).
    #[must_use]
    pub fn under(mut self, parent: &str) -> Self {
        self.field = if self.field.is_empty() {
            parent.to_owned()
        } else {
            format!("{parent}.{}", self.field)
        };
        self
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({})", self.field, self.message, self.code)
    }
}

/// Everything the domain refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// Input breaks one or more rules; all of them are listed.
    #[error("invalid input: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    /// A state machine refuses an action in the current state (DESIGN: 409 naming both).
    #[error("cannot {action} a {entity} that is {from}")]
    InvalidTransition {
        /// The kind of object, e.g. `application`.
        entity: &'static str,
        /// The action attempted.
        action: &'static str,
        /// The current state.
        from: &'static str,
        /// The actions allowed in the current state.
        allowed: Vec<&'static str>,
    },
    /// A change that would break an invariant of stored data (e.g. removing the last owner).
    #[error("{0}")]
    Conflict(String),
    /// No such object, or one the actor may not see (404: ids do not leak).
    #[error("not found")]
    NotFound,
    /// The actor is known and may see the object but may not do this to it.
    #[error("{0}")]
    Forbidden(String),
}

impl From<FieldError> for DomainError {
    fn from(e: FieldError) -> Self {
        Self::Invalid(vec![e])
    }
}

/// Collects field errors while a request is parsed, so that one 422 lists every broken rule
/// (zero2prod's `TryFrom<FormData>`, extended to many fields).
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    /// An empty collector.
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps the value of a successful parse, or records its errors under `field`.
    pub fn check<T>(&mut self, field: &str, result: Result<T, DomainError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.push_error(field, e);
                None
            }
        }
    }

    /// Parses an optional value: `None` stays `None`, `Some` is checked.
    pub fn check_opt<T, U>(
        &mut self,
        field: &str,
        value: Option<T>,
        parse: impl FnOnce(T) -> Result<U, DomainError>,
    ) -> Option<Option<U>> {
        match value {
            None => Some(None),
            Some(v) => self.check(field, parse(v)).map(Some),
        }
    }

    /// Whether `text` has at most `max` characters; when not, records a `max_length` error on
    /// `field`.
    pub fn max_chars(&mut self, field: &str, text: &str, max: usize) -> bool {
        if text.chars().count() <= max {
            return true;
        }
        self.push(FieldError::new(
            field,
            "max_length",
            format!("at most {max} characters"),
        ));
        false
    }

    /// Whether a list of `len` items holds at most `max`; when not, records a `max_items`
    /// error on `field` (the caller then skips checking the items one by one).
    pub fn max_items(&mut self, field: &str, len: usize, max: usize) -> bool {
        if len <= max {
            return true;
        }
        self.push(FieldError::new(
            field,
            "max_items",
            format!("at most {max} items"),
        ));
        false
    }

    /// Records one error.
    pub fn push(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    fn push_error(&mut self, field: &str, e: DomainError) {
        match e {
            DomainError::Invalid(list) => {
                self.errors
                    .extend(list.into_iter().map(|fe| fe.under(field)));
            }
            other => self
                .errors
                .push(FieldError::new(field, "invalid", other.to_string())),
        }
    }

    /// `Ok(())` when nothing was recorded, else every error at once.
    pub fn finish(self) -> Result<(), DomainError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(self.errors))
        }
    }

    /// Like [`Self::finish`], then hands back `value` (which is `Some` whenever nothing failed).
    pub fn finish_with<T>(self, value: Option<T>) -> Result<T, DomainError> {
        self.finish()?;
        value.ok_or_else(|| {
            DomainError::Invalid(vec![FieldError::new("", "invalid", "invalid input")])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validator_collects_every_error_with_its_field_path() {
        let mut v = Validator::new();
        let a: Option<u8> = v.check("a", Err(FieldError::new("", "required", "missing").into()));
        let b: Option<u8> = v.check("b", Err(FieldError::new("en", "length", "too long").into()));
        let c = v.check("c", Ok::<_, DomainError>(3));
        assert_eq!((a, b, c), (None, None, Some(3)));
        let Err(DomainError::Invalid(errors)) = v.finish() else {
            panic!("expected invalid");
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["a", "b.en"]);
    }

    #[test]
    fn a_list_over_its_bound_is_one_max_items_error() {
        let mut v = Validator::new();
        assert!(v.max_items("a", 3, 3));
        assert!(!v.max_items("b", 4, 3));
        let Err(DomainError::Invalid(errors)) = v.finish() else {
            panic!("expected invalid");
        };
        assert_eq!(
            (errors[0].field.as_str(), errors[0].code),
            ("b", "max_items")
        );
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn an_empty_validator_finishes_ok() {
        assert_eq!(Validator::new().finish(), Ok(()));
    }
}
