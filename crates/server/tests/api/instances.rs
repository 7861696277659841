//! Several server instances on one database, as behind a load balancer: what one instance learns
//! (a revoked token, a catalogue change) reaches the others within a second, while their hot paths
//! answer from memory.

use std::time::{Duration, Instant};

use domain::identity::{Audience, RevocationRepository};
use serde_json::json;

use crate::helpers::{TestApp, on_each_backend};

/// Polls `check` until it holds or `limit` passes; returns how long it took.
fn within(limit: Duration, mut check: impl FnMut() -> bool) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if check() {
            return Some(started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    None
}

/// Waits until both instances' memory answers (their listeners have loaded everything).
fn settle(a: &TestApp, b: &TestApp) {
    let probe = domain::kernel::ids::TokenId::from_uuid(uuid::Uuid::now_v7());
    let fresh = within(Duration::from_secs(10), || {
        a.platform.store.is_revoked_in_memory(probe).is_some()
            && b.platform.store.is_revoked_in_memory(probe).is_some()
    });
    assert!(fresh.is_some(), "the instances' listeners never caught up");
}

on_each_backend!(
    a_revoked_token_stops_on_every_instance_within_a_second,
    |a| {
        let b = a.beside();
        settle(&a, &b);
        let token = a.user();
        assert_eq!(a.post("/app/how", Some(&token), json!({})).status, 200);
        assert_eq!(b.post("/app/how", Some(&token), json!({})).status, 200);
        let actor = a
            .platform
            .state
            .auth
            .verify(Some(&token), Audience::SnrUsr)
            .unwrap();
        let revoked_at = time::OffsetDateTime::now_utc();
        a.platform
            .store
            .revoke(actor.jti, actor.expires_at, revoked_at)
            .unwrap();
        assert_eq!(a.post("/app/how", Some(&token), json!({})).status, 401);
        let took = within(Duration::from_secs(1), || {
            b.post("/app/how", Some(&token), json!({})).status == 401
        });
        assert!(
            took.is_some(),
            "{}: the other instance still takes the revoked token after a second",
            a.backend
        );
        let refused = b.post("/app/review-types", Some(&token), json!({}));
        assert_eq!(
            (refused.status, refused.message()),
            (401, "Token has been revoked")
        );
    }
);

on_each_backend!(a_catalogue_change_reaches_every_instance, |a| {
    let b = a.beside();
    settle(&a, &b);
    let (admin, user) = (a.admin(), a.user());
    let names = |app: &TestApp| -> Vec<String> {
        let r = app.post("/app/review-types", Some(&user), json!({}));
        r.json["data"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["title"].as_str().unwrap().to_owned())
            .collect()
    };
    // Both instances cache the empty picker first.
    assert!(names(&a).is_empty() && names(&b).is_empty());
    let created = a.post(
        "/admin/create-review-type",
        Some(&admin),
        json!({
            "name_en": "Standard Review", "name_ar": "مراجعة قياسية",
            "min_review_days": 8, "max_review_days": 12, "doctor_count": 3, "price": 900
        }),
    );
    assert_eq!(created.status, 200, "{}", created.text);
    assert_eq!(names(&a), ["Standard Review"], "at once where it changed");
    let took = within(Duration::from_secs(1), || names(&b) == ["Standard Review"]);
    assert!(
        took.is_some(),
        "{}: the other instance shows the old picker",
        a.backend
    );
    let id = created.json["data"]["rt_id"].as_str().unwrap().to_owned();
    let off = b.post(
        "/admin/deactivate-review-type",
        Some(&admin),
        json!({ "rt_id": id }),
    );
    assert_eq!(off.status, 200);
    assert!(names(&b).is_empty());
    assert!(within(Duration::from_secs(1), || names(&a).is_empty()).is_some());
});
