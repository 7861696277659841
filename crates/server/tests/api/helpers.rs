//! Spawns the real server on a loopback port, on a fresh database of each configured backend.

use std::net::TcpListener;
use std::time::Duration;

use domain::identity::{Audience, IssueRequest};
use serde_json::Value;
use server::config::{Config, NotifyConfig, Secret};
use server::{Background, Platform, open};
use store_diesel::testing::TestDb;
use token::KeyRing;
use ureq::http;

pub struct TestApp {
    pub base: String,
    pub platform: Platform,
    pub ring: KeyRing,
    pub backend: String,
    /// The database's URL, for a second server on the same database.
    pub url: String,
    handle: actix_web::dev::ServerHandle,
    agent: ureq::Agent,
    background: Option<Background>,
    /// The DICOM listener, when the test's configuration turned it on.
    pub dicom: Option<dicom_listener::ListenerHandle>,
    /// The server's blob folder.
    pub _files: tempfile::TempDir,
    // Dropped last: the database outlives the server that uses it. `None` for a second server
    // beside another on the same database.
    _db: Option<TestDb>,
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Response {
    /// The envelope A message.
    pub fn message(&self) -> &str {
        self.json["message"].as_str().unwrap_or_default()
    }
}

/// One test per backend: `on_each_backend!(name, |app| { ... })` makes the module `name` with the
/// tests `sqlite` and `postgres`, each running the body against its own server, so that a failure
/// on one backend never hides the other's. The PostgreSQL test says so and passes when
/// `TEST_DATABASE_URL` is unset.
///
/// `on_each_backend!(name, |db: TestDb| { ... })` hands the body the fresh database instead, for a
/// test that spawns its server itself (its own key ring, configuration or background jobs).
macro_rules! on_each_backend {
    ($name:ident, |$db:ident : TestDb| $body:block) => {
        // The body is a function of the test's own module, beside (not in) the module of its
        // two tests: functions and modules have names of their own.
        fn $name($db: ::store_diesel::testing::TestDb) $body

        mod $name {
            #[test]
            fn sqlite() {
                super::$name(::store_diesel::testing::TestDb::sqlite())
            }

            #[test]
            fn postgres() {
                match ::store_diesel::testing::TestDb::postgres() {
                    Some(db) => super::$name(db),
                    None => eprintln!("TEST_DATABASE_URL unset: PostgreSQL not tested"),
                }
            }
        }
    };
    ($name:ident, |$app:ident| $body:block) => {
        $crate::helpers::on_each_backend!($name, |db: TestDb| {
            let $app = $crate::helpers::TestApp::spawn(db);
            $body
        });
    };
}
pub(crate) use on_each_backend;

/// What the test payment provider signs its webhooks with.
pub const WEBHOOK_SECRET: &str = "the test payment provider's webhook secret";

/// What the test server signs upload links with.
pub const UPLOAD_SECRET: &str = "the test server's upload link secret, 32 bytes or more";

/// What the test server signs document links with.
pub const FILE_LINK_SECRET: &str = "the test server's document link secret, 32 bytes or more";

/// The configuration of a test server on `db`, keeping its files in `files`.
pub fn config_for(url: &str, ring: &KeyRing, files: &std::path::Path) -> Config {
    Config {
        data_dir: std::env::temp_dir(),
        database_url: Secret::new(url.to_owned()),
        pool_size: 4,
        bind_addr: "127.0.0.1:0".into(),
        http_workers: 2,
        http_blocking_threads: 0,
        token_keys: Some(Secret::new(ring.to_text())),
        log_json: false,
        draft_reminder_interval: Duration::ZERO,
        notify: NotifyConfig::default(),
        metrics_bind_addr: None,
        blob_dir: Some(files.to_path_buf()),
        blob_s3: None,
        payments: server::config::PaymentConfig {
            webhook_secret: Some(Secret::new(WEBHOOK_SECRET)),
            ..Default::default()
        },
        declarations: server::config::DeclarationConfig {
            // Tests close chain blocks and expire requests themselves, when they mean to.
            jobs_interval: Duration::ZERO,
            upload_secret: Some(Secret::new(UPLOAD_SECRET)),
            ..Default::default()
        },
        clinic_name: server::config::DEFAULT_CLINIC_NAME.to_owned(),
        clinic_name_ar: None,
        // A test that drives the DICOM listener turns it on, on a port of its own.
        dicom: server::config::DicomConfig {
            bind_addr: None,
            ..Default::default()
        },
        documents: server::config::DocumentConfig {
            link_secret: Some(Secret::new(FILE_LINK_SECRET)),
            ..Default::default()
        },
    }
}

impl TestApp {
    pub fn spawn(db: TestDb) -> TestApp {
        Self::spawn_with_ring(db, KeyRing::generate())
    }

    pub fn spawn_with_ring(db: TestDb, ring: KeyRing) -> TestApp {
        Self::spawn_configured(db, ring, |_| {}, false)
    }

    /// A server whose configuration `configure` adjusts; with `background`, its scheduled jobs
    /// (draft reminders, notification delivery) run too.
    pub fn spawn_configured(
        db: TestDb,
        ring: KeyRing,
        configure: impl FnOnce(&mut Config),
        background: bool,
    ) -> TestApp {
        let url = db.url.clone();
        Self::start(Some(db), &url, ring, configure, background)
    }

    /// A second server instance on this one's database and key ring, as behind a load balancer.
    /// It must be dropped before this one, which owns the database.
    pub fn beside(&self) -> TestApp {
        Self::start(None, &self.url, self.ring.clone(), |_| {}, false)
    }

    fn start(
        db: Option<TestDb>,
        url: &str,
        ring: KeyRing,
        configure: impl FnOnce(&mut Config),
        background: bool,
    ) -> TestApp {
        let files = tempfile::tempdir().expect("a folder for the server's files");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let base = format!("http://{}", listener.local_addr().expect("local addr"));
        let mut config = config_for(url, &ring, files.path());
        config.declarations.public_base_url = Some(base.clone());
        configure(&mut config);
        let platform = open(&config).expect("platform opens");
        let background = background
            .then(|| Background::start(&platform, &config).expect("background jobs start"));
        let dicom = server::imaging::listen(
            &platform.imaging,
            platform.state.translator.clone(),
            &config.dicom,
        )
        .expect("the DICOM listener starts");
        let (tx, rx) = std::sync::mpsc::channel();
        let serving = platform.clone();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = serving.serve(listener, &config).expect("server starts");
                tx.send(server.handle()).expect("handle sent");
                server.await
            })
        });
        let handle = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("server started");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // A redirect is an answer the tests read (its Location, its cookie), not one to follow.
            .max_redirects(0)
            .max_redirects_will_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        let backend = format!("{:?}", platform.store.backend());
        TestApp {
            base,
            platform,
            ring,
            backend,
            handle,
            agent,
            background,
            dicom,
            url: url.to_owned(),
            _files: files,
            _db: db,
        }
    }

    /// A token from the server's own ring.
    pub fn token(&self, audience: Audience, sub: &str, roles: &[&str]) -> String {
        self.platform
            .state
            .auth
            .issue(&IssueRequest {
                audience,
                subject: sub.into(),
                roles: roles
                    .iter()
                    .map(|r| domain::identity::Role::parse(r).expect("known role"))
                    .collect(),
                scope: None,
                client_id: None,
                ttl: Duration::from_secs(600),
            })
            .expect("token issued")
    }

    pub fn user(&self) -> String {
        self.token(Audience::SnrUsr, "patient-1", &[])
    }

    pub fn admin(&self) -> String {
        self.token(Audience::SnrAdmin, "admin-1", &["admin"])
    }

    /// Any request; `body` is sent as is with `content_type` when given.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<(&str, Vec<u8>)>,
    ) -> Response {
        let mut builder = http::Request::builder()
            .method(method)
            .uri(format!("{}{}", self.base, path));
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let (content_type, bytes) = body.unwrap_or(("", Vec::new()));
        if !content_type.is_empty() {
            builder = builder.header("content-type", content_type);
        }
        let request = builder.body(bytes).expect("request builds");
        let response = self.agent.run(request).expect("server answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.into_body().read_to_string().expect("body reads");
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Response {
            status,
            headers,
            text,
            json,
        }
    }

    /// `POST path` with a JSON body and the token (if any).
    pub fn post(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.post_with(path, token, &[], body)
    }

    pub fn post_with(
        &self,
        path: &str,
        token: Option<&str>,
        extra: &[(&str, &str)],
        body: Value,
    ) -> Response {
        let mut headers: Vec<(&str, &str)> = extra.to_vec();
        if let Some(t) = token {
            headers.push(("authorization", t));
        }
        self.send(
            "POST",
            path,
            &headers,
            Some(("application/json", body.to_string().into_bytes())),
        )
    }

    pub fn get(&self, path: &str) -> Response {
        self.send("GET", path, &[], None)
    }

    /// Any request whose answer is binary (an image, a file): status, headers and bytes.
    pub fn send_bytes(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (u16, http::HeaderMap, Vec<u8>) {
        let mut builder = http::Request::builder()
            .method(method)
            .uri(format!("{}{}", self.base, path));
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let request = builder.body(Vec::new()).expect("request builds");
        let mut response = self.agent.run(request).expect("server answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_vec()
            .expect("body reads");
        (status, headers, body)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(background) = self.background.take() {
            background.stop();
        }
        let handle = self.handle.clone();
        actix_web::rt::System::new().block_on(handle.stop(false));
    }
}
