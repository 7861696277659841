//! No input makes the codec panic: every test file cut at many lengths and with random bytes
//! changed goes through inspect, dump and thumbnail, and through DICOMweb's metadata, frames and
//! rendering.

use std::path::PathBuf;

use crate::support::{dump_bytes, file, inspect_bytes, thumbnail_bytes};

/// A small deterministic generator (xorshift64), so that a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn all_three(bytes: &[u8]) {
    use dicom_codec::DicomRsCodec;
    use domain::clinic::imaging::pixels::{FrameSyntax, ImageFormat, PixelCodec, RenderRequest};
    let _ = inspect_bytes(bytes);
    let _ = dump_bytes(bytes);
    let _ = thumbnail_bytes(bytes, 64);
    let codec = DicomRsCodec::new();
    let size = bytes.len() as u64;
    let _ = codec.metadata(&mut &bytes[..], size, "/b");
    let _ = codec.frames(&mut &bytes[..], size, &[1], FrameSyntax::AsStored);
    let _ = codec.frames(&mut &bytes[..], size, &[1], FrameSyntax::Decoded);
    let request = RenderRequest {
        frame: 1,
        viewport: Some((32, 32)),
        window: None,
        format: ImageFormat::Jpeg { quality: 50 },
    };
    let _ = codec.render(&mut &bytes[..], size, &request);
}

fn subjects() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = [
        "CT_small.dcm",
        "ExplVR_BigEnd.dcm",
        "JPEG2000.dcm",
        "MR_small.dcm",
        "MR_small_RLE.dcm",
        "MR_truncated.dcm",
        "SC_rgb_jpeg_dcmtk.dcm",
        "examples_rgb_color.dcm",
        "examples_ybr_color.dcm",
        "no_meta.dcm",
        "dicomdirtests/DICOMDIR",
        "dicomdirtests/DICOMDIR-bigEnd",
        "dicomdirtests/DICOMDIR-implicit",
        "dicomdirtests/98892003/MR2/4981",
        "dicomdirtests/TINY_ALPHA/PT000000/ST000000/SE000000/IM00000J",
    ]
    .iter()
    .map(|name| file(name))
    .collect();
    files.retain(|f| f.exists());
    assert_eq!(files.len(), 15);
    files
}

#[test]
fn files_cut_anywhere_do_not_panic() {
    for path in subjects() {
        let bytes = std::fs::read(&path).unwrap();
        let mut cuts: Vec<usize> = (0..200.min(bytes.len())).collect();
        cuts.extend((0..60).map(|i| bytes.len() * i / 60));
        for cut in cuts {
            all_three(&bytes[..cut]);
        }
    }
}

#[test]
fn random_byte_changes_do_not_panic() {
    let mut rng = Rng(0x5EED_D1C0_4D00_0001);
    for path in subjects() {
        let original = std::fs::read(&path).unwrap();
        for _ in 0..60 {
            let mut bytes = original.clone();
            for _ in 0..1 + rng.below(8) {
                // Most changes land in the header, where lengths and VRs are.
                let span = if rng.below(4) == 0 {
                    bytes.len()
                } else {
                    bytes.len().min(2048)
                };
                let at = rng.below(span);
                bytes[at] = rng.next() as u8;
            }
            all_three(&bytes);
        }
    }
}
