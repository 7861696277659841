//! The second-opinion service: a patient submits a case, an administrator assigns a coordinator, the
//! coordinator assigns specialist doctors, and the patient receives a final report.

pub mod case;
pub mod case_service;
pub mod catalogue;
pub mod copy;
pub mod status;

pub use catalogue::{
    CatalogueFilter, CatalogueRepository, CatalogueService, DiseaseCategory, DiseaseCategoryPatch,
    NewDiseaseCategory, NewReviewType, ReviewType, ReviewTypeCard, ReviewTypePatch,
};

pub use case::{
    ActorRole, CaseRepository, Gender, MAX_DOCUMENTS, MedicalDocument, PatientAge, ReviewCase,
    TimelineEntry, TimelineEvent,
};
pub use case_service::{CaseInput, CaseService, REMINDER_AFTER, ReminderReport};
pub use status::{CaseAction, CaseStatus};

#[cfg(any(test, feature = "mock"))]
pub use case::MockCaseRepository;
#[cfg(any(test, feature = "mock"))]
pub use catalogue::MockCatalogueRepository;
