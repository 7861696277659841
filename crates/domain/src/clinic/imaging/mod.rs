//! Imaging: DICOM instances received from modalities (the listener's C-STORE, uploads), the study
//! index, thumbnails, and the modality worklist.
//!
//! - [`dicom`]: what is read from a DICOM file, and the [`DicomCodec`] port that reads it.
//! - [`index`]: studies, series and instances as the clinic lists them.
//! - [`worklist`]: the scheduled procedure steps modalities query, and C-FIND matching.
//! - [`ports`]: the index's and the worklist's repositories.

pub mod dicom;
pub mod index;
pub mod ports;
pub mod worklist;

pub use dicom::{
    DicomCodec, DicomRefusal, DumpEntry, InstanceIdentity, InstanceMeta, ThumbnailRefusal, Uid,
};
pub use index::{Arrival, Image, NewInstance, Series, Stored, Study, StudyDetails, StudyFilter};
pub use ports::{ImagingRepository, WorklistRepository};
pub use worklist::{DateRange, TimeRange, WorklistEntry, WorklistQuery};

#[cfg(any(test, feature = "mock"))]
pub use dicom::MockDicomCodec;
#[cfg(any(test, feature = "mock"))]
pub use ports::{MockImagingRepository, MockWorklistRepository};
