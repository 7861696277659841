//! Objects built in the test: palette colour and an instance without pixels (no test file has
//! either).

use dicom_core::value::PrimitiveValue;
use dicom_core::{DataElement, VR};
use dicom_dictionary_std::{tags, uids};
use dicom_object::{FileMetaTableBuilder, InMemDicomObject};
use domain::clinic::imaging::ThumbnailRefusal;

use crate::support::{dump_bytes, inspect_bytes, thumbnail_bytes};
use crate::thumbnail::check_png;

fn base(sop_class: &str) -> InMemDicomObject {
    InMemDicomObject::from_element_iter([
        DataElement::new(tags::SOP_CLASS_UID, VR::UI, PrimitiveValue::from(sop_class)),
        DataElement::new(
            tags::SOP_INSTANCE_UID,
            VR::UI,
            PrimitiveValue::from("2.25.1001"),
        ),
        DataElement::new(
            tags::PATIENT_NAME,
            VR::PN,
            PrimitiveValue::from("Palette^Test"),
        ),
        DataElement::new(tags::PATIENT_ID, VR::LO, PrimitiveValue::from("P1 ")),
        DataElement::new(
            tags::STUDY_INSTANCE_UID,
            VR::UI,
            PrimitiveValue::from("2.25.1002"),
        ),
        DataElement::new(
            tags::SERIES_INSTANCE_UID,
            VR::UI,
            PrimitiveValue::from("2.25.1003"),
        ),
        DataElement::new(tags::STUDY_DESCRIPTION, VR::LO, PrimitiveValue::from("")),
    ])
}

fn file_bytes(object: InMemDicomObject) -> Vec<u8> {
    let file = object
        .with_meta(FileMetaTableBuilder::new().transfer_syntax(uids::EXPLICIT_VR_LITTLE_ENDIAN))
        .unwrap();
    let mut out = Vec::new();
    file.write_all(&mut out).unwrap();
    out
}

/// 32 × 16 pixels of 8-bit indices into a 256-entry, 16-bit palette: red rises with the index,
/// blue falls.
fn palette_file() -> Vec<u8> {
    let mut object = base(uids::SECONDARY_CAPTURE_IMAGE_STORAGE);
    let (columns, rows) = (32u16, 16u16);
    let indices: Vec<u8> = (0..u32::from(columns) * u32::from(rows))
        .map(|i| ((i % u32::from(columns)) * 8) as u8)
        .collect();
    let us = |tag, v: u16| DataElement::new(tag, VR::US, PrimitiveValue::from(v));
    for element in [
        us(tags::SAMPLES_PER_PIXEL, 1),
        us(tags::ROWS, rows),
        us(tags::COLUMNS, columns),
        us(tags::BITS_ALLOCATED, 8),
        us(tags::BITS_STORED, 8),
        us(tags::HIGH_BIT, 7),
        us(tags::PIXEL_REPRESENTATION, 0),
    ] {
        object.put(element);
    }
    object.put(DataElement::new(
        tags::PHOTOMETRIC_INTERPRETATION,
        VR::CS,
        PrimitiveValue::from("PALETTE COLOR"),
    ));
    let descriptor = || PrimitiveValue::U16(vec![256u16, 0, 16].into());
    let table =
        |f: fn(u16) -> u16| PrimitiveValue::U16((0..256u16).map(f).collect::<Vec<_>>().into());
    for (d, data, f) in [
        (
            tags::RED_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
            tags::RED_PALETTE_COLOR_LOOKUP_TABLE_DATA,
            (|i| i * 257) as fn(u16) -> u16,
        ),
        (
            tags::GREEN_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
            tags::GREEN_PALETTE_COLOR_LOOKUP_TABLE_DATA,
            |_| 0x8000,
        ),
        (
            tags::BLUE_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
            tags::BLUE_PALETTE_COLOR_LOOKUP_TABLE_DATA,
            |i| (255 - i) * 257,
        ),
    ] {
        object.put(DataElement::new(d, VR::US, descriptor()));
        object.put(DataElement::new(data, VR::OW, table(f)));
    }
    object.put(DataElement::new(
        tags::PIXEL_DATA,
        VR::OB,
        PrimitiveValue::from(indices),
    ));
    file_bytes(object)
}

#[test]
fn palette_colour_draws_in_colour() {
    let bytes = palette_file();
    let meta = inspect_bytes(&bytes).unwrap();
    assert_eq!(
        meta.photometric_interpretation.as_deref(),
        Some("PALETTE COLOR")
    );
    assert_eq!(meta.patient_id.as_deref(), Some("P1"));
    assert_eq!(meta.study_description, None);
    let png = thumbnail_bytes(&bytes, 16).unwrap();
    check_png(&png, (16, 8), "palette at 16");
    let png = thumbnail_bytes(&bytes, 256).unwrap();
    check_png(&png, (32, 16), "palette, never scaled up");
    let image = image::load_from_memory(&png).unwrap().to_rgb8();
    // Index 0 at the left: no red, full blue; index 248 at the right: red, little blue.
    assert_eq!(image.get_pixel(0, 0).0, [0, 128, 255]);
    assert_eq!(image.get_pixel(31, 0).0, [248, 128, 7]);
}

#[test]
fn an_instance_without_pixels_has_none_and_no_thumbnail() {
    let bytes = file_bytes(base(uids::BASIC_TEXT_SR_STORAGE));
    let meta = inspect_bytes(&bytes).unwrap();
    assert!(!meta.has_pixels);
    assert_eq!(meta.frames, None);
    assert_eq!(meta.patient_name.as_deref(), Some("Palette^Test"));
    assert!(meta.identity().is_ok());
    assert!(
        dump_bytes(&bytes)
            .unwrap()
            .iter()
            .all(|e| !e.value.contains("pixel data"))
    );
    assert_eq!(thumbnail_bytes(&bytes, 64), Err(ThumbnailRefusal::NoPixels));
}
