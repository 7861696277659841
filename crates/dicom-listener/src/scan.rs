//! A walk over a data set's element headers that checks every declared length against the
//! bytes there are, before `dicom-object` parses it: its parser allocates an element's declared
//! length first, so 10 bytes claiming 4 GB would otherwise cost 4 GB.

use dicom_core::dictionary::{DataDictionary, DataDictionaryEntry, VirtualVr};
use dicom_core::{Tag, VR};
use dicom_dictionary_std::StandardDataDictionary;

/// How the data set is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Encoding {
    pub explicit_vr: bool,
    pub big_endian: bool,
}

const UNDEFINED: u32 = 0xFFFF_FFFF;
/// Explicit VRs whose length is a 4-byte field after two reserved bytes.
const LONG_VRS: [&[u8; 2]; 13] = [
    b"OB", b"OD", b"OF", b"OL", b"OV", b"OW", b"SQ", b"SV", b"UC", b"UN", b"UR", b"UT", b"UV",
];

/// `Ok` when every element fits in `bytes`; otherwise what is wrong, at which offset.
pub(crate) fn check_lengths(bytes: &[u8], encoding: Encoding) -> Result<(), String> {
    let u16_at = |at: usize| -> Option<u16> {
        let b: [u8; 2] = bytes.get(at..at + 2)?.try_into().ok()?;
        Some(if encoding.big_endian {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    };
    let u32_at = |at: usize| -> Option<u32> {
        let b: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
        Some(if encoding.big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    };
    let cut = |at: usize| format!("data set cut inside the element header at byte {at}");
    let mut at = 0usize;
    while at < bytes.len() {
        let group = u16_at(at).ok_or_else(|| cut(at))?;
        let element = u16_at(at + 2).ok_or_else(|| cut(at))?;
        let (len, header, sequence) = if group == 0xFFFE {
            // Items and delimiters: no VR in any syntax; an item's content is elements, walked
            // in turn.
            (u32_at(at + 4).ok_or_else(|| cut(at))?, 8, true)
        } else if encoding.explicit_vr {
            let vr = bytes.get(at + 4..at + 6).ok_or_else(|| cut(at))?;
            if LONG_VRS.iter().any(|long| long.as_slice() == vr) {
                (u32_at(at + 8).ok_or_else(|| cut(at))?, 12, vr == b"SQ")
            } else {
                (u32::from(u16_at(at + 6).ok_or_else(|| cut(at))?), 8, false)
            }
        } else {
            let len = u32_at(at + 4).ok_or_else(|| cut(at))?;
            (len, 8, is_sequence(Tag(group, element)))
        };
        at += header;
        if len == UNDEFINED {
            if !sequence && group != 0xFFFE && encoding.explicit_vr {
                // Undefined length outside sequences means encapsulated pixel data or an
                // implicit-VR UN sequence: neither belongs in a query.
                return Err(format!(
                    "({group:04X},{element:04X}) has an undefined length outside a sequence"
                ));
            }
            continue;
        }
        let len = usize::try_from(len).map_err(|_| "length out of range".to_owned())?;
        if len > bytes.len() - at {
            return Err(format!(
                "({group:04X},{element:04X}) declares {len} bytes, {} remain",
                bytes.len() - at
            ));
        }
        if !sequence {
            at += len;
        }
    }
    Ok(())
}

fn is_sequence(tag: Tag) -> bool {
    StandardDataDictionary
        .by_tag(tag)
        .is_some_and(|e| matches!(e.vr(), VirtualVr::Exact(VR::SQ)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPLICIT_LE: Encoding = Encoding {
        explicit_vr: true,
        big_endian: false,
    };
    const IMPLICIT_LE: Encoding = Encoding {
        explicit_vr: false,
        big_endian: false,
    };

    #[test]
    fn well_formed_data_sets_pass() {
        // (0010,0010) PN "Had*" then an undefined-length SQ with one undefined-length item.
        let mut b = vec![0x10, 0, 0x10, 0, b'P', b'N', 4, 0];
        b.extend_from_slice(b"Had*");
        b.extend_from_slice(&[
            0x40, 0, 0x00, 0x01, b'S', b'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF,
        ]);
        b.extend_from_slice(&[0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]);
        b.extend_from_slice(&[0x08, 0, 0x60, 0, b'C', b'S', 2, 0, b'U', b'S']);
        b.extend_from_slice(&[0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0]);
        b.extend_from_slice(&[0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0]);
        assert_eq!(check_lengths(&b, EXPLICIT_LE), Ok(()));
        assert_eq!(check_lengths(&[], EXPLICIT_LE), Ok(()));
    }

    #[test]
    fn lying_lengths_are_caught() {
        // OB claiming 3.75 GB.
        let b = [0x09, 0, 0x10, 0, b'O', b'B', 0, 0, 0, 0, 0, 0xE0, 1, 2];
        assert!(check_lengths(&b, EXPLICIT_LE).is_err());
        // A defined-length sequence whose item's element lies inside it.
        let mut b = vec![0x40, 0, 0x00, 0x01, 24, 0, 0, 0];
        b.extend_from_slice(&[0xFE, 0xFF, 0x00, 0xE0, 16, 0, 0, 0]);
        b.extend_from_slice(&[0x08, 0, 0x60, 0, 0, 0, 0, 0x70, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert!(check_lengths(&b, IMPLICIT_LE).is_err());
        // Cut headers.
        assert!(check_lengths(&[0x10, 0, 0x10], EXPLICIT_LE).is_err());
        assert!(check_lengths(&[0x10, 0, 0x10, 0, b'O', b'B', 0, 0, 4], EXPLICIT_LE).is_err());
    }
}
