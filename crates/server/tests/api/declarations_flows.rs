//! eHealth declaration requests end to end: the `OFFLINE` and `NA` methods, reject and resend, and
//! what every route refuses first (token, scope, legal entity, unknown properties).

use serde_json::json;

use crate::declarations::{
    ALL_SCOPES, CHILD_NA, FAMILY_DOCTOR, LE, PARENT_DECLARATION, PEDIATRICIAN, PEDIATRICIAN_KEY,
    PERSON_OFFLINE, PERSON_OTP, THERAPIST, action, call, create, create_body, ehealth_token, error,
    seed_registry, sign_as,
};
use crate::helpers::{TestApp, on_each_backend};

/// A `PUT` of `bytes` through an absolute upload link of this server.
fn upload(app: &TestApp, url: &str, bytes: &[u8]) -> crate::helpers::Response {
    let path = url.strip_prefix(&app.base).expect("a link to this server");
    app.send(
        "PUT",
        path,
        &[],
        Some(("application/octet-stream", bytes.to_vec())),
    )
}

on_each_backend!(offline_documents_are_uploaded_through_signed_links, |app| {
    seed_registry(&app);
    let token = ehealth_token(&app, ALL_SCOPES, LE);
    let (id, created) = create(&app, &token, create_body(PERSON_OFFLINE, FAMILY_DOCTOR));
    assert_eq!(
        created.json["data"]["authentication_method_current"]["type"],
        "OFFLINE"
    );
    let links = created.json["urgent"]["documents"]
        .as_array()
        .unwrap()
        .clone();
    let types: Vec<&str> = links.iter().map(|l| l["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["person.no_tax_id", "PASSPORT"]);

    let missing = action(&app, &token, &id, "approve", Some(json!({})));
    assert_eq!(missing.status, 409, "{}", missing.text);
    assert_eq!(
        error(&missing),
        "Documents person.no_tax_id, PASSPORT is not uploaded"
    );
    // The OFFLINE method takes no code.
    let with_code = action(
        &app,
        &token,
        &id,
        "approve",
        Some(json!({"verification_code": 1234})),
    );
    assert_eq!(with_code.status, 422, "{}", with_code.text);

    let passport = links[1]["url"].as_str().unwrap();
    // An altered link, or one for another key, is refused and stores nothing.
    let altered = passport.replace("signature=", "signature=00");
    assert_eq!(upload(&app, &altered, b"scan").status, 403);
    let other_key = passport.replace("PASSPORT", "ID_CARD");
    let refused = upload(&app, &other_key, b"scan");
    assert_eq!(refused.status, 403);
    assert_eq!(refused.json["error"]["type"], "forbidden");

    let stored = upload(&app, passport, b"%PDF-1.4 passport scan");
    assert_eq!(stored.status, 200, "{}", stored.text);
    assert_eq!(stored.json["data"]["size"], 22);
    let still = action(&app, &token, &id, "approve", None);
    assert_eq!(
        (still.status, error(&still)),
        (409, "Documents person.no_tax_id is not uploaded")
    );
    let tax = links[0]["url"].as_str().unwrap();
    assert_eq!(upload(&app, tax, b"no tax id statement").status, 200);

    let approved = action(&app, &token, &id, "approve", None);
    assert_eq!(approved.status, 201, "{}", approved.text);
    assert_eq!(approved.json["data"]["status"], "APPROVED");
});

on_each_backend!(a_child_with_a_parents_declaration, |app| {
    seed_registry(&app);
    let token = ehealth_token(&app, ALL_SCOPES, LE);
    let mut body = create_body(CHILD_NA, PEDIATRICIAN);
    body["declaration_request"]["parent_declaration_id"] = json!(PARENT_DECLARATION);
    let (id, created) = create(&app, &token, body);
    let person = &created.json["data"]["data_to_be_signed"]["person"];
    assert_eq!(person["patient_signed"], false);

    let approved = action(&app, &token, &id, "approve", None);
    assert_eq!(approved.status, 201, "{}", approved.text);
    let document = approved.json["data"]["data_to_be_signed"].clone();
    assert_eq!(document["person"]["patient_signed"], json!(null));
    assert_eq!(
        document["person"]["process_disclosure_data_consent"],
        json!(null)
    );
    assert_eq!(document["parent_declaration_id"], PARENT_DECLARATION);

    let signed = action(
        &app,
        &token,
        &id,
        "sign",
        Some(json!({"signed_declaration_request": sign_as(PEDIATRICIAN_KEY, &document)})),
    );
    assert_eq!(signed.status, 200, "{}", signed.text);
    assert_eq!(signed.json["data"]["status"], "active");
    let parent = call(
        &app,
        "GET",
        &format!("/api/v3/declarations/{PARENT_DECLARATION}"),
        Some(&token),
        None,
    );
    assert_eq!(parent.json["data"]["status"], "terminated");
    assert_eq!(parent.json["data"]["reason"], "auto_reorganization");

    // A child whose parent's declaration is no longer active cannot be approved.
    let mut body = create_body(CHILD_NA, FAMILY_DOCTOR);
    body["declaration_request"]["parent_declaration_id"] = json!(PARENT_DECLARATION);
    let r = call(
        &app,
        "POST",
        "/api/v3/declaration_requests",
        Some(&token),
        Some(body),
    );
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(
        r.json["error"]["invalid"][0]["entry"],
        "$.declaration_request.parent_declaration_id"
    );
});

on_each_backend!(reject_and_resend, |app| {
    seed_registry(&app);
    let token = ehealth_token(&app, ALL_SCOPES, LE);
    let (id, _) = create(&app, &token, create_body(PERSON_OTP, THERAPIST));
    let rejected = action(&app, &token, &id, "reject", Some(json!({})));
    assert_eq!(rejected.status, 200, "{}", rejected.text);
    assert_eq!(rejected.json["data"]["status"], "REJECTED");
    assert_eq!(rejected.json["data"]["status_reason"], "doctor_rejected");
    let again = action(&app, &token, &id, "reject", None);
    assert_eq!((again.status, error(&again)), (409, "Invalid transition"));
    let resend = action(&app, &token, &id, "resend_otp", None);
    assert_eq!(resend.status, 409);

    let (offline, _) = create(&app, &token, create_body(PERSON_OFFLINE, THERAPIST));
    let r = action(&app, &token, &offline, "resend_otp", None);
    assert_eq!((r.status, error(&r)), (409, "Invalid transition"));

    // A newer request for the same person and doctor cancels the open one.
    let (first, _) = create(&app, &token, create_body(PERSON_OTP, FAMILY_DOCTOR));
    create(&app, &token, create_body(PERSON_OTP, FAMILY_DOCTOR));
    let shown = call(
        &app,
        "GET",
        &format!("/api/v3/declaration_requests/{first}"),
        Some(&token),
        None,
    );
    assert_eq!(shown.json["data"]["status"], "CANCELLED");
});

on_each_backend!(token_scope_legal_entity_and_body_come_in_order, |app| {
    seed_registry(&app);
    let token = ehealth_token(&app, ALL_SCOPES, LE);
    let (id, _) = create(&app, &token, create_body(PERSON_OTP, THERAPIST));
    let path = format!("/api/v3/declaration_requests/{id}");

    // No token: 401 in envelope C, whatever the body says.
    let r = call(
        &app,
        "POST",
        "/api/v3/declaration_requests",
        None,
        Some(json!({"x": 1})),
    );
    assert_eq!(r.status, 401);
    assert_eq!(r.json["error"]["type"], "access_denied");
    assert_eq!(r.json["meta"]["code"], 401);
    // Another surface's token.
    let r = call(&app, "GET", &path, Some(&app.user()), None);
    assert_eq!(r.status, 401);

    // A scope missing: 401 "Invalid scopes", before the body is looked at.
    let reader = ehealth_token(&app, &["declaration_request:read"], LE);
    let r = call(
        &app,
        "POST",
        "/api/v3/declaration_requests",
        Some(&reader),
        Some(json!({"unknown": true})),
    );
    assert_eq!((r.status, error(&r)), (401, "Invalid scopes"));
    let r = action(&app, &reader, &id, "approve", Some(json!({"x": 1})));
    assert_eq!((r.status, error(&r)), (401, "Invalid scopes"));
    assert_eq!(call(&app, "GET", &path, Some(&reader), None).status, 200);

    // Another legal entity's request does not exist for the caller.
    let other = ehealth_token(&app, ALL_SCOPES, "0193a1c0-0000-7000-8000-00000000f001");
    let r = call(&app, "GET", &path, Some(&other), None);
    assert_eq!(
        (r.status, error(&r)),
        (404, "Declaration request not found")
    );
    let r = action(&app, &other, &id, "reject", None);
    assert_eq!(r.status, 404);
    let r = call(
        &app,
        "GET",
        "/api/v3/declaration_requests",
        Some(&other),
        None,
    );
    assert_eq!(r.json["paging"]["total_entries"], 0);

    // Unknown and malformed properties: 422, one entry each.
    let r = call(
        &app,
        "POST",
        "/api/v3/declaration_requests",
        Some(&token),
        Some(json!({"declaration_request": {
            "person_id": PERSON_OTP, "employee_id": "nope", "division_id": 7,
            "status": "SIGNED"}, "user_id": "x"})),
    );
    assert_eq!(r.status, 422, "{}", r.text);
    let mut entries: Vec<&str> = r.json["error"]["invalid"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["entry"].as_str().unwrap())
        .collect();
    entries.sort_unstable();
    assert_eq!(
        entries,
        [
            "$.declaration_request.division_id",
            "$.declaration_request.employee_id",
            "$.declaration_request.status",
            "$.user_id",
        ]
    );
    let r = action(&app, &token, &id, "reject", Some(json!({"reason": "x"})));
    assert_eq!(r.status, 422);
    assert_eq!(r.json["error"]["invalid"][0]["entry"], "$.reason");
    // Malformed JSON stays a 400.
    let r = app.send(
        "PATCH",
        &format!("{path}/actions/reject"),
        &[("authorization", token.as_str())],
        Some(("application/json", b"{".to_vec())),
    );
    assert_eq!(r.status, 400);
});
