use std::sync::Arc;

use domain::identity::AuthService;
use domain::kernel::blob::BlobStore;
use domain::kernel::health::Readiness;
use domain::kernel::text::Translator;
use domain::notifications::{ContactService, OutboxService};
use domain::second_opinion::{
    AdminCaseService, CaseService, CatalogueService, PatientFlowService, PaymentService,
    ProCaseService, ProviderService,
};
use prometheus_client::registry::Registry;

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

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").finish_non_exhaustive()
    }
}
