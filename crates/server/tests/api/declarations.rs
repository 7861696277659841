//! eHealth declaration requests end to end, on the demo registry: a request confirmed by SMS code
//! from creation to an active declaration, and the refusals of the approve step (004) in order.

use std::time::Duration;

use domain::identity::{Audience, IssueRequest};
use domain::notifications::{NotificationData, OutboxRepository};
use serde_json::{Value, json};

use crate::helpers::{Response, TestApp, on_each_backend};

pub const LE: &str = "0193a1c0-0000-7000-8000-00000000e001";
pub const DIVISION: &str = "0193a1c0-0000-7000-8000-00000000e101";
pub const THERAPIST: &str = "0193a1c0-0000-7000-8000-00000000e201";
pub const PEDIATRICIAN: &str = "0193a1c0-0000-7000-8000-00000000e202";
pub const FAMILY_DOCTOR: &str = "0193a1c0-0000-7000-8000-00000000e203";
pub const PERSON_OTP: &str = "0193a1c0-0000-7000-8000-00000000e301";
pub const PERSON_OFFLINE: &str = "0193a1c0-0000-7000-8000-00000000e302";
pub const CHILD_NA: &str = "0193a1c0-0000-7000-8000-00000000e303";
pub const PERSON_NOT_VERIFIED: &str = "0193a1c0-0000-7000-8000-00000000e304";
pub const PARENT_DECLARATION: &str = "0193a1c0-0000-7000-8000-00000000e401";
pub const PHONE_OTP: &str = "+380501234567";
pub const PHONE_NOT_VERIFIED: &str = "+380501234568";
/// The seeds of the demo doctors' Ed25519 keys (each byte of the 32-byte seed).
pub const THERAPIST_KEY: u8 = 11;
pub const PEDIATRICIAN_KEY: u8 = 12;

pub const ALL_SCOPES: &[&str] = &[
    "declaration_request:write",
    "declaration_request:read",
    "declaration_request:approve",
    "declaration_request:reject",
    "declaration_request:sign",
];

/// Loads the demo registry into the app's database.
pub fn seed_registry(app: &TestApp) {
    let registry = server::registry::read(server::registry::DEMO_REGISTRY).unwrap();
    server::registry::import(&app.platform.store, &registry).unwrap();
}

/// An `ehealth` token of `client_id` with `scopes`.
pub fn ehealth_token(app: &TestApp, scopes: &[&str], client_id: &str) -> String {
    app.platform
        .state
        .auth
        .issue(&IssueRequest {
            audience: Audience::Ehealth,
            subject: "doctor-user-1".into(),
            roles: vec![],
            scope: Some(scopes.join(" ")),
            client_id: Some(client_id.into()),
            ttl: Duration::from_secs(600),
        })
        .unwrap()
}

/// A request with a JSON body (or none) and the token (or none).
pub fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Response {
    let mut headers = Vec::new();
    if let Some(t) = token {
        headers.push(("authorization", t));
    }
    let body = body.map(|b| ("application/json", b.to_string().into_bytes()));
    app.send(method, path, &headers, body)
}

/// The envelope C error message.
pub fn error(r: &Response) -> &str {
    r.json["error"]["message"].as_str().unwrap_or_default()
}

pub fn create_body(person: &str, employee: &str) -> Value {
    json!({"declaration_request": {
        "person_id": person, "employee_id": employee, "division_id": DIVISION}})
}

/// Creates a request; its id.
pub fn create(app: &TestApp, token: &str, body: Value) -> (String, Response) {
    let r = call(
        app,
        "POST",
        "/api/v3/declaration_requests",
        Some(token),
        Some(body),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    (r.json["data"]["id"].as_str().unwrap().to_owned(), r)
}

pub fn action(app: &TestApp, token: &str, id: &str, name: &str, body: Option<Value>) -> Response {
    call(
        app,
        "PATCH",
        &format!("/api/v3/declaration_requests/{id}/actions/{name}"),
        Some(token),
        body,
    )
}

/// The latest code the outbox holds for `phone`, read through the store as the SMS channel would.
pub fn code_for(app: &TestApp, phone: &str) -> String {
    let messages = app.platform.store.list(None, 500, 0).unwrap();
    messages
        .iter()
        .find_map(|m| match &m.notification.data {
            NotificationData::VerificationCode(n) if n.phone_number == phone => {
                Some(n.code.clone())
            }
            _ => None,
        })
        .expect("a code in the outbox")
}

/// A code of the right shape that is not `code`.
pub fn other_code(code: &str) -> String {
    let first = code.as_bytes()[0];
    let changed = if first == b'9' {
        '0'
    } else {
        char::from(first + 1)
    };
    format!("{changed}{}", &code[1..])
}

/// A compact JWS (EdDSA) of `payload` by the doctor whose key seed is `seed`.
pub fn sign_as(seed: u8, payload: &Value) -> String {
    use ed25519_dalek::pkcs8::EncodePrivateKey;
    // The server installed the signature provider when it started; this makes sure of it.
    let _ = ehealth::JwsVerifier::new();
    let signing = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
    let der = signing.to_pkcs8_der().unwrap();
    let key = jsonwebtoken::EncodingKey::from_ed_der(der.as_bytes());
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA),
        payload,
        &key,
    )
    .unwrap()
}

on_each_backend!(otp_request_from_creation_to_an_active_declaration, |app| {
    seed_registry(&app);
    let token = ehealth_token(&app, ALL_SCOPES, LE);
    let (id, created) = create(&app, &token, create_body(PERSON_OTP, THERAPIST));
    let data = &created.json["data"];
    assert_eq!(data["status"], "NEW");
    assert_eq!(data["authentication_method_current"]["type"], "OTP");
    assert_eq!(created.json["meta"]["code"], 201);
    assert_eq!(created.json["urgent"]["documents"], json!([]));
    assert_eq!(data["data_to_be_signed"]["person"]["id"], PERSON_OTP);
    assert!(!created.text.contains("verification_code"));
    let code = code_for(&app, PHONE_OTP);

    // The code is in no answer: not the request's, not the administrators' outbox view.
    let shown = call(
        &app,
        "GET",
        &format!("/api/v3/declaration_requests/{id}"),
        Some(&token),
        None,
    );
    assert_eq!(
        (shown.status, &shown.json["data"]["status"]),
        (200, &json!("NEW"))
    );
    let outbox = app.post("/admin/notifications", Some(&app.admin()), json!({}));
    assert_eq!(outbox.status, 200);
    let items = outbox.json["data"].as_array().unwrap();
    let sms = items
        .iter()
        .find(|n| n["kind"] == "verification_code")
        .expect("the SMS in the outbox");
    assert_eq!(sms["code"], "EHL01");
    for field in sms.as_object().unwrap().keys() {
        assert!(!["data", "body", "text", "phone_number"].contains(&field.as_str()));
    }
    assert!(!sms.to_string().contains(&format!("\"{code}\"")));
    assert!(!sms.to_string().contains(PHONE_OTP));

    let numeric: u32 = code.parse().unwrap();
    let approved = action(
        &app,
        &token,
        &id,
        "approve",
        Some(json!({"verification_code": numeric})),
    );
    assert_eq!(approved.status, 201, "{}", approved.text);
    let data = &approved.json["data"];
    assert_eq!(data["status"], "APPROVED");
    assert_eq!(data["status_reason"], "doctor_confirmed");
    let document = data["data_to_be_signed"].clone();
    assert_eq!(document["seed"], data["seed"]);
    assert!(document["seed"].as_str().is_some_and(|s| s.len() == 128));
    // The printout is rendered again at approval, from the approved request.
    let printout = data["printout_content"].as_str().unwrap_or_default();
    assert!(printout.starts_with("<!DOCTYPE html>"), "{printout}");
    assert!(printout.contains(data["declaration_number"].as_str().unwrap()));

    // Another doctor's key, or another document, is refused.
    let wrong_key = action(
        &app,
        &token,
        &id,
        "sign",
        Some(json!({
        "signed_declaration_request": sign_as(PEDIATRICIAN_KEY, &document)})),
    );
    assert_eq!(wrong_key.status, 422, "{}", wrong_key.text);
    let mut altered = document.clone();
    altered["start_date"] = json!("2030-01-01");
    let wrong_content = action(
        &app,
        &token,
        &id,
        "sign",
        Some(json!({
        "signed_declaration_request": sign_as(THERAPIST_KEY, &altered)})),
    );
    assert_eq!(wrong_content.status, 422, "{}", wrong_content.text);

    let signed = action(
        &app,
        &token,
        &id,
        "sign",
        Some(json!({
        "signed_declaration_request": sign_as(THERAPIST_KEY, &document)})),
    );
    assert_eq!(signed.status, 200, "{}", signed.text);
    let declaration_id = signed.json["data"]["id"].as_str().unwrap().to_owned();
    assert_eq!(declaration_id, document["id"].as_str().unwrap());

    let declaration = call(
        &app,
        "GET",
        &format!("/api/v3/declarations/{declaration_id}"),
        Some(&token),
        None,
    );
    assert_eq!(declaration.status, 200, "{}", declaration.text);
    assert_eq!(declaration.json["data"]["status"], "active");
    assert_eq!(
        declaration.json["data"]["declaration_request_id"],
        id.as_str()
    );
    let request = call(
        &app,
        "GET",
        &format!("/api/v3/declaration_requests/{id}"),
        Some(&token),
        None,
    );
    assert_eq!(request.json["data"]["status"], "SIGNED");

    let list = call(
        &app,
        "GET",
        &format!("/api/v3/declaration_requests?status=SIGNED&person_id={PERSON_OTP}&page_size=5"),
        Some(&token),
        None,
    );
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.json["meta"]["type"], "list");
    assert_eq!(list.json["paging"]["total_entries"], 1);
    assert_eq!(list.json["paging"]["page_size"], 5);
    assert_eq!(list.json["data"][0]["id"], id.as_str());
    let bad = call(
        &app,
        "GET",
        "/api/v3/declaration_requests?status=DONE&page=0",
        Some(&token),
        None,
    );
    assert_eq!(bad.status, 422, "{}", bad.text);

    // The declaration goes into the chain's next block; the chain verifies.
    let block = app
        .platform
        .store
        .close_declaration_block(time::OffsetDateTime::now_utc())
        .unwrap()
        .expect("a block over the new declaration");
    assert_eq!(block.declaration_count, 2);
    let chain = app.post(
        "/admin/verify-declaration-chain",
        Some(&app.admin()),
        json!({}),
    );
    assert_eq!(chain.status, 200, "{}", chain.text);
    assert_eq!(
        chain.json["data"],
        json!({"intact_blocks": 1, "broken": null})
    );

    // Signing twice is a transition the request no longer allows.
    let again = action(
        &app,
        &token,
        &id,
        "sign",
        Some(json!({
        "signed_declaration_request": sign_as(THERAPIST_KEY, &document)})),
    );
    assert_eq!((again.status, error(&again)), (409, "Invalid transition"));
});

on_each_backend!(wrong_codes_then_no_attempt_left, |app| {
    seed_registry(&app);
    let token = ehealth_token(&app, ALL_SCOPES, LE);
    let (id, _) = create(&app, &token, create_body(PERSON_OTP, THERAPIST));
    let code = code_for(&app, PHONE_OTP);
    let wrong = other_code(&code);
    for _ in 0..3 {
        let r = action(
            &app,
            &token,
            &id,
            "approve",
            Some(json!({"verification_code": wrong})),
        );
        assert_eq!((r.status, error(&r)), (422, "Invalid verification code"));
        assert_eq!(r.json["error"]["type"], "validation_failed");
    }
    let r = action(
        &app,
        &token,
        &id,
        "approve",
        Some(json!({"verification_code": code})),
    );
    assert_eq!((r.status, error(&r)), (422, "Maximum attempts exceed"));

    // A missing or malformed code is the body's fault.
    let r = action(&app, &token, &id, "approve", None);
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(
        r.json["error"]["invalid"][0]["entry"],
        "$.verification_code"
    );
    let r = action(
        &app,
        &token,
        &id,
        "approve",
        Some(json!({"verification_code": "12a4"})),
    );
    assert_eq!(r.status, 422, "{}", r.text);

    // A new code cancels the dead one and works.
    let resent = action(&app, &token, &id, "resend_otp", None);
    assert_eq!(resent.status, 200, "{}", resent.text);
    let fresh = code_for(&app, PHONE_OTP);
    let r = action(
        &app,
        &token,
        &id,
        "approve",
        Some(json!({"verification_code": fresh})),
    );
    assert_eq!(r.status, 201, "{}", r.text);
});

on_each_backend!(an_expired_code_is_refused, |db: TestDb| {
    let app = TestApp::spawn_configured(
        db,
        token::KeyRing::generate(),
        |c| c.declarations.otp_ttl = Duration::from_secs(1),
        false,
    );
    seed_registry(&app);
    let token = ehealth_token(&app, ALL_SCOPES, LE);
    let (id, _) = create(&app, &token, create_body(PERSON_OTP, THERAPIST));
    let code = code_for(&app, PHONE_OTP);
    std::thread::sleep(Duration::from_millis(1500));
    let r = action(
        &app,
        &token,
        &id,
        "approve",
        Some(json!({"verification_code": code})),
    );
    assert_eq!((r.status, error(&r)), (422, "Verification code expired"));
});

on_each_backend!(a_patient_not_verified_is_409, |app| {
    seed_registry(&app);
    let token = ehealth_token(&app, ALL_SCOPES, LE);
    let (id, _) = create(&app, &token, create_body(PERSON_NOT_VERIFIED, THERAPIST));
    let code = code_for(&app, PHONE_NOT_VERIFIED);
    let r = action(
        &app,
        &token,
        &id,
        "approve",
        Some(json!({"verification_code": code})),
    );
    assert_eq!((r.status, error(&r)), (409, "Patient is not verified"));
    assert_eq!(r.json["error"]["type"], "request_conflict");
});

on_each_backend!(the_doctors_limit_is_422, |db: TestDb| {
    let app = TestApp::spawn_configured(
        db,
        token::KeyRing::generate(),
        |c| c.declarations.limits.therapist = 0,
        false,
    );
    seed_registry(&app);
    let token = ehealth_token(&app, ALL_SCOPES, LE);
    let (id, _) = create(&app, &token, create_body(PERSON_OTP, THERAPIST));
    let code = code_for(&app, PHONE_OTP);
    let r = action(
        &app,
        &token,
        &id,
        "approve",
        Some(json!({"verification_code": code})),
    );
    assert_eq!(
        (r.status, error(&r)),
        (
            422,
            "This doctor has 0 declarations and could not sign more"
        )
    );
});

on_each_backend!(codes_reach_the_sms_gateway, |db: TestDb| {
    let gateway = notify::testing::HttpReceiver::always_ok();
    let url = gateway.url.clone();
    let app = TestApp::spawn_configured(
        db,
        token::KeyRing::generate(),
        move |c| {
            c.notify.channels = vec!["log".into(), "sms".into()];
            c.notify.sms_gateway_url = Some(url);
            c.notify.sms_gateway_secret = Some(server::config::Secret::new("g".repeat(32)));
            // Far longer than the test waits: the code's writing wakes the dispatcher.
            c.notify.poll = Duration::from_secs(60);
        },
        true,
    );
    seed_registry(&app);
    let token = ehealth_token(&app, ALL_SCOPES, LE);
    let (id, _) = create(&app, &token, create_body(PERSON_OTP, THERAPIST));
    let code = code_for(&app, PHONE_OTP);
    let started = std::time::Instant::now();
    let sms = loop {
        if let Some(r) = gateway.requests().into_iter().next() {
            break r;
        }
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "no SMS reached the gateway"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let body = sms.json();
    assert_eq!(body["to"], PHONE_OTP);
    assert!(body["text"].as_str().unwrap().contains(&code));
    assert!(
        sms.header("webhook-signature")
            .is_some_and(|s| s.starts_with("v1="))
    );
    let r = action(
        &app,
        &token,
        &id,
        "approve",
        Some(json!({"verification_code": code})),
    );
    assert_eq!(r.status, 201, "{}", r.text);
});
