//! `cargo xtask bench dicomweb`: our DICOMweb against Orthanc's DICOMweb plugin on the same 1,000
//! instances (10 studies of 100), in the same run: STOW-RS instances per second, the QIDO-RS
//! study search a viewer's study list sends, `/metadata` of a 100-instance series, and frames per
//! second. See the "DICOMweb" section of `docs/benchmarks.md`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::Result;
use crate::bench::{build_server, ensure_package, ensure_wrk, is_root, request};
use crate::bench_imaging::{Load, ensure_tools, issue_token, mib, wrk};
use crate::bench_imaging_files as files;
use crate::bench_imaging_peers::{Daemon, Sender, start_orthanc_with, start_ours, status_ok};

/// Debian's `orthanc-dicomweb`.
const PLUGIN: &str = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so";
/// Instances per STOW-RS request.
const PER_REQUEST: usize = 50;
/// What OHIF's study list asks (`VIEWER-NOTES`), commas encoded.
const STUDY_SEARCH: &str =
    "/studies?limit=101&offset=0&fuzzymatching=false&includefield=00081030%2C00080060";
const FRAME_ACCEPT: &str =
    "multipart/related; type=\"application/octet-stream\"; transfer-syntax=*";

/// `cargo xtask bench dicomweb [--quick]`.
pub fn run(args: &[&str]) -> Result {
    if let Some(other) = args.iter().find(|a| **a != "--quick") {
        return Err(format!("bench dicomweb: unknown argument {other}"));
    }
    ensure_wrk()?;
    ensure_tools()?;
    ensure_package("curl", &["--version"], "curl")?;
    if !Path::new(PLUGIN).exists() {
        if !is_root() {
            return Err(format!(
                "{PLUGIN} is missing: install Debian's orthanc-dicomweb"
            ));
        }
        let status = Command::new("apt-get")
            .args(["install", "-y", "-q", "orthanc-dicomweb"])
            .status()
            .map_err(|e| format!("cannot run apt-get: {e}"))?;
        if !status.success() {
            return Err("apt-get install orthanc-dicomweb failed".to_owned());
        }
    }
    let bin = build_server()?;
    measure(&bin, args.contains(&"--quick"))
}

/// A server and where its DICOMweb lives.
struct Origin<'a> {
    daemon: &'a Daemon,
    root: &'static str,
    token: Option<&'a str>,
}

fn measure(bin: &Path, quick: bool) -> Result {
    let (count, duration, rounds) = if quick {
        (200, "2s", 1)
    } else {
        (1000, "5s", 3)
    };
    let dir = std::env::temp_dir().join(format!("medcare-bench-dicomweb-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let batch = files::generate(&dir.join("files"), count, 100)?;
    let bodies = stow_bodies(&dir.join("stow"), &batch.files)?;
    let data = dir.join("medcare");
    let token = issue_token(bin, &data)?;
    let ours = start_ours(bin, &data)?;
    let orthanc = start_orthanc_with(&dir.join("orthanc"), Sender::NoDelay, Some(PLUGIN))?;
    let origins = [
        Origin {
            daemon: &ours,
            root: "/dicomweb",
            token: Some(&token),
        },
        Origin {
            daemon: &orthanc,
            root: "/dicom-web",
            token: None,
        },
    ];
    println!(
        "DICOMweb: {} instances of {} ({} bytes), {} studies of {}, release build; Orthanc with its DICOMweb plugin",
        batch.files.len(),
        files::SOURCE,
        batch.source_bytes,
        batch.studies,
        batch.per_study
    );

    let mut stow = Vec::new();
    for origin in &origins {
        let seconds = store(origin, &bodies)?;
        stow.push(batch.files.len() as f64 / seconds);
        let found = get(origin, "/instances?limit=1000&includefield=00080018")?;
        let listed = found.matches("00080018").count();
        if listed != batch.files.len() {
            return Err(format!(
                "{} lists {listed} instances after STOW",
                origin.daemon.name
            ));
        }
    }

    // One series' instances, for its metadata and its frames.
    let studies = get(&origins[0], "/studies")?;
    let study = values(&studies, "0020000D")
        .into_iter()
        .next()
        .ok_or("no study")?;
    let series_list = get(&origins[0], &format!("/studies/{study}/series"))?;
    let series = values(&series_list, "0020000E")
        .into_iter()
        .next()
        .ok_or("no series")?;
    let instances = get(
        &origins[0],
        &format!("/studies/{study}/series/{series}/instances"),
    )?;
    let sops = values(&instances, "00080018");
    let metadata = format!("/studies/{study}/series/{series}/metadata");
    let frames: Vec<String> = sops
        .iter()
        .map(|sop| format!("/studies/{study}/series/{series}/instances/{sop}/frames/1"))
        .collect();

    let tests: [(&str, Vec<String>, Option<&str>, u32); 3] = [
        (
            "QIDO-RS study search",
            vec![STUDY_SEARCH.to_owned()],
            None,
            1,
        ),
        ("series metadata (100 instances)", vec![metadata], None, 1),
        ("frames, 16 connections", frames, Some(FRAME_ACCEPT), 16),
    ];
    let mut results: Vec<Vec<Vec<Load>>> = vec![vec![Vec::new(); origins.len()]; tests.len()];
    for _ in 0..rounds {
        for (t, (name, paths, accept, conns)) in tests.iter().enumerate() {
            for (o, origin) in origins.iter().enumerate() {
                let script = script(&dir, origin, t, paths, *accept)?;
                let url = format!(
                    "http://127.0.0.1:{}{}",
                    origin.daemon.http_port, origin.root
                );
                let load = wrk(&url, &script, *conns, duration)
                    .map_err(|e| format!("{name}, {}: {e}", origin.daemon.name))?;
                results[t][o].push(load);
            }
        }
    }

    println!(
        "\n{:<34} {:>12} {:>12} {:>16}",
        "", "medcare", "Orthanc", "ours ÷ Orthanc"
    );
    println!(
        "{:<34} {:>12.1} {:>12.1} {:>16.2}",
        "STOW-RS instances/s (50 a request)",
        stow[0],
        stow[1],
        stow[0] / stow[1]
    );
    for (t, (name, _, _, conns)) in tests.iter().enumerate() {
        let ours = Load::median(&results[t][0]);
        let theirs = Load::median(&results[t][1]);
        if *conns == 1 {
            println!(
                "{:<34} {:>9.2} ms {:>9.2} ms {:>16.2}",
                format!("{name}, p50"),
                ours.p50_ms,
                theirs.p50_ms,
                theirs.p50_ms / ours.p50_ms
            );
        } else {
            println!(
                "{:<34} {:>12.0} {:>12.0} {:>16.2}",
                format!("{name}/s"),
                ours.rps,
                theirs.rps,
                ours.rps / theirs.rps
            );
        }
    }
    println!(
        "(latencies: wrk -t1 -c1 -d{duration} --latency, median of {rounds} round(s); a ratio above 1 is ours faster)"
    );
    println!(
        "memory after: medcare {:.1} MiB, Orthanc {:.1} MiB",
        mib(ours.rss_kib()?),
        mib(orthanc.rss_kib()?)
    );
    drop((ours, orthanc));
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

const BOUNDARY: &str = "medcare-bench-stow";

/// The files as `multipart/related` bodies of [`PER_REQUEST`] instances each, written once so
/// that both servers get the same bytes.
fn stow_bodies(dir: &Path, files: &[PathBuf]) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    files
        .chunks(PER_REQUEST)
        .enumerate()
        .map(|(i, chunk)| {
            let path = dir.join(format!("body-{i:03}.bin"));
            let mut out = std::fs::File::create(&path).map_err(|e| e.to_string())?;
            for file in chunk {
                let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
                write!(
                    out,
                    "--{BOUNDARY}\r\nContent-Type: application/dicom\r\n\r\n"
                )
                .and_then(|()| out.write_all(&bytes))
                .and_then(|()| out.write_all(b"\r\n"))
                .map_err(|e| e.to_string())?;
            }
            write!(out, "--{BOUNDARY}--\r\n").map_err(|e| e.to_string())?;
            Ok(path)
        })
        .collect()
}

/// POSTs every body in turn (curl, one connection each); the seconds it took.
fn store(origin: &Origin<'_>, bodies: &[PathBuf]) -> Result<f64> {
    let url = format!(
        "http://127.0.0.1:{}{}/studies",
        origin.daemon.http_port, origin.root
    );
    let started = Instant::now();
    for body in bodies {
        let mut cmd = Command::new("curl");
        cmd.args(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST"])
            .arg("-H")
            .arg(format!(
                "Content-Type: multipart/related; type=\"application/dicom\"; boundary={BOUNDARY}"
            ))
            .args(["-H", "Accept: application/dicom+json"]);
        if let Some(token) = origin.token {
            cmd.arg("-H").arg(format!("Authorization: {token}"));
        }
        let out = cmd
            .arg("--data-binary")
            .arg(format!("@{}", body.display()))
            .arg(&url)
            .output()
            .map_err(|e| format!("cannot run curl: {e}"))?;
        let code = String::from_utf8_lossy(&out.stdout);
        if code != "200" {
            return Err(format!("STOW-RS to {} answered {code}", origin.daemon.name));
        }
    }
    Ok(started.elapsed().as_secs_f64())
}

/// A GET under the origin's DICOMweb root; its body.
fn get(origin: &Origin<'_>, path: &str) -> Result<String> {
    let path = format!("{}{path}", origin.root);
    let answer = request(origin.daemon.http_port, "GET", &path, origin.token, "")?;
    if !status_ok(&answer) {
        return Err(format!("GET {path} on {}:\n{answer}", origin.daemon.name));
    }
    Ok(answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default())
}

/// Every first value of `tag` in a DICOM JSON text, in order, whatever the spacing.
fn values(json: &str, tag: &str) -> Vec<String> {
    json.match_indices(&format!("\"{tag}\""))
        .filter_map(|(at, _)| {
            let rest = &json[at..];
            let value = &rest[rest.find("\"Value\"")?..];
            let start = value.find('[')? + 1;
            let quote = value[start..].find('"')? + start + 1;
            let end = value[quote..].find('"')? + quote;
            Some(value[quote..end].to_owned())
        })
        .collect()
}

/// A wrk script that sends `paths` in turn under the origin's root.
fn script(
    dir: &Path,
    origin: &Origin<'_>,
    test: usize,
    paths: &[String],
    accept: Option<&str>,
) -> Result<PathBuf> {
    let mut lua = String::new();
    if let Some(token) = origin.token {
        lua.push_str(&format!("wrk.headers[\"Authorization\"] = \"{token}\"\n"));
    }
    let accept = accept
        .unwrap_or("application/dicom+json")
        .replace('"', "\\\"");
    lua.push_str(&format!(
        "wrk.headers[\"Accept\"] = \"{accept}\"\nlocal paths = {{\n"
    ));
    for path in paths {
        lua.push_str(&format!("  \"{}{path}\",\n", origin.root));
    }
    lua.push_str("}\nlocal i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend\n");
    let path = dir.join(format!("{}-{test}.lua", origin.daemon.name));
    std::fs::write(&path, lua).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uids_are_read_from_either_servers_json() {
        let ours = r#"[{"0020000D":{"Value":["1.2.3"],"vr":"UI"}},{"0020000D":{"Value":["1.2.4"],"vr":"UI"}}]"#;
        assert_eq!(values(ours, "0020000D"), ["1.2.3", "1.2.4"]);
        let orthanc =
            "[ {\n \"0020000D\" : {\n  \"vr\" : \"UI\",\n  \"Value\" : [ \"9.8\" ]\n } } ]";
        assert_eq!(values(orthanc, "0020000D"), ["9.8"]);
    }
}
