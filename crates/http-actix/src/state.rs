use std::sync::Arc;

use domain::clinic::imaging::dicomweb::DicomwebService;
use domain::clinic::imaging::{IngestService, StudyService, WorklistService};
use domain::clinic::{AppointmentService, AuditRepository, PatientService};
use domain::clinic::{AuditService, ReportPdfService, ReportQueryService, ReportWriteService};
use domain::clinic::{LoginService, StaffService};
use domain::declarations::{
    ApproveService, ChainAudit, CreateService, QueryService, RejectService, ResendOtpService,
    SignService,
};
use domain::documents::{DocumentService, PatientDocumentService};
use domain::identity::AuthService;
use domain::kernel::blob::BlobKey;
use domain::kernel::blob::BlobStore;
use domain::kernel::health::Readiness;
use domain::kernel::text::Translator;
use domain::notifications::{ContactService, OutboxService};
use domain::second_opinion::{
    AdminCaseService, CaseService, CatalogueService, PatientFlowService, PaymentService,
    ProCaseService, ProviderService,
};
use prometheus_client::registry::Registry;

use crate::event_hub::EventHub;
use crate::metrics::HttpMetrics;

/// The domain services handlers call. Built by the server, which alone knows the adapters.
#[derive(Clone)]
pub struct AppState {
    pub auth: AuthService,
    pub catalogue: CatalogueService,
    pub cases: CaseService,
    /// The patient's side after submission: progress, document requests, the report.
    pub patient_flow: PatientFlowService,
    pub admin_cases: AdminCaseService,
    pub pro_cases: ProCaseService,
    pub providers: ProviderService,
    pub payments: PaymentService,
    pub contacts: ContactService,
    pub outbox: OutboxService,
    /// Uploaded documents: uploads, the keys cases name, signed links.
    pub documents: DocumentService,
    /// The eHealth declaration requests.
    pub declarations: DeclarationServices,
    /// The clinic.
    pub clinic: ClinicServices,
    /// Checks the declarations chain (administrators).
    pub chain: Arc<dyn ChainAudit>,
    pub readiness: Arc<dyn Readiness>,
    /// Where files are kept.
    pub blobs: Arc<dyn BlobStore>,
    /// Puts every message into the caller's language.
    pub translator: Arc<dyn Translator>,
    /// What this adapter counts.
    pub metrics: HttpMetrics,
    /// Every metric of the process, for `/metrics`.
    pub registry: Arc<Registry>,
}

/// The services of the clinic surface.
#[derive(Clone)]
pub struct ClinicServices {
    /// The audit log, for reads (writes record theirs in their own transaction).
    pub audit: Arc<dyn AuditRepository>,
    /// The staff connected to this instance's event stream.
    pub events: Arc<EventHub>,
    // Clinic: staff accounts and sign-in.
    /// Signing in and out.
    pub login: LoginService,
    /// Staff accounts.
    pub staff: StaffService,
    // Clinic: patients and appointments.
    pub patients: PatientService,
    pub appointments: AppointmentService,
    // Clinic: reports, the audit log, events.
    /// Reading reports.
    pub reports: ReportQueryService,
    /// Writing reports: create, update, finalize, delete.
    pub report_writes: ReportWriteService,
    /// Printing reports.
    pub report_pdf: ReportPdfService,
    /// Reading the audit log (administrators).
    pub audit_log: AuditService,
    // Clinic: imaging.
    /// Taking DICOM files in (uploads; the listener uses the same service).
    pub ingest: IngestService,
    /// Reading and deleting studies and images.
    pub studies: StudyService,
    /// Publishing the modality worklist.
    pub worklist: WorklistService,
    /// The largest DICOM file taken.
    pub dicom_max_bytes: u64,
    // Clinic: documents.
    /// A patient's documents.
    pub documents: PatientDocumentService,
    // Clinic: DICOMweb.
    pub dicomweb: DicomwebService,
    /// The DICOMweb root as clients reach it (`https://host/dicomweb`), for `RetrieveURL`s.
    pub dicomweb_root: String,
}

impl std::fmt::Debug for ClinicServices {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClinicServices").finish_non_exhaustive()
    }
}

/// The services of the eHealth surface, and the check of its upload links.
#[derive(Clone)]
pub struct DeclarationServices {
    pub create: CreateService,
    pub approve: ApproveService,
    pub reject: RejectService,
    pub resend: ResendOtpService,
    pub sign: SignService,
    pub queries: QueryService,
    pub upload_links: Arc<dyn UploadLinks>,
}

impl std::fmt::Debug for DeclarationServices {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeclarationServices")
            .finish_non_exhaustive()
    }
}

/// Checks the upload links a person's documents come through (the link is the permission: the
/// `PUT` carries no token).
pub trait UploadLinks: Send + Sync {
    /// Whether a `PUT` of `key` with the link's `expires` (Unix seconds) and `signature` may be
    /// taken now; `Err` says why not, for the log only.
    fn check(&self, key: &BlobKey, expires: i64, signature: &str) -> Result<(), String>;
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").finish_non_exhaustive()
    }
}
