//! A meeting's minutes: one `meeting_minutes` row per meeting, its decisions and summary as
//! multilingual JSON text and, once published, the attendance summary as a JSON object. SQL
//! only.

use crate::db::DbConn;
use crate::error::StoreError;
use crate::schema::{meeting_minutes, meeting_participants, organizations};
use crate::stored;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use seriktes_domain::ids::MeetingId;
use seriktes_domain::meeting::ParticipantRole;
use seriktes_domain::minutes::{Attendance, Minutes, MinutesText, RegistrantGroup};
use seriktes_domain::organization::OrganizationKind;
use seriktes_domain::registration::{self, RegistrationStatus};
use seriktes_domain::text::LocalizedText;

#[derive(Queryable, Selectable)]
#[diesel(table_name = meeting_minutes)]
struct MinutesRow {
    meeting_id: stored::Uuid,
    decisions: String,
    summary: Option<String>,
    attendance: Option<String>,
    published_at: Option<NaiveDateTime>,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

fn decisions_json(t: &MinutesText) -> String {
    let list: Vec<_> = t
        .decisions
        .iter()
        .map(LocalizedText::translations)
        .collect();
    stored::to_json(&list)
}

/// A meeting's minutes, if written (one statement).
pub fn find(conn: &mut DbConn, meeting: MeetingId) -> Result<Option<Minutes>, StoreError> {
    let row: Option<MinutesRow> = meeting_minutes::table
        .find(meeting.to_string())
        .select(MinutesRow::as_select())
        .first(conn)
        .optional()?;
    row.map(|r| {
        let decisions: Vec<LocalizedText> =
            stored::json("meeting_minutes.decisions", &r.decisions)?;
        Ok(Minutes {
            meeting: MeetingId::from_uuid(r.meeting_id.0),
            text: MinutesText {
                decisions,
                summary: r
                    .summary
                    .map(|s| stored::text("meeting_minutes.summary", &s))
                    .transpose()?,
            },
            attendance: r
                .attendance
                .map(|a| stored::json::<Attendance>("meeting_minutes.attendance", &a))
                .transpose()?,
            published_at: r.published_at,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    })
    .transpose()
}

/// Writes the draft: inserts it when `current` is `None` (a client's `If-Match` then names no
/// version: 412), else updates it guarded by its version (one statement).
pub fn write(
    conn: &mut DbConn,
    meeting: MeetingId,
    current: Option<&Minutes>,
    expected: Option<i64>,
    text: &MinutesText,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    use meeting_minutes as t;
    let summary = text
        .summary
        .as_ref()
        .map(|s| stored::to_json(s.translations()));
    match current {
        None if expected.is_some() => Err(StoreError::VersionMismatch),
        None => {
            diesel::insert_into(t::table)
                .values((
                    t::meeting_id.eq(meeting.to_string()),
                    t::decisions.eq(decisions_json(text)),
                    t::summary.eq(summary),
                    t::attendance.eq(None::<String>),
                    t::published_at.eq(None::<NaiveDateTime>),
                    t::version.eq(1_i64),
                    t::created_at.eq(now),
                    t::updated_at.eq(now),
                ))
                .execute(conn)?;
            Ok(())
        }
        Some(m) => update_versioned!(
            conn,
            meeting_minutes,
            meeting.to_string(),
            m.version,
            expected,
            now,
            t::decisions.eq(decisions_json(text)),
            t::summary.eq(summary),
        ),
    }
}

/// Publishes the minutes with their attendance summary, guarded like [`write`].
pub fn publish(
    conn: &mut DbConn,
    current: &Minutes,
    expected: Option<i64>,
    attendance: &Attendance,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    use meeting_minutes as t;
    update_versioned!(
        conn,
        meeting_minutes,
        current.meeting.to_string(),
        current.version,
        expected,
        now,
        t::attendance.eq(Some(stored::to_json(attendance))),
        t::published_at.eq(Some(now)),
    )
}

/// The invited participant organisations of a meeting, each with its organisation kind and
/// its role (one statement).
pub fn participants(
    conn: &mut DbConn,
    meeting: MeetingId,
) -> Result<Vec<(OrganizationKind, ParticipantRole)>, StoreError> {
    let rows: Vec<(String, String)> = meeting_participants::table
        .inner_join(
            organizations::table.on(organizations::id.eq(meeting_participants::organization_id)),
        )
        .filter(meeting_participants::meeting_id.eq(meeting.to_string()))
        .select((organizations::kind, meeting_participants::role))
        .load(conn)?;
    rows.into_iter()
        .map(|(kind, role)| {
            Ok((
                stored::value("organizations.kind", &kind, OrganizationKind::parse)?,
                stored::value("meeting_participants.role", &role, ParticipantRole::parse)?,
            ))
        })
        .collect()
}

/// A meeting's confirmed registrations counted per attendance mark and per kind of the listed
/// organisation they registered for (one statement; no personal data leaves it).
pub fn registrants(
    conn: &mut DbConn,
    meeting: MeetingId,
) -> Result<Vec<RegistrantGroup>, StoreError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Nullable<Text>)]
        attendance: Option<String>,
        #[diesel(sql_type = Nullable<Text>)]
        kind: Option<String>,
        #[diesel(sql_type = BigInt)]
        count: i64,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT r.attendance, o.kind, CAST(COUNT(*) AS BIGINT) AS count \
         FROM registrations r LEFT JOIN organizations o ON o.id = r.organization_id \
         WHERE r.meeting_id = $1 AND r.status = $2 GROUP BY r.attendance, o.kind",
    )
    .bind::<Text, _>(meeting.to_string())
    .bind::<Text, _>(RegistrationStatus::Confirmed.as_str())
    .load(conn)?;
    rows.into_iter()
        .map(
            |Row {
                 attendance,
                 kind,
                 count,
             }| {
                Ok(RegistrantGroup {
                    attendance: attendance
                        .map(|a| {
                            stored::value(
                                "registrations.attendance",
                                &a,
                                registration::Attendance::parse,
                            )
                        })
                        .transpose()?,
                    organization_kind: kind
                        .map(|k| stored::value("organizations.kind", &k, OrganizationKind::parse))
                        .transpose()?,
                    count,
                })
            },
        )
        .collect()
}
