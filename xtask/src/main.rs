//! `cargo xtask …`: developer chores. Standard library only, so it builds in a second.
//!
//! - `migrate run|revert|status`: the server's migrations against `DATABASE_URL` (or the default
//!   SQLite file), for either backend.
//! - `migrate new NAME`: a new, empty migration for both backends.
//! - `bench`: load benchmarks with `wrk` against a release build (see `docs/benchmarks.md`);
//!   `bench imaging` only the DICOM ingest and study queries against Orthanc; `bench documents`
//!   only uploads and downloads of documents against copying the file.
//! - `check-domain`: fails if the domain crate depends on an I/O crate, or an adapter crate on
//!   another adapter.

mod bench;
mod bench_clinic;
mod bench_declarations;
mod bench_dicomweb;
mod bench_documents;
mod bench_imaging;
mod bench_imaging_files;
mod bench_imaging_peers;
mod viewer;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["migrate", "new", name] => migrate_new(name),
        ["migrate", action @ ("run" | "revert" | "status")] => cargo_server(&["migrate", action]),
        ["bench", "imaging", rest @ ..] => bench_imaging::run(rest),
        ["bench", "documents", rest @ ..] => bench_documents::run(rest),
        ["bench", "dicomweb", rest @ ..] => bench_dicomweb::run(rest),
        ["bench", rest @ ..] => bench::run(rest),
        ["check-domain"] => check_domain(),
        ["viewer", rest @ ..] => viewer::run(rest),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "usage:
  cargo xtask migrate run|revert|status   apply, revert or list migrations (DATABASE_URL or the default SQLite file)
  cargo xtask migrate new NAME            create an empty migration for SQLite and PostgreSQL
  cargo xtask bench [--quick]             load benchmarks with wrk against a release build, imaging included
  cargo xtask bench imaging [--quick]     DICOM ingest and study queries, ours against Orthanc
  cargo xtask bench dicomweb [--quick]    DICOMweb (STOW, QIDO, metadata, frames), ours against Orthanc's DICOMweb plugin
  cargo xtask bench documents [--quick]   a 10 MB document up and down against a disk copy; memory under 16 uploads of 25 MB
  cargo xtask viewer [--force]            install the web viewer (OHIF, pinned) into target/viewer, for VIEWER_DIR
  cargo xtask check-domain                fail if domain depends on an I/O crate or an adapter on another adapter";

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

pub fn exec(cmd: &mut Command) -> Result {
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed: {status}"))
    }
}

fn cargo_server(args: &[&str]) -> Result {
    exec(
        Command::new(env!("CARGO"))
            .current_dir(root())
            .args(["run", "--quiet", "-p", "server", "--"])
            .args(args),
    )
}

fn migrate_new(name: &str) -> Result {
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err("a migration name is lowercase letters, digits and '_'".into());
    }
    let dir_name = format!("{}_{name}", timestamp());
    for backend in ["sqlite", "postgres"] {
        let dir = root().join("migrations").join(backend).join(&dir_name);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for file in ["up.sql", "down.sql"] {
            let path = dir.join(file);
            let header = format!("-- {backend}: {name} ({file})\n");
            std::fs::write(&path, header).map_err(|e| format!("{}: {e}", path.display()))?;
            println!("created {}", path.display());
        }
    }
    println!("write both backends' SQL; the schema parity test checks they agree");
    Ok(())
}

/// `YYYY-MM-DD-HHMMSS` in UTC, the form diesel orders migrations by.
fn timestamp() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}-{:02}{:02}{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The domain crate must stay pure: no web framework, database, runtime or HTTP client.
fn check_domain() -> Result {
    const FORBIDDEN: [&str; 8] = [
        "actix", "diesel", "r2d2", "tokio", "reqwest", "hyper", "sqlx", "lettre",
    ];
    let output = Command::new(env!("CARGO"))
        .current_dir(root())
        .args([
            "tree",
            "-p",
            "domain",
            "-e",
            "normal,build",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .output()
        .map_err(|e| format!("cannot run cargo tree: {e}"))?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    let tree = String::from_utf8_lossy(&output.stdout);
    let bad: Vec<&str> = tree
        .lines()
        .filter(|line| {
            let name = line.split_whitespace().next().unwrap_or("");
            FORBIDDEN.iter().any(|f| {
                name == *f
                    || name.starts_with(&format!("{f}-"))
                    || name.starts_with(&format!("{f}_"))
            })
        })
        .collect();
    if !bad.is_empty() {
        return Err(format!("the domain crate depends on I/O crates: {bad:?}"));
    }
    let unique: std::collections::BTreeSet<&str> = tree.lines().collect();
    println!(
        "domain is pure: {} crates in its tree, none of {FORBIDDEN:?}",
        unique.len()
    );
    check_adapters()
}

/// The crates wired together only by `server`: each adapter depends on `domain` and on no other
/// crate of the workspace (its dev-dependencies may use others' test support).
fn check_adapters() -> Result {
    const WIRING: [&str; 2] = ["domain", "server"];
    let crates_dir = root().join("crates");
    let entries =
        std::fs::read_dir(&crates_dir).map_err(|e| format!("{}: {e}", crates_dir.display()))?;
    let members: Vec<String> = entries
        .flatten()
        .filter(|e| e.path().join("Cargo.toml").exists())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    let mut bad = Vec::new();
    for member in members.iter().filter(|m| !WIRING.contains(&m.as_str())) {
        let manifest = crates_dir.join(member).join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest)
            .map_err(|e| format!("{}: {e}", manifest.display()))?;
        for dep in section_keys(&text, "[dependencies]") {
            if dep != "domain" && members.contains(&dep) {
                bad.push(format!("{member} -> {dep}"));
            }
        }
    }
    if bad.is_empty() {
        println!(
            "adapters depend on domain alone: {} crates checked",
            members.len() - WIRING.len()
        );
        Ok(())
    } else {
        Err(format!(
            "adapters must not depend on each other (only server wires them): {bad:?}"
        ))
    }
}

/// The keys of one `[section]` of a manifest (`name = …` or `name.workspace = true`).
fn section_keys(manifest: &str, section: &str) -> Vec<String> {
    let mut inside = false;
    let mut keys = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            inside = line == section;
            continue;
        }
        if !inside || line.is_empty() || line.starts_with('#') {
            continue;
        }
        let key: String = line
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        if !key.is_empty() {
            keys.push(key);
        }
    }
    keys
}
