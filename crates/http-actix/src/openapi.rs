//! The OpenAPI 3.1 document, built from the route list: every served route, and only those.

use utoipa::openapi::path::{PathItem, Paths};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes;

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
    components(schemas(
        crate::envelope::ErrorA,
        crate::envelope::ErrorB,
        crate::envelope::ErrorC,
    )),
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
    let mut paths = Paths::new();
    let mut schemas = Vec::new();
    for def in routes::all() {
        def.schemas(&mut schemas);
        let method = routes::http_method(&def.method);
        let item = PathItem::new(method, def.operation);
        match paths.paths.get_mut(&def.path) {
            Some(existing) => existing.merge_operations(item),
            None => {
                paths.paths.insert(def.path, item);
            }
        }
    }
    doc.paths = paths;
    let components = doc.components.get_or_insert_with(Default::default);
    components.schemas.extend(schemas);
    doc
}
