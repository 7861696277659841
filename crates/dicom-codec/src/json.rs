//! An instance's data set in the DICOM JSON model (PS3.18 §F.2), as QIDO-RS and WADO-RS `/metadata`
//! answer it: an object keyed by tag (`"00100010"`), each attribute with its `vr` and `Value` (person
//! names as `{"Alphabetic": …}`, numbers as JSON numbers, binary values as base64 `InlineBinary`),
//! and the pixel data as a `BulkDataURI`. Empty values have no `Value`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use dicom_core::value::{PrimitiveValue, Value};
use dicom_core::{Tag, VR};
use dicom_object::InMemDicomObject;
use serde_json::{Map, Value as Json, json};

use crate::scan::PixelData;

/// The JSON key of a tag: eight uppercase hex digits.
pub(crate) fn key(tag: Tag) -> String {
    format!("{:04X}{:04X}", tag.group(), tag.element())
}

/// The data set of `object` (not its file meta group), with `pixels` as a bulk data reference under
/// `bulk_base`.
pub(crate) fn data_set(
    object: &InMemDicomObject,
    pixels: Option<&PixelData>,
    bulk_base: &str,
) -> Map<String, Json> {
    let mut out = attributes(object);
    if let Some(pixels) = pixels {
        out.insert(
            key(pixels.tag),
            json!({"vr": pixels.vr.to_string(), "BulkDataURI": format!("{bulk_base}/{}", key(pixels.tag))}),
        );
    }
    out
}

fn attributes(object: &InMemDicomObject) -> Map<String, Json> {
    let mut out = Map::new();
    for element in object.iter() {
        let tag = element.header().tag;
        // Group lengths are deprecated in data sets and carry nothing for a client.
        if tag.element() == 0 {
            continue;
        }
        let vr = element.vr();
        let mut attribute = Map::new();
        attribute.insert("vr".to_owned(), Json::String(vr.to_string().to_owned()));
        match element.value() {
            Value::Primitive(p) => {
                if let Some((name, value)) = primitive(vr, p) {
                    attribute.insert(name.to_owned(), value);
                }
            }
            Value::Sequence(seq) => {
                let items: Vec<Json> = seq
                    .items()
                    .iter()
                    .map(|item| Json::Object(attributes(item)))
                    .collect();
                if !items.is_empty() {
                    attribute.insert("Value".to_owned(), Json::Array(items));
                }
            }
            // Encapsulated data other than the pixel data (which the scan kept apart): its
            // fragments joined, as binary.
            Value::PixelSequence(seq) => {
                let bytes: Vec<u8> = seq.fragments().iter().flatten().copied().collect();
                attribute.insert(
                    "InlineBinary".to_owned(),
                    Json::String(STANDARD.encode(bytes)),
                );
            }
        }
        out.insert(key(tag), Json::Object(attribute));
    }
    out
}

/// A value's member: `("Value", [...])` or `("InlineBinary", "...")`; `None` when empty.
fn primitive(vr: VR, value: &PrimitiveValue) -> Option<(&'static str, Json)> {
    if value.multiplicity() == 0 {
        return None;
    }
    match vr {
        VR::OB | VR::OD | VR::OF | VR::OL | VR::OV | VR::OW | VR::UN => {
            let bytes = value.to_bytes();
            return (!bytes.is_empty())
                .then(|| ("InlineBinary", Json::String(STANDARD.encode(bytes))));
        }
        _ => {}
    }
    let values: Vec<Json> = match (vr, value) {
        (VR::AT, PrimitiveValue::Tags(tags)) => {
            tags.iter().map(|t| Json::String(key(*t))).collect()
        }
        (VR::PN, _) => strings(value).map(person_name).collect(),
        (VR::DS | VR::FL | VR::FD, _) => strings(value).map(|s| decimal(&s)).collect(),
        (VR::IS | VR::SL | VR::SS | VR::SV | VR::UL | VR::US | VR::UV, _) => {
            strings(value).map(|s| integer(&s)).collect()
        }
        _ => strings(value).map(Json::String).collect(),
    };
    if values.is_empty() || values.iter().all(Json::is_null) {
        return None;
    }
    Some(("Value", Json::Array(values)))
}

/// Each value as text, without the padding DICOM adds (trailing spaces, a trailing NUL in UIDs).
fn strings(value: &PrimitiveValue) -> impl Iterator<Item = String> + '_ {
    value
        .to_multi_str()
        .iter()
        .map(|s| s.trim_end_matches([' ', '\0']).to_owned())
        .collect::<Vec<_>>()
        .into_iter()
}

/// A person name's component groups (PS3.18 §F.2.2): alphabetic, ideographic, phonetic; an empty
/// value is `null`, as the model writes it.
fn person_name(name: String) -> Json {
    if name.is_empty() {
        return Json::Null;
    }
    let mut groups = Map::new();
    for (label, group) in ["Alphabetic", "Ideographic", "Phonetic"]
        .into_iter()
        .zip(name.split('='))
    {
        if !group.is_empty() {
            groups.insert(label.to_owned(), Json::String(group.to_owned()));
        }
    }
    Json::Object(groups)
}

/// A decimal string or float as a JSON number; text that is not one stays text (nothing is lost),
/// and an empty value is `null`.
fn decimal(text: &str) -> Json {
    let text = text.trim();
    if text.is_empty() {
        return Json::Null;
    }
    match text.parse::<f64>() {
        Ok(n) if n.is_finite() => {
            if n.fract() == 0.0 && n.abs() < 9.0e15 {
                json!(n as i64)
            } else {
                json!(n)
            }
        }
        _ => Json::String(text.to_owned()),
    }
}

/// An integer string or binary integer as a JSON number (text that is not one stays text).
fn integer(text: &str) -> Json {
    let text = text.trim().trim_start_matches('+');
    if text.is_empty() {
        return Json::Null;
    }
    if let Ok(n) = text.parse::<i64>() {
        return json!(n);
    }
    if let Ok(n) = text.parse::<u64>() {
        return json!(n);
    }
    Json::String(text.to_owned())
}

#[cfg(test)]
mod tests {
    use dicom_core::{DataElement, PrimitiveValue, dicom_value};
    use dicom_dictionary_std::tags;

    use super::*;

    #[test]
    fn values_take_the_models_json_types() {
        let mut object = InMemDicomObject::new_empty();
        object.put(DataElement::new(
            tags::PATIENT_NAME,
            VR::PN,
            PrimitiveValue::from("Doe^John=山田^太郎"),
        ));
        object.put(DataElement::new(
            tags::STUDY_INSTANCE_UID,
            VR::UI,
            PrimitiveValue::from("1.2.3\0"),
        ));
        object.put(DataElement::new(
            tags::PIXEL_SPACING,
            VR::DS,
            dicom_value!(Strs, ["0.5 ", "2"]),
        ));
        object.put(DataElement::new(
            tags::ROWS,
            VR::US,
            PrimitiveValue::from(512_u16),
        ));
        object.put(DataElement::new(
            tags::ACCESSION_NUMBER,
            VR::SH,
            PrimitiveValue::Empty,
        ));
        object.put(DataElement::new(
            tags::FRAME_INCREMENT_POINTER,
            VR::AT,
            PrimitiveValue::Tags([tags::FRAME_TIME].into_iter().collect()),
        ));
        let json = Json::Object(attributes(&object));
        assert_eq!(
            json["00100010"],
            json!({"vr": "PN", "Value": [{"Alphabetic": "Doe^John", "Ideographic": "山田^太郎"}]})
        );
        assert_eq!(json["0020000D"]["Value"], json!(["1.2.3"]));
        assert_eq!(json["00280030"]["Value"], json!([0.5, 2]));
        assert_eq!(json["00280010"]["Value"], json!([512]));
        assert_eq!(json["00080050"], json!({"vr": "SH"}));
        assert_eq!(json["00280009"]["Value"], json!(["00181063"]));
    }
}
