//! `GET /metrics`: what an operator's Prometheus scrapes.

use serde_json::json;

use crate::helpers::on_each_backend;

/// The value of the first sample line starting with `prefix` (a metric name and labels).
fn sample(text: &str, prefix: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(prefix))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

on_each_backend!(
    metrics_count_requests_refusals_the_pool_and_the_outbox,
    |app| {
        let user = app.user();
        for _ in 0..3 {
            assert_eq!(app.post("/app/how", Some(&user), json!({})).status, 200);
        }
        assert_eq!(app.post("/app/how", Some("nothex"), json!({})).status, 401);
        assert_eq!(app.post("/app/how", None, json!({})).status, 401);
        assert_eq!(
            app.post("/app/review-cases", Some(&user), json!({})).status,
            200
        );

        let scrape = app.get("/metrics");
        assert_eq!(scrape.status, 200);
        let content_type = scrape
            .headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap();
        assert!(
            content_type.starts_with("text/plain; version=0.0.4"),
            "{content_type}"
        );
        let text = &scrape.text;
        assert!(
            text.contains("# TYPE medcare_http_requests_total counter"),
            "{text}"
        );
        let how_ok = r#"medcare_http_requests_total{route="/app/how",method="POST",status="200"}"#;
        assert_eq!(sample(text, how_ok), Some(3.0), "{text}");
        assert_eq!(
            sample(
                text,
                r#"medcare_http_requests_total{route="/app/how",method="POST",status="401"}"#
            ),
            Some(2.0)
        );
        assert!(text.contains(
        r#"medcare_http_request_duration_seconds_bucket{route="/app/review-cases",method="POST",le="#
    ));
        assert_eq!(
            sample(
                text,
                r#"medcare_auth_token_refusals_total{reason="malformed"}"#
            ),
            Some(1.0)
        );
        assert_eq!(
            sample(
                text,
                r#"medcare_auth_token_refusals_total{reason="missing"}"#
            ),
            Some(1.0)
        );
        assert_eq!(sample(text, "medcare_db_pool_max_connections "), Some(4.0));
        assert!(sample(text, "medcare_db_pool_connections ").unwrap_or(0.0) >= 1.0);
        assert!(text.contains("medcare_db_pool_connections_in_use "));
        assert!(text.contains("medcare_db_pool_wait_seconds_bucket"));
        assert_eq!(sample(text, "medcare_outbox_pending_messages "), Some(0.0));
        assert_eq!(sample(text, "medcare_outbox_failed_messages "), Some(0.0));
        // Paths with ids are counted under their template; unknown paths under one label.
        app.post("/app/no-such-route", Some(&user), json!({}));
        let again = app.get("/metrics").text;
        assert!(
            !again.contains("no-such-route"),
            "unmatched paths must not become labels"
        );
    }
);
