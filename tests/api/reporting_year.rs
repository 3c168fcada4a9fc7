//! The EFCA year, on both backends, through the HTTP API only: 17 grants of one call with
//! quarterly requirements; each grantee's director writes the narrative and the results, its
//! accountant the money; two reports come back for revision and are resubmitted; the tranche
//! tied to the interim report is refused before its acceptance and paid after; a report goes
//! overdue; a funder reads accepted reports only; the programme's results add up exactly.

use crate::both_backends;
use crate::grants::closed_call;
use crate::helpers::TestApp;
use crate::requirements::{clock_at, listed};
use serde_json::{Value, json};

fn eur(amount: &str) -> Value {
    json!({"amount": amount, "currency": "EUR"})
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// One grantee: its grant, director and accountant (tokens) and its requirements' ids in due
/// order (four quarters and the final report).
struct Grantee {
    grant: String,
    director: String,
    accountant: String,
    line: String,
    requirements: Vec<String>,
}

/// The values a grantee reports for a quarter: people reached by sex and age band, officials
/// trained by region, member organisations.
fn values(ind: &[String; 3], people: i64, officials: i64, members: i64) -> Value {
    let (female, male) = (people * 3 / 5, people - people * 3 / 5);
    let (young, elder) = (people / 10, people / 10);
    json!([
        {"indicator_id": ind[0], "value": people, "parts": [
            {"dimension": "sex", "category": "female", "count": female},
            {"dimension": "sex", "category": "male", "count": male},
            {"dimension": "age_band", "category": "0-17", "count": young},
            {"dimension": "age_band", "category": "18-29", "count": people - young - elder - people / 2},
            {"dimension": "age_band", "category": "30-64", "count": people / 2},
            {"dimension": "age_band", "category": "65+", "count": elder}
        ]},
        {"indicator_id": ind[1], "value": officials, "parts": [
            {"dimension": "region", "category": "KZ-79", "count": officials - 2},
            {"dimension": "region", "category": "KZ-61", "count": 2}
        ]},
        {"indicator_id": ind[2], "value": members, "parts": []}
    ])
}

/// The director fills in the narrative and the values, the accountant the money, the director
/// submits.
async fn report(app: &TestApp, g: &Grantee, quarter: usize, form: &Value, spent: &str) {
    let path = format!("/api/v1/reports/{}", g.requirements[quarter]);
    let narrative = json!({"activities": {"en": format!("Quarter {} trainings.", quarter + 1)}, "results": {"en": "Officials trained."}});
    app.patch(
        &path,
        Some(&g.director),
        &json!({"narrative": narrative, "indicator_values": form}),
    )
    .await
    .expect(200);
    let money = json!({"expenditures": [{"budget_line_id": g.line, "amount": eur(spent), "note": "Trainers"}]});
    app.patch(&path, Some(&g.accountant), &money)
        .await
        .expect(200);
    let r = app
        .post(&format!("{path}/submit"), Some(&g.director), &json!({}))
        .await
        .expect(200);
    assert_eq!(r.body["status"], "submitted");
}

async fn indicator(app: &TestApp, token: &str, programme: &str, body: Value) -> String {
    let r = app
        .post(
            &format!("/api/v1/programmes/{programme}/indicators"),
            Some(token),
            &body,
        )
        .await
        .expect(201);
    id(&r.body)
}

both_backends! {
    async fn the_efca_year_is_reported_reviewed_paid_and_rolled_up(app) {
        let (s, apps, _) = closed_call(&app, "65382.00", 16).await;
        let m = s.c.manager.clone();
        let ind = [
            indicator(&app, &m, &s.programme, json!({"code": "PEOPLE", "name": {"en": "People reached"}, "unit": "people", "kind": "count", "aggregation": "sum", "baseline": 0, "target": 10000, "disaggregation": ["sex", "age_band"]})).await,
            indicator(&app, &m, &s.programme, json!({"code": "OFFICIALS", "name": {"en": "Officials trained"}, "unit": "people", "kind": "count", "aggregation": "sum", "baseline": 0, "target": 150, "disaggregation": ["region"]})).await,
            indicator(&app, &m, &s.programme, json!({"code": "MEMBERS", "name": {"en": "New member organisations"}, "unit": "organisations", "kind": "count", "aggregation": "max", "target": 100})).await,
        ];
        let carried: Vec<Value> = ind.iter().map(|i| json!({"indicator_id": i})).collect();
        // One mentor organisation supervises every grantee.
        let mentor_org = app.organization(&s.c.admin, "EFCA Mentors").await;
        let (mentor_uid, _) = app.user(&s.c.admin, "mentor@efca.kz").await;
        app.add_member(&s.c.admin, &mentor_org, &mentor_uid, "member").await;

        // Seventeen grants, each with an accountant beside its director.
        let mut grantees = Vec::new();
        for (i, a) in apps.iter().enumerate() {
            let g = app.post(&format!("/api/v1/applications/{a}/award"), Some(&m), &json!({"starts_on": "2026-04-01", "indicators": carried, "mentor_organization_id": mentor_org})).await.expect(201);
            let org = g.body["grantee_organization_id"].as_str().unwrap().to_owned();
            let email = format!("books.{i:02}@ngo.kz");
            let (uid, _) = app.user(&s.c.admin, &email).await;
            app.add_member(&s.c.admin, &org, &uid, "accountant").await;
            let director = if i == 0 { "director@legalaid.kz".to_owned() } else { format!("ngo.{:02}@ngo.kz", i - 1) };
            grantees.push((id(&g.body), director, email, id(&g.body["budget_lines"][0])));
        }
        assert_eq!(grantees.len(), 17);

        // Mid-November 2026: the first two quarters are due.
        let m = clock_at(&app, "2026-11-15T09:00:00Z").await;
        let admin = app.token("admin@example.org").await;
        let mentor = app.token("mentor@efca.kz").await;
        let mut gs = Vec::new();
        for (grant, director, accountant, line) in grantees {
            let reqs = listed(&app, &m, &grant, "").await;
            assert_eq!(reqs.len(), 5);
            assert_eq!(reqs[0]["period_start"], "2026-04-01");
            assert_eq!(reqs[0]["due_on"], "2026-07-30");
            assert_eq!(reqs[1]["due_on"], "2026-10-30");
            gs.push(Grantee {
                grant,
                director: app.token(&director).await,
                accountant: app.token(&accountant).await,
                line,
                requirements: reqs.iter().map(id).collect(),
            });
        }

        // The second half of grant 0 waits for its interim (second-quarter) report.
        let (fid, foundation_accountant) = app.user(&admin, "accountant@foundation.kz").await;
        app.add_member(&admin, &s.c.foundation, &fid, "accountant").await;
        let g0 = &gs[0];
        let tranches = format!("/api/v1/grants/{}/disbursements", g0.grant);
        app.post(&tranches, Some(&m), &json!({"amount": eur("1923.00"), "planned_on": "2026-04-15"})).await.expect(201);
        let second = app.post(&tranches, Some(&m), &json!({"amount": eur("1923.00"), "planned_on": "2026-10-15", "requirement_id": g0.requirements[1]})).await.expect(201);
        let second = id(&second.body);

        // First quarter: everyone reports; two are sent back, corrected and resubmitted.
        for (i, g) in gs.iter().enumerate() {
            let people = if i == 3 || i == 7 { 999 } else { 100 + i64::try_from(i).unwrap() };
            report(&app, g, 0, &values(&ind, people, 5, 2), "500.00").await;
        }
        for (i, g) in gs.iter().enumerate() {
            let path = format!("/api/v1/reports/{}", g.requirements[0]);
            if i == 3 || i == 7 {
                let back = app.post(&format!("{path}/request-revision"), Some(&m), &json!({"comments": [{"section": "indicator_values", "text": "999 people in a quarter? Check the lists."}]})).await.expect(200);
                assert_eq!(back.body["status"], "revision_requested");
                app.post(&format!("{path}/accept"), Some(&m), &json!({})).await.expect_problem(409);
                let people = 100 + i64::try_from(i).unwrap();
                app.patch(&path, Some(&g.director), &json!({"indicator_values": values(&ind, people, 5, 2)})).await.expect(200);
                let again = app.post(&format!("{path}/submit"), Some(&g.director), &json!({})).await.expect(200);
                assert_eq!(again.body["submissions"], 2);
            }
            let accepted = app.post(&format!("{path}/accept"), Some(&m), &json!({})).await.expect(200);
            assert_eq!(accepted.body["status"], "accepted");
        }

        // The mentor comments on grant 0's accepted first report; the director reads it.
        let q1 = format!("/api/v1/reports/{}", g0.requirements[0]);
        app.post(&format!("{q1}/comments"), Some(&mentor), &json!({"section": "results", "text": "Add the women's share next time."})).await.expect(201);
        app.post(&format!("{q1}/accept"), Some(&mentor), &json!({})).await.expect_problem(403);
        let notes = app.get(&format!("{q1}/comments"), Some(&g0.director)).await.expect(200);
        assert_eq!(notes.body["data"][0]["text"], "Add the women's share next time.");
        // Grant 3's first report kept both submissions; the second changed the values only.
        let versions = app.get(&format!("/api/v1/reports/{}/versions", gs[3].requirements[0]), Some(&m)).await.expect(200);
        assert_eq!(versions.body["data"].as_array().unwrap().len(), 2);
        let v2 = app.get(&format!("/api/v1/reports/{}/versions/2", gs[3].requirements[0]), Some(&m)).await.expect(200);
        assert_eq!(v2.body["changed"], json!({"sections": [], "indicator_ids": [ind[0]], "budget_line_ids": []}));

        // Second quarter: sixteen report; grant 15's waits for review, grant 16 never reports.
        for (i, g) in gs.iter().enumerate().take(16) {
            report(&app, g, 1, &values(&ind, 200, 2, 5), "700.00").await;
            if i == 0 {
                // Submitted is not accepted: the tied tranche is still refused.
                let refused = app.post(&format!("/api/v1/disbursements/{second}/approve"), Some(&m), &json!({})).await.expect_problem(409);
                assert_eq!(refused.body["type"], "urn:seriktes:problem:report-not-accepted");
                assert_eq!(refused.body["report_status"], "submitted");
            }
            if i < 15 {
                app.post(&format!("/api/v1/reports/{}/accept", g.requirements[1]), Some(&m), &json!({})).await.expect(200);
            }
        }

        // Accepted: the second half is approved and paid.
        app.post(&format!("/api/v1/disbursements/{second}/approve"), Some(&m), &json!({})).await.expect(200);
        let paid = app.post(&format!("/api/v1/disbursements/{second}/pay"), Some(&foundation_accountant), &json!({"paid_on": "2026-11-16", "reference": "EFCA-INTERIM-00"})).await.expect(200);
        assert_eq!(paid.body["status"], "paid");

        // Grant 0's money to date: 500 + 700 of the first line's 3,000.
        let interim = app.get(&format!("/api/v1/reports/{}", g0.requirements[1]), Some(&g0.accountant)).await.expect(200);
        assert_eq!(interim.body["budget"][0]["this_period"], eur("700.00"));
        assert_eq!(interim.body["budget"][0]["to_date"], eur("1200.00"));
        assert_eq!(interim.body["budget"][0]["remaining"], eur("1800.00"));

        // Grant 16's interim report is overdue; grant 0's is not, nor anyone's first quarter.
        let late = listed(&app, &m, &gs[16].grant, "&overdue=true").await;
        assert_eq!(late.iter().map(id).collect::<Vec<_>>(), vec![gs[16].requirements[1].clone()]);
        assert!(listed(&app, &m, &g0.grant, "&overdue=true").await.is_empty());
        assert_eq!(late[0]["report_status"], "due");
        let statuses: Vec<Value> = listed(&app, &m, &gs[15].grant, "").await.iter().map(|r| r["report_status"].clone()).collect();
        assert_eq!(statuses, vec![json!("accepted"), json!("submitted"), json!("due"), json!("due"), json!("due")]);
        let saved = app.get(&format!("/api/v1/grants/{}/reports?status=accepted", gs[15].grant), Some(&m)).await.expect(200);
        assert_eq!(saved.body["data"].as_array().unwrap().len(), 1);
        let due = app.get(&format!("/api/v1/reports/{}", gs[16].requirements[1]), Some(&gs[16].director)).await.expect(200);
        assert_eq!(due.body["status"], "due");
        assert_eq!(due.body["overdue"], true);

        // The EU reads accepted reports, not the one still under review.
        let (eu_uid, eu) = app.user(&admin, "officer@eu.example").await;
        app.add_member(&admin, &s.c.eu, &eu_uid, "member").await;
        app.get(&format!("/api/v1/reports/{}", gs[0].requirements[1]), Some(&eu)).await.expect(200);
        app.get(&format!("/api/v1/reports/{}", gs[15].requirements[1]), Some(&eu)).await.expect_problem(404);
        // The programme's results: only accepted values count (grant 15's second report waits),
        // by each indicator's rule, with their disaggregation.
        let results = app.get(&format!("/api/v1/programmes/{}/results?by_grant=true", s.programme), Some(&m)).await.expect(200);
        let r = results.body["data"].as_array().unwrap();
        let codes: Vec<&str> = r.iter().map(|i| i["code"].as_str().unwrap()).collect();
        assert_eq!(codes, ["PEOPLE", "OFFICIALS", "MEMBERS"]);
        let (people, officials, members) = (&r[0], &r[1], &r[2]);
        assert_eq!((&people["actual"], &people["accepted_values"], &people["progress_percent"]), (&json!("4836"), &json!(32), &json!("48.36")));
        let categories = |i: &Value, d: &str| -> Vec<(String, i64)> {
            i["by_dimension"].as_array().unwrap().iter().find(|x| x["dimension"] == d).unwrap()["categories"]
                .as_array().unwrap().iter().map(|c| (c["category"].as_str().unwrap().to_owned(), c["value"].as_i64().unwrap())).collect()
        };
        let named = |list: &[(&str, i64)]| list.iter().map(|(c, n)| ((*c).to_owned(), *n)).collect::<Vec<_>>();
        assert_eq!(categories(people, "sex"), named(&[("female", 2895), ("male", 1941), ("other", 0), ("not_stated", 0)]));
        assert_eq!(categories(people, "age_band"), named(&[("0-17", 477), ("18-29", 1468), ("30-64", 2414), ("65+", 477)]));
        let periods: Vec<(&str, &str)> = people["by_period"].as_array().unwrap().iter().map(|p| (p["period_start"].as_str().unwrap(), p["actual"].as_str().unwrap())).collect();
        assert_eq!(periods, [("2026-04-01", "1836"), ("2026-07-01", "3000")]);
        assert_eq!(people["by_region"], json!([{"region": "KZ-79", "actual": "4836", "value": 4836, "denominator": null, "accepted_values": 32}]));
        assert_eq!(people["by_call"][0]["call_id"], s.call.as_str());
        assert_eq!(people["by_grant"].as_array().unwrap().len(), 17);
        assert_eq!((&officials["actual"], &officials["progress_percent"]), (&json!("115"), &json!("76.67")));
        let regions: Vec<(String, i64)> = categories(officials, "region").into_iter().filter(|(_, n)| *n > 0).collect();
        assert_eq!(regions, named(&[("KZ-61", 64), ("KZ-79", 51)]));
        // New member organisations: the largest count per grant, added over grants.
        assert_eq!((&members["actual"], &members["progress_percent"]), (&json!("79"), &json!("79.00")));
        // The public sees the same totals without any grantee's detail.
        let public = app.get(&format!("/api/v1/programmes/{}/results", s.programme), None).await.expect(200);
        assert_eq!(public.body["data"][0]["actual"], "4836");
        assert_eq!(public.body["data"][0]["by_grant"], Value::Null);
        // Grant 15's second report is accepted: the kept roll-up gives way to the new totals.
        app.post(&format!("/api/v1/reports/{}/accept", gs[15].requirements[1]), Some(&m), &json!({})).await.expect(200);
        let again = app.get(&format!("/api/v1/programmes/{}/results", s.programme), Some(&m)).await.expect(200);
        assert_eq!(again.body["data"][0]["actual"], "5036");
        assert_eq!(again.body["data"][2]["actual"], "82");
        let public = app.get(&format!("/api/v1/programmes/{}/results", s.programme), None).await.expect(200);
        assert_eq!(public.body["data"][0]["actual"], "5036");
        // Grant 0's grantee moves to Turkistan region: the breakdown by region follows.
        let g0_org = app.get(&format!("/api/v1/grants/{}", g0.grant), Some(&m)).await.expect(200).body["grantee_organization_id"].as_str().unwrap().to_owned();
        app.patch(&format!("/api/v1/organizations/{g0_org}"), Some(&admin), &json!({"region": "KZ-61"})).await.expect(200);
        let moved = app.get(&format!("/api/v1/programmes/{}/results", s.programme), None).await.expect(200);
        let regions: Vec<(&str, &str)> = moved.body["data"][0]["by_region"].as_array().unwrap().iter().map(|r| (r["region"].as_str().unwrap(), r["actual"].as_str().unwrap())).collect();
        assert_eq!(regions, [("KZ-61", "300"), ("KZ-79", "4736")]);

        // One grant against its own targets.
        let mine = app.get(&format!("/api/v1/grants/{}/results", g0.grant), Some(&g0.director)).await.expect(200);
        assert_eq!(mine.body["indicators"][0]["actual"], "300");
        let outsider = app.token("outsider@example.org").await;
        app.get(&format!("/api/v1/grants/{}/results", g0.grant), Some(&outsider)).await.expect_problem(404);
        app.get(&format!("/api/v1/reports/{}", gs[0].requirements[1]), Some(&outsider)).await.expect_problem(404);
    }
}
