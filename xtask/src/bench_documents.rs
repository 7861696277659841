//! `cargo xtask bench documents`, also part of `cargo xtask bench`: a 10 MB document uploaded with
//! `curl` and read back through its signed link, each against copying the same file on the same
//! disk (the physical limit), as a ratio; then the server's memory while 16 uploads of 25 MB run at
//! once. See the "Documents" section of `docs/benchmarks.md`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::Result;
use crate::bench::{build_server, ensure_package, median};
use crate::bench_imaging_peers::{Daemon, start_ours};

const SIZE: usize = 10_000_000;
const BIG: usize = 25_000_000;
const AT_ONCE: usize = 16;

/// `cargo xtask bench documents [--quick]`.
pub fn run(args: &[&str]) -> Result {
    if let Some(other) = args.iter().find(|a| **a != "--quick") {
        return Err(format!("bench documents: unknown argument {other}"));
    }
    ensure_package("curl", &["--version"], "curl")?;
    // The server is started as the imaging bench starts it, DICOM listener (and its C-ECHO) included.
    ensure_package("echoscu", &["--version"], "dcmtk")?;
    let bin = build_server()?;
    measure(&bin, args.contains(&"--quick"))
}

/// A PDF head, then `size` bytes in all that differ with `seed`: every round's file is new to the
/// server, so nothing is answered from an earlier upload.
fn write_pdf(path: &Path, size: usize, seed: u64) -> Result {
    let mut bytes = Vec::with_capacity(size);
    bytes.extend_from_slice(b"%PDF-1.7\n");
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    while bytes.len() < size {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        bytes.extend_from_slice(&x.to_le_bytes());
    }
    bytes.truncate(size);
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}

fn seconds(started: Instant) -> f64 {
    started.elapsed().as_secs_f64()
}

/// `curl` with `args`, failing unless it answers `want`; the answer's body is written to `out`.
fn curl(args: &[&str], out: &Path, want: &str) -> Result {
    let answer = Command::new("curl")
        .args(["-sS", "-o"])
        .arg(out)
        .args(["-w", "%{http_code}"])
        .args(args)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run curl: {e}"))?;
    let code = String::from_utf8_lossy(&answer.stdout).into_owned();
    if code != want {
        let body = std::fs::read_to_string(out).unwrap_or_default();
        return Err(format!(
            "curl {args:?} answered {code}, want {want}: {body}"
        ));
    }
    Ok(())
}

/// The `url` of an upload's answer (no JSON parser in xtask: the link holds no quote).
fn link_of(answer: &Path) -> Result<String> {
    let text = std::fs::read_to_string(answer).map_err(|e| e.to_string())?;
    text.split_once("\"url\":\"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(url, _)| url.to_owned())
        .ok_or_else(|| format!("no url in the answer: {text}"))
}

fn peak_rss_kib(server: &Daemon) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.pid()))
        .map_err(|e| e.to_string())?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| "no VmHWM in /proc".to_owned())
}

fn token(bin: &Path, data: &Path) -> Result<String> {
    let out = Command::new(bin)
        .args([
            "token",
            "issue",
            "--aud",
            "snr_usr",
            "--sub",
            "bench-patient",
        ])
        .args(["--ttl", "2h"])
        .env("DATA_DIR", data)
        .env("RUST_LOG", "warn")
        .output()
        .map_err(|e| format!("cannot run the server binary: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    Ok(format!(
        "Authorization: {}",
        String::from_utf8_lossy(&out.stdout).trim()
    ))
}

/// The whole documents measurement with the release server `bin`.
pub fn measure(bin: &Path, quick: bool) -> Result {
    let rounds = if quick { 3 } else { 7 };
    let dir: PathBuf =
        std::env::temp_dir().join(format!("medcare-bench-documents-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let data = dir.join("data");
    std::fs::create_dir_all(&data).map_err(|e| e.to_string())?;
    let auth = token(bin, &data)?;
    let server = start_ours(bin, &data)?;
    let upload_url = format!(
        "http://127.0.0.1:{}/app/upload-medical-document",
        server.http_port
    );
    let file_at = |name: String| dir.join(name);

    let (mut copy, mut copy_synced, mut upload, mut download) = (vec![], vec![], vec![], vec![]);
    for round in 0..rounds {
        let source = file_at(format!("upload-{round}.pdf"));
        write_pdf(&source, SIZE, round as u64 + 1)?;
        // The physical limit on this disk: the same bytes copied, and copied then made durable
        // (as the store's commit makes an upload).
        let started = Instant::now();
        std::fs::copy(&source, file_at(format!("copy-{round}"))).map_err(|e| e.to_string())?;
        copy.push(seconds(started));
        let started = Instant::now();
        let synced = file_at(format!("synced-{round}"));
        std::fs::copy(&source, &synced).map_err(|e| e.to_string())?;
        std::fs::File::open(&synced)
            .and_then(|f| f.sync_all())
            .map_err(|e| e.to_string())?;
        copy_synced.push(seconds(started));

        let answer = file_at(format!("answer-{round}.json"));
        let form = format!("file=@{};filename=scan-{round}.pdf", source.display());
        let started = Instant::now();
        curl(&["-H", &auth, "-F", &form, &upload_url], &answer, "200")?;
        upload.push(seconds(started));

        let link = link_of(&answer)?;
        let back = file_at(format!("back-{round}.pdf"));
        let started = Instant::now();
        curl(&[&link], &back, "200")?;
        download.push(seconds(started));
        let read = std::fs::metadata(&back).map_err(|e| e.to_string())?.len();
        if read != SIZE as u64 {
            return Err(format!("the download has {read} bytes, not {SIZE}"));
        }
        for name in [
            format!("copy-{round}"),
            format!("synced-{round}"),
            format!("back-{round}.pdf"),
        ] {
            let _ = std::fs::remove_file(file_at(name));
        }
    }
    let (copy, copy_synced) = (median(&mut copy), median(&mut copy_synced));
    let (upload, download) = (median(&mut upload), median(&mut download));
    let mb_s = |s: f64| SIZE as f64 / s / 1e6;
    println!(
        "documents: a {} MB PDF, median of {rounds} round(s), release build, curl on loopback, the same disk",
        SIZE / 1_000_000
    );
    println!("{:<54} {:>10} {:>8}", "", "MB/s", "÷ copy");
    for (name, s, base) in [
        ("copy (std::fs::copy)", copy, copy),
        ("copy, then fsync", copy_synced, copy_synced),
        (
            "upload (multipart, hashed, fsynced, indexed)",
            upload,
            copy_synced,
        ),
        ("download through the signed link", download, copy),
    ] {
        println!("{:<54} {:>10.0} {:>8.2}", name, mb_s(s), base / s);
    }

    // Memory: 16 uploads of 25 MB at once.
    let sources: Vec<PathBuf> = (0..AT_ONCE)
        .map(|i| {
            let path = file_at(format!("big-{i}.pdf"));
            write_pdf(&path, BIG, 1000 + i as u64).map(|()| path)
        })
        .collect::<Result<_>>()?;
    // The peak counts from here: Linux resets a process's VmHWM on `5` written to its clear_refs
    // (where that cannot be done, the peak since start is reported, an overstatement if anything).
    let _ = std::fs::write(format!("/proc/{}/clear_refs", server.pid()), "5");
    let before = server.rss_kib()?;
    let started = Instant::now();
    let children: Vec<_> = sources
        .iter()
        .enumerate()
        .map(|(i, source)| {
            Command::new("curl")
                .args(["-sS", "-o"])
                .arg(file_at(format!("big-answer-{i}.json")))
                .args(["-w", "%{http_code}", "-H", &auth, "-F"])
                .arg(format!("file=@{}", source.display()))
                .arg(&upload_url)
                .stdout(Stdio::piped())
                .spawn()
                .map_err(|e| format!("cannot run curl: {e}"))
        })
        .collect::<Result<_>>()?;
    for child in children {
        let out = child.wait_with_output().map_err(|e| e.to_string())?;
        if String::from_utf8_lossy(&out.stdout) != "200" {
            return Err(format!(
                "a concurrent upload answered {}",
                String::from_utf8_lossy(&out.stdout)
            ));
        }
    }
    let elapsed = seconds(started);
    let peak = peak_rss_kib(&server)?;
    let growth = peak.saturating_sub(before) as f64 / 1024.0;
    let sent = (AT_ONCE * BIG) as f64 / (1024.0 * 1024.0);
    println!(
        "{AT_ONCE} uploads of {} MB at once: {:.1} s; server memory {:.1} MiB before, peak {:.1} MiB: growth {:.1} MiB for {:.0} MiB sent ({:.3} of it)",
        BIG / 1_000_000,
        elapsed,
        before as f64 / 1024.0,
        peak as f64 / 1024.0,
        growth,
        sent,
        growth / sent
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
