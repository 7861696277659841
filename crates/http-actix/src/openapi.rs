//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::{admin, app, cases, health, operations};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Medical care platform API",
        description = "Second opinion (`/app` patients, `/pro` doctors and coordinators, `/admin` administrators), \
clinic (`/api`) and eHealth declarations (`/api/v3/declaration_requests`). Every surface takes an encrypted token in \
`Authorization` (bare hex or `Bearer <hex>`) whose audience names the surface. Second-opinion routes answer in \
envelope A: `{\"status\": 1000, \"message\", \"data\"}` with 1001 for server faults, 1002 for client errors and \
1003 for authentication or permission errors. The `lang` header (`1`/`ar` Arabic, anything else English) \
selects the language of user-facing text."
    ),
    paths(
        health::healthz, health::readyz,
        app::how, app::review_types, app::disease_categories,
        cases::save_review_case, cases::update_review_case, cases::review_cases,
        cases::review_case_details, cases::add_medical_documents, cases::contact_details,
        cases::update_contact_details,
        operations::process_draft_notifications, operations::notifications, operations::retry_notification,
        admin::list_review_types, admin::review_type_details, admin::create_review_type,
        admin::update_review_type, admin::activate_review_type, admin::deactivate_review_type,
        admin::list_disease_categories, admin::disease_category_details, admin::create_disease_category,
        admin::update_disease_category, admin::activate_disease_category, admin::deactivate_disease_category,
    ),
    modifiers(&TokenScheme),
    tags(
        (name = "app", description = "Patients (audience snr_usr)"),
        (name = "admin", description = "Second-opinion administrators (audience snr_admin)"),
        (name = "health", description = "Liveness and readiness"),
    )
)]
struct ApiDoc;

struct TokenScheme;

impl Modify for TokenScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "Encrypted token: lowercase hex of key id, nonce and XChaCha20-Poly1305 ciphertext of an \
HS256 JWT (see docs/auth.md). `Bearer ` prefix optional.",
            ))),
        );
    }
}

/// The OpenAPI document of every route.
pub fn api_doc() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc
}
