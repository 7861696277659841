//! The tags the index keeps, read from a parsed object.

use dicom_dictionary_std::tags;
use dicom_object::{DefaultDicomObject, Tag};
use domain::clinic::imaging::worklist::parse_da;
use domain::clinic::imaging::{InstanceMeta, Uid};

use crate::scan::PixelData;

pub(crate) fn instance_meta(
    object: &DefaultDicomObject,
    pixels: Option<&PixelData>,
) -> InstanceMeta {
    let text = |tag| text(object, tag);
    let has_pixels = pixels.is_some();
    let frames = has_pixels.then(|| {
        text(tags::NUMBER_OF_FRAMES)
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(1)
    });
    InstanceMeta {
        sop_class_uid: uid(object, tags::SOP_CLASS_UID),
        sop_instance_uid: uid(object, tags::SOP_INSTANCE_UID),
        study_instance_uid: uid(object, tags::STUDY_INSTANCE_UID),
        series_instance_uid: uid(object, tags::SERIES_INSTANCE_UID),
        transfer_syntax_uid: Uid::parse(object.meta().transfer_syntax()),
        patient_id: text(tags::PATIENT_ID),
        patient_name: text(tags::PATIENT_NAME),
        patient_birth_date: text(tags::PATIENT_BIRTH_DATE).and_then(|d| parse_da(&d)),
        patient_sex: text(tags::PATIENT_SEX),
        study_date: text(tags::STUDY_DATE).and_then(|d| parse_da(&d)),
        study_time: text(tags::STUDY_TIME),
        study_description: text(tags::STUDY_DESCRIPTION),
        study_id: text(tags::STUDY_ID),
        accession_number: text(tags::ACCESSION_NUMBER),
        referring_physician: text(tags::REFERRING_PHYSICIAN_NAME),
        modality: text(tags::MODALITY),
        body_part: text(tags::BODY_PART_EXAMINED),
        series_description: text(tags::SERIES_DESCRIPTION),
        series_number: text(tags::SERIES_NUMBER).and_then(|n| n.parse().ok()),
        instance_number: text(tags::INSTANCE_NUMBER).and_then(|n| n.parse().ok()),
        rows: unsigned(object, tags::ROWS),
        columns: unsigned(object, tags::COLUMNS),
        frames,
        has_pixels,
        photometric_interpretation: text(tags::PHOTOMETRIC_INTERPRETATION),
    }
}

/// A string value without DICOM's padding (spaces, NULs), absent when empty.
fn text(object: &DefaultDicomObject, tag: Tag) -> Option<String> {
    let value = object.get(tag)?.value().to_str().ok()?;
    let trimmed = value.trim_matches([' ', '\0']);
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

fn uid(object: &DefaultDicomObject, tag: Tag) -> Option<Uid> {
    Uid::parse(&text(object, tag)?)
}

fn unsigned(object: &DefaultDicomObject, tag: Tag) -> Option<u32> {
    object.get(tag)?.value().to_int::<u32>().ok()
}
