//! The report form's refusals, on both backends, each with its status, problem and field:
//! values that do not fit their indicator (kind, negative counts, parts that do not add up,
//! dimensions and categories outside the indicator's), money on lines of another grant or in
//! another currency, and who may do what (members and mentors read, funders only accepted
//! reports, outsiders nothing); a waived requirement's report and a suspended grant's are
//! frozen.

use crate::both_backends;
use crate::grants::{award, closed_call};
use serde_json::{Value, json};

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(f, c)| ((*f).to_owned(), (*c).to_owned()))
        .collect()
}

fn requirement_ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

both_backends! {
    async fn every_rule_of_the_form_is_refused_with_its_field(app) {
        let (s, apps, _) = closed_call(&app, "65382.00", 1).await;
        let m = &s.c.manager;
        let path = format!("/api/v1/programmes/{}/indicators", s.programme);
        let people = app.post(&path, Some(m), &json!({"code": "PEOPLE", "name": {"en": "People reached"}, "unit": "people", "kind": "count", "aggregation": "sum", "disaggregation": ["sex"]})).await.expect(201);
        let share = app.post(&path, Some(m), &json!({"code": "SHARE", "name": {"en": "Women among trainees"}, "unit": "percent", "kind": "percentage", "aggregation": "latest"})).await.expect(201);
        let story = app.post(&path, Some(m), &json!({"code": "STORY", "name": {"en": "Policy change"}, "unit": "documents", "kind": "qualitative", "aggregation": "latest"})).await.expect(201);
        let uncarried = app.post(&path, Some(m), &json!({"code": "OTHER", "name": {"en": "Other"}, "unit": "events", "kind": "count", "aggregation": "sum"})).await.expect(201);
        let (people, share, story, uncarried) = (&people.body["id"], &share.body["id"], &story.body["id"], &uncarried.body["id"]);
        let carried = json!([{"indicator_id": people}, {"indicator_id": share}, {"indicator_id": story}]);
        let g = award(&app, &s, &apps[0], &json!({"starts_on": "2026-04-01", "indicators": carried})).await;
        let other = award(&app, &s, &apps[1], &json!({"starts_on": "2026-04-01"})).await;
        let grant = app.get(&format!("/api/v1/grants/{g}"), Some(m)).await.expect(200);
        let line = grant.body["budget_lines"][0]["id"].clone();
        let foreign_line = app.get(&format!("/api/v1/grants/{other}"), Some(m)).await.expect(200).body["budget_lines"][0]["id"].clone();
        let reqs = requirement_ids(&app.get(&format!("/api/v1/grants/{g}/reporting-requirements"), Some(m)).await.expect(200).body);
        let report = format!("/api/v1/reports/{}", reqs[0]);
        let d = &s.ngo_manager;

        // Nothing to save.
        let empty = app.patch(&report, Some(d), &json!({})).await.expect_problem(422);
        assert_eq!(empty.field_errors(), pairs(&[("", "required")]));

        // Values: every broken rule at once, each on its field.
        let bad = json!({"indicator_values": [
            {"indicator_id": people, "value": 10, "parts": [
                {"dimension": "sex", "category": "female", "count": 6},
                {"dimension": "sex", "category": "male", "count": 3}
            ]},
            {"indicator_id": share, "value": 7, "denominator": 5},
            {"indicator_id": story, "value": 3},
            {"indicator_id": uncarried, "value": 1}
        ]});
        let r = app.patch(&report, Some(d), &bad).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[
            ("indicator_values.0.parts", "sum"),
            ("indicator_values.1.numerator", "range"),
            ("indicator_values.2.value", "kind"),
            ("indicator_values.3.indicator_id", "not_in_grant"),
        ]));
        let r = app.patch(&report, Some(d), &json!({"indicator_values": [{"indicator_id": people, "value": -1}]})).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("indicator_values.0.value", "range")]));
        let r = app.patch(&report, Some(d), &json!({"indicator_values": [{"indicator_id": people, "value": 4, "parts": [
            {"dimension": "age_band", "category": "0-17", "count": 4},
            {"dimension": "sex", "category": "unknown", "count": 4},
            {"dimension": "sex", "category": "female", "count": -4}
        ]}]})).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[
            ("indicator_values.0.parts.0.dimension", "not_disaggregated"),
            ("indicator_values.0.parts.1.category", "one_of"),
            ("indicator_values.0.parts.2.count", "range"),
        ]));
        let r = app.patch(&report, Some(d), &json!({"indicator_values": [{"indicator_id": people, "value": 1}, {"indicator_id": people, "value": 2}]})).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("indicator_values.1.indicator_id", "duplicate")]));

        // Money: on this grant's lines, in its currency, not negative.
        let r = app.patch(&report, Some(d), &json!({"expenditures": [
            {"budget_line_id": foreign_line, "amount": {"amount": "1.00", "currency": "EUR"}},
            {"budget_line_id": line, "amount": {"amount": "2.00", "currency": "USD"}}
        ]})).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[
            ("expenditures.0.budget_line_id", "not_in_grant"),
            ("expenditures.1.amount.currency", "currency"),
        ]));
        let r = app.patch(&report, Some(d), &json!({"expenditures": [{"budget_line_id": line, "amount": {"amount": "-1.00", "currency": "EUR"}}]})).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("expenditures.0.amount.amount", "positive")]));
        // Nothing of the refused requests was stored: the report is still due.
        let due = app.get(&report, Some(d)).await.expect(200);
        assert_eq!(due.body["status"], "due");

        // A consistent form is saved whole.
        let good = json!({"narrative": {"activities": {"en": "Trainings."}, "results": {"en": "Ten people."}}, "indicator_values": [
            {"indicator_id": people, "value": 10, "parts": [{"dimension": "sex", "category": "female", "count": 6}, {"dimension": "sex", "category": "male", "count": 4}]},
            {"indicator_id": share, "value": 6, "denominator": 10},
            {"indicator_id": story, "text": "The akimat adopted the single reporting form."}
        ]});
        let saved = app.patch(&report, Some(d), &good).await.expect(200);
        assert_eq!(saved.body["indicator_values"].as_array().unwrap().len(), 3);
        assert_eq!(saved.body["indicator_values"][1]["denominator"], 10);
    }
}

both_backends! {
    async fn members_and_mentors_read_funders_wait_for_acceptance_and_frozen_reports_stay(app) {
        let (s, apps, _) = closed_call(&app, "65382.00", 1).await;
        let m = &s.c.manager;
        let admin = &s.c.admin;
        let mentor = app.organization(admin, "Mentor Network").await;
        let (mentor_uid, mentor_member) = app.user(admin, "mentor@network.kz").await;
        app.add_member(admin, &mentor, &mentor_uid, "member").await;
        let (reader_uid, reader) = app.user(admin, "volunteer@legalaid.kz").await;
        app.add_member(admin, &s.ngo, &reader_uid, "member").await;
        let (eu_uid, eu) = app.user(admin, "officer@eu.example").await;
        app.add_member(admin, &s.c.eu, &eu_uid, "member").await;
        let g = award(&app, &s, &apps[0], &json!({"starts_on": "2026-04-01", "mentor_organization_id": mentor})).await;
        let reqs = requirement_ids(&app.get(&format!("/api/v1/grants/{g}/reporting-requirements"), Some(m)).await.expect(200).body);
        let report = format!("/api/v1/reports/{}", reqs[0]);
        let narrative = json!({"narrative": {"activities": {"en": "Trainings."}, "results": {"en": "Ten people."}}});
        app.patch(&report, Some(&s.ngo_manager), &narrative).await.expect(200);

        // Members of the grantee and the mentor read; neither writes nor decides.
        for token in [&reader, &mentor_member] {
            let r = app.get(&report, Some(token)).await.expect(200);
            assert_eq!(r.body["allowed_actions"], json!([]));
            app.patch(&report, Some(token), &narrative).await.expect_problem(403);
            app.post(&format!("{report}/submit"), Some(token), &json!({})).await.expect_problem(403);
        }
        // The funder sees nothing before acceptance, the outsider never.
        app.get(&report, Some(&eu)).await.expect_problem(404);
        app.post(&format!("{report}/submit"), Some(&s.ngo_manager), &json!({})).await.expect(200);
        app.get(&report, Some(&eu)).await.expect_problem(404);
        app.post(&format!("{report}/accept"), Some(&mentor_member), &json!({})).await.expect_problem(403);
        app.post(&format!("{report}/accept"), Some(&s.ngo_manager), &json!({})).await.expect_problem(403);
        app.post(&format!("{report}/accept"), Some(m), &json!({})).await.expect(200);
        let seen = app.get(&report, Some(&eu)).await.expect(200);
        assert_eq!(seen.body["status"], "accepted");
        app.patch(&report, Some(&eu), &narrative).await.expect_problem(403);
        app.get(&report, Some(&s.c.outsider)).await.expect_problem(404);
        // Accepted is final.
        let again = app.post(&format!("{report}/submit"), Some(&s.ngo_manager), &json!({})).await.expect_problem(409);
        assert_eq!(again.body["current_state"], "accepted");

        // A waived requirement's report cannot change.
        let second = format!("/api/v1/reports/{}", reqs[1]);
        app.post(&format!("/api/v1/reporting-requirements/{}/waive", reqs[1]), Some(m), &json!({"reason": "Merged with the next quarter."})).await.expect(200);
        let waived = app.patch(&second, Some(&s.ngo_manager), &narrative).await.expect_problem(409);
        assert!(waived.body["detail"].as_str().unwrap().contains("waived"));
        assert_eq!(app.get(&second, Some(&s.ngo_manager)).await.expect(200).body["allowed_actions"], json!([]));

        // A suspended grant's reports are frozen until it resumes.
        let third = format!("/api/v1/reports/{}", reqs[2]);
        app.post(&format!("/api/v1/grants/{g}/suspend"), Some(m), &json!({"reason": "Audit."})).await.expect(200);
        app.patch(&third, Some(&s.ngo_manager), &narrative).await.expect_problem(409);
        app.post(&format!("/api/v1/grants/{g}/resume"), Some(m), &json!({})).await.expect(200);
        app.patch(&third, Some(&s.ngo_manager), &narrative).await.expect(200);
    }
}
