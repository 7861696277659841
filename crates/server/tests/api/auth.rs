//! The encrypted token on a real server: every way a token can be wrong is a 401 in envelope A.

use domain::identity::{Claims, RevocationRepository, TokenCodec};
use serde_json::json;
use store_diesel::testing::TestDb;
use token::{Codec, KeyRing};

use crate::helpers::{TestApp, apps};

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn claims(aud: &str, exp: i64, jti: &str) -> Claims {
    Claims {
        sub: "patient-7".into(),
        aud: aud.into(),
        exp,
        iat: now() - 5,
        jti: jti.into(),
        roles: vec![],
        scope: None,
    }
}

fn refused(app: &TestApp, token: &str) -> (u16, String, u64) {
    let r = app.post("/app/how", Some(token), json!({}));
    (
        r.status,
        r.message().to_owned(),
        r.json["status"].as_u64().unwrap_or(0),
    )
}

#[test]
fn every_bad_token_is_401() {
    for app in apps() {
        let codec = Codec::new(app.ring.clone());
        let good = codec
            .seal(&claims("snr_usr", now() + 600, "good-1"))
            .unwrap();
        let mut tampered = good.clone().into_bytes();
        let middle = tampered.len() / 2;
        tampered[middle] = if tampered[middle] == b'0' { b'1' } else { b'0' };
        let tampered = String::from_utf8(tampered).unwrap();
        let foreign = Codec::new(KeyRing::generate())
            .seal(&claims("snr_usr", now() + 600, "f-1"))
            .unwrap();
        let expired = codec.seal(&claims("snr_usr", now() - 1, "old-1")).unwrap();
        let wrong_aud = codec
            .seal(&claims("snr_pro", now() + 600, "pro-1"))
            .unwrap();

        let table: [(&str, &str); 7] = [
            ("not hex at all", "Malformed token"),
            (&good[..40], "Malformed token"),
            (&tampered, "Invalid token"),
            (&foreign, "Invalid token"),
            (&expired, "Token has expired"),
            (&wrong_aud, "Token is not valid for this service"),
            ("Bearer ", "Missing Authorization header"),
        ];
        for (token, message) in table {
            assert_eq!(
                refused(&app, token),
                (401, message.to_owned(), 1003),
                "{token:.20}"
            );
        }
        let missing = app.post("/app/how", None, json!({}));
        assert_eq!(
            (missing.status, missing.message()),
            (401, "Missing Authorization header")
        );

        assert_eq!(app.post("/app/how", Some(&good), json!({})).status, 200);
        assert_eq!(
            app.post("/app/how", Some(&format!("Bearer {good}")), json!({}))
                .status,
            200
        );
        assert_eq!(
            app.post("/app/how", Some(&good.to_uppercase()), json!({}))
                .status,
            200
        );
    }
}

#[test]
fn a_revoked_token_is_refused() {
    for app in apps() {
        let codec = Codec::new(app.ring.clone());
        let exp = now() + 600;
        let token = codec.seal(&claims("snr_usr", exp, "revoke-me")).unwrap();
        assert_eq!(app.post("/app/how", Some(&token), json!({})).status, 200);
        app.platform.store.revoke("revoke-me", exp).unwrap();
        assert_eq!(
            refused(&app, &token),
            (401, "Token has been revoked".to_owned(), 1003)
        );
        let other = codec.seal(&claims("snr_usr", exp, "still-fine")).unwrap();
        assert_eq!(app.post("/app/how", Some(&other), json!({})).status, 200);
    }
}

#[test]
fn tokens_survive_key_rotation() {
    for db in TestDb::all() {
        let old_ring = KeyRing::generate();
        let before = Codec::new(old_ring.clone())
            .seal(&claims("snr_usr", now() + 600, "pre"))
            .unwrap();
        let app = TestApp::spawn_with_ring(db, old_ring.rotate());
        assert_ne!(app.ring.current_id(), old_ring.current_id());
        assert_eq!(
            app.post("/app/how", Some(&before), json!({})).status,
            200,
            "old key still decrypts"
        );
        let after = app.user();
        assert_eq!(
            &after[..2],
            &format!("{:02x}", app.ring.current_id()),
            "new tokens use the new key"
        );
        assert_eq!(app.post("/app/how", Some(&after), json!({})).status, 200);
    }
}

/// Every route that needs a token refuses a revoked one with 401, before it looks at the body.
#[test]
fn every_secured_route_refuses_a_revoked_token_first() {
    let app = TestApp::spawn(TestDb::sqlite());
    let spec = app.get("/openapi.json").json;
    let codec = Codec::new(app.ring.clone());
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        let Some(op) = item.get("post") else { continue };
        if op.get("security").is_none() {
            continue;
        }
        let audience = match path.split('/').nth(1) {
            Some("app") => "snr_usr",
            Some("admin") => "snr_admin",
            Some("pro") => "snr_pro",
            other => panic!("no audience known for {other:?}"),
        };
        let jti = format!("revoked-{checked}");
        let token = codec.seal(&claims(audience, now() + 600, &jti)).unwrap();
        app.platform.store.revoke(&jti, now() + 600).unwrap();
        let r = app.post(path, Some(&token), json!({ "not_a_field": true }));
        assert_eq!(
            (r.status, r.message()),
            (401, "Token has been revoked"),
            "{path}"
        );
        checked += 1;
    }
    assert!(checked >= 25, "{checked} routes checked");
}
