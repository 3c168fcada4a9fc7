//! Races: requests that each pass a rule on their own must not break it together, on either
//! backend (`db::write`: every write transaction is serializable; PostgreSQL's are retried when
//! they lose a race). Each race runs several rounds, so that it fails reliably when the
//! isolation is missing (before it, PostgreSQL lost 6–10 of 10 organisations' owners).

use crate::both_backends;
use crate::helpers::{Resp, TestApp};
use futures_util::future::join_all;
use serde_json::{Value, json};
use seriktes_domain::user::SystemRole;

/// The statuses of `responses`, sorted.
fn statuses(responses: &[Resp]) -> Vec<u16> {
    let mut s: Vec<u16> = responses.iter().map(|r| r.status).collect();
    s.sort_unstable();
    s
}

/// Each response's status and body, for a failed assertion.
fn shown(responses: &[Resp]) -> Vec<(u16, &Value)> {
    responses.iter().map(|r| (r.status, &r.body)).collect()
}

async fn owners(app: &TestApp, admin: &str, org: &str) -> usize {
    let r = app
        .get(&format!("/api/v1/organizations/{org}/members"), Some(admin))
        .await
        .expect(200);
    r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "owner")
        .count()
}

both_backends! {
    async fn two_owners_leaving_at_once_leave_one_owner(app) {
        let admin = app.admin_token().await;
        for round in 0..10 {
            let org = app.organization(&admin, &format!("NGO {round}")).await;
            let (a_id, a) = app.user(&admin, &format!("a{round}@example.org")).await;
            let (b_id, b) = app.user(&admin, &format!("b{round}@example.org")).await;
            app.add_member(&admin, &org, &a_id, "owner").await;
            app.add_member(&admin, &org, &b_id, "owner").await;
            let base = format!("/api/v1/organizations/{org}/members");
            let (pa, pb) = (format!("{base}/{a_id}"), format!("{base}/{b_id}"));
            let both = join_all([app.delete(&pa, Some(&a)), app.delete(&pb, Some(&b))]).await;
            assert_eq!(statuses(&both), [204, 409], "round {round}: {:?}", shown(&both));
            let refused = both.iter().find(|r| r.status == 409).unwrap();
            assert_eq!(refused.header("content-type"), Some("application/problem+json"));
            assert!(refused.body["detail"].as_str().unwrap().contains("owner"), "{:?}", refused.body);
            assert_eq!(owners(&app, &admin, &org).await, 1, "round {round}");
        }
    }

    async fn two_admins_deactivating_each_other_at_once_leave_one_active(app) {
        let mut standing = app.seed_user("admin@example.org", SystemRole::Admin).await;
        let mut standing_token = app.token("admin@example.org").await;
        for round in 0..6 {
            let email = format!("admin{round}@example.org");
            let new = app.seed_user(&email, SystemRole::Admin).await;
            let new_token = app.token(&email).await;
            let off = json!({"active": false});
            let (p_new, p_standing) = (format!("/api/v1/users/{new}"), format!("/api/v1/users/{standing}"));
            let both = join_all([
                app.patch(&p_new, Some(&standing_token), &off),
                app.patch(&p_standing, Some(&new_token), &off),
            ])
            .await;
            // One wins. The other is refused as the last active admin when the two overlap,
            // or finds itself deactivated (401) when it came second.
            let s = statuses(&both);
            assert!(s == [200, 409] || s == [200, 401], "round {round}: {:?}", shown(&both));
            if let Some(refused) = both.iter().find(|r| r.status == 409) {
                assert_eq!(refused.header("content-type"), Some("application/problem+json"));
                assert!(refused.body["detail"].as_str().unwrap().contains("admin"), "{:?}", refused.body);
            }
            // Whoever is still active carries on into the next round.
            if both[0].status != 200 {
                standing = new;
                standing_token = new_token;
            }
            let users = app.get("/api/v1/users?limit=200", Some(&standing_token)).await.expect(200);
            let active_admins = users.body["data"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|u| u["system_role"] == "admin" && u["active"] == true)
                .count();
            assert_eq!(active_admins, 1, "round {round}");
        }
    }

    async fn parallel_updates_without_if_match_all_land(app) {
        let admin = app.admin_token().await;
        for round in 0..4 {
            let org = app.organization(&admin, &format!("NGO {round}")).await;
            let path = format!("/api/v1/organizations/{org}");
            let patches: [Value; 6] = [
                json!({"name": {"en": format!("Renamed {round}")}}),
                json!({"bin": "940740000911"}),
                json!({"region": "KZ-75"}),
                json!({"themes": ["youth", "education"]}),
                json!({"iati_identifier": "KZ-BIN-940740000911"}),
                json!({"kind": "network"}),
            ];
            let answers = join_all(patches.iter().map(|p| app.patch(&path, Some(&admin), p))).await;
            // No 412 without If-Match, and every acknowledged change is in the row.
            assert_eq!(statuses(&answers), [200; 6], "round {round}: {:?}", shown(&answers));
            let got = app.get(&path, Some(&admin)).await.expect(200);
            assert_eq!(got.body["name"]["en"], format!("Renamed {round}"));
            assert_eq!(got.body["bin"], "940740000911");
            assert_eq!(got.body["region"], "KZ-75");
            assert_eq!(got.body["themes"], json!(["youth", "education"]));
            assert_eq!(got.body["iati_identifier"], "KZ-BIN-940740000911");
            assert_eq!(got.body["kind"], "network");
            assert_eq!(got.header("etag"), Some("\"7\""), "one version per change");
            // The BIN and the IATI identifier are unique: free them for the next round.
            app.patch(&path, Some(&admin), &json!({"bin": null, "iati_identifier": null})).await.expect(200);
        }
    }

    async fn an_indicator_changing_kind_as_a_grant_takes_it_up_does_not_do_both(app) {
        // Each alone succeeds; together, whichever comes second is refused: a grant never
        // carries an indicator whose kind changed under it, nor a target set for another kind.
        let (s, apps, _) = crate::grants::closed_call(&app, "65382.00", 0).await;
        let g = crate::grants::award(&app, &s, &apps[0], &json!({"starts_on": "2026-04-01"})).await;
        let m = &s.c.manager;
        for round in 0..8 {
            let i = app.post(&format!("/api/v1/programmes/{}/indicators", s.programme), Some(m), &json!({
                "code": format!("OUT-{round}"), "name": {"en": "People reached"}, "unit": "people", "kind": "count", "aggregation": "sum"
            })).await.expect(201);
            let i = i.body["id"].as_str().unwrap().to_owned();
            let take_up = json!({"indicators": [{"indicator_id": i, "target": 500}]});
            let (put, patch) = futures_util::future::join(
                app.put_if_match(&format!("/api/v1/grants/{g}/indicators"), m, None, &take_up),
                app.patch(&format!("/api/v1/indicators/{i}"), Some(m), &json!({"kind": "percentage"})),
            )
            .await;
            match (put.status, patch.status) {
                (200, 409) => assert_eq!(patch.body["type"], "urn:seriktes:problem:indicator-in-use"),
                (422, 200) => assert_eq!(put.field_errors()[0].0, "indicators.0.target"),
                other => panic!("round {round}: {other:?}: {} / {}", put.body, patch.body),
            }
        }
    }
}
