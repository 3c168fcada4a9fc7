//! Liveness and readiness probes for load balancers and orchestrators.

use crate::error::ApiError;
use crate::state::State;
use actix_web::get;
use actix_web::web::Json;
use serde::Serialize;
use seriktes_persistence::db;
use utoipa::ToSchema;

/// A probe's answer.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct HealthResponse {
    /// Always `ok` when the answer is 200.
    pub status: &'static str,
}

/// Liveness: the process answers HTTP.
#[utoipa::path(tag = "health", responses((status = 200, description = "The process is alive.", body = HealthResponse)))]
#[get("/health/live")]
pub async fn live() -> Json<HealthResponse> {
    Json(HealthResponse { status: "ok" })
}

/// Readiness: the database answers. 503 when it does not, so a load balancer stops routing here.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "Ready to serve.", body = HealthResponse),
        (status = 503, response = crate::openapi::ServiceUnavailable),
    )
)]
#[get("/health/ready")]
pub async fn ready(state: State) -> Result<Json<HealthResponse>, ApiError> {
    state.read(|conn| Ok(db::ping(conn)?)).await?;
    Ok(Json(HealthResponse { status: "ok" }))
}
