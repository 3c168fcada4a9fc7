//! Health probes, Swagger UI, CORS, request ids.

use crate::both_backends;
use crate::helpers::{Backend, spawn_app_with};
use awc::http::Method;

both_backends! {
    async fn health_probes_answer(app) {
        let live = app.get("/health/live", None).await.expect(200);
        assert_eq!(live.body["status"], "ok");
        let ready = app.get("/health/ready", None).await.expect(200);
        assert_eq!(ready.body["status"], "ok");
    }

    async fn liveness_touches_no_database_and_readiness_one_statement(app) {
        let (r, statements, checkouts) = app.counting(app.get("/health/live", None)).await;
        r.expect(200);
        assert_eq!((statements, checkouts), (0, 0));
        let (r, statements, checkouts) = app.counting(app.get("/health/ready", None)).await;
        r.expect(200);
        assert_eq!((statements, checkouts), (1, 1), "readiness pings once, on one checkout");
    }

    async fn an_access_token_expires_when_the_clock_passes_its_lifetime(app) {
        let token = app.admin_token().await;
        app.get("/api/v1/me", Some(&token)).await.expect(200);
        app.clock.advance(chrono::TimeDelta::minutes(14));
        app.get("/api/v1/me", Some(&token)).await.expect(200);
        app.clock.advance(chrono::TimeDelta::minutes(2));
        app.get("/api/v1/me", Some(&token)).await.expect_problem(401);
    }

    async fn swagger_ui_and_the_contract_are_served(app) {
        let ui = app.get("/swagger-ui/", None).await.expect(200);
        assert!(ui.header("content-type").unwrap().starts_with("text/html"));
        let init = app.get("/swagger-ui/swagger-initializer.js", None).await.expect(200);
        assert!(String::from_utf8_lossy(&init.raw).contains("/api-docs/openapi.json"));
        let redirect = app.get("/swagger-ui", None).await;
        assert_eq!(redirect.status, 307);
        let doc = app.get("/api-docs/openapi.json", None).await.expect(200);
        assert_eq!(doc.body["openapi"], "3.1.0");
        assert_eq!(doc.body["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    }

    async fn request_ids_are_echoed_or_generated(app) {
        let r = app.raw(Method::GET, "/health/live", &[("X-Request-Id", "abc-123")], Vec::new()).await.expect(200);
        assert_eq!(r.header("x-request-id"), Some("abc-123"));
        let r = app.get("/health/live", None).await.expect(200);
        assert_eq!(r.header("x-request-id").map(str::len), Some(36));
        let r = app.raw(Method::GET, "/nope", &[("X-Request-Id", "bad id with spaces")], Vec::new()).await.expect_problem(404);
        assert_ne!(r.header("x-request-id"), Some("bad id with spaces"));
    }
}

#[actix_web::test]
async fn cors_allows_configured_origins_only() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.cors_origins = vec!["https://app.example.org".to_owned()]
    })
    .await
    .unwrap();
    let ok = app
        .raw(
            Method::GET,
            "/health/live",
            &[("Origin", "https://app.example.org")],
            Vec::new(),
        )
        .await
        .expect(200);
    assert_eq!(
        ok.header("access-control-allow-origin"),
        Some("https://app.example.org")
    );
    let preflight = app
        .raw(
            Method::OPTIONS,
            "/api/v1/organizations",
            &[
                ("Origin", "https://app.example.org"),
                ("Access-Control-Request-Method", "PATCH"),
                (
                    "Access-Control-Request-Headers",
                    "authorization, if-match, content-type",
                ),
            ],
            Vec::new(),
        )
        .await
        .expect(200);
    assert!(
        preflight
            .header("access-control-allow-methods")
            .unwrap()
            .contains("PATCH")
    );
    // A browser client may send an Idempotency-Key and read whether the answer was replayed.
    let keyed = app
        .raw(
            Method::OPTIONS,
            "/api/v1/organizations",
            &[
                ("Origin", "https://app.example.org"),
                ("Access-Control-Request-Method", "POST"),
                (
                    "Access-Control-Request-Headers",
                    "authorization, content-type, idempotency-key",
                ),
            ],
            Vec::new(),
        )
        .await
        .expect(200);
    assert!(
        keyed
            .header("access-control-allow-headers")
            .unwrap()
            .contains("idempotency-key")
    );
    assert!(
        ok.header("access-control-expose-headers")
            .unwrap()
            .contains("idempotent-replayed")
    );
    // Another origin gets no CORS grant, so browsers keep the response from its scripts.
    let refused = app
        .raw(
            Method::GET,
            "/health/live",
            &[("Origin", "https://evil.example")],
            Vec::new(),
        )
        .await;
    assert!(refused.header("access-control-allow-origin").is_none());
    let preflight = app
        .raw(
            Method::OPTIONS,
            "/api/v1/organizations",
            &[
                ("Origin", "https://evil.example"),
                ("Access-Control-Request-Method", "POST"),
            ],
            Vec::new(),
        )
        .await;
    assert!(preflight.header("access-control-allow-origin").is_none());
    assert!(
        preflight.status >= 400,
        "a foreign preflight is refused: {}",
        preflight.status
    );
    assert_eq!(
        preflight.header("content-type"),
        Some("application/problem+json")
    );
}

#[actix_web::test]
async fn readiness_is_503_when_the_database_is_gone() {
    let Some(app) = spawn_app_with(Backend::Postgres, |s| {
        s.db_timeout = std::time::Duration::from_secs(1)
    })
    .await
    else {
        return;
    };
    app.get("/health/ready", None).await.expect(200);
    app.drop_database();
    let r = app.get("/health/ready", None).await.expect_problem(503);
    assert_eq!(r.body["type"], "urn:seriktes:problem:unavailable");
    assert!(r.header("retry-after").is_some());
    assert!(
        !r.body["detail"].as_str().unwrap().contains("postgres"),
        "no internals in the body"
    );
}

#[actix_web::test]
async fn each_dead_pooled_connection_costs_at_most_one_503() {
    const POOL: u32 = 2;
    let Some(app) = spawn_app_with(Backend::Postgres, |s| s.db_pool_size = POOL).await else {
        return;
    };
    let token = app.admin_token().await;
    // Fill the pool: concurrent requests make it open every connection it may.
    for _ in 0..3 {
        let calls = (0..4)
            .map(|_| app.get("/api/v1/me", Some(&token)))
            .collect();
        for r in join_all(calls).await {
            r.expect(200);
        }
    }
    let killed = app.terminate_connections();
    assert!(killed >= 1, "the app had connections to kill");
    let mut failures = 0;
    let mut recovered = false;
    for _ in 0..POOL + 2 {
        let r = app.get("/api/v1/me", Some(&token)).await;
        if r.status == 200 {
            recovered = true;
            break;
        }
        let r = r.expect_problem(503);
        assert_eq!(r.body["type"], "urn:seriktes:problem:unavailable");
        failures += 1;
    }
    assert!(
        recovered,
        "no success within {} requests after the server dropped the connections",
        POOL + 2
    );
    assert!(
        failures <= POOL,
        "{failures} failed requests for {killed} dead connections in a pool of {POOL}"
    );
    for _ in 0..4 {
        app.get("/api/v1/me", Some(&token)).await.expect(200);
    }
}

/// Runs the futures concurrently and returns their outputs in order.
async fn join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        for (f, out) in futures.iter_mut().zip(outputs.iter_mut()) {
            if out.is_none()
                && let std::task::Poll::Ready(v) = f.as_mut().poll(cx)
            {
                *out = Some(v);
            }
        }
        if outputs.iter().all(Option::is_some) {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

#[actix_web::test]
async fn a_refused_preflight_says_why() {
    let preflight = |origin: &'static str| {
        [
            ("Origin", origin),
            ("Access-Control-Request-Method", "POST"),
        ]
    };
    // No origins configured (the default): the refusal names the setting to change.
    let app = spawn_app_with(Backend::Sqlite, |_| {}).await.unwrap();
    let r = app
        .raw(
            Method::OPTIONS,
            "/api/v1/organizations",
            &preflight("https://app.example.org"),
            Vec::new(),
        )
        .await
        .expect_problem(400);
    assert_eq!(r.body["type"], "urn:seriktes:problem:cors-refused");
    let detail = r.body["detail"].as_str().unwrap();
    assert!(detail.contains("no origins are configured"), "{detail}");
    assert!(detail.contains("SERIKTES_CORS_ORIGINS"), "{detail}");
    assert!(r.header("access-control-allow-origin").is_none());
    // Origins configured, another one asks: the refusal says this origin is not among them.
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.cors_origins = vec!["https://app.example.org".to_owned()]
    })
    .await
    .unwrap();
    let r = app
        .raw(
            Method::OPTIONS,
            "/api/v1/organizations",
            &preflight("https://evil.example"),
            Vec::new(),
        )
        .await
        .expect_problem(400);
    assert_eq!(r.body["type"], "urn:seriktes:problem:cors-refused");
    let detail = r.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("https://evil.example is not among"),
        "{detail}"
    );
    assert!(detail.contains("SERIKTES_CORS_ORIGINS"), "{detail}");
}
