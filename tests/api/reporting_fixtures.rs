//! Reports written straight into the database, for the slices that read them (attachments,
//! results) while the report form's endpoints are built. The one place that knows the report
//! tables' columns; it is replaced by calls to the form endpoints once they exist.

use crate::helpers::TestApp;
use diesel::prelude::*;
use seriktes_api::clock::Clock;
use seriktes_persistence::schema::reports;

/// Saves report `report` (a requirement of `grant`) in `status`, creating its row when missing.
pub async fn set_report_status(app: &TestApp, report: &str, grant: &str, status: &str) {
    let (report, grant, status) = (report.to_owned(), grant.to_owned(), status.to_owned());
    let now = app.clock.now();
    app.with_db(move |conn| {
        let changed = diesel::update(reports::table.find(&report))
            .set(reports::status.eq(&status))
            .execute(conn)
            .expect("report updated");
        if changed == 0 {
            diesel::insert_into(reports::table)
                .values((
                    reports::id.eq(&report),
                    reports::grant_id.eq(&grant),
                    reports::status.eq(&status),
                    reports::created_at.eq(now),
                    reports::updated_at.eq(now),
                ))
                .execute(conn)
                .expect("report inserted");
        }
    })
    .await;
}
