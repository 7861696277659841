//! Thumbnails: the first frame decoded, windowed, scaled down and encoded as PNG.

use std::io::{Cursor, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};

use dicom_dictionary_std::tags;
use dicom_object::DefaultDicomObject;
use dicom_pixeldata::{ConvertOptions, PhotometricInterpretation, PixelDecoder};
use dicom_transfer_syntax_registry::{TransferSyntaxIndex, TransferSyntaxRegistry};
use domain::clinic::imaging::ThumbnailRefusal;
use domain::clinic::imaging::dicom::{THUMBNAIL_MAX, THUMBNAIL_MIN};
use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat};

use crate::scan::{self, Keep};
use crate::{palette, parse};

/// The largest file drawn: decoding holds the whole file in memory.
pub const THUMBNAIL_FILE_MAX: u64 = 1 << 30;
/// The largest first frame drawn (rows × columns), so that a header cannot make the decoder
/// allocate gigabytes: 50 megapixels is above any modality's single image.
pub const MAX_PIXELS: u64 = 50_000_000;

pub(crate) fn draw(
    file: &mut dyn Read,
    size: u64,
    max_side: u32,
) -> Result<Vec<u8>, ThumbnailRefusal> {
    if size > THUMBNAIL_FILE_MAX {
        return Err(ThumbnailRefusal::Unsupported {
            detail: format!(
                "a file of {size} bytes is larger than the {THUMBNAIL_FILE_MAX} bytes drawn here"
            ),
        });
    }
    let checked = scan::check(file, size, Keep::All).map_err(|r| unreadable(r.to_string()))?;
    let Some(pixels) = &checked.pixels else {
        return Err(ThumbnailRefusal::NoPixels);
    };
    if pixels.tag != tags::PIXEL_DATA {
        return Err(unsupported(format!(
            "{} (float pixel data) cannot be drawn here",
            pixels.tag
        )));
    }
    let Some(ts) = TransferSyntaxRegistry.get(&checked.transfer_syntax) else {
        return Err(unsupported(format!(
            "the transfer syntax {} is not known here",
            checked.transfer_syntax
        )));
    };
    if !ts.can_decode_all() {
        return Err(unsupported(format!("{} cannot be decoded here", ts.name())));
    }
    let object = parse(&checked.bytes).map_err(|r| unreadable(r.to_string()))?;
    drop(checked);
    let rows = u64::from(
        object
            .get(tags::ROWS)
            .and_then(|e| e.to_int::<u32>().ok())
            .unwrap_or(0),
    );
    let columns = u64::from(
        object
            .get(tags::COLUMNS)
            .and_then(|e| e.to_int::<u32>().ok())
            .unwrap_or(0),
    );
    if rows * columns > MAX_PIXELS {
        return Err(unsupported(format!(
            "an image of {columns}×{rows} pixels is larger than the {MAX_PIXELS} pixels drawn here"
        )));
    }
    // The decoders are third-party code fed bytes from outside: a panic in one of them on a
    // malformed stream must become a refusal, not take the request's thread down.
    let image = catch_unwind(AssertUnwindSafe(|| first_frame(&object)))
        .map_err(|_| unreadable("the decoder failed on this file's pixel data".to_owned()))??;
    encode(scale(image, max_side))
}

fn first_frame(object: &DefaultDicomObject) -> Result<DynamicImage, ThumbnailRefusal> {
    let decoded = object
        .decode_pixel_data_frame(0)
        .map_err(|e| unreadable(format!("decoding the first frame: {e}")))?;
    match decoded.photometric_interpretation() {
        PhotometricInterpretation::Monochrome1
        | PhotometricInterpretation::Monochrome2
        | PhotometricInterpretation::Rgb
        | PhotometricInterpretation::YbrFull
        | PhotometricInterpretation::YbrFull422 => decoded
            .to_dynamic_image_with_options(0, &ConvertOptions::new().force_8bit())
            .map_err(|e| unsupported(format!("the first frame cannot be drawn: {e}"))),
        PhotometricInterpretation::PaletteColor => palette::to_rgb(object, &decoded),
        other => Err(unsupported(format!(
            "the photometric interpretation {other} cannot be drawn here"
        ))),
    }
}

/// Scaled down so that the long side is at most `max_side` (clamped to the port's bounds),
/// keeping the aspect ratio; never scaled up.
fn scale(image: DynamicImage, max_side: u32) -> DynamicImage {
    let side = max_side.clamp(THUMBNAIL_MIN, THUMBNAIL_MAX);
    if image.width().max(image.height()) <= side {
        return image;
    }
    image.resize(side, side, FilterType::Triangle)
}

fn encode(image: DynamicImage) -> Result<Vec<u8>, ThumbnailRefusal> {
    let image = if image.color().has_color() {
        DynamicImage::ImageRgb8(image.to_rgb8())
    } else {
        DynamicImage::ImageLuma8(image.to_luma8())
    };
    let mut png = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .map_err(|e| unreadable(format!("encoding the PNG: {e}")))?;
    Ok(png)
}

pub(crate) fn unsupported(detail: String) -> ThumbnailRefusal {
    ThumbnailRefusal::Unsupported { detail }
}

pub(crate) fn unreadable(detail: String) -> ThumbnailRefusal {
    ThumbnailRefusal::Unreadable { detail }
}
