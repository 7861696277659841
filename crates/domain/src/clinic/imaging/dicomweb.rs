//! DICOMweb (PS3.18) over the study index and the stored files: QIDO-RS searches, WADO-RS
//! metadata, frames, rendered images and whole instances. Each call is written to the audit log
//! with its patient; searching and reading are viewing, whole instances are downloading (the
//! routes check the roles).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use time::{Duration, OffsetDateTime};

use serde_json::Value;

use super::dicom::Uid;
use super::index::{Image, Series, Study};
use super::ingest::ImagingPorts;
use super::pixels::{DicomJson, Frame, FrameSyntax, PixelCodec, PixelRefusal, RenderRequest};
use super::qido::{Include, Level, QidoQuery};
use super::qido_json::{Root, instance_json, series_json, study_json};
use crate::clinic::audit::{AuditAction, Who};
use crate::clinic::ids::ImageId;
use crate::kernel::blob::BlobReader;
use crate::kernel::text::{Key, Text};
use crate::{Error, Result};

/// What a WADO-RS path names: a study, a series of it, or an instance of that.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub study: Uid,
    pub series: Option<Uid>,
    pub instance: Option<Uid>,
}

impl Target {
    /// The UIDs of a path, each checked; one that is not a UID names nothing (404).
    pub fn parse(study: &str, series: Option<&str>, instance: Option<&str>) -> Result<Target> {
        let uid = |raw: &str| Uid::parse(raw).ok_or_else(not_found);
        Ok(Target {
            study: uid(study)?,
            series: series.map(uid).transpose()?,
            instance: instance.map(uid).transpose()?,
        })
    }
}

/// The pixel data attributes (pixel data, float and double float pixel data) metadata gives as
/// bulk data references.
const PIXEL_TAGS: [&str; 3] = ["7FE00010", "7FE00008", "7FE00009"];

fn not_found() -> Error {
    Error::not_found(Key::DicomwebNotFound)
}

/// A refusal of the pixel codec as the domain's error: no pixels or no such frame is 404, what
/// cannot be given in the form asked is 406, a file that cannot be read again is a fault.
pub fn pixel_error(refusal: PixelRefusal) -> Error {
    match refusal {
        PixelRefusal::NoPixels => Error::not_found(Key::DicomwebNoPixels),
        PixelRefusal::NoSuchFrame { frames } => {
            Error::NotFound(Text::new(Key::DicomwebNoSuchFrame).with("frames", i64::from(frames)))
        }
        PixelRefusal::Unsupported { detail } => {
            Error::NotAcceptable(Text::new(Key::DicomwebNotAcceptable).with("detail", detail))
        }
        PixelRefusal::Unreadable { detail } => {
            Error::internal(format!("a stored instance cannot be read again: {detail}"))
        }
    }
}

/// How long one viewing of an image by one person stands in the audit log for further reads of it.
pub const VIEW_AUDIT_WINDOW: Duration = Duration::minutes(1);

/// Views remembered before the expired ones are forgotten.
const RECENT_VIEWS_MAX: usize = 10_000;

/// The syntax `choose` picks for an image's stored transfer syntax; 406 when it picks none.
fn negotiate(
    image: &Image,
    choose: impl FnOnce(&str) -> Option<FrameSyntax>,
) -> Result<FrameSyntax> {
    let stored = image.transfer_syntax_uid.as_str();
    choose(stored).ok_or_else(|| {
        Error::NotAcceptable(Text::new(Key::DicomwebNotAcceptable).with("detail", stored))
    })
}

/// DICOMweb's reads.
#[derive(Clone)]
pub struct DicomwebService {
    ports: ImagingPorts,
    pixels: Arc<dyn PixelCodec>,
    /// Who last viewed which image when, for [`VIEW_AUDIT_WINDOW`].
    recent_views: Arc<Mutex<HashMap<(String, ImageId), OffsetDateTime>>>,
}

impl fmt::Debug for DicomwebService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DicomwebService").finish_non_exhaustive()
    }
}

impl DicomwebService {
    pub fn new(ports: ImagingPorts, pixels: Arc<dyn PixelCodec>) -> Self {
        Self {
            ports,
            pixels,
            recent_views: Arc::default(),
        }
    }

    fn record(&self, who: &Who, action: AuditAction, study: &Study, object: String) -> Result<()> {
        let p = &self.ports;
        let entry = who.audit(
            p.ids.as_ref(),
            p.clock.now(),
            action,
            study.patient_id,
            Some(object),
        );
        p.audit.record(&entry)
    }

    /// A QIDO-RS search: the matching objects in the DICOM JSON model, `RetrieveURL`s under `root`.
    pub fn search(&self, who: &Who, query: &QidoQuery, root: &Root) -> Result<Vec<Value>> {
        let repo = &self.ports.repository;
        let found: Vec<Value> = match query.level {
            Level::Study => repo
                .search_studies(query)?
                .iter()
                .map(|study| study_json(root, study))
                .collect(),
            Level::Series => repo
                .search_series(query)?
                .iter()
                .map(|(study, series)| series_json(query, root, study, series))
                .collect(),
            Level::Instance => repo
                .search_instances(query)?
                .iter()
                .map(|(study, series, image)| instance_json(query, root, study, series, image))
                .collect(),
        };
        let p = &self.ports;
        let entry = who.audit(
            p.ids.as_ref(),
            p.clock.now(),
            AuditAction::StudyList,
            None,
            None,
        );
        p.audit.record(&entry)?;
        Ok(found)
    }

    /// The instances a target names (every one of a study or series), in viewing order; 404 when
    /// none.
    fn instances(&self, target: &Target) -> Result<Vec<(Study, Series, Image)>> {
        let query = QidoQuery {
            level: Level::Instance,
            study_uids: vec![target.study.clone()],
            series_uids: target.series.iter().cloned().collect(),
            sop_uids: target.instance.iter().cloned().collect(),
            patient_id: None,
            patient_name: None,
            accession: None,
            study_date: None,
            modality: None,
            include: Include::Level,
            limit: u32::MAX,
            offset: 0,
        };
        let found = self.ports.repository.search_instances(&query)?;
        if found.is_empty() {
            return Err(not_found());
        }
        Ok(found)
    }

    fn open(&self, image: &Image) -> Result<BlobReader> {
        self.ports.blobs.open(&image.blob_key, 0)?.ok_or_else(|| {
            Error::internal(format!(
                "the file of image {} ({}) is missing",
                image.id, image.blob_key
            ))
        })
    }

    /// WADO-RS `/metadata`: each instance's data set, pixel data as a bulk data reference under
    /// its own URL.
    pub fn metadata(&self, who: &Who, target: &Target, root: &Root) -> Result<Vec<DicomJson>> {
        let found = self.instances(target)?;
        let mut out = Vec::with_capacity(found.len());
        for (study, series, image) in &found {
            let mut file = self.open(image)?;
            let base = format!(
                "{}/studies/{}/series/{}/instances/{}/bulkdata",
                root.0,
                study.study_instance_uid,
                series.series_instance_uid,
                image.sop_instance_uid
            );
            out.push(
                self.pixels
                    .metadata(&mut file.reader, file.size, &base)
                    .map_err(pixel_error)?,
            );
        }
        if let Some((study, _, _)) = found.first() {
            self.record(who, AuditAction::StudyRead, study, target.study.to_string())?;
        }
        Ok(out)
    }

    /// The one instance a target names.
    fn instance(&self, target: &Target) -> Result<(Study, Image)> {
        if target.series.is_none() || target.instance.is_none() {
            return Err(not_found());
        }
        let (study, _, image) = self.instances(target)?.swap_remove(0);
        Ok((study, image))
    }

    /// WADO-RS `/frames/{list}`: the frames asked for, in the form `choose` picks for the stored
    /// transfer syntax (which the index knows without reading the file); `None` is 406.
    pub fn frames(
        &self,
        who: &Who,
        target: &Target,
        numbers: &[u32],
        choose: impl FnOnce(&str) -> Option<FrameSyntax>,
    ) -> Result<Vec<Frame>> {
        let (study, image) = self.instance(target)?;
        let syntax = negotiate(&image, choose)?;
        self.read_frames(who, &study, &image, numbers, syntax)
    }

    /// WADO-RS bulk data (`…/bulkdata/7FE00010`, the `BulkDataURI` of [`DicomwebService::metadata`]):
    /// the pixel data as every frame of the instance, in the form `choose` picks. Pixel data is the
    /// only attribute given by reference; any other tag names nothing.
    pub fn bulk_pixels(
        &self,
        who: &Who,
        target: &Target,
        tag: &str,
        choose: impl FnOnce(&str) -> Option<FrameSyntax>,
    ) -> Result<Vec<Frame>> {
        if !PIXEL_TAGS.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
            return Err(not_found());
        }
        let (study, image) = self.instance(target)?;
        if !image.has_pixels {
            return Err(Error::not_found(Key::DicomwebNoPixels));
        }
        let syntax = negotiate(&image, choose)?;
        let numbers: Vec<u32> = (1..=image.frames.unwrap_or(1).max(1)).collect();
        self.read_frames(who, &study, &image, &numbers, syntax)
    }

    fn read_frames(
        &self,
        who: &Who,
        study: &Study,
        image: &Image,
        numbers: &[u32],
        syntax: FrameSyntax,
    ) -> Result<Vec<Frame>> {
        let mut file = self.open(image)?;
        let frames = self
            .pixels
            .frames(&mut file.reader, file.size, numbers, syntax)
            .map_err(pixel_error)?;
        self.record_view(who, study, image)?;
        Ok(frames)
    }

    /// Records that `who` viewed `image`, once per [`VIEW_AUDIT_WINDOW`]: a viewer asks for a
    /// clip's frames one request each (30 for 30 frames), and the log should say the image was
    /// viewed, not count the requests. Downloads and metadata reads are recorded every time.
    fn record_view(&self, who: &Who, study: &Study, image: &Image) -> Result<()> {
        let now = self.ports.clock.now();
        let key = (who.actor.to_string(), image.id);
        {
            let mut recent = self
                .recent_views
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if recent
                .get(&key)
                .is_some_and(|at| now - *at < VIEW_AUDIT_WINDOW)
            {
                return Ok(());
            }
            if recent.len() >= RECENT_VIEWS_MAX {
                recent.retain(|_, at| now - *at < VIEW_AUDIT_WINDOW);
            }
            recent.insert(key.clone(), now);
        }
        let recorded = self.record(who, AuditAction::ImageRead, study, image.id.to_string());
        if recorded.is_err() {
            // Not written: the next view tries again.
            let mut recent = self
                .recent_views
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            recent.remove(&key);
        }
        recorded
    }

    /// WADO-RS `/rendered` and `/thumbnail`: one frame as PNG or JPEG.
    pub fn render(&self, who: &Who, target: &Target, request: &RenderRequest) -> Result<Vec<u8>> {
        let (study, image) = self.instance(target)?;
        let mut file = self.open(&image)?;
        let bytes = self
            .pixels
            .render(&mut file.reader, file.size, request)
            .map_err(pixel_error)?;
        self.record_view(who, &study, &image)?;
        Ok(bytes)
    }

    /// WADO-RS retrieve: the stored files of every instance the target names, opened one at a time
    /// by the caller through [`DicomwebService::open_image`]; recorded as a download.
    pub fn retrieve(&self, who: &Who, target: &Target) -> Result<Vec<Image>> {
        let found = self.instances(target)?;
        if let Some((study, _, _)) = found.first() {
            self.record(
                who,
                AuditAction::ImageDownload,
                study,
                target.study.to_string(),
            )?;
        }
        Ok(found.into_iter().map(|(_, _, image)| image).collect())
    }

    /// An instance's stored file, for [`DicomwebService::retrieve`].
    pub fn open_image(&self, image: &Image) -> Result<BlobReader> {
        self.open(image)
    }
}
