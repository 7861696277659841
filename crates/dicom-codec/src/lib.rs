//! The [`DicomCodec`] adapter: reads DICOM Part 10 files with the dicom-rs crates.
//!
//! Every file is first walked by [`scan`], which checks each declared length against the bytes
//! left before anything is allocated for it; dicom-rs then parses the bytes the walk kept. So
//! `inspect` and `dump` hold the metadata only (the pixel data is checked and skipped), and
//! `thumbnail` holds the file (at most [`THUMBNAIL_FILE_MAX`] bytes) and one decoded frame.

mod dump;
mod inspect;
mod json;
mod palette;
mod pixels;
mod scan;
mod thumbnail;

use std::io::{Cursor, Read};

use dicom_object::DefaultDicomObject;
use dicom_object::file::{OpenFileOptions, ReadPreamble};
use domain::clinic::imaging::{
    DicomCodec, DicomRefusal, DumpEntry, InstanceMeta, ThumbnailRefusal,
};

pub use thumbnail::{MAX_PIXELS, THUMBNAIL_FILE_MAX};

/// Reads DICOM files with dicom-rs (pure Rust decoders: native, JPEG baseline and extended, RLE).
#[derive(Debug, Default, Clone, Copy)]
pub struct DicomRsCodec;

impl DicomRsCodec {
    pub fn new() -> Self {
        DicomRsCodec
    }
}

impl DicomCodec for DicomRsCodec {
    fn inspect(&self, file: &mut dyn Read, size: u64) -> Result<InstanceMeta, DicomRefusal> {
        let checked = scan::check(file, size, scan::Keep::UntilPixels)?;
        let object = parse(&checked.bytes)?;
        Ok(inspect::instance_meta(&object, checked.pixels.as_ref()))
    }

    fn dump(&self, file: &mut dyn Read, size: u64) -> Result<Vec<DumpEntry>, DicomRefusal> {
        let checked = scan::check(file, size, scan::Keep::UntilPixels)?;
        let object = parse(&checked.bytes)?;
        Ok(dump::entries(&object, checked.pixels.as_ref()))
    }

    fn thumbnail(
        &self,
        file: &mut dyn Read,
        size: u64,
        max_side: u32,
    ) -> Result<Vec<u8>, ThumbnailRefusal> {
        thumbnail::draw(file, size, max_side)
    }
}

/// Parses bytes [`scan::check`] passed (preamble included).
fn parse(bytes: &[u8]) -> Result<DefaultDicomObject, DicomRefusal> {
    OpenFileOptions::new()
        .read_preamble(ReadPreamble::Always)
        .from_reader(Cursor::new(bytes))
        .map_err(|e| DicomRefusal::Unreadable {
            detail: e.to_string(),
        })
}
