//! What the platform reads from a DICOM file, and the port that reads it.
//!
//! The domain never parses DICOM itself: a [`DicomCodec`] adapter reads a Part 10 file (preamble,
//! `DICM`, file meta group, data set) and answers the tags the index keeps, a dump of its elements,
//! or a thumbnail. Files are read as streams from the blob store (with their size, so that a
//! declared length can be checked against the bytes there are), never held whole by the domain.

use std::fmt;
use std::io::Read;

use time::Date;

/// A DICOM unique identifier: 1 to 64 characters of digits and dots, as PS3.5 §9.1 says (no
/// leading zero in a component is not enforced: real modalities break that rule and their files
/// must still be taken).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uid(String);

impl Uid {
    pub const MAX_LEN: usize = 64;

    /// `raw` with trailing NULs and spaces (DICOM's padding) removed, if it is a UID.
    pub fn parse(raw: &str) -> Option<Uid> {
        let trimmed = raw.trim_end_matches(['\0', ' ']).trim_start();
        let ok = !trimmed.is_empty()
            && trimmed.len() <= Self::MAX_LEN
            && trimmed.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && !trimmed.starts_with('.')
            && !trimmed.ends_with('.')
            && !trimmed.contains("..");
        ok.then(|| Uid(trimmed.to_owned()))
    }

    /// A UID the platform stored itself (read back from the index).
    pub fn from_stored(raw: String) -> Uid {
        Uid(raw)
    }

    /// The UID PS3.5 §B.2 derives from a UUID: `2.25.` and the UUID as one decimal number (at
    /// most 44 characters).
    pub fn from_uuid(id: uuid::Uuid) -> Uid {
        Uid(format!("2.25.{}", id.as_u128()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Uid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The tags of one instance that the index keeps. Text is as the file holds it (decoded by its
/// character set), trimmed, absent when empty. Person names keep DICOM's `^` separators.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InstanceMeta {
    pub sop_class_uid: Option<Uid>,
    pub sop_instance_uid: Option<Uid>,
    pub study_instance_uid: Option<Uid>,
    pub series_instance_uid: Option<Uid>,
    /// From the file meta group (0002,0010).
    pub transfer_syntax_uid: Option<Uid>,
    pub patient_id: Option<String>,
    pub patient_name: Option<String>,
    pub patient_birth_date: Option<Date>,
    /// `M`, `F` or `O` as the file says.
    pub patient_sex: Option<String>,
    pub study_date: Option<Date>,
    /// `HHMMSS[.FFFFFF]` as the file says.
    pub study_time: Option<String>,
    pub study_description: Option<String>,
    /// (0020,0010) Study ID.
    pub study_id: Option<String>,
    pub accession_number: Option<String>,
    pub referring_physician: Option<String>,
    pub modality: Option<String>,
    pub body_part: Option<String>,
    pub series_description: Option<String>,
    pub series_number: Option<i32>,
    pub instance_number: Option<i32>,
    pub rows: Option<u32>,
    pub columns: Option<u32>,
    /// (0028,0008) Number of Frames; 1 for a single image with pixel data, absent without pixels.
    pub frames: Option<u32>,
    /// Whether the data set holds (7FE0,0010) Pixel Data (or float / double float pixel data).
    pub has_pixels: bool,
    pub photometric_interpretation: Option<String>,
}

/// The UIDs an instance cannot be stored without; [`InstanceMeta::identity`] names the first
/// one missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceIdentity {
    pub sop_class_uid: Uid,
    pub sop_instance_uid: Uid,
    pub study_instance_uid: Uid,
    pub series_instance_uid: Uid,
    pub transfer_syntax_uid: Uid,
}

impl InstanceMeta {
    /// The instance's UIDs, or the keyword of the first one missing.
    pub fn identity(&self) -> Result<InstanceIdentity, &'static str> {
        Ok(InstanceIdentity {
            sop_class_uid: self.sop_class_uid.clone().ok_or("SOPClassUID")?,
            sop_instance_uid: self.sop_instance_uid.clone().ok_or("SOPInstanceUID")?,
            study_instance_uid: self.study_instance_uid.clone().ok_or("StudyInstanceUID")?,
            series_instance_uid: self
                .series_instance_uid
                .clone()
                .ok_or("SeriesInstanceUID")?,
            transfer_syntax_uid: self
                .transfer_syntax_uid
                .clone()
                .ok_or("TransferSyntaxUID")?,
        })
    }
}

/// One element of a file, as the metadata route shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpEntry {
    /// `(0010,0010)`.
    pub tag: String,
    /// The dictionary keyword (`PatientName`), absent for private or unknown tags.
    pub keyword: Option<String>,
    pub vr: String,
    /// The value as text: strings as they are, numbers in decimal, several values joined by `\`,
    /// binary values summarised (`<binary 1024 bytes>`), long text cut at 256 characters.
    pub value: String,
    /// 0 for the data set's own elements, 1 inside a sequence item, and so on.
    pub depth: u8,
}

/// Why a file was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DicomRefusal {
    /// The bytes are not a DICOM Part 10 file (no `DICM` at offset 128).
    NotDicom,
    /// `DICM` is there but the file meta group is missing or unreadable.
    NoMeta,
    /// An element declares more bytes than the file holds (cut short, or a hostile length).
    Truncated { detail: String },
    /// The data set cannot be parsed for another reason.
    Unreadable { detail: String },
    /// A UID the index needs is absent; the keyword names it.
    MissingUid(&'static str),
}

/// A code for logs (what clients read comes from the catalogues, see `ingest::refusal_error`).
impl fmt::Display for DicomRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DicomRefusal::NotDicom => f.write_str("not_dicom"),
            DicomRefusal::NoMeta => f.write_str("no_meta"),
            DicomRefusal::Truncated { detail } => write!(f, "truncated ({detail})"),
            DicomRefusal::Unreadable { detail } => write!(f, "unreadable ({detail})"),
            DicomRefusal::MissingUid(uid) => write!(f, "missing_uid ({uid})"),
        }
    }
}

/// Why no thumbnail can be drawn for an instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThumbnailRefusal {
    /// The instance holds no pixel data (a structured report, a waveform, a PDF).
    NoPixels,
    /// The pixels are there but cannot be decoded here (a transfer syntax without a decoder, a
    /// photometric interpretation not handled); `detail` names it.
    Unsupported { detail: String },
    /// The file could not be read again.
    Unreadable { detail: String },
}

/// The smallest and largest thumbnail a caller may ask for, and the default long side.
pub const THUMBNAIL_MIN: u32 = 16;
pub const THUMBNAIL_MAX: u32 = 1024;
pub const THUMBNAIL_DEFAULT: u32 = 256;

/// Reads DICOM Part 10 files.
///
/// Contract (`file` reads the whole Part 10 file from its start; `size` is its length in bytes):
/// - No method panics, and none allocates for an element more than the bytes left in the file: an
///   element whose declared length exceeds them is [`DicomRefusal::Truncated`] before anything is
///   allocated for it.
/// - `inspect` reads the meta group and the data set up to (not into) the pixel data, and stops
///   there; it does not require the UIDs (the caller checks [`InstanceMeta::identity`]).
/// - `dump` lists the meta group's and the data set's elements, pixel data summarised, not read.
/// - `thumbnail` decodes the first frame only and answers a PNG whose long side is at most
///   `max_side` (never scaled up): greyscale windowed by the file's first VOI window (after the
///   modality LUT), or by the pixel range when there is none; colour (RGB, YBR) and palette colour
///   converted to RGB.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait DicomCodec: Send + Sync {
    fn inspect(&self, file: &mut dyn Read, size: u64) -> Result<InstanceMeta, DicomRefusal>;
    fn dump(&self, file: &mut dyn Read, size: u64) -> Result<Vec<DumpEntry>, DicomRefusal>;
    fn thumbnail(
        &self,
        file: &mut dyn Read,
        size: u64,
        max_side: u32,
    ) -> Result<Vec<u8>, ThumbnailRefusal>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uids_are_digits_and_dots() {
        assert_eq!(
            Uid::parse("1.2.840.10008.5.1.4.1.1.6.1\0").map(|u| u.0),
            Some("1.2.840.10008.5.1.4.1.1.6.1".to_owned())
        );
        for bad in ["", " ", "1..2", ".1", "1.", "1.a", &"1".repeat(65)] {
            assert!(Uid::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn identity_names_the_missing_uid() {
        let meta = InstanceMeta {
            sop_class_uid: Uid::parse("1.2"),
            sop_instance_uid: Uid::parse("1.3"),
            ..InstanceMeta::default()
        };
        assert_eq!(meta.identity(), Err("StudyInstanceUID"));
    }
}
