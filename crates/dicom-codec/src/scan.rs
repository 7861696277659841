//! A guard walked over a Part 10 file before dicom-rs parses it.
//!
//! dicom-rs allocates an element's declared length before reading its value (DICOM-NOTES: a
//! 9.6 KB file claiming 3.75 GB of pixel data took the process to 4 GB). This walker follows the
//! same structure the parser will follow (meta group by its group length, then the data set in
//! the transfer syntax's encoding, sequences and items by their lengths or delimiters, undefined
//! lengths read as sequences, encapsulated pixel data as fragments) and refuses any length that
//! exceeds the bytes left in the file or in its enclosing item, before reading it. The bytes it
//! passes are kept, so that the parser then reads a buffer in which every length was checked.

use std::io::{self, Read};

use dicom_core::dictionary::{DataDictionary, DataDictionaryEntry};
use dicom_core::{Tag, VR};
use dicom_dictionary_std::StandardDataDictionary;
use domain::clinic::imaging::DicomRefusal;

const PREAMBLE: usize = 128;
const UNDEFINED: u32 = u32::MAX;
/// Sequences nested deeper than this are refused rather than walked (or parsed) recursively.
const MAX_DEPTH: usize = 32;

const ITEM: Tag = Tag(0xFFFE, 0xE000);
const ITEM_END: Tag = Tag(0xFFFE, 0xE00D);
const SEQUENCE_END: Tag = Tag(0xFFFE, 0xE0DD);
const PIXEL_TAGS: [Tag; 3] = [
    Tag(0x7FE0, 0x0008),
    Tag(0x7FE0, 0x0009),
    Tag(0x7FE0, 0x0010),
];

const IMPLICIT_VR_LITTLE_ENDIAN: &str = "1.2.840.10008.1.2";
const EXPLICIT_VR_BIG_ENDIAN: &str = "1.2.840.10008.1.2.2";
/// Deflated data sets: their inflated length is unknown, so no declared length can be checked.
const DEFLATED: [&str; 3] = [
    "1.2.840.10008.1.2.1.99",
    "1.2.840.10008.1.2.4.95",
    "1.2.840.10008.1.2.4.205",
];

/// How far to keep the bytes walked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keep {
    /// Everything before the top-level pixel data; the pixel data is checked, then skipped.
    UntilPixels,
    /// The whole file.
    All,
}

/// The top-level pixel data element, as its header and fragments declare it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PixelData {
    pub tag: Tag,
    pub vr: VR,
    /// The value's length for native pixel data.
    pub length: Option<u64>,
    /// Fragments after the basic offset table, and their bytes, for encapsulated pixel data.
    pub fragments: Option<(u64, u64)>,
}

/// A file whose every declared length fits in it.
#[derive(Debug)]
pub(crate) struct Checked {
    /// From the preamble on; ends before the pixel data with [`Keep::UntilPixels`].
    pub bytes: Vec<u8>,
    pub transfer_syntax: String,
    pub pixels: Option<PixelData>,
}

#[derive(Debug, Clone, Copy)]
struct Encoding {
    explicit: bool,
    big_endian: bool,
}

/// Walks `file` (of `size` bytes) and keeps its bytes as `keep` says.
pub(crate) fn check(file: &mut dyn Read, size: u64, keep: Keep) -> Result<Checked, DicomRefusal> {
    let mut walker = Walker {
        src: file,
        size,
        pos: 0,
        bytes: Vec::new(),
        keeping: true,
    };
    let mut head = [0u8; PREAMBLE + 4];
    let got = walker.fill(&mut head)?;
    if got < head.len() || &head[PREAMBLE..] != b"DICM" {
        return Err(without_magic(&head[..got]));
    }
    let transfer_syntax = walker.meta_group()?;
    if DEFLATED.contains(&transfer_syntax.as_str()) {
        return Err(DicomRefusal::Unreadable {
            detail: format!("deflated data sets ({transfer_syntax}) are not read here"),
        });
    }
    let enc = Encoding {
        explicit: transfer_syntax != IMPLICIT_VR_LITTLE_ENDIAN,
        big_endian: transfer_syntax == EXPLICIT_VR_BIG_ENDIAN,
    };
    let pixels = walker.data_set(enc, keep)?;
    Ok(Checked {
        bytes: walker.bytes,
        transfer_syntax,
        pixels,
    })
}

/// A file without `DICM` at 128 is not DICOM, unless it starts like a bare data set: an explicit
/// VR element of group 0002, 0004 or 0008 within its first bytes (`no_meta.dcm` has one stray
/// byte before its first element), or an implicit VR element of group 0008. Those are DICOM
/// without the Part 10 header, which the index cannot take either.
fn without_magic(head: &[u8]) -> DicomRefusal {
    let group_at = |at: usize| {
        head.get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    };
    let explicit_at = |at: usize| {
        matches!(group_at(at), Some(0x0002 | 0x0004 | 0x0008))
            && head
                .get(at + 4..at + 6)
                .is_some_and(|vr| VR::from_binary([vr[0], vr[1]]).is_some())
    };
    let implicit = group_at(0) == Some(0x0008) && head.len() >= 8;
    if implicit || (0..4).any(explicit_at) {
        DicomRefusal::NoMeta
    } else {
        DicomRefusal::NotDicom
    }
}

struct Walker<'r> {
    src: &'r mut dyn Read,
    size: u64,
    pos: u64,
    bytes: Vec<u8>,
    keeping: bool,
}

/// What ended a run of elements.
enum End {
    /// The end of the file, or of a defined-length item.
    Bound,
    /// An item delimitation item.
    ItemDelimiter,
}

impl Walker<'_> {
    fn remaining(&self) -> u64 {
        self.size.saturating_sub(self.pos)
    }

    /// Reads as much of `buf` as the file holds; the count read.
    fn fill(&mut self, buf: &mut [u8]) -> Result<usize, DicomRefusal> {
        let mut got = 0;
        while got < buf.len() {
            match self.src.read(&mut buf[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(read_error(&e)),
            }
        }
        self.pos += got as u64;
        if self.keeping {
            self.bytes.extend_from_slice(&buf[..got]);
        }
        Ok(got)
    }

    fn exact<const N: usize>(&mut self, what: &str) -> Result<[u8; N], DicomRefusal> {
        let mut buf = [0u8; N];
        if self.fill(&mut buf)? < N {
            return Err(DicomRefusal::Truncated {
                detail: format!("the file ends inside {what} at byte {}", self.pos),
            });
        }
        Ok(buf)
    }

    /// Passes `len` bytes of a value whose length was checked, keeping them or not.
    fn value(&mut self, tag: Tag, len: u64) -> Result<(), DicomRefusal> {
        let mut limited = (&mut *self.src).take(len);
        let copied = if self.keeping {
            limited.read_to_end(&mut self.bytes).map(|n| n as u64)
        } else {
            io::copy(&mut limited, &mut io::sink())
        }
        .map_err(|e| read_error(&e))?;
        self.pos += copied;
        if copied < len {
            return Err(DicomRefusal::Truncated {
                detail: format!("{tag} declares {len} bytes but the file ends after {copied}"),
            });
        }
        Ok(())
    }

    /// Refuses a declared length beyond the file or beyond the enclosing item's end.
    fn fits(&self, tag: Tag, len: u64, bound: Option<u64>) -> Result<(), DicomRefusal> {
        let left = bound.map_or(self.remaining(), |end| {
            end.saturating_sub(self.pos).min(self.remaining())
        });
        if len > left {
            return Err(DicomRefusal::Truncated {
                detail: format!("{tag} declares {len} bytes but only {left} remain"),
            });
        }
        Ok(())
    }

    /// The meta group as dicom-rs reads it: (0002,0000) first, then explicit VR little endian
    /// elements until the group length is used up. Answers the transfer syntax UID.
    fn meta_group(&mut self) -> Result<String, DicomRefusal> {
        let enc = Encoding {
            explicit: true,
            big_endian: false,
        };
        let (tag, vr, len) = self.header(enc).map_err(|_| DicomRefusal::NoMeta)?;
        if tag != Tag(0x0002, 0x0000) || vr != Some(VR::UL) || len != 4 {
            return Err(DicomRefusal::NoMeta);
        }
        let group_length = u64::from(u32::from_le_bytes(self.exact::<4>("the meta group")?));
        self.fits(tag, group_length, None)?;
        let end = self.pos + group_length;
        let mut transfer_syntax = None;
        while self.pos < end {
            let (tag, _, len) = self.header(enc).map_err(|_| DicomRefusal::NoMeta)?;
            if tag.0 != 0x0002 || len == UNDEFINED {
                return Err(DicomRefusal::NoMeta);
            }
            let len = u64::from(len);
            self.fits(tag, len, None)?;
            if tag == Tag(0x0002, 0x0010) {
                let start = self.bytes.len();
                self.value(tag, len)?;
                let raw = self.bytes.get(start..).unwrap_or_default();
                transfer_syntax = Some(
                    String::from_utf8_lossy(raw)
                        .trim_end_matches(['\0', ' '])
                        .to_owned(),
                );
            } else {
                self.value(tag, len)?;
            }
        }
        transfer_syntax
            .filter(|uid| !uid.is_empty())
            .ok_or(DicomRefusal::NoMeta)
    }

    /// An element header: tag, VR (explicit encodings only) and length.
    fn header(&mut self, enc: Encoding) -> Result<(Tag, Option<VR>, u32), DicomRefusal> {
        let raw = self.exact::<4>("an element's tag")?;
        let tag = if enc.big_endian {
            Tag(
                u16::from_be_bytes([raw[0], raw[1]]),
                u16::from_be_bytes([raw[2], raw[3]]),
            )
        } else {
            Tag(
                u16::from_le_bytes([raw[0], raw[1]]),
                u16::from_le_bytes([raw[2], raw[3]]),
            )
        };
        let u32_of = |b: [u8; 4]| {
            if enc.big_endian {
                u32::from_be_bytes(b)
            } else {
                u32::from_le_bytes(b)
            }
        };
        if tag.0 == 0xFFFE || !enc.explicit {
            let len = u32_of(self.exact::<4>("an element's length")?);
            return Ok((tag, None, len));
        }
        let vr_bytes = self.exact::<2>("an element's VR")?;
        // The parser reads a VR it does not know as UN, with a reserved field and 4-byte length.
        let vr = VR::from_binary(vr_bytes).unwrap_or(VR::UN);
        if short_length(vr) {
            let b = self.exact::<2>("an element's length")?;
            let len = if enc.big_endian {
                u16::from_be_bytes(b)
            } else {
                u16::from_le_bytes(b)
            };
            Ok((tag, Some(vr), u32::from(len)))
        } else {
            let b = self.exact::<6>("an element's length")?;
            Ok((tag, Some(vr), u32_of([b[2], b[3], b[4], b[5]])))
        }
    }

    fn data_set(&mut self, enc: Encoding, keep: Keep) -> Result<Option<PixelData>, DicomRefusal> {
        let mut pixels = None;
        while self.remaining() > 0 {
            let mark = self.bytes.len();
            let (tag, vr, len) = self.header(enc)?;
            if PIXEL_TAGS.contains(&tag) {
                if keep == Keep::UntilPixels {
                    self.bytes.truncate(mark);
                    self.keeping = false;
                }
                let vr = vr.unwrap_or(if tag == PIXEL_TAGS[2] {
                    VR::OW
                } else {
                    implicit_vr(tag)
                });
                pixels = Some(self.pixel_data(tag, vr, len, enc)?);
                if keep == Keep::UntilPixels {
                    break;
                }
                continue;
            }
            self.element(tag, vr, len, enc, 0, None)?;
        }
        Ok(pixels)
    }

    fn pixel_data(
        &mut self,
        tag: Tag,
        vr: VR,
        len: u32,
        enc: Encoding,
    ) -> Result<PixelData, DicomRefusal> {
        if len != UNDEFINED {
            let len = u64::from(len);
            self.fits(tag, len, None)?;
            self.value(tag, len)?;
            return Ok(PixelData {
                tag,
                vr,
                length: Some(len),
                fragments: None,
            });
        }
        let (count, bytes) = self.fragments(tag, enc, None)?;
        Ok(PixelData {
            tag,
            vr,
            length: None,
            fragments: Some((count.saturating_sub(1), bytes)),
        })
    }

    /// The items of encapsulated pixel data up to the sequence delimiter: their count and bytes.
    fn fragments(
        &mut self,
        tag: Tag,
        enc: Encoding,
        bound: Option<u64>,
    ) -> Result<(u64, u64), DicomRefusal> {
        let (mut count, mut bytes) = (0u64, 0u64);
        loop {
            let (item, _, len) = self.header(enc)?;
            match item {
                SEQUENCE_END => return Ok((count, bytes)),
                ITEM if len != UNDEFINED => {
                    let len = u64::from(len);
                    self.fits(tag, len, bound)?;
                    self.value(tag, len)?;
                    count += 1;
                    bytes += len;
                }
                other => {
                    return Err(DicomRefusal::Unreadable {
                        detail: format!("{other} where a fragment of {tag} was expected"),
                    });
                }
            }
        }
    }

    fn element(
        &mut self,
        tag: Tag,
        vr: Option<VR>,
        len: u32,
        enc: Encoding,
        depth: usize,
        bound: Option<u64>,
    ) -> Result<(), DicomRefusal> {
        if tag.0 == 0xFFFE {
            return Err(DicomRefusal::Unreadable {
                detail: format!("{tag} outside a sequence at byte {}", self.pos),
            });
        }
        if tag == PIXEL_TAGS[2] && len == UNDEFINED {
            self.fragments(tag, enc, bound)?;
            return Ok(());
        }
        let vr = vr.unwrap_or_else(|| implicit_vr(tag));
        if vr == VR::SQ || len == UNDEFINED {
            return self.sequence(tag, len, enc, depth + 1, bound);
        }
        let len = u64::from(len);
        self.fits(tag, len, bound)?;
        self.value(tag, len)
    }

    fn sequence(
        &mut self,
        tag: Tag,
        len: u32,
        enc: Encoding,
        depth: usize,
        bound: Option<u64>,
    ) -> Result<(), DicomRefusal> {
        if depth > MAX_DEPTH {
            return Err(DicomRefusal::Unreadable {
                detail: format!("sequences nested deeper than {MAX_DEPTH} at {tag}"),
            });
        }
        let end = if len == UNDEFINED {
            None
        } else {
            self.fits(tag, u64::from(len), bound)?;
            Some(self.pos + u64::from(len))
        };
        loop {
            if end.is_some_and(|end| self.pos >= end) {
                return Ok(());
            }
            let (item, _, item_len) = self.header(enc)?;
            match item {
                SEQUENCE_END if end.is_none() => return Ok(()),
                ITEM if item_len == UNDEFINED => match self.elements(enc, depth, end)? {
                    End::ItemDelimiter => {}
                    End::Bound => {
                        return Err(DicomRefusal::Truncated {
                            detail: format!("an item of {tag} has no end"),
                        });
                    }
                },
                ITEM => {
                    let item_len = u64::from(item_len);
                    self.fits(tag, item_len, end.or(bound))?;
                    let item_end = self.pos + item_len;
                    self.elements(enc, depth, Some(item_end))?;
                    if self.pos != item_end {
                        return Err(DicomRefusal::Unreadable {
                            detail: format!("an item of {tag} overruns its length"),
                        });
                    }
                }
                other => {
                    return Err(DicomRefusal::Unreadable {
                        detail: format!("{other} where an item of {tag} was expected"),
                    });
                }
            }
        }
    }

    /// The elements of one item, up to `bound` (a defined length) or its delimiter.
    fn elements(
        &mut self,
        enc: Encoding,
        depth: usize,
        bound: Option<u64>,
    ) -> Result<End, DicomRefusal> {
        loop {
            match bound {
                Some(end) if self.pos >= end => return Ok(End::Bound),
                None if self.remaining() == 0 => return Ok(End::Bound),
                _ => {}
            }
            let (tag, vr, len) = self.header(enc)?;
            if tag == ITEM_END {
                return Ok(End::ItemDelimiter);
            }
            self.element(tag, vr, len, enc, depth, bound)?;
        }
    }
}

/// The VRs whose explicit length is 16 bits (PS3.5 table 7.1-2), as dicom-rs lists them.
fn short_length(vr: VR) -> bool {
    use VR::*;
    matches!(
        vr,
        AE | AS
            | AT
            | CS
            | DA
            | DS
            | DT
            | FL
            | FD
            | IS
            | LO
            | LT
            | PN
            | SH
            | SL
            | SS
            | ST
            | TM
            | UI
            | UL
            | US
    )
}

/// The VR an implicit VR parser gives a tag: the dictionary's, relaxed, or UN.
fn implicit_vr(tag: Tag) -> VR {
    StandardDataDictionary
        .by_tag(tag)
        .map_or(VR::UN, |entry| entry.vr().relaxed())
}

fn read_error(e: &io::Error) -> DicomRefusal {
    DicomRefusal::Unreadable {
        detail: format!("reading the file: {e}"),
    }
}
