//! Reading and deleting what was received: study lists, a study with its series, its images, an
//! image's metadata and tag dump, thumbnails (drawn once, then cached), the stored file, and a
//! study's deletion. Every read is written to the audit log with its patient.

use std::fmt;

use super::dicom::{DumpEntry, THUMBNAIL_MAX, THUMBNAIL_MIN, ThumbnailRefusal};
use super::index::{Image, Study, StudyDetails, StudyFilter};
use super::ingest::{ImagingPorts, RESERVATION};
use crate::clinic::audit::{AuditAction, Who};
use crate::clinic::ids::{ImageId, PatientId, StudyId};
use crate::kernel::blob::{self, BlobKey, BlobReader};
use crate::kernel::paging::{Page, PageRequest};
use crate::kernel::text::{Key, Text};
use crate::{Error, FieldError, Result};

/// Thumbnails are small: a PNG of at most 1024 px on its long side stays well under this.
const THUMBNAIL_MAX_BYTES: u64 = 16 * 1024 * 1024;

fn study_not_found() -> Error {
    Error::not_found(Key::ClinicStudyNotFound)
}

fn image_not_found() -> Error {
    Error::not_found(Key::ClinicImageNotFound)
}

/// An image with what its file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageDetails {
    pub image: Image,
    pub tags: Vec<DumpEntry>,
}

/// Reads and deletes studies and images.
#[derive(Clone)]
pub struct StudyService {
    ports: ImagingPorts,
}

impl fmt::Debug for StudyService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StudyService").finish_non_exhaustive()
    }
}

impl StudyService {
    pub fn new(ports: ImagingPorts) -> Self {
        Self { ports }
    }

    fn record(
        &self,
        who: &Who,
        action: AuditAction,
        patient: Option<PatientId>,
        object: Option<String>,
    ) -> Result<()> {
        let p = &self.ports;
        let entry = who.audit(p.ids.as_ref(), p.clock.now(), action, patient, object);
        p.audit.record(&entry)
    }

    pub fn list(&self, who: &Who, filter: &StudyFilter, page: PageRequest) -> Result<Page<Study>> {
        let found = self.ports.repository.list_studies(filter, page)?;
        self.record(who, AuditAction::StudyList, filter.patient_id, None)?;
        Ok(found)
    }

    pub fn read(&self, who: &Who, id: StudyId) -> Result<StudyDetails> {
        let study = self
            .ports
            .repository
            .find_study(id)?
            .ok_or_else(study_not_found)?;
        self.record(
            who,
            AuditAction::StudyRead,
            study.study.patient_id,
            Some(id.to_string()),
        )?;
        Ok(study)
    }

    pub fn images(&self, who: &Who, id: StudyId, page: PageRequest) -> Result<Page<Image>> {
        let study = self
            .ports
            .repository
            .find_study(id)?
            .ok_or_else(study_not_found)?;
        let images = self.ports.repository.study_images(id, page)?;
        self.record(
            who,
            AuditAction::StudyRead,
            study.study.patient_id,
            Some(id.to_string()),
        )?;
        Ok(images)
    }

    fn image(&self, id: ImageId) -> Result<Image> {
        self.ports
            .repository
            .find_image(id)?
            .ok_or_else(image_not_found)
    }

    fn open(&self, image: &Image) -> Result<BlobReader> {
        self.ports.blobs.open(&image.blob_key, 0)?.ok_or_else(|| {
            Error::internal(format!(
                "the file of image {} ({}) is missing",
                image.id, image.blob_key
            ))
        })
    }

    /// An image's index entry and its file's elements (pixel data summarised).
    pub fn details(&self, who: &Who, id: ImageId) -> Result<ImageDetails> {
        let image = self.image(id)?;
        let mut file = self.open(&image)?;
        let tags = self
            .ports
            .codec
            .dump(&mut file.reader, file.size)
            .map_err(|r| super::ingest::refusal_error(&r))?;
        self.record(
            who,
            AuditAction::ImageRead,
            image.patient_id,
            Some(id.to_string()),
        )?;
        Ok(ImageDetails { image, tags })
    }

    /// The image's thumbnail as PNG, its long side at most `size` (16 to 1024): drawn from the
    /// first frame the first time it is asked for, then read from the cache.
    pub fn thumbnail(&self, who: &Who, id: ImageId, size: u32) -> Result<Vec<u8>> {
        if !(THUMBNAIL_MIN..=THUMBNAIL_MAX).contains(&size) {
            return Err(Error::field(FieldError::new(
                "size",
                "range",
                Text::new(Key::RuleRange)
                    .field("field", "size")
                    .with("min", i64::from(THUMBNAIL_MIN))
                    .with("max", i64::from(THUMBNAIL_MAX)),
            )));
        }
        let p = &self.ports;
        let image = self.image(id)?;
        let cached = match p.repository.thumbnail(id, size)? {
            Some(key) => blob::read_all(p.blobs.as_ref(), &key)?,
            None => None,
        };
        let png = match cached {
            Some(png) => png,
            None => self.draw(&image, size)?,
        };
        self.record(
            who,
            AuditAction::ImageRead,
            image.patient_id,
            Some(id.to_string()),
        )?;
        Ok(png)
    }

    fn draw(&self, image: &Image, size: u32) -> Result<Vec<u8>> {
        let p = &self.ports;
        if !image.has_pixels {
            return Err(Error::Unsupported(Text::new(Key::ClinicThumbnailNoPixels)));
        }
        let mut file = self.open(image)?;
        let png = p
            .codec
            .thumbnail(&mut file.reader, file.size, size)
            .map_err(|refusal| match refusal {
                ThumbnailRefusal::NoPixels => {
                    Error::Unsupported(Text::new(Key::ClinicThumbnailNoPixels))
                }
                ThumbnailRefusal::Unsupported { detail }
                | ThumbnailRefusal::Unreadable { detail } => Error::Unsupported(
                    Text::new(Key::ClinicThumbnailUnsupported).with("detail", detail),
                ),
            })?;
        // Caching is best effort: a thumbnail that cannot be kept is still answered. A write that
        // fails, or that finds the image gone, leaves its key on the trash list for the sweeper.
        let key = BlobKey::parse(&format!("dicom/thumbnails/{}/{size}.png", image.id))?;
        if p.repository
            .reserve_blob(&key, p.clock.now() + RESERVATION)
            .is_ok()
        {
            let _kept = blob::put(
                p.blobs.as_ref(),
                &key,
                &mut png.as_slice(),
                THUMBNAIL_MAX_BYTES,
            )
            .and_then(|_| p.repository.save_thumbnail(image.id, size, &key));
        }
        Ok(png)
    }

    /// The stored file as received, for a download.
    pub fn download(&self, who: &Who, id: ImageId) -> Result<(Image, BlobReader)> {
        let image = self.image(id)?;
        let file = self.open(&image)?;
        self.record(
            who,
            AuditAction::ImageDownload,
            image.patient_id,
            Some(id.to_string()),
        )?;
        Ok((image, file))
    }

    /// Removes a study from the index and its files from the store. The rows go in one
    /// transaction that lists the files on the trash list; the files are then deleted here, or by
    /// the sweeper if this is interrupted.
    pub fn delete(&self, who: &Who, id: StudyId) -> Result<()> {
        let p = &self.ports;
        let study = p.repository.find_study(id)?.ok_or_else(study_not_found)?;
        let now = p.clock.now();
        let entry = who.audit(
            p.ids.as_ref(),
            now,
            AuditAction::StudyDelete,
            study.study.patient_id,
            Some(id.to_string()),
        );
        let keys = p
            .repository
            .delete_study(id, now, &entry)?
            .ok_or_else(study_not_found)?;
        p.delete_trashed(keys).map(|_| ())
    }
}
