//! `cargo xtask bench`: the release server under `wrk`, each route against a bare route of the same
//! server measured in the same run, so the ratio means something on any machine.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{Result, bench_clinic, bench_declarations, bench_imaging, exec, root};

/// The token a scenario sends.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Token {
    None,
    /// `snr_usr`, the patient who owns 1,000 cases.
    Patient,
    /// `snr_pro`, the coordinator EMP1, with 1,000 cases of their own.
    Coordinator,
    /// `snr_admin` with the `admin` role.
    Admin,
    /// `clinic`, a demo doctor's id with the `receptionist` and `doctor` roles.
    Clinic,
}

struct Scenario {
    name: &'static str,
    method: &'static str,
    path: &'static str,
    body: &'static str,
    token: Token,
    /// A piece of the answer that proves the route did the work being measured.
    expect: &'static str,
}

const SCENARIOS: [Scenario; 10] = [
    Scenario {
        name: "GET /healthz (bare: no auth, no database)",
        method: "GET",
        path: "/healthz",
        body: "",
        token: Token::None,
        expect: r#""status":"ok""#,
    },
    Scenario {
        name: "POST /app/review-types (token + catalogue read)",
        method: "POST",
        path: "/app/review-types",
        body: "{}",
        token: Token::Patient,
        expect: r#""title":"Imaging Second Read""#,
    },
    Scenario {
        name: "POST /app/review-cases page 1 (1,000 of 100,000)",
        method: "POST",
        path: "/app/review-cases",
        body: r#"{"page":1,"page_size":15}"#,
        token: Token::Patient,
        expect: r#""pagination":{"total":1000,"page":1,"page_size":15}"#,
    },
    Scenario {
        name: "POST /app/review-cases page 60 (1,000 of 100,000)",
        method: "POST",
        path: "/app/review-cases",
        body: r#"{"page":60,"page_size":15}"#,
        token: Token::Patient,
        expect: r#""pagination":{"total":1000,"page":60,"page_size":15}"#,
    },
    Scenario {
        name: "POST /pro/sops coordinator page 1 (1,000 of 100,000)",
        method: "POST",
        path: "/pro/sops",
        body: r#"{"coordinator":true,"page":1,"page_size":15}"#,
        token: Token::Coordinator,
        expect: r#""pagination":{"total":1000,"page":1,"page_size":15}"#,
    },
    Scenario {
        name: "POST /pro/sops coordinator page 60 (1,000 of 100,000)",
        method: "POST",
        path: "/pro/sops",
        body: r#"{"coordinator":true,"page":60,"page_size":15}"#,
        token: Token::Coordinator,
        expect: r#""pagination":{"total":1000,"page":60,"page_size":15}"#,
    },
    Scenario {
        name: "POST /admin/review-cases page 1 (all 100,000)",
        method: "POST",
        path: "/admin/review-cases",
        body: r#"{"page":1,"page_size":15}"#,
        token: Token::Admin,
        expect: r#""pagination":{"total":100000,"page":1,"page_size":15}"#,
    },
    Scenario {
        name: "POST /admin/review-cases page 60 (all 100,000)",
        method: "POST",
        path: "/admin/review-cases",
        body: r#"{"page":60,"page_size":15}"#,
        token: Token::Admin,
        expect: r#""pagination":{"total":100000,"page":60,"page_size":15}"#,
    },
    Scenario {
        name: "POST /admin/review-cases status=review (16,667)",
        method: "POST",
        path: "/admin/review-cases",
        body: r#"{"status":"review","page":1,"page_size":15}"#,
        token: Token::Admin,
        expect: r#""pagination":{"total":16667,"page":1,"page_size":15}"#,
    },
    Scenario {
        name: "POST /admin/review-cases q=load-user-42 (1,000)",
        method: "POST",
        path: "/admin/review-cases",
        body: r#"{"q":"load-user-42","page":1,"page_size":15}"#,
        token: Token::Admin,
        expect: r#""pagination":{"total":1000,"page":1,"page_size":15}"#,
    },
];

/// A scenario as run: the fixed ones and the clinic's, whose paths and totals come from the load.
struct Run {
    name: String,
    method: &'static str,
    path: String,
    body: &'static str,
    token: Token,
    expect: String,
}

impl From<&Scenario> for Run {
    fn from(s: &Scenario) -> Self {
        Run {
            name: s.name.into(),
            method: s.method,
            path: s.path.into(),
            body: s.body,
            token: s.token,
            expect: s.expect.into(),
        }
    }
}

impl From<bench_clinic::ClinicScenario> for Run {
    fn from(s: bench_clinic::ClinicScenario) -> Self {
        Run {
            name: s.name,
            method: "GET",
            path: s.path,
            body: "",
            token: Token::Clinic,
            expect: s.expect,
        }
    }
}

/// The tokens of the run, one per kind.
struct Tokens {
    patient: String,
    coordinator: String,
    admin: String,
    clinic: String,
}

impl Tokens {
    fn of(&self, token: Token) -> Option<&str> {
        match token {
            Token::None => None,
            Token::Patient => Some(&self.patient),
            Token::Coordinator => Some(&self.coordinator),
            Token::Admin => Some(&self.admin),
            Token::Clinic => Some(&self.clinic),
        }
    }
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn run(args: &[&str]) -> Result {
    let quick = args.contains(&"--quick");
    let (duration, rounds) = if quick { ("3s", 1) } else { ("10s", 3) };
    ensure_wrk()?;
    // Before the long part, so that a missing DICOM tool stops the bench at once.
    bench_imaging::ensure_tools()?;
    let bin = build_server()?;
    let data = std::env::temp_dir().join(format!("medcare-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);

    let cli = |args: &[&str]| -> Result<String> {
        let out = Command::new(&bin)
            .args(args)
            .env("DATA_DIR", &data)
            .env("RUST_LOG", "warn")
            .output()
            .map_err(|e| format!("cannot run the server binary: {e}"))?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    cli(&["seed-demo"])?;
    let loaded = cli(&[
        "seed-load",
        "--cases",
        "100000",
        "--user",
        "bench-user",
        "--user-cases",
        "1000",
        "--provider",
        "EMP1",
        "--provider-cases",
        "1000",
    ])?;
    println!("{loaded}");
    // After the cases (so their scenarios measure the same database as before), the clinic's
    // patients and appointments, spread over the demo doctors.
    let clinic = cli(&[
        "seed-load",
        "--cases",
        "0",
        "--patients",
        bench_clinic::PATIENTS,
        "--appointments",
        bench_clinic::APPOINTMENTS,
    ])?;
    println!("{clinic}");
    let facts = bench_clinic::Facts::parse(&clinic)?;
    let registry = data.join("bench-registry.json");
    bench_declarations::write_registry(&registry)?;
    let started = Instant::now();
    let imported = cli(&["registry", "import", &registry.to_string_lossy()])?;
    println!(
        "registry: {} declarations of one therapist, imported in {:.1} s ({})",
        bench_declarations::HELD,
        started.elapsed().as_secs_f64(),
        imported.replace('\n', "; ")
    );
    let ehealth = cli(&[
        "token",
        "issue",
        "--aud",
        "ehealth",
        "--sub",
        "bench-doctor",
        "--scope",
        bench_declarations::SCOPES,
        "--client-id",
        bench_declarations::LEGAL_ENTITY,
        "--ttl",
        "2h",
    ])?;
    let tokens = Tokens {
        patient: cli(&[
            "token",
            "issue",
            "--aud",
            "snr_usr",
            "--sub",
            "bench-user",
            "--ttl",
            "2h",
        ])?,
        coordinator: cli(&[
            "token", "issue", "--aud", "snr_pro", "--sub", "EMP1", "--ttl", "2h",
        ])?,
        admin: cli(&[
            "token",
            "issue",
            "--aud",
            "snr_admin",
            "--sub",
            "admin-1",
            "--roles",
            "admin",
            "--ttl",
            "2h",
        ])?,
        clinic: cli(&[
            "token",
            "issue",
            "--aud",
            "clinic",
            "--sub",
            facts.doctor()?,
            "--roles",
            "receptionist,doctor",
            "--ttl",
            "2h",
        ])?,
    };
    let runs: Vec<Run> = SCENARIOS
        .iter()
        .map(Run::from)
        .chain(bench_clinic::scenarios(&facts)?.into_iter().map(Run::from))
        .collect();

    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let child = Command::new(&bin)
        .arg("serve")
        .env("DATA_DIR", &data)
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("DECLARATION_LIMITS", bench_declarations::LIMITS)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    let server = Server(child);
    wait_ready(&format!("{base}/healthz"))?;

    for s in &runs {
        let answer = fetch(port, s, tokens.of(s.token))?;
        if !answer.contains(&s.expect) {
            return Err(format!("{} does not answer as expected:\n{answer}", s.name));
        }
    }

    let mut results: Vec<Vec<f64>> = runs.iter().map(|_| Vec::new()).collect();
    for round in 1..=rounds {
        // Variants alternate inside each round so drift hits them alike.
        for (i, s) in runs.iter().enumerate() {
            // A slow scenario leaves requests that wrk gave up on queued for the blocking threads;
            // one request of this scenario waits behind them, so that it starts on an idle server
            // instead of paying for the previous one's backlog.
            fetch(port, s, tokens.of(s.token))?;
            let script = lua_script(&data, i, s, tokens.of(s.token))?;
            let rps = wrk(&base, &s.path, &script, duration)?;
            println!("round {round}: {:<54} {rps:>10.0} req/s", s.name);
            results[i].push(rps);
        }
    }
    let medians: Vec<f64> = results.iter_mut().map(|r| median(r)).collect();
    println!(
        "\nwrk -t2 -c64 -d{duration}, median of {rounds} round(s), release build, {} core(s)",
        cores()
    );
    println!("{:<54} {:>10} {:>8}", "scenario", "req/s", "÷ bare");
    for (s, m) in runs.iter().zip(&medians) {
        println!("{:<54} {:>10.0} {:>8.2}", s.name, m, m / medians[0]);
    }

    let loop_time = if quick {
        Duration::from_secs(3)
    } else {
        Duration::from_secs(10)
    };
    let declarations = bench_declarations::run_loop(port, &ehealth, loop_time)?;
    println!(
        "\ndeclaration requests created and approved, one therapist holding {} declarations, 8 clients, {} s:",
        bench_declarations::HELD,
        loop_time.as_secs()
    );
    println!(
        "{:<54} {:>10.0} {:>8.2}",
        "create + approve pairs per second",
        declarations.pairs_per_second,
        declarations.requests_per_second / medians[0]
    );
    if declarations.refusals > 0 {
        return Err(format!("{} requests were refused", declarations.refusals));
    }
    // The imaging servers start fresh and must not share the machine with this one.
    drop(server);
    let _ = std::fs::remove_dir_all(&data);
    println!();
    crate::bench_documents::measure(&bin, quick)?;
    println!();
    bench_imaging::measure(&bin, quick)
}

/// The release server, built if needed.
pub(crate) fn build_server() -> Result<PathBuf> {
    exec(Command::new(env!("CARGO")).current_dir(root()).args([
        "build",
        "--release",
        "-p",
        "server",
    ]))?;
    Ok(target_dir().join("release/server"))
}

pub(crate) fn ensure_wrk() -> Result {
    ensure_package("wrk", &["--version"], "wrk")
}

/// Installs a distribution package when `program` cannot be run, as root only: anyone else is told
/// what to install.
pub(crate) fn ensure_package(program: &str, probe: &[&str], package: &str) -> Result {
    if Command::new(program)
        .args(probe)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
    {
        return Ok(());
    }
    let advice =
        format!("install {package} (Debian/Ubuntu: apt-get install {package}) and run again");
    if !is_root() {
        return Err(format!("{program} is not installed: {advice}"));
    }
    eprintln!("{program} is not installed; installing {package} from the distribution's packages");
    exec(Command::new("apt-get").args(["install", "-y", "-q", package]))
        .or_else(|_| {
            exec(Command::new("apt-get").args(["update", "-q"]))?;
            exec(Command::new("apt-get").args(["install", "-y", "-q", package]))
        })
        .map_err(|e| format!("{e}: {advice}"))
}

pub(crate) fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status
            .lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().next())
            == Some("0")
    })
}

pub(crate) fn wait_ready(url: &str) -> Result {
    let started = Instant::now();
    let addr = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap_or("");
    while std::net::TcpStream::connect(addr).is_err() {
        if started.elapsed() > Duration::from_secs(30) {
            return Err("the server did not start within 30 s".into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

fn lua_script(dir: &Path, i: usize, s: &Run, token: Option<&str>) -> Result<PathBuf> {
    let mut lua = format!("wrk.method = \"{}\"\n", s.method);
    if !s.body.is_empty() {
        lua.push_str(&format!(
            "wrk.body = '{}'\nwrk.headers[\"Content-Type\"] = \"application/json\"\n",
            s.body
        ));
    }
    if let Some(token) = token {
        lua.push_str(&format!("wrk.headers[\"Authorization\"] = \"{token}\"\n"));
    }
    let path = dir.join(format!("scenario-{i}.lua"));
    std::fs::write(&path, lua).map_err(|e| e.to_string())?;
    Ok(path)
}

fn wrk(base: &str, path: &str, script: &Path, duration: &str) -> Result<f64> {
    let out = Command::new("wrk")
        .args(["-t2", "-c64", &format!("-d{duration}"), "-s"])
        .arg(script)
        .arg(format!("{base}{path}"))
        .output()
        .map_err(|e| format!("cannot run wrk: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if text.contains("Non-2xx") {
        return Err(format!("{path} answered errors under load:\n{text}"));
    }
    text.lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| format!("unexpected wrk output:\n{text}"))
}

/// Where cargo builds: `CARGO_TARGET_DIR` when set (relative to the workspace, where the build
/// runs), else the workspace's `target`.
pub(crate) fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root().join(dir),
        _ => root().join("target"),
    }
}

pub(crate) fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

pub(crate) fn cores() -> usize {
    std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1)
}

/// One request by hand, to check what a scenario answers before loading it.
fn fetch(port: u16, s: &Run, token: Option<&str>) -> Result<String> {
    request(port, s.method, &s.path, token, s.body)
}

/// One HTTP/1.1 request on its own connection; the whole answer, head included.
pub(crate) fn request(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> Result<String> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port))
        .map_err(|e| format!("cannot connect: {e}"))?;
    // A server that never answers must not hang the bench.
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .map_err(|e| e.to_string())?;
    let auth = token.map_or(String::new(), |token| format!("Authorization: {token}\r\n"));
    // A GET has no body, so no body headers either (as wrk sends it).
    let headers = if body.is_empty() {
        String::new()
    } else {
        format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        )
    };
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}{headers}Connection: close\r\n\r\n{body}"
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .map_err(|e| e.to_string())?;
    Ok(answer)
}
