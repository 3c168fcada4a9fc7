//! Reports, on both backends: the form saved by the grantee (money by its accountant),
//! submitted, sent back with comments, resubmitted and accepted; the money per budget line;
//! tranches tied to a report wait for its acceptance; outsiders see nothing.

use crate::both_backends;
use crate::requirements::{award, closed_call, listed};
use serde_json::{Value, json};

fn eur(amount: &str) -> Value {
    json!({"amount": amount, "currency": "EUR"})
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(f, c)| ((*f).to_owned(), (*c).to_owned()))
        .collect()
}

both_backends! {
    async fn a_tranche_tied_to_a_report_waits_for_its_acceptance(app) {
        let (s, apps) = closed_call(&app, None, None, 1).await;
        let g = award(&app, &s, &apps[0], "2026-04-01").await;
        let other = award(&app, &s, &apps[1], "2026-04-01").await;
        let reqs = listed(&app, &s.c.manager, &g, "").await;
        let first = reqs[0]["id"].as_str().unwrap().to_owned();
        let foreign = listed(&app, &s.c.manager, &other, "").await[0]["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/grants/{g}/disbursements");
        let body = |r: &str| json!({"amount": {"amount": "1000.00", "currency": "EUR"}, "planned_on": "2026-10-15", "requirement_id": r});
        for wrong in [foreign.as_str(), "0193a0c4-f100-7000-8000-000000000001"] {
            let r = app.post(&path, Some(&s.c.manager), &body(wrong)).await.expect_problem(422);
            assert_eq!(r.field_errors(), vec![("requirement_id".to_owned(), "not_found".to_owned())]);
        }
        let t = app.post(&path, Some(&s.c.manager), &body(&first)).await.expect(201);
        assert_eq!(t.body["requirement_id"], first.as_str());
        let tid = t.body["id"].as_str().unwrap();
        let listed_t = app.get(&path, Some(&s.c.manager)).await.expect(200);
        assert_eq!(listed_t.body["data"][0]["requirement_id"], first.as_str());
        let refused = app.post(&format!("/api/v1/disbursements/{tid}/approve"), Some(&s.c.manager), &json!({})).await.expect_problem(409);
        assert_eq!(refused.body["type"], "urn:seriktes:problem:report-not-accepted");
        assert_eq!(refused.body["requirement_id"], first.as_str());
        assert_eq!(refused.body["report_status"], "due");
        // A tranche tied to nothing is approved as before.
        let free = app.post(&path, Some(&s.c.manager), &json!({"amount": {"amount": "1000.00", "currency": "EUR"}, "planned_on": "2026-10-15"})).await.expect(201);
        assert_eq!(free.body["requirement_id"], serde_json::Value::Null);
        let fid = free.body["id"].as_str().unwrap();
        app.post(&format!("/api/v1/disbursements/{fid}/approve"), Some(&s.c.manager), &json!({})).await.expect(200);
    }
}

both_backends! {
    async fn a_report_is_saved_submitted_sent_back_resubmitted_and_accepted(app) {
        let (s, apps) = closed_call(&app, None, None, 0).await;
        let g = award(&app, &s, &apps[0], "2026-04-01").await;
        let grant = app.get(&format!("/api/v1/grants/{g}"), Some(&s.c.manager)).await.expect(200);
        let line = grant.body["budget_lines"][0]["id"].as_str().unwrap().to_owned();
        let reqs = listed(&app, &s.c.manager, &g, "").await;
        let (r1, r2) = (reqs[0]["id"].as_str().unwrap().to_owned(), reqs[1]["id"].as_str().unwrap().to_owned());
        let path = format!("/api/v1/reports/{r1}");
        let (aid, accountant) = app.user(&s.c.admin, "books@legalaid.kz").await;
        app.add_member(&s.c.admin, &s.ngo, &aid, "accountant").await;
        let (_, outsider) = app.user(&s.c.admin, "someone@elsewhere.kz").await;

        let due = app.get(&path, Some(&s.ngo_manager)).await.expect(200);
        assert_eq!(due.body["status"], "due");
        assert_eq!(due.body["allowed_actions"], json!(["edit"]));
        assert_eq!(due.body["period_start"], "2026-04-01");
        assert_eq!(due.body["budget"][0]["budget"], eur("3846.00"));
        assert_eq!(due.body["budget"][0]["variance_percent"], "-100.00");

        // The author writes the narrative; the accountant only the money.
        let saved = app.patch(&path, Some(&s.ngo_manager), &json!({"narrative": {"activities": {"en": "Three trainings held."}}})).await.expect(200);
        assert_eq!(saved.body["status"], "draft");
        assert_eq!(saved.header("etag"), Some("\"1\""));
        app.patch(&path, Some(&accountant), &json!({"narrative": {"results": {"en": "x"}}})).await.expect_problem(403);
        let wrong = app.patch(&path, Some(&accountant), &json!({"expenditures": [{"budget_line_id": line, "amount": {"amount": "10.00", "currency": "KZT"}, "note": null}]})).await.expect_problem(422);
        assert_eq!(wrong.field_errors().len(), 1);
        assert!(wrong.field_errors()[0].0.starts_with("expenditures.0"));
        let spent = app.patch(&path, Some(&accountant), &json!({"expenditures": [{"budget_line_id": line, "amount": eur("1000.00"), "note": "Trainer"}]})).await.expect(200);
        assert_eq!(spent.body["narrative"]["activities"]["en"], "Three trainings held.");
        assert_eq!(spent.body["budget"][0]["this_period"], eur("1000.00"));
        assert_eq!(spent.body["budget"][0]["to_date"], eur("1000.00"));
        assert_eq!(spent.body["budget"][0]["remaining"], eur("2846.00"));
        // A stale ETag is refused.
        app.patch_if_match(&path, &s.ngo_manager, "\"1\"", &json!({"narrative": {}})).await.expect_problem(412);

        // Submitting without the required results section names it.
        let incomplete = app.post(&format!("{path}/submit"), Some(&s.ngo_manager), &json!({})).await.expect_problem(422);
        assert_eq!(incomplete.field_errors(), pairs(&[("narrative.results", "required")]));
        app.patch(&path, Some(&s.ngo_manager), &json!({"narrative": {"activities": {"en": "Three trainings held."}, "results": {"en": "120 people trained."}}})).await.expect(200);
        app.post(&format!("{path}/submit"), Some(&accountant), &json!({})).await.expect_problem(403);
        let submitted = app.post(&format!("{path}/submit"), Some(&s.ngo_manager), &json!({})).await.expect(200);
        assert_eq!(submitted.body["status"], "submitted");
        assert_eq!(submitted.body["submissions"], 1);
        let locked = app.patch(&path, Some(&s.ngo_manager), &json!({"narrative": {}})).await.expect_problem(409);
        assert_eq!(locked.body["current_state"], "submitted");

        // Sent back with comments, edited, resubmitted, accepted.
        app.post(&format!("{path}/request-revision"), Some(&s.ngo_manager), &json!({"comments": [{"section": "results", "text": "How many women?"}]})).await.expect_problem(403);
        app.post(&format!("{path}/request-revision"), Some(&s.c.manager), &json!({"comments": []})).await.expect_problem(422);
        let back = app.post(&format!("{path}/request-revision"), Some(&s.c.manager), &json!({"comments": [{"section": "results", "text": "How many women?"}]})).await.expect(200);
        assert_eq!(back.body["status"], "revision_requested");
        app.patch(&path, Some(&s.ngo_manager), &json!({"narrative": {"activities": {"en": "Three trainings held."}, "results": {"en": "120 people trained, 70 women."}}})).await.expect(200);
        app.post(&format!("{path}/accept"), Some(&s.c.manager), &json!({})).await.expect_problem(409);
        app.post(&format!("{path}/submit"), Some(&s.ngo_manager), &json!({})).await.expect(200);
        let accepted = app.post(&format!("{path}/accept"), Some(&s.c.manager), &json!({})).await.expect(200);
        assert_eq!(accepted.body["status"], "accepted");
        assert_eq!(accepted.body["submissions"], 2);
        assert_eq!(accepted.body["allowed_actions"], json!([]));

        // The next report's money to date adds the accepted one's.
        let p2 = format!("/api/v1/reports/{r2}");
        let next = app.patch(&p2, Some(&accountant), &json!({"expenditures": [{"budget_line_id": line, "amount": eur("500.50"), "note": null}]})).await.expect(200);
        let b = &next.body["budget"][0];
        assert_eq!(b["this_period"], eur("500.50"));
        assert_eq!(b["to_date"], eur("1500.50"));
        assert_eq!(b["remaining"], eur("2345.50"));
        assert_eq!(b["variance_percent"], "-60.98");

        // Outsiders see nothing, change nothing.
        app.get(&path, Some(&outsider)).await.expect_problem(404);
        app.patch(&p2, Some(&outsider), &json!({"narrative": {}})).await.expect_problem(404);
        app.post(&format!("{p2}/submit"), Some(&outsider), &json!({})).await.expect_problem(404);
    }
}
