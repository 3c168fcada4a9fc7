//! Training attendance toward grant indicators (`seriktes_domain::training`): the facts a
//! meeting's link is checked against, and the attended registrations of a grant's linked
//! meetings, counted in SQL (no personal data leaves this module).

use crate::db::DbConn;
use crate::error::StoreError;
use crate::schema::{grant_indicators, grants, indicators};
use crate::stored;
use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use seriktes_domain::ids::{GrantId, IndicatorId, MeetingId, OrganizationId};
use seriktes_domain::indicator::{Dimension, IndicatorKind};
use seriktes_domain::meeting::TimeZone;
use seriktes_domain::training::{AttendanceGroup, CountsToward, LinkFacts};

/// The grant's grantee and, when the grant carries it, the indicator's kind (two statements).
pub fn link_facts(conn: &mut DbConn, link: CountsToward) -> Result<LinkFacts, StoreError> {
    let grantee: Option<stored::Uuid> = grants::table
        .find(link.grant.to_string())
        .select(grants::grantee_organization_id)
        .first(conn)
        .optional()?;
    let kind: Option<String> = grant_indicators::table
        .inner_join(indicators::table)
        .filter(grant_indicators::grant_id.eq(link.grant.to_string()))
        .filter(grant_indicators::indicator_id.eq(link.indicator.to_string()))
        .select(indicators::kind)
        .first(conn)
        .optional()?;
    Ok(LinkFacts {
        grantee: grantee.map(|u| OrganizationId::from_uuid(u.0)),
        carried: kind
            .map(|k| stored::value("indicators.kind", &k, IndicatorKind::parse))
            .transpose()?,
    })
}

/// The attended registrations of `grant`'s linked meetings that were held (minutes published
/// or not) and start within a day of `[from, to]` in UTC, grouped by indicator, meeting and
/// answers, for indicators the grant still carries and that are counts (one statement). The
/// window is a day wider on each side so that the meeting's own time zone decides
/// ([`seriktes_domain::training::suggest`]).
pub fn attendance(
    conn: &mut DbConn,
    grant: GrantId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<AttendanceGroup>, StoreError> {
    use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        indicator_id: String,
        #[diesel(sql_type = Text)]
        dimensions: String,
        #[diesel(sql_type = Text)]
        meeting_id: String,
        #[diesel(sql_type = Timestamp)]
        starts_at: NaiveDateTime,
        #[diesel(sql_type = Text)]
        time_zone: String,
        #[diesel(sql_type = Nullable<Text>)]
        sex: Option<String>,
        #[diesel(sql_type = Nullable<Text>)]
        age_band: Option<String>,
        #[diesel(sql_type = Nullable<Text>)]
        disability: Option<String>,
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    // The meeting's columns are grouped on with its id (they depend on it) so that the
    // period can be decided by the meeting's own time zone.
    const QUERY: &str = "SELECT m.indicator_id AS indicator_id, i.dimensions AS dimensions, \
         m.id AS meeting_id, m.starts_at AS starts_at, m.time_zone AS time_zone, \
         r.sex AS sex, r.age_band AS age_band, r.disability AS disability, \
         CAST(COUNT(*) AS BIGINT) AS n \
         FROM registrations r \
         JOIN meetings m ON m.id = r.meeting_id \
         JOIN grant_indicators gi ON gi.grant_id = m.grant_id AND gi.indicator_id = m.indicator_id \
         JOIN indicators i ON i.id = m.indicator_id \
         WHERE m.grant_id = $1 AND m.status IN ('held', 'minutes_published') \
         AND r.status = 'confirmed' AND r.attendance = 'attended' AND i.kind = 'count' \
         AND m.starts_at >= $2 AND m.starts_at < $3 \
         GROUP BY m.indicator_id, i.dimensions, m.id, m.starts_at, m.time_zone, \
         r.sex, r.age_band, r.disability \
         ORDER BY m.indicator_id, m.id";
    let day = TimeDelta::days(1);
    let start = (from - day).and_time(chrono::NaiveTime::MIN);
    let end = (to + day + day).and_time(chrono::NaiveTime::MIN);
    let rows: Vec<Row> = diesel::sql_query(QUERY)
        .bind::<Text, _>(grant.to_string())
        .bind::<Timestamp, _>(start)
        .bind::<Timestamp, _>(end)
        .load(conn)?;
    rows.into_iter()
        .map(|r| {
            let names: Vec<String> = stored::json("indicators.dimensions", &r.dimensions)?;
            Ok(AttendanceGroup {
                indicator: stored::id(
                    "meetings.indicator_id",
                    &r.indicator_id,
                    IndicatorId::parse,
                )?,
                dimensions: names
                    .iter()
                    .map(|d| stored::value("indicators.dimensions", d, Dimension::parse))
                    .collect::<Result<_, _>>()?,
                meeting: stored::id("meetings.id", &r.meeting_id, MeetingId::parse)?,
                starts_at: r.starts_at,
                time_zone: stored::value("meetings.time_zone", &r.time_zone, TimeZone::parse)?,
                sex: r.sex,
                age_band: r.age_band,
                disability: r.disability,
                count: r.n,
            })
        })
        .collect()
}
