//! A received instance on its way to the handler: the Part 10 file built around the data set
//! bytes as they arrive, in memory up to a few MiB and on disk past that, never more than the
//! configured limit.

use std::io::{self, Seek, SeekFrom, Write};

use dicom_object::meta::FileMetaTableBuilder;
use tempfile::SpooledTempFile;

/// Bytes kept in memory before the spool moves to a temporary file.
const IN_MEMORY: usize = 4 << 20;
/// The implementation class UID written in files' meta groups: the UUID-derived root
/// `2.25.<uuid>` of this listener, constant across versions.
pub(crate) const IMPLEMENTATION_CLASS_UID: &str = "2.25.163265219378413539412066617212342616451";
pub(crate) const IMPLEMENTATION_VERSION_NAME: &str = "MEDCARE_LSN_1";

/// A Part 10 file being received.
#[derive(Debug)]
pub(crate) struct Spool {
    file: SpooledTempFile,
    header_bytes: u64,
    data_bytes: u64,
    limit: u64,
    overflowed: bool,
}

/// How a spool ended.
#[derive(Debug)]
pub(crate) enum Spooled {
    /// The whole file, positioned at its start.
    File { file: SpooledTempFile, size: u64 },
    /// The data set went past the limit; its bytes were dropped.
    TooLarge { received: u64 },
}

impl Spool {
    /// Starts the file: preamble, `DICM` and the meta group naming the instance and the
    /// transfer syntax it arrives in.
    pub fn start(
        sop_class: &str,
        sop_instance: &str,
        transfer_syntax: &str,
        calling_ae: &str,
        limit: u64,
    ) -> io::Result<Spool> {
        let meta = FileMetaTableBuilder::new()
            .media_storage_sop_class_uid(sop_class)
            .media_storage_sop_instance_uid(sop_instance)
            .transfer_syntax(transfer_syntax)
            .implementation_class_uid(IMPLEMENTATION_CLASS_UID)
            .implementation_version_name(IMPLEMENTATION_VERSION_NAME)
            .source_application_entity_title(calling_ae)
            .build()
            .map_err(io::Error::other)?;
        let mut head = Vec::with_capacity(512);
        head.extend_from_slice(&[0u8; 128]);
        head.extend_from_slice(b"DICM");
        meta.write(&mut head).map_err(io::Error::other)?;
        let mut file = SpooledTempFile::new(IN_MEMORY);
        file.write_all(&head)?;
        Ok(Spool {
            file,
            header_bytes: head.len() as u64,
            data_bytes: 0,
            limit,
            overflowed: false,
        })
    }

    /// Appends a fragment of the data set; past the limit, fragments are counted and dropped.
    pub fn push(&mut self, fragment: &[u8]) -> io::Result<()> {
        self.data_bytes = self.data_bytes.saturating_add(fragment.len() as u64);
        if self.overflowed {
            return Ok(());
        }
        if self.data_bytes > self.limit {
            self.overflowed = true;
            // Give back the disk (or memory) now rather than while the rest is drained.
            self.file = SpooledTempFile::new(0);
            return Ok(());
        }
        self.file.write_all(fragment)
    }

    pub fn finish(mut self) -> io::Result<Spooled> {
        if self.overflowed {
            return Ok(Spooled::TooLarge {
                received: self.data_bytes,
            });
        }
        self.file.flush()?;
        self.file.seek(SeekFrom::Start(0))?;
        Ok(Spooled::File {
            file: self.file,
            size: self.header_bytes + self.data_bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use dicom_object::OpenFileOptions;

    use super::*;

    #[test]
    fn a_spool_is_a_part_10_file_with_the_bytes_as_received() {
        let mut spool = Spool::start(
            "1.2.840.10008.5.1.4.1.1.7",
            "1.2.3.4",
            "1.2.840.10008.1.2.1",
            "US_1",
            100,
        )
        .unwrap();
        // (0008,0018) UI "1.2.3.4" in two fragments.
        let data = [
            0x08, 0, 0x18, 0, b'U', b'I', 8, 0, b'1', b'.', b'2', b'.', b'3', b'.', b'4', 0,
        ];
        spool.push(&data[..5]).unwrap();
        spool.push(&data[5..]).unwrap();
        let Spooled::File { mut file, size } = spool.finish().unwrap() else {
            panic!("not too large")
        };
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).unwrap();
        assert_eq!(bytes.len() as u64, size);
        assert!(bytes.ends_with(&data));
        assert_eq!(&bytes[128..132], b"DICM");
        let obj = OpenFileOptions::new().from_reader(&bytes[128..]).unwrap();
        assert_eq!(obj.meta().media_storage_sop_instance_uid(), "1.2.3.4");
        assert_eq!(
            obj.meta()
                .source_application_entity_title
                .as_deref()
                .map(str::trim),
            Some("US_1")
        );
    }

    #[test]
    fn past_the_limit_nothing_is_kept() {
        let mut spool = Spool::start("1.2", "1.3", "1.2.840.10008.1.2", "A", 10).unwrap();
        spool.push(&[0; 8]).unwrap();
        spool.push(&[0; 8]).unwrap();
        spool.push(&[0; 8]).unwrap();
        assert!(matches!(
            spool.finish().unwrap(),
            Spooled::TooLarge { received: 24 }
        ));
    }
}
