//! Clinic staff accounts and sign-in, end to end: the first admin, signing in and out, `me`,
//! managing accounts with its rules, the limit on failed sign-ins, and sessions that end when an
//! account changes.

use std::io::Write;
use std::process::{Command, Stdio};

use domain::clinic::{NewStaff, Password};
use domain::clinic::{PasswordHasher, StaffRepository};
use serde_json::{Value, json};

use crate::helpers::{Response, TestApp, on_each_backend};

const ADMIN_PASSWORD: &str = "the first admin's password";
const DOCTOR_PASSWORD: &str = "a doctor's long password";

/// The first admin, as the command line creates it.
fn first_admin(app: &TestApp) -> String {
    let admin = app
        .platform
        .state
        .clinic
        .staff
        .create_account(NewStaff {
            username: "Admin".into(),
            password: Password::given(ADMIN_PASSWORD),
            name: "Clinic Admin".into(),
            name_ar: Some("مسؤول العيادة".into()),
            roles: vec!["admin".into()],
            provider_id: None,
        })
        .expect("first admin");
    admin.id.to_string()
}

fn call(
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

fn login(app: &TestApp, username: &str, password: &str) -> Response {
    call(
        app,
        "POST",
        "/api/auth/login",
        None,
        Some(json!({ "username": username, "password": password })),
    )
}

/// Signs in and returns the token.
fn token(app: &TestApp, username: &str, password: &str) -> String {
    let r = login(app, username, password);
    assert_eq!(r.status, 200, "{}", r.text);
    r.json["data"]["token"].as_str().expect("token").to_owned()
}

fn status(r: &Response, expected: u16) {
    assert_eq!(r.status, expected, "{}", r.text);
    assert_eq!(r.json["success"], expected < 300, "{}", r.text);
    if expected >= 400 {
        assert_eq!(r.json["code"], expected, "{}", r.text);
    }
}

on_each_backend!(clinic_staff_sign_in_and_accounts, |app| {
    let admin_id = first_admin(&app);

    // Sign in: the token and the account, never the password.
    let signed_in = login(&app, "admin", ADMIN_PASSWORD);
    status(&signed_in, 200);
    let account = &signed_in.json["data"]["admin"];
    assert_eq!(account["id"], admin_id.as_str());
    assert_eq!(account["username"], "Admin");
    assert_eq!(account["roles"], json!(["admin"]));
    assert_eq!(account["is_active"], true);
    assert!(!signed_in.text.contains("argon2") && !signed_in.text.contains(ADMIN_PASSWORD));
    let admin = signed_in.json["data"]["token"].as_str().unwrap().to_owned();
    let me = call(&app, "GET", "/api/auth/me", Some(&admin), None);
    status(&me, 200);
    assert_eq!(me.json["data"]["username"], "Admin");

    // A token issued on the command line names no account: `me` answers from the token.
    let issued = app.token(domain::identity::Audience::Clinic, "ops-1", &["doctor"]);
    let me = call(&app, "GET", "/api/auth/me", Some(&issued), None);
    status(&me, 200);
    assert_eq!(me.json["data"], json!({"id": "ops-1", "roles": ["doctor"]}));

    // Creating accounts.
    let doctor_body = json!({
        "username": "dr.lina", "password": DOCTOR_PASSWORD, "name": " Lina Haddad ",
        "name_ar": "لينا حداد", "roles": ["doctor"], "provider_id": "EMP3",
    });
    let created = call(
        &app,
        "POST",
        "/api/admins",
        Some(&admin),
        Some(doctor_body.clone()),
    );
    status(&created, 201);
    assert_eq!(created.json["data"]["name"], "Lina Haddad");
    assert_eq!(created.json["data"]["provider_id"], "EMP3");
    let doctor_id = created.json["data"]["id"].as_str().unwrap().to_owned();
    let mut taken = doctor_body.clone();
    taken["username"] = json!("DR.LINA");
    status(
        &call(&app, "POST", "/api/admins", Some(&admin), Some(taken)),
        409,
    );
    let mut weak = doctor_body.clone();
    weak["username"] = json!("dr.omar");
    weak["password"] = json!("password123");
    let refused = call(&app, "POST", "/api/admins", Some(&admin), Some(weak));
    status(&refused, 400);
    assert!(
        refused.json["error"].as_str().unwrap().contains("password"),
        "{}",
        refused.text
    );
    let mut unknown = doctor_body.clone();
    unknown["is_admin"] = json!(true);
    status(
        &call(&app, "POST", "/api/admins", Some(&admin), Some(unknown)),
        400,
    );

    // Bad credentials read the same whatever was wrong.
    let no_user = login(&app, "nobody", DOCTOR_PASSWORD);
    let wrong_password = login(&app, "dr.lina", "not the password at all");
    status(&no_user, 401);
    assert_eq!(no_user.text, wrong_password.text);
    assert_eq!(no_user.json["error"], "Invalid username or password");

    // The doctor sees and changes only their own account, and only their names.
    let doctor = token(&app, "DR.LINA", DOCTOR_PASSWORD);
    let own_list = call(&app, "GET", "/api/admins", Some(&doctor), None);
    status(&own_list, 200);
    assert_eq!(
        own_list.json["pagination"],
        json!({"page": 1, "limit": 15, "total": 1})
    );
    let all = call(
        &app,
        "GET",
        "/api/admins?role=admin&is_active=true&limit=500",
        Some(&admin),
        None,
    );
    status(&all, 200);
    assert_eq!(
        all.json["pagination"],
        json!({"page": 1, "limit": 100, "total": 1})
    );
    status(
        &call(&app, "GET", "/api/admins?page=0", Some(&admin), None),
        400,
    );
    status(
        &call(
            &app,
            "GET",
            "/api/admins?is_active=maybe",
            Some(&admin),
            None,
        ),
        400,
    );
    status(
        &call(
            &app,
            "GET",
            &format!("/api/admins/{admin_id}"),
            Some(&doctor),
            None,
        ),
        404,
    );
    status(
        &call(&app, "GET", "/api/admins/not-a-uuid", Some(&admin), None),
        404,
    );
    status(
        &call(
            &app,
            "GET",
            &format!("/api/admins/{doctor_id}"),
            Some(&admin),
            None,
        ),
        200,
    );
    let own = format!("/api/admins/{doctor_id}");
    let renamed = call(
        &app,
        "PUT",
        &own,
        Some(&doctor),
        Some(json!({"name": "Dr. Lina"})),
    );
    status(&renamed, 200);
    assert_eq!(renamed.json["data"]["name"], "Dr. Lina");
    status(
        &call(
            &app,
            "PUT",
            &own,
            Some(&doctor),
            Some(json!({"roles": ["admin"]})),
        ),
        403,
    );
    let others = format!("/api/admins/{admin_id}");
    status(
        &call(
            &app,
            "PUT",
            &others,
            Some(&doctor),
            Some(json!({"name": "x"})),
        ),
        404,
    );
    status(
        &call(
            &app,
            "POST",
            "/api/admins",
            Some(&doctor),
            Some(doctor_body),
        ),
        403,
    );
    let others_password =
        json!({"old_password": ADMIN_PASSWORD, "new_password": "hijacked password!"});
    status(
        &call(
            &app,
            "PUT",
            &format!("{others}/password"),
            Some(&doctor),
            Some(others_password),
        ),
        403,
    );
    status(
        &call(
            &app,
            "PUT",
            &format!("{others}/deactivate"),
            Some(&doctor),
            None,
        ),
        403,
    );

    // The doctor is provider EMP3: a token for /pro.
    let pro = call(
        &app,
        "POST",
        "/api/auth/login",
        None,
        Some(json!({"username": "dr.lina", "password": DOCTOR_PASSWORD, "audience": "snr_pro"})),
    );
    status(&pro, 200);
    let pro = pro.json["data"]["token"].as_str().unwrap().to_owned();
    let sops = app.post("/pro/sops", Some(&pro), json!({}));
    assert_eq!(sops.status, 200, "{}", sops.text);
    let admin_for_pro = call(
        &app,
        "POST",
        "/api/auth/login",
        None,
        Some(json!({"username": "admin", "password": ADMIN_PASSWORD, "audience": "snr_pro"})),
    );
    status(&admin_for_pro, 403);

    // The last admin stays one.
    status(
        &call(
            &app,
            "PUT",
            &format!("{others}/deactivate"),
            Some(&admin),
            None,
        ),
        409,
    );
    status(
        &call(
            &app,
            "PUT",
            &others,
            Some(&admin),
            Some(json!({"roles": ["doctor"]})),
        ),
        409,
    );
    status(
        &call(
            &app,
            "PUT",
            &others,
            Some(&admin),
            Some(json!({"is_active": false})),
        ),
        409,
    );

    // A new password ends the old sessions.
    let wrong_old = call(
        &app,
        "PUT",
        &format!("{own}/password"),
        Some(&doctor),
        Some(json!({"old_password": "not it", "new_password": "a brand new password"})),
    );
    status(&wrong_old, 400);
    assert!(
        wrong_old.json["error"]
            .as_str()
            .unwrap()
            .contains("old_password"),
        "{}",
        wrong_old.text
    );
    let changed = call(
        &app,
        "PUT",
        &format!("{own}/password"),
        Some(&doctor),
        Some(json!({"old_password": DOCTOR_PASSWORD, "new_password": "a brand new password"})),
    );
    status(&changed, 200);
    status(&call(&app, "GET", "/api/auth/me", Some(&doctor), None), 401);
    assert_eq!(app.post("/pro/sops", Some(&pro), json!({})).status, 401);
    status(&login(&app, "dr.lina", DOCTOR_PASSWORD), 401);
    let doctor = token(&app, "dr.lina", "a brand new password");

    // Deactivating ends the sessions at once, and signing in reads as a wrong password.
    let deactivated = call(
        &app,
        "PUT",
        &format!("{own}/deactivate"),
        Some(&admin),
        None,
    );
    status(&deactivated, 200);
    assert_eq!(deactivated.json["data"]["is_active"], false);
    status(&call(&app, "GET", "/api/auth/me", Some(&doctor), None), 401);
    let inactive = login(&app, "dr.lina", "a brand new password");
    assert_eq!(inactive.text, no_user.text);

    // Signing out ends this session only.
    let second = token(&app, "admin", ADMIN_PASSWORD);
    status(
        &call(&app, "POST", "/api/auth/logout", Some(&admin), None),
        200,
    );
    status(&call(&app, "GET", "/api/auth/me", Some(&admin), None), 401);
    status(&call(&app, "GET", "/api/auth/me", Some(&second), None), 200);
});

on_each_backend!(clinic_staff_failed_sign_ins_are_limited, |app| {
    first_admin(&app);
    for _ in 0..5 {
        status(&login(&app, "admin", "not the password at all"), 401);
    }
    let throttled = login(&app, "admin", ADMIN_PASSWORD);
    status(&throttled, 429);
    let retry: u64 = throttled.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    // Another account from the same address may still sign in.
    status(&login(&app, "someone", "not the password at all"), 401);
});

#[test]
fn clinic_staff_first_admin_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let create = |username: &str, password: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
            .args([
                "staff",
                "create",
                "--username",
                username,
                "--name",
                "First Admin",
            ])
            .args(["--name-ar", "المسؤول الأول", "--roles", "admin,doctor"])
            .env_clear()
            .env("DATA_DIR", dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("server binary runs");
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        child.wait_with_output().unwrap()
    };
    let made = create("root", ADMIN_PASSWORD);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let id = String::from_utf8_lossy(&made.stdout).trim().to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    let weak = create("second", "qwerty1234");
    assert!(!weak.status.success());
    let said = String::from_utf8_lossy(&weak.stderr);
    assert!(said.contains("too common"), "{said}");
    let taken = create("ROOT", ADMIN_PASSWORD);
    assert!(!taken.status.success());
    let said = String::from_utf8_lossy(&taken.stderr);
    assert!(said.contains("already taken"), "{said}");

    // The account is there, with both roles and a hash of the password it was given.
    let url = format!("sqlite://{}", dir.path().join("medcare.db").display());
    let store = store_diesel::Store::connect(&url, 1).unwrap();
    let (account, hash) = store.find_by_username_key("root").unwrap().unwrap();
    assert_eq!(account.id.to_string(), id);
    assert_eq!(account.name_ar.unwrap().as_str(), "المسؤول الأول");
    assert_eq!(account.roles.len(), 2);
    let hasher = token::Argon2Hasher;
    assert!(
        hasher
            .verify(&Password::given(ADMIN_PASSWORD), &hash)
            .unwrap()
    );
}
