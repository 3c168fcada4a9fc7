//! Memberships and the wall between organisations: a user of one organisation cannot read or
//! change another's members (404), and role rules hold.

use crate::both_backends;
use serde_json::json;

both_backends! {
    async fn members_are_added_by_email_or_id_and_listed(app) {
        let admin = app.admin_token().await;
        let org = app.organization(&admin, "Youth Centre").await;
        let (owner_id, owner) = app.user(&admin, "owner@example.org").await;
        app.add_member(&admin, &org, &owner_id, "owner").await;
        let (acc_id, _) = app.user(&admin, "acc@example.org").await;
        let r = app
            .post(&format!("/api/v1/organizations/{org}/members"), Some(&owner), &json!({"email": "ACC@example.org", "role": "accountant"}))
            .await
            .expect(201);
        assert_eq!(r.body["user_id"], acc_id.as_str());
        assert_eq!(r.body["role"], "accountant");
        assert_eq!(r.header("location"), Some(format!("/api/v1/organizations/{org}/members/{acc_id}").as_str()));
        let list = app.get(&format!("/api/v1/organizations/{org}/members"), Some(&owner)).await.expect(200);
        assert_eq!(list.body["data"].as_array().unwrap().len(), 2);
        let me = app.get("/api/v1/me", Some(&owner)).await.expect(200);
        assert_eq!(me.body["memberships"], json!([{"organization_id": org, "organization_name": {"en": "Youth Centre"}, "role": "owner"}]));

        let dup = app.post(&format!("/api/v1/organizations/{org}/members"), Some(&owner), &json!({"user_id": acc_id, "role": "member"})).await;
        dup.expect_problem(409);
        let unknown = app
            .post(&format!("/api/v1/organizations/{org}/members"), Some(&owner), &json!({"email": "ghost@example.org", "role": "member"}))
            .await
            .expect_problem(422);
        assert_eq!(unknown.field_errors(), [("email".to_owned(), "exists".to_owned())]);
        let both = app
            .post(&format!("/api/v1/organizations/{org}/members"), Some(&owner), &json!({"user_id": acc_id, "email": "acc@example.org", "role": "member"}))
            .await
            .expect_problem(422);
        assert_eq!(both.field_errors()[0].0, "user_id");
    }

    async fn a_user_of_one_organisation_cannot_see_or_change_anothers_members(app) {
        let admin = app.admin_token().await;
        let org_a = app.organization(&admin, "NGO A").await;
        let org_b = app.organization(&admin, "NGO B").await;
        let (a_id, a) = app.user(&admin, "a@example.org").await;
        let (b_id, _) = app.user(&admin, "b@example.org").await;
        app.add_member(&admin, &org_a, &a_id, "owner").await;
        app.add_member(&admin, &org_b, &b_id, "owner").await;

        let members_b = format!("/api/v1/organizations/{org_b}/members");
        let member_b = format!("{members_b}/{b_id}");
        app.get(&members_b, Some(&a)).await.expect_problem(404);
        app.get(&member_b, Some(&a)).await.expect_problem(404);
        app.post(&members_b, Some(&a), &json!({"user_id": a_id, "role": "owner"})).await.expect_problem(404);
        app.patch(&member_b, Some(&a), &json!({"role": "member"})).await.expect_problem(404);
        app.delete(&member_b, Some(&a)).await.expect_problem(404);
        app.patch(&format!("/api/v1/organizations/{org_b}"), Some(&a), &json!({"name": {"en": "Hijacked"}})).await.expect_problem(403);

        // Nothing changed in B.
        let b = app.get(&members_b, Some(&admin)).await.expect(200);
        assert_eq!(b.body["data"].as_array().unwrap().len(), 1);
        assert_eq!(b.body["data"][0]["role"], "owner");
        let org = app.get(&format!("/api/v1/organizations/{org_b}"), Some(&a)).await.expect(200);
        assert_eq!(org.body["name"], json!({"en": "NGO B"}));
        // A's own organisation is fine.
        app.get(&format!("/api/v1/organizations/{org_a}/members"), Some(&a)).await.expect(200);
    }

    async fn managers_cannot_touch_the_owner_role(app) {
        let admin = app.admin_token().await;
        let org = app.organization(&admin, "NGO").await;
        let (owner_id, _) = app.user(&admin, "owner@example.org").await;
        let (manager_id, manager) = app.user(&admin, "manager@example.org").await;
        let (member_id, member) = app.user(&admin, "member@example.org").await;
        app.add_member(&admin, &org, &owner_id, "owner").await;
        app.add_member(&admin, &org, &manager_id, "manager").await;
        app.add_member(&admin, &org, &member_id, "member").await;
        let base = format!("/api/v1/organizations/{org}/members");
        app.patch(&format!("{base}/{member_id}"), Some(&manager), &json!({"role": "owner"})).await.expect_problem(403);
        app.patch(&format!("{base}/{owner_id}"), Some(&manager), &json!({"role": "member"})).await.expect_problem(403);
        app.delete(&format!("{base}/{owner_id}"), Some(&manager)).await.expect_problem(403);
        let r = app.patch(&format!("{base}/{member_id}"), Some(&manager), &json!({"role": "accountant"})).await.expect(200);
        assert_eq!(r.body["role"], "accountant");
        assert_eq!(r.header("etag"), Some("\"2\""));
        // Members may read the list but not change it.
        app.get(&base, Some(&member)).await.expect(200);
        app.patch(&format!("{base}/{manager_id}"), Some(&member), &json!({"role": "member"})).await.expect_problem(403);
        app.patch_if_match(&format!("{base}/{member_id}"), &manager, "\"1\"", &json!({"role": "member"})).await.expect_problem(412);
    }

    async fn the_last_owner_stays_and_members_may_leave(app) {
        let admin = app.admin_token().await;
        let org = app.organization(&admin, "NGO").await;
        let (owner_id, owner) = app.user(&admin, "owner@example.org").await;
        let (member_id, member) = app.user(&admin, "member@example.org").await;
        app.add_member(&admin, &org, &owner_id, "owner").await;
        app.add_member(&admin, &org, &member_id, "member").await;
        let base = format!("/api/v1/organizations/{org}/members");
        let r = app.delete(&format!("{base}/{owner_id}"), Some(&owner)).await.expect_problem(409);
        assert!(r.body["detail"].as_str().unwrap().contains("owner"));
        app.patch(&format!("{base}/{owner_id}"), Some(&admin), &json!({"role": "manager"})).await.expect_problem(409);
        app.delete(&format!("{base}/{member_id}"), Some(&member)).await.expect(204);
        app.get(&base, Some(&member)).await.expect_problem(404);
        app.patch(&format!("{base}/{member_id}"), Some(&owner), &json!({"role": "owner"})).await.expect_problem(404);
        // With a second owner the first may go.
        app.add_member(&admin, &org, &member_id, "owner").await;
        app.delete(&format!("{base}/{owner_id}"), Some(&owner)).await.expect(204);
    }
}
