//! Imaging: DICOM instances received from modalities (the listener's C-STORE, uploads), the study
//! index, thumbnails, and the modality worklist.
//!
//! - [`dicom`]: what is read from a DICOM file, and the [`DicomCodec`] port that reads it.
//! - [`index`]: studies, series and instances as the clinic lists them.
//! - [`worklist`]: the scheduled procedure steps modalities query, and C-FIND matching.
//! - [`ports`]: the index's and the worklist's repositories.
//! - [`ingest`]: the one path every received file takes; [`studies`]: reading and deleting;
//!   [`worklists`]: publishing worklist entries and answering modalities' queries.
//! - [`dicomweb`]: DICOMweb's reads (searches, metadata, frames, rendered images, retrieval).
//! - [`qido`]: QIDO-RS searches, checked; [`qido_json`]: their answers from the index in the DICOM
//!   JSON model.
//! - [`pixels`]: what DICOMweb reads from a stored file (DICOM JSON, frames, rendered images), and
//!   the [`PixelCodec`] port that reads it.

pub mod dicom;
pub mod dicomweb;
pub mod index;
pub mod ingest;
pub mod pixels;
pub mod ports;
pub mod qido;
pub mod qido_json;
pub mod studies;
pub mod worklist;
pub mod worklists;

#[cfg(test)]
mod dicomweb_tests;
#[cfg(test)]
mod tests;

pub use dicom::{
    DicomCodec, DicomRefusal, DumpEntry, InstanceIdentity, InstanceMeta, THUMBNAIL_DEFAULT,
    THUMBNAIL_MAX, THUMBNAIL_MIN, ThumbnailRefusal, Uid,
};
pub use index::{
    Arrival, Image, NewInstance, Series, Stored, Study, StudyDetails, StudyFilter, StudyQuery,
};
pub use ingest::{ImagingPorts, IngestService, Ingested, Swept, dicom_who, refusal_error};
pub use pixels::{
    DicomJson, EXPLICIT_VR_LITTLE_ENDIAN, Frame, FrameSyntax, ImageFormat, PixelCodec,
    PixelRefusal, RenderRequest, Window, frame_media_type,
};
pub use ports::{ImagingRepository, WorklistRepository};
pub use studies::{ImageDetails, StudyService};
pub use worklist::{DateRange, TimeRange, WorklistEntry, WorklistQuery};
pub use worklists::{WORKLIST_CLOSED, WorklistService, WorklistTarget};

#[cfg(any(test, feature = "mock"))]
pub use dicom::MockDicomCodec;
#[cfg(any(test, feature = "mock"))]
pub use pixels::MockPixelCodec;
#[cfg(any(test, feature = "mock"))]
pub use ports::{MockImagingRepository, MockWorklistRepository};
