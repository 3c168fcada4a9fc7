//! Audit events are written with every change and readable by admins only.

use crate::both_backends;
use crate::helpers::PASSWORD;
use serde_json::json;

both_backends! {
    async fn changes_leave_audit_events_filterable_by_entity_and_actor(app) {
        let admin = app.admin_token().await;
        let me = app.get("/api/v1/me", Some(&admin)).await.expect(200);
        let admin_id = me.body["id"].as_str().unwrap().to_owned();
        let org = app.organization(&admin, "NGO").await;
        let (uid, user) = app.user(&admin, "u@example.org").await;
        app.add_member(&admin, &org, &uid, "manager").await;
        app.patch(&format!("/api/v1/organizations/{org}"), Some(&user), &json!({"themes": ["youth"]})).await.expect(200);
        app.patch(&format!("/api/v1/users/{uid}"), Some(&admin), &json!({"password": "another passphrase"})).await.expect(200);

        let events = app.get(&format!("/api/v1/audit-events?entity_type=organization&entity_id={org}"), Some(&admin)).await.expect(200);
        let actions: Vec<_> = events.body["data"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect();
        assert_eq!(actions, ["organization.create", "membership.create", "organization.update"]);
        assert_eq!(events.body["data"][2]["actor_id"], uid.as_str());
        assert_eq!(events.body["data"][2]["summary"], "changed themes");

        let by_admin = app.get(&format!("/api/v1/audit-events?actor_id={admin_id}"), Some(&admin)).await.expect(200);
        let actions: Vec<_> = by_admin.body["data"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect();
        assert_eq!(actions, ["organization.create", "user.create", "membership.create", "user.update"]);
        let update = &by_admin.body["data"][3];
        assert_eq!(update["summary"], "changed password");
        assert!(!update.to_string().contains("another passphrase"));
        assert!(!update.to_string().contains(PASSWORD));

        let page = app.get("/api/v1/audit-events?limit=2", Some(&admin)).await.expect(200);
        assert_eq!(page.body["data"].as_array().unwrap().len(), 2);
        assert!(page.body["next_cursor"].is_string());

        // The reset above ended the user's sessions: sign in again with the new password.
        app.get("/api/v1/audit-events", Some(&user)).await.expect_problem(401);
        let user = app.login("u@example.org", "another passphrase").await.expect(200);
        let user = user.body["access_token"].as_str().unwrap();
        app.get("/api/v1/audit-events", Some(user)).await.expect_problem(403);
    }
}
