//! Expert review: assignment, declaration of (no) conflict of interest, scoring, submission,
//! recusal and the ranking. Access through `domain::access::review` (a review) and
//! `domain::access::application` (assigning reviewers); rules in `domain::review`.

use crate::error::ApiError;
use crate::service::applications::{Applications, Loaded};
use crate::service::events::{self, Event};
use crate::service::transition::{transition, transition_loaded};
use chrono::NaiveDateTime;
use seriktes_domain::DomainError;
use seriktes_domain::access::application::{ApplicationFacts, ApplicationRight, application};
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
use seriktes_persistence::applications::{self, ApplicationContext};
use seriktes_persistence::calls;
use seriktes_persistence::db::Tx;
use seriktes_persistence::reviews::{self, ReviewChanges, ReviewFilter};
use seriktes_persistence::{
    DbConn, Page, PageRequest, StoreError, memberships, organizations, programmes,
};
use std::collections::{BTreeMap, HashSet};

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
    /// The call's status now (its deadline applied).
    call_status: CallStatus,
    criteria: Vec<CallCriterion>,
    programme: ProgrammeId,
    circle: Circle,
    role: Option<ReviewRole>,
}

/// Loads a review the caller may read, in two statements: the review joined with its
/// application, call, programme and funders; then (once allowed) the call's criteria.
fn load(
    conn: &mut DbConn,
    actor: &Actor,
    id: ReviewId,
    now: NaiveDateTime,
) -> Result<Context, ApiError> {
    let found = reviews::load(conn, id)?;
    let call_status = found.call_status.effective(&found.call_closes_at, &now);
    let facts = ReviewFacts {
        reviewer: found.review.reviewer,
        circle: found.circle,
        call_decided: call_status == CallStatus::Decided,
    };
    let role = review(actor, &facts);
    authorize(role, ReviewRight::Read)?;
    let criteria = calls::criteria_of(conn, &[found.call])?;
    Ok(Context {
        review: found.review,
        call_status,
        criteria,
        programme: found.programme,
        circle: facts.circle,
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
    if ctx.call_status == CallStatus::Decided {
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
    if !ctx.facts.committee.contains(&reviewer) {
        return Err(ApiError::invalid(
            "reviewer_user_id",
            "not_committee",
            "the reviewer is not on the call's committee",
        ));
    }
    let app = &ctx.application;
    if memberships::exists(tx, app.applicant, reviewer)? {
        return Err(ApiError::invalid(
            "reviewer_user_id",
            "conflict_of_interest",
            "the reviewer belongs to the applicant",
        ));
    }
    if reviews::exists(tx, app.id, reviewer)? {
        return Err(ApiError::conflict(
            "This reviewer is already assigned to this application.",
        ));
    }
    match app.status {
        ApplicationStatus::Submitted => {
            transition::<Applications>(
                tx,
                actor,
                app.id,
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
    let row = insert_assignment(
        tx,
        actor,
        app.id,
        reviewer,
        ctx.programme,
        &ctx.facts.circle,
        now,
    )?;
    let criteria = calls::criteria_of(tx, &[app.call])?;
    Ok(Seen {
        review: row,
        criteria,
        role: ReviewRole::Reader,
    })
}

/// Stores an assignment and records `review.assign`.
fn insert_assignment(
    tx: &mut Tx<'_>,
    actor: &Actor,
    application: ApplicationId,
    reviewer: UserId,
    programme: ProgrammeId,
    circle: &Circle,
    now: NaiveDateTime,
) -> Result<Review<NaiveDateTime>, ApiError> {
    let id = ReviewId::from_uuid(uuid::Uuid::now_v7());
    let row = reviews::insert(tx, id, application, reviewer, now)?;
    events::record(
        tx,
        Some(actor),
        now,
        event("assign", &row, programme, circle, "assigned a reviewer"),
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
///
/// Reads a fixed number of statements whatever the size of the call (the call, its programme
/// and funders, its committee, its applications under review, their reviews, the committee's
/// memberships in the applicants, the applicants to move to review), then writes: each
/// application still `submitted` moves to `under_review` by the one transition use case,
/// followed by its new reviews, in the order of applications then reviewers.
pub fn assign_call(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: CallId,
    now: NaiveDateTime,
) -> Result<(usize, usize), ApiError> {
    let call = calls::find(tx, id)?;
    let (programme, circle) = require_manager(tx, actor, &call)?;
    let committee: Vec<UserId> = calls::committee_of(tx, &[call.id])?
        .into_iter()
        .map(|(_, u)| u)
        .collect();
    let apps = applications::of_call(
        tx,
        call.id,
        &[ApplicationStatus::Submitted, ApplicationStatus::UnderReview],
    )?;
    let assigned_before: HashSet<(ApplicationId, UserId)> = reviews::assigned_in_call(tx, call.id)?
        .into_iter()
        .collect();
    let applicants: Vec<_> = apps.iter().map(|a| a.applicant).collect();
    let members: HashSet<_> = memberships::among(tx, &applicants, &committee)?
        .into_iter()
        .map(|m| (m.organization, m.user))
        .collect();
    let mut skipped = 0;
    let mut plan = Vec::new();
    for app in apps {
        let mut reviewers = Vec::new();
        for reviewer in &committee {
            if assigned_before.contains(&(app.id, *reviewer)) {
                continue;
            }
            if members.contains(&(app.applicant, *reviewer)) {
                skipped += 1;
                continue;
            }
            reviewers.push(*reviewer);
        }
        if !reviewers.is_empty() {
            plan.push((app, reviewers));
        }
    }
    let to_begin: Vec<_> = plan
        .iter()
        .filter(|(a, _)| a.status == ApplicationStatus::Submitted)
        .map(|(a, _)| a.applicant)
        .collect();
    let applicants = if to_begin.is_empty() {
        Vec::new()
    } else {
        organizations::load_many(tx, &to_begin)?
    };
    let mut assigned = 0;
    for (app, reviewers) in plan {
        let app_id = app.id;
        if app.status == ApplicationStatus::Submitted {
            let applicant = applicants
                .iter()
                .find(|o| o.organization.id == app.applicant)
                .ok_or(StoreError::NotFound)?;
            let ctx = ApplicationContext {
                facts: ApplicationFacts {
                    applicant: app.applicant,
                    circle: circle.clone(),
                    committee: committee.clone(),
                    submitted: app.submitted_at.is_some(),
                },
                application: app,
                programme,
                call_status: call.status,
                call_closes_at: call.closes_at,
            };
            transition_loaded::<Applications>(
                tx,
                actor,
                Loaded::new(ctx, call.clone(), &applicant.organization.profile),
                ApplicationAction::BeginReview,
                (),
                None,
                now,
            )?;
        }
        for reviewer in reviewers {
            insert_assignment(tx, actor, app_id, reviewer, programme, &circle, now)?;
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
                call.status_at(now) == CallStatus::Decided
                    && circle_of(conn, &call)?.1.managed_by(actor)
            }
            Err(_) => false,
        },
        None => false,
    };
    let filter = ReviewFilter {
        reviewer: (!sees_all).then(|| actor.user_id()),
        application: f.application,
        call: f.call,
        status: f.status,
    };
    // Two statements for the whole page: the reviews with their calls, then the criteria.
    let p = reviews::list(conn, &filter, page)?;
    let call_ids: Vec<CallId> = p.items.iter().map(|(_, c)| *c).collect();
    let criteria = calls::criteria_of(conn, &call_ids)?;
    let items = p
        .items
        .into_iter()
        .map(|(row, call)| {
            let own = criteria
                .iter()
                .filter(|c| c.call == call)
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
        scores: Some(current),
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
        status: Some(ReviewStatus::Submitted),
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
        status: Some(ReviewStatus::Recused),
        conflict_of_interest: Some(true),
        conflict_note: note,
        conflict_declared_at: Some(now),
        scores: Some(BTreeMap::new()),
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
    let criteria = calls::criteria_of(conn, &[call.id])?;
    let criteria = criteria_of(&criteria);
    let counted = reviews::counted_of_call(conn, id)?;
    let mut apps = applications::of_call(
        conn,
        call.id,
        &[
            ApplicationStatus::Submitted,
            ApplicationStatus::UnderReview,
            ApplicationStatus::Awarded,
            ApplicationStatus::Rejected,
        ],
    )?;
    apps.sort_by_key(|a| (a.submitted_at, a.id));
    let items = apps
        .into_iter()
        .map(|app| {
            let percents = counted
                .iter()
                .filter(|r| r.application == app.id)
                .filter_map(|r| weighted_percent(&criteria, &r.scores))
                .collect();
            (app, percents)
        })
        .collect();
    Ok(rank(items))
}
