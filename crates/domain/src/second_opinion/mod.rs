//! The second-opinion service: a patient submits a case, an administrator assigns a coordinator, the
//! coordinator assigns specialist doctors, and the patient receives a final report.

pub mod case;
pub mod case_service;
pub mod catalogue;
pub mod copy;

pub use catalogue::{
    CatalogueFilter, CatalogueRepository, CatalogueService, DiseaseCategory, DiseaseCategoryPatch,
    NewDiseaseCategory, NewReviewType, ReviewType, ReviewTypeCard, ReviewTypePatch,
};

pub use case::{
    ActorRole, CaseAction, CaseRepository, CaseStatus, Gender, MedicalDocument, PatientAge,
    ReviewCase, TimelineEntry,
};
pub use case_service::{CaseInput, CaseService, REMINDER_AFTER, ReminderReport};

#[cfg(any(test, feature = "mock"))]
pub use case::MockCaseRepository;
#[cfg(any(test, feature = "mock"))]
pub use catalogue::MockCatalogueRepository;
