//! Every element of a file as the metadata route shows it.

use dicom_core::dictionary::{DataDictionary, DataDictionaryEntry};
use dicom_core::value::{PrimitiveValue, Value};
use dicom_core::{Tag, VR};
use dicom_dictionary_std::StandardDataDictionary;
use dicom_object::{DefaultDicomObject, InMemDicomObject};
use domain::clinic::imaging::DumpEntry;

use crate::scan::PixelData;

/// Long text is cut here (in characters), as the port's contract says.
const TEXT_MAX: usize = 256;

pub(crate) fn entries(object: &DefaultDicomObject, pixels: Option<&PixelData>) -> Vec<DumpEntry> {
    let mut out = Vec::new();
    for element in object.meta().to_element_iter() {
        let value = match element.value() {
            Value::Primitive(p) => primitive(element.vr(), p),
            _ => String::new(),
        };
        out.push(entry(element.header().tag, element.vr(), value, 0));
    }
    data_set(object, 0, &mut out);
    if let Some(pixels) = pixels {
        let value = match (pixels.length, pixels.fragments) {
            (Some(len), _) => format!("<pixel data {len} bytes>"),
            (None, Some((count, bytes))) => {
                format!("<encapsulated pixel data: {count} fragments, {bytes} bytes>")
            }
            (None, None) => "<pixel data>".to_owned(),
        };
        out.push(entry(pixels.tag, pixels.vr, value, 0));
    }
    out
}

fn data_set(object: &InMemDicomObject, depth: u8, out: &mut Vec<DumpEntry>) {
    for element in object.iter() {
        let tag = element.header().tag;
        match element.value() {
            Value::Primitive(p) => {
                out.push(entry(tag, element.vr(), primitive(element.vr(), p), depth))
            }
            Value::Sequence(seq) => {
                let items = seq.items();
                out.push(entry(
                    tag,
                    VR::SQ,
                    format!("<sequence of {} items>", items.len()),
                    depth,
                ));
                let inner = depth.saturating_add(1);
                for (n, item) in items.iter().enumerate() {
                    // An item marker, so that consecutive items stay apart in a flat list.
                    out.push(DumpEntry {
                        tag: Tag(0xFFFE, 0xE000).to_string(),
                        keyword: Some("Item".to_owned()),
                        vr: String::new(),
                        value: format!("item {} of {}", n + 1, items.len()),
                        depth: inner,
                    });
                    data_set(item, inner, out);
                }
            }
            Value::PixelSequence(seq) => {
                let bytes: usize = seq.fragments().iter().map(Vec::len).sum();
                let value = format!(
                    "<encapsulated pixel data: {} fragments, {bytes} bytes>",
                    seq.fragments().len()
                );
                out.push(entry(tag, element.vr(), value, depth));
            }
        }
    }
}

fn entry(tag: Tag, vr: VR, value: String, depth: u8) -> DumpEntry {
    DumpEntry {
        tag: tag.to_string(),
        keyword: keyword(tag),
        vr: vr.to_string().to_owned(),
        value,
        depth,
    }
}

/// The standard dictionary's keyword; none for private tags (odd groups).
fn keyword(tag: Tag) -> Option<String> {
    if tag.0 % 2 == 1 {
        return None;
    }
    StandardDataDictionary
        .by_tag(tag)
        .map(|entry| entry.alias().to_owned())
        .filter(|alias| !alias.is_empty())
}

fn primitive(vr: VR, value: &PrimitiveValue) -> String {
    if matches!(
        vr,
        VR::OB | VR::OD | VR::OF | VR::OL | VR::OV | VR::OW | VR::UN
    ) {
        return format!("<binary {} bytes>", value.calculate_byte_len());
    }
    let text = value.to_str();
    let text = text.trim_end_matches([' ', '\0']);
    match text.char_indices().nth(TEXT_MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}
