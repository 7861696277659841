//! Who may call what on the clinic surface: every `/api` operation the OpenAPI document lists ×
//! every clinic role, no token, a revoked token and a token for another surface. The roles each
//! operation allows are read from the document, which takes them from the one policy table in
//! `domain::clinic::policy`; so a new route is covered as soon as it is served.

use domain::identity::Audience;
use serde_json::{Value, json};

use crate::helpers::{TestApp, on_each_backend};

const ROLES: [&str; 4] = ["admin", "doctor", "technician", "receptionist"];

/// The operations of the clinic surface: method, path, the roles allowed (`None`: no token needed).
fn clinic_operations(app: &TestApp) -> Vec<(String, String, Option<Vec<String>>)> {
    let doc = app.get("/openapi.json").json;
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        let clinic = path.starts_with("/api/") || path.starts_with("/dicomweb/");
        if !clinic || path.starts_with("/api/v3") {
            continue;
        }
        for (method, operation) in item.as_object().expect("operations") {
            let roles = operation["security"].as_array().map(|requirements| {
                requirements
                    .iter()
                    .flat_map(|r| r["token"].as_array().cloned().unwrap_or_default())
                    .map(|role| role.as_str().unwrap_or_default().to_owned())
                    .collect::<Vec<_>>()
            });
            operations.push((method.to_uppercase(), path.clone(), roles));
        }
    }
    operations
}

/// Calls `method path` with ids that name nothing, and a JSON body for writes.
fn call(app: &TestApp, method: &str, path: &str, token: Option<&str>) -> (u16, Value) {
    let nothing = uuid::Uuid::now_v7().to_string();
    let mut concrete = String::new();
    for segment in path.split('/').skip(1) {
        concrete.push('/');
        if segment.starts_with('{') {
            concrete.push_str(&nothing);
        } else {
            concrete.push_str(segment);
        }
    }
    let mut headers = vec![];
    if let Some(token) = token {
        headers.push(("authorization", token));
    }
    let body = matches!(method, "POST" | "PUT")
        .then(|| ("application/json", json!({}).to_string().into_bytes()));
    let response = app.send(method, &concrete, &headers, body);
    (response.status, response.json)
}

/// Whether an answer is the guard's refusal of the caller's roles.
fn role_refusal(status: u16, body: &Value) -> bool {
    status == 403
        && body["success"] == false
        && body["code"] == 403
        && body["error"]
            .as_str()
            .is_some_and(|e| e.contains("needs one of these roles"))
}

on_each_backend!(
    every_clinic_route_checks_token_and_role_before_anything_else,
    |app| {
        let operations = clinic_operations(&app);
        assert!(
            !operations.is_empty(),
            "the clinic's routes are in the document"
        );
        let revoked = app.token(Audience::Clinic, &uuid::Uuid::now_v7().to_string(), &ROLES);
        let actor = app
            .platform
            .state
            .auth
            .verify(Some(&revoked), Audience::Clinic)
            .unwrap();
        app.platform.state.auth.revoke(&actor).unwrap();
        let other_surface = app.token(Audience::SnrAdmin, "admin-1", &["admin"]);
        let mut checked = 0;
        for (method, path, roles) in &operations {
            let Some(roles) = roles else {
                // Open routes (sign-in) take no token.
                continue;
            };
            assert!(!roles.is_empty(), "{method} {path} names no role");
            for (name, token) in [
                ("no token", None),
                ("a revoked token", Some(revoked.as_str())),
                ("another surface's token", Some(other_surface.as_str())),
            ] {
                let (status, body) = call(&app, method, path, token);
                assert_eq!(status, 401, "{method} {path} with {name}: {body}");
                assert_eq!(body["success"], false, "{method} {path} with {name}");
                assert_eq!(body["code"], 401, "{method} {path} with {name}");
            }
            for role in ROLES {
                let token = app.token(Audience::Clinic, &uuid::Uuid::now_v7().to_string(), &[role]);
                let (status, body) = call(&app, method, path, Some(&token));
                let allowed = roles.iter().any(|r| r == role);
                if allowed {
                    assert!(
                        status != 401 && !role_refusal(status, &body),
                        "{method} {path} refused {role}, whom the policy allows: {status} {body}"
                    );
                    assert!(status < 500, "{method} {path} as {role}: {status} {body}");
                } else {
                    assert!(
                        role_refusal(status, &body),
                        "{method} {path} let {role} through, whom the policy refuses: {status} {body}"
                    );
                }
                checked += 1;
            }
        }
        assert!(checked >= 4, "the matrix ran");
    }
);
