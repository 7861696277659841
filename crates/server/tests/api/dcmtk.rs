//! DCMTK's tools as a modality uses them (`echoscu`, `storescu`, `findscu -W`, `dcmodify`,
//! `dump2dcm`, `dcmdump`), and the test files of `../shared/testdata/dicom`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The folder of the shared DICOM test files.
pub fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/dicom")
}

pub fn file(name: &str) -> PathBuf {
    testdata().join(name)
}

/// Runs a DCMTK tool; a missing tool fails the test naming the package to install.
pub fn run(tool: &str, args: &[&str]) -> Output {
    Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} cannot run ({e}): install the Debian package dcmtk"))
}

/// Both of a tool's outputs, for assertions and failure messages.
pub fn said(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// `storescu -v` from `calling` to the listener at `port`, with `extra` options (a transfer
/// syntax to propose), sending `files`; answers what it said.
pub fn storescu(port: u16, calling: &str, extra: &[&str], files: &[&Path]) -> String {
    let port = port.to_string();
    let mut args = vec!["-v", "-aet", calling, "-aec", "MEDCARE"];
    args.extend_from_slice(extra);
    args.extend(["127.0.0.1", port.as_str()]);
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    args.extend(names.iter().map(String::as_str));
    said(&run("storescu", &args))
}

/// A copy of `source` in `dir` with `changes` (`(gggg,eeee)=value`) applied by `dcmodify`, and a
/// new SOP Instance UID when `new_uid`.
pub fn modified(
    dir: &Path,
    source: &Path,
    name: &str,
    changes: &[String],
    new_uid: bool,
) -> PathBuf {
    let target = dir.join(name);
    std::fs::copy(source, &target).expect("the test file copies");
    let mut args: Vec<String> = vec!["-nb".into()];
    if new_uid {
        args.push("-gin".into());
    }
    for change in changes {
        args.push("-i".into());
        args.push(change.clone());
    }
    args.push(target.display().to_string());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run("dcmodify", &refs);
    assert!(out.status.success(), "dcmodify: {}", said(&out));
    target
}

/// A worklist query file made by `dump2dcm` from DCMTK's dump format.
pub fn query_file(dir: &Path, name: &str, dump: &str) -> PathBuf {
    let text = dir.join(format!("{name}.dump"));
    std::fs::write(&text, dump).expect("the dump writes");
    let target = dir.join(format!("{name}.dcm"));
    let out = run(
        "dump2dcm",
        &[&text.display().to_string(), &target.display().to_string()],
    );
    assert!(out.status.success(), "dump2dcm: {}", said(&out));
    target
}

/// `findscu -W` against the listener: the responses' dumps (`dcmdump` of each `rsp*.dcm`).
pub fn worklist(port: u16, dir: &Path, query: &Path) -> Vec<String> {
    let out_dir = dir.join(format!(
        "rsp-{}",
        query.file_stem().and_then(|s| s.to_str()).unwrap_or("q")
    ));
    // A fresh folder: the answers of an earlier run of the same query must not be read again.
    let _ = std::fs::remove_dir_all(&out_dir);
    std::fs::create_dir_all(&out_dir).expect("a folder for the responses");
    let out = run(
        "findscu",
        &[
            "-W",
            "-X",
            "-od",
            &out_dir.display().to_string(),
            "-aet",
            "US_ROOM_1",
            "-aec",
            "MEDCARE",
            "127.0.0.1",
            &port.to_string(),
            &query.display().to_string(),
        ],
    );
    assert!(out.status.success(), "findscu: {}", said(&out));
    let mut dumps: Vec<(PathBuf, String)> = std::fs::read_dir(&out_dir)
        .expect("the responses")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .map(|p| {
            let dump = said(&run("dcmdump", &["+U8", &p.display().to_string()]));
            (p, dump)
        })
        .collect();
    dumps.sort();
    dumps.into_iter().map(|(_, d)| d).collect()
}
