//! Applications: drafts, submission rules (each failure named), withdrawal, and who sees what.

use crate::both_backends;
use crate::calls::{call_body, draft_call, rfc3339_in};
use crate::helpers::TestApp;
use crate::programmes::{Cast, active_programme, cast};
use serde_json::{Value, json};

/// An open call and an NGO in an eligible region with its manager.
pub struct Scene {
    pub c: Cast,
    pub programme: String,
    pub call: String,
    pub ngo: String,
    pub ngo_manager: String,
    pub expert: String,
    pub experts: Vec<String>,
}

pub async fn scene(app: &TestApp, closes_in: i64) -> Scene {
    scene_with_committee(app, closes_in, 1).await
}

/// Like [`scene`], with `size` experts on the committee (`Scene::experts`; the first is `expert`).
pub async fn scene_with_committee(app: &TestApp, closes_in: i64, size: usize) -> Scene {
    let c = cast(app).await;
    let programme = active_programme(app, &c).await;
    let mut ids = Vec::new();
    let mut experts = Vec::new();
    for i in 0..size {
        let email = if i == 0 {
            "expert@example.org".to_owned()
        } else {
            format!("expert{i}@example.org")
        };
        let (id, token) = app.user(&c.admin, &email).await;
        ids.push(id);
        experts.push(token);
    }
    let committee: Vec<&str> = ids.iter().map(String::as_str).collect();
    let mut body = call_body(&committee);
    body["closes_at"] = json!(rfc3339_in(closes_in));
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
    let expert = experts[0].clone();
    Scene {
        c,
        programme,
        call,
        ngo,
        ngo_manager,
        expert,
        experts,
    }
}

pub async fn ngo(app: &TestApp, admin: &str, name: &str, kind: &str, region: &str) -> String {
    let r = app
        .post(
            "/api/v1/organizations",
            Some(admin),
            &json!({"kind": kind, "name": {"en": name}, "region": region}),
        )
        .await
        .expect(201);
    r.body["id"].as_str().unwrap().to_owned()
}

pub fn application(applicant: &str, requested: &str, lines: &[&str]) -> Value {
    json!({
        "applicant_organization_id": applicant,
        "title": {"en": "Legal aid for rural women"},
        "summary": {"en": "Mobile legal clinics in three districts."},
        "requested": {"amount": requested, "currency": "EUR"},
        "duration_months": 12,
        "regions": ["KZ-79"],
        "target_groups": ["rural women"],
        "budget_lines": lines.iter().enumerate().map(|(i, a)| json!({
            "category": "staff", "description": format!("line {i}"), "amount": {"amount": a, "currency": "EUR"}
        })).collect::<Vec<_>>()
    })
}

async fn draft(app: &TestApp, s: &Scene, body: &Value) -> String {
    let r = app
        .post(
            &format!("/api/v1/calls/{}/applications", s.call),
            Some(&s.ngo_manager),
            body,
        )
        .await
        .expect(201);
    r.body["id"].as_str().unwrap().to_owned()
}

both_backends! {
    async fn an_eligible_application_is_drafted_and_submitted(app) {
        let s = scene(&app, 86_400).await;
        let r = app
            .post(&format!("/api/v1/calls/{}/applications", s.call), Some(&s.ngo_manager), &application(&s.ngo, "3846.00", &["3000.00", "846.00"]))
            .await
            .expect(201);
        assert_eq!(r.body["status"], "draft");
        assert_eq!(r.body["allowed_actions"], json!(["submit", "withdraw"]));
        assert_eq!(r.body["budget_lines"][1]["amount"], json!({"amount": "846.00", "currency": "EUR"}));
        let path = format!("/api/v1/applications/{}", r.body["id"].as_str().unwrap());
        // Drafts are the applicant's business only.
        app.get(&path, Some(&s.c.manager)).await.expect_problem(404);
        app.get(&path, Some(&s.expert)).await.expect_problem(404);
        let submitted = app.post(&format!("{path}/submit"), Some(&s.ngo_manager), &json!({})).await.expect(200);
        assert_eq!(submitted.body["status"], "submitted");
        assert!(submitted.body["submitted_at"].is_string());
        assert_eq!(submitted.body["allowed_actions"], json!(["withdraw"]));
        // Now the programme's managers and the call's committee read it.
        let seen = app.get(&path, Some(&s.c.manager)).await.expect(200);
        assert_eq!(seen.body["allowed_actions"], json!([]));
        app.get(&path, Some(&s.expert)).await.expect(200);
        // The donor's managers see the applications to the programme they fund.
        let (officer_id, officer) = app.user(&s.c.admin, "officer@eu.example").await;
        app.add_member(&s.c.admin, &s.c.eu, &officer_id, "manager").await;
        app.get(&path, Some(&officer)).await.expect(200);
        let funded = app.get("/api/v1/applications", Some(&officer)).await.expect(200);
        assert_eq!(funded.body["data"].as_array().unwrap().len(), 1);
        let listed = app.get(&format!("/api/v1/applications?call_id={}", s.call), Some(&s.expert)).await.expect(200);
        assert_eq!(listed.body["data"].as_array().unwrap().len(), 1);
        // Submitted applications are no longer edited.
        let edit = app.patch(&path, Some(&s.ngo_manager), &json!({"duration_months": 11})).await.expect_problem(409);
        assert_eq!(edit.body["current_state"], "submitted");
        app.post(&format!("{path}/submit"), Some(&s.ngo_manager), &json!({})).await.expect_problem(409);
        app.post(&format!("{path}/withdraw"), Some(&s.c.manager), &json!({})).await.expect_problem(403);
        let w = app.post(&format!("{path}/withdraw"), Some(&s.ngo_manager), &json!({})).await.expect(200);
        assert_eq!(w.body["status"], "withdrawn");
    }

    async fn a_draft_withdrawn_before_submission_stays_the_applicants_own(app) {
        let s = scene(&app, 86_400).await;
        let id = draft(&app, &s, &application(&s.ngo, "3846.00", &["3846.00"])).await;
        let path = format!("/api/v1/applications/{id}");
        let w = app.post(&format!("{path}/withdraw"), Some(&s.ngo_manager), &json!({})).await.expect(200);
        assert_eq!(w.body["status"], "withdrawn");
        assert!(w.body["submitted_at"].is_null());
        let (officer_id, officer) = app.user(&s.c.admin, "officer@eu.example").await;
        app.add_member(&s.c.admin, &s.c.eu, &officer_id, "manager").await;
        // The committee, the programme's managers and the funders never saw it submitted.
        for token in [&s.expert, &s.c.manager, &officer] {
            app.get(&path, Some(token)).await.expect_problem(404);
            let listed = app.get("/api/v1/applications", Some(token)).await.expect(200);
            assert_eq!(listed.body["data"], json!([]));
        }
        app.get(&path, Some(&s.ngo_manager)).await.expect(200);
    }

    async fn a_list_shows_exactly_what_single_gets_allow(app) {
        let s = scene(&app, 86_400).await;
        let draft_only = draft(&app, &s, &application(&s.ngo, "3846.00", &["3846.00"])).await;
        let withdrawn_draft = draft(&app, &s, &application(&s.ngo, "3846.00", &["3846.00"])).await;
        app.post(&format!("/api/v1/applications/{withdrawn_draft}/withdraw"), Some(&s.ngo_manager), &json!({})).await.expect(200);
        let (sent, sender) = submitted(&app, &s, "Alpha", "3846.00").await;
        let (withdrawn_late, beta) = submitted(&app, &s, "Beta", "3000.00").await;
        app.post(&format!("/api/v1/applications/{withdrawn_late}/withdraw"), Some(&beta), &json!({})).await.expect(200);
        let (officer_id, officer) = app.user(&s.c.admin, "officer@eu.example").await;
        app.add_member(&s.c.admin, &s.c.eu, &officer_id, "manager").await;
        let all = [&draft_only, &withdrawn_draft, &sent, &withdrawn_late];
        for (who, token) in [("applicant", &s.ngo_manager), ("other applicant", &sender), ("expert", &s.expert), ("manager", &s.c.manager), ("funder", &officer), ("outsider", &s.c.outsider), ("admin", &s.c.admin)] {
            let listed = app.get("/api/v1/applications?limit=100", Some(token)).await.expect(200);
            let mut listed: Vec<String> = listed.body["data"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap().to_owned()).collect();
            listed.sort();
            let mut readable = Vec::new();
            for id in all {
                let (r, statements, checkouts) = app.counting(app.get(&format!("/api/v1/applications/{id}"), Some(token))).await;
                // The actor, then the application with its call and programme, its funders, its committee.
                assert!(statements <= 4 && checkouts == 1, "{who}: {statements} statements, {checkouts} checkouts");
                if r.status == 200 {
                    readable.push(id.clone());
                }
            }
            readable.sort();
            assert_eq!(listed, readable, "{who}");
        }
    }

    async fn submission_names_every_rule_that_fails(app) {
        let s = scene(&app, 86_400).await;
        let company = ngo(&app, &s.c.admin, "Kostanay LLP", "business", "KZ-39").await;
        let (bid, boss) = app.user(&s.c.admin, "boss@llp.kz").await;
        app.add_member(&s.c.admin, &company, &bid, "owner").await;
        let mut body = application(&company, "5000.00", &["3000.00"]);
        body["duration_months"] = json!(6);
        body["regions"] = json!(["KZ-39"]);
        let r = app.post(&format!("/api/v1/calls/{}/applications", s.call), Some(&boss), &body).await.expect(201);
        let path = format!("/api/v1/applications/{}", r.body["id"].as_str().unwrap());
        let refused = app.post(&format!("{path}/submit"), Some(&boss), &json!({})).await.expect_problem(422);
        assert_eq!(refused.field_errors(), [
            ("applicant_organization_id".to_owned(), "ineligible_kind".to_owned()),
            ("applicant_organization_id".to_owned(), "ineligible_region".to_owned()),
            ("regions.0".to_owned(), "ineligible_region".to_owned()),
            ("requested".to_owned(), "exceeds_cap".to_owned()),
            ("duration_months".to_owned(), "duration".to_owned()),
            ("budget_lines".to_owned(), "budget_total".to_owned()),
        ]);
        let still = app.get(&path, Some(&boss)).await.expect(200);
        assert_eq!(still.body["status"], "draft");

        // An eligible NGO fixing its budget gets through.
        let id = draft(&app, &s, &application(&s.ngo, "3846.00", &["3000.00"])).await;
        let path = format!("/api/v1/applications/{id}");
        let r = app.post(&format!("{path}/submit"), Some(&s.ngo_manager), &json!({})).await.expect_problem(422);
        assert_eq!(r.field_errors(), [("budget_lines".to_owned(), "budget_total".to_owned())]);
        // Lines adding up past the largest amount are refused as out of range (checked sum).
        let huge = application(&s.ngo, "3846.00", &["92233720368547758.07", "0.01"]);
        app.patch(&path, Some(&s.ngo_manager), &json!({"budget_lines": huge["budget_lines"]})).await.expect(200);
        let r = app.post(&format!("{path}/submit"), Some(&s.ngo_manager), &json!({})).await.expect_problem(422);
        assert_eq!(r.field_errors(), [("budget_lines".to_owned(), "range".to_owned())]);
        let lines = json!([{"category": "staff", "description": "Lawyer", "amount": {"amount": "3846.00", "currency": "EUR"}}]);
        app.patch(&path, Some(&s.ngo_manager), &json!({"budget_lines": lines})).await.expect(200);
        app.post(&format!("{path}/submit"), Some(&s.ngo_manager), &json!({})).await.expect(200);
    }

    async fn late_submissions_are_refused(app) {
        // A short window, then the app's clock moves past it.
        let s = scene(&app, 10).await;
        let id = draft(&app, &s, &application(&s.ngo, "3846.00", &["3846.00"])).await;
        let call = app.get(&format!("/api/v1/calls/{}", s.call), Some(&s.c.manager)).await.expect(200);
        let closes_at = chrono::DateTime::parse_from_rfc3339(call.body["closes_at"].as_str().unwrap()).unwrap();
        app.clock.set(closes_at.naive_utc() + chrono::TimeDelta::seconds(1));
        let r = app.post(&format!("/api/v1/applications/{id}/submit"), Some(&s.ngo_manager), &json!({})).await.expect_problem(422);
        assert_eq!(r.field_errors(), [("call".to_owned(), "deadline".to_owned())]);
        let r = app
            .post(&format!("/api/v1/calls/{}/applications", s.call), Some(&s.ngo_manager), &application(&s.ngo, "3846.00", &["3846.00"]))
            .await
            .expect_problem(409);
        assert!(r.body["detail"].as_str().unwrap().contains("closed"));
    }

    async fn another_ngo_cannot_read_or_change_an_application(app) {
        let s = scene(&app, 86_400).await;
        let id = draft(&app, &s, &application(&s.ngo, "3846.00", &["3846.00"])).await;
        let path = format!("/api/v1/applications/{id}");
        let rival = ngo(&app, &s.c.admin, "Rival NGO", "ngo", "KZ-79").await;
        let (rid, rival_manager) = app.user(&s.c.admin, "rival@ngo.kz").await;
        app.add_member(&s.c.admin, &rival, &rid, "owner").await;
        app.get(&path, Some(&rival_manager)).await.expect_problem(404);
        app.patch(&path, Some(&rival_manager), &json!({"duration_months": 1})).await.expect_problem(404);
        app.post(&format!("{path}/withdraw"), Some(&rival_manager), &json!({})).await.expect_problem(404);
        app.post(&format!("{path}/submit"), Some(&s.ngo_manager), &json!({})).await.expect(200);
        app.get(&path, Some(&rival_manager)).await.expect_problem(404);
        let list = app.get("/api/v1/applications", Some(&rival_manager)).await.expect(200);
        assert_eq!(list.body["data"], json!([]));
        // Applying on another organisation's behalf is refused.
        app.post(&format!("/api/v1/calls/{}/applications", s.call), Some(&rival_manager), &application(&s.ngo, "3846.00", &["3846.00"]))
            .await
            .expect_problem(403);
        // Members of the applicant read it but may not change it.
        let (mid, member) = app.user(&s.c.admin, "volunteer@legalaid.kz").await;
        app.add_member(&s.c.admin, &s.ngo, &mid, "member").await;
        let r = app.get(&path, Some(&member)).await.expect(200);
        assert_eq!(r.body["allowed_actions"], json!([]));
        app.post(&format!("{path}/withdraw"), Some(&member), &json!({})).await.expect_problem(403);
    }

    async fn draft_shapes_are_checked(app) {
        let s = scene(&app, 86_400).await;
        let mut body = application(&s.ngo, "3846.00", &["3846.00"]);
        body["requested"]["currency"] = json!("USD");
        body["duration_months"] = json!(0);
        body["partner_organization_ids"] = json!([s.ngo, uuid::Uuid::new_v4()]);
        body["budget_lines"][0]["category"] = json!(" ");
        let r = app.post(&format!("/api/v1/calls/{}/applications", s.call), Some(&s.ngo_manager), &body).await.expect_problem(422);
        let mut errors = r.field_errors();
        errors.sort();
        assert_eq!(errors, [
            ("budget_lines.0.category".to_owned(), "required".to_owned()),
            ("duration_months".to_owned(), "range".to_owned()),
            ("partner_organization_ids.0".to_owned(), "not_applicant".to_owned()),
            ("requested.currency".to_owned(), "currency_mismatch".to_owned()),
        ]);
        let mut body = application(&s.ngo, "3846.00", &["3846.00"]);
        body["partner_organization_ids"] = json!([uuid::Uuid::new_v4()]);
        let r = app.post(&format!("/api/v1/calls/{}/applications", s.call), Some(&s.ngo_manager), &body).await.expect_problem(422);
        assert_eq!(r.field_errors(), [("partner_organization_ids.0".to_owned(), "exists".to_owned())]);
    }
}

/// A new eligible NGO (region KZ-79) with an owner who drafts and submits an application for
/// `requested`; returns `(application id, owner token)`.
pub async fn submitted(app: &TestApp, s: &Scene, name: &str, requested: &str) -> (String, String) {
    let org = ngo(app, &s.c.admin, name, "ngo", "KZ-79").await;
    let email = format!("{}@ngo.kz", name.to_lowercase().replace(' ', "."));
    let (uid, token) = app.user(&s.c.admin, &email).await;
    app.add_member(&s.c.admin, &org, &uid, "owner").await;
    let r = app
        .post(
            &format!("/api/v1/calls/{}/applications", s.call),
            Some(&token),
            &application(&org, requested, &[requested]),
        )
        .await
        .expect(201);
    let id = r.body["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/applications/{id}/submit"),
        Some(&token),
        &json!({}),
    )
    .await
    .expect(200);
    (id, token)
}
