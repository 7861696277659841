//! The [`PixelCodec`] port: what DICOMweb reads out of a stored instance beyond the index — its data
//! set in the DICOM JSON model, its frames as stored or decoded, and a frame rendered as PNG or JPEG
//! with a viewport and a window.

use std::io::{Cursor, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};

use dicom_core::value::Value;
use dicom_dictionary_std::tags;
use dicom_object::DefaultDicomObject;
use dicom_pixeldata::{
    ConvertOptions, PhotometricInterpretation, PixelDecoder, VoiLutOption, WindowLevel,
};
use dicom_transfer_syntax_registry::{TransferSyntaxIndex, TransferSyntaxRegistry};
use domain::clinic::imaging::ThumbnailRefusal;
use domain::clinic::imaging::dicom::Uid;
use domain::clinic::imaging::pixels::{
    DicomJson, EXPLICIT_VR_LITTLE_ENDIAN, Frame, FrameSyntax, ImageFormat, PixelCodec,
    PixelRefusal, RenderRequest,
};
use image::DynamicImage;
use image::imageops::FilterType;

use crate::scan::{self, Keep};
use crate::thumbnail::{MAX_PIXELS, THUMBNAIL_FILE_MAX};
use crate::{DicomRsCodec, json, palette, parse};

fn unreadable(detail: impl Into<String>) -> PixelRefusal {
    PixelRefusal::Unreadable {
        detail: detail.into(),
    }
}

fn unsupported(detail: impl Into<String>) -> PixelRefusal {
    PixelRefusal::Unsupported {
        detail: detail.into(),
    }
}

fn uid(raw: &str) -> Uid {
    Uid::from_stored(raw.to_owned())
}

/// A file read whole and parsed, pixel data included: what frames and renderings need.
struct Loaded {
    object: DefaultDicomObject,
    transfer_syntax: String,
    frames: u32,
}

fn load(file: &mut dyn Read, size: u64) -> Result<Loaded, PixelRefusal> {
    if size > THUMBNAIL_FILE_MAX {
        return Err(unsupported(format!(
            "a file of {size} bytes is larger than the {THUMBNAIL_FILE_MAX} bytes read here"
        )));
    }
    let checked = scan::check(file, size, Keep::All).map_err(|r| unreadable(r.to_string()))?;
    let Some(pixels) = &checked.pixels else {
        return Err(PixelRefusal::NoPixels);
    };
    if pixels.tag != tags::PIXEL_DATA {
        return Err(unsupported(format!(
            "{} (float pixel data) is not served here",
            pixels.tag
        )));
    }
    let transfer_syntax = checked.transfer_syntax.clone();
    let object = parse(&checked.bytes).map_err(|r| unreadable(r.to_string()))?;
    drop(checked);
    let int = |tag| {
        object
            .get(tag)
            .and_then(|e| e.to_int::<u32>().ok())
            .unwrap_or(0)
    };
    let (rows, columns) = (u64::from(int(tags::ROWS)), u64::from(int(tags::COLUMNS)));
    if rows * columns > MAX_PIXELS {
        return Err(unsupported(format!(
            "an image of {columns}×{rows} pixels is larger than the {MAX_PIXELS} pixels served here"
        )));
    }
    let frames = object
        .get(tags::NUMBER_OF_FRAMES)
        .and_then(|e| e.to_str().ok())
        .and_then(|s| s.trim().parse::<u32>().ok())
        .unwrap_or(1)
        .max(1);
    Ok(Loaded {
        object,
        transfer_syntax,
        frames,
    })
}

/// 1-based `number` checked against the frame count.
fn check_frame(number: u32, frames: u32) -> Result<u32, PixelRefusal> {
    if number == 0 || number > frames {
        return Err(PixelRefusal::NoSuchFrame { frames });
    }
    Ok(number - 1)
}

/// The compressed frames of encapsulated pixel data, each its fragments joined: one fragment per
/// frame, or grouped by the basic offset table, or all of them for a single frame.
fn stored_frames(
    fragments: &[Vec<u8>],
    offsets: &[u32],
    frames: u32,
) -> Result<Vec<Vec<u8>>, PixelRefusal> {
    let frames = frames as usize;
    if frames == 1 {
        return Ok(vec![fragments.concat()]);
    }
    if fragments.len() == frames {
        return Ok(fragments.to_vec());
    }
    if offsets.len() != frames {
        return Err(unsupported(
            "the frames' fragments cannot be told apart (no basic offset table)",
        ));
    }
    // Each fragment's position in the item stream: 8 bytes of item header before its bytes.
    let mut starts = Vec::with_capacity(fragments.len());
    let mut at = 0u64;
    for fragment in fragments {
        starts.push(at);
        at += 8 + fragment.len() as u64;
    }
    let mut out = Vec::with_capacity(frames);
    for (i, offset) in offsets.iter().enumerate() {
        let end = offsets.get(i + 1).map_or(u64::MAX, |o| u64::from(*o));
        let frame: Vec<u8> = fragments
            .iter()
            .zip(&starts)
            .filter(|(_, start)| **start >= u64::from(*offset) && **start < end)
            .flat_map(|(f, _)| f.iter().copied())
            .collect();
        out.push(frame);
    }
    Ok(out)
}

/// Decodes frame `index` (0-based), catching a decoder's panic on malformed bytes.
fn decoded(object: &DefaultDicomObject, index: u32) -> Result<Vec<u8>, PixelRefusal> {
    catch_unwind(AssertUnwindSafe(|| {
        object
            .decode_pixel_data_frame(index)
            .map(dicom_pixeldata::DecodedPixelData::into_data)
            .map_err(|e| unreadable(format!("decoding frame {}: {e}", index + 1)))
    }))
    .map_err(|_| unreadable("the decoder failed on this file's pixel data"))?
}

/// Frames of uncompressed little-endian pixel data, as stored and as decoded alike: slices of the
/// value, with no decoder (which would copy and convert the whole image). `None` where the layout
/// needs one (bits not in whole bytes, a value shorter than its frames).
fn native_frames(
    loaded: &Loaded,
    pixel_data: &dicom_object::mem::InMemElement,
    numbers: &[u32],
    indexes: &[u32],
) -> Option<Vec<Frame>> {
    let little_endian = matches!(
        loaded.transfer_syntax.as_str(),
        "1.2.840.10008.1.2" | "1.2.840.10008.1.2.1"
    );
    let Value::Primitive(value) = pixel_data.value() else {
        return None;
    };
    if !little_endian {
        return None;
    }
    let int = |tag| loaded.object.get(tag).and_then(|e| e.to_int::<u64>().ok());
    let bits = int(tags::BITS_ALLOCATED)?;
    if bits == 0 || bits % 8 != 0 {
        return None;
    }
    let size =
        int(tags::ROWS)? * int(tags::COLUMNS)? * int(tags::SAMPLES_PER_PIXEL).unwrap_or(1) * bits
            / 8;
    let bytes = value.to_bytes();
    let size = usize::try_from(size).ok()?;
    numbers
        .iter()
        .zip(indexes)
        .map(|(number, index)| {
            let start = size.checked_mul(*index as usize)?;
            Some(Frame {
                number: *number,
                transfer_syntax: uid(EXPLICIT_VR_LITTLE_ENDIAN),
                bytes: bytes.get(start..start.checked_add(size)?)?.to_vec(),
            })
        })
        .collect()
}

fn frames(
    loaded: &Loaded,
    numbers: &[u32],
    syntax: FrameSyntax,
) -> Result<Vec<Frame>, PixelRefusal> {
    let indexes: Vec<u32> = numbers
        .iter()
        .map(|n| check_frame(*n, loaded.frames))
        .collect::<Result<_, _>>()?;
    let pixel_data = loaded
        .object
        .get(tags::PIXEL_DATA)
        .ok_or(PixelRefusal::NoPixels)?;
    if let (Value::PixelSequence(seq), FrameSyntax::AsStored) = (pixel_data.value(), syntax) {
        let stored = stored_frames(seq.fragments(), seq.offset_table(), loaded.frames)?;
        return Ok(numbers
            .iter()
            .zip(indexes)
            .map(|(number, index)| Frame {
                number: *number,
                transfer_syntax: uid(&loaded.transfer_syntax),
                bytes: stored.get(index as usize).cloned().unwrap_or_default(),
            })
            .collect());
    }
    if let Some(frames) = native_frames(loaded, pixel_data, numbers, &indexes) {
        return Ok(frames);
    }
    let decodable = TransferSyntaxRegistry
        .get(&loaded.transfer_syntax)
        .is_some_and(|ts| ts.can_decode_all());
    if !decodable {
        return Err(unsupported(format!(
            "frames in {} cannot be decoded here",
            loaded.transfer_syntax
        )));
    }
    numbers
        .iter()
        .zip(indexes)
        .map(|(number, index)| {
            Ok(Frame {
                number: *number,
                transfer_syntax: uid(EXPLICIT_VR_LITTLE_ENDIAN),
                bytes: decoded(&loaded.object, index)?,
            })
        })
        .collect()
}

fn render(loaded: &Loaded, request: &RenderRequest) -> Result<Vec<u8>, PixelRefusal> {
    let index = check_frame(request.frame, loaded.frames)?;
    if !TransferSyntaxRegistry
        .get(&loaded.transfer_syntax)
        .is_some_and(|ts| ts.can_decode_all())
    {
        return Err(unsupported(format!(
            "{} cannot be decoded here",
            loaded.transfer_syntax
        )));
    }
    let object = &loaded.object;
    let image = catch_unwind(AssertUnwindSafe(
        || -> Result<DynamicImage, PixelRefusal> {
            let decoded = object
                .decode_pixel_data_frame(index)
                .map_err(|e| unreadable(format!("decoding frame {}: {e}", request.frame)))?;
            let mut options = ConvertOptions::new().force_8bit();
            if let Some(window) = request.window {
                options = options.with_voi_lut(VoiLutOption::Custom(WindowLevel {
                    center: window.center,
                    width: window.width,
                }));
            }
            match decoded.photometric_interpretation() {
                PhotometricInterpretation::PaletteColor => palette::to_rgb(object, &decoded)
                    .map_err(|refusal| match refusal {
                        ThumbnailRefusal::NoPixels => PixelRefusal::NoPixels,
                        ThumbnailRefusal::Unsupported { detail } => unsupported(detail),
                        ThumbnailRefusal::Unreadable { detail } => unreadable(detail),
                    }),
                PhotometricInterpretation::Monochrome1
                | PhotometricInterpretation::Monochrome2
                | PhotometricInterpretation::Rgb
                | PhotometricInterpretation::YbrFull
                | PhotometricInterpretation::YbrFull422 => decoded
                    .to_dynamic_image_with_options(0, &options)
                    .map_err(|e| {
                        unsupported(format!("frame {} cannot be drawn: {e}", request.frame))
                    }),
                other => Err(unsupported(format!(
                    "the photometric interpretation {other} cannot be drawn here"
                ))),
            }
        },
    ))
    .map_err(|_| unreadable("the decoder failed on this file's pixel data"))??;
    let image = fit(image, request.viewport);
    encode(image, request.format)
}

/// Fitted inside the viewport, aspect ratio kept, never scaled up.
fn fit(image: DynamicImage, viewport: Option<(u32, u32)>) -> DynamicImage {
    match viewport {
        Some((w, h)) if w > 0 && h > 0 && (image.width() > w || image.height() > h) => {
            image.resize(w, h, FilterType::Triangle)
        }
        _ => image,
    }
}

fn encode(image: DynamicImage, format: ImageFormat) -> Result<Vec<u8>, PixelRefusal> {
    let colour = image.color().has_color();
    match format {
        ImageFormat::Png => {
            let image = if colour {
                DynamicImage::ImageRgb8(image.to_rgb8())
            } else {
                DynamicImage::ImageLuma8(image.to_luma8())
            };
            let mut png = Vec::new();
            image
                .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
                .map_err(|e| unreadable(format!("encoding the PNG: {e}")))?;
            Ok(png)
        }
        ImageFormat::Jpeg { quality } => {
            let mut out = Vec::new();
            let encoder = jpeg_encoder::Encoder::new(&mut out, quality.clamp(1, 100));
            let (width, height) = (
                u16::try_from(image.width()).map_err(|_| unsupported("wider than JPEG allows"))?,
                u16::try_from(image.height())
                    .map_err(|_| unsupported("taller than JPEG allows"))?,
            );
            let written = if colour {
                encoder.encode(
                    &image.to_rgb8(),
                    width,
                    height,
                    jpeg_encoder::ColorType::Rgb,
                )
            } else {
                encoder.encode(
                    &image.to_luma8(),
                    width,
                    height,
                    jpeg_encoder::ColorType::Luma,
                )
            };
            written.map_err(|e| unreadable(format!("encoding the JPEG: {e}")))?;
            Ok(out)
        }
    }
}

impl PixelCodec for DicomRsCodec {
    fn metadata(
        &self,
        file: &mut dyn Read,
        size: u64,
        bulk_base: &str,
    ) -> Result<DicomJson, PixelRefusal> {
        let checked =
            scan::check(file, size, Keep::UntilPixels).map_err(|r| unreadable(r.to_string()))?;
        let object = parse(&checked.bytes).map_err(|r| unreadable(r.to_string()))?;
        let set = json::data_set(&object, checked.pixels.as_ref(), bulk_base);
        serde_json::to_string(&set)
            .map(DicomJson)
            .map_err(|e| unreadable(format!("writing the DICOM JSON: {e}")))
    }

    fn frames(
        &self,
        file: &mut dyn Read,
        size: u64,
        numbers: &[u32],
        syntax: FrameSyntax,
    ) -> Result<Vec<Frame>, PixelRefusal> {
        let loaded = load(file, size)?;
        frames(&loaded, numbers, syntax)
    }

    fn render(
        &self,
        file: &mut dyn Read,
        size: u64,
        request: &RenderRequest,
    ) -> Result<Vec<u8>, PixelRefusal> {
        let loaded = load(file, size)?;
        render(&loaded, request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_group_into_frames() {
        let f = |n: u8, len: usize| vec![n; len];
        // One fragment per frame.
        let one_each = stored_frames(&[f(1, 4), f(2, 6)], &[], 2).unwrap();
        assert_eq!(one_each, vec![f(1, 4), f(2, 6)]);
        // Two fragments for the first frame, by the offset table (8 bytes of header each).
        let grouped = stored_frames(&[f(1, 4), f(1, 2), f(2, 6)], &[0, 22], 2).unwrap();
        assert_eq!(grouped, vec![[f(1, 4), f(1, 2)].concat(), f(2, 6)]);
        // A single frame joins every fragment.
        assert_eq!(
            stored_frames(&[f(1, 2), f(3, 2)], &[], 1).unwrap(),
            vec![vec![1, 1, 3, 3]]
        );
        assert!(matches!(
            stored_frames(&[f(1, 2), f(1, 2), f(2, 2)], &[], 2),
            Err(PixelRefusal::Unsupported { .. })
        ));
    }

    #[test]
    fn frame_numbers_start_at_one() {
        assert_eq!(check_frame(1, 3), Ok(0));
        assert_eq!(check_frame(3, 3), Ok(2));
        assert_eq!(
            check_frame(0, 3),
            Err(PixelRefusal::NoSuchFrame { frames: 3 })
        );
        assert_eq!(
            check_frame(4, 3),
            Err(PixelRefusal::NoSuchFrame { frames: 3 })
        );
    }
}
