use std::time::Instant;

use domain::clinic::imaging::ThumbnailRefusal;
use image::GenericImageView;

use crate::support::{all_files, file, inspect, thumbnail};

/// Decodes a thumbnail back and checks its size and that it is not one flat colour.
pub fn check_png(png: &[u8], expect: (u32, u32), what: &str) {
    assert!(png.starts_with(b"\x89PNG"), "{what}");
    let image = image::load_from_memory(png).unwrap();
    assert_eq!(image.dimensions(), expect, "{what}");
    let first = image.get_pixel(0, 0);
    assert!(
        image.pixels().any(|(_, _, p)| p != first),
        "{what} is uniform"
    );
}

/// Every file that must draw, at 64 and 256: (name, full size (columns, rows)).
const DRAWN: [(&str, (u32, u32)); 7] = [
    ("ExplVR_BigEnd.dcm", (80, 60)),
    ("examples_ybr_color.dcm", (320, 240)),
    ("MR_small_RLE.dcm", (64, 64)),
    ("SC_rgb_jpeg_dcmtk.dcm", (100, 100)),
    ("examples_rgb_color.dcm", (320, 240)),
    ("CT_small.dcm", (128, 128)),
    ("MR_small.dcm", (64, 64)),
];

/// The long side at most `side`, the aspect kept, never scaled up.
fn fitted((w, h): (u32, u32), side: u32) -> (u32, u32) {
    if w.max(h) <= side {
        return (w, h);
    }
    let ratio = f64::from(side) / f64::from(w.max(h));
    (
        ((f64::from(w) * ratio).round() as u32).max(1),
        ((f64::from(h) * ratio).round() as u32).max(1),
    )
}

#[test]
fn the_test_images_draw_at_64_and_256() {
    for (name, full) in DRAWN {
        let meta = inspect(&file(name)).unwrap();
        assert_eq!(
            (meta.columns, meta.rows),
            (Some(full.0), Some(full.1)),
            "{name}"
        );
        for side in [64, 256] {
            let png = thumbnail(&file(name), side).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            check_png(&png, fitted(full, side), &format!("{name} at {side}"));
        }
    }
}

#[test]
fn jpeg_2000_is_unsupported_and_named() {
    match thumbnail(&file("JPEG2000.dcm"), 256) {
        Err(ThumbnailRefusal::Unsupported { detail }) => {
            assert!(detail.contains("JPEG 2000"), "{detail}");
            assert!(detail.contains("cannot be decoded here"), "{detail}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn files_without_pixels_or_unreadable_are_refused() {
    assert_eq!(
        thumbnail(&file("dicomdirtests/DICOMDIR"), 64),
        Err(ThumbnailRefusal::NoPixels)
    );
    assert!(matches!(
        thumbnail(&file("MR_truncated.dcm"), 64),
        Err(ThumbnailRefusal::Unreadable { .. })
    ));
    assert!(matches!(
        thumbnail(&file("no_meta.dcm"), 64),
        Err(ThumbnailRefusal::Unreadable { .. })
    ));
}

/// Prints how long each file's thumbnail took (not an assertion: the machine is shared).
#[test]
fn every_file_draws_or_is_refused_and_the_time_is_printed() {
    let mut drawn = 0;
    for path in all_files() {
        let start = Instant::now();
        let result = thumbnail(&path, 256);
        let took = start.elapsed();
        let name = path
            .strip_prefix(crate::support::data_dir())
            .unwrap()
            .display()
            .to_string();
        match &result {
            Ok(png) => {
                drawn += 1;
                println!("{name}: {} bytes of PNG in {took:?}", png.len());
            }
            Err(refusal) => println!("{name}: {refusal:?} in {took:?}"),
        }
    }
    // The TINY_ALPHA images and the DICOMDIRs hold no pixels.
    assert!(drawn >= 30, "{drawn}");
}
