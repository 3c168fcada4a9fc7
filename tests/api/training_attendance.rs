//! Training attendance counted toward a grant indicator, on both backends: a grantee NGO's
//! training linked to its grant's "officials trained" indicator (disaggregated by sex) shows,
//! in the grant's report for the period, the attended registrations as a suggested value with
//! its parts (a no-show not counted, an unanswered sex under `not_stated`); trainings outside
//! the period, not held or cancelled do not count; the grantee copies the suggestion into the
//! form and submits; every refusal of the link, and outsiders see no report (404).

use crate::both_backends;
use crate::grants::{award, closed_call};
use crate::helpers::TestApp;
use crate::meetings::body;
use chrono::{NaiveDate, TimeDelta};
use serde_json::{Value, json};

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(f, c)| ((*f).to_owned(), (*c).to_owned()))
        .collect()
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// A training of `organiser` on `day` (10:00–13:00 in Almaty), with registration open asking
/// sex, and `extra` fields over it.
fn training(organiser: &str, day: NaiveDate, extra: Value) -> Value {
    let mut b = body(
        organiser,
        json!({
            "kind": "training",
            "title": {"en": "Training of officials on public councils"},
            "starts_at": format!("{day}T10:00:00+06:00"),
            "ends_at": format!("{day}T13:00:00+06:00"),
            "registration": {"open": true, "demographics": ["sex"], "consent_version": "2026-12"}
        }),
    );
    for (k, v) in extra.as_object().unwrap() {
        b[k] = v.clone();
    }
    b
}

/// Registers each `(name, sex)` on `meeting`; returns the registrations' ids.
async fn register(app: &TestApp, meeting: &str, people: &[(&str, Option<&str>)]) -> Vec<String> {
    let mut ids = Vec::new();
    for (name, sex) in people {
        let mut b = json!({
            "name": name,
            "email": format!("{}-{meeting}@example.org", name.to_lowercase()),
            "consent": true
        });
        if let Some(sex) = sex {
            b["sex"] = json!(sex);
        }
        let r = app
            .post(
                &format!("/api/v1/meetings/{meeting}/registrations"),
                None,
                &b,
            )
            .await
            .expect(201);
        ids.push(id(&r.body["registration"]));
    }
    ids
}

async fn mark(app: &TestApp, token: &str, registration: &str, attendance: &str) {
    app.post(
        &format!("/api/v1/registrations/{registration}/attendance"),
        Some(token),
        &json!({"attendance": attendance}),
    )
    .await
    .expect(200);
}

async fn hold(app: &TestApp, token: &str, meeting: &str) {
    app.post(
        &format!("/api/v1/meetings/{meeting}/hold"),
        Some(token),
        &json!({}),
    )
    .await
    .expect(200);
}

both_backends! {
    async fn a_trainings_attendance_is_suggested_for_its_grant_indicator_and_copied(app) {
        let (s, apps, owners) = closed_call(&app, "65382.00", 1).await;
        let m = &s.c.manager;
        let path = format!("/api/v1/programmes/{}/indicators", s.programme);
        let officials = app.post(&path, Some(m), &json!({"code": "OFFICIALS", "name": {"en": "Officials trained"}, "unit": "people", "kind": "count", "aggregation": "sum", "disaggregation": ["sex"]})).await.expect(201);
        let share = app.post(&path, Some(m), &json!({"code": "SHARE", "name": {"en": "Women among trainees"}, "unit": "percent", "kind": "percentage", "aggregation": "latest"})).await.expect(201);
        let uncarried = app.post(&path, Some(m), &json!({"code": "OTHER", "name": {"en": "Other"}, "unit": "events", "kind": "count", "aggregation": "sum"})).await.expect(201);
        let (officials, share, uncarried) = (id(&officials.body), id(&share.body), id(&uncarried.body));
        let carried = json!([{"indicator_id": officials}, {"indicator_id": share}]);
        let g = award(&app, &s, &apps[0], &json!({"starts_on": "2026-04-01", "indicators": carried})).await;
        let other = award(&app, &s, &apps[1], &json!({"starts_on": "2026-04-01"})).await;
        let reqs = app.get(&format!("/api/v1/grants/{g}/reporting-requirements"), Some(m)).await.expect(200);
        let report = format!("/api/v1/reports/{}", id(&reqs.body["data"][0]));
        let d = &s.ngo_manager;
        let due = app.get(&report, Some(d)).await.expect(200);
        assert_eq!(due.body["suggested_values"], json!([]));
        let start: NaiveDate = due.body["period_start"].as_str().unwrap().parse().unwrap();
        let end: NaiveDate = due.body["period_end"].as_str().unwrap().parse().unwrap();
        let link = json!({"counts_toward": {"grant_id": g, "indicator_id": officials}});

        // The training in the period: four attended (one without sex), one no-show.
        let t = app.post("/api/v1/meetings", Some(d), &training(&s.ngo, start + TimeDelta::days(14), link.clone())).await.expect(201);
        assert_eq!(t.body["counts_toward"], json!({"grant_id": g, "indicator_id": officials}));
        let t = id(&t.body);
        let regs = register(&app, &t, &[("Aida", Some("female")), ("Bota", Some("female")), ("Chingiz", Some("male")), ("Dana", None), ("Erlan", Some("male"))]).await;
        hold(&app, d, &t).await;
        for (r, a) in regs.iter().zip(["attended", "attended", "attended", "attended", "no_show"]) {
            mark(&app, d, r, a).await;
        }
        // A training after the period, held, and one in the period never held, then cancelled.
        let later = id(&app.post("/api/v1/meetings", Some(d), &training(&s.ngo, end + TimeDelta::days(10), link.clone())).await.expect(201).body);
        let later_regs = register(&app, &later, &[("Farida", Some("female"))]).await;
        hold(&app, d, &later).await;
        mark(&app, d, &later_regs[0], "attended").await;
        let dropped = id(&app.post("/api/v1/meetings", Some(d), &training(&s.ngo, start + TimeDelta::days(20), link.clone())).await.expect(201).body);
        let dropped_regs = register(&app, &dropped, &[("Gulmira", Some("female"))]).await;
        mark(&app, d, &dropped_regs[0], "attended").await;
        let r = app.get(&report, Some(d)).await.expect(200);
        assert_eq!(r.body["suggested_values"][0]["value"], 4, "a planned meeting does not count");
        app.post(&format!("/api/v1/meetings/{dropped}/cancel"), Some(d), &json!({"reason": "The trainer fell ill"})).await.expect(200);

        let parts = json!([
            {"dimension": "sex", "category": "female", "count": 2},
            {"dimension": "sex", "category": "male", "count": 1},
            {"dimension": "sex", "category": "not_stated", "count": 1}
        ]);
        let r = app.get(&report, Some(d)).await.expect(200);
        assert_eq!(r.body["suggested_values"], json!([{"indicator_id": officials, "value": 4, "parts": parts, "meeting_ids": [t]}]));
        assert_eq!(r.body["indicator_values"], json!([]), "nothing is written into the report");
        // The programme's manager reads it too; another organisation's user sees no report.
        assert_eq!(app.get(&report, Some(m)).await.expect(200).body["suggested_values"][0]["value"], 4);
        app.get(&report, Some(&owners[1])).await.expect_problem(404);

        // The grantee copies the suggestion and submits: the report validates.
        let line = app.get(&format!("/api/v1/grants/{g}"), Some(m)).await.expect(200).body["budget_lines"][0]["id"].clone();
        let form = json!({
            "narrative": {"activities": {"en": "One training of officials."}, "results": {"en": "Four officials trained."}},
            "indicator_values": [
                {"indicator_id": officials, "value": r.body["suggested_values"][0]["value"], "parts": r.body["suggested_values"][0]["parts"]},
                {"indicator_id": share, "value": 2, "denominator": 4}
            ],
            "expenditures": [{"budget_line_id": line, "amount": {"amount": "100.00", "currency": "EUR"}, "note": null}]
        });
        let saved = app.patch(&report, Some(d), &form).await.expect(200);
        assert_eq!(saved.body["suggested_values"][0]["value"], 4, "a draft still shows it");
        let submitted = app.post(&format!("{report}/submit"), Some(d), &json!({})).await.expect(200);
        assert_eq!(submitted.body["status"], "submitted");
        assert_eq!(submitted.body["suggested_values"], json!([]), "a submitted report is not the grantee's to edit");
        assert_eq!(submitted.body["indicator_values"][0]["parts"], parts);

        // Refusals, each with its field; unknown grants and others' grants alike.
        let refused = |extra: Value| training(&s.ngo, start + TimeDelta::days(30), extra);
        let cases = [
            (json!({"kind": "round_table", "counts_toward": {"grant_id": g, "indicator_id": officials}}), ("counts_toward", "kind")),
            (json!({"counts_toward": {"grant_id": other, "indicator_id": officials}}), ("counts_toward.grant_id", "organised_by_grantee")),
            (json!({"counts_toward": {"grant_id": uuid::Uuid::now_v7(), "indicator_id": officials}}), ("counts_toward.grant_id", "organised_by_grantee")),
            (json!({"counts_toward": {"grant_id": g, "indicator_id": uncarried}}), ("counts_toward.indicator_id", "not_in_grant")),
            (json!({"counts_toward": {"grant_id": g, "indicator_id": share}}), ("counts_toward.indicator_id", "kind")),
        ];
        for (extra, want) in cases {
            let r = app.post("/api/v1/meetings", Some(d), &refused(extra)).await.expect_problem(422);
            assert_eq!(r.field_errors(), pairs(&[want]));
        }
        let other_grant = app.post("/api/v1/meetings", Some(d), &refused(json!({"counts_toward": {"grant_id": other, "indicator_id": officials}}))).await.expect_problem(422);
        let unknown = app.post("/api/v1/meetings", Some(d), &refused(json!({"counts_toward": {"grant_id": uuid::Uuid::now_v7(), "indicator_id": officials}}))).await.expect_problem(422);
        assert_eq!(other_grant.body["errors"], unknown.body["errors"], "no message tells the two apart");

        // A planned training's link is changed by PATCH (`null` clears it); a held one's is not.
        let plain = id(&app.post("/api/v1/meetings", Some(d), &refused(json!({}))).await.expect(201).body);
        let linked = app.patch(&format!("/api/v1/meetings/{plain}"), Some(d), &link).await.expect(200);
        assert_eq!(linked.body["counts_toward"]["indicator_id"], json!(officials));
        let wrong = app.patch(&format!("/api/v1/meetings/{plain}"), Some(d), &json!({"kind": "forum"})).await.expect_problem(422);
        assert_eq!(wrong.field_errors(), pairs(&[("counts_toward", "kind")]));
        let cleared = app.patch(&format!("/api/v1/meetings/{plain}"), Some(d), &json!({"counts_toward": null})).await.expect(200);
        assert_eq!(cleared.body["counts_toward"], Value::Null);
        app.patch(&format!("/api/v1/meetings/{t}"), Some(d), &json!({"counts_toward": null})).await.expect_problem(409);
    }
}
