//! The binary as an operator uses it: a fresh data directory, no configuration at all.

use std::io::Read;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn server(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_server"))
        .args(args)
        .env_clear()
        .env("DATA_DIR", data_dir)
        .env("RUST_LOG", "info")
        .output()
        .expect("server binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn the_registry_imports_all_or_nothing_and_the_chain_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("registry.json");
    std::fs::write(&file, server::registry::DEMO_REGISTRY).unwrap();
    let path = file.to_str().unwrap();

    let imported = server(&data, &["registry", "import", path]);
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    assert_eq!(
        stdout(&imported),
        "legal_entities: 1 created, 0 updated\ndivisions: 1 created, 0 updated\n\
         employees: 3 created, 0 updated\npersons: 5 created, 0 updated\n\
         declarations: 1 created, 0 updated\n"
    );
    let again = server(&data, &["registry", "import", path]);
    assert!(
        stdout(&again)
            .lines()
            .all(|l| l.ends_with(": 0 created, 0 updated"))
    );

    // A declaration of a person nobody imported fails the whole file.
    let broken = server::registry::DEMO_REGISTRY
        .replace("Demo Family Clinic", "Renamed Clinic")
        .replace(
            "\"person_id\": \"0193a1c0-0000-7000-8000-00000000e305\"",
            "\"person_id\": \"0193a1c0-0000-7000-8000-00000000ffff\"",
        );
    std::fs::write(&file, broken).unwrap();
    let refused = server(&data, &["registry", "import", path]);
    assert!(!refused.status.success());
    std::fs::write(&file, server::registry::DEMO_REGISTRY).unwrap();
    let unchanged = server(&data, &["registry", "import", path]);
    assert!(stdout(&unchanged).starts_with("legal_entities: 0 created, 0 updated"));

    let verified = server(&data, &["registry", "verify-chain"]);
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );
    assert_eq!(stdout(&verified), "declarations chain intact: 0 blocks\n");
}

struct Serving(Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_new_operator_can_seed_issue_a_token_and_serve() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");

    let seeded = server(&data, &["seed-demo"]);
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    assert_eq!(
        stdout(&seeded),
        "demo catalogue: 12 created, 0 already present\n\
         demo doctors: 18 created, 0 already present (EMP1 and EMP2 coordinate every category; EMP3 to EMP18 are two specialists per category)\n\
         demo eHealth registry: 11 created, 0 updated (legal entity 0193a1c0-0000-7000-8000-00000000e001)\n\
         demo clinic staff: 5 created, 0 already present (admin, doctor, doctor2, technician, receptionist; password demo-clinic-2026)\n\
         sign in: POST /api/auth/login {\"username\": \"admin\", \"password\": \"demo-clinic-2026\"}; doctor is provider EMP3 (add \"audience\": \"snr_pro\" for a /pro token)\n"
    );
    let again = server(&data, &["seed-demo"]);
    assert_eq!(
        stdout(&again),
        "demo catalogue: 0 created, 12 already present\n\
         demo doctors: 0 created, 18 already present (EMP1 and EMP2 coordinate every category; EMP3 to EMP18 are two specialists per category)\n\
         demo eHealth registry: 0 created, 0 updated (legal entity 0193a1c0-0000-7000-8000-00000000e001)\n\
         demo clinic staff: 0 created, 5 already present (admin, doctor, doctor2, technician, receptionist; password demo-clinic-2026)\n\
         sign in: POST /api/auth/login {\"username\": \"admin\", \"password\": \"demo-clinic-2026\"}; doctor is provider EMP3 (add \"audience\": \"snr_pro\" for a /pro token)\n"
    );
    assert!(
        data.join("medcare.db").exists(),
        "the embedded database is created on first use"
    );

    let keys = data.join("token-keys");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&keys).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    let issued = server(
        &data,
        &[
            "token",
            "issue",
            "--aud",
            "snr_usr",
            "--sub",
            "patient-9",
            "--ttl",
            "1h",
        ],
    );
    assert!(issued.status.success());
    let token = stdout(&issued);
    let token = token.strip_suffix('\n').expect("one line");
    assert!(
        !token.is_empty()
            && token
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );

    let status = server(&data, &["migrate", "status"]);
    assert!(
        stdout(&status).starts_with("[applied] 2026-11-23-000001_catalogue_and_auth"),
        "{}",
        stdout(&status)
    );

    let bad = server(
        &data,
        &["token", "issue", "--aud", "everyone", "--sub", "x"],
    );
    assert!(!bad.status.success());
    let said = String::from_utf8_lossy(&bad.stderr);
    assert!(
        said.contains("--aud: aud must be snr_usr, snr_pro, snr_admin, clinic or ehealth"),
        "{said}"
    );

    // Serve, and use the token as the mobile app would; metrics on a port of their own.
    let free_port = || {
        TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let (port, metrics_port, dicom_port) = (free_port(), free_port(), free_port());
    let child = Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("serve")
        .env_clear()
        .env("DATA_DIR", &data)
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("METRICS_BIND_ADDR", format!("127.0.0.1:{metrics_port}"))
        .env("DICOM_BIND_ADDR", format!("127.0.0.1:{dicom_port}"))
        .env("HTTP_WORKERS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut serving = Serving(child);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    while agent.get(format!("{base}/healthz")).call().is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut response = agent
        .post(format!("{base}/app/review-types"))
        .header("authorization", format!("Bearer {token}"))
        .header("lang", "ar")
        .send_json(serde_json::json!({}))
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let body: serde_json::Value = response.body_mut().read_json().unwrap();
    assert_eq!(body["data"]["items"].as_array().unwrap().len(), 4);
    assert_eq!(body["data"]["items"][0]["title"], "قراءة ثانية للأشعة");
    assert_eq!(body["data"]["items"][0]["price"], 350.5);

    let metrics = agent
        .get(format!("http://127.0.0.1:{metrics_port}/metrics"))
        .call()
        .unwrap()
        .into_body()
        .read_to_string()
        .unwrap();
    assert!(
        metrics.contains(
            r#"medcare_http_requests_total{route="/app/review-types",method="POST",status="200"} 1"#
        ),
        "{metrics}"
    );
    let on_main = agent.get(format!("{base}/metrics")).call().unwrap();
    assert_eq!(
        on_main.status().as_u16(),
        404,
        "metrics stay off the public port"
    );

    // The DICOM listener serves beside HTTP: a modality's echo is answered.
    let echo = crate::dcmtk::run(
        "echoscu",
        &["-aec", "MEDCARE", "127.0.0.1", &dicom_port.to_string()],
    );
    assert!(echo.status.success(), "{}", crate::dcmtk::said(&echo));

    let _ = serving.0.kill();
    let _ = serving.0.wait();
    let mut log = String::new();
    serving
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    assert!(
        log.contains("request_id"),
        "one structured line per request: {log}"
    );
    let ring = std::fs::read_to_string(&keys).unwrap();
    for entry in ring
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        for secret in entry.split(':').skip(1) {
            assert!(!log.contains(secret), "a key appeared in the log");
        }
    }
    assert!(!log.contains(token), "a token appeared in the log");
}

#[test]
fn seed_load_adds_clinic_patients_and_appointments_and_says_what_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = server(
        dir.path(),
        &[
            "seed-load",
            "--cases",
            "0",
            "--patients",
            "300",
            "--appointments",
            "3000",
        ],
    );
    assert!(loaded.status.success(), "{loaded:?}");
    let out = stdout(&loaded);
    assert!(
        out.contains("clinic load data: 300 patients and 3000 appointments"),
        "{out}"
    );
    let facts = out
        .lines()
        .find_map(|l| l.strip_prefix("clinic facts: "))
        .unwrap_or_else(|| panic!("no facts in {out}"));
    assert!(
        facts.starts_with("patients=300 appointments=3000 search=hadd:"),
        "{facts}"
    );
    // 3,000 appointments over 300 patients: each patient has ten.
    assert!(facts.contains(":10 doctor="), "{facts}");
    // A second load continues the numbers instead of colliding with the first.
    let again = server(
        dir.path(),
        &[
            "seed-load",
            "--cases",
            "0",
            "--patients",
            "10",
            "--appointments",
            "10",
        ],
    );
    assert!(again.status.success(), "{again:?}");
}
