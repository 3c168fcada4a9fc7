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

/// Parses JSON bytes; syntax errors are 400, shape errors 422 with the field path.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_data() {
            let field = if path == "." { String::new() } else { path };
            let message = strip_position(&inner.to_string());
            let code = if message.starts_with("missing field") {
                "required"
            } else if message.starts_with("unknown field") {
                "unknown_field"
            } else if message.starts_with("unknown variant") {
                "one_of"
            } else {
                "type"
            };
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
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(
            req.query_string().as_bytes(),
        ));
        std::future::ready(
            serde_path_to_error::deserialize(de)
                .map(Query)
                .map_err(|e| {
                    let field = e.path().to_string();
                    let message = e.into_inner().to_string();
                    let field = if field == "." {
                        message.split('`').nth(1).unwrap_or_default().to_owned()
                    } else {
                        field
                    };
                    ApiError::invalid(&field, "type", message)
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
