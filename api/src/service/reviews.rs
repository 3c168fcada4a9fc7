//! Expert review: assignment, declaration of (no) conflict of interest, scoring, submission,
//! recusal and the ranking. Access through `domain::access::review` (a review) and
//! `domain::access::application` (assigning reviewers); rules in `domain::review`.

use crate::error::ApiError;
use crate::service::applications::Applications;
use crate::service::events::{self, Event};
use crate::service::transition::transition;
use chrono::NaiveDateTime;
use seriktes_domain::DomainError;
use seriktes_domain::access::application::{ApplicationRight, application};
use seriktes_domain::access::programme::Circle;
use seriktes_domain::access::review::{ReviewFacts, ReviewRight, ReviewRole, review};
use seriktes_domain::access::{Actor, authorize};
use seriktes_domain::application::Application;
use seriktes_domain::application::{ApplicationAction, ApplicationStatus};
use seriktes_domain::call::CallStatus;
use seriktes_domain::call::{Call as StoredCall, CallCriterion};
use seriktes_domain::ids::{ApplicationId, CallId, ProgrammeId, ReviewId, UserId};
use seriktes_domain::review::Ranked;
use seriktes_domain::review::{
    Criterion, Review, ReviewAction, ReviewStatus, check_review_submission, check_scores,
    check_scoring, rank, weighted_percent,
};
use seriktes_domain::workflow::Workflow;
use seriktes_persistence::applications::{self, ApplicationRow};
use seriktes_persistence::calls;
use seriktes_persistence::db::Tx;
use seriktes_persistence::reviews::{self, ReviewChanges, ReviewFilter};
use seriktes_persistence::{DbConn, Page, PageRequest, memberships, programmes, stored};

/// A review with its call's criteria and the caller's role.
#[derive(Debug)]
pub struct Seen {
    /// The review.
    pub review: Review<NaiveDateTime>,
    /// Its call's criteria.
    pub criteria: Vec<CallCriterion>,
    /// The caller's role.
    pub role: ReviewRole,
}

/// The criteria in the form scoring needs.
pub fn criteria_of(rows: &[CallCriterion]) -> Vec<Criterion<'_>> {
    rows.iter()
        .map(|c| Criterion {
            id: &c.id,
            weight: c.weight,
            max_score: c.max_score,
        })
        .collect()
}

/// A call's programme and its circle.
fn circle_of(conn: &mut DbConn, call: &StoredCall) -> Result<(ProgrammeId, Circle), ApiError> {
    let programme = programmes::find(conn, call.programme)?;
    Ok((programme.id, programme.circle))
}

/// Review events are seen by the managing organisation only: reviews are secret until the
/// call is decided.
fn event(
    kind: &str,
    review: &Review<NaiveDateTime>,
    programme: ProgrammeId,
    circle: &Circle,
    summary: &str,
) -> Event {
    Event::new(format!("review.{kind}"), "review", review.id, summary)
        .seen_by([circle.managing])
        .in_programme(programme)
        .with_payload(
            serde_json::json!({"status": review.status.as_str(), "application_id": review.application.to_string()}),
        )
}

/// A review with what its policy and rules need.
struct Context {
    review: Review<NaiveDateTime>,
    call: StoredCall,
    criteria: Vec<CallCriterion>,
    programme: ProgrammeId,
    circle: Circle,
    role: Option<ReviewRole>,
}

fn call_status(call: &StoredCall, now: NaiveDateTime) -> Result<CallStatus, ApiError> {
    Ok(call.status_at(now))
}

fn load(
    conn: &mut DbConn,
    actor: &Actor,
    id: ReviewId,
    now: NaiveDateTime,
) -> Result<Context, ApiError> {
    let review_row = reviews::find(conn, id)?;
    let app = applications::find(conn, &review_row.application.to_string())?;
    let call = calls::find(
        conn,
        stored::id("applications.call_id", &app.call_id, CallId::parse)?,
    )?;
    let (programme, circle) = circle_of(conn, &call)?;
    let facts = ReviewFacts {
        reviewer: review_row.reviewer,
        circle: circle.clone(),
        call_decided: call_status(&call, now)? == CallStatus::Decided,
    };
    let role = review(actor, &facts);
    authorize(role, ReviewRight::Read)?;
    let criteria = calls::criteria_of(conn, std::slice::from_ref(&call.id))?;
    Ok(Context {
        review: review_row,
        call,
        criteria,
        programme,
        circle,
        role,
    })
}

/// Loads a review the caller works on: their own, in a state where `action` is allowed, of a
/// call not yet decided.
fn load_own(
    conn: &mut DbConn,
    actor: &Actor,
    id: ReviewId,
    action: ReviewAction,
    verb: &'static str,
    now: NaiveDateTime,
) -> Result<Context, ApiError> {
    let ctx = load(conn, actor, id, now)?;
    authorize(ctx.role, ReviewRight::Work)?;
    let status = ctx.review.status;
    if status.next(action).is_err() {
        return Err(DomainError::InvalidTransition {
            entity: "review",
            action: verb,
            from: status.as_str(),
            allowed: status.allowed_actions(),
        }
        .into());
    }
    if call_status(&ctx.call, now)? == CallStatus::Decided {
        return Err(ApiError::conflict(
            "The call is decided; its reviews are final.",
        ));
    }
    Ok(ctx)
}

/// Writes `changes` to the review read in `ctx` (guarded by its version and `if_match`) and
/// records the event `(verb, summary)`: the tail of every change a reviewer makes.
fn save(
    tx: &mut Tx<'_>,
    actor: &Actor,
    ctx: Context,
    changes: &ReviewChanges,
    if_match: Option<i64>,
    now: NaiveDateTime,
    (verb, summary): (&str, &str),
) -> Result<Seen, ApiError> {
    let row = reviews::update(tx, &ctx.review, if_match, changes, now)?;
    events::record(
        tx,
        Some(actor),
        now,
        event(verb, &row, ctx.programme, &ctx.circle, summary),
    )?;
    seen(ctx, row)
}

fn seen(ctx: Context, review: Review<NaiveDateTime>) -> Result<Seen, ApiError> {
    Ok(Seen {
        review,
        criteria: ctx.criteria,
        role: ctx.role.ok_or(ApiError::NotFound)?,
    })
}

/// One review the caller may see.
pub fn get(
    conn: &mut DbConn,
    actor: &Actor,
    id: ReviewId,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let ctx = load(conn, actor, id, now)?;
    let review = ctx.review.clone();
    seen(ctx, review)
}

/// Assigns one committee member to one submitted application (the managing organisation),
/// moving it to `under_review`. Refuses reviewers outside the committee and members of the
/// applicant.
pub fn assign(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: ApplicationId,
    reviewer: UserId,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let ctx = applications::load(tx, id)?;
    authorize(
        application(actor, &ctx.facts),
        ApplicationRight::AssignReviewers,
    )?;
    let app = applications::find(tx, &id.to_string())?;
    let call = calls::find(
        tx,
        stored::id("applications.call_id", &app.call_id, CallId::parse)?,
    )?;
    if !ctx.facts.committee.contains(&reviewer) {
        return Err(ApiError::invalid(
            "reviewer_user_id",
            "not_committee",
            "the reviewer is not on the call's committee",
        ));
    }
    let row = assign_one(tx, actor, &app, &call, reviewer, now)?;
    let criteria = calls::criteria_of(tx, std::slice::from_ref(&call.id))?;
    Ok(Seen {
        review: row,
        criteria,
        role: ReviewRole::Reader,
    })
}

fn assign_one(
    tx: &mut Tx<'_>,
    actor: &Actor,
    app: &ApplicationRow,
    call: &StoredCall,
    reviewer: UserId,
    now: NaiveDateTime,
) -> Result<Review<NaiveDateTime>, ApiError> {
    let reviewer_s = reviewer.to_string();
    if memberships::find(tx, &app.applicant_organization_id, &reviewer_s)?.is_some() {
        return Err(ApiError::invalid(
            "reviewer_user_id",
            "conflict_of_interest",
            "the reviewer belongs to the applicant",
        ));
    }
    let app_id = stored::id("applications.id", &app.id, ApplicationId::parse)?;
    if reviews::exists(tx, app_id, reviewer)? {
        return Err(ApiError::conflict(
            "This reviewer is already assigned to this application.",
        ));
    }
    let status = stored::value("applications.status", &app.status, ApplicationStatus::parse)?;
    match status {
        ApplicationStatus::Submitted => {
            transition::<Applications>(
                tx,
                actor,
                app_id,
                ApplicationAction::BeginReview,
                (),
                None,
                now,
            )?;
        }
        ApplicationStatus::UnderReview => {}
        other => {
            return Err(DomainError::InvalidTransition {
                entity: "application",
                action: "review",
                from: other.as_str(),
                allowed: other.allowed_actions(),
            }
            .into());
        }
    }
    let id = ReviewId::from_uuid(uuid::Uuid::now_v7());
    let row = reviews::insert(tx, id, app_id, reviewer, now)?;
    let (programme, circle) = circle_of(tx, call)?;
    events::record(
        tx,
        Some(actor),
        now,
        event("assign", &row, programme, &circle, "assigned a reviewer"),
    )?;
    Ok(row)
}

/// Whether the caller runs the call's programme; anyone else does not see its reviews' totals.
fn require_manager(
    conn: &mut DbConn,
    actor: &Actor,
    call: &StoredCall,
) -> Result<(ProgrammeId, Circle), ApiError> {
    let (programme, circle) = circle_of(conn, call)?;
    if circle.managed_by(actor) {
        Ok((programme, circle))
    } else {
        Err(ApiError::NotFound)
    }
}

/// Assigns every committee member to every submitted application of a call, skipping members
/// of the applicant; returns (assigned, skipped).
pub fn assign_call(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: CallId,
    now: NaiveDateTime,
) -> Result<(usize, usize), ApiError> {
    let call = calls::find(tx, id)?;
    require_manager(tx, actor, &call)?;
    let committee: Vec<UserId> = calls::committee_of(tx, std::slice::from_ref(&call.id))?
        .into_iter()
        .map(|(_, u)| u)
        .collect();
    let apps = applications::of_call(tx, &call.id.to_string())?;
    let (mut assigned, mut skipped) = (0, 0);
    for app in apps
        .iter()
        .filter(|a| matches!(a.status.as_str(), "submitted" | "under_review"))
    {
        for reviewer in &committee {
            let app_id = stored::id("applications.id", &app.id, ApplicationId::parse)?;
            let reviewer_id = *reviewer;
            if reviews::exists(tx, app_id, reviewer_id)? {
                continue;
            }
            if memberships::find(tx, &app.applicant_organization_id, &reviewer.to_string())?
                .is_some()
            {
                skipped += 1;
                continue;
            }
            let fresh = applications::find(tx, &app.id)?;
            assign_one(tx, actor, &fresh, &call, reviewer_id, now)?;
            assigned += 1;
        }
    }
    Ok((assigned, skipped))
}

/// Filters of [`list`].
#[derive(Debug, Default)]
pub struct ListFilter {
    /// Reviews of applications to this call.
    pub call: Option<CallId>,
    /// Reviews of this application.
    pub application: Option<ApplicationId>,
    /// This status.
    pub status: Option<ReviewStatus>,
}

/// One page of the reviews the caller may see: their own; all of a decided call's for its
/// managers (asked with `call`); all for admins.
pub fn list(
    conn: &mut DbConn,
    actor: &Actor,
    f: &ListFilter,
    page: &PageRequest,
    now: NaiveDateTime,
) -> Result<Page<Seen>, ApiError> {
    let sees_all = match f.call {
        _ if actor.is_admin() => true,
        Some(c) => match calls::find(conn, c) {
            Ok(call) => {
                call_status(&call, now)? == CallStatus::Decided
                    && circle_of(conn, &call)?.1.managed_by(actor)
            }
            Err(_) => false,
        },
        None => false,
    };
    let filter = ReviewFilter {
        reviewer_user_id: (!sees_all).then(|| actor.user_id().to_string()),
        application_id: f.application.map(|a| a.to_string()),
        call_id: f.call.map(|c| c.to_string()),
        status: f.status.map(|s| s.as_str().to_owned()),
        updated_since: None,
    };
    let p = reviews::list(conn, &filter, page)?;
    // Two queries for the whole page: the applications' calls, then their criteria.
    let app_ids: Vec<String> = p.items.iter().map(|r| r.application.to_string()).collect();
    let call_of = applications::call_ids_of(conn, &app_ids)?;
    let call_ids = call_of
        .iter()
        .map(|(_, c)| stored::id("applications.call_id", c, CallId::parse))
        .collect::<Result<Vec<_>, _>>()?;
    let criteria = calls::criteria_of(conn, &call_ids)?;
    let items = p
        .items
        .into_iter()
        .map(|row| {
            let call_id = call_of
                .iter()
                .find(|(a, _)| *a == row.application.to_string())
                .map(|(_, c)| c.as_str());
            let own = criteria
                .iter()
                .filter(|c| Some(c.call.to_string().as_str()) == call_id)
                .cloned()
                .collect();
            let role = if row.reviewer == actor.user_id() {
                ReviewRole::Reviewer
            } else {
                ReviewRole::Reader
            };
            Seen {
                review: row,
                criteria: own,
                role,
            }
        })
        .collect();
    Ok(Page {
        items,
        next_after: p.next_after,
    })
}

/// The reviewer declares positively that they have no conflict of interest with the
/// applicant; scoring and submitting need this first. Declaring again keeps the first time.
pub fn declare_no_conflict(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: ReviewId,
    if_match: Option<i64>,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let ctx = load_own(tx, actor, id, ReviewAction::Submit, "declare", now)?;
    if ctx.review.conflict_declared_at.is_some() {
        let review = ctx.review.clone();
        return seen(ctx, review);
    }
    let changes = ReviewChanges {
        conflict_of_interest: Some(false),
        conflict_declared_at: Some(now),
        ..ReviewChanges::default()
    };
    save(
        tx,
        actor,
        ctx,
        &changes,
        if_match,
        now,
        ("declare", "declared no conflict of interest"),
    )
}

/// Saves scores (after the declaration) and the comment of a review in progress.
pub fn score(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: ReviewId,
    scores: Option<Vec<(String, i32)>>,
    comment: Option<Option<String>>,
    if_match: Option<i64>,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    // Scoring keeps the review `assigned`; it is allowed where submitting is.
    let ctx = load_own(tx, actor, id, ReviewAction::Submit, "score", now)?;
    let mut current = ctx.review.scores.clone();
    if let Some(new) = &scores {
        check_scoring(ctx.review.declared_no_conflict())?;
        current.extend(check_scores(&criteria_of(&ctx.criteria), new)?);
    }
    let changes = ReviewChanges {
        scores: Some(serde_json::to_string(&current).map_err(ApiError::internal)?),
        comment: comment.unwrap_or_else(|| ctx.review.comment.clone()),
        ..ReviewChanges::default()
    };
    save(
        tx,
        actor,
        ctx,
        &changes,
        if_match,
        now,
        ("score", "saved scores"),
    )
}

/// Submits a review: declared no conflict, every criterion scored (each failure named).
pub fn submit(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: ReviewId,
    if_match: Option<i64>,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let ctx = load_own(tx, actor, id, ReviewAction::Submit, "submit", now)?;
    check_review_submission(
        ctx.review.declared_no_conflict(),
        &criteria_of(&ctx.criteria),
        &ctx.review.scores,
    )?;
    let changes = ReviewChanges {
        status: Some(ReviewStatus::Submitted.as_str().to_owned()),
        submitted_at: Some(now),
        ..ReviewChanges::default()
    };
    save(
        tx,
        actor,
        ctx,
        &changes,
        if_match,
        now,
        ("submit", "submitted review"),
    )
}

/// The reviewer declares a conflict of interest and is recused; scores are dropped.
pub fn recuse(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: ReviewId,
    note: Option<String>,
    if_match: Option<i64>,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let ctx = load_own(tx, actor, id, ReviewAction::Recuse, "recuse", now)?;
    let changes = ReviewChanges {
        status: Some(ReviewStatus::Recused.as_str().to_owned()),
        conflict_of_interest: Some(true),
        conflict_note: note,
        conflict_declared_at: Some(now),
        scores: Some("{}".to_owned()),
        ..ReviewChanges::default()
    };
    save(
        tx,
        actor,
        ctx,
        &changes,
        if_match,
        now,
        ("recuse", "declared a conflict of interest"),
    )
}

/// A call's ranking (the managing organisation): applications past submission, best first
/// by the mean weighted score of their submitted reviews whose reviewer declared no conflict.
pub fn ranking(
    conn: &mut DbConn,
    actor: &Actor,
    id: CallId,
) -> Result<Vec<Ranked<Application<NaiveDateTime>>>, ApiError> {
    let call = calls::find(conn, id)?;
    require_manager(conn, actor, &call)?;
    let criteria = calls::criteria_of(conn, std::slice::from_ref(&call.id))?;
    let criteria = criteria_of(&criteria);
    let counted = reviews::counted_of_call(conn, id)?;
    let mut apps: Vec<ApplicationRow> = applications::of_call(conn, &call.id.to_string())?
        .into_iter()
        .filter(|a| {
            matches!(
                a.status.as_str(),
                "submitted" | "under_review" | "awarded" | "rejected"
            )
        })
        .collect();
    apps.sort_by(|a, b| (a.submitted_at, &a.id).cmp(&(b.submitted_at, &b.id)));
    let mut items = Vec::with_capacity(apps.len());
    for app in apps {
        let app = applications::to_domain(app)?;
        let percents = counted
            .iter()
            .filter(|r| r.application == app.id)
            .filter_map(|r| weighted_percent(&criteria, &r.scores))
            .collect();
        items.push((app, percents));
    }
    Ok(rank(items))
}
