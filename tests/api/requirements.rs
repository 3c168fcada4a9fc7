//! Reporting schedules and requirements, on both backends: an award generates the grant's
//! requirements from the call's schedule or else the programme's (exact periods and due dates),
//! an amendment of the period plans them again, the programme's managers add ad-hoc ones, move
//! due dates and waive, overdue follows the app's clock, and nobody outside the grant sees any.

use crate::applications::{Scene, application, ngo, submitted};
use crate::both_backends;
use crate::calls::{call_body, draft_call};
use crate::helpers::{Resp, TestApp};
use crate::programmes::{cast, programme_body};
use awc::http::Method;
use serde_json::{Value, json};

/// An active programme whose reporting schedule is `programme` (the default when `None`), and
/// a call of it stating `call` as its own (none when `None`), closed with the scene NGO's
/// application and `others` more under review. Returns the scene and the application ids.
pub(crate) async fn closed_call(
    app: &TestApp,
    programme: Option<Value>,
    call: Option<Value>,
    others: usize,
) -> (Scene, Vec<String>) {
    let c = cast(app).await;
    let mut body = programme_body(&c);
    if let Some(r) = programme {
        body["reporting"] = r;
    }
    let r = app
        .post("/api/v1/programmes", Some(&c.manager), &body)
        .await
        .expect(201);
    let programme = r.body["id"].as_str().unwrap().to_owned();
    let activate = format!("/api/v1/programmes/{programme}/activate");
    app.post(&activate, Some(&c.manager), &json!({}))
        .await
        .expect(200);
    let (expert_id, expert) = app.user(&c.admin, "expert@example.org").await;
    let mut body = call_body(&[&expert_id]);
    if let Some(r) = call {
        body["reporting"] = r;
    }
    let call = draft_call(app, &c, &programme, &body).await;
    let call_path = format!("/api/v1/calls/{call}");
    app.post(
        &format!("{call_path}/publish"),
        Some(&c.manager),
        &json!({}),
    )
    .await
    .expect(200);
    let ngo = ngo(app, &c.admin, "Shymkent Legal Aid", "ngo", "KZ-79").await;
    let (mid, ngo_manager) = app.user(&c.admin, "director@legalaid.kz").await;
    app.add_member(&c.admin, &ngo, &mid, "manager").await;
    let s = Scene {
        c,
        programme,
        call,
        ngo,
        ngo_manager,
        expert: expert.clone(),
        experts: vec![expert],
    };
    let first = app
        .post(
            &format!("{call_path}/applications"),
            Some(&s.ngo_manager),
            &application(&s.ngo, "3846.00", &["3846.00"]),
        )
        .await
        .expect(201);
    let first = first.body["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/applications/{first}/submit"),
        Some(&s.ngo_manager),
        &json!({}),
    )
    .await
    .expect(200);
    let mut apps = vec![first];
    for i in 0..others {
        apps.push(
            submitted(app, &s, &format!("NGO {i:02}"), "3846.00")
                .await
                .0,
        );
    }
    for step in ["close", "assign-reviews"] {
        app.post(
            &format!("{call_path}/{step}"),
            Some(&s.c.manager),
            &json!({}),
        )
        .await
        .expect(200);
    }
    (s, apps)
}

/// Awards `application` from `starts_on` (12 months); returns the grant's id.
pub(crate) async fn award(app: &TestApp, s: &Scene, application: &str, starts_on: &str) -> String {
    let g = app
        .post(
            &format!("/api/v1/applications/{application}/award"),
            Some(&s.c.manager),
            &json!({"starts_on": starts_on}),
        )
        .await
        .expect(201);
    g.body["id"].as_str().unwrap().to_owned()
}

/// Every requirement of a grant the list shows with `query` (one page of 200).
pub(crate) async fn listed(app: &TestApp, token: &str, grant: &str, query: &str) -> Vec<Value> {
    let path = format!("/api/v1/grants/{grant}/reporting-requirements?limit=200{query}");
    let page = app.get(&path, Some(token)).await.expect(200);
    assert_eq!(page.body["next_cursor"], Value::Null);
    page.body["data"].as_array().unwrap().clone()
}

/// `(kind, period_start, period_end, due_on)` of each requirement.
fn periods(items: &[Value]) -> Vec<(String, String, String, String)> {
    items
        .iter()
        .map(|r| {
            let text = |k: &str| r[k].as_str().unwrap().to_owned();
            (
                text("kind"),
                text("period_start"),
                text("period_end"),
                text("due_on"),
            )
        })
        .collect()
}

fn period(kind: &str, start: &str, end: &str, due: &str) -> (String, String, String, String) {
    (kind.into(), start.into(), end.into(), due.into())
}

fn id_of(r: &Value) -> String {
    r["id"].as_str().unwrap().to_owned()
}

/// The requirement with this kind and period end.
fn find<'a>(items: &'a [Value], kind: &str, period_end: &str) -> &'a Value {
    items
        .iter()
        .find(|r| r["kind"] == kind && r["period_end"] == period_end)
        .unwrap_or_else(|| panic!("no {kind} requirement ending {period_end} in {items:?}"))
}

/// POST with `If-Match`.
async fn post_if_match(app: &TestApp, path: &str, token: &str, etag: &str, body: &Value) -> Resp {
    let req = app
        .client
        .request(Method::POST, format!("{}{path}", app.address))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("If-Match", etag));
    let mut res = req.send_json(body).await.expect("request sent");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let raw = res.body().await.expect("body").to_vec();
    Resp {
        status,
        headers,
        body: serde_json::from_slice(&raw).unwrap_or(Value::Null),
        raw,
    }
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(f, c)| ((*f).to_owned(), (*c).to_owned()))
        .collect()
}

/// Sets the app's clock to `at` (RFC 3339) and signs the programme's manager in again (tokens
/// are checked against the app's clock).
async fn clock_at(app: &TestApp, at: &str) -> String {
    let at = chrono::DateTime::parse_from_rfc3339(at)
        .unwrap()
        .naive_utc();
    app.clock.set(at);
    app.token("manager@foundation.kz").await
}

both_backends! {
    async fn an_award_generates_four_quarterly_requirements_and_a_final_report(app) {
        // No schedule given: the programme gets the default, quarterly, a final report, 30 days.
        let (s, apps) = closed_call(&app, None, None, 0).await;
        let p = app.get(&format!("/api/v1/programmes/{}", s.programme), Some(&s.c.manager)).await.expect(200);
        assert_eq!(p.body["reporting"], json!({"frequency": "quarterly", "final_report": true, "due_days": 30}));
        let c = app.get(&format!("/api/v1/calls/{}", s.call), Some(&s.c.manager)).await.expect(200);
        assert_eq!(c.body["reporting"], Value::Null);

        let g = award(&app, &s, &apps[0], "2026-04-01").await;
        let all = listed(&app, &s.c.manager, &g, "").await;
        let mut got = periods(&all);
        // The last quarter and the final report are both due 2027-04-30; the list orders them by id.
        got[3..].sort();
        assert_eq!(got, [
            period("periodic", "2026-04-01", "2026-06-30", "2026-07-30"),
            period("periodic", "2026-07-01", "2026-09-30", "2026-10-30"),
            period("periodic", "2026-10-01", "2026-12-31", "2027-01-30"),
            period("final", "2026-04-01", "2027-03-31", "2027-04-30"),
            period("periodic", "2027-01-01", "2027-03-31", "2027-04-30"),
        ]);
        let keys: Vec<(String, String)> = all.iter().map(|r| (r["due_on"].as_str().unwrap().to_owned(), id_of(r))).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "by due date, then id: {keys:?}");
        for r in &all {
            assert_eq!(r["grant_id"], g.as_str());
            assert_eq!(r["status"], "open");
            assert_eq!(r["title"], Value::Null);
            assert_eq!(r["moves"], json!([]));
            assert_eq!(r["allowed_actions"], json!(["reschedule", "waive"]));
        }

        // Pages of two follow the same order to the end.
        let mut paged = Vec::new();
        let mut path = format!("/api/v1/grants/{g}/reporting-requirements?limit=2");
        loop {
            let page = app.get(&path, Some(&s.c.manager)).await.expect(200);
            paged.extend(page.body["data"].as_array().unwrap().iter().map(id_of));
            match page.body["next_cursor"].as_str() {
                Some(c) => path = format!("/api/v1/grants/{g}/reporting-requirements?limit=2&cursor={c}"),
                None => break,
            }
        }
        assert_eq!(paged, all.iter().map(id_of).collect::<Vec<_>>());
        let r = app.get(&format!("/api/v1/grants/{g}/reporting-requirements?cursor=djE6eA"), Some(&s.c.manager)).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("cursor", "format")]));

        // The grantee reads them, and may do nothing to them; one reads like its list item.
        let theirs = listed(&app, &s.ngo_manager, &g, "").await;
        assert!(theirs.iter().all(|r| r["allowed_actions"] == json!([])));
        let one = app.get(&format!("/api/v1/reporting-requirements/{}", id_of(&all[0])), Some(&s.ngo_manager)).await.expect(200);
        assert_eq!(one.header("etag"), Some("\"1\""));
        assert_eq!(one.body, theirs[0]);

        // The award's event names the requirements generated.
        let events = app.get(&format!("/api/v1/audit-events?entity_type=grant&entity_id={g}"), Some(&s.c.admin)).await.expect(200);
        let awarded = &events.body["data"][0];
        assert_eq!(awarded["action"], "grant.award");
        assert!(awarded["summary"].as_str().unwrap().contains("5 reporting requirements"), "{awarded}");
    }

    async fn a_calls_schedule_overrides_the_programmes(app) {
        let semiannual = json!({"frequency": "semiannual", "final_report": false, "due_days": 60});
        let (s, apps) = closed_call(&app, None, Some(semiannual.clone()), 0).await;
        let c = app.get(&format!("/api/v1/calls/{}", s.call), Some(&s.c.manager)).await.expect(200);
        assert_eq!(c.body["reporting"], semiannual);
        let g = award(&app, &s, &apps[0], "2026-04-01").await;
        assert_eq!(periods(&listed(&app, &s.c.manager, &g, "").await), [
            period("periodic", "2026-04-01", "2026-09-30", "2026-11-29"),
            period("periodic", "2026-10-01", "2027-03-31", "2027-05-30"),
        ]);
    }

    async fn a_programme_without_periodic_or_final_reports_generates_none(app) {
        let none = json!({"frequency": "none", "final_report": false, "due_days": 0});
        let (s, apps) = closed_call(&app, Some(none.clone()), None, 2).await;
        let programme = format!("/api/v1/programmes/{}", s.programme);
        assert_eq!(app.get(&programme, Some(&s.c.manager)).await.expect(200).body["reporting"], none);
        let g = award(&app, &s, &apps[0], "2026-04-01").await;
        assert_eq!(listed(&app, &s.c.manager, &g, "").await, Vec::<Value>::new());

        // The schedule is read at each award: a final report only, then annual ones.
        app.patch(&programme, Some(&s.c.manager), &json!({"reporting": {"frequency": "none", "final_report": true, "due_days": 10}})).await.expect(200);
        let g = award(&app, &s, &apps[1], "2026-04-01").await;
        assert_eq!(periods(&listed(&app, &s.c.manager, &g, "").await), [period("final", "2026-04-01", "2027-03-31", "2027-04-10")]);
        app.patch(&programme, Some(&s.c.manager), &json!({"reporting": {"frequency": "annual", "final_report": false, "due_days": 180}})).await.expect(200);
        let g = award(&app, &s, &apps[2], "2026-02-28").await;
        assert_eq!(periods(&listed(&app, &s.c.manager, &g, "").await), [period("periodic", "2026-02-28", "2027-02-27", "2027-08-26")]);
    }

    async fn reporting_schedules_are_checked_and_changed_like_the_rest(app) {
        let c = cast(&app).await;
        let mut body = programme_body(&c);
        body["reporting"] = json!({"frequency": "quarterly", "final_report": true, "due_days": 181});
        let r = app.post("/api/v1/programmes", Some(&c.manager), &body).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("reporting.due_days", "range")]));
        body["reporting"] = json!({"frequency": "monthly", "final_report": true, "due_days": 30});
        let r = app.post("/api/v1/programmes", Some(&c.manager), &body).await.expect_problem(422);
        assert_eq!(r.field_errors()[0].0, "reporting.frequency");
        body["reporting"] = json!({"frequency": "annual", "final_report": false, "due_days": 0});
        let r = app.post("/api/v1/programmes", Some(&c.manager), &body).await.expect(201);
        assert_eq!(r.body["reporting"], body["reporting"]);
        let path = format!("/api/v1/programmes/{}", r.body["id"].as_str().unwrap());

        // PATCH honours If-Match as for every other field.
        let change = json!({"reporting": {"frequency": "semiannual", "final_report": true, "due_days": 45}});
        app.patch_if_match(&path, &c.manager, "\"0\"", &change).await.expect_problem(412);
        let r = app.patch_if_match(&path, &c.manager, "\"1\"", &change).await.expect(200);
        assert_eq!(r.body["reporting"], change["reporting"]);
        assert_eq!(r.header("etag"), Some("\"2\""));
        let r = app.patch(&path, Some(&c.manager), &json!({"reporting": {"frequency": "annual", "final_report": true, "due_days": -1}})).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("reporting.due_days", "range")]));

        // A draft call states its own schedule, or none (`null`: the programme's).
        let programme = path.rsplit('/').next().unwrap().to_owned();
        let mut call = call_body(&[]);
        call["reporting"] = json!({"frequency": "quarterly", "final_report": false, "due_days": 15});
        let id = draft_call(&app, &c, &programme, &call).await;
        let call_path = format!("/api/v1/calls/{id}");
        assert_eq!(app.get(&call_path, Some(&c.manager)).await.expect(200).body["reporting"], call["reporting"]);
        let r = app.patch(&call_path, Some(&c.manager), &json!({"title": {"en": "Renamed"}})).await.expect(200);
        assert_eq!(r.body["reporting"], call["reporting"], "absent: unchanged");
        let r = app.patch(&call_path, Some(&c.manager), &json!({"reporting": null})).await.expect(200);
        assert_eq!(r.body["reporting"], Value::Null);
        app.patch_if_match(&call_path, &c.manager, "\"1\"", &json!({"reporting": call["reporting"]})).await.expect_problem(412);
        let r = app.patch(&call_path, Some(&c.manager), &json!({"reporting": {"frequency": "annual", "final_report": true, "due_days": 200}})).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("reporting.due_days", "range")]));
    }

    async fn an_amendment_of_the_period_plans_the_generated_requirements_again(app) {
        let (s, apps) = closed_call(&app, None, None, 0).await;
        let g = award(&app, &s, &apps[0], "2026-04-01").await;
        let before = listed(&app, &s.c.manager, &g, "").await;
        let (q1, q2, q3, q4) = (
            id_of(find(&before, "periodic", "2026-06-30")),
            id_of(find(&before, "periodic", "2026-09-30")),
            id_of(find(&before, "periodic", "2026-12-31")),
            id_of(find(&before, "periodic", "2027-03-31")),
        );
        let final_report = id_of(find(&before, "final", "2027-03-31"));
        let adhoc = app
            .post(&format!("/api/v1/grants/{g}/reporting-requirements"), Some(&s.c.manager), &json!({"title": {"en": "Hearing report"}, "due_on": "2026-09-15"}))
            .await
            .expect(201);
        let adhoc = id_of(&adhoc.body);
        app.post(&format!("/api/v1/reporting-requirements/{q1}/waive"), Some(&s.c.manager), &json!({"reason": "Started late"})).await.expect(200);
        app.post(&format!("/api/v1/reporting-requirements/{q2}/reschedule"), Some(&s.c.manager), &json!({"due_on": "2026-11-15", "reason": "Elections"})).await.expect(200);

        // Three months longer: the quarters stay as they are; a fifth one and a new final report come.
        let amend = |ends_on: &str| json!({"reason": "Extended", "ends_on": ends_on});
        app.post(&format!("/api/v1/grants/{g}/amendments"), Some(&s.c.manager), &amend("2027-06-30")).await.expect(201);
        let after = listed(&app, &s.c.manager, &g, "").await;
        assert_eq!(after.len(), 7);
        let q1_after = find(&after, "periodic", "2026-06-30");
        assert_eq!((id_of(q1_after), &q1_after["status"]), (q1.clone(), &json!("waived")));
        let q2_after = find(&after, "periodic", "2026-09-30");
        assert_eq!((id_of(q2_after), &q2_after["due_on"]), (q2.clone(), &json!("2026-11-15")));
        assert_eq!(q2_after["moves"].as_array().unwrap().len(), 1);
        assert_eq!(id_of(find(&after, "periodic", "2026-12-31")), q3);
        assert_eq!(id_of(find(&after, "periodic", "2027-03-31")), q4);
        let q5 = find(&after, "periodic", "2027-06-30");
        assert_eq!((&q5["period_start"], &q5["due_on"]), (&json!("2027-04-01"), &json!("2027-07-30")));
        let new_final = find(&after, "final", "2027-06-30");
        assert_eq!((&new_final["period_start"], &new_final["due_on"]), (&json!("2026-04-01"), &json!("2027-07-30")));
        assert!(after.iter().any(|r| id_of(r) == adhoc), "ad-hoc requirements stay");
        app.get(&format!("/api/v1/reporting-requirements/{final_report}"), Some(&s.c.manager)).await.expect_problem(404);
        let events = app.get(&format!("/api/v1/audit-events?entity_type=grant&entity_id={g}"), Some(&s.c.admin)).await.expect(200);
        let amended = events.body["data"].as_array().unwrap().iter().find(|e| e["action"] == "grant.amend").unwrap();
        assert!(amended["summary"].as_str().unwrap().contains("4 kept, 1 removed, 2 added"), "{amended}");

        // An amendment that leaves the period alone leaves the requirements alone.
        let lines = json!({"reason": "More money", "amount": {"amount": "4000.00", "currency": "EUR"},
            "budget_lines": [{"category": "staff", "description": "line 0", "amount": {"amount": "4000.00", "currency": "EUR"}}]});
        app.post(&format!("/api/v1/grants/{g}/amendments"), Some(&s.c.manager), &lines).await.expect(201);
        let same: Vec<String> = listed(&app, &s.c.manager, &g, "").await.iter().map(id_of).collect();
        assert_eq!(same, after.iter().map(id_of).collect::<Vec<_>>());

        // Shorter: the clipped last quarter and the final report are replaced, the fifth goes.
        app.post(&format!("/api/v1/grants/{g}/amendments"), Some(&s.c.manager), &amend("2027-02-28")).await.expect(201);
        let shorter = listed(&app, &s.c.manager, &g, "").await;
        let mut got = periods(&shorter);
        got.sort();
        assert_eq!(got, [
            period("ad_hoc", "2026-04-01", "2026-09-15", "2026-09-15"),
            period("final", "2026-04-01", "2027-02-28", "2027-03-30"),
            period("periodic", "2026-04-01", "2026-06-30", "2026-07-30"),
            period("periodic", "2026-07-01", "2026-09-30", "2026-11-15"),
            period("periodic", "2026-10-01", "2026-12-31", "2027-01-30"),
            period("periodic", "2027-01-01", "2027-02-28", "2027-03-30"),
        ]);
        assert_eq!(id_of(find(&shorter, "periodic", "2026-12-31")), q3);
        assert_ne!(id_of(find(&shorter, "periodic", "2027-02-28")), q4);
        app.get(&format!("/api/v1/reporting-requirements/{}", id_of(q5)), Some(&s.c.manager)).await.expect_problem(404);

        // A period of more than 200 quarters is refused, and nothing of the amendment is kept.
        let r = app.post(&format!("/api/v1/grants/{g}/amendments"), Some(&s.c.manager), &amend("2080-01-01")).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("ends_on", "range")]));
        assert_eq!(app.get(&format!("/api/v1/grants/{g}"), Some(&s.c.manager)).await.expect(200).body["ends_on"], "2027-02-28");
        assert_eq!(listed(&app, &s.c.manager, &g, "").await.len(), 6);
    }

    async fn managers_add_move_and_waive_requirements_and_every_refusal_is_named(app) {
        let (s, apps) = closed_call(&app, None, None, 0).await;
        let g = award(&app, &s, &apps[0], "2026-04-01").await;
        let list = format!("/api/v1/grants/{g}/reporting-requirements");

        // An ad-hoc requirement: its period defaults to the grant's start up to its due date.
        let r = app.post(&list, Some(&s.c.manager), &json!({"title": {"en": "Report on the public hearing", "ru": "Отчёт о слушаниях"}, "due_on": "2026-09-15"})).await.expect(201);
        let adhoc = id_of(&r.body);
        assert_eq!(r.header("location"), Some(format!("/api/v1/reporting-requirements/{adhoc}").as_str()));
        assert_eq!(r.header("etag"), Some("\"1\""));
        assert_eq!((&r.body["kind"], &r.body["status"]), (&json!("ad_hoc"), &json!("open")));
        assert_eq!(r.body["title"]["ru"], "Отчёт о слушаниях");
        assert_eq!((&r.body["period_start"], &r.body["period_end"]), (&json!("2026-04-01"), &json!("2026-09-15")));
        let given = app.post(&list, Some(&s.c.manager), &json!({"title": {"en": "Milestone"}, "due_on": "2026-10-15", "period_start": "2026-06-01", "period_end": "2026-08-31"})).await.expect(201);
        assert_eq!((&given.body["period_start"], &given.body["period_end"]), (&json!("2026-06-01"), &json!("2026-08-31")));
        let mut errors = app.post(&list, Some(&s.c.manager), &json!({"title": {}, "due_on": "2026-09-15"})).await.expect_problem(422).field_errors();
        errors.sort();
        assert_eq!(errors, pairs(&[("title", "required")]));
        let r = app.post(&list, Some(&s.c.manager), &json!({"title": {"en": "M"}, "due_on": "2026-09-15", "period_start": "2026-06-01"})).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("period_end", "required")]));
        let r = app.post(&list, Some(&s.c.manager), &json!({"title": {"en": "M"}, "due_on": "2026-09-15", "period_start": "2026-03-01", "period_end": "2026-02-01"})).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("period_end", "after"), ("period_start", "outside_grant"), ("period_end", "outside_grant")]));
        let r = app.post(&list, Some(&s.c.manager), &json!({"title": {"en": "M"}})).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("due_on", "required")]));
        app.post(&list, Some(&s.ngo_manager), &json!({"title": {"en": "M"}, "due_on": "2026-09-15"})).await.expect_problem(403);

        // Moving a due date: a reason of 1–500 characters, another day, the version read.
        let path = format!("/api/v1/reporting-requirements/{adhoc}");
        let reschedule = format!("{path}/reschedule");
        let r = app.post(&reschedule, Some(&s.c.manager), &json!({"due_on": "2026-10-01"})).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("reason", "required")]));
        let r = app.post(&reschedule, Some(&s.c.manager), &json!({"due_on": "2026-10-01", "reason": "  "})).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("reason", "required")]));
        let r = app.post(&reschedule, Some(&s.c.manager), &json!({"due_on": "2026-10-01", "reason": "x".repeat(501)})).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("reason", "max_length")]));
        let r = app.post(&reschedule, Some(&s.c.manager), &json!({"due_on": "2026-09-15", "reason": "Same day"})).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("due_on", "unchanged")]));
        let body = json!({"due_on": "2026-10-01", "reason": "x".repeat(500)});
        post_if_match(&app, &reschedule, &s.c.manager, "\"7\"", &body).await.expect_problem(412);
        app.post(&reschedule, Some(&s.ngo_manager), &body).await.expect_problem(403);
        let moved = post_if_match(&app, &reschedule, &s.c.manager, "\"1\"", &body).await.expect(200);
        assert_eq!(moved.header("etag"), Some("\"2\""));
        assert_eq!(moved.body["due_on"], "2026-10-01");
        let moves = moved.body["moves"].as_array().unwrap();
        assert_eq!(moves.len(), 1);
        assert_eq!((&moves[0]["from_due_on"], &moves[0]["to_due_on"]), (&json!("2026-09-15"), &json!("2026-10-01")));
        assert_eq!(moves[0]["reason"], body["reason"]);
        let manager_id = app.get("/api/v1/me", Some(&s.c.manager)).await.expect(200).body["id"].clone();
        assert_eq!(moves[0]["actor_id"], manager_id);
        assert_eq!(app.get(&path, Some(&s.ngo_manager)).await.expect(200).body["moves"], moved.body["moves"]);

        // Waiving: a reason, once; a waived requirement is final.
        app.clock.advance(chrono::TimeDelta::minutes(1));
        let waive = format!("{path}/waive");
        let r = app.post(&waive, Some(&s.c.manager), &json!({})).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("reason", "required")]));
        app.post(&waive, Some(&s.ngo_manager), &json!({"reason": "No"})).await.expect_problem(403);
        post_if_match(&app, &waive, &s.c.manager, "\"1\"", &json!({"reason": "Stale"})).await.expect_problem(412);
        let waived = app.post(&waive, Some(&s.c.manager), &json!({"reason": "The hearing was cancelled"})).await.expect(200);
        assert_eq!((&waived.body["status"], &waived.body["waived_reason"]), (&json!("waived"), &json!("The hearing was cancelled")));
        assert_eq!(waived.body["allowed_actions"], json!([]));
        let since = waived.body["updated_at"].as_str().unwrap();
        let recent = app.get(&format!("{list}?updated_since={since}"), Some(&s.ngo_manager)).await.expect(200);
        assert_eq!(recent.body["data"].as_array().unwrap().iter().map(id_of).collect::<Vec<_>>(), std::slice::from_ref(&adhoc));
        let again = app.post(&waive, Some(&s.c.manager), &json!({"reason": "Twice"})).await.expect_problem(409);
        assert_eq!((&again.body["current_state"], &again.body["allowed_actions"]), (&json!("waived"), &json!([])));
        let late = app.post(&reschedule, Some(&s.c.manager), &json!({"due_on": "2026-12-01", "reason": "Later"})).await.expect_problem(409);
        assert_eq!(late.body["current_state"], "waived");
        let events = app.get(&format!("/api/v1/audit-events?entity_type=reporting_requirement&entity_id={adhoc}"), Some(&s.c.admin)).await.expect(200);
        let mut actions: Vec<String> = events.body["data"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect();
        actions.sort();
        assert_eq!(actions, ["requirement.created", "requirement.rescheduled", "requirement.waived"]);

        // A suspended grant's requirements are neither added nor changed; reading goes on.
        app.post(&format!("/api/v1/grants/{g}/suspend"), Some(&s.c.manager), &json!({})).await.expect(200);
        let other = id_of(&given.body);
        let refused = [
            app.post(&list, Some(&s.c.manager), &json!({"title": {"en": "M"}, "due_on": "2026-09-15"})).await,
            app.post(&format!("/api/v1/reporting-requirements/{other}/waive"), Some(&s.c.manager), &json!({"reason": "r"})).await,
            app.post(&format!("/api/v1/reporting-requirements/{other}/reschedule"), Some(&s.c.manager), &json!({"due_on": "2026-12-01", "reason": "r"})).await,
        ];
        for r in refused {
            let r = r.expect_problem(409);
            assert_eq!((&r.body["current_state"], &r.body["allowed_actions"]), (&json!("suspended"), &json!(["resume"])));
        }
        let seen = app.get(&format!("/api/v1/reporting-requirements/{other}"), Some(&s.c.manager)).await.expect(200);
        assert_eq!(seen.body["allowed_actions"], json!([]));
        app.post(&format!("/api/v1/grants/{g}/resume"), Some(&s.c.manager), &json!({})).await.expect(200);
        let seen = app.get(&format!("/api/v1/reporting-requirements/{other}"), Some(&s.c.manager)).await.expect(200);
        assert_eq!(seen.body["allowed_actions"], json!(["reschedule", "waive"]));
    }

    async fn a_requirement_goes_overdue_when_the_clock_passes_its_due_date(app) {
        let (s, apps) = closed_call(&app, None, None, 0).await;
        let g = award(&app, &s, &apps[0], "2026-04-01").await;
        // The last minute of the first quarter's due date: nothing is overdue yet.
        let manager = clock_at(&app, "2026-07-30T23:59:00Z").await;
        assert_eq!(listed(&app, &manager, &g, "&overdue=true").await, Vec::<Value>::new());
        let all = listed(&app, &manager, &g, "").await;
        assert!(all.iter().all(|r| r["overdue"] == false), "{all:?}");
        let q1 = id_of(find(&all, "periodic", "2026-06-30"));
        let path = format!("/api/v1/reporting-requirements/{q1}");

        app.clock.advance(chrono::TimeDelta::minutes(2));
        let overdue = listed(&app, &manager, &g, "&overdue=true").await;
        assert_eq!(overdue.iter().map(id_of).collect::<Vec<_>>(), std::slice::from_ref(&q1));
        assert_eq!(app.get(&path, Some(&manager)).await.expect(200).body["overdue"], true);
        assert_eq!(listed(&app, &manager, &g, "&overdue=false").await.len(), 4);
        assert_eq!(listed(&app, &manager, &g, "&status=open&overdue=true").await.len(), 1);

        // Moved past today it is no longer overdue; waived it never is.
        let moved = app.post(&format!("{path}/reschedule"), Some(&manager), &json!({"due_on": "2026-08-10", "reason": "Late funds"})).await.expect(200);
        assert_eq!(moved.body["overdue"], false);
        app.clock.advance(chrono::TimeDelta::days(11));
        let manager = app.token("manager@foundation.kz").await;
        assert_eq!(app.get(&path, Some(&manager)).await.expect(200).body["overdue"], true);
        let waived = app.post(&format!("{path}/waive"), Some(&manager), &json!({"reason": "Covered by Q2"})).await.expect(200);
        assert_eq!(waived.body["overdue"], false);
        assert_eq!(listed(&app, &manager, &g, "&overdue=true").await, Vec::<Value>::new());
        let only = listed(&app, &manager, &g, "&status=waived").await;
        assert_eq!(only.iter().map(id_of).collect::<Vec<_>>(), [q1]);
    }

    async fn nobody_outside_the_grant_sees_or_changes_its_requirements(app) {
        let (s, apps) = closed_call(&app, None, None, 1).await;
        let g = award(&app, &s, &apps[0], "2026-04-01").await;
        let other_grant = award(&app, &s, &apps[1], "2026-04-01").await;
        let q1 = id_of(&listed(&app, &s.c.manager, &g, "").await[0]);
        // The other grantee's owner, a user of no organisation, an expert of the call.
        let other_owner = app.token("ngo.00@ngo.kz").await;
        let strangers = [other_owner.as_str(), s.c.outsider.as_str(), s.expert.as_str()];
        let reschedule = json!({"due_on": "2026-12-01", "reason": "r"});
        for token in strangers {
            app.get(&format!("/api/v1/grants/{g}/reporting-requirements"), Some(token)).await.expect_problem(404);
            app.get(&format!("/api/v1/reporting-requirements/{q1}"), Some(token)).await.expect_problem(404);
            app.post(&format!("/api/v1/grants/{g}/reporting-requirements"), Some(token), &json!({"title": {"en": "M"}, "due_on": "2026-09-15"})).await.expect_problem(404);
            app.post(&format!("/api/v1/reporting-requirements/{q1}/reschedule"), Some(token), &reschedule).await.expect_problem(404);
            app.post(&format!("/api/v1/reporting-requirements/{q1}/waive"), Some(token), &json!({"reason": "r"})).await.expect_problem(404);
        }
        // The other grantee reads its own grant's requirements only.
        assert_eq!(listed(&app, &other_owner, &other_grant, "").await.len(), 5);
        // Funders read them; no id that does not exist is found.
        let (uid, funder) = app.user(&s.c.admin, "officer@eu.example.org").await;
        app.add_member(&s.c.admin, &s.c.eu, &uid, "member").await;
        assert_eq!(listed(&app, &funder, &g, "").await.len(), 5);
        let nothing = uuid::Uuid::now_v7();
        app.get(&format!("/api/v1/reporting-requirements/{nothing}"), Some(&s.c.manager)).await.expect_problem(404);
        app.get(&format!("/api/v1/grants/{nothing}/reporting-requirements"), Some(&s.c.manager)).await.expect_problem(404);
        app.post(&format!("/api/v1/reporting-requirements/{nothing}/waive"), Some(&s.c.manager), &json!({"reason": "r"})).await.expect_problem(404);
        app.get(&format!("/api/v1/grants/{g}/reporting-requirements"), None).await.expect_problem(401);
    }
}
