//! Results, on both backends: reports written, submitted and accepted through the real
//! endpoints for three grants (two calls, three regions) over two quarters, one report left
//! submitted; the roll-ups by sum, latest and max, a percentage and a qualitative indicator,
//! by dimension, region, period, call and grant, the filters, progress, who sees what, and the
//! statements a request costs.

use crate::applications::{Scene, application, ngo};
use crate::both_backends;
use crate::calls::{call_body, draft_call};
use crate::helpers::TestApp;
use crate::programmes::programme_body;
use crate::requirements::{closed_call, listed};
use serde_json::{Value, json};

/// The five indicators of the scene, by code.
struct Indicators {
    people: String,
    members: String,
    peak: String,
    share: String,
    stories: String,
}

async fn indicator(app: &TestApp, s: &Scene, body: Value) -> String {
    let r = app
        .post(
            &format!("/api/v1/programmes/{}/indicators", s.programme),
            Some(&s.c.manager),
            &body,
        )
        .await
        .expect(201);
    r.body["id"].as_str().unwrap().to_owned()
}

async fn catalogue(app: &TestApp, s: &Scene) -> Indicators {
    let count = |code: &str, aggregation: &str, baseline: Value, target: Value, dims: Value| {
        json!({"code": code, "name": {"en": code}, "unit": "people", "kind": "count",
               "aggregation": aggregation, "baseline": baseline, "target": target, "disaggregation": dims})
    };
    Indicators {
        people: indicator(
            app,
            s,
            count(
                "OUT-1",
                "sum",
                json!(0),
                json!(100),
                json!(["sex", "age_band"]),
            ),
        )
        .await,
        members: indicator(
            app,
            s,
            count("OUT-2", "latest", json!(10), json!(20), json!([])),
        )
        .await,
        peak: indicator(
            app,
            s,
            count("OUT-3", "max", Value::Null, Value::Null, json!([])),
        )
        .await,
        share: indicator(
            app,
            s,
            json!({"code": "OUT-4", "name": {"en": "Share of women"}, "unit": "percent",
            "kind": "percentage", "aggregation": "sum", "baseline": 30, "target": 50}),
        )
        .await,
        stories: indicator(
            app,
            s,
            json!({"code": "OUT-5", "name": {"en": "Stories of change"}, "unit": "documents",
            "kind": "qualitative", "aggregation": "latest"}),
        )
        .await,
    }
}

/// Awards `application` from 2026-04-01 carrying every indicator (`people` with its own
/// target `people_target`, when given); returns the grant's id and its first two requirements.
async fn award(
    app: &TestApp,
    s: &Scene,
    i: &Indicators,
    application: &str,
    people_target: Option<i64>,
) -> (String, String, String) {
    let mut people = json!({"indicator_id": i.people});
    if let Some(t) = people_target {
        people["target"] = json!(t);
    }
    let items = json!([people, {"indicator_id": i.members}, {"indicator_id": i.peak},
        {"indicator_id": i.share}, {"indicator_id": i.stories}]);
    let g = app
        .post(
            &format!("/api/v1/applications/{application}/award"),
            Some(&s.c.manager),
            &json!({"starts_on": "2026-04-01", "indicators": items}),
        )
        .await
        .expect(201);
    let g = g.body["id"].as_str().unwrap().to_owned();
    let reqs = listed(app, &s.c.manager, &g, "").await;
    assert_eq!(
        (
            reqs[0]["period_start"].as_str(),
            reqs[0]["period_end"].as_str()
        ),
        (Some("2026-04-01"), Some("2026-06-30"))
    );
    assert_eq!(
        (
            reqs[1]["period_start"].as_str(),
            reqs[1]["period_end"].as_str()
        ),
        (Some("2026-07-01"), Some("2026-09-30"))
    );
    let id = |r: &Value| r["id"].as_str().unwrap().to_owned();
    (g, id(&reqs[0]), id(&reqs[1]))
}

/// One period's values: people (with parts), members, peak, share (numerator, denominator).
struct Values<'a> {
    people: i64,
    parts: &'a [(&'a str, &'a str, i64)],
    members: i64,
    peak: i64,
    share: (i64, i64),
}

/// Saves and submits report `report` by `author`; accepts it when `accept`.
async fn report(
    app: &TestApp,
    s: &Scene,
    i: &Indicators,
    author: &str,
    report: &str,
    v: Values<'_>,
    accept: bool,
) {
    let parts: Vec<Value> = v
        .parts
        .iter()
        .map(|(d, c, n)| json!({"dimension": d, "category": c, "count": n}))
        .collect();
    let body = json!({
        "narrative": {"activities": {"en": "Trainings held."}, "results": {"en": "People trained."}},
        "indicator_values": [
            {"indicator_id": i.people, "value": v.people, "parts": parts},
            {"indicator_id": i.members, "value": v.members},
            {"indicator_id": i.peak, "value": v.peak},
            {"indicator_id": i.share, "value": v.share.0, "denominator": v.share.1},
            {"indicator_id": i.stories, "text": "A village council adopted a plan."}
        ]
    });
    let path = format!("/api/v1/reports/{report}");
    app.patch(&path, Some(author), &body).await.expect(200);
    app.post(&format!("{path}/submit"), Some(author), &json!({}))
        .await
        .expect(200);
    if accept {
        app.post(&format!("{path}/accept"), Some(&s.c.manager), &json!({}))
            .await
            .expect(200);
    }
}

/// A second call of the scene's programme, decided on an application of a new NGO in
/// `region`; returns the call, the application and the NGO owner's token.
async fn second_call(app: &TestApp, s: &Scene, region: &str) -> (String, String, String) {
    let (expert_id, _) = app.user(&s.c.admin, "second.expert@example.org").await;
    let call = draft_call(app, &s.c, &s.programme, &call_body(&[&expert_id])).await;
    let path = format!("/api/v1/calls/{call}");
    app.post(&format!("{path}/publish"), Some(&s.c.manager), &json!({}))
        .await
        .expect(200);
    let org = ngo(app, &s.c.admin, "Almaty Youth Voices", "ngo", region).await;
    let (uid, owner) = app.user(&s.c.admin, "director@youthvoices.kz").await;
    app.add_member(&s.c.admin, &org, &uid, "owner").await;
    let a = app
        .post(
            &format!("{path}/applications"),
            Some(&owner),
            &application(&org, "3846.00", &["3846.00"]),
        )
        .await
        .expect(201);
    let a = a.body["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/applications/{a}/submit"),
        Some(&owner),
        &json!({}),
    )
    .await
    .expect(200);
    for step in ["close", "assign-reviews"] {
        app.post(&format!("{path}/{step}"), Some(&s.c.manager), &json!({}))
            .await
            .expect(200);
    }
    (call, a, owner)
}

/// The entry of `items` whose `key` is `value`.
fn entry<'a>(items: &'a Value, key: &str, value: &str) -> &'a Value {
    items
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e[key] == value)
        .unwrap_or_else(|| panic!("no {key} = {value} in {items}"))
}

/// `(key, actual)` of each entry of a breakdown.
fn actuals(items: &Value, key: &str) -> Vec<(String, Value)> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e[key].as_str().unwrap_or("null").to_owned(),
                e["actual"].clone(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, Value)> {
    list.iter()
        .map(|(k, a)| ((*k).to_owned(), json!(a)))
        .collect()
}

/// `(category, value)` of each category of dimension `d`.
fn categories(r: &Value, d: &str) -> Vec<(String, i64)> {
    entry(&r["by_dimension"], "dimension", d)["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["category"].as_str().unwrap().to_owned(),
                c["value"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn cats(list: &[(&str, i64)]) -> Vec<(String, i64)> {
    list.iter().map(|(c, n)| ((*c).to_owned(), *n)).collect()
}

both_backends! {
    async fn accepted_reports_roll_up_by_each_rule_and_breakdown(app) {
        let (s, apps) = closed_call(&app, None, None, 1).await;
        let i = catalogue(&app, &s).await;
        let (g1, g1p1, g1p2) = award(&app, &s, &i, &apps[0], Some(40)).await;
        let (g2, g2p1, g2p2) = award(&app, &s, &i, &apps[1], None).await;
        // The second grantee moves to KZ-61; the third is in KZ-31, under a second call.
        let g2_body = app.get(&format!("/api/v1/grants/{g2}"), Some(&s.c.manager)).await.expect(200);
        let g2_org = g2_body.body["grantee_organization_id"].as_str().unwrap().to_owned();
        app.patch(&format!("/api/v1/organizations/{g2_org}"), Some(&s.c.admin), &json!({"region": "KZ-61"})).await.expect(200);
        let (call2, a3, owner3) = second_call(&app, &s, "KZ-31").await;
        let (g3, g3p1, g3p2) = award(&app, &s, &i, &a3, None).await;
        let owner2 = app.token("ngo.00@ngo.kz").await;

        let v = |people, parts, members, peak, share| Values { people, parts, members, peak, share };
        report(&app, &s, &i, &s.ngo_manager, &g1p1, v(10, &[("sex", "female", 6), ("sex", "male", 4), ("age_band", "18-29", 10)], 5, 8, (3, 10)), true).await;
        report(&app, &s, &i, &s.ngo_manager, &g1p2, v(20, &[("sex", "female", 12), ("sex", "male", 8), ("age_band", "18-29", 5), ("age_band", "30-64", 15)], 3, 2, (4, 10)), true).await;
        report(&app, &s, &i, &owner2, &g2p1, v(30, &[("sex", "female", 10), ("sex", "male", 20), ("age_band", "30-64", 30)], 7, 1, (5, 20)), true).await;
        report(&app, &s, &i, &owner2, &g2p2, v(40, &[("sex", "female", 40), ("age_band", "65+", 40)], 9, 6, (10, 20)), true).await;
        report(&app, &s, &i, &owner3, &g3p1, v(50, &[("sex", "female", 25), ("sex", "male", 25), ("age_band", "0-17", 50)], 4, 5, (1, 4)), true).await;
        // Submitted, never accepted: counts nowhere.
        report(&app, &s, &i, &owner3, &g3p2, v(60, &[], 100, 500, (4, 4)), false).await;

        let path = format!("/api/v1/programmes/{}/results", s.programme);
        // The first request computes the roll-up and keeps it; the next reads it back, unchanged.
        let staff = format!("{path}?by_grant=true");
        let (r, statements, checkouts) = app.counting(app.get(&staff, Some(&s.c.manager))).await;
        let r = r.expect(200);
        assert!(statements <= 7, "{statements} statements");
        assert_eq!(checkouts, 1);
        let (kept, statements, _) = app.counting(app.get(&staff, Some(&s.c.manager))).await;
        assert!(statements <= 5, "{statements} statements");
        assert_eq!(kept.expect(200).body, r.body);
        assert_eq!(r.body["next_cursor"], Value::Null);
        let data = &r.body["data"];
        assert_eq!(data.as_array().unwrap().len(), 5);

        // Sum: every accepted value, 10 + 20 + 30 + 40 + 50.
        let people = entry(data, "code", "OUT-1");
        assert_eq!((people["actual"].clone(), people["value"].clone(), people["accepted_values"].clone()), (json!("150"), json!(150), json!(5)));
        assert_eq!((people["baseline"].clone(), people["target"].clone()), (json!(0), json!(100)));
        assert_eq!(people["progress_percent"], "150.00");
        assert_eq!(categories(people, "sex"), cats(&[("female", 93), ("male", 57), ("other", 0), ("not_stated", 0)]));
        assert_eq!(categories(people, "age_band"), cats(&[("0-17", 50), ("18-29", 15), ("30-64", 45), ("65+", 40)]));
        assert_eq!(actuals(&people["by_region"], "region"), pairs(&[("KZ-31", "50"), ("KZ-61", "70"), ("KZ-79", "30")]));
        assert_eq!(actuals(&people["by_period"], "period_start"), pairs(&[("2026-04-01", "90"), ("2026-07-01", "60")]));
        assert_eq!(entry(&people["by_period"], "period_start", "2026-07-01")["period_end"], "2026-09-30");
        assert_eq!(entry(&people["by_call"], "call_id", &s.call)["actual"], "100");
        assert_eq!(entry(&people["by_call"], "call_id", &call2)["actual"], "50");
        // Per grant, against the grant's own target (40 for the first, the catalogue's 100 else).
        let g = entry(&people["by_grant"], "grant_id", &g1);
        assert_eq!((g["actual"].clone(), g["target"].clone(), g["progress_percent"].clone()), (json!("30"), json!(40), json!("75.00")));
        assert_eq!(g["grantee_name"], json!({"en": "Shymkent Legal Aid"}));
        assert_eq!(g["grantee_organization_id"], s.ngo.as_str());
        assert_eq!(entry(&people["by_grant"], "grant_id", &g2)["progress_percent"], "70.00");
        assert_eq!(entry(&people["by_grant"], "grant_id", &g3)["actual"], "50");

        // Latest: per grant its latest accepted period (3, 9, 4), summed; within a period, that
        // period's values.
        let members = entry(data, "code", "OUT-2");
        assert_eq!((members["actual"].clone(), members["accepted_values"].clone()), (json!("16"), json!(3)));
        assert_eq!(members["progress_percent"], "60.00");
        assert_eq!(actuals(&members["by_period"], "period_start"), pairs(&[("2026-04-01", "16"), ("2026-07-01", "12")]));
        assert_eq!(actuals(&members["by_region"], "region"), pairs(&[("KZ-31", "4"), ("KZ-61", "9"), ("KZ-79", "3")]));
        assert_eq!(members["by_dimension"], json!([]));

        // Max: per grant its largest (8, 6, 5), summed; no target, no progress.
        let peak = entry(data, "code", "OUT-3");
        assert_eq!(peak["actual"], "19");
        assert_eq!(peak["progress_percent"], Value::Null);
        assert_eq!(actuals(&peak["by_period"], "period_start"), pairs(&[("2026-04-01", "14"), ("2026-07-01", "8")]));

        // Percentage: 23 / 64 = 35.94 %; from 30 % to 50 %: 29.70 % of the way.
        let share = entry(data, "code", "OUT-4");
        assert_eq!((share["value"].clone(), share["denominator"].clone()), (json!(23), json!(64)));
        assert_eq!(share["actual"], "35.94");
        assert_eq!(share["progress_percent"], "29.70");
        assert_eq!(entry(&share["by_region"], "region", "KZ-61")["actual"], "37.50");

        // Qualitative: no actual, the accepted texts counted.
        let stories = entry(data, "code", "OUT-5");
        assert_eq!((stories["actual"].clone(), stories["value"].clone(), stories["accepted_values"].clone()), (Value::Null, Value::Null, json!(5)));

        // Filters: a call, a region, a period range.
        let filtered = |query: String| {
            let path = format!("{staff}&{query}");
            let app = &app;
            let token = s.c.manager.clone();
            async move { app.get(&path, Some(&token)).await.expect(200).body }
        };
        let by_call = filtered(format!("call_id={call2}")).await;
        assert_eq!(entry(&by_call["data"], "code", "OUT-1")["actual"], "50");
        assert_eq!(entry(&by_call["data"], "code", "OUT-2")["actual"], "4");
        assert_eq!(entry(&by_call["data"], "code", "OUT-1")["by_grant"].as_array().unwrap().len(), 1);
        let by_region = filtered("region=kz-61".to_owned()).await;
        assert_eq!(entry(&by_region["data"], "code", "OUT-1")["actual"], "70");
        let later = filtered("period_from=2026-07-01".to_owned()).await;
        assert_eq!(entry(&later["data"], "code", "OUT-1")["actual"], "60");
        assert_eq!(entry(&later["data"], "code", "OUT-2")["actual"], "12");
        assert_eq!(entry(&later["data"], "code", "OUT-3")["actual"], "8");
        let earlier = filtered("period_to=2026-06-30".to_owned()).await;
        assert_eq!(entry(&earlier["data"], "code", "OUT-1")["actual"], "90");
        let none = filtered("period_from=2026-07-01&period_to=2026-08-31".to_owned()).await;
        let empty = entry(&none["data"], "code", "OUT-1");
        assert_eq!((empty["actual"].clone(), empty["accepted_values"].clone(), empty["progress_percent"].clone()), (Value::Null, json!(0), Value::Null));
        assert_eq!(categories(empty, "sex"), cats(&[("female", 0), ("male", 0), ("other", 0), ("not_stated", 0)]));
        let bad = app.get(&format!("{path}?region=nowhere&period_from=2026-09-01&period_to=2026-08-01"), Some(&s.c.manager)).await.expect_problem(422);
        let fields: Vec<String> = bad.field_errors().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["region", "period_to"]);

        // A page of the catalogue at a time.
        let first = app.get(&format!("{path}?limit=2"), Some(&s.c.manager)).await.expect(200);
        assert_eq!(first.body["data"].as_array().unwrap().len(), 2);
        let cursor = first.body["next_cursor"].as_str().unwrap();
        let rest = app.get(&format!("{path}?limit=3&cursor={cursor}"), Some(&s.c.manager)).await.expect(200);
        let codes: Vec<&str> = first.body["data"].as_array().unwrap().iter().chain(rest.body["data"].as_array().unwrap()).map(|i| i["code"].as_str().unwrap()).collect();
        assert_eq!(codes.len(), 5);
        assert_eq!(entry(&rest.body["data"], "code", codes[4])["actual"], entry(data, "code", codes[4])["actual"]);

        // Anonymous callers (and other signed-in users) see the same aggregate, no grantee detail.
        let (anonymous, statements, _) = app.counting(app.get(&path, None)).await;
        let anonymous = anonymous.expect(200);
        assert!(statements <= 5, "{statements} statements");
        let grantee = app.get(&path, Some(&owner3)).await.expect(200);
        for body in [&anonymous.body, &grantee.body] {
            for item in body["data"].as_array().unwrap() {
                assert!(item.get("by_grant").is_none(), "{item}");
                let mut full = entry(data, "code", item["code"].as_str().unwrap()).clone();
                full.as_object_mut().unwrap().remove("by_grant");
                assert_eq!(item, &full);
            }
        }
        // A funder's member is staff.
        let (fid, funder) = app.user(&s.c.admin, "officer@eu.example.org").await;
        app.add_member(&s.c.admin, &s.c.eu, &fid, "member").await;
        let f = app.get(&staff, Some(&funder)).await.expect(200);
        // The breakdown by grant is the staff's: others asking for it are refused.
        app.get(&staff, Some(&owner3)).await.expect_problem(403);
        app.get(&staff, None).await.expect_problem(403);
        // Without asking, staff get the aggregate too.
        let plain = app.get(&path, Some(&s.c.manager)).await.expect(200);
        assert_eq!(plain.body, anonymous.body);
        assert_eq!(entry(&f.body["data"], "code", "OUT-1")["by_grant"].as_array().unwrap().len(), 3);

        // A grant's results, against its own targets, by dimension and period.
        let gpath = format!("/api/v1/grants/{g1}/results");
        let (gr, statements, _) = app.counting(app.get(&gpath, Some(&s.ngo_manager))).await;
        let gr = gr.expect(200);
        assert!(statements <= 6, "{statements} statements");
        assert_eq!(gr.body["grant_id"], g1.as_str());
        let codes: Vec<&str> = gr.body["indicators"].as_array().unwrap().iter().map(|i| i["code"].as_str().unwrap()).collect();
        assert_eq!(codes, ["OUT-1", "OUT-2", "OUT-3", "OUT-4", "OUT-5"]);
        let people = &gr.body["indicators"][0];
        assert_eq!((people["actual"].clone(), people["target"].clone(), people["progress_percent"].clone()), (json!("30"), json!(40), json!("75.00")));
        assert_eq!(categories(people, "sex"), cats(&[("female", 18), ("male", 12), ("other", 0), ("not_stated", 0)]));
        assert_eq!(actuals(&people["by_period"], "period_start"), pairs(&[("2026-04-01", "10"), ("2026-07-01", "20")]));
        assert!(people.get("by_grant").is_none() && people.get("by_region").is_none());
        let members = &gr.body["indicators"][1];
        assert_eq!((members["actual"].clone(), members["progress_percent"].clone()), (json!("3"), json!("-70.00")));
        assert_eq!(gr.body["indicators"][3]["actual"], "35.00");
        assert_eq!(gr.body["indicators"][4]["accepted_values"], 2);
        let later = app.get(&format!("{gpath}?period_from=2026-07-01"), Some(&s.c.manager)).await.expect(200);
        assert_eq!(later.body["indicators"][0]["actual"], "20");
        // The third grant's submitted report does not count.
        let g3r = app.get(&format!("/api/v1/grants/{g3}/results"), Some(&owner3)).await.expect(200);
        assert_eq!(g3r.body["indicators"][2]["actual"], "5");
        assert_eq!(g3r.body["indicators"][0]["by_period"].as_array().unwrap().len(), 1);

        // Users of an unrelated organisation see nothing; anonymous callers must sign in.
        let unrelated = app.organization(&s.c.admin, "Unrelated NGO").await;
        let (uid, stranger) = app.user(&s.c.admin, "someone@unrelated.kz").await;
        app.add_member(&s.c.admin, &unrelated, &uid, "owner").await;
        app.get(&gpath, Some(&stranger)).await.expect_problem(404);
        app.get(&format!("/api/v1/grants/{g2}/results"), Some(&owner3)).await.expect_problem(404);
        app.get(&gpath, None).await.expect_problem(401);
        app.get(&format!("/api/v1/grants/{}/results", uuid::Uuid::now_v7()), Some(&s.c.manager)).await.expect_problem(404);
    }
}

both_backends! {
    async fn a_programme_that_is_not_active_has_no_public_results(app) {
        let (s, _) = closed_call(&app, None, None, 0).await;
        let r = app
            .post("/api/v1/programmes", Some(&s.c.manager), &programme_body(&s.c))
            .await
            .expect(201);
        let draft = r.body["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/programmes/{draft}/results");
        app.get(&path, None).await.expect_problem(404);
        app.get(&path, Some(&s.c.outsider)).await.expect_problem(404);
        let own = app.get(&path, Some(&s.c.manager)).await.expect(200);
        assert_eq!(own.body, json!({"data": [], "next_cursor": null}));
        app.get(&format!("/api/v1/programmes/{}/results", uuid::Uuid::now_v7()), None).await.expect_problem(404);
        // The active one answers anonymous callers, with an empty catalogue.
        let public = app.get(&format!("/api/v1/programmes/{}/results", s.programme), None).await.expect(200);
        assert_eq!(public.body, json!({"data": [], "next_cursor": null}));
    }
}
