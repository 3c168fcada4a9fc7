//! Recommendations of meetings: the `recommendations` row, its proposers and links (own tables),
//! its history of changes and its endorsements. Lists and statistics filter in SQL by the rule
//! of [`seriktes_domain::access::recommendation::recommendation`]; counts are `GROUP BY`s.

use crate::db::DbConn;
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::schema::{
    grants, indicators, meeting_organizers, meeting_participants, meetings, organizations,
    recommendation_changes, recommendation_endorsements, recommendation_grants,
    recommendation_indicators, recommendation_proposers, recommendations,
};
use crate::stored;
use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use seriktes_domain::access::Actor;
use seriktes_domain::ids::{
    GrantId, IndicatorId, MeetingId, OrganizationId, RecommendationChangeId, RecommendationId,
    UserId,
};
use seriktes_domain::meeting::{OnlineUrl, Visibility};
use seriktes_domain::recommendation::{
    Change, Links, Recommendation, RecommendationInput, RecommendationStatus,
};
use seriktes_domain::text::LocalizedText;

#[derive(Queryable, Selectable)]
#[diesel(table_name = recommendations)]
struct RecommendationRow {
    id: String,
    meeting_id: stored::Uuid,
    text: String,
    addressee_organization_id: stored::Uuid,
    theme: String,
    status: String,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// Inserts a recommendation with its proposers and links (up to four statements).
pub fn insert(conn: &mut DbConn, r: &Recommendation) -> Result<(), StoreError> {
    use recommendations as t;
    let f = &r.fields;
    diesel::insert_into(t::table)
        .values((
            t::id.eq(r.id.to_string()),
            t::meeting_id.eq(r.meeting.to_string()),
            t::text.eq(stored::to_json(f.text.translations())),
            t::addressee_organization_id.eq(f.addressee.to_string()),
            t::theme.eq(&f.theme),
            t::status.eq(r.status.as_str()),
            t::version.eq(r.version),
            t::created_at.eq(r.created_at),
            t::updated_at.eq(r.updated_at),
        ))
        .execute(conn)?;
    let key = r.id.to_string();
    let proposers: Vec<_> = f
        .proposers
        .iter()
        .zip(0_i32..)
        .map(|(o, i)| {
            (
                recommendation_proposers::recommendation_id.eq(key.clone()),
                recommendation_proposers::organization_id.eq(o.to_string()),
                recommendation_proposers::position.eq(i),
            )
        })
        .collect();
    insert_many!(conn, recommendation_proposers::table, proposers);
    insert_links(conn, &key, &f.links)
}

fn insert_links(conn: &mut DbConn, key: &str, links: &Links) -> Result<(), StoreError> {
    let grant_rows: Vec<_> = links
        .grants
        .iter()
        .zip(0_i32..)
        .map(|(g, i)| {
            (
                recommendation_grants::recommendation_id.eq(key.to_owned()),
                recommendation_grants::grant_id.eq(g.to_string()),
                recommendation_grants::position.eq(i),
            )
        })
        .collect();
    insert_many!(conn, recommendation_grants::table, grant_rows);
    let indicator_rows: Vec<_> = links
        .indicators
        .iter()
        .zip(0_i32..)
        .map(|(x, i)| {
            (
                recommendation_indicators::recommendation_id.eq(key.to_owned()),
                recommendation_indicators::indicator_id.eq(x.to_string()),
                recommendation_indicators::position.eq(i),
            )
        })
        .collect();
    insert_many!(conn, recommendation_indicators::table, indicator_rows);
    Ok(())
}

/// Replaces a recommendation's links if it is still at `current`'s version (and at
/// `expected`, the client's `If-Match`); bumps the version.
pub fn replace_links(
    conn: &mut DbConn,
    current: &Recommendation,
    expected: Option<i64>,
    links: &Links,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    let key = current.id.to_string();
    update_versioned!(
        conn,
        recommendations,
        key.clone(),
        current.version,
        expected,
        now,
        recommendations::id.eq(key.clone()),
    )?;
    diesel::delete(
        recommendation_grants::table.filter(recommendation_grants::recommendation_id.eq(&key)),
    )
    .execute(conn)?;
    diesel::delete(
        recommendation_indicators::table
            .filter(recommendation_indicators::recommendation_id.eq(&key)),
    )
    .execute(conn)?;
    insert_links(conn, &key, links)
}

/// Moves a recommendation to `to`, guarded like [`replace_links`].
pub fn set_status(
    conn: &mut DbConn,
    current: &Recommendation,
    expected: Option<i64>,
    to: RecommendationStatus,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    update_versioned!(
        conn,
        recommendations,
        current.id.to_string(),
        current.version,
        expected,
        now,
        recommendations::status.eq(to.as_str()),
    )
}

/// One recommendation, whole; `NotFound` when there is none.
pub fn find(conn: &mut DbConn, id: RecommendationId) -> Result<Recommendation, StoreError> {
    let row: RecommendationRow = recommendations::table
        .find(id.to_string())
        .select(RecommendationRow::as_select())
        .first(conn)?;
    assemble(conn, vec![row])?.pop().ok_or(StoreError::NotFound)
}

/// How many recommendations a meeting has (one statement).
pub fn count_of_meeting(conn: &mut DbConn, meeting: MeetingId) -> Result<i64, StoreError> {
    Ok(recommendations::table
        .filter(recommendations::meeting_id.eq(meeting.to_string()))
        .count()
        .get_result(conn)?)
}

/// The ids among `ids` that are recommendations of `meeting` (one statement).
pub fn of_meeting_among(
    conn: &mut DbConn,
    meeting: MeetingId,
    ids: &[RecommendationId],
) -> Result<Vec<RecommendationId>, StoreError> {
    let raw: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let rows: Vec<stored::Uuid> = recommendations::table
        .filter(recommendations::meeting_id.eq(meeting.to_string()))
        .filter(recommendations::id.eq_any(raw))
        .select(recommendations::id)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|u| RecommendationId::from_uuid(u.0))
        .collect())
}

/// Every recommendation of a meeting, oldest first, without endorsement counts: id, text and
/// status (one statement; a meeting has at most 500).
pub fn summary_of_meeting(
    conn: &mut DbConn,
    meeting: MeetingId,
) -> Result<Vec<(RecommendationId, LocalizedText, RecommendationStatus)>, StoreError> {
    let rows: Vec<(stored::Uuid, String, String)> = recommendations::table
        .filter(recommendations::meeting_id.eq(meeting.to_string()))
        .order(recommendations::id.asc())
        .select((
            recommendations::id,
            recommendations::text,
            recommendations::status,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, text, status)| {
            Ok((
                RecommendationId::from_uuid(id.0),
                stored::text("recommendations.text", &text)?,
                stored::value(
                    "recommendations.status",
                    &status,
                    RecommendationStatus::parse,
                )?,
            ))
        })
        .collect()
}

/// The grants among `ids` that exist (one statement).
pub fn existing_grants(conn: &mut DbConn, ids: &[GrantId]) -> Result<Vec<GrantId>, StoreError> {
    let raw: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let rows: Vec<stored::Uuid> = grants::table
        .filter(grants::id.eq_any(raw))
        .select(grants::id)
        .load(conn)?;
    Ok(rows.into_iter().map(|u| GrantId::from_uuid(u.0)).collect())
}

/// The indicators among `ids` that exist (one statement).
pub fn existing_indicators(
    conn: &mut DbConn,
    ids: &[IndicatorId],
) -> Result<Vec<IndicatorId>, StoreError> {
    let raw: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let rows: Vec<stored::Uuid> = indicators::table
        .filter(indicators::id.eq_any(raw))
        .select(indicators::id)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|u| IndicatorId::from_uuid(u.0))
        .collect())
}

/// Filters of [`list`] and [`statistics`].
#[derive(Debug, Clone, Default)]
pub struct RecommendationFilter {
    /// Only those of this meeting.
    pub meeting: Option<MeetingId>,
    /// Only those addressed to this organisation.
    pub addressee: Option<OrganizationId>,
    /// Only those in this status.
    pub status: Option<RecommendationStatus>,
    /// Only those changed at or after.
    pub updated_since: Option<NaiveDateTime>,
}

type Db = <DbConn as Connection>::Backend;
/// A boolean SQL condition over recommendations.
type Condition = Box<dyn BoxableExpression<recommendations::table, Db, SqlType = Bool>>;

/// The filters and the visibility rule as one condition: anonymous callers see the
/// recommendations of public meetings; admins all; others those of public meetings, of
/// meetings an organisation they belong to organises or takes part in, and those addressed to
/// an organisation they belong to.
fn condition(viewer: Option<&Actor>, filter: &RecommendationFilter) -> Condition {
    let mut c: Condition = Box::new(recommendations::id.is_not_null());
    if let Some(m) = filter.meeting {
        c = Box::new(c.and(recommendations::meeting_id.eq(m.to_string())));
    }
    if let Some(o) = filter.addressee {
        c = Box::new(c.and(recommendations::addressee_organization_id.eq(o.to_string())));
    }
    if let Some(s) = filter.status {
        c = Box::new(c.and(recommendations::status.eq(s.as_str())));
    }
    if let Some(since) = filter.updated_since {
        c = Box::new(c.and(recommendations::updated_at.ge(since)));
    }
    let public = meetings::table
        .filter(meetings::visibility.eq(Visibility::Public.as_str()))
        .select(meetings::id);
    match viewer {
        None => Box::new(c.and(recommendations::meeting_id.eq_any(public))),
        Some(a) if a.is_admin() => c,
        Some(a) => {
            let mine: Vec<String> = a.memberships().iter().map(|(o, _)| o.to_string()).collect();
            let organised = meeting_organizers::table
                .filter(meeting_organizers::organization_id.eq_any(mine.clone()))
                .select(meeting_organizers::meeting_id);
            let invited = meeting_participants::table
                .filter(meeting_participants::organization_id.eq_any(mine.clone()))
                .select(meeting_participants::meeting_id);
            Box::new(
                c.and(
                    recommendations::meeting_id
                        .eq_any(public)
                        .or(recommendations::meeting_id.eq_any(organised))
                        .or(recommendations::meeting_id.eq_any(invited))
                        .or(recommendations::addressee_organization_id.eq_any(mine)),
                ),
            )
        }
    }
}

/// One page of the recommendations the caller (`None`: anonymous) may see, by id.
pub fn list(
    conn: &mut DbConn,
    viewer: Option<&Actor>,
    filter: &RecommendationFilter,
    page: &PageRequest,
) -> Result<Page<Recommendation>, StoreError> {
    let mut q = recommendations::table
        .filter(condition(viewer, filter))
        .into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(recommendations::id.gt(after.clone()));
    }
    let rows: Vec<RecommendationRow> = q
        .select(RecommendationRow::as_select())
        .order(recommendations::id.asc())
        .limit(page.fetch_limit())
        .load(conn)?;
    let page = Page::from_rows(rows, page, |r| r.id.clone());
    Ok(Page {
        items: assemble(conn, page.items)?,
        next_after: page.next_after,
    })
}

/// How many recommendations the caller may see there are in each status, under `filter`
/// (one `GROUP BY` statement).
pub fn statistics(
    conn: &mut DbConn,
    viewer: Option<&Actor>,
    filter: &RecommendationFilter,
) -> Result<Vec<(RecommendationStatus, i64)>, StoreError> {
    let rows: Vec<(String, i64)> = recommendations::table
        .filter(condition(viewer, filter))
        .group_by(recommendations::status)
        .select((recommendations::status, count_star()))
        .load(conn)?;
    rows.into_iter()
        .map(|(s, n)| {
            Ok((
                stored::value("recommendations.status", &s, RecommendationStatus::parse)?,
                n,
            ))
        })
        .collect()
}

/// Recommendations from rows with their proposers, links and endorsement counts (four
/// statements).
fn assemble(
    conn: &mut DbConn,
    rows: Vec<RecommendationRow>,
) -> Result<Vec<Recommendation>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let proposers: Vec<(String, stored::Uuid)> = recommendation_proposers::table
        .filter(recommendation_proposers::recommendation_id.eq_any(ids.clone()))
        .order((
            recommendation_proposers::recommendation_id.asc(),
            recommendation_proposers::position.asc(),
        ))
        .select((
            recommendation_proposers::recommendation_id,
            recommendation_proposers::organization_id,
        ))
        .load(conn)?;
    let grant_links: Vec<(String, stored::Uuid)> = recommendation_grants::table
        .filter(recommendation_grants::recommendation_id.eq_any(ids.clone()))
        .order((
            recommendation_grants::recommendation_id.asc(),
            recommendation_grants::position.asc(),
        ))
        .select((
            recommendation_grants::recommendation_id,
            recommendation_grants::grant_id,
        ))
        .load(conn)?;
    let indicator_links: Vec<(String, stored::Uuid)> = recommendation_indicators::table
        .filter(recommendation_indicators::recommendation_id.eq_any(ids.clone()))
        .order((
            recommendation_indicators::recommendation_id.asc(),
            recommendation_indicators::position.asc(),
        ))
        .select((
            recommendation_indicators::recommendation_id,
            recommendation_indicators::indicator_id,
        ))
        .load(conn)?;
    let counts: Vec<(String, i64)> = recommendation_endorsements::table
        .filter(recommendation_endorsements::recommendation_id.eq_any(ids))
        .filter(recommendation_endorsements::withdrawn_at.is_null())
        .group_by(recommendation_endorsements::recommendation_id)
        .select((recommendation_endorsements::recommendation_id, count_star()))
        .load(conn)?;
    let of = |list: &[(String, stored::Uuid)], id: &str| -> Vec<uuid::Uuid> {
        list.iter()
            .filter(|(r, _)| r == id)
            .map(|(_, x)| x.0)
            .collect()
    };
    rows.into_iter()
        .map(|r| {
            let endorsements = counts
                .iter()
                .find(|(id, _)| *id == r.id)
                .map_or(0, |(_, n)| *n);
            Ok(Recommendation {
                id: stored::id("recommendations.id", &r.id, RecommendationId::parse)?,
                meeting: MeetingId::from_uuid(r.meeting_id.0),
                fields: RecommendationInput {
                    text: stored::text("recommendations.text", &r.text)?,
                    proposers: of(&proposers, &r.id)
                        .into_iter()
                        .map(OrganizationId::from_uuid)
                        .collect(),
                    addressee: OrganizationId::from_uuid(r.addressee_organization_id.0),
                    theme: r.theme,
                    links: Links {
                        grants: of(&grant_links, &r.id)
                            .into_iter()
                            .map(GrantId::from_uuid)
                            .collect(),
                        indicators: of(&indicator_links, &r.id)
                            .into_iter()
                            .map(IndicatorId::from_uuid)
                            .collect(),
                    },
                },
                status: stored::value(
                    "recommendations.status",
                    &r.status,
                    RecommendationStatus::parse,
                )?,
                endorsements,
                version: r.version,
                created_at: r.created_at,
                updated_at: r.updated_at,
            })
        })
        .collect()
}

/// Records a change of status (one statement).
pub fn insert_change(conn: &mut DbConn, c: &Change) -> Result<(), StoreError> {
    use recommendation_changes as t;
    diesel::insert_into(t::table)
        .values((
            t::id.eq(c.id.to_string()),
            t::recommendation_id.eq(c.recommendation.to_string()),
            t::from_status.eq(c.from.as_str()),
            t::to_status.eq(c.to.as_str()),
            t::on_date.eq(c.on),
            t::note.eq(&c.note),
            t::evidence_url.eq(c.evidence_url.as_ref().map(|u| u.as_str().to_owned())),
            t::author_user_id.eq(c.author.to_string()),
            t::acting_organization_id.eq(c.acting_organization.map(|o| o.to_string())),
            t::at.eq(c.at),
        ))
        .execute(conn)?;
    Ok(())
}

type ChangeRow = (
    String,
    String,
    String,
    chrono::NaiveDate,
    String,
    Option<String>,
    stored::Uuid,
    Option<String>,
    NaiveDateTime,
);

/// One page of a recommendation's changes, oldest first (one statement).
pub fn changes(
    conn: &mut DbConn,
    id: RecommendationId,
    since: Option<NaiveDateTime>,
    page: &PageRequest,
) -> Result<Page<Change>, StoreError> {
    use recommendation_changes as t;
    let mut q = t::table
        .filter(t::recommendation_id.eq(id.to_string()))
        .into_boxed();
    if let Some(since) = since {
        q = q.filter(t::at.ge(since));
    }
    if let Some(after) = &page.after {
        q = q.filter(t::id.gt(after.clone()));
    }
    let rows: Vec<ChangeRow> = q
        .order(t::id.asc())
        .limit(page.fetch_limit())
        .select((
            t::id,
            t::from_status,
            t::to_status,
            t::on_date,
            t::note,
            t::evidence_url,
            t::author_user_id,
            t::acting_organization_id,
            t::at,
        ))
        .load(conn)?;
    let page = Page::from_rows(rows, page, |r| r.0.clone());
    let status = |raw: &str| {
        stored::value(
            "recommendation_changes.status",
            raw,
            RecommendationStatus::parse,
        )
    };
    let items = page
        .items
        .into_iter()
        .map(|(cid, from, to, on, note, evidence, author, acting, at)| {
            Ok(Change {
                id: stored::id(
                    "recommendation_changes.id",
                    &cid,
                    RecommendationChangeId::parse,
                )?,
                recommendation: id,
                from: status(&from)?,
                to: status(&to)?,
                on,
                note,
                evidence_url: evidence
                    .map(|u| {
                        stored::value("recommendation_changes.evidence_url", &u, OnlineUrl::parse)
                    })
                    .transpose()?,
                author: UserId::from_uuid(author.0),
                acting_organization: acting
                    .map(|o| {
                        stored::id(
                            "recommendation_changes.acting_organization_id",
                            &o,
                            OrganizationId::parse,
                        )
                    })
                    .transpose()?,
                at,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Page {
        items,
        next_after: page.next_after,
    })
}

/// An endorsement as listed: the organisation, its name, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endorsement {
    /// The endorsing organisation.
    pub organization: OrganizationId,
    /// Its name.
    pub name: LocalizedText,
    /// When it endorsed.
    pub endorsed_at: NaiveDateTime,
    /// When it withdrew (listed only to a caller syncing with `updated_since`).
    pub withdrawn_at: Option<NaiveDateTime>,
    /// When it last changed (endorsed or withdrawn).
    pub updated_at: NaiveDateTime,
}

/// Whether `organization` endorses the recommendation (one statement).
pub fn endorses(
    conn: &mut DbConn,
    id: RecommendationId,
    organization: OrganizationId,
) -> Result<bool, StoreError> {
    Ok(diesel::select(diesel::dsl::exists(
        recommendation_endorsements::table
            .filter(recommendation_endorsements::recommendation_id.eq(id.to_string()))
            .filter(recommendation_endorsements::organization_id.eq(organization.to_string()))
            .filter(recommendation_endorsements::withdrawn_at.is_null()),
    ))
    .get_result(conn)?)
}

/// Records an endorsement keyed `key` (a UUIDv7, so the list runs in endorsement order; one
/// statement); a second one of the same organisation is refused by the unique key
/// (`Duplicate`), also when two requests race.
pub fn endorse(
    conn: &mut DbConn,
    key: uuid::Uuid,
    id: RecommendationId,
    organization: OrganizationId,
    user: UserId,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    use recommendation_endorsements as t;
    diesel::insert_into(t::table)
        .values((
            t::id.eq(key.to_string()),
            t::recommendation_id.eq(id.to_string()),
            t::organization_id.eq(organization.to_string()),
            t::user_id.eq(user.to_string()),
            t::endorsed_at.eq(now),
            t::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Withdraws a standing endorsement (stamped, kept for syncing clients); whether there was
/// one (one statement).
pub fn withdraw(
    conn: &mut DbConn,
    id: RecommendationId,
    organization: OrganizationId,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    use recommendation_endorsements as t;
    let n = diesel::update(
        t::table
            .filter(t::recommendation_id.eq(id.to_string()))
            .filter(t::organization_id.eq(organization.to_string()))
            .filter(t::withdrawn_at.is_null()),
    )
    .set((t::withdrawn_at.eq(Some(now)), t::updated_at.eq(now)))
    .execute(conn)?;
    Ok(n > 0)
}

/// One page of a recommendation's endorsements, in the order they were made (one statement):
/// the standing ones; with `updated_since`, every endorsement made or withdrawn since then.
pub fn endorsements(
    conn: &mut DbConn,
    id: RecommendationId,
    updated_since: Option<NaiveDateTime>,
    page: &PageRequest,
) -> Result<Page<Endorsement>, StoreError> {
    use recommendation_endorsements as t;
    let mut q = t::table
        .inner_join(organizations::table)
        .filter(t::recommendation_id.eq(id.to_string()))
        .into_boxed();
    q = match updated_since {
        Some(since) => q.filter(t::updated_at.ge(since)),
        None => q.filter(t::withdrawn_at.is_null()),
    };
    if let Some(after) = &page.after {
        q = q.filter(t::id.gt(after.clone()));
    }
    type Row = (
        String,
        stored::Uuid,
        String,
        NaiveDateTime,
        Option<NaiveDateTime>,
        NaiveDateTime,
    );
    let rows: Vec<Row> = q
        .order(t::id.asc())
        .limit(page.fetch_limit())
        .select((
            t::id,
            t::organization_id,
            organizations::name,
            t::endorsed_at,
            t::withdrawn_at,
            t::updated_at,
        ))
        .load(conn)?;
    let page = Page::from_rows(rows, page, |r| r.0.clone());
    let items = page
        .items
        .into_iter()
        .map(|(_, org, name, at, withdrawn_at, updated_at)| {
            Ok(Endorsement {
                organization: OrganizationId::from_uuid(org.0),
                name: stored::text("organizations.name", &name)?,
                endorsed_at: at,
                withdrawn_at,
                updated_at,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Page {
        items,
        next_after: page.next_after,
    })
}
