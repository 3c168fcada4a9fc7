//! The whole story, on both backends: the EU Delegation funds a programme a foundation runs,
//! an embassy co-funds it; a call for mini-projects (EUR 3,846 cap, 12 months, 4 regions)
//! gets 23 applications; an expert committee scores them; 17 are awarded; each grant gets a
//! mentor and tranches; one grant is amended. Plus every rejection path on the way.

use crate::applications::{Scene, application, ngo, scene_with_committee, submitted};
use crate::both_backends;
use crate::calls::{call_body, draft_call};
use crate::helpers::TestApp;
use crate::programmes::{active_programme, cast};
use serde_json::{Value, json};

async fn reviewer(app: &TestApp, s: &Scene, email: &str) -> (String, String) {
    app.user(&s.c.admin, email).await
}

/// Scores every review assigned to `token` with relevance `rel(i)` and feasibility 10, and submits.
async fn score_all(app: &TestApp, token: &str, crit: &[String], apps: &[String]) {
    let reviews = app
        .get("/api/v1/reviews?limit=200", Some(token))
        .await
        .expect(200);
    for r in reviews.body["data"].as_array().unwrap() {
        let idx = apps
            .iter()
            .position(|a| a == r["application_id"].as_str().unwrap())
            .unwrap();
        // Earlier applications score higher: relevance 10 for the first, down to 0 for the 23rd.
        let relevance = i32::try_from(10 - (idx * 10 / 22)).unwrap();
        let id = r["id"].as_str().unwrap();
        let body = json!({"scores": [{"criterion_id": crit[0], "score": relevance}, {"criterion_id": crit[1], "score": 10}]});
        app.post(
            &format!("/api/v1/reviews/{id}/declare-no-conflict"),
            Some(token),
            &json!({}),
        )
        .await
        .expect(200);
        app.patch(&format!("/api/v1/reviews/{id}"), Some(token), &body)
            .await
            .expect(200);
        app.post(
            &format!("/api/v1/reviews/{id}/submit"),
            Some(token),
            &json!({}),
        )
        .await
        .expect(200);
    }
}

fn money(amount: &str) -> Value {
    json!({"amount": amount, "currency": "EUR"})
}

both_backends! {
    async fn twenty_three_ngos_apply_and_seventeen_grants_are_paid_in_tranches(app) {
        let s = scene_with_committee(&app, 30 * 86_400, 3).await;
        let call_path = format!("/api/v1/calls/{}", s.call);

        // 23 NGOs apply (the scene's NGO first).
        let first = app
            .post(&format!("{call_path}/applications"), Some(&s.ngo_manager), &application(&s.ngo, "3846.00", &["3846.00"]))
            .await
            .expect(201);
        let first = first.body["id"].as_str().unwrap().to_owned();
        app.post(&format!("/api/v1/applications/{first}/submit"), Some(&s.ngo_manager), &json!({})).await.expect(200);
        let mut apps = vec![first];
        let mut owners = vec![s.ngo_manager.clone()];
        for i in 1..23 {
            let (id, token) = submitted(&app, &s, &format!("NGO {i:02}"), "3846.00").await;
            apps.push(id);
            owners.push(token);
        }
        let submitted_list = app.get(&format!("/api/v1/applications?call_id={}&status=submitted&limit=200", s.call), Some(&s.c.manager)).await.expect(200);
        assert_eq!(submitted_list.body["data"].as_array().unwrap().len(), 23);

        // Awards wait for the call to close.
        let early = app.post(&format!("/api/v1/applications/{}/award", apps[0]), Some(&s.c.manager), &json!({"starts_on": "2026-04-01"})).await.expect_problem(409);
        assert_eq!(early.body["current_state"], "open");
        app.post(&format!("{call_path}/close"), Some(&s.c.manager), &json!({})).await.expect(200);

        // The three-member committee reviews all 23; the reviewer of another call sees nothing of this one.
        let (stranger_id, stranger) = reviewer(&app, &s, "other.call.expert@example.org").await;
        draft_call(&app, &s.c, &s.programme, &call_body(&[&stranger_id])).await;
        let assigned = app.post(&format!("{call_path}/assign-reviews"), Some(&s.c.manager), &json!({})).await.expect(200);
        assert_eq!(assigned.body["assigned"], 69);
        let crit: Vec<String> = app.get(&call_path, Some(&s.c.manager)).await.expect(200).body["criteria"]
            .as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect();
        for expert in &s.experts {
            score_all(&app, expert, &crit, &apps).await;
        }
        app.get(&format!("{call_path}/ranking"), Some(&stranger)).await.expect_problem(404);
        app.get(&format!("/api/v1/applications/{}", apps[0]), Some(&stranger)).await.expect_problem(404);
        assert_eq!(app.get("/api/v1/reviews", Some(&stranger)).await.expect(200).body["data"], json!([]));

        let ranking = app.get(&format!("{call_path}/ranking"), Some(&s.c.manager)).await.expect(200);
        let ranked: Vec<String> = ranking.body["data"].as_array().unwrap().iter().map(|r| r["application_id"].as_str().unwrap().to_owned()).collect();
        assert_eq!(ranked.len(), 23);
        assert_eq!(ranked[0], apps[0]);
        assert_eq!(ranking.body["data"][0]["rank"], 1);
        assert_eq!(ranking.body["data"][0]["score"], 100.0);
        assert_eq!(ranking.body["data"][0]["review_count"], 3);

        // A mentor organisation for every grant.
        let mentor = ngo(&app, &s.c.admin, "Mentor Network", "network", "KZ-71").await;
        let (mentor_uid, mentor_member) = app.user(&s.c.admin, "mentor@network.kz").await;
        app.add_member(&s.c.admin, &mentor, &mentor_uid, "member").await;

        // The 17 best are awarded: 17 × 3,846 = 65,382, the whole envelope.
        let mut grants = Vec::new();
        for a in &ranked[..17] {
            let g = app
                .post(&format!("/api/v1/applications/{a}/award"), Some(&s.c.manager), &json!({"starts_on": "2026-04-01", "mentor_organization_id": mentor}))
                .await
                .expect(201);
            assert_eq!(g.body["amount"], money("3846.00"));
            assert_eq!(g.body["ends_on"], "2027-03-31");
            grants.push(g.body["id"].as_str().unwrap().to_owned());
        }
        let over = app
            .post(&format!("/api/v1/applications/{}/award", ranked[17]), Some(&s.c.manager), &json!({"starts_on": "2026-04-01"}))
            .await
            .expect_problem(409);
        let detail = over.body["detail"].as_str().unwrap();
        assert!(detail.contains("65382.00 EUR") && detail.contains("69228.00 EUR"), "{detail}");
        let again = app
            .post(&format!("/api/v1/applications/{}/award", ranked[0]), Some(&s.c.manager), &json!({"starts_on": "2026-04-01"}))
            .await
            .expect_problem(409);
        assert_eq!(again.body["current_state"], "awarded");

        // One rejection by hand before the decision rejects the rest.
        let rejected_by_hand = app.post(&format!("/api/v1/applications/{}/reject", ranked[17]), Some(&s.c.manager), &json!({})).await.expect(200);
        assert_eq!(rejected_by_hand.body["status"], "rejected");
        app.post(&format!("/api/v1/applications/{}/reject", ranked[17]), Some(&s.c.manager), &json!({})).await.expect_problem(409);
        app.post(&format!("/api/v1/applications/{}/reject", ranked[18]), Some(&mentor_member), &json!({})).await.expect_problem(404);
        let decided = app.post(&format!("{call_path}/decide"), Some(&s.c.manager), &json!({})).await.expect(200);
        assert_eq!(decided.body, json!({"call_id": s.call, "status": "decided", "awarded": 17, "rejected": 6, "awarded_total": money("65382.00")}));
        // Decided: the call is public again, its reviews visible to the managers.
        app.get(&call_path, None).await.expect(200);
        let reviews = app.get(&format!("/api/v1/reviews?call_id={}&limit=200", s.call), Some(&s.c.manager)).await.expect(200);
        assert_eq!(reviews.body["data"].as_array().unwrap().len(), 69);
        let rejected = app.get(&format!("/api/v1/applications/{}", ranked[22]), Some(&s.c.manager)).await.expect(200);
        assert_eq!(rejected.body["status"], "rejected");

        // Tranches: two halves per grant; more than the grant is refused.
        let g0 = &grants[0];
        let t1 = app.post(&format!("/api/v1/grants/{g0}/disbursements"), Some(&s.c.manager), &json!({"amount": money("1923.00"), "planned_on": "2026-04-15"})).await.expect(201);
        let t2 = app.post(&format!("/api/v1/grants/{g0}/disbursements"), Some(&s.c.manager), &json!({"amount": money("1923.00"), "planned_on": "2026-10-15", "condition": "Interim report accepted"})).await.expect(201);
        let too_much = app.post(&format!("/api/v1/grants/{g0}/disbursements"), Some(&s.c.manager), &json!({"amount": money("0.01"), "planned_on": "2027-01-15"})).await.expect_problem(409);
        assert!(too_much.body["detail"].as_str().unwrap().contains("3846.01 EUR"));
        let t1 = t1.body["id"].as_str().unwrap().to_owned();
        let t2 = t2.body["id"].as_str().unwrap().to_owned();
        // An accountant of the foundation pays; the grantee cannot.
        let (acc_id, accountant) = app.user(&s.c.admin, "accountant@foundation.kz").await;
        app.add_member(&s.c.admin, &s.c.foundation, &acc_id, "accountant").await;
        let pay = json!({"paid_on": "2026-04-16", "reference": "KZ-2026-0416-01"});
        app.post(&format!("/api/v1/disbursements/{t1}/pay"), Some(&accountant), &pay).await.expect_problem(409);
        app.post(&format!("/api/v1/disbursements/{t1}/approve"), Some(&accountant), &json!({})).await.expect_problem(403);
        app.post(&format!("/api/v1/disbursements/{t1}/approve"), Some(&s.c.manager), &json!({})).await.expect(200);
        let grantee = &owners[apps.iter().position(|a| *a == ranked[0]).unwrap()];
        app.post(&format!("/api/v1/disbursements/{t1}/pay"), Some(grantee), &pay).await.expect_problem(403);
        let paid = app.post(&format!("/api/v1/disbursements/{t1}/pay"), Some(&accountant), &pay).await.expect(200);
        assert_eq!(paid.body["status"], "paid");
        assert_eq!(paid.body["payment_reference"], "KZ-2026-0416-01");
        app.post(&format!("/api/v1/disbursements/{t1}/cancel"), Some(&s.c.manager), &json!({})).await.expect_problem(409);
        app.post(&format!("/api/v1/disbursements/{t2}/cancel"), Some(&s.c.manager), &json!({})).await.expect(200);
        for g in &grants[1..] {
            app.post(&format!("/api/v1/grants/{g}/disbursements"), Some(&s.c.manager), &json!({"amount": money("3846.00"), "planned_on": "2026-04-15"})).await.expect(201);
        }

        // The grantee and its mentor read the grant; another NGO does not.
        let grant = app.get(&format!("/api/v1/grants/{g0}"), Some(grantee)).await.expect(200);
        assert_eq!(grant.body["paid"], money("1923.00"));
        assert_eq!(grant.body["committed"], money("1923.00"));
        assert_eq!(grant.body["allowed_actions"], json!([]));
        app.get(&format!("/api/v1/grants/{g0}"), Some(&mentor_member)).await.expect(200);
        let outsider_ngo = &owners[apps.iter().position(|a| *a == ranked[22]).unwrap()];
        app.get(&format!("/api/v1/grants/{g0}"), Some(outsider_ngo)).await.expect_problem(404);
        assert_eq!(app.get("/api/v1/grants", Some(outsider_ngo)).await.expect(200).body["data"], json!([]));
        let mentored = app.get("/api/v1/grants?limit=200", Some(&mentor_member)).await.expect(200);
        assert_eq!(mentored.body["data"].as_array().unwrap().len(), 17);

        // One grant is amended: more money for a second seminar; the history keeps it.
        let amend = json!({
            "reason": "Embassy co-funding for a second seminar",
            "amount": money("4346.00"),
            "budget_lines": [
                {"category": "staff", "description": "Lawyer", "amount": money("3846.00")},
                {"category": "events", "description": "Seminar", "amount": money("500.00")}
            ]
        });
        let a = app.post(&format!("/api/v1/grants/{g0}/amendments"), Some(&s.c.manager), &amend).await.expect(201);
        assert_eq!(a.body["changes"]["amount"], json!({"from": "3846.00", "to": "4346.00"}));
        let bad = app.post(&format!("/api/v1/grants/{g0}/amendments"), Some(&s.c.manager), &json!({"reason": "typo", "amount": money("4000.00")})).await.expect_problem(422);
        assert_eq!(bad.field_errors(), [("budget_lines".to_owned(), "budget_total".to_owned())]);
        let below = app.post(&format!("/api/v1/grants/{g0}/amendments"), Some(&s.c.manager), &json!({
            "reason": "cut", "amount": money("1000.00"),
            "budget_lines": [{"category": "staff", "description": "Lawyer", "amount": money("1000.00")}]
        })).await.expect_problem(409);
        assert!(below.body["detail"].as_str().unwrap().contains("1923.00 EUR"));
        let history = app.get(&format!("/api/v1/grants/{g0}/amendments"), Some(grantee)).await.expect(200);
        assert_eq!(history.body["data"].as_array().unwrap().len(), 1);
        let amended = app.get(&format!("/api/v1/grants/{g0}"), Some(&s.c.manager)).await.expect(200);
        assert_eq!(amended.body["amount"], money("4346.00"));
        assert_eq!(amended.body["budget_lines"].as_array().unwrap().len(), 2);

        // Suspended grants pay nothing; the machine names the way back.
        app.post(&format!("/api/v1/grants/{}/suspend", grants[1]), Some(&s.c.manager), &json!({})).await.expect(200);
        let t = app.get(&format!("/api/v1/grants/{}/disbursements", grants[1]), Some(&s.c.manager)).await.expect(200);
        let t = t.body["data"][0]["id"].as_str().unwrap().to_owned();
        app.post(&format!("/api/v1/disbursements/{t}/approve"), Some(&s.c.manager), &json!({})).await.expect(200);
        let blocked = app.post(&format!("/api/v1/disbursements/{t}/pay"), Some(&accountant), &pay).await.expect_problem(409);
        assert_eq!(blocked.body["current_state"], "suspended");
        assert_eq!(blocked.body["allowed_actions"], json!(["resume"]));
        app.post(&format!("/api/v1/grants/{}/complete", grants[1]), Some(&s.c.manager), &json!({})).await.expect_problem(409);
        app.post(&format!("/api/v1/grants/{}/resume", grants[1]), Some(&s.c.manager), &json!({})).await.expect(200);
        app.post(&format!("/api/v1/disbursements/{t}/pay"), Some(&accountant), &pay).await.expect(200);

        // The mentor can be changed or removed; its members then lose sight of the grant.
        let g2 = format!("/api/v1/grants/{}", grants[2]);
        let unmentored = app.patch(&g2, Some(&s.c.manager), &json!({"mentor_organization_id": null})).await.expect(200);
        assert_eq!(unmentored.body["mentor_organization_id"], Value::Null);
        app.get(&g2, Some(&mentor_member)).await.expect_problem(404);
        app.patch(&g2, Some(grantee), &json!({"mentor_organization_id": mentor})).await.expect_problem(404);
        app.patch(&g2, Some(&s.c.manager), &json!({"mentor_organization_id": mentor})).await.expect(200);
        app.get(&g2, Some(&mentor_member)).await.expect(200);
        // Grants end completed or terminated; then they are final.
        let done = app.post(&format!("/api/v1/grants/{}/complete", grants[3]), Some(&s.c.manager), &json!({})).await.expect(200);
        assert_eq!(done.body["status"], "completed");
        let ended = app.post(&format!("/api/v1/grants/{}/terminate", grants[4]), Some(&s.c.manager), &json!({})).await.expect(200);
        assert_eq!(ended.body["allowed_actions"], json!([]));
        let late = app.post(&format!("/api/v1/grants/{}/amendments", grants[4]), Some(&s.c.manager), &json!({"reason": "too late", "ends_on": "2027-06-30"})).await.expect_problem(409);
        assert_eq!(late.body["current_state"], "terminated");

        // Anyone sees the awarded grants with their programme and funders.
        let public = app.get("/api/v1/public/grants?limit=200", None).await.expect(200);
        let data = public.body["data"].as_array().unwrap();
        assert_eq!(data.len(), 17);
        assert_eq!(data[0]["programme"]["name"]["en"], "Empowering South Kazakhstan CSOs to Promote Human Rights Reforms");
        assert_eq!(data[0]["funders"].as_array().unwrap().len(), 2);
        assert!(data.iter().all(|g| g.get("budget_lines").is_none()));
        let total: f64 = data.iter().map(|g| g["amount"]["amount"].as_str().unwrap().parse::<f64>().unwrap()).sum();
        assert!((total - 65882.0).abs() < 0.001, "{total}");
    }
}

/// A closed call (envelope `envelope`) of an active programme, its applications under review:
/// the scene NGO's first (two budget lines, 3,846 in all), then `others` more of 3,846 each.
/// Returns the scene, the application ids and their owners' tokens.
pub(crate) async fn closed_call(
    app: &TestApp,
    envelope: &str,
    others: usize,
) -> (Scene, Vec<String>, Vec<String>) {
    let c = cast(app).await;
    let programme = active_programme(app, &c).await;
    let (expert_id, expert) = app.user(&c.admin, "expert@example.org").await;
    let mut body = call_body(&[&expert_id]);
    body["envelope"] = money(envelope);
    let call = draft_call(app, &c, &programme, &body).await;
    app.post(
        &format!("/api/v1/calls/{call}/publish"),
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
            &format!("/api/v1/calls/{}/applications", s.call),
            Some(&s.ngo_manager),
            &application(&s.ngo, "3846.00", &["3000.00", "846.00"]),
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
    let (mut apps, mut owners) = (vec![first], vec![s.ngo_manager.clone()]);
    for i in 0..others {
        let (id, token) = submitted(app, &s, &format!("NGO {i:02}"), "3846.00").await;
        apps.push(id);
        owners.push(token);
    }
    app.post(
        &format!("/api/v1/calls/{}/close", s.call),
        Some(&s.c.manager),
        &json!({}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/calls/{}/assign-reviews", s.call),
        Some(&s.c.manager),
        &json!({}),
    )
    .await
    .expect(200);
    (s, apps, owners)
}

pub(crate) async fn award(app: &TestApp, s: &Scene, application: &str, body: &Value) -> String {
    let g = app
        .post(
            &format!("/api/v1/applications/{application}/award"),
            Some(&s.c.manager),
            body,
        )
        .await
        .expect(201);
    g.body["id"].as_str().unwrap().to_owned()
}

fn ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Follows `next_cursor` from `first` (a path with `limit`) to the end; returns every page's ids.
async fn all_pages(app: &TestApp, token: &str, first: &str) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut path = first.to_owned();
    loop {
        let page = app.get(&path, Some(token)).await.expect(200);
        pages.push(ids(&page.body));
        match page.body["next_cursor"].as_str() {
            Some(c) => path = format!("{first}&cursor={c}"),
            None => return pages,
        }
    }
}

both_backends! {
    async fn reading_and_awarding_grants_stay_within_their_statement_budgets(app) {
        let (s, apps, _) = closed_call(&app, "65382.00", 3).await;
        let body = json!({"starts_on": "2026-04-01"});
        let (r, statements, checkouts) = app
            .counting(app.post(&format!("/api/v1/applications/{}/award", apps[0]), Some(&s.c.manager), &body))
            .await;
        let r = r.expect(201);
        // The actor; BEGIN; the facts (application, call, programme, schedules, awards so far);
        // the application's status; the grant; its budget lines; its reporting requirements;
        // the event and its audience; COMMIT. Each table written costs one statement on
        // SQLite, whatever the number of rows.
        assert!(statements <= 10, "award: {statements} statements");
        assert_eq!(checkouts, 1, "award");
        assert_eq!(r.body["budget_lines"].as_array().unwrap().len(), 2);
        let g = r.body["id"].as_str().unwrap().to_owned();
        // Indicators named at award cost two statements more, however many: one checks them
        // against the catalogue, one stores them.
        let mut named = Vec::new();
        for code in ["OUT-1", "OUT-2", "OUT-3"] {
            let i = app.post(&format!("/api/v1/programmes/{}/indicators", s.programme), Some(&s.c.manager), &json!({
                "code": code, "name": {"en": "People reached"}, "unit": "people", "kind": "count", "aggregation": "sum"
            })).await.expect(201);
            named.push(json!({"indicator_id": i.body["id"], "target": 10}));
        }
        let with = json!({"starts_on": "2026-04-01", "indicators": named});
        let (r, with_indicators, checkouts) = app
            .counting(app.post(&format!("/api/v1/applications/{}/award", apps[1]), Some(&s.c.manager), &with))
            .await;
        r.expect(201);
        assert!(with_indicators <= statements + 2, "award with indicators: {with_indicators} statements, {statements} without");
        assert_eq!(checkouts, 1, "award with indicators");
        for a in &apps[2..] {
            award(&app, &s, a, &body).await;
        }
        app.post(&format!("/api/v1/grants/{g}/disbursements"), Some(&s.c.manager), &json!({"amount": money("1923.00"), "planned_on": "2026-04-15"})).await.expect(201);

        let (r, statements, checkouts) = app.counting(app.get(&format!("/api/v1/grants/{g}"), Some(&s.c.manager))).await;
        let r = r.expect(200);
        assert_eq!(r.body["committed"], money("1923.00"));
        assert_eq!(r.body["budget_lines"].as_array().unwrap().len(), 2);
        assert!(statements <= 3, "get: {statements} statements");
        assert_eq!(checkouts, 1, "get");

        let (r, statements, checkouts) = app.counting(app.get("/api/v1/grants?limit=50", Some(&s.c.manager))).await;
        let r = r.expect(200);
        assert_eq!(ids(&r.body).len(), 4);
        assert!(r.body["data"].as_array().unwrap().iter().all(|g| !g["budget_lines"].as_array().unwrap().is_empty()));
        assert!(statements <= 4, "list: {statements} statements");
        assert_eq!(checkouts, 1, "list");
    }

    async fn two_awards_at_once_never_exceed_the_envelope(app) {
        // Each award fits the envelope alone; together they do not.
        let (s, apps, _) = closed_call(&app, "5000.00", 1).await;
        let body = json!({"starts_on": "2026-04-01"});
        let (a, b) = (format!("/api/v1/applications/{}/award", apps[0]), format!("/api/v1/applications/{}/award", apps[1]));
        let both = futures_util::future::join_all([app.post(&a, Some(&s.c.manager), &body), app.post(&b, Some(&s.c.manager), &body)]).await;
        let mut statuses: Vec<u16> = both.iter().map(|r| r.status).collect();
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 409], "{:?}", both.iter().map(|r| &r.body).collect::<Vec<_>>());
        let refused = both.iter().find(|r| r.status == 409).unwrap();
        assert_eq!(refused.body["type"], "urn:seriktes:problem:envelope-exceeded");
        assert_eq!(refused.body["awarded"], money("3846.00"));
    }

    async fn an_award_beyond_the_envelope_is_refused_with_the_sums(app) {
        let (s, apps, _) = closed_call(&app, "5000.00", 1).await;
        award(&app, &s, &apps[0], &json!({"starts_on": "2026-04-01"})).await;
        let over = app
            .post(&format!("/api/v1/applications/{}/award", apps[1]), Some(&s.c.manager), &json!({"starts_on": "2026-04-01"}))
            .await
            .expect_problem(409);
        assert_eq!(over.body["type"], "urn:seriktes:problem:envelope-exceeded");
        assert_eq!(over.body["envelope"], money("5000.00"));
        assert_eq!(over.body["awarded"], money("3846.00"));
        assert_eq!(over.body["requested"], money("3846.00"));
        // The contract documents the refusal with an example.
        let contract: Value = serde_json::from_str(include_str!("../../openapi/openapi.json")).unwrap();
        let conflict = &contract["paths"]["/api/v1/applications/{id}/award"]["post"]["responses"]["409"]["content"]["application/problem+json"];
        let example = &conflict["example"];
        assert_eq!(example["type"], "urn:seriktes:problem:envelope-exceeded", "{conflict}");
        for member in ["envelope", "awarded", "requested"] {
            assert!(example[member]["amount"].is_string() && example[member]["currency"].is_string(), "{member}: {example}");
        }
    }

    async fn dates_past_9999_or_before_year_1_are_422_wherever_they_come_in(app) {
        let (s, apps, _) = closed_call(&app, "65382.00", 0).await;
        let path = format!("/api/v1/applications/{}/award", apps[0]);
        // A 12-month grant from 9999-06-01 would end in the year 10000: refused, nothing stored.
        let r = app.post(&path, Some(&s.c.manager), &json!({"starts_on": "9999-06-01"})).await.expect_problem(422);
        assert_eq!(r.field_errors(), [("starts_on".to_owned(), "range".to_owned())]);
        for bad in ["+10000-01-01", "0000-12-31", "-0001-01-01"] {
            let r = app.post(&path, Some(&s.c.manager), &json!({"starts_on": bad})).await.expect_problem(422);
            assert_eq!(r.field_errors(), [("starts_on".to_owned(), "range".to_owned())], "{bad}");
        }
        let g = award(&app, &s, &apps[0], &json!({"starts_on": "9999-01-01"})).await;
        let grant = app.get(&format!("/api/v1/grants/{g}"), Some(&s.c.manager)).await.expect(200);
        assert_eq!(grant.body["ends_on"], "9999-12-31");
        let r = app.post(&format!("/api/v1/grants/{g}/amendments"), Some(&s.c.manager), &json!({"reason": "later", "ends_on": "+10000-01-01"})).await.expect_problem(422);
        assert_eq!(r.field_errors(), [("ends_on".to_owned(), "range".to_owned())]);
        let r = app.post(&format!("/api/v1/grants/{g}/disbursements"), Some(&s.c.manager), &json!({"amount": money("100.00"), "planned_on": "0000-01-01"})).await.expect_problem(422);
        assert_eq!(r.field_errors(), [("planned_on".to_owned(), "range".to_owned())]);
        // Query parameters: the range applies to the time in UTC.
        for since in ["0000-01-01T00:00:00Z", "9999-12-31T23:00:00-05:00"] {
            let r = app.get(&format!("/api/v1/grants?updated_since={since}"), Some(&s.c.manager)).await.expect_problem(422);
            assert_eq!(r.field_errors(), [("updated_since".to_owned(), "range".to_owned())], "{since}");
        }
        let r = app.get(&format!("/api/v1/grants/{g}/amendments?updated_since=-0001-01-01T00:00:00Z"), Some(&s.c.manager)).await.expect_problem(422);
        assert_eq!(r.field_errors(), [("updated_since".to_owned(), "range".to_owned())]);
        app.get("/api/v1/grants?updated_since=9999-12-31T23:59:59Z", Some(&s.c.manager)).await.expect(200);
        let r = app.get("/api/v1/grants?updated_since=tomorrow", Some(&s.c.manager)).await.expect_problem(422);
        assert_eq!(r.field_errors(), [("updated_since".to_owned(), "format".to_owned())]);
    }

    async fn tranches_and_amendments_come_in_pages(app) {
        let (s, apps, _) = closed_call(&app, "65382.00", 0).await;
        let g = award(&app, &s, &apps[0], &json!({"starts_on": "2026-04-01"})).await;
        let (mut tranches, mut amendments, mut since) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..5 {
            if i == 3 {
                // The last two come a minute later.
                app.clock.advance(chrono::TimeDelta::minutes(1));
            }
            let t = app.post(&format!("/api/v1/grants/{g}/disbursements"), Some(&s.c.manager), &json!({"amount": money("100.00"), "planned_on": format!("2026-0{}-15", i + 4)})).await.expect(201);
            tranches.push(t.body["id"].as_str().unwrap().to_owned());
            let a = app.post(&format!("/api/v1/grants/{g}/amendments"), Some(&s.c.manager), &json!({"reason": format!("shift {i}"), "ends_on": format!("2027-04-0{}", i + 1)})).await.expect(201);
            amendments.push(a.body["id"].as_str().unwrap().to_owned());
            if i == 3 {
                since = vec![t.body["updated_at"].as_str().unwrap().to_owned(), a.body["created_at"].as_str().unwrap().to_owned()];
            }
        }
        for ((path, all), since) in [("disbursements", &tranches), ("amendments", &amendments)].into_iter().zip(&since) {
            let first = format!("/api/v1/grants/{g}/{path}?limit=2");
            let pages = all_pages(&app, &s.ngo_manager, &first).await;
            assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [2, 2, 1], "{path}");
            assert_eq!(&pages.concat(), all, "{path}");
            let recent = app.get(&format!("/api/v1/grants/{g}/{path}?updated_since={since}"), Some(&s.ngo_manager)).await.expect(200);
            assert_eq!(ids(&recent.body), all[3..], "{path}");
            assert_eq!(recent.body["next_cursor"], Value::Null, "{path}");
        }
    }

    async fn the_public_sees_what_was_funded_and_not_the_books(app) {
        let (s, apps, _) = closed_call(&app, "65382.00", 1).await;
        let g = award(&app, &s, &apps[0], &json!({"starts_on": "2026-04-01"})).await;
        award(&app, &s, &apps[1], &json!({"starts_on": "2026-04-01"})).await;
        app.post(&format!("/api/v1/grants/{g}/disbursements"), Some(&s.c.manager), &json!({"amount": money("1923.00"), "planned_on": "2026-04-15"})).await.expect(201);
        let public = app.get("/api/v1/public/grants?limit=50", None).await.expect(200);
        let data = public.body["data"].as_array().unwrap();
        assert_eq!(data.len(), 2);
        let item = data.iter().find(|i| i["id"] == g.as_str()).unwrap();
        assert_eq!(item["title"]["en"], "Legal aid for rural women");
        assert_eq!(item["summary"]["en"], "Mobile legal clinics in three districts.");
        assert_eq!(item["call"], json!({"id": s.call, "name": {"en": "Mini-projects for human rights reforms"}}));
        assert!(item["awarded_at"].as_str().is_some_and(|t| t.ends_with('Z')), "{item}");
        for g in data {
            for private in ["budget_lines", "disbursements", "tranches", "committed", "paid"] {
                assert!(g.get(private).is_none(), "{private}: {g}");
            }
        }
    }

    async fn the_grants_listed_are_exactly_the_grants_readable(app) {
        let (s, apps, owners) = closed_call(&app, "65382.00", 2).await;
        let mentor = ngo(&app, &s.c.admin, "Mentor Network", "network", "KZ-71").await;
        let mut grants = vec![award(&app, &s, &apps[0], &json!({"starts_on": "2026-04-01", "mentor_organization_id": mentor})).await];
        for a in &apps[1..] {
            grants.push(award(&app, &s, a, &json!({"starts_on": "2026-04-01"})).await);
        }
        let member = |org: String, email: &'static str, role: &'static str| {
            let (app, admin) = (&app, s.c.admin.clone());
            async move {
                let (uid, token) = app.user(&admin, email).await;
                app.add_member(&admin, &org, &uid, role).await;
                token
            }
        };
        let callers = [
            ("admin", s.c.admin.clone(), 3),
            ("managing owner", member(s.c.foundation.clone(), "owner@foundation.kz", "owner").await, 3),
            ("managing manager", s.c.manager.clone(), 3),
            ("managing accountant", member(s.c.foundation.clone(), "accountant@foundation.kz", "accountant").await, 3),
            ("managing member", member(s.c.foundation.clone(), "member@foundation.kz", "member").await, 3),
            ("funder member", member(s.c.eu.clone(), "member@eu.example.org", "member").await, 3),
            ("grantee manager", s.ngo_manager.clone(), 1),
            ("grantee member", member(s.ngo.clone(), "member@legalaid.kz", "member").await, 1),
            ("other grantee owner", owners[1].clone(), 1),
            ("mentor member", member(mentor.clone(), "member@network.kz", "member").await, 1),
            ("expert", s.expert.clone(), 0),
            ("outsider", s.c.outsider.clone(), 0),
        ];
        for (who, token, expected) in &callers {
            let listed: std::collections::BTreeSet<String> = all_pages(&app, token, "/api/v1/grants?limit=2").await.concat().into_iter().collect();
            let mut readable = std::collections::BTreeSet::new();
            for g in &grants {
                let r = app.get(&format!("/api/v1/grants/{g}"), Some(token)).await;
                match r.status {
                    200 => { readable.insert(g.clone()); }
                    404 => {}
                    other => panic!("{who}: GET /grants/{g} answered {other}"),
                }
            }
            assert_eq!(listed, readable, "{who}");
            assert_eq!(listed.len(), *expected, "{who}");
        }
    }
}

/// The grant row's read columns (tranche sums, budget-lines copy) against the tables they copy.
fn read_columns_agree(conn: &mut seriktes_persistence::db::DbConn, grant: &str) {
    use diesel::prelude::*;
    use seriktes_persistence::schema::{disbursements, grant_budget_lines, grants};
    let (committed, paid, json): (i64, i64, Option<String>) = grants::table
        .find(grant)
        .select((
            grants::committed_minor,
            grants::paid_minor,
            grants::lines_json,
        ))
        .first(conn)
        .expect("grant row");
    let tranches: Vec<(i64, String)> = disbursements::table
        .filter(disbursements::grant_id.eq(grant))
        .select((disbursements::amount_minor, disbursements::status))
        .load(conn)
        .expect("tranches");
    let sum = |keep: &dyn Fn(&str) -> bool| -> i64 {
        tranches
            .iter()
            .filter(|(_, s)| keep(s))
            .map(|(a, _)| a)
            .sum()
    };
    assert_eq!(committed, sum(&|s| s != "cancelled"), "committed_minor");
    assert_eq!(paid, sum(&|s| s == "paid"), "paid_minor");
    let lines: Vec<(String, String, String, i64)> = grant_budget_lines::table
        .filter(grant_budget_lines::grant_id.eq(grant))
        .order(grant_budget_lines::position)
        .select((
            grant_budget_lines::id,
            grant_budget_lines::category,
            grant_budget_lines::description,
            grant_budget_lines::amount_minor,
        ))
        .load(conn)
        .expect("lines");
    let copy: Vec<Value> = serde_json::from_str(&json.expect("lines_json filled")).unwrap();
    let rows: Vec<Value> = lines
        .into_iter()
        .map(|(id, category, description, amount_minor)| json!({"id": id, "category": category, "description": description, "amount_minor": amount_minor}))
        .collect();
    assert_eq!(copy, rows, "lines_json");
}

both_backends! {
    async fn a_grants_read_columns_follow_its_tranches_and_lines(app) {
        let (s, apps, _) = closed_call(&app, "65382.00", 1).await;
        let g = award(&app, &s, &apps[0], &json!({"starts_on": "2026-04-01"})).await;
        let path = format!("/api/v1/grants/{g}");
        let mut tranches = Vec::new();
        for amount in ["1000.00", "900.00", "800.00"] {
            let t = app.post(&format!("{path}/disbursements"), Some(&s.c.manager), &json!({"amount": money(amount), "planned_on": "2026-05-01"})).await.expect(201);
            tranches.push(t.body["id"].as_str().unwrap().to_owned());
        }
        app.post(&format!("/api/v1/disbursements/{}/approve", tranches[0]), Some(&s.c.manager), &json!({})).await.expect(200);
        app.post(&format!("/api/v1/disbursements/{}/pay", tranches[0]), Some(&s.c.manager), &json!({"paid_on": "2026-05-02", "reference": "R-1"})).await.expect(200);
        app.post(&format!("/api/v1/disbursements/{}/approve", tranches[1]), Some(&s.c.manager), &json!({})).await.expect(200);
        app.post(&format!("/api/v1/disbursements/{}/cancel", tranches[1]), Some(&s.c.manager), &json!({})).await.expect(200);
        let amend = json!({"reason": "A seminar more", "amount": money("4346.00"), "budget_lines": [
            {"category": "staff", "description": "Lawyer", "amount": money("3846.00")},
            {"category": "events", "description": "Seminar", "amount": money("500.00")}
        ]});
        app.post(&format!("{path}/amendments"), Some(&s.c.manager), &amend).await.expect(201);
        let shown = app.get(&path, Some(&s.c.manager)).await.expect(200).body;
        assert_eq!(shown["committed"], money("1800.00"));
        assert_eq!(shown["paid"], money("1000.00"));
        let id = g.clone();
        app.with_db(move |conn| read_columns_agree(conn, &id)).await;

        // A page shows each grant exactly as its GET does.
        let page = app.get("/api/v1/grants?limit=50", Some(&s.c.manager)).await.expect(200).body;
        let item = page["data"].as_array().unwrap().iter().find(|i| i["id"] == g.as_str()).unwrap();
        assert_eq!(item, &shown);

        // The copy of the lines is rebuilt from the rows by the backfill that runs at start.
        let id = g.clone();
        app.with_db(move |conn| {
            use diesel::prelude::*;
            diesel::sql_query("UPDATE grants SET lines_json = NULL").execute(conn).unwrap();
            seriktes_persistence::grants::backfill_budget_lines(conn).unwrap();
            read_columns_agree(conn, &id);
        })
        .await;
        assert_eq!(app.get(&path, Some(&s.c.manager)).await.expect(200).body, shown);
    }
}
