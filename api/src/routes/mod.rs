//! HTTP handlers, one module per resource, mounted by [`configure`].

pub mod action_items;
pub mod applications;
pub mod attachments;
pub mod audit_events;
pub mod auth;
pub mod calls;
pub mod disbursements;
pub mod grants;
pub mod health;
pub mod indicators;
pub mod me;
pub mod meeting_series;
pub mod meetings;
pub mod members;
pub mod minutes;
pub mod networks;
pub mod organizations;
pub mod programmes;
pub mod recommendations;
pub mod registrations;
pub mod reports;
pub mod requirements;
pub mod results;
pub mod reviews;
pub mod users;

use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

/// Mounts every documented route.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(health::live).service(health::ready).service(
        scope("/api/v1")
            .configure(auth::configure)
            .configure(me::configure)
            .configure(users::configure)
            .configure(organizations::configure)
            .configure(members::configure)
            .configure(programmes::configure)
            .configure(calls::configure)
            .configure(applications::configure)
            .configure(reviews::configure)
            .configure(grants::configure)
            .configure(disbursements::configure)
            .configure(indicators::configure)
            .configure(requirements::configure)
            .configure(reports::configure)
            .configure(networks::configure)
            .configure(action_items::configure)
            .configure(attachments::configure)
            .configure(results::configure)
            .configure(minutes::configure)
            .configure(recommendations::configure)
            .configure(meetings::configure)
            .configure(meeting_series::configure)
            .configure(registrations::configure)
            .service(grants::list_public_grants)
            .configure(audit_events::configure),
    );
}
