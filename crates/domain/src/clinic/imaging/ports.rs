//! The imaging ports: the study index with its blob bookkeeping, and the worklist.
//!
//! Files and rows are kept consistent through a trash list in the database: a blob key is put on
//! it (due later) before its bytes are written and taken off in the transaction that indexes them;
//! deleting a study moves its keys onto it (due at once) in the transaction that removes the rows.
//! Whatever a crash interrupts, the sweeper finds on the list and deletes, so that neither orphan
//! files nor rows pointing at missing files survive.

use time::{Date, OffsetDateTime};

use super::index::{Image, NewInstance, Stored, StudyDetails, StudyFilter};
use super::worklist::WorklistEntry;
use crate::Result;
use crate::clinic::audit::AuditEntry;
use crate::clinic::events::ClinicEvent;
use crate::clinic::ids::{AppointmentId, ImageId, PatientId, StudyId};
use crate::kernel::blob::BlobKey;
use crate::kernel::paging::{Page, PageRequest};

use super::index::{Series, Study};
use super::qido::QidoQuery;

/// The study index.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait ImagingRepository: Send + Sync {
    /// The clinic patient whose MRN is `mrn` (soft-deleted ones too), and the appointment whose
    /// accession number is `accession`.
    fn link<'a>(
        &self,
        mrn: Option<&'a str>,
        accession: Option<&'a str>,
    ) -> Result<(Option<PatientId>, Option<AppointmentId>)>;
    /// Puts `key` on the trash list, due at `due`, before its bytes are written.
    fn reserve_blob(&self, key: &BlobKey, due: OffsetDateTime) -> Result<()>;
    /// In one transaction: the study and series created (or their counts and modalities updated),
    /// the instance inserted, its blob key taken off the trash list, the audit entry and the event
    /// written. An instance with the same SOP Instance UID already indexed: nothing is written
    /// and the answer is [`Stored::Duplicate`] with the existing instance.
    fn store_instance(
        &self,
        new: &NewInstance,
        audit: &AuditEntry,
        event: &ClinicEvent,
    ) -> Result<Stored>;
    fn list_studies(&self, filter: &StudyFilter, page: PageRequest) -> Result<Page<Study>>;
    fn find_study(&self, id: StudyId) -> Result<Option<StudyDetails>>;
    /// A study's instances, by series number, instance number, then arrival.
    fn study_images(&self, id: StudyId, page: PageRequest) -> Result<Page<Image>>;
    fn find_image(&self, id: ImageId) -> Result<Option<Image>>;
    /// The cached thumbnail of `id` with long side `size`.
    fn thumbnail(&self, id: ImageId, size: u32) -> Result<Option<BlobKey>>;
    /// Records a cached thumbnail (taking its key off the trash list); false when the image is
    /// gone (the key stays on the list).
    fn save_thumbnail(&self, id: ImageId, size: u32, key: &BlobKey) -> Result<bool>;
    /// In one transaction: the study, its series, instances and thumbnails removed, their blob
    /// keys put on the trash list due at `at`, the audit entry written. `None`: no such study.
    fn delete_study(
        &self,
        id: StudyId,
        at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> Result<Option<Vec<BlobKey>>>;
    /// QIDO-RS: the studies a search selects, newest first, its offset and limit applied.
    fn search_studies(&self, query: &QidoQuery) -> Result<Vec<Study>>;
    /// QIDO-RS: the series a search selects, each with its study, in study order.
    fn search_series(&self, query: &QidoQuery) -> Result<Vec<(Study, Series)>>;
    /// QIDO-RS: the instances a search selects, each with its series and study.
    fn search_instances(&self, query: &QidoQuery) -> Result<Vec<(Study, Series, Image)>>;
    /// Keys on the trash list due at or before `now`, oldest first, at most `limit`.
    fn trash_due(&self, now: OffsetDateTime, limit: u32) -> Result<Vec<BlobKey>>;
    /// Takes keys off the trash list (their bytes are gone).
    fn forget_trash(&self, keys: &[BlobKey]) -> Result<()>;
}

/// The published worklist.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait WorklistRepository: Send + Sync {
    /// Publishes `entry` with its audit entry in one transaction. An entry already published for
    /// the same appointment is replaced, keeping its id, Study Instance UID and step id (what a
    /// modality may already hold); the answer is the entry as stored.
    fn publish(&self, entry: &WorklistEntry, audit: &AuditEntry) -> Result<WorklistEntry>;
    /// The entry published for an appointment.
    fn for_appointment(&self, id: AppointmentId) -> Result<Option<WorklistEntry>>;
    /// The entries a modality may still act on: those of appointments not yet in `review`,
    /// `completed`, `cancelled` or `no_show`, and those published for a patient alone whose day
    /// is `today` or later. Ordered by start date and time.
    fn active(&self, today: Date) -> Result<Vec<WorklistEntry>>;
    /// A fresh accession number (`ACC` and 10 digits) from the counter appointments use, for an
    /// entry published for a patient alone.
    fn next_accession(&self) -> Result<String>;
}
