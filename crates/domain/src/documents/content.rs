//! The type of an uploaded document, decided from its first bytes.
//!
//! A client's file name and declared type are what it claims; the bytes are what it sent. An
//! executable renamed `scan.pdf` starts with `MZ` or `\x7fELF`, not `%PDF-`, and is refused.

use crate::kernel::blob::{HEAD_BYTES, StagedBlob};
use crate::kernel::text::{Key, Text};
use crate::{Error, FieldError, Result};

/// The kinds of file a document may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::VariantArray)]
pub enum ContentType {
    Pdf,
    Jpeg,
    Png,
    Heic,
    /// A DICOM Part 10 file (preamble, then `DICM` at byte 128).
    Dicom,
    /// UTF-8 text without control characters other than tab, line breaks and form feed.
    Text,
}

impl ContentType {
    /// The media type served in `Content-Type` and stored with the document.
    pub fn mime(self) -> &'static str {
        match self {
            ContentType::Pdf => "application/pdf",
            ContentType::Jpeg => "image/jpeg",
            ContentType::Png => "image/png",
            ContentType::Heic => "image/heic",
            ContentType::Dicom => "application/dicom",
            ContentType::Text => "text/plain; charset=utf-8",
        }
    }

    /// The stored media type read back; `None` for one this code never stored.
    pub fn from_mime(mime: &str) -> Option<ContentType> {
        <ContentType as strum::VariantArray>::VARIANTS
            .iter()
            .copied()
            .find(|t| t.mime() == mime)
    }

    /// The type of a file that starts with `head` and is `size` bytes long in all (`head` may be
    /// only its start, as a [`StagedBlob`] keeps it). An empty file is a 400 on `file`; bytes of
    /// no accepted type are [`Error::Unsupported`], whose message names the accepted types.
    pub fn sniff(head: &[u8], size: u64) -> Result<ContentType> {
        if size == 0 || head.is_empty() {
            return Err(Error::field(FieldError::new(
                "file",
                "required",
                Text::new(Key::DocumentEmpty),
            )));
        }
        let found = if head.starts_with(b"%PDF-") {
            Some(ContentType::Pdf)
        } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(ContentType::Jpeg)
        } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(ContentType::Png)
        } else if is_heic(head) {
            Some(ContentType::Heic)
        } else if head.get(128..132) == Some(b"DICM") {
            Some(ContentType::Dicom)
        } else if is_text(head, head.len() as u64 >= size) {
            Some(ContentType::Text)
        } else {
            None
        };
        found.ok_or_else(|| Error::Unsupported(Text::new(Key::DocumentUnsupportedType)))
    }

    /// The type of a staged upload, from the start the store kept of it.
    pub fn of_staged(staged: &StagedBlob) -> Result<ContentType> {
        ContentType::sniff(&staged.head, staged.size)
    }
}

/// The brands of an ISO base media `ftyp` box that mean HEIF/HEIC still images.
const HEIC_BRANDS: [&[u8; 4]; 8] = [
    b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1",
];

/// An `ftyp` box first, whose major brand or one of whose compatible brands is a HEIF brand.
fn is_heic(head: &[u8]) -> bool {
    if head.get(4..8) != Some(b"ftyp") {
        return false;
    }
    let Some(size) = head.get(0..4) else {
        return false;
    };
    let declared = u32::from_be_bytes([size[0], size[1], size[2], size[3]]) as usize;
    // The box's brands: the major one at 8, then compatible ones after the minor version at 12.
    let end = declared.min(head.len()).min(HEAD_BYTES);
    let major = head.get(8..12);
    let compatible = head.get(16..end).unwrap_or_default().chunks_exact(4);
    major
        .into_iter()
        .chain(compatible)
        .any(|brand| HEIC_BRANDS.iter().any(|b| b.as_slice() == brand))
}

/// UTF-8 without controls but tab, line feed, carriage return and form feed. When `head` is only
/// the start of the file, a character cut at its end is not held against it.
fn is_text(head: &[u8], whole: bool) -> bool {
    let valid = match std::str::from_utf8(head) {
        Ok(text) => text,
        // Cut inside the last character: the prefix up to it is valid by construction.
        Err(e) if !whole && e.error_len().is_none() => head
            .get(..e.valid_up_to())
            .and_then(|prefix| std::str::from_utf8(prefix).ok())
            .unwrap_or_default(),
        Err(_) => return false,
    };
    valid
        .chars()
        .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r' | '\x0c'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sniff(bytes: &[u8]) -> Result<ContentType> {
        ContentType::sniff(bytes, bytes.len() as u64)
    }

    fn dicom() -> Vec<u8> {
        let mut bytes = vec![0u8; 128];
        bytes.extend_from_slice(b"DICM\x02\x00\x00\x00UL");
        bytes
    }

    fn heic(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
        let size = 16 + 4 * compatible.len();
        let mut bytes = (size as u32).to_be_bytes().to_vec();
        bytes.extend_from_slice(b"ftyp");
        bytes.extend_from_slice(major);
        bytes.extend_from_slice(&[0, 0, 0, 0]);
        for brand in compatible {
            bytes.extend_from_slice(*brand);
        }
        bytes.extend_from_slice(b"\x00\x00\x00\x08meta");
        bytes
    }

    #[test]
    fn accepted_types_are_known_by_their_first_bytes() {
        let cases: Vec<(&str, Vec<u8>, ContentType)> = vec![
            (
                "pdf",
                b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec(),
                ContentType::Pdf,
            ),
            (
                "jpeg",
                b"\xff\xd8\xff\xe0\x00\x10JFIF\x00".to_vec(),
                ContentType::Jpeg,
            ),
            (
                "png",
                b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec(),
                ContentType::Png,
            ),
            (
                "heic",
                heic(b"heic", &[b"mif1", b"heic"]),
                ContentType::Heic,
            ),
            ("heif", heic(b"mif1", &[]), ContentType::Heic),
            (
                "heic by compatible brand",
                heic(b"avif", &[b"heix"]),
                ContentType::Heic,
            ),
            ("dicom", dicom(), ContentType::Dicom),
            (
                "text",
                b"Blood test: normal\r\n".to_vec(),
                ContentType::Text,
            ),
            (
                "arabic text",
                "تحليل الدم: طبيعي\n".as_bytes().to_vec(),
                ContentType::Text,
            ),
        ];
        for (case, bytes, expected) in cases {
            assert_eq!(sniff(&bytes).unwrap(), expected, "{case}");
        }
    }

    #[test]
    fn other_bytes_are_unsupported_whatever_their_name() {
        for (case, bytes) in [
            (
                "windows executable",
                b"MZ\x90\x00\x03\x00\x00\x00".as_slice(),
            ),
            ("elf executable", b"\x7fELF\x02\x01\x01\x00".as_slice()),
            ("zip", b"PK\x03\x04\x14\x00".as_slice()),
            ("latin-1 text", b"caf\xe9 au lait".as_slice()),
            ("text with a NUL", b"abc\x00def".as_slice()),
            ("mp4", heic(b"isom", &[b"mp41"]).leak() as &[u8]),
        ] {
            assert!(
                matches!(sniff(bytes), Err(Error::Unsupported(t)) if t.key() == Key::DocumentUnsupportedType),
                "{case}"
            );
        }
    }

    #[test]
    fn an_empty_file_is_a_bad_request_on_file() {
        match sniff(b"") {
            Err(Error::Validation(errors)) => {
                assert_eq!(errors[0].field, "file");
                assert_eq!(errors[0].text.key(), Key::DocumentEmpty);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn text_cut_inside_a_character_at_the_end_of_the_head_is_text() {
        let text = "نص".repeat(10);
        let bytes = text.as_bytes();
        let cut = &bytes[..bytes.len() - 1];
        assert_eq!(
            ContentType::sniff(cut, bytes.len() as u64).unwrap(),
            ContentType::Text
        );
        // The same cut bytes as a whole file are not valid UTF-8.
        assert!(sniff(cut).is_err());
    }

    #[test]
    fn media_types_read_back() {
        for t in <ContentType as strum::VariantArray>::VARIANTS {
            assert_eq!(ContentType::from_mime(t.mime()), Some(*t));
        }
        assert_eq!(ContentType::from_mime("application/x-msdownload"), None);
    }
}
