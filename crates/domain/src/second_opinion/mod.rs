//! The second-opinion service: a patient submits a case, an administrator assigns a coordinator, the
//! coordinator assigns specialist doctors, and the patient receives a final report.

pub mod admin_cases;
pub mod assignment;
pub mod case;
pub mod case_service;
pub mod catalogue;
pub mod copy;
pub mod flow;
pub mod patient_flow;
pub mod payment;
pub mod payments;
pub mod pro_cases;
pub mod provider;
pub mod report;
pub mod status;

pub use catalogue::{
    CatalogueFilter, CatalogueRepository, CatalogueService, DiseaseCategory, DiseaseCategoryPatch,
    NewDiseaseCategory, NewReviewType, ReviewType, ReviewTypeCard, ReviewTypePatch,
};

pub use admin_cases::{AdminCaseDetails, AdminCaseService, CaseQuery, CoordinatorOutcome};
pub use assignment::Assignment;
pub use case::{
    ActorRole, AssignmentRepository, CaseCommit, CaseFilter, CaseRepository, Gender, MAX_DOCUMENTS,
    MedicalDocument, PatientAge, PaymentConfirmation, ReportKeys, ReviewCase, TimelineEntry,
    TimelineEvent,
};
pub use case_service::{CaseInput, CaseService, REMINDER_AFTER, ReminderReport};
pub use flow::CaseFlow;
pub use patient_flow::{CaseProgress, DocumentRequest, PatientFlowService, ReviewWindow};
pub use payment::{
    PaidBy, Payment, PaymentEvent, PaymentGateway, PaymentRepository, PaymentStatus, WebhookRefusal,
};
pub use payments::{PAYMENT_SUCCEEDED, PaymentService, WebhookOutcome};
pub use pro_cases::{ProCaseService, ReportParts};
pub use provider::{
    Eligibility, Provider, ProviderFilter, ProviderInput, ProviderRepository, ProviderService,
    SyncReport,
};
pub use status::{CaseAction, CaseStatus};

#[cfg(any(test, feature = "mock"))]
pub use case::{MockAssignmentRepository, MockCaseRepository};
#[cfg(any(test, feature = "mock"))]
pub use catalogue::MockCatalogueRepository;
#[cfg(any(test, feature = "mock"))]
pub use payment::{MockPaymentGateway, MockPaymentRepository};
#[cfg(any(test, feature = "mock"))]
pub use provider::MockProviderRepository;

/// Tests of the case flow's services (admin, payments, pro, patient) against mocks of the ports.
#[cfg(test)]
mod flow_tests;
