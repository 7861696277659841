//! `cargo xtask bench imaging`, also the last part of `cargo xtask bench`: DICOM ingest into our
//! server and into Orthanc with the same files and the same sender, then each one's study query
//! under `wrk`, and each one's memory. See the "Imaging" section of `docs/benchmarks.md`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::Result;
use crate::bench::{build_server, cores, ensure_package, ensure_wrk, median, request};
use crate::bench_imaging_files::{self as files, Batch};
use crate::bench_imaging_peers::{
    self as peers, Daemon, ORTHANC, Sender, Sent, start_orthanc, start_ours, status_ok,
};

/// Our study list, filtered as Orthanc's query below is.
const OUR_QUERY: &str = "/api/dicom/studies?modality=US";
/// Orthanc's nearest: studies with a US series, described (`Expand`), at most a page of 15.
const ORTHANC_QUERY: &str =
    r#"{"Level":"Study","Expand":true,"Limit":15,"Query":{"ModalitiesInStudy":"US"}}"#;
const PER_STUDY: usize = 100;

/// `cargo xtask bench imaging [--quick]`.
pub fn run(args: &[&str]) -> Result {
    if let Some(other) = args.iter().find(|a| **a != "--quick") {
        return Err(format!("bench imaging: unknown argument {other}"));
    }
    ensure_wrk()?;
    ensure_tools()?;
    let bin = build_server()?;
    measure(&bin, args.contains(&"--quick"))
}

/// DCMTK (`storescu`, `echoscu`, `dcmodify`) and Orthanc, installed from the distribution when
/// missing and the bench runs as root.
pub fn ensure_tools() -> Result {
    ensure_package("storescu", &["--version"], "dcmtk")?;
    ensure_package(ORTHANC, &["--version"], "orthanc")
}

/// One server loaded by one sender setting.
struct Ingest {
    sender: Sender,
    server: &'static str,
    sent: Sent,
    rss_kib: u64,
}

/// The whole imaging measurement with the release server `bin`.
pub fn measure(bin: &Path, quick: bool) -> Result {
    let (count, duration, rounds) = if quick {
        (200, "2s", 1)
    } else {
        (1000, "5s", 3)
    };
    let dir = std::env::temp_dir().join(format!("medcare-bench-imaging-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let batch = files::generate(&dir.join("files"), count, PER_STUDY)?;
    println!(
        "imaging: {} copies of {} ({} bytes, US, explicit VR little endian), {} studies of {}: written and given new UIDs in {:.1} s ({} dcmodify calls)",
        batch.files.len(),
        files::SOURCE,
        batch.source_bytes,
        batch.studies,
        batch.per_study,
        batch.seconds,
        batch.dcmodify_calls
    );

    let mut ingests = Vec::new();
    let mut loaded = None;
    // Ours then Orthanc for each sender setting, each into a fresh server; the last pair stays up
    // for the queries.
    for (i, sender) in [Sender::Default, Sender::NoDelay].into_iter().enumerate() {
        // The previous pair stops before the next starts: idle servers still hold memory.
        drop(loaded.take());
        let data = dir.join(format!("medcare-{i}"));
        let token = issue_token(bin, &data)?;
        let ours = start_ours(bin, &data)?;
        let sent = peers::send(&ours, &batch.files, sender)?;
        check_ours(&ours, &token, &batch)?;
        report_ingest(&mut ingests, &ours, sender, sent)?;
        let orthanc = start_orthanc(&dir.join(format!("orthanc-{i}")), sender)?;
        let sent = peers::send(&orthanc, &batch.files, sender)?;
        check_orthanc(&orthanc, &batch)?;
        report_ingest(&mut ingests, &orthanc, sender, sent)?;
        loaded = Some((ours, token, orthanc));
    }
    let (ours, token, orthanc) = loaded.ok_or("no server was loaded")?;
    print_ingests(&batch, &ingests);

    let ours_script = lua(&dir, "medcare", "GET", "", Some(&token))?;
    let orthanc_script = lua(&dir, "orthanc", "POST", ORTHANC_QUERY, None)?;
    let targets = [
        (&ours, OUR_QUERY, &ours_script),
        (&orthanc, "/tools/find", &orthanc_script),
    ];
    let mut loads: Vec<Vec<Load>> = vec![Vec::new(); 4];
    for _ in 0..rounds {
        // Servers alternate inside each round, so that drift hits them alike.
        for (c, conns) in [1, 16].into_iter().enumerate() {
            for (s, (daemon, path, script)) in targets.iter().enumerate() {
                let url = format!("http://127.0.0.1:{}{path}", daemon.http_port);
                loads[c * 2 + s].push(wrk(&url, script, conns, duration)?);
            }
        }
    }
    let medians: Vec<Load> = loads.iter().map(|l| Load::median(l)).collect();
    print_queries(&batch, duration, rounds, &medians);
    println!(
        "memory after the queries: medcare {:.1} MiB, Orthanc {:.1} MiB",
        mib(ours.rss_kib()?),
        mib(orthanc.rss_kib()?)
    );
    drop((ours, orthanc));
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// A clinic token with the technician role, from the server's own CLI on `data`.
pub(crate) fn issue_token(bin: &Path, data: &Path) -> Result<String> {
    let out = Command::new(bin)
        .args([
            "token",
            "issue",
            "--aud",
            "clinic",
            "--sub",
            "bench-technician",
        ])
        .args(["--roles", "technician", "--ttl", "2h"])
        .env("DATA_DIR", data)
        .env("RUST_LOG", "warn")
        .output()
        .map_err(|e| format!("cannot run the server binary: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Every study listed with all its images. Waits up to 30 s, in case indexing trails the
/// C-STORE answers; how long it trailed is printed.
fn check_ours(ours: &Daemon, token: &str, batch: &Batch) -> Result {
    let path = format!("{OUR_QUERY}&limit=100");
    let total = format!(r#""total":{}}}"#, batch.studies);
    let images = format!(r#""image_count":{}"#, batch.per_study);
    let started = Instant::now();
    loop {
        let answer = request(ours.http_port, "GET", &path, Some(token), "")?;
        if status_ok(&answer)
            && answer.contains(&total)
            && answer.matches(&images).count() == batch.studies
        {
            let late = started.elapsed().as_secs_f64();
            if late > 0.2 {
                println!("medcare: the studies were complete {late:.1} s after storescu ended");
            }
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(30) {
            return Err(format!(
                "medcare does not list {} studies of {} images:\n{answer}",
                batch.studies, batch.per_study
            ));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Orthanc counts every instance and study.
fn check_orthanc(orthanc: &Daemon, batch: &Batch) -> Result {
    let answer = request(orthanc.http_port, "GET", "/statistics", None, "")?;
    let instances = json_number(&answer, "CountInstances");
    let studies = json_number(&answer, "CountStudies");
    if instances != Some(batch.files.len() as u64) || studies != Some(batch.studies as u64) {
        return Err(format!(
            "Orthanc holds {instances:?} instances in {studies:?} studies:\n{answer}"
        ));
    }
    let found = request(
        orthanc.http_port,
        "POST",
        "/tools/find",
        None,
        ORTHANC_QUERY,
    )?;
    let listed = found.matches(r#""Type" : "Study""#).count();
    if !status_ok(&found) || listed != batch.studies.min(15) {
        return Err(format!("Orthanc's study query found {listed}:\n{found}"));
    }
    Ok(())
}

/// The number after `"key"` in a JSON text, whatever the spacing around the colon.
fn json_number(json: &str, key: &str) -> Option<u64> {
    let after = &json[json.find(&format!("\"{key}\""))? + key.len() + 2..];
    let value = after.trim_start().strip_prefix(':')?.trim_start();
    let digits: String = value.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

fn report_ingest(into: &mut Vec<Ingest>, d: &Daemon, sender: Sender, sent: Sent) -> Result {
    let rss_kib = d.rss_kib()?;
    println!(
        "{:<28} → {:<8} {:>5} stored in {:>6.2} s",
        sender.describe(),
        d.name,
        sent.successes,
        sent.seconds
    );
    into.push(Ingest {
        sender,
        server: d.name,
        sent,
        rss_kib,
    });
    Ok(())
}

pub(crate) fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn print_ingests(batch: &Batch, ingests: &[Ingest]) {
    println!(
        "\nDICOM ingest: {} instances over one association (storescu -v, DCMTK's defaults otherwise), fresh servers, release build, {} core(s)",
        batch.files.len(),
        cores()
    );
    println!(
        "{:<28} {:<8} {:>11} {:>8} {:>14} {:>12} {:>14}",
        "sender",
        "server",
        "instances/s",
        "wall s",
        "server CPU ms",
        "VmRSS after",
        "ours ÷ Orthanc"
    );
    for i in ingests {
        let rate = i.sent.successes as f64 / i.sent.seconds;
        let ratio = ingests
            .iter()
            .find(|o| o.sender == i.sender && o.server == "Orthanc")
            .filter(|_| i.server != "Orthanc")
            .map_or(String::new(), |o| {
                format!("{:.1}", rate / (o.sent.successes as f64 / o.sent.seconds))
            });
        println!(
            "{:<28} {:<8} {:>11.1} {:>8.2} {:>14.2} {:>8.1} MiB {:>14}",
            i.sender.describe(),
            i.server,
            rate,
            i.sent.seconds,
            i.sent.server_cpu_seconds * 1000.0 / i.sent.successes as f64,
            mib(i.rss_kib),
            ratio
        );
    }
    println!("(server CPU ms: the server's user + system time per instance while storescu ran)");
}

fn print_queries(batch: &Batch, duration: &str, rounds: usize, m: &[Load]) {
    println!(
        "\nstudy query, {} studies of {} loaded; wrk -t1 -d{duration} --latency, median of {rounds} round(s)",
        batch.studies, batch.per_study
    );
    println!("  medcare: GET {OUR_QUERY} (technician token; total + page of 15; audited)");
    println!("  Orthanc: POST /tools/find {ORTHANC_QUERY}");
    println!(
        "{:<8} {:>5} {:>9} {:>9} {:>9} {:>9} {:>16}",
        "server", "conns", "req/s", "mean ms", "p50 ms", "p99 ms", "ours ÷ Orthanc"
    );
    for (c, conns) in [1, 16].into_iter().enumerate() {
        let (ours, orthanc) = (&m[c * 2], &m[c * 2 + 1]);
        for (name, l) in [("medcare", ours), ("Orthanc", orthanc)] {
            let ratio = if name == "medcare" {
                format!("{:.2} (req/s)", l.rps / orthanc.rps)
            } else {
                String::new()
            };
            println!(
                "{name:<8} {conns:>5} {:>9.0} {:>9.2} {:>9.2} {:>9.2} {ratio:>16}",
                l.rps, l.mean_ms, l.p50_ms, l.p99_ms
            );
        }
    }
}

fn lua(dir: &Path, name: &str, method: &str, body: &str, token: Option<&str>) -> Result<PathBuf> {
    let mut script = format!("wrk.method = \"{method}\"\n");
    if !body.is_empty() {
        script.push_str(&format!(
            "wrk.body = '{body}'\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"
        ));
    }
    if let Some(token) = token {
        script.push_str(&format!("wrk.headers[\"Authorization\"] = \"{token}\"\n"));
    }
    let path = dir.join(format!("{name}.lua"));
    std::fs::write(&path, script).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

/// What `wrk --latency` measured.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Load {
    pub rps: f64,
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

impl Load {
    /// Each figure's median on its own.
    pub(crate) fn median(loads: &[Load]) -> Load {
        let of = |f: fn(&Load) -> f64| median(&mut loads.iter().map(f).collect::<Vec<_>>());
        Load {
            rps: of(|l| l.rps),
            mean_ms: of(|l| l.mean_ms),
            p50_ms: of(|l| l.p50_ms),
            p99_ms: of(|l| l.p99_ms),
        }
    }

    fn parse(text: &str) -> Option<Load> {
        let field = |prefix: &str| {
            text.lines()
                .find_map(|l| l.trim_start().strip_prefix(prefix))
                .and_then(|rest| rest.split_whitespace().next())
        };
        Some(Load {
            rps: field("Requests/sec:")?.parse().ok()?,
            mean_ms: millis(field("Latency")?)?,
            p50_ms: millis(field("50%")?)?,
            p99_ms: millis(field("99%")?)?,
        })
    }
}

/// A wrk duration (`412.00us`, `1.20ms`, `2.01s`, `1.05m`) in milliseconds.
fn millis(value: &str) -> Option<f64> {
    let split = value.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = value.split_at(split);
    let n: f64 = number.parse().ok()?;
    match unit {
        "us" => Some(n / 1000.0),
        "ms" => Some(n),
        "s" => Some(n * 1000.0),
        "m" => Some(n * 60_000.0),
        _ => None,
    }
}

pub(crate) fn wrk(url: &str, script: &Path, conns: u32, duration: &str) -> Result<Load> {
    let out = Command::new("wrk")
        .args(["-t1", &format!("-c{conns}"), &format!("-d{duration}")])
        .args(["--latency", "-s"])
        .arg(script)
        .arg(url)
        .output()
        .map_err(|e| format!("cannot run wrk: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if text.contains("Non-2xx") || text.contains("Socket errors") {
        return Err(format!("{url} answered errors under load:\n{text}"));
    }
    Load::parse(&text).ok_or_else(|| format!("unexpected wrk output:\n{text}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const WRK: &str = "Running 5s test @ http://127.0.0.1:1/tools/find
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.52ms  310.11us   9.87ms   88.00%
    Req/Sec    10.51k   400.00    11.00k    70.00%
  Latency Distribution
     50%  412.00us
     75%    1.60ms
     90%    1.90ms
     99%    2.01s
  52300 requests in 5.00s, 30.00MB read
Requests/sec:  10460.12
Transfer/sec:      6.00MB
";

    #[test]
    fn wrk_latency_is_read_in_milliseconds() {
        let l = Load::parse(WRK).unwrap();
        assert_eq!(l.rps, 10460.12);
        assert_eq!(l.mean_ms, 1.52);
        assert!((l.p50_ms - 0.412).abs() < 1e-9);
        assert!((l.p99_ms - 2010.0).abs() < 1e-9);
        assert_eq!(millis("1.05m"), Some(63_000.0));
        assert_eq!(millis("12"), None);
        assert!(Load::parse("Requests/sec: 1").is_none());
    }

    #[test]
    fn medians_are_taken_per_figure() {
        let l = |rps, p99_ms| Load {
            rps,
            mean_ms: 1.0,
            p50_ms: 1.0,
            p99_ms,
        };
        let m = Load::median(&[l(3.0, 9.0), l(1.0, 7.0), l(2.0, 8.0)]);
        assert_eq!((m.rps, m.p99_ms), (2.0, 8.0));
    }

    #[test]
    fn orthanc_takes_a_batch_and_stops_when_dropped() {
        let dir = std::env::temp_dir().join(format!("xtask-orthanc-{}", std::process::id()));
        let batch = files::generate(&dir.join("files"), 4, 2).unwrap();
        let orthanc = start_orthanc(&dir.join("orthanc"), Sender::NoDelay).unwrap();
        let sent = peers::send(&orthanc, &batch.files, Sender::NoDelay).unwrap();
        assert_eq!(sent.successes, 4);
        check_orthanc(&orthanc, &batch).unwrap();
        assert!(orthanc.rss_kib().unwrap() > 1024);
        // The check compares counts: Orthanc holding other numbers than expected is an error.
        let fewer = Batch {
            files: batch.files[..2].to_vec(),
            studies: 1,
            ..batch
        };
        assert!(check_orthanc(&orthanc, &fewer).is_err());
        let pid = orthanc.pid();
        drop(orthanc);
        assert!(!Path::new(&format!("/proc/{pid}")).exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn orthanc_statistics() {
        let json = "{\n   \"CountInstances\" : 1000,\n   \"CountStudies\":10\n}";
        assert_eq!(json_number(json, "CountInstances"), Some(1000));
        assert_eq!(json_number(json, "CountStudies"), Some(10));
        assert_eq!(json_number(json, "CountSeries"), None);
    }
}
