//! Taking an instance in: the one path for the listener's C-STORE and `POST /api/dicom/receive`.
//!
//! The bytes stream into the blob store under a fresh key (reserved on the trash list first), are
//! read back by the codec up to the pixel data, and are indexed in one transaction that takes the key
//! off the list. A refused file is deleted at once; a crash anywhere leaves the key on the list for
//! the sweeper. A second copy of an indexed SOP Instance UID answers success and changes nothing.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::dicom::{DicomCodec, DicomRefusal, Uid};
use super::index::{Arrival, Image, NewInstance, Stored};
use super::ports::ImagingRepository;
use crate::clinic::appointments::AppointmentService;
use crate::clinic::audit::{AuditAction, AuditRepository, Who};
use crate::clinic::events::{ClinicEvent, ClinicEventKind};
use crate::clinic::ids::{ImageId, SeriesId, StudyId};
use crate::kernel::blob::{BlobKey, BlobStore, ByteSource};
use crate::kernel::ids::IdGenerator;
use crate::kernel::text::{Key, Text};
use crate::kernel::time::Clock;
use crate::{Error, FieldError, Result};

/// How long a reserved key may wait for its row before the sweeper deletes its bytes: longer than
/// any association or upload may take.
pub const RESERVATION: Duration = Duration::from_secs(6 * 3600);

/// What the imaging services need.
#[derive(Clone)]
pub struct ImagingPorts {
    pub repository: Arc<dyn ImagingRepository>,
    pub audit: Arc<dyn AuditRepository>,
    pub blobs: Arc<dyn BlobStore>,
    pub codec: Arc<dyn DicomCodec>,
    pub appointments: AppointmentService,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdGenerator>,
}

impl ImagingPorts {
    /// Deletes the bytes of trashed keys and takes those deleted off the trash list; a key whose
    /// bytes cannot be deleted now stays on it, for the sweeper.
    pub(super) fn delete_trashed(&self, keys: Vec<BlobKey>) -> Result<Swept> {
        let total = keys.len();
        let gone: Vec<BlobKey> = keys
            .into_iter()
            .filter(|key| self.blobs.delete(key).is_ok())
            .collect();
        if !gone.is_empty() {
            self.repository.forget_trash(&gone)?;
        }
        Ok(Swept {
            deleted: gone.len(),
            failed: total - gone.len(),
        })
    }
}

impl fmt::Debug for ImagingPorts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImagingPorts").finish_non_exhaustive()
    }
}

/// What one received file became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ingested {
    pub image: Image,
    /// An instance with the same SOP Instance UID was already stored; nothing changed.
    pub duplicate: bool,
    /// The image moved its appointment to `in_scan`.
    pub appointment_moved: bool,
}

/// The rule of the error refusing a file of another study than the one named.
pub const OTHER_STUDY: &str = "study";

/// The error a refused file answers: 400 naming `file`, with the reason.
pub fn refusal_error(refusal: &DicomRefusal) -> Error {
    let text = match refusal {
        DicomRefusal::NotDicom => Text::new(Key::ClinicDicomNotDicom),
        DicomRefusal::NoMeta => Text::new(Key::ClinicDicomNoMeta),
        DicomRefusal::Truncated { detail } => {
            Text::new(Key::ClinicDicomTruncated).with("detail", detail.as_str())
        }
        DicomRefusal::Unreadable { detail } => {
            Text::new(Key::ClinicDicomUnreadable).with("detail", detail.as_str())
        }
        DicomRefusal::MissingUid(uid) => Text::new(Key::ClinicDicomMissingUid).with("uid", *uid),
    };
    Error::field(FieldError::new("file", "dicom", text))
}

/// The instance's blob key: spread over 256 folders by the id's last byte, so that no folder of a
/// folder store grows past what a file system lists quickly.
fn blob_key(id: ImageId) -> Result<BlobKey> {
    let uuid = id.as_uuid();
    let spread = uuid.as_bytes()[15];
    BlobKey::parse(&format!("dicom/{spread:02x}/{uuid}.dcm"))
}

/// Receives instances.
#[derive(Clone, Debug)]
pub struct IngestService {
    ports: ImagingPorts,
}

impl IngestService {
    pub fn new(ports: ImagingPorts) -> Self {
        Self { ports }
    }

    /// Stores, indexes and announces one file. `who` is the uploading staff member, or the
    /// listener's [`Who`] for a modality (see [`dicom_who`]). `max_bytes` bounds the file.
    pub fn ingest(
        &self,
        who: &Who,
        arrival: Arrival,
        body: &mut dyn ByteSource,
        max_bytes: u64,
    ) -> Result<Ingested> {
        self.ingest_into(who, arrival, body, max_bytes, None)
    }

    /// As [`IngestService::ingest`], refusing (and storing nothing of) a file of another study than
    /// `study` when one is named: the [`OTHER_STUDY`] rule on `file`.
    pub fn ingest_into(
        &self,
        who: &Who,
        arrival: Arrival,
        body: &mut dyn ByteSource,
        max_bytes: u64,
        study: Option<&Uid>,
    ) -> Result<Ingested> {
        let p = &self.ports;
        let id = ImageId::generate(p.ids.as_ref());
        let key = blob_key(id)?;
        let now = p.clock.now();
        p.repository.reserve_blob(&key, now + RESERVATION)?;
        let staged = match p.blobs.stage(body, max_bytes) {
            Ok(staged) => staged,
            Err(e) => {
                p.repository.forget_trash(std::slice::from_ref(&key))?;
                return Err(e);
            }
        };
        if staged.size == 0 {
            p.blobs.discard(staged)?;
            p.repository.forget_trash(std::slice::from_ref(&key))?;
            return Err(Error::field(FieldError::new(
                "file",
                "empty",
                Text::new(Key::ClinicDicomEmpty),
            )));
        }
        let blob = p.blobs.commit(staged, &key)?;
        match self.index(who, arrival, id, &key, blob, study) {
            Ok(done) => Ok(done),
            Err(e) => {
                // The row was not written: the bytes go now (or with the sweeper).
                p.delete_trashed(vec![key])?;
                Err(e)
            }
        }
    }

    fn index(
        &self,
        who: &Who,
        arrival: Arrival,
        id: ImageId,
        key: &BlobKey,
        blob: crate::kernel::blob::BlobInfo,
        study: Option<&Uid>,
    ) -> Result<Ingested> {
        let p = &self.ports;
        let mut file = p
            .blobs
            .open(key, 0)?
            .ok_or_else(|| Error::internal(format!("blob {key} vanished after its commit")))?;
        let meta = p
            .codec
            .inspect(&mut file.reader, file.size)
            .map_err(|r| refusal_error(&r))?;
        let identity = meta
            .identity()
            .map_err(|uid| refusal_error(&DicomRefusal::MissingUid(uid)))?;
        if let Some(study) = study.filter(|s| **s != identity.study_instance_uid) {
            return Err(Error::field(FieldError::new(
                "file",
                OTHER_STUDY,
                Text::new(Key::DicomwebOtherStudy)
                    .with("instance", identity.sop_instance_uid.as_str())
                    .with("class", identity.sop_class_uid.as_str())
                    .with("found", identity.study_instance_uid.as_str())
                    .with("study", study.as_str()),
            )));
        }
        let (patient_id, appointment_id) = p
            .repository
            .link(meta.patient_id.as_deref(), meta.accession_number.as_deref())?;
        let now = p.clock.now();
        let new = NewInstance {
            id,
            study_id: StudyId::generate(p.ids.as_ref()),
            series_id: SeriesId::generate(p.ids.as_ref()),
            identity,
            meta,
            patient_id,
            appointment_id,
            blob,
            arrival,
            received_by: who.actor.as_str().to_owned(),
            received_at: now,
        };
        let audit = who.audit(
            p.ids.as_ref(),
            now,
            AuditAction::ImageReceive,
            patient_id,
            Some(id.to_string()),
        );
        let event = ClinicEvent {
            kind: ClinicEventKind::DicomReceived,
            id: id.to_string(),
            patient_id,
            at: now,
            data: json!({
                "sop_instance_uid": new.identity.sop_instance_uid.as_str(),
                "study_instance_uid": new.identity.study_instance_uid.as_str(),
                "series_instance_uid": new.identity.series_instance_uid.as_str(),
                "modality": new.meta.modality,
                "accession_number": new.meta.accession_number,
                "appointment_id": appointment_id,
            }),
        };
        match p.repository.store_instance(&new, &audit, &event)? {
            Stored::Duplicate(existing) => {
                p.delete_trashed(vec![key.clone()])?;
                Ok(Ingested {
                    image: existing,
                    duplicate: true,
                    appointment_moved: false,
                })
            }
            Stored::New(image) => {
                let appointment_moved = match appointment_id {
                    Some(appointment) => p.appointments.advance_by_images(who, appointment)?,
                    None => false,
                };
                Ok(Ingested {
                    image,
                    duplicate: false,
                    appointment_moved,
                })
            }
        }
    }

    /// Deletes the bytes of keys whose time on the trash list has come (refused or interrupted
    /// receptions, deleted studies). A key whose bytes cannot be deleted now stays for the next run.
    pub fn sweep(&self, limit: u32) -> Result<Swept> {
        let p = &self.ports;
        let due = p.repository.trash_due(p.clock.now(), limit)?;
        p.delete_trashed(due)
    }
}

/// What a sweep did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Swept {
    pub deleted: usize,
    /// Keys whose bytes could not be deleted this time (they stay on the list).
    pub failed: usize,
}

/// Who a modality is in the audit log and the appointment history: `dicom:` and its calling AE
/// title.
pub fn dicom_who(calling_ae: &str) -> Result<Who> {
    let ae = calling_ae.trim();
    let ae = if ae.is_empty() { "unknown" } else { ae };
    Ok(Who {
        actor: crate::kernel::ids::ActorId::parse(&format!("dicom:{ae}"))?,
        roles: Vec::new(),
        request_id: None,
    })
}
