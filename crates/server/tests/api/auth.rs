//! The encrypted token on a real server: every way a token can be wrong is a 401 in envelope A.

use domain::identity::{Claims, RevocationRepository, TokenCodec};
use domain::kernel::ids::TokenId;
use serde_json::json;
use store_diesel::testing::TestDb;
use token::{Codec, KeyRing};

use crate::helpers::{TestApp, on_each_backend};

pub(crate) fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Claims for a token with a fresh id.
fn claims(aud: &str, exp: i64) -> Claims {
    claims_with_id(aud, exp, &uuid::Uuid::now_v7().to_string())
}

pub(crate) fn claims_with_id(aud: &str, exp: i64, jti: &str) -> Claims {
    Claims {
        sub: "patient-7".into(),
        aud: aud.into(),
        exp,
        iat: now() - 5,
        jti: jti.into(),
        roles: vec![],
        scope: None,
        client_id: None,
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

on_each_backend!(every_bad_token_is_401, |app| {
    let codec = Codec::new(app.ring.clone());
    let good = codec.seal(&claims("snr_usr", now() + 600)).unwrap();
    let mut tampered = good.clone().into_bytes();
    let middle = tampered.len() / 2;
    tampered[middle] = if tampered[middle] == b'0' { b'1' } else { b'0' };
    let tampered = String::from_utf8(tampered).unwrap();
    let foreign = Codec::new(KeyRing::generate())
        .seal(&claims("snr_usr", now() + 600))
        .unwrap();
    let expired = codec.seal(&claims("snr_usr", now() - 1)).unwrap();
    let wrong_aud = codec.seal(&claims("snr_pro", now() + 600)).unwrap();

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
});

on_each_backend!(a_revoked_token_is_refused, |app| {
    let codec = Codec::new(app.ring.clone());
    let exp = now() + 600;
    let jti = TokenId::from_uuid(uuid::Uuid::now_v7());
    let token = codec
        .seal(&claims_with_id("snr_usr", exp, &jti.to_string()))
        .unwrap();
    assert_eq!(app.post("/app/how", Some(&token), json!({})).status, 200);
    app.platform
        .store
        .revoke(jti, exp, time::OffsetDateTime::now_utc())
        .unwrap();
    assert_eq!(
        refused(&app, &token),
        (401, "Token has been revoked".to_owned(), 1003)
    );
    let other = codec.seal(&claims("snr_usr", exp)).unwrap();
    assert_eq!(app.post("/app/how", Some(&other), json!({})).status, 200);
});

on_each_backend!(tokens_survive_key_rotation, |db: TestDb| {
    let old_ring = KeyRing::generate();
    let before = Codec::new(old_ring.clone())
        .seal(&claims("snr_usr", now() + 600))
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
});

/// Every route that needs a token refuses a revoked one with 401, before it looks at the body.
/// The routes come from the one list the server registers and documents.
#[test]
fn every_secured_route_refuses_a_revoked_token_first() {
    let app = TestApp::spawn(TestDb::sqlite());
    let codec = Codec::new(app.ring.clone());
    let mut checked = 0;
    for route in http_actix::all_routes() {
        if !route.secured() {
            continue;
        }
        let audience = match route.path.split('/').nth(1) {
            Some("app") => "snr_usr",
            Some("admin") => "snr_admin",
            Some("pro") => "snr_pro",
            Some("api") if route.path.starts_with("/api/v3/") => "ehealth",
            Some("api" | "dicomweb") => "clinic",
            other => panic!("no audience known for {other:?}"),
        };
        let path = concrete(&route.path);
        let jti = TokenId::from_uuid(uuid::Uuid::now_v7());
        let mut claims = claims_with_id(audience, now() + 600, &jti.to_string());
        // A clinic token holds the roles its route's action needs: then only the revocation can
        // refuse it.
        if let Some(action) = route.clinic_action() {
            claims.roles = action
                .roles()
                .iter()
                .map(|r| domain::kernel::code::Code::as_str(*r).to_owned())
                .collect();
        }
        let token = codec.seal(&claims).unwrap();
        app.platform
            .store
            .revoke(jti, now() + 600, time::OffsetDateTime::now_utc())
            .unwrap();
        let r = app.send(
            route.method.as_str(),
            &path,
            &[("authorization", token.as_str())],
            Some(("application/json", br#"{"not_a_field": true}"#.to_vec())),
        );
        // Envelope C nests the message, B has it as `error`, A as `message`.
        let message = r.json["error"]["message"]
            .as_str()
            .or_else(|| r.json["error"].as_str())
            .unwrap_or_else(|| r.message());
        assert_eq!(
            (r.status, message),
            (401, "Token has been revoked"),
            "{} {}",
            route.method,
            route.path
        );
        checked += 1;
    }
    assert!(checked >= 25, "{checked} routes checked");
}

/// A documented path with its parameters filled in.
fn concrete(path: &str) -> String {
    path.replace("{id}", &uuid::Uuid::now_v7().to_string())
        .replace("{key}", "declaration-requests/x/PASSPORT")
        .replace("{study}", "1.2.3")
        .replace("{series}", "1.2.3.4")
        .replace("{instance}", "1.2.3.4.5")
        .replace("{frames}", "1")
        .replace("{tag}", "7FE00010")
}

/// The OpenAPI document describes exactly the routes the server answers.
#[test]
fn the_document_lists_exactly_the_served_routes() {
    let app = TestApp::spawn(TestDb::sqlite());
    let spec = app.get("/openapi.json").json;
    let mut documented: Vec<String> = spec["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| format!("{} {path}", method.to_uppercase()))
        })
        .collect();
    let mut served: Vec<String> = http_actix::all_routes()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    documented.sort();
    served.sort();
    assert_eq!(documented, served);
    for route in &served {
        let (method, path) = route.split_once(' ').unwrap();
        let r = app.send(method, &concrete(path), &[], None);
        assert_ne!(r.status, 404, "{route} is documented but not served");
    }
}
