//! Coalitions, on both backends: a network admits member organisations (its owners and
//! managers only, once at a time, never itself, never on a future day), lists them with
//! filters and pages, counts how it grew over a period ("five new member organisations"),
//! and a membership ends by removal or by the member leaving; parallel admissions of one
//! organisation admit it once.

use crate::applications::ngo;
use crate::both_backends;
use crate::helpers::TestApp;
use futures_util::future::join_all;
use serde_json::{Value, json};

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(f, c)| ((*f).to_owned(), (*c).to_owned()))
        .collect()
}

fn ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["member_organization_id"].as_str().unwrap().to_owned())
        .collect()
}

/// A network with a manager and a plain member, and `n` NGOs each with an owner.
struct Coalition {
    admin: String,
    network: String,
    coordinator: String,
    volunteer: String,
    ngos: Vec<(String, String)>,
}

async fn coalition(app: &TestApp, n: usize) -> Coalition {
    let admin = app.admin_token().await;
    let network = ngo(
        app,
        &admin,
        "Civil Platform of Kazakhstan",
        "network",
        "KZ-75",
    )
    .await;
    let (cid, coordinator) = app.user(&admin, "coordinator@platform.kz").await;
    app.add_member(&admin, &network, &cid, "manager").await;
    let (vid, volunteer) = app.user(&admin, "volunteer@platform.kz").await;
    app.add_member(&admin, &network, &vid, "member").await;
    let mut ngos = Vec::new();
    for i in 0..n {
        let org = ngo(app, &admin, &format!("Member NGO {i}"), "ngo", "KZ-79").await;
        let (uid, owner) = app.user(&admin, &format!("owner{i}@member.kz")).await;
        app.add_member(&admin, &org, &uid, "owner").await;
        ngos.push((org, owner));
    }
    Coalition {
        admin,
        network,
        coordinator,
        volunteer,
        ngos,
    }
}

both_backends! {
    async fn a_network_admits_lists_and_loses_members_and_counts_its_growth(app) {
        let c = coalition(&app, 6).await;
        let path = format!("/api/v1/organizations/{}/member-organizations", c.network);
        let admit = |org: &str, day: &str| json!({"member_organization_id": org, "joined_on": day});

        // Five join in 2026, one joined the year before.
        let days = ["2025-11-20", "2026-02-01", "2026-03-15", "2026-05-01", "2026-06-10", "2026-09-30"];
        let mut memberships = Vec::new();
        for ((org, _), day) in c.ngos.iter().zip(days) {
            let r = app.post(&path, Some(&c.coordinator), &admit(org, day)).await.expect(201);
            assert_eq!(r.body["member_organization_id"], org.as_str());
            assert_eq!(r.body["member_name"]["en"].as_str().unwrap(), format!("Member NGO {}", memberships.len()));
            assert_eq!(r.body["joined_on"], day);
            assert_eq!(r.body["current"], true);
            assert_eq!(r.body["allowed_actions"], json!(["end"]));
            assert_eq!(r.header("etag"), Some("\"1\""));
            let id = r.body["id"].as_str().unwrap().to_owned();
            assert_eq!(r.header("location").unwrap(), format!("/api/v1/network-memberships/{id}"));
            memberships.push(id);
        }

        // Refusals, each with its status and field.
        let (first, _) = &c.ngos[0];
        let again = app.post(&path, Some(&c.coordinator), &admit(first, "2026-01-01")).await.expect_problem(409);
        assert!(again.body["detail"].as_str().unwrap().contains("current member"));
        let r = app.post(&path, Some(&c.coordinator), &json!({"member_organization_id": c.network, "joined_on": "2099-01-01"})).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("member_organization_id", "self"), ("joined_on", "future")]));
        let r = app.post(&path, Some(&c.coordinator), &admit("0193a0c4-8000-7000-8000-00000000dead", "2026-01-01")).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("member_organization_id", "exists")]));
        app.post(&path, Some(&c.volunteer), &admit(first, "2026-01-01")).await.expect_problem(403);
        app.post(&path, Some(&c.ngos[1].1), &admit(first, "2026-01-01")).await.expect_problem(403);
        let not_network = format!("/api/v1/organizations/{}/member-organizations", c.ngos[1].0);
        let r = app.post(&not_network, Some(&c.admin), &admit(first, "2026-01-01")).await.expect_problem(409);
        assert!(r.body["detail"].as_str().unwrap().contains("kind network"));
        app.post("/api/v1/organizations/0193a0c4-8000-7000-8000-00000000dead/member-organizations", Some(&c.admin), &admit(first, "2026-01-01")).await.expect_problem(404);
        app.get(&path, None).await.expect_problem(401);

        // Every signed-in user reads the members, page by page and filtered.
        let all: Vec<String> = c.ngos.iter().map(|(o, _)| o.clone()).collect();
        let page = app.get(&format!("{path}?limit=4"), Some(&c.ngos[5].1)).await.expect(200);
        assert_eq!(ids(&page.body), all[..4].to_vec());
        assert_eq!(page.body["data"][0]["allowed_actions"], json!([]));
        let cursor = page.body["next_cursor"].as_str().unwrap();
        let rest = app.get(&format!("{path}?limit=4&cursor={cursor}"), Some(&c.ngos[5].1)).await.expect(200);
        assert_eq!(ids(&rest.body), all[4..].to_vec());
        assert_eq!(rest.body["next_cursor"], Value::Null);
        // The member's own owner may end its membership; others' are read only.
        assert_eq!(rest.body["data"][1]["allowed_actions"], json!(["end"]));
        let in_2026 = app.get(&format!("{path}?joined_from=2026-01-01&joined_to=2026-12-31"), Some(&c.volunteer)).await.expect(200);
        assert_eq!(ids(&in_2026.body), all[1..].to_vec());

        // The member leaves; the network removes another; an ended membership is final.
        let m0 = format!("/api/v1/network-memberships/{}", memberships[0]);
        app.post(&format!("{m0}/end"), Some(&c.ngos[1].1), &json!({})).await.expect_problem(403);
        app.post(&format!("{m0}/end"), Some(&c.volunteer), &json!({})).await.expect_problem(403);
        let r = app.post(&format!("{m0}/end"), Some(&c.ngos[0].1), &json!({"left_on": "2025-11-19"})).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("left_on", "before_joined")]));
        let r = app.post(&format!("{m0}/end"), Some(&c.ngos[0].1), &json!({"left_on": "2099-01-01"})).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("left_on", "future")]));
        let stale = app.raw(awc::http::Method::POST, &format!("{m0}/end"), &[("Authorization", &format!("Bearer {}", c.ngos[0].1)), ("If-Match", "\"7\""), ("Content-Type", "application/json")], b"{}".to_vec()).await;
        stale.expect_problem(412);
        let left = app.post(&format!("{m0}/end"), Some(&c.ngos[0].1), &json!({"left_on": "2026-04-30"})).await.expect(200);
        assert_eq!(left.body["left_on"], "2026-04-30");
        assert_eq!(left.body["current"], false);
        assert_eq!(left.body["allowed_actions"], json!([]));
        assert_eq!(left.header("etag"), Some("\"2\""));
        let twice = app.post(&format!("{m0}/end"), Some(&c.coordinator), &json!({})).await.expect_problem(409);
        assert_eq!(twice.body["current_state"], "ended");
        let m3 = format!("/api/v1/network-memberships/{}", memberships[3]);
        app.post(&format!("{m3}/end"), Some(&c.coordinator), &json!({"left_on": "2026-08-31"})).await.expect(200);
        let read = app.get(&m3, Some(&c.ngos[0].1)).await.expect(200);
        assert_eq!(read.body["left_on"], "2026-08-31");
        app.get("/api/v1/network-memberships/0193a0c4-8000-7000-8000-00000000dead", Some(&c.admin)).await.expect_problem(404);

        // Members now and who left; the one who left may join again, as a new membership.
        let current = app.get(&format!("{path}?current=true"), Some(&c.volunteer)).await.expect(200);
        assert_eq!(ids(&current.body), vec![all[1].clone(), all[2].clone(), all[4].clone(), all[5].clone()]);
        let former = app.get(&format!("{path}?current=false"), Some(&c.volunteer)).await.expect(200);
        assert_eq!(ids(&former.body), vec![all[0].clone(), all[3].clone()]);
        app.post(&path, Some(&c.coordinator), &admit(first, "2026-10-01")).await.expect(201);

        // 2026: six joined (five new organisations and one returning), two left, five now.
        let growth = app.get(&format!("{path}/growth?from=2026-01-01&to=2026-12-31"), Some(&c.ngos[2].1)).await.expect(200);
        assert_eq!(growth.body, json!({"network_organization_id": c.network, "from": "2026-01-01", "to": "2026-12-31", "current_members": 5, "joined": 6, "left": 2}));
        let first_half = app.get(&format!("{path}/growth?from=2026-01-01&to=2026-06-30"), Some(&c.volunteer)).await.expect(200);
        assert_eq!((&first_half.body["joined"], &first_half.body["left"]), (&json!(4), &json!(1)));
        let r = app.get(&format!("{path}/growth?from=2026-12-31&to=2026-01-01"), Some(&c.volunteer)).await.expect_problem(422);
        assert_eq!(r.field_errors(), pairs(&[("to", "before_from")]));
        app.get(&format!("{path}/growth?from=2026-01-01"), Some(&c.volunteer)).await.expect_problem(422);

        // Every change is in the audit log.
        let events = app.get(&format!("/api/v1/audit-events?entity_type=network_membership&entity_id={}", memberships[0]), Some(&c.admin)).await.expect(200);
        let kinds: Vec<&str> = events.body["data"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
        assert_eq!(kinds.len(), 2, "{kinds:?}");
        assert!(kinds.contains(&"network.member_admitted") && kinds.contains(&"network.member_left"), "{kinds:?}");
    }
}

both_backends! {
    async fn parallel_admissions_of_one_organisation_admit_it_once(app) {
        let c = coalition(&app, 1).await;
        let path = format!("/api/v1/organizations/{}/member-organizations", c.network);
        let body = json!({"member_organization_id": c.ngos[0].0});
        let answers = join_all((0..6).map(|_| app.post(&path, Some(&c.coordinator), &body))).await;
        let mut statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
        statuses.sort_unstable();
        assert_eq!(statuses, vec![201, 409, 409, 409, 409, 409], "{:?}", answers.iter().map(|r| &r.body).collect::<Vec<_>>());
        let listed = app.get(&path, Some(&c.coordinator)).await.expect(200);
        assert_eq!(listed.body["data"].as_array().unwrap().len(), 1);
    }
}
