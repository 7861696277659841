//! What a client reads when it gets something wrong: always the surface's envelope, never a default
//! text, always with a request id.

use serde_json::json;

use crate::helpers::on_each_backend;

on_each_backend!(unknown_routes_answer_in_the_surface_envelope, |app| {
    let a = app.post("/app/nothing-here", None, json!({}));
    assert_eq!(a.status, 404);
    assert_eq!(
        a.json,
        json!({ "status": 1002, "message": "No route for POST /app/nothing-here", "data": null })
    );

    let b = app.send("GET", "/api/patients-nope", &[], None);
    assert_eq!(b.status, 404);
    assert_eq!(
        b.json,
        json!({ "success": false, "error": "No route for GET /api/patients-nope", "code": 404 })
    );

    let c = app.send("GET", "/api/v3/declaration_requests/x/y", &[], None);
    assert_eq!(c.status, 404);
    let request_id = c.headers.get("x-request-id").unwrap().to_str().unwrap();
    assert_eq!(c.json["meta"]["code"], 404);
    assert_eq!(c.json["meta"]["request_id"], request_id);
    assert_eq!(c.json["meta"]["url"], "/api/v3/declaration_requests/x/y");
    assert_eq!(c.json["error"]["type"], "not_found");

    let root = app.send("GET", "/favicon.ico", &[], None);
    assert_eq!(
        (root.status, root.json["status"].as_u64()),
        (404, Some(1002))
    );
});

on_each_backend!(wrong_methods_are_405_with_allow, |app| {
    let r = app.send("GET", "/app/how", &[], None);
    assert_eq!(r.status, 405);
    assert_eq!(r.headers.get("allow").unwrap(), "POST");
    assert_eq!(r.json["status"], 1002);
    assert_eq!(
        r.message(),
        "Method GET is not allowed on /app/how; use POST"
    );
    let put = app.send("PUT", "/admin/create-review-type", &[], None);
    assert_eq!(put.status, 405);
});

on_each_backend!(bodies_that_cannot_be_read, |app| {
    let admin = app.admin();
    let auth = [("authorization", admin.as_str())];
    let malformed = app.send(
        "POST",
        "/admin/review-types",
        &auth,
        Some(("application/json", b"{\"page\": ".to_vec())),
    );
    assert_eq!(malformed.status, 400);
    assert!(
        malformed
            .message()
            .starts_with("Malformed JSON: EOF while parsing"),
        "{}",
        malformed.message()
    );

    let not_object = app.send(
        "POST",
        "/admin/review-types",
        &auth,
        Some(("application/json", b"[1,2]".to_vec())),
    );
    assert_eq!(not_object.status, 400);
    assert_eq!(
        not_object.message(),
        "The request body must be a JSON object"
    );

    let text = app.send(
        "POST",
        "/admin/review-types",
        &auth,
        Some(("text/plain", b"page=1".to_vec())),
    );
    assert_eq!(
        (text.status, text.message()),
        (415, "Content-Type must be application/json")
    );
    assert_eq!(text.json["status"], 1002);

    let charset = app.send(
        "POST",
        "/admin/review-types",
        &auth,
        Some(("application/json; charset=utf-8", b"{}".to_vec())),
    );
    assert_eq!(charset.status, 200);

    let huge = format!("{{\"q\": \"{}\"}}", "x".repeat(70 * 1024));
    let big = app.send(
        "POST",
        "/admin/review-types",
        &auth,
        Some(("application/json", huge.into_bytes())),
    );
    assert_eq!(
        (big.status, big.message()),
        (413, "Request body is larger than the limit of 64 KiB")
    );
});

on_each_backend!(every_response_has_a_request_id, |app| {
    for r in [
        app.get("/healthz"),
        app.post("/app/how", None, json!({})),
        app.get("/nope"),
    ] {
        let id = r
            .headers
            .get("x-request-id")
            .expect("x-request-id")
            .to_str()
            .unwrap();
        assert_eq!(uuid::Uuid::parse_str(id).unwrap().get_version_num(), 7);
    }
    let mine = app.send(
        "GET",
        "/healthz",
        &[("x-request-id", "client-abc-123")],
        None,
    );
    assert_eq!(mine.headers.get("x-request-id").unwrap(), "client-abc-123");
    let hostile = app.send("GET", "/healthz", &[("x-request-id", "<script>")], None);
    assert_ne!(hostile.headers.get("x-request-id").unwrap(), "<script>");
});

on_each_backend!(health_readiness_and_documentation, |app| {
    let health = app.get("/healthz");
    assert_eq!(
        (health.status, health.json.clone()),
        (200, json!({ "status": "ok" }))
    );
    let ready = app.get("/readyz");
    assert_eq!(
        (ready.status, ready.json.clone()),
        (200, json!({ "status": "ready" }))
    );

    let spec = app.get("/openapi.json");
    assert_eq!(spec.status, 200);
    assert!(spec.json["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = spec.json["paths"].as_object().unwrap();
    for route in [
        "/app/how",
        "/app/review-types",
        "/app/disease-categories",
        "/admin/review-types",
        "/admin/review-type-details",
        "/admin/create-review-type",
        "/admin/update-review-type",
        "/admin/activate-review-type",
        "/admin/deactivate-review-type",
        "/admin/disease-categories",
        "/admin/disease-category-details",
        "/admin/create-disease-category",
        "/admin/update-disease-category",
        "/admin/activate-disease-category",
        "/admin/deactivate-disease-category",
        "/healthz",
        "/readyz",
        "/app/save-review-case",
        "/app/update-review-case",
        "/app/review-cases",
        "/app/review-case-details",
        "/app/add-medical-documents",
        "/app/contact-details",
        "/app/update-contact-details",
        "/admin/process-draft-notifications",
        "/admin/notifications",
        "/admin/retry-notification",
    ] {
        assert!(paths.contains_key(route), "{route} is documented");
    }
    assert!(spec.json["components"]["securitySchemes"]["token"].is_object());
    // Every reference resolves: no link in /docs leads nowhere.
    let text = spec.text.clone();
    for reference in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap();
        assert!(
            spec.json["components"]["schemas"][name].is_object(),
            "{name} is not in components"
        );
    }

    let docs = app.get("/docs");
    assert_eq!(docs.status, 200);
    assert_eq!(
        docs.headers.get("content-type").unwrap(),
        "text/html; charset=utf-8"
    );
    assert!(docs.text.contains("/admin/create-review-type"));
    assert!(docs.text.contains("id=\"schema-CreateReviewTypeRequest\""));
    assert!(
        !docs.text.contains("http://") && !docs.text.contains("https://"),
        "self-contained"
    );
});

/// `/readyz` tells a load balancer when the database is gone, and recovers with it.
#[test]
fn readiness_follows_the_database() {
    let Some(db) = store_diesel::testing::TestDb::postgres() else {
        return;
    };
    let app = crate::helpers::TestApp::spawn(db);
    assert_eq!(app.get("/readyz").status, 200);
    let name = app.url.rsplit('/').next().unwrap().to_owned();
    let admin_url = std::env::var(store_diesel::testing::TEST_DATABASE_URL).unwrap();
    let psql = |sql: &str| {
        let status = std::process::Command::new("psql")
            .args([admin_url.as_str(), "-qtAc", sql])
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "{sql}");
    };
    psql(&format!(
        "ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS false"
    ));
    psql(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
    ));
    let down = app.get("/readyz");
    assert_eq!(
        (down.status, down.json.clone()),
        (503, json!({ "status": "unavailable" }))
    );
    assert_eq!(
        app.get("/healthz").status,
        200,
        "the process itself is fine"
    );
    let user = app.user();
    let refused = app.post("/app/review-types", Some(&user), json!({}));
    assert_eq!(
        (refused.status, refused.json["status"].as_u64()),
        (503, Some(1001))
    );
    assert_eq!(
        refused.message(),
        "Service temporarily unavailable, please retry shortly"
    );
    psql(&format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS true"));
    assert_eq!(app.get("/readyz").status, 200, "back once the database is");
}
