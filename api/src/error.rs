//! `ApiError`: the one place a status code and an RFC 9457 `application/problem+json` body are
//! built (STYLE §3). Handlers return `Result<_, ApiError>` and use `?` on domain and store errors.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use seriktes_domain::text::truncate;
use seriktes_domain::{DomainError, FieldError};
use seriktes_persistence::StoreError;
use utoipa::ToSchema;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

// Bounds of a problem body, which the contract states. Types, titles and codes are static
// texts within them; details, field paths and messages, which may quote what a client sent,
// are cut to them, and at most `MAX_FIELD_ERRORS` field errors are listed.
/// Longest `type`.
pub const MAX_TYPE_CHARS: usize = 64;
/// Longest `title`.
pub const MAX_TITLE_CHARS: usize = 64;
/// Longest `detail`.
pub const MAX_DETAIL_CHARS: usize = 1000;
/// Most field errors listed.
pub const MAX_FIELD_ERRORS: usize = 100;
/// Longest field path.
pub const MAX_FIELD_CHARS: usize = 200;
/// Longest rule code.
pub const MAX_CODE_CHARS: usize = 32;
/// Longest field message.
pub const MAX_MESSAGE_CHARS: usize = 500;

/// One broken rule on one field.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"field": "bin", "code": "check_digit", "message": "the BIN check digit does not match"}))]
pub struct ProblemField {
    /// Dotted path of the offending field in the request (`name.en`, `limit`).
    pub field: String,
    /// Machine-readable rule: `required`, `format`, `min_length`, `max_length`, `one_of`,
    /// `range`, `check_digit`, `unique`, `type`, …
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
}

/// An RFC 9457 problem detail; every error the API returns has this shape.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:seriktes:problem:validation",
    "title": "Unprocessable Content",
    "status": 422,
    "detail": "The request has 1 invalid field.",
    "errors": [{"field": "email", "code": "format", "message": "not a valid e-mail address"}]
}))]
pub struct Problem {
    /// A URI naming the kind of problem (`urn:seriktes:problem:<kind>`).
    #[serde(rename = "type")]
    pub problem_type: String,
    /// The HTTP reason phrase.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong in this occurrence.
    pub detail: String,
    /// Field errors (422, and 409 on duplicates and on `indicator-in-use`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<ProblemField>>,
    /// For an illegal state change (409): the object's current state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_state: Option<String>,
    /// For an illegal state change (409): the actions allowed in the current state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_actions: Option<Vec<String>>,
    /// For `envelope-exceeded` (409): the call's envelope.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub envelope: Option<crate::wire::Money>,
    /// For `envelope-exceeded` (409): the call's awards so far.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub awarded: Option<crate::wire::Money>,
    /// For `envelope-exceeded` (409): the amount of the refused award.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested: Option<crate::wire::Money>,
    /// For `report-not-accepted` (409): the requirement whose report the tranche waits for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requirement_id: Option<uuid::Uuid>,
    /// For `report-not-accepted` (409): that report's status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report_status: Option<String>,
}

/// Every error a handler can answer with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the body is not well-formed JSON.
    #[error("{0}")]
    BadRequest(String),
    /// 401: credentials missing, invalid or expired.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: the caller may see the object but not do this.
    #[error("{0}")]
    Forbidden(String),
    /// 404: no such object, or one the caller may not see.
    #[error("not found")]
    NotFound,
    /// 405: the path exists, the method does not; holds the `Allow` header's value, the
    /// path's methods (RFC 9110 §15.5.6).
    #[error("method not allowed")]
    MethodNotAllowed(String),
    /// 409: the request conflicts with stored state.
    #[error("{detail}")]
    Conflict {
        /// What conflicts.
        detail: String,
        /// Fields involved (duplicates).
        errors: Vec<FieldError>,
        /// The current state, for an illegal transition.
        current_state: Option<String>,
        /// Allowed actions, for an illegal transition.
        allowed_actions: Option<Vec<String>>,
    },
    /// 409: an award would take a call's awards over its envelope (the figures are extension
    /// members of the problem).
    #[error("{0}")]
    EnvelopeExceeded(seriktes_domain::grant::EnvelopeExceeded),
    /// 409: a tranche tied to a report cannot be approved or paid before that report is
    /// accepted (the requirement and the report's status are extension members).
    #[error("{0}")]
    ReportNotAccepted(seriktes_domain::report::ReportNotAccepted),
    /// 409: the programme's catalogue already has an indicator with this code.
    #[error("The programme already has an indicator with the code {0}.")]
    IndicatorCodeTaken(String),
    /// 409: a grant carries the indicator, and the change would alter these fields of it
    /// (`kind`, `aggregation`, `disaggregation`), which grants and reports were set up with.
    #[error(
        "A grant carries this indicator, so its {} cannot change; code, name, unit, baseline and target can.",
        .0.join(", ")
    )]
    IndicatorInUse(Vec<&'static str>),
    /// 409: a request with the same `Idempotency-Key` is still being carried out; retry after
    /// the given seconds.
    #[error("a request with this Idempotency-Key is still being carried out")]
    RequestInProgress(u64),
    /// 409: the request with this `Idempotency-Key` was carried out, but its answer was lost.
    #[error(
        "the request with this Idempotency-Key was carried out, but its answer was lost (the connection broke as it committed); read what it created or changed instead of sending it again"
    )]
    AnswerLost,
    /// 412: `If-Match` names another version.
    #[error("the object was changed since you read it")]
    PreconditionFailed,
    /// 409: the write lost a race with concurrent writes every time it was run
    /// (`db::WRITE_ATTEMPTS`); nothing was stored, and the request may be sent again.
    #[error(
        "the request conflicted with concurrent changes each time it was tried; nothing was stored, send it again"
    )]
    WriteConflict,
    /// 408: the request head did not arrive in time (answered by the connection layer).
    #[error("the request head did not arrive in time")]
    RequestTimeout,
    /// 431: the request head is larger than the server reads (answered by the connection
    /// layer).
    #[error("the request head is larger than 128 KiB")]
    RequestHeadTooLarge,
    /// 413: the body is larger than the limit (bytes).
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    /// 415: the body is not JSON.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 422: fields break rules.
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    /// 429: too many requests; retry after the given seconds.
    #[error("too many requests")]
    TooManyRequests(u64),
    /// 503: too much work in progress (password hashing); retry after the given seconds.
    #[error("busy")]
    Busy(u64),
    /// 503: the database is unreachable.
    #[error("service unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// 500: anything unexpected; the cause is logged, never sent.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    /// A 500 from any error.
    pub fn internal(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(e))
    }

    /// A 422 for one field.
    pub fn invalid(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, code, message)])
    }

    /// The same error with its field paths put under `parent` (`amount` → `parent.amount`).
    #[must_use]
    pub fn under(self, parent: &str) -> Self {
        match self {
            Self::Validation(errors) => {
                Self::Validation(errors.into_iter().map(|e| e.under(parent)).collect())
            }
            other => other,
        }
    }

    /// A plain 409.
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::Conflict {
            detail: detail.into(),
            errors: Vec::new(),
            current_state: None,
            allowed_actions: None,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "malformed-request",
            Self::Unauthorized(_) => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound => "not-found",
            Self::MethodNotAllowed(_) => "method-not-allowed",
            Self::Conflict {
                current_state: Some(_),
                ..
            } => "invalid-transition",
            Self::Conflict { .. } => "conflict",
            Self::EnvelopeExceeded(_) => "envelope-exceeded",
            Self::ReportNotAccepted(_) => "report-not-accepted",
            Self::IndicatorCodeTaken(_) => "indicator-code-taken",
            Self::IndicatorInUse(_) => "indicator-in-use",
            Self::PreconditionFailed => "precondition-failed",
            Self::WriteConflict => "concurrent-update",
            Self::RequestInProgress(_) => "request-in-progress",
            Self::AnswerLost => "answer-lost",
            Self::RequestTimeout => "request-timeout",
            Self::RequestHeadTooLarge => "request-head-too-large",
            Self::PayloadTooLarge(_) => "payload-too-large",
            Self::UnsupportedMediaType(_) => "unsupported-media-type",
            Self::Validation(_) => "validation",
            Self::TooManyRequests(_) => "rate-limited",
            Self::Busy(_) => "busy",
            Self::Unavailable(_) => "unavailable",
            Self::Internal(_) => "internal",
        }
    }

    fn detail(&self) -> String {
        match self {
            Self::Validation(errors) => match errors.len() {
                1 => "The request has 1 invalid field.".to_owned(),
                n if n > MAX_FIELD_ERRORS => {
                    format!(
                        "The request has {n} invalid fields; the first {MAX_FIELD_ERRORS} are listed."
                    )
                }
                n => format!("The request has {n} invalid fields."),
            },
            Self::NotFound => "No such resource, or you may not see it.".to_owned(),
            Self::MethodNotAllowed(allow) => {
                format!("This resource does not support the request method; it allows {allow}.")
            }
            Self::TooManyRequests(s) => format!("Too many requests; retry after {s} seconds."),
            Self::Busy(s) => format!("The server is busy; retry after {s} seconds."),
            Self::Unavailable(_) => "The database is unavailable; retry shortly.".to_owned(),
            Self::Internal(_) => "An unexpected error occurred; it has been logged.".to_owned(),
            other => other.to_string(),
        }
    }

    /// The RFC 9457 body.
    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        let fields = |errors: &[FieldError]| {
            errors
                .iter()
                .take(MAX_FIELD_ERRORS)
                .map(|e| ProblemField {
                    field: truncate(&e.field, MAX_FIELD_CHARS).into_owned(),
                    code: truncate(e.code, MAX_CODE_CHARS).into_owned(),
                    message: truncate(&e.message, MAX_MESSAGE_CHARS).into_owned(),
                })
                .collect::<Vec<_>>()
        };
        let (errors, current_state, allowed_actions) = match self {
            Self::Validation(e) => (Some(fields(e)), None, None),
            Self::Conflict {
                errors,
                current_state,
                allowed_actions,
                ..
            } => (
                (!errors.is_empty()).then(|| fields(errors)),
                current_state.clone(),
                allowed_actions.clone(),
            ),
            Self::IndicatorCodeTaken(_) => (
                Some(fields(&[FieldError::new(
                    "code",
                    "unique",
                    "another indicator of the programme has this code",
                )])),
                None,
                None,
            ),
            Self::IndicatorInUse(changed) => {
                let errors: Vec<FieldError> = changed
                    .iter()
                    .map(|f| {
                        FieldError::new(*f, "in_use", "cannot change while a grant carries it")
                    })
                    .collect();
                (Some(fields(&errors)), None, None)
            }
            _ => (None, None, None),
        };
        let mut problem = Problem {
            problem_type: format!("urn:seriktes:problem:{}", self.kind()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: truncate(&self.detail(), MAX_DETAIL_CHARS).into_owned(),
            errors,
            current_state,
            allowed_actions,
            envelope: None,
            awarded: None,
            requested: None,
            requirement_id: None,
            report_status: None,
        };
        if let Self::ReportNotAccepted(e) = self {
            problem.requirement_id = Some(e.requirement.uuid());
            problem.report_status = Some(e.status.as_str().to_owned());
        }
        if let Self::EnvelopeExceeded(e) = self {
            let wire = |m: &seriktes_domain::money::Money| {
                crate::wire::Money::from_minor(m.minor(), m.currency())
            };
            problem.envelope = Some(wire(&e.envelope));
            problem.awarded = Some(wire(&e.awarded));
            problem.requested = Some(wire(&e.requested));
        }
        problem
    }
}

impl ApiError {
    /// The RFC 9457 body as JSON text (also written by `transport` for the errors the HTTP
    /// dispatcher answers before the app runs).
    pub fn problem_body(&self) -> String {
        serde_json::to_string(&self.problem()).unwrap_or_default()
    }
}

/// Writes the full cause chain of an error on one line (zero2prod `error_chain_fmt`).
fn cause_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict { .. }
            | Self::EnvelopeExceeded(_)
            | Self::ReportNotAccepted(_)
            | Self::IndicatorCodeTaken(_)
            | Self::IndicatorInUse(_)
            | Self::WriteConflict
            | Self::RequestInProgress(_)
            | Self::AnswerLost => StatusCode::CONFLICT,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::RequestHeadTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Busy(_) | Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Internal(_) | Self::Unavailable(_) => log::error!("{}", cause_chain(self)),
            other => log::debug!("{} {}", other.status_code().as_u16(), other),
        }
        let mut res = HttpResponse::build(self.status_code());
        res.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        match self {
            Self::Unauthorized(_) => {
                res.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
            }
            Self::TooManyRequests(s) | Self::Busy(s) | Self::RequestInProgress(s) => {
                res.insert_header((header::RETRY_AFTER, s.to_string()));
            }
            Self::Unavailable(_) => {
                res.insert_header((header::RETRY_AFTER, HeaderValue::from_static("5")));
            }
            Self::MethodNotAllowed(allow) => {
                if let Ok(value) = HeaderValue::from_str(allow) {
                    res.insert_header((header::ALLOW, value));
                }
            }
            _ => {}
        }
        res.body(self.problem_body())
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Invalid(errors) => Self::Validation(errors),
            DomainError::InvalidTransition {
                entity,
                action,
                from,
                allowed,
            } => Self::Conflict {
                detail: format!(
                    "A {entity} that is {from} cannot be {action}; allowed: {}.",
                    if allowed.is_empty() {
                        "none".to_owned()
                    } else {
                        allowed.join(", ")
                    }
                ),
                errors: Vec::new(),
                current_state: Some(from.to_owned()),
                allowed_actions: Some(allowed.into_iter().map(str::to_owned).collect()),
            },
            DomainError::Conflict(detail) => Self::conflict(detail),
            DomainError::Forbidden(detail) => Self::Forbidden(detail),
            DomainError::NotFound => Self::NotFound,
        }
    }
}

impl seriktes_persistence::db::Retryable for ApiError {
    fn is_write_conflict(&self) -> bool {
        matches!(self, Self::WriteConflict)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            StoreError::Duplicate { field } => Self::Conflict {
                detail: format!("Another record already has this {field}."),
                errors: vec![FieldError::new(field, "unique", "already taken")],
                current_state: None,
                allowed_actions: None,
            },
            StoreError::MissingReference => {
                Self::invalid("", "reference", "a referenced object does not exist")
            }
            StoreError::VersionMismatch => Self::PreconditionFailed,
            StoreError::WriteConflict => Self::WriteConflict,
            StoreError::Unavailable(source) => Self::Unavailable(source),
            e @ (StoreError::Database(_) | StoreError::Corrupt { .. }) => Self::internal(e),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::internal(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_stays_within_the_bounds_the_contract_states() {
        let long = "x".repeat(5000);
        let errors = (0..=MAX_FIELD_ERRORS)
            .map(|_| FieldError::new(long.clone(), "format", long.clone()))
            .collect();
        let p = ApiError::Validation(errors).problem();
        let fields = p.errors.unwrap_or_default();
        assert_eq!(fields.len(), MAX_FIELD_ERRORS);
        assert_eq!(fields[0].field.chars().count(), MAX_FIELD_CHARS);
        assert_eq!(fields[0].message.chars().count(), MAX_MESSAGE_CHARS);
        assert!(p.detail.contains("101 invalid fields"), "{}", p.detail);
        let p = ApiError::BadRequest(long).problem();
        assert_eq!(p.detail.chars().count(), MAX_DETAIL_CHARS);
        assert!(p.problem_type.len() <= MAX_TYPE_CHARS && p.title.len() <= MAX_TITLE_CHARS);
    }
}
