//! Cross-cutting HTTP behaviour: request ids, problem+json for every error actix itself
//! produces, and the fallback for unknown routes and methods.

use crate::error::{ApiError, PROBLEM_JSON};
use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::{ErrorHandlerResponse, Next};
use actix_web::{HttpRequest, HttpResponse, ResponseError};

/// The request-id header: echoed when the client sends a sane one, generated otherwise.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

fn acceptable_request_id(v: &HeaderValue) -> Option<HeaderValue> {
    let s = v.to_str().ok()?;
    let ok = !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    ok.then(|| v.clone())
}

/// Sets `X-Request-Id` on the request (for the access log) and on the response.
pub async fn request_id(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(acceptable_request_id)
        .or_else(|| HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()).ok());
    if let Some(id) = &id {
        req.headers_mut().insert(REQUEST_ID, id.clone());
    }
    let mut res = next.call(req).await?;
    if let Some(id) = id {
        res.headers_mut().insert(REQUEST_ID, id);
    }
    Ok(res)
}

/// Turns any error response that is not already problem+json (actix's own 404/405/400, CORS
/// refusals) into one, keeping its status and headers.
pub fn problem_for_errors<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if is_problem {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let body = serde_json::json!({
        "type": format!("urn:seriktes:problem:http-{}", status.as_u16()),
        "title": status.canonical_reason().unwrap_or("Error"),
        "status": status.as_u16(),
        "detail": status.canonical_reason().unwrap_or("Error"),
    })
    .to_string();
    let res = res.map_body(|head, _| {
        head.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        head.headers_mut().remove(header::CONTENT_LENGTH);
        EitherBody::<B, BoxBody>::right(BoxBody::new(body))
    });
    Ok(ErrorHandlerResponse::Response(res))
}

/// The answer for a request no route took: 405 when the path exists with other methods, else 404.
pub async fn fallback(req: HttpRequest) -> HttpResponse {
    let path_exists = req.resource_map().has_resource(req.path());
    if path_exists {
        ApiError::MethodNotAllowed
    } else {
        ApiError::NotFound
    }
    .error_response()
}
