//! Registrations for meetings: SQL only. Capacity is guarded by the meeting's
//! `registrations_confirmed` counter, raised only by a conditional update in the registering
//! transaction ([`claim_place`]), so that concurrent registrations never exceed the capacity
//! on either backend; `registration_seq` orders arrivals (the waitlist).

use crate::db::DbConn;
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::schema::{meetings, registrations};
use crate::stored;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use seriktes_domain::email::Email;
use seriktes_domain::ids::{MeetingId, OrganizationId, RegistrationId, UserId};
use seriktes_domain::registration::{
    Affiliation, Attendance, Contribution, ContributionKind, Demographics, Registrant,
    Registration, RegistrationStatus,
};

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = registrations)]
struct RegistrationRow {
    id: stored::Uuid,
    meeting_id: stored::Uuid,
    seq: i64,
    name: String,
    email: String,
    organization_id: Option<String>,
    organization_name: Option<String>,
    contribution_kind: Option<String>,
    contribution_text: Option<String>,
    consent_version: String,
    consented_at: NaiveDateTime,
    sex: Option<String>,
    age_band: Option<String>,
    disability: Option<String>,
    status: String,
    attendance: Option<String>,
    user_id: Option<String>,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl RegistrationRow {
    fn into_domain(self) -> Result<Registration, StoreError> {
        let affiliation = match (self.organization_id, self.organization_name) {
            (Some(o), _) => Affiliation::Member(stored::id(
                "registrations.organization_id",
                &o,
                OrganizationId::parse,
            )?),
            (None, Some(n)) => Affiliation::Named(n),
            (None, None) => Affiliation::None,
        };
        let contribution = self
            .contribution_kind
            .map(|k| {
                Ok::<_, StoreError>(Contribution {
                    kind: stored::value(
                        "registrations.contribution_kind",
                        &k,
                        ContributionKind::parse,
                    )?,
                    text: self.contribution_text,
                })
            })
            .transpose()?;
        Ok(Registration {
            id: RegistrationId::from_uuid(self.id.0),
            meeting: MeetingId::from_uuid(self.meeting_id.0),
            registrant: Registrant {
                name: self.name,
                email: stored::value("registrations.email", &self.email, Email::from_stored)?,
                affiliation,
                contribution,
                demographics: Demographics {
                    sex: self.sex,
                    age_band: self.age_band,
                    disability: self.disability,
                },
            },
            user: self
                .user_id
                .as_deref()
                .map(|u| stored::id("registrations.user_id", u, UserId::parse))
                .transpose()?,
            consent_version: self.consent_version,
            consented_at: self.consented_at,
            status: stored::value(
                "registrations.status",
                &self.status,
                RegistrationStatus::parse,
            )?,
            seq: self.seq,
            attendance: self
                .attendance
                .map(|a| stored::value("registrations.attendance", &a, Attendance::parse))
                .transpose()?,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// Takes the next arrival number of a meeting (one statement). On PostgreSQL it also locks the
/// meeting's row until the transaction ends, so registrations for one meeting queue here.
pub fn next_seq(conn: &mut DbConn, meeting: MeetingId) -> Result<i64, StoreError> {
    Ok(diesel::update(meetings::table.find(meeting.to_string()))
        .set(meetings::registration_seq.eq(meetings::registration_seq + 1_i64))
        .returning(meetings::registration_seq)
        .get_result(conn)?)
}

/// Takes a confirmed place if one is left (no capacity: always); `false` when the meeting is
/// full. One conditional statement, so that two transactions never take the last place both.
pub fn claim_place(conn: &mut DbConn, meeting: MeetingId) -> Result<bool, StoreError> {
    let n = diesel::update(
        meetings::table.find(meeting.to_string()).filter(
            meetings::capacity
                .is_null()
                .or(meetings::registrations_confirmed
                    .nullable()
                    .lt(meetings::capacity)),
        ),
    )
    .set(meetings::registrations_confirmed.eq(meetings::registrations_confirmed + 1))
    .execute(conn)?;
    Ok(n == 1)
}

/// Gives a confirmed place back.
pub fn release_place(conn: &mut DbConn, meeting: MeetingId) -> Result<(), StoreError> {
    diesel::update(
        meetings::table
            .find(meeting.to_string())
            .filter(meetings::registrations_confirmed.gt(0)),
    )
    .set(meetings::registrations_confirmed.eq(meetings::registrations_confirmed - 1))
    .execute(conn)?;
    Ok(())
}

/// Whether `email` already holds a registration for the meeting that is not cancelled.
pub fn email_taken(
    conn: &mut DbConn,
    meeting: MeetingId,
    email: &Email,
) -> Result<bool, StoreError> {
    let n: i64 = registrations::table
        .filter(registrations::meeting_id.eq(meeting.to_string()))
        .filter(registrations::email.eq(email.as_str()))
        .filter(registrations::status.ne(RegistrationStatus::Cancelled.as_str()))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Inserts a registration with the hash of its management token (one statement).
pub fn insert(conn: &mut DbConn, r: &Registration, token_hash: &str) -> Result<(), StoreError> {
    use registrations as t;
    let p = &r.registrant;
    let (organization_id, organization_name) = match &p.affiliation {
        Affiliation::None => (None, None),
        Affiliation::Named(n) => (None, Some(n.clone())),
        Affiliation::Member(o) => (Some(o.to_string()), None),
    };
    let d = &p.demographics;
    diesel::insert_into(t::table)
        .values((
            (
                t::id.eq(r.id.to_string()),
                t::meeting_id.eq(r.meeting.to_string()),
                t::seq.eq(r.seq),
                t::name.eq(&p.name),
                t::email.eq(p.email.as_str()),
                t::organization_id.eq(organization_id),
                t::organization_name.eq(organization_name),
                t::contribution_kind.eq(p.contribution.as_ref().map(|c| c.kind.as_str())),
                t::contribution_text.eq(p.contribution.as_ref().and_then(|c| c.text.clone())),
                t::consent_version.eq(&r.consent_version),
                t::consented_at.eq(r.consented_at),
            ),
            (
                t::sex.eq(d.sex.clone()),
                t::age_band.eq(d.age_band.clone()),
                t::disability.eq(d.disability.clone()),
                t::status.eq(r.status.as_str()),
                t::attendance.eq(r.attendance.map(Attendance::as_str)),
                t::token_hash.eq(token_hash),
                t::user_id.eq(r.user.map(|u| u.to_string())),
                t::version.eq(r.version),
                t::created_at.eq(r.created_at),
                t::updated_at.eq(r.updated_at),
            ),
        ))
        .execute(conn)?;
    Ok(())
}

/// One registration with the hash of its token; `NotFound` when there is none.
pub fn find(conn: &mut DbConn, id: RegistrationId) -> Result<(Registration, String), StoreError> {
    let (row, hash): (RegistrationRow, String) = registrations::table
        .find(id.to_string())
        .select((RegistrationRow::as_select(), registrations::token_hash))
        .first(conn)?;
    Ok((row.into_domain()?, hash))
}

/// The first waitlisted registration of a meeting, by arrival.
pub fn first_waitlisted(
    conn: &mut DbConn,
    meeting: MeetingId,
) -> Result<Option<Registration>, StoreError> {
    registrations::table
        .filter(registrations::meeting_id.eq(meeting.to_string()))
        .filter(registrations::status.eq(RegistrationStatus::Waitlisted.as_str()))
        .order(registrations::seq.asc())
        .select(RegistrationRow::as_select())
        .first(conn)
        .optional()?
        .map(RegistrationRow::into_domain)
        .transpose()
}

/// The waitlist places (1 = next) of the waitlisted registrations numbered `seqs` of one
/// meeting, in the order given (one statement, whatever the number: a page of the list asks
/// once, not once per registration).
pub fn waitlist_positions(
    conn: &mut DbConn,
    meeting: MeetingId,
    seqs: &[i64],
) -> Result<Vec<i64>, StoreError> {
    let Some(last) = seqs.iter().copied().max() else {
        return Ok(Vec::new());
    };
    let waiting: Vec<i64> = registrations::table
        .filter(registrations::meeting_id.eq(meeting.to_string()))
        .filter(registrations::status.eq(RegistrationStatus::Waitlisted.as_str()))
        .filter(registrations::seq.le(last))
        .order(registrations::seq.asc())
        .select(registrations::seq)
        .load(conn)?;
    Ok(seqs
        .iter()
        .map(|s| i64::try_from(waiting.partition_point(|w| w <= s)).unwrap_or(i64::MAX))
        .collect())
}

/// Moves a registration to `to` (clearing attendance), if it is still at `current`'s version
/// (and at `expected`, the client's `If-Match`, when given); returns the new version.
pub fn set_status(
    conn: &mut DbConn,
    current: &Registration,
    expected: Option<i64>,
    to: RegistrationStatus,
    now: NaiveDateTime,
) -> Result<i64, StoreError> {
    update_versioned!(
        conn,
        registrations,
        current.id.to_string(),
        current.version,
        expected,
        now,
        registrations::status.eq(to.as_str()),
        registrations::attendance.eq(None::<String>),
    )?;
    Ok(current.version + 1)
}

/// Records attendance, guarded like [`set_status`]; returns the new version.
pub fn set_attendance(
    conn: &mut DbConn,
    current: &Registration,
    expected: Option<i64>,
    attendance: Attendance,
    now: NaiveDateTime,
) -> Result<i64, StoreError> {
    update_versioned!(
        conn,
        registrations,
        current.id.to_string(),
        current.version,
        expected,
        now,
        registrations::attendance.eq(Some(attendance.as_str())),
    )?;
    Ok(current.version + 1)
}

/// Filters of [`list`].
#[derive(Debug, Clone, Copy, Default)]
pub struct RegistrationFilter {
    /// Only this status.
    pub status: Option<RegistrationStatus>,
    /// Only registrations changed at or after.
    pub updated_since: Option<NaiveDateTime>,
}

/// One page of a meeting's registrations, by id (the order they were made).
pub fn list(
    conn: &mut DbConn,
    meeting: MeetingId,
    filter: &RegistrationFilter,
    page: &PageRequest,
) -> Result<Page<Registration>, StoreError> {
    let mut q = registrations::table
        .filter(registrations::meeting_id.eq(meeting.to_string()))
        .select(RegistrationRow::as_select())
        .into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(registrations::id.gt(after.clone()));
    }
    if let Some(s) = filter.status {
        q = q.filter(registrations::status.eq(s.as_str()));
    }
    if let Some(since) = filter.updated_since {
        q = q.filter(registrations::updated_at.ge(since));
    }
    let rows = q
        .order(registrations::id.asc())
        .limit(page.fetch_limit())
        .load(conn)?;
    let page = Page::from_rows(rows, page, |r: &RegistrationRow| r.id.0.to_string());
    let items = page
        .items
        .into_iter()
        .map(RegistrationRow::into_domain)
        .collect::<Result<_, _>>()?;
    Ok(Page {
        items,
        next_after: page.next_after,
    })
}

/// Every registration of a meeting that is not cancelled, by arrival (the CSV export).
pub fn all(conn: &mut DbConn, meeting: MeetingId) -> Result<Vec<Registration>, StoreError> {
    registrations::table
        .filter(registrations::meeting_id.eq(meeting.to_string()))
        .filter(registrations::status.ne(RegistrationStatus::Cancelled.as_str()))
        .order(registrations::seq.asc())
        .select(RegistrationRow::as_select())
        .load(conn)?
        .into_iter()
        .map(RegistrationRow::into_domain)
        .collect()
}

/// One group of a meeting's registrations that are not cancelled, with how many it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    /// Status.
    pub status: RegistrationStatus,
    /// Attendance.
    pub attendance: Option<Attendance>,
    /// Contribution kind.
    pub contribution: Option<ContributionKind>,
    /// Demographic answers.
    pub demographics: Demographics,
    /// How many.
    pub count: i64,
}

/// A meeting's registrations that are not cancelled, counted in SQL per status, attendance,
/// contribution kind and demographic answers (no personal data leaves this function).
pub fn tally(conn: &mut DbConn, meeting: MeetingId) -> Result<Vec<Tally>, StoreError> {
    use registrations as t;
    type Group = (
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        i64,
    );
    let rows: Vec<Group> = t::table
        .filter(t::meeting_id.eq(meeting.to_string()))
        .filter(t::status.ne(RegistrationStatus::Cancelled.as_str()))
        .group_by((
            t::status,
            t::attendance,
            t::contribution_kind,
            t::sex,
            t::age_band,
            t::disability,
        ))
        .select((
            t::status,
            t::attendance,
            t::contribution_kind,
            t::sex,
            t::age_band,
            t::disability,
            diesel::dsl::count_star(),
        ))
        .load(conn)?;
    rows.into_iter()
        .map(
            |(status, attendance, kind, sex, age_band, disability, count)| {
                Ok(Tally {
                    status: stored::value(
                        "registrations.status",
                        &status,
                        RegistrationStatus::parse,
                    )?,
                    attendance: attendance
                        .map(|a| stored::value("registrations.attendance", &a, Attendance::parse))
                        .transpose()?,
                    contribution: kind
                        .map(|k| {
                            stored::value(
                                "registrations.contribution_kind",
                                &k,
                                ContributionKind::parse,
                            )
                        })
                        .transpose()?,
                    demographics: Demographics {
                        sex,
                        age_band,
                        disability,
                    },
                    count,
                })
            },
        )
        .collect()
}
