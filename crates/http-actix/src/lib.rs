//! The HTTP adapter.
//!
//! Thin by design: a handler parses the request, calls one domain service on a blocking thread, and
//! shapes the answer into its surface's envelope. Business rules live in `domain`; this crate owns
//! only what is HTTP: routes, token extraction, envelopes, status codes, request ids and the OpenAPI
//! document.

mod body;
mod clinic_guard;
mod cors;
mod docs_page;
pub mod envelope;
mod error;
pub mod event_hub;
mod extract;
pub mod i18n;
mod metrics;
mod money;
mod openapi;
mod request_id;
mod routes;
mod server;
mod state;
mod stream;
mod surface;
mod upload_form;
pub mod viewer;
mod viewer_page;

pub use error::ApiError;
pub use metrics::HttpMetrics;
pub use openapi::api_doc;
pub use routes::{RouteDef, all as all_routes};
pub use server::{HttpConfig, build_metrics_server, build_server};
pub use state::{AppState, ClinicServices, DeclarationServices, UploadLinks};
pub use surface::{Admin, App, Clinic, Ehealth, EnvelopeKind, Pro, Surface};
