//! The audit log, readable by admins.

mod dto;

pub use dto::{AuditEventResponse, AuditListParams};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::Query;
use crate::response::{PageParams, Paginated};
use crate::service::audit as service;
use crate::state::State;
use actix_web::get;

pub(crate) fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(list_audit_events);
}

/// List audit events (admins), oldest first.
#[utoipa::path(
    tag = "audit",
    security(("bearer" = [])),
    params(PageParams, AuditListParams),
    responses(
        (status = 200, description = "One page of events.", body = Paginated<AuditEventResponse>),
        crate::openapi::AuthErrors,
        (status = 403, response = crate::openapi::Forbidden),
        (status = 422, response = crate::openapi::Unprocessable),
    )
)]
#[get("/audit-events")]
pub async fn list_audit_events(
    state: State,
    caller: Caller,
    page: Query<PageParams>,
    filter: Query<AuditListParams>,
) -> Result<Paginated<AuditEventResponse>, ApiError> {
    let (page, filter) = (page.0.to_request()?, filter.0.checked()?.into());
    let rows = state
        .read_as(&caller, move |conn, actor, _| {
            service::list_events(conn, actor, &filter, &page)
        })
        .await?;
    Paginated::try_from_page(rows, |r| Ok(r.into()))
}
