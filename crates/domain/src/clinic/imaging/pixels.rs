//! What DICOMweb (PS3.18) reads out of a stored instance beyond the index: its whole data set in
//! the DICOM JSON model, its frames, and images rendered from them; and the port that reads them.
//!
//! Like [`DicomCodec`](super::DicomCodec), the port reads a Part 10 file as a stream with its size
//! and never panics or allocates past the bytes the file holds.

use std::io::Read;

use super::dicom::Uid;

/// Explicit VR Little Endian, the syntax frames are decoded into when the stored one is not
/// wanted.
pub const EXPLICIT_VR_LITTLE_ENDIAN: &str = "1.2.840.10008.1.2.1";

/// One instance's data set in the DICOM JSON model (PS3.18 §F.2): a serialized JSON object whose
/// keys are tags (`"00100010"`), each with its `vr` and `Value` (`PersonName` values as
/// `{"Alphabetic": …}`), binary values as `InlineBinary` (base64), except pixel data, which is a
/// `BulkDataURI`. The file meta group (0002,xxxx) is not included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DicomJson(pub String);

/// How frames are wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameSyntax {
    /// The bytes as stored: uncompressed frames as they are (byte-swapped to little endian when
    /// the file is big endian), a compressed frame's fragments joined.
    AsStored,
    /// Decoded to uncompressed little-endian pixels ([`EXPLICIT_VR_LITTLE_ENDIAN`]).
    Decoded,
}

/// One frame's bytes and the transfer syntax they are in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// 1-based, as PS3.18 numbers frames.
    pub number: u32,
    pub transfer_syntax: Uid,
    pub bytes: Vec<u8>,
}

/// The media type PS3.18 §8.7.3 gives a frame in `syntax`: `application/octet-stream` for
/// uncompressed syntaxes, the image type of a compressed one; `None` for a syntax with no
/// single-frame media type.
pub fn frame_media_type(syntax: &str) -> Option<&'static str> {
    Some(match syntax {
        "1.2.840.10008.1.2" | "1.2.840.10008.1.2.1" | "1.2.840.10008.1.2.2" => {
            "application/octet-stream"
        }
        "1.2.840.10008.1.2.5" => "image/dicom-rle",
        "1.2.840.10008.1.2.4.50"
        | "1.2.840.10008.1.2.4.51"
        | "1.2.840.10008.1.2.4.57"
        | "1.2.840.10008.1.2.4.70" => "image/jpeg",
        "1.2.840.10008.1.2.4.80" | "1.2.840.10008.1.2.4.81" => "image/jls",
        "1.2.840.10008.1.2.4.90" | "1.2.840.10008.1.2.4.91" => "image/jp2",
        "1.2.840.10008.1.2.4.92" | "1.2.840.10008.1.2.4.93" => "image/jpx",
        _ => return None,
    })
}

/// The image formats `/rendered` and `/thumbnail` answer in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Png,
    /// Quality 1–100.
    Jpeg {
        quality: u8,
    },
}

/// A VOI window given by the client (`window=center,width,function`; only `linear` is taken).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    pub center: f64,
    pub width: f64,
}

/// What to render: one frame, fitted inside a viewport (aspect ratio kept, never scaled up;
/// `None` keeps the frame's size), windowed as asked or as the file says.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RenderRequest {
    /// 1-based.
    pub frame: u32,
    pub viewport: Option<(u32, u32)>,
    pub window: Option<Window>,
    pub format: ImageFormat,
}

/// Why frames or a rendered image cannot be given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PixelRefusal {
    /// The instance holds no pixel data.
    NoPixels,
    /// A frame number outside `1..=frames`.
    NoSuchFrame { frames: u32 },
    /// The pixels cannot be given in the form asked (a compressed syntax without a decoder here,
    /// a photometric interpretation not handled); `detail` names it.
    Unsupported { detail: String },
    /// The file could not be read again.
    Unreadable { detail: String },
}

/// Reads, for DICOMweb, what the index does not keep.
///
/// Contract (`file` reads the whole Part 10 file from its start; `size` is its length):
/// - `metadata` answers the data set as [`DicomJson`]; pixel data (and float pixel data) become
///   `{"vr": …, "BulkDataURI": "<bulk_base>/7FE00010"}` (the tag as written in the file);
/// - `frames` answers the frames asked for, in the order asked (a number may repeat), or
///   [`PixelRefusal::NoSuchFrame`] if any is out of range;
/// - `render` answers a PNG or JPEG of one frame (greyscale windowed as [`RenderRequest`] says, or
///   as the thumbnail does; colour converted to RGB).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait PixelCodec: Send + Sync {
    fn metadata(
        &self,
        file: &mut dyn Read,
        size: u64,
        bulk_base: &str,
    ) -> Result<DicomJson, PixelRefusal>;
    fn frames(
        &self,
        file: &mut dyn Read,
        size: u64,
        numbers: &[u32],
        syntax: FrameSyntax,
    ) -> Result<Vec<Frame>, PixelRefusal>;
    fn render(
        &self,
        file: &mut dyn Read,
        size: u64,
        request: &RenderRequest,
    ) -> Result<Vec<u8>, PixelRefusal>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_have_the_media_type_of_their_syntax() {
        assert_eq!(
            frame_media_type(EXPLICIT_VR_LITTLE_ENDIAN),
            Some("application/octet-stream")
        );
        assert_eq!(
            frame_media_type("1.2.840.10008.1.2.4.50"),
            Some("image/jpeg")
        );
        assert_eq!(
            frame_media_type("1.2.840.10008.1.2.4.91"),
            Some("image/jp2")
        );
        assert_eq!(frame_media_type("1.2.3"), None);
    }
}
