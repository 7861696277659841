//! Modality worklist C-FIND: the identifier a modality sends, read into the domain's
//! [`WorklistQuery`], and the answer for each matching entry holding exactly the keys asked for.

use std::io::{Read, Write};

use dicom_core::value::DataSetSequence;
use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
use dicom_dictionary_std::{tags, uids};
use dicom_encoding::TransferSyntaxIndex;
use dicom_object::InMemDicomObject;
use dicom_object::mem::InMemElement;
use dicom_transfer_syntax_registry::TransferSyntaxRegistry;
use dicom_transfer_syntax_registry::entries::EXPLICIT_VR_LITTLE_ENDIAN;
use domain::clinic::imaging::{DateRange, TimeRange, WorklistEntry, WorklistQuery};
use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use time::{Date, Time};

use crate::scan::{self, Encoding};

/// The largest identifier accepted, inflated: real queries are a few hundred bytes.
pub(crate) const MAX_IDENTIFIER: usize = 1 << 20;

/// Why a query is not answered with matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The identifier cannot be parsed (0xC000).
    Unreadable(String),
    /// A key's value is not what its VR allows, such as a date range that is not one (0xA900).
    BadKey(String),
}

/// Parses an identifier received in `transfer_syntax`.
pub(crate) fn read_identifier(
    bytes: &[u8],
    transfer_syntax: &str,
) -> Result<InMemDicomObject, Refusal> {
    let unreadable = |e: String| Refusal::Unreadable(e);
    if transfer_syntax == uids::DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN {
        let mut inflated = Vec::new();
        DeflateDecoder::new(bytes)
            .take(MAX_IDENTIFIER as u64 + 1)
            .read_to_end(&mut inflated)
            .map_err(|e| unreadable(format!("deflated identifier: {e}")))?;
        if inflated.len() > MAX_IDENTIFIER {
            return Err(unreadable("identifier too large once inflated".into()));
        }
        return read_identifier(&inflated, uids::EXPLICIT_VR_LITTLE_ENDIAN);
    }
    let ts = TransferSyntaxRegistry
        .get(transfer_syntax)
        .ok_or_else(|| unreadable(format!("unknown transfer syntax {transfer_syntax}")))?;
    let encoding = Encoding {
        // Of the syntaxes the listener accepts, only one has implicit VRs.
        explicit_vr: transfer_syntax != uids::IMPLICIT_VR_LITTLE_ENDIAN,
        big_endian: ts.endianness() == dicom_encoding::transfer_syntax::Endianness::Big,
    };
    scan::check_lengths(bytes, encoding).map_err(unreadable)?;
    InMemDicomObject::read_dataset_with_ts(bytes, ts).map_err(|e| unreadable(e.to_string()))
}

/// The query's matching keys.
pub(crate) fn query(identifier: &InMemDicomObject) -> Result<WorklistQuery, Refusal> {
    let step = scheduled_step(identifier);
    let start_date = match step.and_then(|s| text(s, tags::SCHEDULED_PROCEDURE_STEP_START_DATE)) {
        None => None,
        Some(raw) => Some(DateRange::parse(&raw).ok_or_else(|| {
            Refusal::BadKey(format!(
                "ScheduledProcedureStepStartDate {raw:?} is not a date range"
            ))
        })?),
    };
    let start_time = match step.and_then(|s| text(s, tags::SCHEDULED_PROCEDURE_STEP_START_TIME)) {
        None => None,
        Some(raw) => Some(TimeRange::parse(&raw).ok_or_else(|| {
            Refusal::BadKey(format!(
                "ScheduledProcedureStepStartTime {raw:?} is not a time range"
            ))
        })?),
    };
    let study_instance_uids = identifier
        .get(tags::STUDY_INSTANCE_UID)
        .and_then(|e| e.to_multi_str().ok())
        .map(|uids| {
            uids.iter()
                .map(|u| u.trim_matches(['\0', ' ']).to_owned())
                .filter(|u| !u.is_empty())
                .collect()
        })
        .unwrap_or_default();
    Ok(WorklistQuery {
        patient_id: text(identifier, tags::PATIENT_ID),
        patient_name: text(identifier, tags::PATIENT_NAME),
        accession_number: text(identifier, tags::ACCESSION_NUMBER),
        requested_procedure_id: text(identifier, tags::REQUESTED_PROCEDURE_ID),
        study_instance_uids,
        modality: step.and_then(|s| text(s, tags::MODALITY)),
        station_ae_title: step.and_then(|s| text(s, tags::SCHEDULED_STATION_AE_TITLE)),
        start_date,
        start_time,
    })
}

/// The first item of the Scheduled Procedure Step Sequence, where the step's keys are.
fn scheduled_step(identifier: &InMemDicomObject) -> Option<&InMemDicomObject> {
    identifier
        .get(tags::SCHEDULED_PROCEDURE_STEP_SEQUENCE)?
        .items()?
        .first()
}

/// A key's value, trimmed; `None` when absent or empty.
fn text(obj: &InMemDicomObject, tag: Tag) -> Option<String> {
    let value = obj.get(tag)?.to_str().ok()?;
    let value = value.trim_matches(['\0', ' ']);
    (!value.is_empty()).then(|| value.to_owned())
}

/// The answer for one entry: every key of the identifier (inside the scheduled step's item
/// too), with the entry's value or empty, and the UTF-8 character set so that names in any
/// script travel intact.
pub(crate) fn answer(identifier: &InMemDicomObject, entry: &WorklistEntry) -> InMemDicomObject {
    let mut out = InMemDicomObject::new_empty();
    out.put(DataElement::new(
        tags::SPECIFIC_CHARACTER_SET,
        VR::CS,
        PrimitiveValue::from("ISO_IR 192"),
    ));
    for element in identifier.iter() {
        let tag = element.header().tag;
        if skipped(tag) {
            continue;
        }
        let vr = element.header().vr;
        let answered = if tag == tags::SCHEDULED_PROCEDURE_STEP_SEQUENCE {
            let asked = element.items().and_then(<[_]>::first);
            let mut item = InMemDicomObject::new_empty();
            for key in asked.into_iter().flat_map(InMemDicomObject::iter) {
                let key_tag = key.header().tag;
                if !skipped(key_tag) {
                    item.put(value_element(
                        key_tag,
                        key.header().vr,
                        step_value(key_tag, entry),
                    ));
                }
            }
            DataElement::new(tag, VR::SQ, DataSetSequence::from(vec![item]))
        } else {
            value_element(tag, vr, top_value(tag, entry))
        };
        out.put(answered);
    }
    out
}

/// Group lengths, command and meta elements, and the character set (always ours).
fn skipped(tag: Tag) -> bool {
    tag.element() == 0 || tag.group() <= 0x0002 || tag == tags::SPECIFIC_CHARACTER_SET
}

fn value_element(tag: Tag, vr: VR, value: Option<String>) -> InMemElement {
    match value {
        _ if vr == VR::SQ => {
            DataElement::new(tag, VR::SQ, DataSetSequence::<InMemDicomObject>::empty())
        }
        Some(v) if !v.is_empty() => DataElement::new(tag, vr, PrimitiveValue::from(v)),
        _ => DataElement::new(tag, vr, PrimitiveValue::Empty),
    }
}

fn top_value(tag: Tag, e: &WorklistEntry) -> Option<String> {
    match tag {
        tags::PATIENT_NAME => Some(e.patient_name.clone()),
        tags::PATIENT_ID => Some(e.patient_mrn.clone()),
        tags::PATIENT_BIRTH_DATE => e.patient_birth_date.map(da),
        tags::PATIENT_SEX => e.patient_sex.clone(),
        tags::ACCESSION_NUMBER => Some(e.accession_number.clone()),
        tags::REQUESTED_PROCEDURE_ID => Some(e.requested_procedure_id.clone()),
        tags::REQUESTED_PROCEDURE_DESCRIPTION => e.requested_procedure_description.clone(),
        tags::STUDY_INSTANCE_UID => Some(e.study_instance_uid.as_str().to_owned()),
        _ => None,
    }
}

fn step_value(tag: Tag, e: &WorklistEntry) -> Option<String> {
    match tag {
        tags::MODALITY => Some(e.modality.clone()),
        tags::SCHEDULED_STATION_AE_TITLE => e.station_ae_title.clone(),
        tags::SCHEDULED_PROCEDURE_STEP_START_DATE => Some(da(e.start_date)),
        tags::SCHEDULED_PROCEDURE_STEP_START_TIME => Some(tm(e.start_time)),
        tags::SCHEDULED_PROCEDURE_STEP_DESCRIPTION => e.step_description.clone(),
        tags::SCHEDULED_PROCEDURE_STEP_ID => Some(e.scheduled_step_id.clone()),
        tags::SCHEDULED_PERFORMING_PHYSICIAN_NAME => e.performing_physician.clone(),
        _ => None,
    }
}

fn da(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), u8::from(d.month()), d.day())
}

fn tm(t: Time) -> String {
    format!("{:02}{:02}{:02}", t.hour(), t.minute(), t.second())
}

/// A response identifier in the context's transfer syntax.
pub(crate) fn encode(obj: &InMemDicomObject, transfer_syntax: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(512);
    if transfer_syntax == uids::DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN {
        let plain = encode(obj, uids::EXPLICIT_VR_LITTLE_ENDIAN)?;
        let mut deflater = DeflateEncoder::new(out, Compression::default());
        deflater.write_all(&plain).map_err(|e| e.to_string())?;
        let mut deflated = deflater.finish().map_err(|e| e.to_string())?;
        // PS3.5 A.5: an odd-length deflated stream is padded with a zero byte.
        if deflated.len() % 2 == 1 {
            deflated.push(0);
        }
        return Ok(deflated);
    }
    let erased = EXPLICIT_VR_LITTLE_ENDIAN.erased();
    let ts = TransferSyntaxRegistry
        .get(transfer_syntax)
        .unwrap_or(&erased);
    obj.write_dataset_with_ts(&mut out, ts)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

#[cfg(test)]
mod tests;
