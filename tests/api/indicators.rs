//! Indicators: a programme's catalogue (codes unique per programme, baselines and targets by
//! kind, the disaggregation registry), who reads and writes it, and the indicators a grant
//! carries, set at award and replaced by the programme's managers; an indicator a grant carries
//! keeps its kind, aggregation and dimensions.

use crate::both_backends;
use crate::grants::{award, closed_call};
use crate::helpers::{Resp, TestApp};
use crate::programmes::{active_programme, cast, programme_body};
use serde_json::{Value, json};

/// A count of people by sex and region.
fn count(code: &str) -> Value {
    json!({
        "code": code, "name": {"en": "Officials trained", "ru": "Обучено должностных лиц"},
        "unit": "people", "kind": "count", "aggregation": "sum",
        "baseline": 0, "target": 150, "disaggregation": ["region", "sex"]
    })
}

fn percentage(code: &str) -> Value {
    json!({
        "code": code, "name": {"en": "Share of women among participants"},
        "unit": "percent", "kind": "percentage", "aggregation": "latest", "baseline": 30, "target": 50
    })
}

fn qualitative(code: &str) -> Value {
    json!({"code": code, "name": {"en": "Policy changes"}, "unit": "documents", "kind": "qualitative", "aggregation": "latest"})
}

async fn add(app: &TestApp, token: &str, programme: &str, body: &Value) -> Resp {
    app.post(
        &format!("/api/v1/programmes/{programme}/indicators"),
        Some(token),
        body,
    )
    .await
}

async fn added(app: &TestApp, token: &str, programme: &str, body: &Value) -> String {
    let r = add(app, token, programme, body).await.expect(201);
    r.body["id"].as_str().unwrap().to_owned()
}

/// A programme in draft, as its manager creates it; `regions` replaces the default ones.
async fn draft_programme(app: &TestApp, c: &crate::programmes::Cast, regions: &Value) -> String {
    let mut body = programme_body(c);
    body["regions"] = regions.clone();
    let r = app
        .post("/api/v1/programmes", Some(&c.manager), &body)
        .await
        .expect(201);
    r.body["id"].as_str().unwrap().to_owned()
}

fn ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

fn errors(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(f, c)| ((*f).to_owned(), (*c).to_owned()))
        .collect()
}

/// The actions of the audit log about one object, oldest first.
async fn actions(app: &TestApp, admin: &str, entity_type: &str, id: &str) -> Vec<String> {
    let r = app
        .get(
            &format!("/api/v1/audit-events?entity_type={entity_type}&entity_id={id}&limit=200"),
            Some(admin),
        )
        .await
        .expect(200);
    let mut actions: Vec<(String, String)> = r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap().to_owned(),
                e["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    actions.sort();
    actions.into_iter().map(|(_, a)| a).collect()
}

both_backends! {
    async fn managers_keep_a_programmes_indicator_catalogue(app) {
        let c = cast(&app).await;
        let programme = active_programme(&app, &c).await;
        let path = format!("/api/v1/programmes/{programme}/indicators");
        let r = add(&app, &c.manager, &programme, &count("OUT-1.1")).await.expect(201);
        let id = r.body["id"].as_str().unwrap().to_owned();
        assert_eq!(r.header("location"), Some(format!("/api/v1/indicators/{id}").as_str()));
        assert_eq!(r.header("etag"), Some("\"1\""));
        assert_eq!(r.body["programme_id"], programme.as_str());
        assert_eq!(r.body["code"], "OUT-1.1");
        assert_eq!(r.body["name"], json!({"en": "Officials trained", "ru": "Обучено должностных лиц"}));
        assert_eq!((r.body["baseline"].clone(), r.body["target"].clone()), (json!(0), json!(150)));
        // A set, in registry order.
        assert_eq!(r.body["disaggregation"], json!(["sex", "region"]));
        let got = app.get(&format!("/api/v1/indicators/{id}"), Some(&c.outsider)).await.expect(200);
        assert_eq!(got.body, r.body);
        assert_eq!(got.header("etag"), Some("\"1\""));

        // Two more, a minute later.
        app.clock.advance(chrono::TimeDelta::minutes(1));
        let later = add(&app, &c.manager, &programme, &percentage("OUT-2")).await.expect(201);
        let pct = later.body["id"].as_str().unwrap().to_owned();
        let since = later.body["created_at"].as_str().unwrap().to_owned();
        let qual = added(&app, &c.manager, &programme, &qualitative("OUT-3")).await;
        let first = app.get(&format!("{path}?limit=2"), Some(&c.outsider)).await.expect(200);
        assert_eq!(ids(&first.body), [id.clone(), pct.clone()]);
        assert_eq!(first.body["data"][0], r.body);
        let cursor = first.body["next_cursor"].as_str().unwrap();
        let rest = app.get(&format!("{path}?limit=2&cursor={cursor}"), Some(&c.outsider)).await.expect(200);
        assert_eq!(ids(&rest.body), [qual.as_str()]);
        assert_eq!(rest.body["next_cursor"], Value::Null);
        let pcts = app.get(&format!("{path}?kind=percentage"), Some(&c.manager)).await.expect(200);
        assert_eq!(ids(&pcts.body), [pct.as_str()]);
        let recent = app.get(&format!("{path}?updated_since={since}"), Some(&c.manager)).await.expect(200);
        assert_eq!(ids(&recent.body), [pct.clone(), qual.clone()]);
        let bad = app.get(&format!("{path}?kind=ratio"), Some(&c.manager)).await.expect_problem(422);
        assert_eq!(bad.field_errors()[0].0, "kind");

        // Changes honour If-Match.
        let one = format!("/api/v1/indicators/{id}");
        let changed = app
            .patch_if_match(&one, &c.manager, "\"1\"", &json!({"target": 200, "name": {"en": "Officials trained", "kk": "Оқытылған лауазымды тұлғалар"}}))
            .await
            .expect(200);
        assert_eq!(changed.header("etag"), Some("\"2\""));
        assert_eq!(changed.body["target"], 200);
        assert_eq!(changed.body["name"]["kk"], "Оқытылған лауазымды тұлғалар");
        assert!(changed.body["name"].get("ru").is_none());
        let stale = app.patch_if_match(&one, &c.manager, "\"1\"", &json!({"target": 300})).await.expect_problem(412);
        assert_eq!(stale.body["type"], "urn:seriktes:problem:precondition-failed");
        let cleared = app.patch(&one, Some(&c.manager), &json!({"baseline": null})).await.expect(200);
        assert_eq!((cleared.body["baseline"].clone(), cleared.body["target"].clone()), (Value::Null, json!(200)));

        // A code is unique in its programme, not across programmes.
        let taken = add(&app, &c.manager, &programme, &count("OUT-1.1")).await.expect_problem(409);
        assert_eq!(taken.body["type"], "urn:seriktes:problem:indicator-code-taken");
        assert_eq!(taken.field_errors(), errors(&[("code", "unique")]));
        let renamed = app.patch(&format!("/api/v1/indicators/{pct}"), Some(&c.manager), &json!({"code": "OUT-1.1"})).await.expect_problem(409);
        assert_eq!(renamed.body["type"], "urn:seriktes:problem:indicator-code-taken");
        let other = draft_programme(&app, &c, &json!(["KZ-79"])).await;
        add(&app, &c.manager, &other, &count("OUT-1.1")).await.expect(201);
        let all = app.get(&format!("{path}?limit=50"), Some(&c.manager)).await.expect(200);
        assert_eq!(ids(&all.body).len(), 3);

        // Every change is in the audit log.
        assert_eq!(
            actions(&app, &c.admin, "indicator", &id).await,
            ["indicator.created", "indicator.updated", "indicator.updated"]
        );
    }

    async fn every_indicator_rule_names_its_field(app) {
        let c = cast(&app).await;
        let programme = active_programme(&app, &c).await;
        let bad = json!({
            "code": "out 1", "name": {}, "unit": "people", "kind": "count", "aggregation": "sum",
            "baseline": -1, "target": 1_000_000_000_001_i64, "disaggregation": ["sex", "age_band", "sex"]
        });
        let r = add(&app, &c.manager, &programme, &bad).await.expect_problem(422);
        assert_eq!(r.field_errors(), errors(&[
            ("code", "format"),
            ("name", "required"),
            ("baseline", "range"),
            ("target", "range"),
            ("disaggregation.2", "unique"),
        ]));
        let cases: Vec<(Value, &str, &str)> = vec![
            (json!({"code": "X".repeat(33)}), "code", "max_length"),
            (json!({"code": ""}), "code", "required"),
            (json!({"kind": "percentage", "baseline": 101, "target": 50}), "baseline", "range"),
            (json!({"kind": "percentage", "target": -1}), "target", "range"),
            (json!({"kind": "qualitative", "target": null}), "baseline", "not_allowed"),
            (json!({"kind": "qualitative", "baseline": null}), "target", "not_allowed"),
            (json!({"baseline": 26.0}), "baseline", "type"),
            (json!({"disaggregation": ["sex", "age_band", "disability", "region", "sex"]}), "disaggregation", "max_items"),
            (json!({"name": {"en": "x".repeat(501)}}), "name.en", "max_length"),
        ];
        for (change, field, code) in cases {
            let mut body = count("OUT-9");
            for (k, v) in change.as_object().unwrap() {
                body[k] = v.clone();
            }
            let r = add(&app, &c.manager, &programme, &body).await.expect_problem(422);
            assert_eq!(r.field_errors(), errors(&[(field, code)]), "{change}");
        }
        for (field, value) in [("unit", "kilograms"), ("kind", "ratio"), ("aggregation", "mean")] {
            let mut body = count("OUT-9");
            body[field] = json!(value);
            let r = add(&app, &c.manager, &programme, &body).await.expect_problem(422);
            assert_eq!(r.field_errors()[0].0, field, "{value}");
        }
        let mut body = count("OUT-9");
        body["disaggregation"] = json!(["gender"]);
        let r = add(&app, &c.manager, &programme, &body).await.expect_problem(422);
        assert_eq!(r.field_errors()[0].0, "disaggregation[0]");

        // `region` needs a programme with regions.
        let regionless = draft_programme(&app, &c, &json!([])).await;
        let r = add(&app, &c.manager, &regionless, &count("OUT-1")).await.expect_problem(422);
        assert_eq!(r.field_errors(), errors(&[("disaggregation.0", "no_regions")]));
        let mut by_sex = count("OUT-1");
        by_sex["disaggregation"] = json!(["sex", "age_band", "disability"]);
        add(&app, &c.manager, &regionless, &by_sex).await.expect(201);

        // A change is checked as a whole: a count turned qualitative loses its baseline and
        // target in the same change.
        let id = added(&app, &c.manager, &programme, &count("OUT-1")).await;
        let one = format!("/api/v1/indicators/{id}");
        let r = app.patch(&one, Some(&c.manager), &json!({"kind": "qualitative"})).await.expect_problem(422);
        assert_eq!(r.field_errors(), errors(&[("baseline", "not_allowed"), ("target", "not_allowed")]));
        let r = app.patch(&one, Some(&c.manager), &json!({"code": "a", "disaggregation": ["sex", "sex"]})).await.expect_problem(422);
        assert_eq!(r.field_errors(), errors(&[("code", "format"), ("disaggregation.1", "unique")]));
        let q = app.patch(&one, Some(&c.manager), &json!({"kind": "qualitative", "baseline": null, "target": null})).await.expect(200);
        assert_eq!((q.body["kind"].clone(), q.body["baseline"].clone()), (json!("qualitative"), Value::Null));
    }

    async fn the_catalogue_is_read_with_the_programme_and_written_by_its_managers(app) {
        let c = cast(&app).await;
        let draft = draft_programme(&app, &c, &json!(["KZ-79"])).await;
        let active = active_programme(&app, &c).await;
        let in_draft = added(&app, &c.manager, &draft, &count("OUT-1")).await;
        let in_active = added(&app, &c.manager, &active, &count("OUT-1")).await;
        let member = |org: String, email: &'static str, role: &'static str| {
            let (app, admin) = (&app, c.admin.clone());
            async move {
                let (uid, token) = app.user(&admin, email).await;
                app.add_member(&admin, &org, &uid, role).await;
                token
            }
        };
        let funder = member(c.eu.clone(), "member@eu.example.org", "member").await;
        let accountant = member(c.foundation.clone(), "accountant@foundation.kz", "accountant").await;
        let ngo = app.organization(&c.admin, "Shymkent Legal Aid").await;
        let ngo_owner = member(ngo, "director@legalaid.kz", "owner").await;
        let change = json!({"target": 10});
        // (who, token, [read, write] on the draft programme's catalogue, the same on the active one's)
        let rows: [(&str, &str, [u16; 2], [u16; 2]); 6] = [
            ("admin", c.admin.as_str(), [200, 201], [200, 201]),
            ("manager", c.manager.as_str(), [200, 201], [200, 201]),
            ("managing accountant", accountant.as_str(), [200, 403], [200, 403]),
            ("funder member", funder.as_str(), [200, 403], [200, 403]),
            ("NGO owner", ngo_owner.as_str(), [404, 404], [200, 403]),
            ("outsider", c.outsider.as_str(), [404, 404], [200, 403]),
        ];
        for (n, (who, token, on_draft, on_active)) in rows.into_iter().enumerate() {
            for (programme, indicator, [read, write]) in [(&draft, &in_draft, on_draft), (&active, &in_active, on_active)] {
                let list = app.get(&format!("/api/v1/programmes/{programme}/indicators"), Some(token)).await;
                assert_eq!(list.status, read, "{who} lists {programme}: {}", list.body);
                let one = app.get(&format!("/api/v1/indicators/{indicator}"), Some(token)).await;
                assert_eq!(one.status, read, "{who} reads {indicator}: {}", one.body);
                let created = add(&app, token, programme, &count(&format!("NEW-{n}"))).await;
                assert_eq!(created.status, write, "{who} adds to {programme}: {}", created.body);
                let patched = app.patch(&format!("/api/v1/indicators/{indicator}"), Some(token), &change).await;
                let changes = if write == 201 { 200 } else { write };
                assert_eq!(patched.status, changes, "{who} changes {indicator}: {}", patched.body);
            }
        }
        let nowhere = uuid::Uuid::now_v7();
        app.get(&format!("/api/v1/programmes/{nowhere}/indicators"), Some(&c.admin)).await.expect_problem(404);
        add(&app, &c.admin, &nowhere.to_string(), &count("OUT-1")).await.expect_problem(404);
        app.get(&format!("/api/v1/indicators/{nowhere}"), Some(&c.admin)).await.expect_problem(404);
        app.get(&format!("/api/v1/indicators/{in_active}"), None).await.expect_problem(401);
    }

    async fn grants_carry_indicators_set_at_award_and_replaced_by_the_managers(app) {
        let (s, apps, _) = closed_call(&app, "65382.00", 1).await;
        let m = &s.c.manager;
        let people = added(&app, m, &s.programme, &count("OUT-1")).await;
        let share = added(&app, m, &s.programme, &percentage("OUT-2")).await;
        let policy = added(&app, m, &s.programme, &qualitative("OUT-3")).await;
        let elsewhere = draft_programme(&app, &s.c, &json!(["KZ-79"])).await;
        let foreign = added(&app, m, &elsewhere, &count("OUT-1")).await;

        // An award naming an indicator of another programme is refused, and nothing is stored.
        let award_path = format!("/api/v1/applications/{}/award", apps[0]);
        let r = app.post(&award_path, Some(m), &json!({"starts_on": "2026-04-01", "indicators": [
            {"indicator_id": people, "target": 12}, {"indicator_id": foreign}
        ]})).await.expect_problem(422);
        assert_eq!(r.field_errors(), errors(&[("indicators.1.indicator_id", "exists")]));
        let too_many: Vec<Value> = (0..101).map(|_| json!({"indicator_id": people})).collect();
        let r = app.post(&award_path, Some(m), &json!({"starts_on": "2026-04-01", "indicators": too_many})).await.expect_problem(422);
        assert_eq!(r.field_errors(), errors(&[("indicators", "max_items")]));
        let g = award(&app, &s, &apps[0], &json!({"starts_on": "2026-04-01", "indicators": [
            {"indicator_id": people, "target": 12}, {"indicator_id": share}
        ]})).await;

        // The grantee reads them: the grant's own target, else the catalogue's.
        let path = format!("/api/v1/grants/{g}/indicators");
        let r = app.get(&path, Some(&s.ngo_manager)).await.expect(200);
        assert_eq!(r.header("etag"), Some("\"1\""));
        assert_eq!(r.body, json!({"grant_id": g, "indicators": [
            {"indicator_id": people, "code": "OUT-1", "name": {"en": "Officials trained", "ru": "Обучено должностных лиц"},
             "unit": "people", "kind": "count", "aggregation": "sum", "disaggregation": ["sex", "region"], "baseline": 0, "target": 12},
            {"indicator_id": share, "code": "OUT-2", "name": {"en": "Share of women among participants"},
             "unit": "percent", "kind": "percentage", "aggregation": "latest", "disaggregation": [], "baseline": 30, "target": 50}
        ]}));

        // Replacing the set: each of the programme's indicators once, within its kind.
        let bad = json!({"indicators": [
            {"indicator_id": people}, {"indicator_id": foreign}, {"indicator_id": people},
            {"indicator_id": share, "target": 101}, {"indicator_id": policy, "baseline": 1}
        ]});
        let r = app.put_if_match(&path, m, None, &bad).await.expect_problem(422);
        assert_eq!(r.field_errors(), errors(&[
            ("indicators.1.indicator_id", "exists"),
            ("indicators.2.indicator_id", "unique"),
            ("indicators.3.target", "range"),
            ("indicators.4.baseline", "not_allowed"),
        ]));
        let set = json!({"indicators": [{"indicator_id": policy}, {"indicator_id": people, "baseline": 5, "target": 20}]});
        app.put_if_match(&path, &s.ngo_manager, None, &set).await.expect_problem(403);
        app.put_if_match(&path, &s.c.outsider, None, &set).await.expect_problem(404);
        app.get(&path, Some(&s.c.outsider)).await.expect_problem(404);
        let nowhere = uuid::Uuid::now_v7();
        app.put_if_match(&format!("/api/v1/grants/{nowhere}/indicators"), m, None, &set).await.expect_problem(404);
        let r = app.put_if_match(&path, m, Some("\"1\""), &set).await.expect(200);
        assert_eq!(r.header("etag"), Some("\"2\""));
        let codes: Vec<(&str, &Value, &Value)> = r.body["indicators"].as_array().unwrap().iter()
            .map(|i| (i["code"].as_str().unwrap(), &i["baseline"], &i["target"])).collect();
        assert_eq!(codes, [("OUT-3", &Value::Null, &Value::Null), ("OUT-1", &json!(5), &json!(20))]);
        assert_eq!(app.get(&path, Some(&s.ngo_manager)).await.expect(200).body, r.body);
        // The set is part of the grant: its ETag moved on with it.
        let grant = app.get(&format!("/api/v1/grants/{g}"), Some(m)).await.expect(200);
        assert_eq!(grant.header("etag"), Some("\"2\""));
        app.put_if_match(&path, m, Some("\"1\""), &set).await.expect_problem(412);

        // What a grant carries keeps its kind, aggregation and dimensions; the rest may change.
        let carried = format!("/api/v1/indicators/{people}");
        let r = app.patch(&carried, Some(m), &json!({"kind": "percentage", "target": 80, "disaggregation": ["sex", "region"]})).await.expect_problem(409);
        assert_eq!(r.body["type"], "urn:seriktes:problem:indicator-in-use");
        assert_eq!(r.field_errors(), errors(&[("kind", "in_use")]));
        let r = app.patch(&carried, Some(m), &json!({"aggregation": "max", "disaggregation": ["sex"]})).await.expect_problem(409);
        assert_eq!(r.field_errors(), errors(&[("aggregation", "in_use"), ("disaggregation", "in_use")]));
        let r = app.patch(&carried, Some(m), &json!({"code": "OUT-1A", "unit": "other", "baseline": 1, "target": 160})).await.expect(200);
        assert_eq!(r.body["target"], 160);
        let shown = app.get(&path, Some(m)).await.expect(200);
        assert_eq!(shown.body["indicators"][1]["code"], "OUT-1A");
        assert_eq!(shown.body["indicators"][1]["target"], 20, "the grant's own target stays");
        // No longer carried, an indicator may change kind again.
        app.patch(&format!("/api/v1/indicators/{share}"), Some(m), &json!({"kind": "count"})).await.expect(200);
        let r = app.put_if_match(&path, m, None, &json!({"indicators": []})).await.expect(200);
        assert_eq!(r.body["indicators"], json!([]));
        app.patch(&carried, Some(m), &json!({"aggregation": "max"})).await.expect(200);

        assert_eq!(
            actions(&app, &s.c.admin, "grant", &g).await,
            ["grant.award", "grant.indicators_set", "grant.indicators_set"]
        );
    }
}
