//! Applications: drafting, editing, listing and the transitions (submit, withdraw, reject)
//! through the one [`transition`] use case.

use crate::error::ApiError;
use crate::service::events::{self, Event};
use crate::service::transition::{self, Machine};
use chrono::NaiveDateTime;
use seriktes_domain::access::application::{
    ApplicationFacts, ApplicationRight, ApplicationRole, application, listed,
};
use seriktes_domain::access::{Actor, authorize};
use seriktes_domain::application::{
    Application, ApplicationAction, ApplicationStatus, DraftInput, Submission, check_draft,
    check_submission,
};
use seriktes_domain::call::{Call, CallStatus, check_room_for_application};
use seriktes_domain::ids::{ApplicationId, CallId, OrganizationId, ProgrammeId};
use seriktes_domain::money::Money;
use seriktes_domain::organization::{OrganizationKind, Profile};
use seriktes_domain::{DomainError, FieldError};
use seriktes_persistence::applications::{self as store, ApplicationContext, ListFilter};
use seriktes_persistence::db::Tx;
use seriktes_persistence::{DbConn, Page, PageRequest, calls, organizations, programmes};

/// An application with the caller's role towards it (the response shows what they may do).
pub type Seen = (Application<NaiveDateTime>, ApplicationRole);

/// The event of a change, seen by the applicant, the managing organisation and the funders.
fn event(
    kind: &str,
    ctx_facts: &ApplicationFacts,
    programme: ProgrammeId,
    app: &Application<NaiveDateTime>,
    summary: String,
) -> Event {
    Event::new(
        format!("application.{kind}"),
        "application",
        app.id,
        summary,
    )
    .seen_by(
        [ctx_facts.applicant, ctx_facts.circle.managing]
            .into_iter()
            .chain(ctx_facts.circle.funders.iter().copied()),
    )
    .in_programme(programme)
    .with_payload(
        serde_json::json!({"status": app.status.as_str(), "call_id": app.call.to_string()}),
    )
}

/// Partners must exist; names each unknown one.
fn check_partners(conn: &mut DbConn, input: &DraftInput) -> Result<(), ApiError> {
    let missing = store::missing_organizations(conn, &input.partners)?;
    let errors: Vec<FieldError> = input
        .partners
        .iter()
        .enumerate()
        .filter(|(_, p)| missing.contains(p))
        .map(|(i, _)| {
            FieldError::new(
                format!("partner_organization_ids.{i}"),
                "exists",
                "no organisation has this id",
            )
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Starts a draft to an open call for an applicant the caller owns or manages.
pub fn create(
    tx: &mut Tx<'_>,
    actor: &Actor,
    call: CallId,
    applicant: OrganizationId,
    input: DraftInput,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let row = calls::find(tx, call)?;
    let status = row.status_at(now);
    match status {
        CallStatus::Draft => return Err(ApiError::NotFound),
        CallStatus::Open => {}
        other => {
            return Err(ApiError::conflict(format!(
                "The call is {}; it no longer accepts applications.",
                other.as_str()
            )));
        }
    }
    if !organizations::exists(tx, applicant)? {
        return Err(ApiError::invalid(
            "applicant_organization_id",
            "exists",
            "no organisation has this id",
        ));
    }
    if !(actor.is_admin() || actor.manages(applicant)) {
        return Err(ApiError::Forbidden(
            "Only the applicant's owners and managers may apply for it.".to_owned(),
        ));
    }
    let currency = programmes::currency(tx, row.programme)?;
    let draft = check_draft(input.clone(), currency, applicant)?;
    check_partners(tx, &input)?;
    let so_far = store::count_of_call(tx, call)?;
    check_room_for_application(usize::try_from(so_far).unwrap_or(usize::MAX))?;
    let app = store::create(
        tx,
        &store::NewApplication {
            id: ApplicationId::from_uuid(uuid::Uuid::now_v7()),
            call,
            applicant,
            draft: &draft,
            at: now,
        },
    )?;
    let ctx = store::load(tx, app.id)?;
    let summary = format!("drafted application {}", app.id);
    events::record(
        tx,
        Some(actor),
        now,
        event("create", &ctx.facts, ctx.programme, &app, summary),
    )?;
    let role = application(actor, &ctx.facts).ok_or(ApiError::NotFound)?;
    Ok((app, role))
}

/// One application the caller may see.
pub fn get(conn: &mut DbConn, actor: &Actor, id: ApplicationId) -> Result<Seen, ApiError> {
    let ctx = store::load(conn, id)?;
    let role = authorize(application(actor, &ctx.facts), ApplicationRight::Read)?;
    Ok((ctx.application, role))
}

/// One page of the applications the caller may see.
pub fn list(
    conn: &mut DbConn,
    actor: &Actor,
    filter: &ListFilter,
    page: &PageRequest,
) -> Result<Page<Seen>, ApiError> {
    let p = store::page_for(conn, actor, filter, page)?;
    Ok(Page {
        items: p
            .items
            .into_iter()
            .map(|a| {
                let role = listed(actor, a.applicant);
                (a, role)
            })
            .collect(),
        next_after: p.next_after,
    })
}

/// Edits a draft: `change` replaces some fields of the current input; the result is checked
/// as a whole.
pub fn update(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: ApplicationId,
    change: impl FnOnce(DraftInput) -> DraftInput,
    if_match: Option<i64>,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let ctx = store::load(tx, id)?;
    let role = authorize(application(actor, &ctx.facts), ApplicationRight::Apply)?;
    let current = &ctx.application;
    if current.status != ApplicationStatus::Draft {
        return Err(DomainError::InvalidTransition {
            entity: "application",
            action: "edit",
            from: current.status.as_str(),
            allowed: current.status.allowed_actions(),
        }
        .into());
    }
    let input = change(current.draft.to_input());
    let draft = check_draft(
        input.clone(),
        current.draft.requested.currency(),
        current.applicant,
    )?;
    check_partners(tx, &input)?;
    let app = store::save_draft(tx, current, if_match, &draft, now)?;
    events::record(
        tx,
        Some(actor),
        now,
        event(
            "update",
            &ctx.facts,
            ctx.programme,
            &app,
            "edited draft".to_owned(),
        ),
    )?;
    Ok((app, role))
}

/// An application with what its transitions check.
pub struct Loaded {
    ctx: ApplicationContext,
    call: Call,
    applicant_kind: OrganizationKind,
    applicant_region: Option<String>,
    eligible_kinds: Vec<OrganizationKind>,
    eligible_regions: Vec<String>,
}

impl Loaded {
    /// An application with its call and its applicant's profile, loaded by the caller (for
    /// [`transition::transition_loaded`]).
    pub fn new(ctx: ApplicationContext, call: Call, applicant: &Profile) -> Self {
        Self {
            eligible_kinds: call.eligible_kinds.clone(),
            eligible_regions: call.eligible_regions.clone(),
            applicant_kind: applicant.kind,
            applicant_region: applicant.region.as_ref().map(|r| r.as_str().to_owned()),
            ctx,
            call,
        }
    }
}

/// Applications move by [`transition`]: submit and withdraw (the applicant), reject (the
/// managing organisation, while the call is closed).
pub struct Applications;

impl Machine for Applications {
    type Id = ApplicationId;
    type State = ApplicationStatus;
    type Loaded = Loaded;
    type Output = (Application<NaiveDateTime>, ApplicationFacts);
    type Input = ();

    fn load(tx: &mut Tx<'_>, id: ApplicationId, _now: NaiveDateTime) -> Result<Loaded, ApiError> {
        let ctx = store::load(tx, id)?;
        let call = calls::find(tx, ctx.application.call)?;
        let applicant = organizations::load(tx, ctx.application.applicant)?;
        Ok(Loaded::new(ctx, call, &applicant.organization.profile))
    }

    fn authorize(
        actor: &Actor,
        loaded: &Loaded,
        action: ApplicationAction,
    ) -> Result<(), DomainError> {
        let right = match action {
            ApplicationAction::Reject | ApplicationAction::Award => ApplicationRight::Decide,
            ApplicationAction::BeginReview => ApplicationRight::AssignReviewers,
            ApplicationAction::Submit | ApplicationAction::Withdraw => ApplicationRight::Apply,
        };
        authorize(application(actor, &loaded.ctx.facts), right).map(|_| ())
    }

    fn state(loaded: &Loaded, _now: NaiveDateTime) -> ApplicationStatus {
        loaded.ctx.application.status
    }

    fn check(
        loaded: &Loaded,
        action: ApplicationAction,
        now: NaiveDateTime,
    ) -> Result<(), DomainError> {
        let call = &loaded.call;
        match action {
            ApplicationAction::Submit => {
                let app = &loaded.ctx.application;
                let currency = app.draft.requested.currency();
                let lines: Vec<Money> = app.draft.budget_lines.iter().map(|l| l.amount).collect();
                check_submission(&Submission {
                    now: &now,
                    opens_at: &call.opens_at,
                    closes_at: &call.closes_at,
                    applicant_kind: loaded.applicant_kind,
                    applicant_region: loaded.applicant_region.as_deref(),
                    eligible_kinds: &loaded.eligible_kinds,
                    eligible_regions: &loaded.eligible_regions,
                    regions: &app.draft.regions,
                    requested: app.draft.requested,
                    max_award: Money::from_minor(call.max_award_minor, currency),
                    duration_months: app.draft.duration_months,
                    min_duration_months: call.min_duration_months,
                    max_duration_months: call.max_duration_months,
                    budget_lines: &lines,
                })
            }
            ApplicationAction::Reject => {
                let status = loaded
                    .ctx
                    .call_status
                    .effective(&loaded.ctx.call_closes_at, &now);
                if status == CallStatus::Closed {
                    Ok(())
                } else {
                    Err(DomainError::InvalidTransition {
                        entity: "call",
                        action: "reject applications of",
                        from: status.as_str(),
                        allowed: status.allowed_actions(),
                    })
                }
            }
            _ => Ok(()),
        }
    }

    fn store(
        tx: &mut Tx<'_>,
        loaded: Loaded,
        to: ApplicationStatus,
        _input: (),
        if_match: Option<i64>,
        now: NaiveDateTime,
    ) -> Result<((Application<NaiveDateTime>, ApplicationFacts), Event), ApiError> {
        let ctx = loaded.ctx;
        let submitted_at = (to == ApplicationStatus::Submitted).then_some(now);
        let app = store::move_to(tx, &ctx.application, if_match, to, submitted_at, now)?;
        let kind = match to {
            ApplicationStatus::Submitted => "submit",
            ApplicationStatus::Withdrawn => "withdraw",
            ApplicationStatus::Rejected => "reject",
            ApplicationStatus::UnderReview => "begin_review",
            ApplicationStatus::Awarded => "award",
            ApplicationStatus::Draft => "update",
        };
        let mut facts = ctx.facts;
        facts.submitted = app.submitted_at.is_some();
        let event = event(kind, &facts, ctx.programme, &app, String::new());
        Ok(((app, facts), event))
    }
}

/// Submits, withdraws or rejects an application for the caller.
pub fn act(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: ApplicationId,
    action: ApplicationAction,
    if_match: Option<i64>,
    now: NaiveDateTime,
) -> Result<Seen, ApiError> {
    let (app, facts) =
        transition::transition::<Applications>(tx, actor, id, action, (), if_match, now)?;
    let role = application(actor, &facts).ok_or(ApiError::NotFound)?;
    Ok((app, role))
}
