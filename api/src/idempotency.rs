//! The `Idempotency-Key` request header (IETF draft `httpapi-idempotency-key-header`), for every
//! signed-in `POST` outside `/auth`: the middleware fingerprints the request (method, path and
//! query, body), asks `service::idempotency` what to do, and either replays the first answer
//! (with `Idempotent-Replayed: true`) or carries the request out and remembers its answer.
//!
//! An answer below 500 is remembered for 24 hours. After a 5xx the key is given back if the
//! request stored nothing, so a retry carries it out; if it committed (its write transaction
//! marks the key, `AppState::write`), a retry is told that the answer was lost (409) instead of
//! doing it twice.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::MAX_BODY_BYTES;
use crate::service::idempotency::{self as service, Begun, KEY_IN_USE};
use crate::state::State;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{FromRequest, HttpResponse, ResponseError};
use futures_util::StreamExt;
use seriktes_domain::idempotency::valid_key;
use seriktes_persistence::idempotency::Answer;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The request header.
pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
/// Set on a replayed answer.
pub const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
/// The answer headers that are remembered and replayed.
const KEPT_HEADERS: [HeaderName; 3] = [header::CONTENT_TYPE, header::LOCATION, header::ETAG];

/// The middleware; see the module documentation.
pub async fn idempotency(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(key) = key_of(&req) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    // Whoever the token names; without a valid token the route answers 401 itself.
    let (Some(state), Ok(caller)) = (
        req.app_data::<State>().cloned(),
        Caller::extract(req.request()).await,
    ) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let outcome = begin(&mut req, &state, caller, key).await;
    match outcome {
        Err(e) => Ok(req.into_response(e.error_response())),
        Ok((Begun::Replay(answer), _)) => Ok(req.into_response(replay(&answer))),
        Ok((Begun::CarryOut(row), body)) => {
            req.set_payload(Payload::from(body));
            let res = KEY_IN_USE.scope(row.clone(), next.call(req)).await?;
            remember(&state, row, res).await
        }
    }
}

/// The key of a signed-in `POST` outside `/auth`, if it sent one.
fn key_of(req: &ServiceRequest) -> Option<HeaderValue> {
    let applies = req.method() == Method::POST
        && !req.path().starts_with("/api/v1/auth/")
        && req.headers().contains_key(header::AUTHORIZATION);
    applies
        .then(|| req.headers().get(IDEMPOTENCY_KEY).cloned())
        .flatten()
}

/// Reads the body, fingerprints the request and takes the key (or learns what to do instead).
async fn begin(
    req: &mut ServiceRequest,
    state: &State,
    caller: Caller,
    key: HeaderValue,
) -> Result<(Begun, Bytes), ApiError> {
    let key = key
        .to_str()
        .ok()
        .filter(|k| valid_key(k))
        .map(str::to_owned)
        .ok_or_else(|| {
            ApiError::invalid(
                "Idempotency-Key",
                "format",
                "1 to 255 visible ASCII characters",
            )
        })?;
    let body = read_body(req).await?;
    let mut digest = Sha256::new();
    digest.update(req.method().as_str());
    digest.update(b" ");
    digest.update(req.uri().to_string());
    digest.update(b"\n");
    digest.update(&body);
    let fingerprint = crate::auth::refresh::hex(&digest.finalize());
    let (principal, now) = (caller.user.to_string(), state.now());
    let begun = state
        .write(move |tx| service::begin(tx, &principal, &key, &fingerprint, now))
        .await?;
    Ok((begun, body))
}

/// The whole request body, at most [`MAX_BODY_BYTES`].
async fn read_body(req: &mut ServiceRequest) -> Result<Bytes, ApiError> {
    let (_, payload) = req.parts_mut();
    let mut payload = std::mem::replace(payload, Payload::None);
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::BadRequest(e.to_string()))?;
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(ApiError::PayloadTooLarge(MAX_BODY_BYTES));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The first request's answer, again.
fn replay(answer: &Answer) -> HttpResponse {
    let status = u16::try_from(answer.status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let mut res = HttpResponse::build(status);
    let headers: BTreeMap<String, String> =
        serde_json::from_str(&answer.headers).unwrap_or_default();
    for (name, value) in headers {
        res.insert_header((name, value));
    }
    res.insert_header((REPLAYED, HeaderValue::from_static("true")));
    res.body(answer.body.clone())
}

/// Remembers the answer (below 500), or gives the key back (5xx; kept if the request
/// committed), and passes the answer on.
async fn remember(
    state: &State,
    row: String,
    res: ServiceResponse<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let status = res.status();
    if status.is_server_error() {
        // Best effort: when the database is what failed, the key stays taken until its lease
        // ends (`domain::idempotency::LEASE`), and a retry is told to wait.
        let _ = state.write(move |tx| service::release(tx, &row)).await;
        return Ok(res.map_into_boxed_body());
    }
    let (http, response) = res.into_parts();
    let (head, body) = response.into_parts();
    let bytes = actix_web::body::to_bytes(body)
        .await
        .map_err(|e| ApiError::Internal(e.into().to_string().into()))?;
    let headers: BTreeMap<&str, &str> = KEPT_HEADERS
        .iter()
        .filter_map(|h| Some((h.as_str(), head.headers().get(h)?.to_str().ok()?)))
        .collect();
    let answer = Answer {
        status: i32::from(status.as_u16()),
        headers: serde_json::to_string(&headers).unwrap_or_default(),
        body: String::from_utf8_lossy(&bytes).into_owned(),
    };
    state
        .write(move |tx| service::remember(tx, &row, &answer))
        .await?;
    let response = head.set_body(BoxBody::new(bytes));
    Ok(ServiceResponse::new(http, response))
}
