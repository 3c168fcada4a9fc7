//! Every error status answers RFC 9457 problem+json, never a stack trace, and a failed write
//! leaves nothing behind.

use crate::both_backends;
use awc::http::Method;
use serde_json::json;

/// Sends `request` as written on a connection of its own and reads the answer until the server
/// closes it: `(status, head, body)`. For requests no HTTP client would build.
async fn raw_http(app: &crate::helpers::TestApp, request: String) -> (u16, String, String) {
    use std::io::{Read, Write};
    let addr = app.address.trim_start_matches("http://").to_owned();
    let raw = actix_web::rt::task::spawn_blocking(move || {
        let mut conn = std::net::TcpStream::connect(addr).unwrap();
        conn.set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .unwrap();
        // The server may answer and close before it has read everything.
        let _ = conn.write_all(request.as_bytes());
        let mut raw = Vec::new();
        let _ = conn.read_to_end(&mut raw);
        String::from_utf8(raw).unwrap()
    })
    .await
    .unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_owned(), body.to_owned())
}

both_backends! {
    async fn requests_the_http_layer_refuses_are_problem_json_too(app) {
        // 20,000 query parameters: a URI longer than the 65,534 bytes the server can hold.
        let query = vec!["a=1"; 20_000].join("&");
        let (status, head, body) = raw_http(&app, format!("GET /api/v1/public/grants?{query} HTTP/1.1\r\nHost: localhost\r\n\r\n")).await;
        assert_eq!(status, 400, "{head}");
        assert!(head.to_ascii_lowercase().contains("content-type: application/problem+json"), "{head}");
        let problem: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(problem["status"], 400);
        assert_eq!(problem["type"], "urn:seriktes:problem:malformed-request");
        assert!(problem["detail"].as_str().unwrap().contains("URI"), "{problem}");
        // A head over 128 KiB.
        let big = "x".repeat(140 * 1024);
        let (status, head, body) = raw_http(&app, format!("GET /health/live HTTP/1.1\r\nHost: localhost\r\nX-Big: {big}\r\n\r\n")).await;
        assert_eq!(status, 431, "{head}");
        let problem: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!((problem["status"].as_u64(), problem["type"].as_str()), (Some(431), Some("urn:seriktes:problem:request-head-too-large")));
        // A request line that is no HTTP.
        let (status, _, body) = raw_http(&app, "NOT HTTP AT ALL\r\n\r\n".to_owned()).await;
        assert_eq!(status, 400);
        assert_eq!(serde_json::from_str::<serde_json::Value>(&body).unwrap()["status"], 400);
        // Ordinary requests on the same server are untouched.
        let (status, head, _) = raw_http(&app, "GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".to_owned()).await;
        assert_eq!(status, 200, "{head}");
    }

    async fn malformed_json_is_400(app) {
        let admin = app.admin_token().await;
        let auth = format!("Bearer {admin}");
        let r = app
            .raw(Method::POST, "/api/v1/organizations", &[("Authorization", &auth), ("Content-Type", "application/json")], b"{\"kind\": ".to_vec())
            .await
            .expect_problem(400);
        assert_eq!(r.body["type"], "urn:seriktes:problem:malformed-request");
        app.raw(Method::POST, "/api/v1/auth/login", &[("Content-Type", "application/json")], br#"{"email": "a@example.org", "password": "x"} trailing"#.to_vec())
            .await
            .expect_problem(400);
    }

    async fn a_body_that_is_not_json_is_415(app) {
        let r = app
            .raw(Method::POST, "/api/v1/auth/login", &[("Content-Type", "text/plain")], b"email=a".to_vec())
            .await
            .expect_problem(415);
        assert_eq!(r.body["type"], "urn:seriktes:problem:unsupported-media-type");
        app.raw(Method::POST, "/api/v1/auth/login", &[], b"{}".to_vec()).await.expect_problem(415);
        // application/problem+json style suffixes are JSON too.
        app.raw(Method::POST, "/api/v1/auth/login", &[("Content-Type", "application/merge-patch+json")], b"{\"email\":\"a@b.kz\",\"password\":\"x\"}".to_vec())
            .await
            .expect_problem(401);
    }

    async fn a_body_over_256_kib_is_413(app) {
        let big = format!("{{\"email\": \"{}\", \"password\": \"x\"}}", "a".repeat(300 * 1024));
        let r = app
            .raw(Method::POST, "/api/v1/auth/login", &[("Content-Type", "application/json")], big.into_bytes())
            .await
            .expect_problem(413);
        assert_eq!(r.body["type"], "urn:seriktes:problem:payload-too-large");
    }

    async fn unknown_routes_are_404_and_wrong_methods_405(app) {
        let r = app.get("/api/v1/no-such-thing", None).await.expect_problem(404);
        assert_eq!(r.body["type"], "urn:seriktes:problem:not-found");
        app.get("/", None).await.expect_problem(404);
        let r = app.delete("/api/v1/auth/login", None).await.expect_problem(405);
        assert_eq!(r.body["type"], "urn:seriktes:problem:method-not-allowed");
        app.call(Method::PUT, "/api/v1/organizations", None, None).await.expect_problem(405);
    }

    async fn a_405_lists_the_methods_the_path_allows(app) {
        let r = app.delete("/api/v1/auth/login", None).await.expect_problem(405);
        assert_eq!(r.header("allow"), Some("POST"));
        let r = app.call(Method::PUT, "/api/v1/organizations", None, None).await.expect_problem(405);
        assert_eq!(r.header("allow"), Some("GET, POST"));
        let grant = format!("/api/v1/grants/{}", uuid::Uuid::new_v4());
        let r = app.delete(&grant, None).await.expect_problem(405);
        assert_eq!(r.header("allow"), Some("GET, PATCH"));
        let r = app.post("/api/v1/public/grants", None, &json!({})).await.expect_problem(405);
        assert_eq!(r.header("allow"), Some("GET"));
        assert!(r.body["detail"].as_str().unwrap().contains("GET"), "{}", r.body);
        // Every path of the contract answers an unsupported method with exactly its methods.
        let doc = app.get("/api-docs/openapi.json", None).await.expect(200).body;
        for (path, item) in doc["paths"].as_object().unwrap() {
            let methods: Vec<&str> = ["get", "post", "put", "patch", "delete"].into_iter().filter(|m| item.get(*m).is_some()).collect();
            let Some(other) = ["put", "delete", "post", "patch"].into_iter().find(|m| !methods.contains(m)) else { continue };
            let concrete = path.replace("{id}", &uuid::Uuid::new_v4().to_string());
            let r = app.call(Method::from_bytes(other.to_uppercase().as_bytes()).unwrap(), &concrete, None, None).await.expect_problem(405);
            let want = methods.iter().map(|m| m.to_uppercase()).collect::<Vec<_>>().join(", ");
            assert_eq!(r.header("allow"), Some(want.as_str()), "{other} {path}");
        }
    }

    async fn an_empty_cursor_is_the_first_page(app) {
        let r = app.get("/api/v1/public/grants?cursor=", None).await.expect(200);
        assert_eq!(r.body["data"], json!([]));
        let admin = app.admin_token().await;
        let r = app.get("/api/v1/users?limit=1&cursor=", Some(&admin)).await.expect(200);
        assert_eq!(r.body["data"].as_array().unwrap().len(), 1);
    }

    async fn a_whole_number_written_with_a_fraction_is_422_where_an_integer_is_due_as_the_contract_says(app) {
        let doc = app.get("/api-docs/openapi.json", None).await.expect(200).body;
        let description = doc["info"]["description"].as_str().unwrap();
        assert!(description.contains("`26.0`") && description.contains("422"), "{description}");
        let admin = app.admin_token().await;
        for limit in ["26.0", "2.6e1"] {
            let r = app.get(&format!("/api/v1/users?limit={limit}"), Some(&admin)).await.expect_problem(422);
            assert_eq!(r.field_errors()[0].0, "limit");
        }
        // In a body (calls::…): `"min_duration_months": 12.0` is refused the same way.
    }

    async fn a_malformed_id_in_a_path_is_404(app) {
        let admin = app.admin_token().await;
        app.get("/api/v1/organizations/not-a-uuid", Some(&admin)).await.expect_problem(404);
        app.get(&format!("/api/v1/organizations/{}", uuid::Uuid::new_v4()), Some(&admin)).await.expect_problem(404);
    }

    async fn shape_errors_are_422_naming_the_field_and_rule(app) {
        let admin = app.admin_token().await;
        let r = app.post("/api/v1/organizations", Some(&admin), &json!({"name": {"en": "X"}})).await.expect_problem(422);
        assert_eq!(r.field_errors(), [("kind".to_owned(), "required".to_owned())]);
        let r = app.post("/api/v1/organizations", Some(&admin), &json!({"kind": "ngo", "name": {"en": 5}})).await.expect_problem(422);
        assert_eq!(r.field_errors(), [("name.en".to_owned(), "type".to_owned())]);
        let r = app.post("/api/v1/organizations", Some(&admin), &json!({"kind": "ngo", "name": {"en": "X"}, "colour": "red"})).await.expect_problem(422);
        assert_eq!(r.field_errors(), [("colour".to_owned(), "unknown_field".to_owned())]);
        let r = app.get("/api/v1/users?limit=abc", Some(&admin)).await.expect_problem(422);
        assert_eq!(r.field_errors()[0].0, "limit");
        let r = app.get("/api/v1/users?limit=500", Some(&admin)).await.expect_problem(422);
        assert_eq!(r.field_errors(), [("limit".to_owned(), "range".to_owned())]);
        let r = app.get("/api/v1/users?cursor=forged", Some(&admin)).await.expect_problem(422);
        assert_eq!(r.field_errors(), [("cursor".to_owned(), "format".to_owned())]);
    }

    async fn text_with_a_nul_character_is_422_in_bodies_queries_and_cursors(app) {
        // Anonymous: base64url of "v1:" and a NUL, which PostgreSQL refused with a 500.
        let r = app.get("/api/v1/public/grants?cursor=djE6AA", None).await.expect_problem(422);
        assert_eq!(r.field_errors(), [("cursor".to_owned(), "format".to_owned())]);
        let admin = app.admin_token().await;
        for (path, field) in [
            ("/api/v1/audit-events?entity_type=user%00x", "entity_type"),
            ("/api/v1/organizations?bin=%00", "bin"),
            ("/api/v1/users?limit=5&email=a%00%40example.org", "email"),
        ] {
            let r = app.get(path, Some(&admin)).await.expect_problem(422);
            assert_eq!(r.field_errors(), [(field.to_owned(), "nul".to_owned())], "{path}");
        }
        let r = app.get("/api/v1/users?x%00y=1", Some(&admin)).await.expect_problem(422);
        assert_eq!(r.field_errors(), [("x\\u0000y".to_owned(), "nul".to_owned())]);
        let body = json!({"email": "nul@example.org", "name": "Before\u{0}After", "password": "a long passphrase"});
        let r = app.post("/api/v1/users", Some(&admin), &body).await.expect_problem(422);
        assert_eq!(r.field_errors(), [("name".to_owned(), "nul".to_owned())]);
        let body = json!({"kind": "ngo", "name": {"en": "X", "ru": "\u{0}"}});
        let r = app.post("/api/v1/organizations", Some(&admin), &body).await.expect_problem(422);
        assert_eq!(r.field_errors(), [("name.ru".to_owned(), "nul".to_owned())]);
        // An escaped backslash followed by "u0000" is ordinary text.
        let body = json!({"kind": "ngo", "name": {"en": "C:\\u0000"}});
        let r = app.post("/api/v1/organizations", Some(&admin), &body).await.expect(201);
        assert_eq!(r.body["name"]["en"], "C:\\u0000");
        let users = app.get("/api/v1/users", Some(&admin)).await.expect(200);
        assert_eq!(users.body["data"].as_array().unwrap().len(), 1, "only the admin");
    }

    async fn a_failed_write_stores_nothing(app) {
        let admin = app.admin_token().await;
        let body = json!({"kind": "ngo", "name": {"en": "First"}, "bin": "940740000911"});
        app.post("/api/v1/organizations", Some(&admin), &body).await.expect(201);
        let dup = json!({"kind": "donor", "name": {"en": "Second"}, "bin": "940740000911"});
        let r = app.post("/api/v1/organizations", Some(&admin), &dup).await.expect_problem(409);
        assert_eq!(r.field_errors(), [("bin".to_owned(), "unique".to_owned())]);
        let orgs = app.get("/api/v1/organizations", Some(&admin)).await.expect(200);
        assert_eq!(orgs.body["data"].as_array().unwrap().len(), 1);
        let events = app.get("/api/v1/audit-events?entity_type=organization", Some(&admin)).await.expect(200);
        assert_eq!(events.body["data"].as_array().unwrap().len(), 1, "no audit row for the refused insert");
    }
}
