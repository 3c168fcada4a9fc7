//! Reports: one per reporting requirement, sharing its id; the row exists once someone has
//! saved the report (until then the requirement's report is `due`).

use crate::db::DbConn;
use crate::error::StoreError;
use crate::schema::{reporting_requirements, reports};
use crate::stored;
use diesel::prelude::*;
use seriktes_domain::ids::{GrantId, RequirementId};
use seriktes_domain::report::ReportStatus;

/// A requirement's grant and its report's status (`None`: no report saved yet), in one
/// statement; `NotFound` when there is no such requirement.
pub fn requirement_report(
    conn: &mut DbConn,
    requirement: RequirementId,
) -> Result<(GrantId, Option<ReportStatus>), StoreError> {
    let (grant, status): (stored::Uuid, Option<String>) = reporting_requirements::table
        .left_join(reports::table)
        .filter(reporting_requirements::id.eq(requirement.to_string()))
        .select((reporting_requirements::grant_id, reports::status.nullable()))
        .first(conn)?;
    let status = status
        .map(|s| stored::value("reports.status", &s, ReportStatus::parse))
        .transpose()?;
    Ok((GrantId::from_uuid(grant.0), status))
}
