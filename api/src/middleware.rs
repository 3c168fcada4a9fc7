//! Cross-cutting HTTP behaviour: request ids, problem+json for every error actix itself
//! produces, and the fallback for unknown routes and methods.

use crate::error::{ApiError, PROBLEM_JSON};
use actix_cors::CorsError;
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
/// refusals) into one, keeping its status and headers. `cors_origins_configured` says whether
/// `SERIKTES_CORS_ORIGINS` lists any origin, so a CORS refusal can say why it happened.
pub fn problem_for_errors<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
    cors_origins_configured: bool,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if is_problem {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let reason = status.canonical_reason().unwrap_or("Error");
    let cors = res
        .response()
        .error()
        .and_then(|e| e.as_error::<CorsError>());
    let body = match cors {
        Some(cors) => {
            let origin = res
                .request()
                .headers()
                .get(header::ORIGIN)
                .and_then(|v| v.to_str().ok());
            serde_json::json!({
                "type": "urn:seriktes:problem:cors-refused",
                "title": "Cross-origin request refused",
                "status": status.as_u16(),
                "detail": cors_refusal(cors, origin, cors_origins_configured),
            })
        }
        None => serde_json::json!({
            "type": format!("urn:seriktes:problem:http-{}", status.as_u16()),
            "title": reason,
            "status": status.as_u16(),
            "detail": reason,
        }),
    }
    .to_string();
    let res = res.map_body(|head, _| {
        head.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        head.headers_mut().remove(header::CONTENT_LENGTH);
        EitherBody::<B, BoxBody>::right(BoxBody::new(body))
    });
    Ok(ErrorHandlerResponse::Response(res))
}

/// Why the CORS layer refused a request, in words an operator or front-end developer can act on.
fn cors_refusal(error: &CorsError, origin: Option<&str>, origins_configured: bool) -> String {
    match error {
        CorsError::OriginNotAllowed if !origins_configured => format!(
            "Cross-origin requests are refused: no origins are configured. List the origins \
             allowed to call this API in SERIKTES_CORS_ORIGINS (comma-separated){}.",
            origin.map_or_else(String::new, |o| format!(", e.g. {o}"))
        ),
        CorsError::OriginNotAllowed => format!(
            "The origin {} is not among the origins allowed to call this API \
             (SERIKTES_CORS_ORIGINS).",
            origin.unwrap_or("of this request")
        ),
        CorsError::MethodNotAllowed => {
            "The method named in Access-Control-Request-Method is not allowed \
             (GET, POST, PUT, PATCH and DELETE are)."
                .to_owned()
        }
        CorsError::HeadersNotAllowed => {
            "A header named in Access-Control-Request-Headers is not allowed (Authorization, \
             Content-Type, If-Match, Accept-Language and X-Request-Id are)."
                .to_owned()
        }
        other => format!("The CORS preflight is malformed: {other}."),
    }
}

/// The methods of every path, read from the contract, for the `Allow` header of a 405: the
/// contract lists every route the API documents, so the header cannot drift from the routes.
#[derive(Debug, Default)]
pub struct AllowedMethods {
    /// Path templates split into segments (`{id}` matches any one segment), with the value of
    /// their `Allow` header.
    paths: Vec<(Vec<String>, String)>,
}

impl AllowedMethods {
    /// The methods of each path of `doc`.
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi) -> Self {
        let paths = doc
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let methods: Vec<&str> = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .into_iter()
                .filter_map(|(m, has)| has.then_some(m))
                .collect();
                (
                    template.split('/').map(str::to_owned).collect(),
                    methods.join(", "),
                )
            })
            .collect();
        Self { paths }
    }

    /// The `Allow` value of `path`. A routed path outside the contract (Swagger UI and the
    /// contract itself) is only read: `GET`.
    pub fn of(&self, path: &str) -> &str {
        let segments: Vec<&str> = path.split('/').collect();
        self.paths
            .iter()
            .find(|(template, _)| {
                template.len() == segments.len()
                    && template.iter().zip(&segments).all(|(t, s)| {
                        t == s || (t.starts_with('{') && t.ends_with('}') && !s.is_empty())
                    })
            })
            .map_or("GET", |(_, allow)| allow.as_str())
    }
}

/// The answer for a request no route took: 405 (with `Allow`) when the path exists with other
/// methods, else 404.
pub async fn fallback(req: HttpRequest) -> HttpResponse {
    let path_exists = req.resource_map().has_resource(req.path());
    if path_exists {
        let allow = req
            .app_data::<actix_web::web::Data<AllowedMethods>>()
            .map_or("GET", |a| a.of(req.path()));
        ApiError::MethodNotAllowed(allow.to_owned())
    } else {
        ApiError::NotFound
    }
    .error_response()
}
