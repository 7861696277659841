//! The DICOMweb side of the codec on the real test files: the DICOM JSON model checked against
//! DCMTK's `dcmdump`, frames as stored and decoded (their sizes from the files' own attributes),
//! rendered images with a viewport and a window, and the refusals.

use std::fs::File;
use std::path::Path;

use dicom_codec::DicomRsCodec;
use domain::clinic::imaging::pixels::{
    EXPLICIT_VR_LITTLE_ENDIAN, Frame, FrameSyntax, ImageFormat, PixelCodec, PixelRefusal,
    RenderRequest, Window,
};
use serde_json::Value;

use crate::support::{dcmdump, file};

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).unwrap().len()
}

fn metadata(name: &str) -> Value {
    let path = file(name);
    let json = DicomRsCodec::new()
        .metadata(&mut File::open(&path).unwrap(), size(&path), "/bulk")
        .unwrap();
    serde_json::from_str(&json.0).unwrap()
}

fn frames(name: &str, numbers: &[u32], syntax: FrameSyntax) -> Result<Vec<Frame>, PixelRefusal> {
    let path = file(name);
    DicomRsCodec::new().frames(
        &mut File::open(&path).unwrap(),
        size(&path),
        numbers,
        syntax,
    )
}

fn render(name: &str, request: RenderRequest) -> Result<Vec<u8>, PixelRefusal> {
    let path = file(name);
    DicomRsCodec::new().render(&mut File::open(&path).unwrap(), size(&path), &request)
}

fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[1..4], b"PNG");
    let be = |at: usize| u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]);
    (be(16), be(20))
}

fn number(v: &Value) -> u64 {
    v["Value"][0].as_u64().unwrap()
}

#[test]
fn metadata_is_the_dicom_json_model_of_the_data_set() {
    for name in [
        "CT_small.dcm",
        "MR_small.dcm",
        "examples_ybr_color.dcm",
        "ExplVR_BigEnd.dcm",
    ] {
        let path = file(name);
        let json = metadata(name);
        // The meta group is not part of it; pixel data is a bulk data reference.
        assert!(json.get("00020010").is_none(), "{name}");
        assert_eq!(json["7FE00010"]["BulkDataURI"], "/bulk/7FE00010", "{name}");
        assert!(json["7FE00010"].get("Value").is_none(), "{name}");
        for (tag, key) in [
            ("0020,000d", "0020000D"),
            ("0008,0018", "00080018"),
            ("0008,0060", "00080060"),
        ] {
            let expected = dcmdump(&path, tag).unwrap();
            assert_eq!(json[key]["Value"][0], expected.as_str(), "{name} {tag}");
        }
        for (tag, key) in [("0028,0010", "00280010"), ("0028,0011", "00280011")] {
            let expected: u64 = dcmdump(&path, tag).unwrap().parse().unwrap();
            assert_eq!(json[key]["vr"], "US", "{name}");
            assert_eq!(number(&json[key]), expected, "{name} {tag}");
        }
    }
    let ct = metadata("CT_small.dcm");
    let name = dcmdump(&file("CT_small.dcm"), "0010,0010").unwrap();
    assert_eq!(ct["00100010"]["vr"], "PN");
    assert_eq!(ct["00100010"]["Value"][0]["Alphabetic"], name.as_str());
    // Decimal strings are numbers.
    assert!(ct["00280030"]["Value"][0].is_number(), "{}", ct["00280030"]);
}

#[test]
fn frames_as_stored_and_decoded() {
    // Uncompressed 16-bit grey: rows × columns × 2 bytes, in explicit VR little endian.
    let ct = &frames("CT_small.dcm", &[1], FrameSyntax::AsStored).unwrap()[0];
    assert_eq!(ct.bytes.len(), 128 * 128 * 2);
    assert_eq!(ct.transfer_syntax.as_str(), EXPLICIT_VR_LITTLE_ENDIAN);
    // JPEG Baseline, 30 frames: as stored each is a JPEG stream; decoded, RGB pixels.
    let ybr = file("examples_ybr_color.dcm");
    let (rows, columns): (usize, usize) = (
        dcmdump(&ybr, "0028,0010").unwrap().parse().unwrap(),
        dcmdump(&ybr, "0028,0011").unwrap().parse().unwrap(),
    );
    let stored = frames("examples_ybr_color.dcm", &[1, 30, 1], FrameSyntax::AsStored).unwrap();
    assert_eq!(
        stored.iter().map(|f| f.number).collect::<Vec<_>>(),
        [1, 30, 1]
    );
    for frame in &stored {
        assert_eq!(
            &frame.bytes[..2],
            [0xFF, 0xD8],
            "a JPEG stream starts with SOI"
        );
        assert_eq!(frame.transfer_syntax.as_str(), "1.2.840.10008.1.2.4.50");
    }
    assert_eq!(stored[0].bytes, stored[2].bytes);
    assert_ne!(stored[0].bytes, stored[1].bytes);
    let decoded = frames("examples_ybr_color.dcm", &[2], FrameSyntax::Decoded).unwrap();
    assert_eq!(decoded[0].bytes.len(), rows * columns * 3);
    assert_eq!(
        decoded[0].transfer_syntax.as_str(),
        EXPLICIT_VR_LITTLE_ENDIAN
    );
    // RLE decoded: 64 × 64 × 2 bytes.
    let rle = frames("MR_small_RLE.dcm", &[1], FrameSyntax::Decoded).unwrap();
    assert_eq!(rle[0].bytes.len(), 64 * 64 * 2);
}

#[test]
fn frames_out_of_range_and_undecodable_ones_are_refused() {
    assert_eq!(
        frames("CT_small.dcm", &[2], FrameSyntax::AsStored),
        Err(PixelRefusal::NoSuchFrame { frames: 1 })
    );
    assert_eq!(
        frames("examples_ybr_color.dcm", &[0], FrameSyntax::AsStored),
        Err(PixelRefusal::NoSuchFrame { frames: 30 })
    );
    // JPEG 2000 is served as stored, and refused when decoded pixels are asked for.
    let j2k = frames("JPEG2000.dcm", &[1], FrameSyntax::AsStored).unwrap();
    assert!(!j2k[0].bytes.is_empty());
    assert!(matches!(
        frames("JPEG2000.dcm", &[1], FrameSyntax::Decoded),
        Err(PixelRefusal::Unsupported { .. })
    ));
    let truncated = frames("MR_truncated.dcm", &[1], FrameSyntax::AsStored);
    assert!(
        matches!(truncated, Err(PixelRefusal::Unreadable { .. })),
        "{truncated:?}"
    );
}

#[test]
fn rendered_frames_fit_the_viewport_in_either_format() {
    let png = render(
        "examples_ybr_color.dcm",
        RenderRequest {
            frame: 30,
            viewport: Some((64, 64)),
            window: None,
            format: ImageFormat::Png,
        },
    )
    .unwrap();
    let (w, h) = png_size(&png);
    assert!(w <= 64 && h <= 64 && (w == 64 || h == 64), "{w}×{h}");
    let jpeg = render(
        "CT_small.dcm",
        RenderRequest {
            frame: 1,
            viewport: None,
            window: None,
            format: ImageFormat::Jpeg { quality: 80 },
        },
    )
    .unwrap();
    assert_eq!(&jpeg[..2], [0xFF, 0xD8]);
    // Never scaled up.
    let small = render(
        "MR_small.dcm",
        RenderRequest {
            frame: 1,
            viewport: Some((512, 512)),
            window: None,
            format: ImageFormat::Png,
        },
    )
    .unwrap();
    assert_eq!(png_size(&small), (64, 64));
    // A narrow window makes a different picture from the file's own.
    let own = render(
        "CT_small.dcm",
        RenderRequest {
            frame: 1,
            viewport: None,
            window: None,
            format: ImageFormat::Png,
        },
    )
    .unwrap();
    let narrow = render(
        "CT_small.dcm",
        RenderRequest {
            frame: 1,
            viewport: None,
            window: Some(Window {
                center: 0.0,
                width: 10.0,
            }),
            format: ImageFormat::Png,
        },
    )
    .unwrap();
    assert_ne!(own, narrow);
    assert!(matches!(
        render(
            "JPEG2000.dcm",
            RenderRequest {
                frame: 1,
                viewport: None,
                window: None,
                format: ImageFormat::Png
            }
        ),
        Err(PixelRefusal::Unsupported { .. })
    ));
}
