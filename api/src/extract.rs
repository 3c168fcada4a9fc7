//! Request extractors that answer in problem+json: JSON bodies and query strings parsed with
//! the path of the offending field (`serde_path_to_error`), and `If-Match`.
//!
//! Malformed JSON is 400; well-formed JSON of the wrong shape is 422 naming the field; a body
//! that is not JSON is 415; a body over the limit is 413.

use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use seriktes_domain::DomainError;
use std::future::Future;
use std::pin::Pin;

/// The largest JSON body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// A JSON request body of type `T`.
#[derive(Debug)]
pub struct Json<T>(pub T);

fn is_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<mime::Mime>().ok())
        .is_some_and(|m| {
            m.type_() == mime::APPLICATION
                && (m.subtype() == mime::JSON || m.suffix() == Some(mime::JSON))
        })
}

/// Parses JSON bytes; syntax errors are 400, shape errors 422 with the field path, and text
/// holding a NUL character 422 naming where it is.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if has_nul_escape(bytes) {
        refuse_nul_in_json(bytes)?;
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_data() {
            let field = if path == "." { String::new() } else { path };
            let (code, message) = rule_of(&strip_position(&inner.to_string()));
            // A missing field is reported at its parent's path; name the field itself.
            let field = match (code, message.split('`').nth(1)) {
                ("required", Some(name)) if field.is_empty() => name.to_owned(),
                ("required", Some(name)) => format!("{field}.{name}"),
                _ => field,
            };
            ApiError::invalid(&field, code, message)
        } else {
            ApiError::BadRequest(format!("The body is not valid JSON: {inner}."))
        }
    })?;
    de.end()
        .map_err(|e| ApiError::BadRequest(format!("The body is not valid JSON: {e}.")))?;
    Ok(value)
}

// NUL characters. No text the API keeps or filters by may hold one: PostgreSQL refuses NUL in
// text (a 500 there, while SQLite stores it), and no name, e-mail or id has one. They are
// refused once, where text comes in: in JSON bodies (only as the escape `\u0000`; a raw NUL
// byte is malformed JSON, 400), in query strings (`%00`), and in cursors
// (`crate::response::PageParams`).

/// The rule code of a NUL character in text.
const NUL_RULE: &str = "nul";
const NUL_MESSAGE: &str = "text may not contain the NUL character (U+0000)";

/// Whether JSON text holds the escape `\u0000` (a NUL inside a string), skipping escaped
/// backslashes (`\\u0000` is the text `\u0000`).
fn has_nul_escape(bytes: &[u8]) -> bool {
    let mut rest = bytes;
    while let Some(at) = rest.iter().position(|&b| b == b'\\') {
        let escape = &rest[at..];
        if escape.get(1) == Some(&b'u') && escape.get(2..6) == Some(b"0000".as_slice()) {
            return true;
        }
        rest = escape.get(2..).unwrap_or_default();
    }
    false
}

/// A 422 naming the first string (or key) with a NUL in a body known to hold `\u0000`; a body
/// that is not JSON falls through to the ordinary parse and its 400.
fn refuse_nul_in_json(bytes: &[u8]) -> Result<(), ApiError> {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return Ok(());
    };
    match nul_path(&value, String::new()) {
        Some(field) => Err(ApiError::invalid(&field, NUL_RULE, NUL_MESSAGE)),
        None => Ok(()),
    }
}

/// The path (as `serde_path_to_error` writes it: `funders[0].name`) of the first string or key
/// under `value` that holds a NUL.
fn nul_path(value: &serde_json::Value, path: String) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::String(s) if s.contains('\0') => Some(path),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| nul_path(v, format!("{path}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let key = k.replace('\0', "\\u0000");
            let inner = if path.is_empty() {
                key
            } else {
                format!("{path}.{key}")
            };
            if k.contains('\0') {
                Some(inner)
            } else {
                nul_path(v, inner)
            }
        }),
        _ => None,
    }
}

/// Rules a wire type's deserialiser may name through [`rule_error`].
const RULES: [&str; 2] = ["range", "format"];

/// The deserialisation error of a wire type whose value a domain parse refused (a date out of
/// range): its message is `<code>: <message>`, which the extractors below turn back into a
/// field error with that code, under the path of the field.
pub fn rule_error<E: serde::de::Error>(e: DomainError) -> E {
    match e {
        DomainError::Invalid(errors) => match errors.first() {
            Some(first) => E::custom(format!("{}: {}", first.code, first.message)),
            None => E::custom("invalid value"),
        },
        other => E::custom(other),
    }
}

/// The rule and message of a deserialisation error: a rule named by [`rule_error`], or the
/// one serde's wording says.
fn rule_of(message: &str) -> (&'static str, String) {
    for rule in RULES {
        if let Some(rest) = message
            .strip_prefix(rule)
            .and_then(|r| r.strip_prefix(": "))
        {
            return (rule, rest.to_owned());
        }
    }
    let code = if message.starts_with("missing field") {
        "required"
    } else if message.starts_with("unknown field") {
        "unknown_field"
    } else if message.starts_with("unknown variant") {
        "one_of"
    } else {
        "type"
    };
    (code, message.to_owned())
}

/// serde_json appends " at line 1 column 9"; the field path says more.
fn strip_position(message: &str) -> String {
    message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .to_owned()
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = is_json(req);
        let body = Bytes::from_request(req, payload);
        Box::pin(async move {
            if !json {
                return Err(ApiError::UnsupportedMediaType(
                    "The body must be JSON, sent with Content-Type: application/json.".to_owned(),
                ));
            }
            let bytes = body.await.map_err(|e| match e.as_error::<PayloadError>() {
                Some(PayloadError::Overflow) => ApiError::PayloadTooLarge(MAX_BODY_BYTES),
                _ => ApiError::BadRequest(format!("The body could not be read: {e}.")),
            })?;
            parse_json(&bytes).map(Json)
        })
    }
}

/// Query parameters of type `T`; a bad value is 422 naming the parameter.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let pairs = form_urlencoded::parse(req.query_string().as_bytes());
        if let Some((key, _)) = pairs
            .clone()
            .find(|(k, v)| k.contains('\0') || v.contains('\0'))
        {
            let field = key.replace('\0', "\\u0000");
            return std::future::ready(Err(ApiError::invalid(&field, NUL_RULE, NUL_MESSAGE)));
        }
        let de = serde_urlencoded::Deserializer::new(pairs);
        std::future::ready(
            serde_path_to_error::deserialize(de)
                .map(Query)
                .map_err(|e| {
                    let field = e.path().to_string();
                    let (code, message) = rule_of(&e.into_inner().to_string());
                    let field = if field == "." {
                        message.split('`').nth(1).unwrap_or_default().to_owned()
                    } else {
                        field
                    };
                    ApiError::invalid(&field, code, message)
                }),
        )
    }
}

/// The `If-Match` precondition of an update: `None` when absent or `*`.
#[derive(Debug, Clone, Copy)]
pub struct IfMatch(pub Option<i64>);

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let value = req
            .headers()
            .get(header::IF_MATCH)
            .map(|v| v.to_str().unwrap_or_default().trim());
        std::future::ready(Ok(Self(match value {
            None | Some("*") => None,
            // Longer than the contract's bound: names no version we issued, so 412.
            Some(tags) if tags.len() > crate::response::MAX_IF_MATCH_CHARS => Some(-1),
            // A tag we did not issue (or a weak one: If-Match compares strongly) never matches.
            Some(tags) => Some(
                tags.split(',')
                    .find_map(crate::response::parse_etag)
                    .unwrap_or(-1),
            ),
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nul_escape_is_found_and_an_escaped_backslash_is_not_one() {
        assert!(has_nul_escape(br#"{"a": "x\u0000"}"#));
        assert!(has_nul_escape(br#"{"a": "\\\u0000"}"#));
        assert!(!has_nul_escape(br#"{"a": "\\u0000"}"#));
        assert!(!has_nul_escape(br#"{"a": "\u0001"}"#));
        assert!(!has_nul_escape(br#"{"a": "\u00"#), "a truncated escape");
    }

    #[test]
    fn a_nul_is_reported_at_its_path() {
        let body = br#"{"name": {"en": "ok"}, "lines": [{"d": "ok"}, {"d": "a\u0000"}]}"#;
        let Err(ApiError::Validation(errors)) = parse_json::<serde_json::Value>(body) else {
            panic!("expected a 422");
        };
        assert_eq!(
            (errors[0].field.as_str(), errors[0].code),
            ("lines[1].d", "nul")
        );
        let Err(ApiError::Validation(errors)) =
            parse_json::<serde_json::Value>(br#"{"k\u0000": 1}"#)
        else {
            panic!("expected a 422");
        };
        assert_eq!(errors[0].field, "k\\u0000");
        assert!(parse_json::<serde_json::Value>(br#"{"a": "\\u0000"}"#).is_ok());
    }
}
