//! The SQL fragments lists filter by: which rows a caller may see.
//!
//! Each fragment states in SQL the same rule as the matching `domain::access` policy, so that a
//! list shows exactly the rows whose single GET the policy lets through:
//! - [`programmes`] is [`seriktes_domain::access::programme::programme`] returning `Some`:
//!   admins see every programme; others see a programme that is not a draft, or one whose
//!   managing organisation or a funder they belong to (its circle).
//! - [`calls`] is [`seriktes_domain::access::call::call`] returning `Some`: anonymous callers
//!   see open (before `closes_at`) and decided calls; admins see every call; others see the
//!   calls of programmes whose circle they belong to, and the non-draft calls of non-draft
//!   programmes.
//! - [`grants`] is [`seriktes_domain::access::grant::grant`] returning `Some`: admins see every
//!   grant; others the grants whose grantee or mentor they belong to, and the grants of
//!   programmes whose managing organisation or a funder they belong to.
//! - [`applications`] is [`seriktes_domain::access::application::application`] returning
//!   `Some`: admins see every application; others their organisations' own, and, once
//!   submitted, those of calls whose programme an organisation they own or manage runs or
//!   funds, or whose committee they sit on.
//!
//! `tests/api/visibility.rs` (programmes, calls), `tests/api/grants.rs` (grants) and
//! `tests/api/applications.rs` (applications) check, on both backends, that for callers in every relation and
//! objects in every status the ids a list returns are exactly those whose GET answers 200.
//! Change a policy and its fragment together. This module holds no other logic.

use crate::db::DbConn;
use crate::schema::{
    applications, call_committee, calls, grants, memberships, programme_funders, programmes,
};
use chrono::NaiveDateTime;
use diesel::dsl;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use seriktes_domain::access::Actor;
use seriktes_domain::ids::UserId;

/// The backend the boxed fragments are built for.
type Db = <DbConn as Connection>::Backend;

/// A boolean SQL condition over the rows of `T`.
pub type Condition<T> = Box<dyn BoxableExpression<T, Db, SqlType = Bool>>;

/// The organisations the actor belongs to (any role), as stored ids.
fn my_organizations(actor: &Actor) -> Vec<String> {
    actor
        .memberships()
        .iter()
        .map(|(o, _)| o.to_string())
        .collect()
}

/// Programmes whose circle (managing organisation or a funder) includes one of `orgs`.
fn involving(orgs: &[String]) -> Condition<programmes::table> {
    let funded = programme_funders::table
        .filter(programme_funders::organization_id.eq_any(orgs.to_vec()))
        .select(programme_funders::programme_id);
    Box::new(
        programmes::managing_organization_id
            .eq_any(orgs.to_vec())
            .or(programmes::id.eq_any(funded)),
    )
}

/// The programmes the actor may see; `None` when they see them all (admins).
pub fn programmes(actor: &Actor) -> Option<Condition<programmes::table>> {
    if actor.is_admin() {
        return None;
    }
    let orgs = my_organizations(actor);
    Some(Box::new(
        programmes::status.ne("draft").or(involving(&orgs)),
    ))
}

/// The calls the caller (`None`: anonymous) may see at `now`; `None` when they see them all
/// (admins).
pub fn calls(actor: Option<&Actor>, now: NaiveDateTime) -> Option<Condition<calls::table>> {
    let Some(actor) = actor else {
        return Some(Box::new(
            calls::status
                .eq("decided")
                .or(calls::status.eq("open").and(calls::closes_at.gt(now))),
        ));
    };
    if actor.is_admin() {
        return None;
    }
    let orgs = my_organizations(actor);
    // The circle test of `involving`, spelled out: a boxed condition cannot sit in a subquery.
    let run_by_mine = programmes::table
        .filter(programmes::managing_organization_id.eq_any(orgs.clone()))
        .select(programmes::id);
    let funded_by_mine = programme_funders::table
        .filter(programme_funders::organization_id.eq_any(orgs))
        .select(programme_funders::programme_id);
    let published = programmes::table
        .filter(programmes::status.ne("draft"))
        .select(programmes::id);
    Some(Box::new(
        calls::programme_id
            .eq_any(run_by_mine)
            .or(calls::programme_id.eq_any(funded_by_mine))
            .or(calls::status
                .ne("draft")
                .and(calls::programme_id.eq_any(published))),
    ))
}

/// The rows a grant list reads: grants joined to their programme.
pub type GrantSource = diesel::dsl::InnerJoinQuerySource<grants::table, programmes::table>;

/// The organisations a user belongs to (any role), as a subquery on `memberships`.
type OrganizationsOf = dsl::Select<
    dsl::Filter<memberships::table, dsl::Eq<memberships::user_id, String>>,
    memberships::organization_id,
>;

fn organizations_of(user: UserId) -> OrganizationsOf {
    memberships::table
        .filter(memberships::user_id.eq(user.to_string()))
        .select(memberships::organization_id)
}

/// [`grants`] of a user who is not an admin, as a static expression: the organisations come
/// from a subquery on `memberships` (the rows the actor was loaded from in the same request),
/// so a query using it has one SQL text that PostgreSQL prepares once per connection, where a
/// boxed query has its SQL rebuilt on every call.
pub type GrantsOf = dsl::Or<
    dsl::Or<
        dsl::Or<
            dsl::EqAny<grants::grantee_organization_id, OrganizationsOf>,
            dsl::EqAny<dsl::AssumeNotNull<grants::mentor_organization_id>, OrganizationsOf>,
        >,
        dsl::EqAny<programmes::managing_organization_id, OrganizationsOf>,
    >,
    dsl::EqAny<
        grants::programme_id,
        dsl::Select<
            dsl::Filter<
                programme_funders::table,
                dsl::EqAny<programme_funders::organization_id, OrganizationsOf>,
            >,
            programme_funders::programme_id,
        >,
    >,
>;

/// The grants `user` may see when they are not an admin; see [`grants`].
pub fn grants_of(user: UserId) -> GrantsOf {
    let funded = programme_funders::table
        .filter(programme_funders::organization_id.eq_any(organizations_of(user)))
        .select(programme_funders::programme_id);
    grants::grantee_organization_id
        .eq_any(organizations_of(user))
        // A grant without a mentor compares NULL here, which the other branches decide.
        .or(grants::mentor_organization_id
            .assume_not_null()
            .eq_any(organizations_of(user)))
        .or(programmes::managing_organization_id.eq_any(organizations_of(user)))
        .or(grants::programme_id.eq_any(funded))
}

/// The grants the actor may see; `None` when they see them all (admins).
pub fn grants(actor: &Actor) -> Option<Condition<GrantSource>> {
    if actor.is_admin() {
        return None;
    }
    Some(Box::new(grants_of(actor.user_id())))
}

/// The applications the actor may see; `None` when they see them all (admins).
pub fn applications(actor: &Actor) -> Option<Condition<applications::table>> {
    if actor.is_admin() {
        return None;
    }
    let orgs = my_organizations(actor);
    let managed: Vec<String> = actor
        .memberships()
        .iter()
        .filter(|(_, role)| role.can_edit_organization())
        .map(|(o, _)| o.to_string())
        .collect();
    let run_programmes = programmes::table
        .filter(programmes::managing_organization_id.eq_any(managed.clone()))
        .select(programmes::id);
    let funded_programmes = programme_funders::table
        .filter(programme_funders::organization_id.eq_any(managed))
        .select(programme_funders::programme_id);
    let managed_calls = calls::table
        .filter(
            calls::programme_id
                .eq_any(run_programmes)
                .or(calls::programme_id.eq_any(funded_programmes)),
        )
        .select(calls::id);
    let committee_calls = call_committee::table
        .filter(call_committee::user_id.eq(actor.user_id().to_string()))
        .select(call_committee::call_id);
    Some(Box::new(
        applications::applicant_organization_id
            .eq_any(orgs)
            .or(applications::submitted_at.is_not_null().and(
                applications::call_id
                    .eq_any(managed_calls)
                    .or(applications::call_id.eq_any(committee_calls)),
            )),
    ))
}
