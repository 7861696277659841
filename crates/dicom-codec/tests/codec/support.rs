use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

use dicom_codec::DicomRsCodec;
use domain::clinic::imaging::{
    DicomCodec, DicomRefusal, DumpEntry, InstanceMeta, ThumbnailRefusal,
};

pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/dicom")
}

pub fn file(name: &str) -> PathBuf {
    data_dir().join(name)
}

/// Every DICOM test file (README, licence and text files left out), sub-folders included.
pub fn all_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![data_dir()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                dirs.push(path);
            } else if !(name.ends_with(".txt") || name.ends_with(".md") || name.contains("LICENSE"))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    assert!(out.len() > 40, "test files missing: {out:?}");
    out
}

pub fn inspect_bytes(bytes: &[u8]) -> Result<InstanceMeta, DicomRefusal> {
    DicomRsCodec::new().inspect(&mut &bytes[..], bytes.len() as u64)
}

pub fn dump_bytes(bytes: &[u8]) -> Result<Vec<DumpEntry>, DicomRefusal> {
    DicomRsCodec::new().dump(&mut &bytes[..], bytes.len() as u64)
}

pub fn thumbnail_bytes(bytes: &[u8], side: u32) -> Result<Vec<u8>, ThumbnailRefusal> {
    DicomRsCodec::new().thumbnail(&mut &bytes[..], bytes.len() as u64, side)
}

/// Reads from the file itself, as the blob store hands it over.
pub fn inspect(path: &Path) -> Result<InstanceMeta, DicomRefusal> {
    let size = std::fs::metadata(path).unwrap().len();
    DicomRsCodec::new().inspect(&mut File::open(path).unwrap(), size)
}

pub fn dump(path: &Path) -> Result<Vec<DumpEntry>, DicomRefusal> {
    let size = std::fs::metadata(path).unwrap().len();
    DicomRsCodec::new().dump(&mut File::open(path).unwrap(), size)
}

pub fn thumbnail(path: &Path, side: u32) -> Result<Vec<u8>, ThumbnailRefusal> {
    let size = std::fs::metadata(path).unwrap().len();
    DicomRsCodec::new().thumbnail(&mut File::open(path).unwrap(), size, side)
}

/// The value DCMTK's `dcmdump` prints for `tag` (`gggg,eeee`): the text between brackets for
/// strings, the number otherwise; `None` when the element is absent.
pub fn dcmdump(path: &Path, tag: &str) -> Option<String> {
    let out = Command::new("dcmdump")
        .args(["-q", "+P", tag])
        .arg(path)
        .output()
        .expect("dcmdump (DCMTK) is installed");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().next()?;
    let rest = line.get(15..)?;
    let value = match rest.strip_prefix('[') {
        Some(quoted) => quoted.split(']').next()?.to_owned(),
        None => rest.split('#').next()?.trim().to_owned(),
    };
    Some(value)
}
