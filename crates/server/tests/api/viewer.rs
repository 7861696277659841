//! The web viewer under `/viewer`, end to end on both databases: the sign-in page, the session
//! cookie (refused to accounts that may not view images, read-only on `/dicomweb`, ended at
//! sign-out), the viewer's files and its generated configuration; and CORS on `/dicomweb` for the
//! listed origins only. The viewer itself in a browser is `.ci/viewer_browser.py`.

use domain::clinic::{NewStaff, Password};
use store_diesel::testing::TestDb;
use tempfile::TempDir;
use token::KeyRing;

use crate::helpers::{Response, TestApp, on_each_backend};

const PASSWORD: &str = "a viewer's long password";
const ORIGIN: &str = "https://viewer.example.org";

/// A server with a viewer installed in a folder of its own (its `index.html` and one bundle), and
/// one allowed CORS origin.
fn viewer_app(db: TestDb) -> (TestApp, TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>OHIF</title><div id=root></div>",
    )
    .unwrap();
    std::fs::write(dir.path().join("app.bundle.js"), "window.loaded = true;").unwrap();
    let path = dir.path().to_owned();
    let app = TestApp::spawn_configured(
        db,
        KeyRing::generate(),
        move |c| {
            c.dicom.viewer_dir = Some(path);
            c.dicom.cors_origins = vec![ORIGIN.to_owned()];
        },
        false,
    );
    for (username, role) in [("haddad", "doctor"), ("desk", "receptionist")] {
        app.platform
            .state
            .clinic
            .staff
            .create_account(NewStaff {
                username: username.into(),
                password: Password::given(PASSWORD),
                name: "Staff Member".into(),
                name_ar: None,
                roles: vec![role.into()],
                provider_id: None,
            })
            .unwrap();
    }
    (app, dir)
}

fn form(app: &TestApp, path: &str, body: &str, headers: &[(&str, &str)]) -> Response {
    app.send(
        "POST",
        path,
        headers,
        Some((
            "application/x-www-form-urlencoded",
            body.as_bytes().to_vec(),
        )),
    )
}

fn header<'a>(r: &'a Response, name: &str) -> &'a str {
    r.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// The session cookie a sign-in set, as a `Cookie` header sends it back.
fn session(r: &Response) -> String {
    let set = header(r, "set-cookie");
    assert!(set.contains("HttpOnly"), "{set}");
    assert!(set.contains("SameSite=Strict"), "{set}");
    assert!(set.contains("Path=/"), "{set}");
    set.split(';').next().unwrap().to_owned()
}

on_each_backend!(
    the_viewer_signs_in_and_reads_dicomweb_by_cookie,
    |db: TestDb| {
        let (app, _dir) = viewer_app(db);

        // Without a session: the sign-in page, wherever in the app, to come back there.
        let r = app.get("/viewer/viewer?StudyInstanceUIDs=1.2.3");
        assert_eq!(r.status, 200);
        for field in [
            "name=\"username\"",
            "name=\"password\"",
            "type=\"submit\"",
            "value=\"/viewer/viewer?StudyInstanceUIDs=1.2.3\"",
        ] {
            assert!(r.text.contains(field), "{field}: {}", r.text);
        }
        assert!(!r.text.contains("OHIF"));
        assert_eq!(app.get("/viewer").status, 308);
        // The app's files need no session; a missing one is 404, not the app.
        let r = app.get("/viewer/app.bundle.js");
        assert_eq!(
            (r.status, header(&r, "content-type")),
            (200, "text/javascript; charset=utf-8")
        );
        assert_eq!(app.get("/viewer/missing.js").status, 404);
        assert_eq!(app.get("/viewer/../index.html").status, 404);
        let config = app.get("/viewer/app-config.js");
        assert!(
            config.text.contains("window.location.origin + '/dicomweb'"),
            "{}",
            config.text
        );

        // Wrong password: the form again, 401, the reason in the browser's language, and still
        // the page to come back to.
        let r = form(
            &app,
            "/viewer/sign-in",
            "username=haddad&password=wrong&next=%2Fviewer%2Fviewer%3FStudyInstanceUIDs%3D1.2",
            &[("accept-language", "ar")],
        );
        assert_eq!(r.status, 401);
        assert!(r.text.contains("dir=\"rtl\""), "{}", r.text);
        assert!(
            r.text
                .contains("name=\"next\" value=\"/viewer/viewer?StudyInstanceUIDs=1.2\""),
            "{}",
            r.text
        );
        assert!(header(&r, "set-cookie").is_empty());
        // An account that may not view images: refused, and its token revoked at once.
        let r = form(
            &app,
            "/viewer/sign-in",
            &format!("username=desk&password={PASSWORD}"),
            &[],
        );
        assert_eq!(r.status, 403);
        assert!(
            r.text.contains("only doctors and technicians"),
            "{}",
            r.text
        );
        assert!(header(&r, "set-cookie").is_empty());

        // A doctor: the session cookie, and back to the page asked for (never to another site).
        let next = "%2Fviewer%2Fviewer%3FStudyInstanceUIDs%3D1.2.3";
        let r = form(
            &app,
            "/viewer/sign-in",
            &format!("username=haddad&password={PASSWORD}&next={next}"),
            &[],
        );
        assert_eq!(r.status, 303, "{}", r.text);
        assert_eq!(
            header(&r, "location"),
            "/viewer/viewer?StudyInstanceUIDs=1.2.3"
        );
        let cookie = session(&r);
        let elsewhere = form(
            &app,
            "/viewer/sign-in",
            &format!("username=haddad&password={PASSWORD}&next=https%3A%2F%2Fevil.example"),
            &[],
        );
        assert_eq!(header(&elsewhere, "location"), "/viewer/");
        let with_cookie = [("cookie", cookie.as_str())];
        let r = app.send(
            "GET",
            "/viewer/viewer?StudyInstanceUIDs=1.2.3",
            &with_cookie,
            None,
        );
        assert!(r.text.contains("OHIF"), "{}", r.text);

        // The cookie reads DICOMweb, never writes it, and opens nothing else.
        assert_eq!(
            app.send("GET", "/dicomweb/studies", &with_cookie, None)
                .status,
            200
        );
        let stow = app.send(
            "POST",
            "/dicomweb/studies",
            &with_cookie,
            Some((
                "multipart/related; type=\"application/dicom\"; boundary=b",
                b"--b--\r\n".to_vec(),
            )),
        );
        assert_eq!(stow.status, 401, "{}", stow.text);
        assert_eq!(
            app.send("GET", "/api/patients", &with_cookie, None).status,
            401
        );

        // Sign-out revokes the token and clears the cookie.
        let r = app.send("POST", "/viewer/sign-out", &with_cookie, None);
        assert_eq!(r.status, 200);
        assert!(header(&r, "set-cookie").contains("Max-Age=0"));
        assert_eq!(
            app.send("GET", "/dicomweb/studies", &with_cookie, None)
                .status,
            401
        );
        let r = app.send("GET", "/viewer/", &with_cookie, None);
        assert!(r.text.contains("name=\"password\""));
    }
);

on_each_backend!(dicomweb_allows_the_listed_origins_only, |db: TestDb| {
    let (app, _dir) = viewer_app(db);
    let token = app.token(
        domain::identity::Audience::Clinic,
        &uuid::Uuid::now_v7().to_string(),
        &["doctor"],
    );
    let bearer = format!("Bearer {token}");
    let preflight = |origin: &str| {
        app.send(
            "OPTIONS",
            "/dicomweb/studies",
            &[
                ("origin", origin),
                ("access-control-request-method", "GET"),
                ("access-control-request-headers", "authorization"),
            ],
            None,
        )
    };
    let r = preflight(ORIGIN);
    assert_eq!(r.status, 204);
    assert_eq!(header(&r, "access-control-allow-origin"), ORIGIN);
    assert!(header(&r, "access-control-allow-headers").contains("Authorization"));
    let r = preflight("https://other.example.org");
    assert!(header(&r, "access-control-allow-origin").is_empty());
    let r = app.send(
        "GET",
        "/dicomweb/studies",
        &[("origin", ORIGIN), ("authorization", &bearer)],
        None,
    );
    assert_eq!(r.status, 200);
    assert_eq!(header(&r, "access-control-allow-origin"), ORIGIN);
    let r = app.send(
        "GET",
        "/dicomweb/studies",
        &[
            ("origin", "https://other.example.org"),
            ("authorization", &bearer),
        ],
        None,
    );
    assert!(header(&r, "access-control-allow-origin").is_empty());
    // Only DICOMweb is offered across origins.
    let r = app.send(
        "GET",
        "/api/auth/me",
        &[("origin", ORIGIN), ("authorization", &bearer)],
        None,
    );
    assert!(header(&r, "access-control-allow-origin").is_empty());
});
