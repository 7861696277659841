//! Palette colour (PS3.3 C.7.6.3.1.5): dicom-pixeldata draws indices as grey, so the three
//! lookup tables are applied here.

use dicom_core::Tag;
use dicom_core::value::PrimitiveValue;
use dicom_dictionary_std::tags;
use dicom_object::DefaultDicomObject;
use dicom_pixeldata::DecodedPixelData;
use domain::clinic::imaging::ThumbnailRefusal;
use image::{DynamicImage, ImageBuffer, Rgb};

use crate::thumbnail::{unreadable, unsupported};

/// One channel's table: the first index it maps, and 8-bit entries.
struct Lut {
    first: i64,
    entries: Vec<u8>,
}

impl Lut {
    /// Indices below the first map to the first entry, above the last to the last (PS3.3).
    fn get(&self, index: u16) -> u8 {
        let last = self.entries.len().saturating_sub(1);
        let at = (i64::from(index) - self.first).clamp(0, last as i64) as usize;
        self.entries.get(at).copied().unwrap_or(0)
    }
}

pub(crate) fn to_rgb(
    object: &DefaultDicomObject,
    decoded: &DecodedPixelData<'_>,
) -> Result<DynamicImage, ThumbnailRefusal> {
    if object
        .get(tags::SEGMENTED_RED_PALETTE_COLOR_LOOKUP_TABLE_DATA)
        .is_some()
    {
        return Err(unsupported(
            "segmented palette colour lookup tables cannot be drawn here".to_owned(),
        ));
    }
    let red = lut(
        object,
        tags::RED_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
        tags::RED_PALETTE_COLOR_LOOKUP_TABLE_DATA,
    )?;
    let green = lut(
        object,
        tags::GREEN_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
        tags::GREEN_PALETTE_COLOR_LOOKUP_TABLE_DATA,
    )?;
    let blue = lut(
        object,
        tags::BLUE_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
        tags::BLUE_PALETTE_COLOR_LOOKUP_TABLE_DATA,
    )?;
    let indices: Vec<u16> = match decoded.bits_allocated() {
        8 => decoded
            .frame_data(0)
            .map_err(|e| unreadable(e.to_string()))?
            .iter()
            .map(|&i| u16::from(i))
            .collect(),
        16 => decoded
            .frame_data_ow(0)
            .map_err(|e| unreadable(e.to_string()))?,
        bits => {
            return Err(unsupported(format!(
                "palette colour with {bits} bits allocated cannot be drawn here"
            )));
        }
    };
    let rgb: Vec<u8> = indices
        .iter()
        .flat_map(|&i| [red.get(i), green.get(i), blue.get(i)])
        .collect();
    ImageBuffer::<Rgb<u8>, _>::from_raw(decoded.columns(), decoded.rows(), rgb)
        .map(DynamicImage::ImageRgb8)
        .ok_or_else(|| unreadable("the first frame holds fewer pixels than its size".to_owned()))
}

fn lut(object: &DefaultDicomObject, descriptor: Tag, data: Tag) -> Result<Lut, ThumbnailRefusal> {
    let missing = |tag: Tag| unsupported(format!("palette colour without {tag}"));
    let values = object
        .get(descriptor)
        .and_then(|e| e.value().to_multi_int::<i64>().ok())
        .ok_or_else(|| missing(descriptor))?;
    let [count, first, bits] = values[..] else {
        return Err(unsupported(format!(
            "{descriptor} does not hold three values"
        )));
    };
    // A count of 0 means 65536 entries; a descriptor read as SS makes it negative.
    let count = match count {
        0 => 65536,
        n if n < 0 => n + 65536,
        n => n,
    } as usize;
    let words: Vec<u16> = match object
        .get(data)
        .and_then(|e| e.value().primitive())
        .ok_or_else(|| missing(data))?
    {
        PrimitiveValue::U16(words) => words.to_vec(),
        PrimitiveValue::U8(bytes) => bytes
            .chunks(2)
            .map(|pair| u16::from_le_bytes([pair[0], pair.get(1).copied().unwrap_or(0)]))
            .collect(),
        other => other
            .to_multi_int::<u16>()
            .map_err(|e| unsupported(format!("{data}: {e}")))?,
    };
    let entries: Vec<u8> = match bits {
        16 => words.iter().map(|w| (w >> 8) as u8).collect(),
        // 8-bit entries come either one per 16-bit word or packed two per word.
        8 if words.len() >= count => words.iter().map(|w| (*w).min(255) as u8).collect(),
        8 => words.iter().flat_map(|w| w.to_le_bytes()).collect(),
        other => {
            return Err(unsupported(format!(
                "palette entries of {other} bits cannot be drawn here"
            )));
        }
    };
    if entries.is_empty() {
        return Err(unsupported(format!("{data} is empty")));
    }
    Ok(Lut { first, entries })
}
