//! Sign-in, refresh rotation and reuse detection, sign-out, token tampering.

use crate::both_backends;
use crate::helpers::{Backend, JWT_SECRET, PASSWORD, TestApp, spawn_app_with};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::TimeDelta;
use serde_json::json;
use seriktes_domain::user::SystemRole;

fn now() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

fn forge(alg: jsonwebtoken::Algorithm, claims: &serde_json::Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(alg),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

both_backends! {
    async fn login_returns_a_token_pair_that_opens_me(app) {
        let id = app.seed_user("Aigerim@Example.org", SystemRole::User).await;
        let r = app.login("aigerim@EXAMPLE.org", PASSWORD).await.expect(200);
        assert_eq!(r.body["token_type"], "Bearer");
        assert_eq!(r.body["expires_in"], 900);
        assert!(r.body["refresh_token"].as_str().unwrap().len() >= 43);
        let token = r.body["access_token"].as_str().unwrap();
        let me = app.get("/api/v1/me", Some(token)).await.expect(200);
        assert_eq!(me.body["id"], id.as_str());
        assert_eq!(me.body["email"], "aigerim@example.org");
        assert!(me.body.get("password_hash").is_none());
        assert_eq!(me.body["memberships"], json!([]));
    }

    async fn a_wrong_email_and_a_wrong_password_get_the_same_401(app) {
        app.seed_user("a@example.org", SystemRole::User).await;
        let wrong_password = app.login("a@example.org", "not the password").await.expect_problem(401);
        let wrong_email = app.login("nobody@example.org", PASSWORD).await.expect_problem(401);
        let malformed_email = app.login("not an email", PASSWORD).await.expect_problem(401);
        assert_eq!(wrong_password.body, wrong_email.body);
        assert_eq!(wrong_password.body, malformed_email.body);
        assert_eq!(wrong_password.header("www-authenticate"), Some("Bearer"));
    }

    async fn refresh_rotates_and_a_reused_token_revokes_the_family(app) {
        app.seed_user("a@example.org", SystemRole::User).await;
        let first = app.login("a@example.org", PASSWORD).await.expect(200);
        let r1 = first.body["refresh_token"].as_str().unwrap().to_owned();
        let second = app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": r1})).await.expect(200);
        let r2 = second.body["refresh_token"].as_str().unwrap().to_owned();
        assert_ne!(r1, r2);
        app.get("/api/v1/me", Some(second.body["access_token"].as_str().unwrap())).await.expect(200);

        // r1 again: a replay. It fails, and so does r2, its successor.
        app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": r1})).await.expect_problem(401);
        app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": r2})).await.expect_problem(401);

        // Another sign-in is a separate family and still works.
        let other = app.login("a@example.org", PASSWORD).await.expect(200);
        let r3 = other.body["refresh_token"].as_str().unwrap();
        app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": r3})).await.expect(200);
    }

    async fn logout_revokes_the_refresh_token(app) {
        app.seed_user("a@example.org", SystemRole::User).await;
        let r = app.login("a@example.org", PASSWORD).await.expect(200);
        let refresh = r.body["refresh_token"].as_str().unwrap();
        let out = app.post("/api/v1/auth/logout", None, &json!({"refresh_token": refresh})).await.expect(204);
        assert!(out.raw.is_empty());
        app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": refresh})).await.expect_problem(401);
        // Unknown tokens are accepted silently.
        app.post("/api/v1/auth/logout", None, &json!({"refresh_token": "unknown"})).await.expect(204);
        app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": "unknown"})).await.expect_problem(401);
    }

    async fn tampered_foreign_expired_and_unsigned_tokens_are_401(app) {
        let id = app.seed_user("a@example.org", SystemRole::Admin).await;
        let good = app.token("a@example.org").await;
        app.get("/api/v1/me", Some(&good)).await.expect(200);

        let claims = |exp: i64| json!({"sub": id, "iat": now() - 10, "exp": exp, "jti": "x", "iss": "seriktes"});
        let expired = forge(jsonwebtoken::Algorithm::HS256, &claims(now() - 3600), JWT_SECRET);
        let other_key = forge(jsonwebtoken::Algorithm::HS256, &claims(now() + 600), "another-secret-another-secret-0123456789");
        let other_alg = forge(jsonwebtoken::Algorithm::HS512, &claims(now() + 600), JWT_SECRET);
        let valid_forged = forge(jsonwebtoken::Algorithm::HS256, &claims(now() + 600), JWT_SECRET);
        app.get("/api/v1/me", Some(&valid_forged)).await.expect(200);

        let (header, rest) = good.split_once('.').unwrap();
        let (payload, signature) = rest.split_once('.').unwrap();
        let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let unsigned = format!("{none_header}.{payload}.");
        let mut sig = signature.to_owned();
        let last = if sig.ends_with('A') { 'B' } else { 'A' };
        sig.pop();
        sig.push(last);
        let bad_signature = format!("{header}.{payload}.{sig}");
        let admin_claims = URL_SAFE_NO_PAD.encode(json!({"sub": "someone-else", "exp": now() + 600, "iat": now(), "iss": "seriktes"}).to_string());
        let swapped_payload = format!("{header}.{admin_claims}.{signature}");

        for token in [expired, other_key, other_alg, unsigned, bad_signature, swapped_payload, "garbage".to_owned()] {
            let r = app.get("/api/v1/me", Some(&token)).await.expect_problem(401);
            assert_eq!(r.body["type"], "urn:seriktes:problem:unauthorized");
        }
        app.get("/api/v1/me", None).await.expect_problem(401);
        let basic = app.raw(awc::http::Method::GET, "/api/v1/me", &[("Authorization", "Basic YTpi")], Vec::new()).await;
        basic.expect_problem(401);
    }

    async fn access_tokens_from_before_a_new_password_stop_working_at_once(app) {
        // Own change: the token that made it and every other one issued before are refused.
        app.seed_user("a@example.org", SystemRole::User).await;
        let first = app.token("a@example.org").await;
        let second = app.token("a@example.org").await;
        let body = json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"});
        app.call(awc::http::Method::PUT, "/api/v1/me/password", Some(&first), Some(&body)).await.expect(204);
        for old in [&first, &second] {
            let r = app.get("/api/v1/me", Some(old)).await.expect_problem(401);
            assert_eq!(r.body["type"], "urn:seriktes:problem:unauthorized");
        }
        let login = app.login("a@example.org", "a brand new passphrase").await.expect(200);
        let fresh = login.body["access_token"].as_str().unwrap().to_owned();
        app.get("/api/v1/me", Some(&fresh)).await.expect(200);

        // An admin's reset: the same. Other users' tokens are untouched.
        let admin = app.admin_token().await;
        let (id, before_reset) = app.user(&admin, "b@example.org").await;
        app.get("/api/v1/me", Some(&before_reset)).await.expect(200);
        app.patch(&format!("/api/v1/users/{id}"), Some(&admin), &json!({"password": "reset by the admin"})).await.expect(200);
        app.get("/api/v1/me", Some(&before_reset)).await.expect_problem(401);
        app.get("/api/v1/me", Some(&fresh)).await.expect(200);
        app.get("/api/v1/me", Some(&admin)).await.expect(200);
        let r = app.login("b@example.org", "reset by the admin").await.expect(200);
        app.get("/api/v1/me", r.body["access_token"].as_str()).await.expect(200);
    }

    async fn tokens_issued_in_the_future_or_for_longer_than_the_server_gives_are_401(app) {
        let id = app.seed_user("a@example.org", SystemRole::User).await;
        let t = now();
        let token = |iat: i64, exp: i64| {
            forge(jsonwebtoken::Algorithm::HS256, &json!({"sub": id, "iat": iat, "exp": exp, "jti": "x", "iss": "seriktes"}), JWT_SECRET)
        };
        // The server gives 15 minutes, with a few seconds of leeway for clocks.
        app.get("/api/v1/me", Some(&token(t, t + 900))).await.expect(200);
        for (iat, exp) in [(t + 3600, t + 4500), (t, t + 86_400), (t - 60, t + 365 * 86_400)] {
            app.get("/api/v1/me", Some(&token(iat, exp))).await.expect_problem(401);
        }
    }

    async fn an_inactive_user_cannot_sign_in_or_use_old_tokens(app) {
        let admin = app.admin_token().await;
        let (id, token) = app.user(&admin, "ngo@example.org").await;
        let login = app.login("ngo@example.org", PASSWORD).await.expect(200);
        let refresh = login.body["refresh_token"].as_str().unwrap().to_owned();
        app.patch(&format!("/api/v1/users/{id}"), Some(&admin), &json!({"active": false})).await.expect(200);
        app.get("/api/v1/me", Some(&token)).await.expect_problem(401);
        app.login("ngo@example.org", PASSWORD).await.expect_problem(401);
        app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": refresh})).await.expect_problem(401);
    }

    async fn repeated_failed_sign_ins_are_throttled_with_429(app) {
        app.seed_user("a@example.org", SystemRole::User).await;
        app.seed_user("b@example.org", SystemRole::User).await;
        for _ in 0..10 {
            app.login("a@example.org", "not the password").await.expect_problem(401);
        }
        let r = app.login("A@example.org", PASSWORD).await.expect_problem(429);
        assert_eq!(r.body["type"], "urn:seriktes:problem:rate-limited");
        let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=900).contains(&wait), "{wait}");
        // A full-width spelling is the same address, and the same count.
        app.login("Ａ@example.org", PASSWORD).await.expect_problem(429);
        app.login("b@example.org", PASSWORD).await.expect(200);
    }

    async fn spraying_one_password_over_many_accounts_from_one_address_is_throttled(app) {
        app.seed_user("real@example.org", SystemRole::User).await;
        // 50 failures from one address, each for another e-mail: none is throttled alone.
        for i in 0..50 {
            app.login(&format!("user{i}@example.org"), "Summer2026!").await.expect_problem(401);
        }
        let r = app.login("user50@example.org", "Summer2026!").await.expect_problem(429);
        assert_eq!(r.body["type"], "urn:seriktes:problem:rate-limited");
        // The address is refused even for a real account with its right password.
        app.login("real@example.org", PASSWORD).await.expect_problem(429);
        app.clock.advance(TimeDelta::minutes(15));
        app.login("real@example.org", PASSWORD).await.expect(200);
    }

    async fn guessing_the_current_password_with_a_token_is_throttled(app) {
        app.seed_user("a@example.org", SystemRole::User).await;
        let token = app.token("a@example.org").await;
        let put = |current: &str| json!({"current_password": current, "new_password": "a brand new passphrase"});
        for _ in 0..10 {
            app.call(awc::http::Method::PUT, "/api/v1/me/password", Some(&token), Some(&put("a guess")))
                .await
                .expect_problem(422);
        }
        let r = app
            .call(awc::http::Method::PUT, "/api/v1/me/password", Some(&token), Some(&put(PASSWORD)))
            .await
            .expect_problem(429);
        let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=900).contains(&wait), "{wait}");
        app.clock.advance(TimeDelta::minutes(15));
        app.call(awc::http::Method::PUT, "/api/v1/me/password", Some(&token), Some(&put(PASSWORD)))
            .await
            .expect(204);
    }

    async fn x_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(app) {
        app.seed_user("a@example.org", SystemRole::User).await;
        // No trusted proxy: a client that names itself differently each time is still counted
        // by its own address.
        for i in 0..10 {
            let xff = format!("198.51.100.{i}");
            login_via(&app, &xff, "a@example.org", "wrong").await.expect_problem(401);
        }
        login_via(&app, "198.51.100.99", "a@example.org", PASSWORD).await.expect_problem(429);
    }

    async fn a_refresh_token_stops_working_once_the_clock_passes_its_lifetime(app) {
        app.seed_user("a@example.org", SystemRole::User).await;
        let login = app.login("a@example.org", PASSWORD).await.expect(200);
        let r1 = login.body["refresh_token"].as_str().unwrap().to_owned();
        // A minute before its 14 days are up it still rotates; the new token lives 14 days more.
        app.clock.advance(TimeDelta::days(14) - TimeDelta::minutes(1));
        let second = app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": r1})).await.expect(200);
        let r2 = second.body["refresh_token"].as_str().unwrap().to_owned();
        app.clock.advance(TimeDelta::days(14));
        app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": r2})).await.expect_problem(401);
        // Unused but expired: not a replay, so a fresh sign-in is unaffected.
        let other = app.login("a@example.org", PASSWORD).await.expect(200);
        let r3 = other.body["refresh_token"].as_str().unwrap();
        app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": r3})).await.expect(200);
    }

    async fn the_sign_in_throttle_reopens_once_the_clock_passes_its_window(app) {
        app.seed_user("a@example.org", SystemRole::User).await;
        for _ in 0..10 {
            app.login("a@example.org", "not the password").await.expect_problem(401);
        }
        app.clock.advance(TimeDelta::minutes(14));
        let r = app.login("a@example.org", PASSWORD).await.expect_problem(429);
        let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=60).contains(&wait), "about a minute is left: {wait}");
        app.clock.advance(TimeDelta::minutes(1));
        app.login("a@example.org", PASSWORD).await.expect(200);
    }

    async fn a_user_changes_their_own_password(app) {
        app.seed_user("a@example.org", SystemRole::User).await;
        let login = app.login("a@example.org", PASSWORD).await.expect(200);
        let token = login.body["access_token"].as_str().unwrap();
        let wrong = app
            .call(awc::http::Method::PUT, "/api/v1/me/password", Some(token),
                Some(&json!({"current_password": "wrong password", "new_password": "a brand new passphrase"})))
            .await
            .expect_problem(422);
        assert_eq!(wrong.field_errors(), [("current_password".to_owned(), "mismatch".to_owned())]);
        let short = app
            .call(awc::http::Method::PUT, "/api/v1/me/password", Some(token),
                Some(&json!({"current_password": PASSWORD, "new_password": "short"})))
            .await
            .expect_problem(422);
        assert_eq!(short.field_errors(), [("new_password".to_owned(), "min_length".to_owned())]);
        app.call(awc::http::Method::PUT, "/api/v1/me/password", Some(token),
                Some(&json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"})))
            .await
            .expect(204);
        app.login("a@example.org", PASSWORD).await.expect_problem(401);
        app.login("a@example.org", "a brand new passphrase").await.expect(200);
        // Sessions from before the change are signed out.
        let refresh = login.body["refresh_token"].as_str().unwrap();
        app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": refresh})).await.expect_problem(401);
    }
}

#[actix_web::test]
async fn an_access_token_is_a_jwt_with_the_required_claims() {
    let app: TestApp = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite)
        .await
        .unwrap();
    let id = app.seed_user("a@example.org", SystemRole::User).await;
    let token = app.token("a@example.org").await;
    let payload = token.split('.').nth(1).unwrap();
    let claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert_eq!(claims["sub"], id.as_str());
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        900
    );
    assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));
    let header: serde_json::Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(token.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["alg"], "HS256");
}

#[actix_web::test]
async fn a_storm_of_sign_ins_gets_tokens_or_503_with_retry_after_never_500() {
    let app: TestApp = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite)
        .await
        .unwrap();
    app.seed_user("a@example.org", SystemRole::User).await;
    let logins = (0..24).map(|i| {
        let password = if i % 3 == 0 {
            "not the password"
        } else {
            PASSWORD
        };
        app.login("a@example.org", password)
    });
    let answers = futures_util::future::join_all(logins).await;
    for r in answers {
        match r.status {
            200 | 401 => {}
            503 => assert!(r.header("retry-after").is_some()),
            other => panic!("unexpected {other}: {:?}", r.body),
        }
    }
}

/// Signs in with an `X-Forwarded-For` header.
async fn login_via(app: &TestApp, xff: &str, email: &str, password: &str) -> crate::helpers::Resp {
    let body = json!({"email": email, "password": password})
        .to_string()
        .into_bytes();
    let headers = [
        ("Content-Type", "application/json"),
        ("X-Forwarded-For", xff),
    ];
    app.raw(
        awc::http::Method::POST,
        "/api/v1/auth/login",
        &headers,
        body,
    )
    .await
}

/// Behind a trusted proxy, each forwarded client is counted on its own; and the counts live in
/// the database, so a second replica on the same database refuses the same client.
async fn behind_a_trusted_proxy_each_client_is_counted_on_every_replica(backend: Backend) {
    let trust =
        |s: &mut seriktes_api::Settings| s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    let Some(app) = spawn_app_with(backend, trust).await else {
        return;
    };
    app.seed_user("a@example.org", SystemRole::User).await;
    for _ in 0..10 {
        login_via(&app, "203.0.113.5", "a@example.org", "wrong")
            .await
            .expect_problem(401);
    }
    login_via(&app, "203.0.113.5", "a@example.org", PASSWORD)
        .await
        .expect_problem(429);
    // Another client behind the same proxy is unaffected; a forged left-most entry is not read.
    login_via(&app, "203.0.113.6", "a@example.org", PASSWORD)
        .await
        .expect(200);
    login_via(&app, "203.0.113.6, 203.0.113.5", "a@example.org", PASSWORD)
        .await
        .expect_problem(429);
    login_via(&app, "203.0.113.5, 203.0.113.7", "a@example.org", PASSWORD)
        .await
        .expect(200);

    let replica = app.replica(trust).await;
    login_via(&replica, "203.0.113.5", "a@example.org", PASSWORD)
        .await
        .expect_problem(429);
    login_via(&replica, "203.0.113.8", "a@example.org", PASSWORD)
        .await
        .expect(200);
}

mod behind_a_trusted_proxy_each_client_is_counted_on_every_replica {
    use crate::helpers::Backend;

    #[actix_web::test]
    async fn sqlite() {
        super::behind_a_trusted_proxy_each_client_is_counted_on_every_replica(Backend::Sqlite)
            .await;
    }

    #[actix_web::test]
    async fn postgres() {
        super::behind_a_trusted_proxy_each_client_is_counted_on_every_replica(Backend::Postgres)
            .await;
    }
}
