//! Declared lengths far beyond the file are refused quickly and with bounded memory.
//!
//! Its own test binary, with one test, so that the process's peak resident memory (VmHWM) is
//! this test's alone.

#![cfg(test)]

use std::path::Path;
use std::time::{Duration, Instant};

use dicom_codec::DicomRsCodec;
use domain::clinic::imaging::{DicomCodec, DicomRefusal, ThumbnailRefusal};

const HUGE: u32 = 0xE000_0000; // 3.75 GB

fn peak_resident_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// MR_small.dcm with its pixel data header rewritten: `tag` instead of (7FE0,0010) and `len` as
/// its length, the file cut to 9.6 KB (as DICOM-NOTES measured it).
fn crafted(tag: [u8; 4], len: u32) -> Vec<u8> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/dicom/MR_small.dcm");
    let mut bytes = std::fs::read(path).unwrap();
    let at = bytes
        .windows(8)
        .rposition(|w| w[..4] == [0xE0, 0x7F, 0x10, 0x00] && &w[4..6] == b"OW")
        .expect("MR_small's pixel data is explicit VR OW");
    bytes[at..at + 4].copy_from_slice(&tag);
    bytes[at + 8..at + 12].copy_from_slice(&len.to_le_bytes());
    bytes.truncate(9_600);
    bytes
}

#[test]
fn hostile_lengths_are_refused_without_allocating_them() {
    let codec = DicomRsCodec::new();
    let before = peak_resident_kib();
    let start = Instant::now();
    let pixel_data = crafted([0xE0, 0x7F, 0x10, 0x00], HUGE);
    let private_ob = crafted([0x09, 0x00, 0x10, 0x10], HUGE);
    for bytes in [&pixel_data, &private_ob] {
        let size = bytes.len() as u64;
        let refused = codec.inspect(&mut &bytes[..], size);
        assert!(
            matches!(refused, Err(DicomRefusal::Truncated { .. })),
            "{refused:?}"
        );
        let refused = codec.dump(&mut &bytes[..], size);
        assert!(
            matches!(refused, Err(DicomRefusal::Truncated { .. })),
            "{refused:?}"
        );
        let refused = codec.thumbnail(&mut &bytes[..], size, 256);
        assert!(
            matches!(refused, Err(ThumbnailRefusal::Unreadable { .. })),
            "{refused:?}"
        );
        // A caller that overstates the size: the walk still allocates only what arrives.
        let refused = codec.inspect(&mut &bytes[..], u64::from(u32::MAX) + 10);
        assert!(
            matches!(refused, Err(DicomRefusal::Truncated { .. })),
            "{refused:?}"
        );
    }
    // The meta group's own length.
    let mut meta = pixel_data.clone();
    meta[140..144].copy_from_slice(&HUGE.to_le_bytes());
    let refused = codec.inspect(&mut &meta[..], meta.len() as u64);
    assert!(
        matches!(refused, Err(DicomRefusal::Truncated { .. })),
        "{refused:?}"
    );

    let took = start.elapsed();
    let grown_kib = peak_resident_kib().saturating_sub(before);
    println!("refused in {took:?}, peak resident memory grew by {grown_kib} KiB");
    assert!(took < Duration::from_secs(2), "{took:?}");
    assert!(
        grown_kib < 32 * 1024,
        "peak resident memory grew by {grown_kib} KiB"
    );
}
