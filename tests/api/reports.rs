//! Reports, on both backends: tranches tied to a report wait for its acceptance.

use crate::both_backends;
use crate::requirements::{award, closed_call, listed};
use serde_json::json;

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
