//! The instances the imaging benchmark sends: copies of one ultrasound file, made distinct by
//! DCMTK's `dcmodify` (a new SOP Instance UID each; one patient, study and series per group).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::{Result, root};

/// The file copied, in the shared test data (`../shared/testdata/dicom/` from the workspace).
pub const SOURCE: &str = "examples_rgb_color.dcm";
/// The study date written into every copy, so that a query by date knows what to expect.
pub const STUDY_DATE: &str = "20040826";

/// The generated files, in groups of `per_study` sharing a patient, study and series.
pub struct Batch {
    pub files: Vec<PathBuf>,
    pub studies: usize,
    pub per_study: usize,
    pub source_bytes: u64,
    pub seconds: f64,
    pub dcmodify_calls: usize,
}

pub fn source() -> PathBuf {
    root().join("../shared/testdata/dicom").join(SOURCE)
}

/// Writes `count` copies of [`SOURCE`] into `dir` and gives each group of `per_study` its own
/// patient (`BENCH-01`, …), study and series UIDs, and each file a new SOP Instance UID.
///
/// One `dcmodify` call per group rather than per file: it takes many files and draws a new UID
/// for each, and a call costs about 14 ms of start-up, 14 s for 1,000 single calls.
pub fn generate(dir: &Path, count: usize, per_study: usize) -> Result<Batch> {
    if per_study == 0 {
        return Err("a study needs at least one instance".into());
    }
    let started = Instant::now();
    let source = source();
    let bytes = std::fs::read(&source).map_err(|e| format!("{}: {e}", source.display()))?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    // Written rather than copied: a copy keeps the source's read-only mode, which dcmodify
    // cannot overwrite unless run as root.
    let files = (0..count)
        .map(|i| {
            let path = dir.join(format!("bench-{i:05}.dcm"));
            std::fs::write(&path, &bytes)
                .map(|()| path.clone())
                .map_err(|e| format!("{}: {e}", path.display()))
        })
        .collect::<Result<Vec<_>>>()?;
    let seed = uid_seed();
    let mut calls = 0;
    for (group, chunk) in files.chunks(per_study).enumerate() {
        let n = group + 1;
        let out = Command::new("dcmodify")
            .args(["-nb", "-gin"])
            .args(["-i", &format!("(0010,0020)=BENCH-{n:02}")])
            .args(["-i", &format!("(0010,0010)=Bench^Patient{n:02}")])
            .args(["-i", &format!("(0020,000D)={}", uid(seed, group, 0))])
            .args(["-i", &format!("(0020,000E)={}", uid(seed, group, 1))])
            .args(["-i", &format!("(0008,0020)={STUDY_DATE}")])
            .args(chunk)
            .output()
            .map_err(|e| format!("cannot run dcmodify: {e}"))?;
        calls += 1;
        if !out.status.success() {
            return Err(format!(
                "dcmodify failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    Ok(Batch {
        studies: files.len().div_ceil(per_study),
        files,
        per_study,
        source_bytes: bytes.len() as u64,
        seconds: started.elapsed().as_secs_f64(),
        dcmodify_calls: calls,
    })
}

/// Nanoseconds since the epoch: distinct for every run, so that two runs never share a UID.
fn uid_seed() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// A UID under `2.25` (a decimal integer below 2^128): the run's seed, then the group and the
/// kind (study 0, series 1) in the low bits.
fn uid(seed: u128, group: usize, kind: u128) -> String {
    let low = ((group as u128) << 1) | kind;
    let value = (seed << 24 | (low & 0xFF_FFFF)) & (u128::MAX >> 1);
    format!("2.25.{value}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uids_are_valid_and_distinct() {
        let seed = uid_seed();
        let uids: Vec<String> = (0..10)
            .flat_map(|g| [uid(seed, g, 0), uid(seed, g, 1)])
            .collect();
        for u in &uids {
            assert!(u.len() <= 64, "{u}");
            assert!(u.starts_with("2.25.") && !u[5..].starts_with('0'), "{u}");
            assert!(u[5..].bytes().all(|b| b.is_ascii_digit()), "{u}");
        }
        let distinct: std::collections::BTreeSet<&String> = uids.iter().collect();
        assert_eq!(distinct.len(), uids.len());
    }

    #[test]
    fn groups_get_their_own_patient_and_study() {
        let dir = std::env::temp_dir().join(format!("xtask-files-{}", std::process::id()));
        let batch = generate(&dir, 5, 2).unwrap();
        assert_eq!((batch.files.len(), batch.studies), (5, 3));
        let dump = |path: &Path| {
            let out = Command::new("dcmdump")
                .args(["+P", "0008,0018", "+P", "0010,0020", "+P", "0020,000D"])
                .args(["+P", "0008,0020", "+P", "0002,0003"])
                .arg(path)
                .output()
                .unwrap();
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        let dumps: Vec<String> = batch.files.iter().map(|f| dump(f)).collect();
        let value = |dump: &str, tag: &str| {
            let line = dump.lines().find(|l| l.starts_with(tag)).unwrap();
            line[line.find('[').unwrap() + 1..line.find(']').unwrap()].to_owned()
        };
        let sop: std::collections::BTreeSet<String> =
            dumps.iter().map(|d| value(d, "(0008,0018)")).collect();
        assert_eq!(sop.len(), 5, "every file has its own SOP Instance UID");
        for d in &dumps {
            // The meta header follows the data set, or receivers would see two UIDs.
            assert_eq!(value(d, "(0002,0003)"), value(d, "(0008,0018)"));
            assert_eq!(value(d, "(0008,0020)"), STUDY_DATE);
        }
        assert_eq!(value(&dumps[0], "(0010,0020)"), "BENCH-01");
        assert_eq!(value(&dumps[1], "(0010,0020)"), "BENCH-01");
        assert_eq!(value(&dumps[4], "(0010,0020)"), "BENCH-03");
        assert_eq!(
            value(&dumps[0], "(0020,000d)"),
            value(&dumps[1], "(0020,000d)")
        );
        assert_ne!(
            value(&dumps[1], "(0020,000d)"),
            value(&dumps[2], "(0020,000d)")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
