//! `/admin` disease categories (audience `snr_admin`), envelope A: the same upkeep as review types
//! in [`super::admin`].

use actix_web::{HttpResponse, web};
use domain::kernel::ids::DiseaseCategoryId;
use domain::kernel::text::Key;
use domain::kernel::time::format_rfc3339;
use domain::second_opinion::{DiseaseCategory, DiseaseCategoryPatch, NewDiseaseCategory};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::body::JsonBody;
use crate::envelope::{self, EnvelopeA, EnvelopeAList, ErrorA};
use crate::error::ApiError;
use crate::extract::Authenticated;
use crate::state::AppState;
use crate::surface::Admin;

use super::admin::CatalogueListRequest;
use super::wire::Lengths;

type Result<T = HttpResponse> = std::result::Result<T, ApiError<Admin>>;
type Body<T> = JsonBody<T, Admin>;
type Data = web::Data<AppState>;

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminDiseaseCategory {
    pub dc_id: uuid::Uuid,
    pub speciality_en: String,
    pub speciality_ar: String,
    pub active: bool,
    #[schema(format = DateTime)]
    pub created_date: String,
    #[schema(format = DateTime)]
    pub updated_date: String,
}

impl From<DiseaseCategory> for AdminDiseaseCategory {
    fn from(dc: DiseaseCategory) -> Self {
        Self {
            dc_id: dc.id.as_uuid(),
            speciality_en: dc.speciality_en,
            speciality_ar: dc.speciality_ar,
            active: dc.active,
            created_date: format_rfc3339(dc.created_date),
            updated_date: format_rfc3339(dc.updated_date),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDiseaseCategoryRequest {
    /// Trimmed; unique ignoring ASCII case (409 otherwise).
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\u0000]*[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000][^\u0000]*$"
    )]
    pub speciality_en: String,
    /// Trimmed; unique (409 otherwise).
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\u0000]*[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000][^\u0000]*$"
    )]
    pub speciality_ar: String,
    /// Default true.
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DcIdRequest {
    #[schema(format = Uuid)]
    pub dc_id: String,
}

/// Absent (or null) fields keep their value.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateDiseaseCategoryRequest {
    #[schema(format = Uuid)]
    pub dc_id: String,
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\u0000]*[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000][^\u0000]*$"
    )]
    pub speciality_en: Option<String>,
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\u0000]*[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000][^\u0000]*$"
    )]
    pub speciality_ar: Option<String>,
    pub active: Option<bool>,
}

/// Disease categories, all or filtered, paginated.
#[utoipa::path(post, path = "/admin/disease-categories", tag = "admin", request_body = CatalogueListRequest,
    responses((status = 200, body = EnvelopeAList<AdminDiseaseCategory>, description = "A page of disease categories")),
    security(("token" = [])))]
pub async fn list_disease_categories(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<CatalogueListRequest>,
) -> Result {
    let body = admin.check(body.parse()).await?;
    let page = admin.check(body.page()).await?;
    let result = admin
        .run(move |_| {
            state
                .catalogue
                .list_disease_categories(body.active, body.q.as_deref(), page)
        })
        .await?;
    Ok(envelope::a_list(result, AdminDiseaseCategory::from))
}

/// One disease category.
#[utoipa::path(post, path = "/admin/disease-category-details", tag = "admin", request_body = DcIdRequest,
    responses(
        (status = 200, body = EnvelopeA<AdminDiseaseCategory>, description = "The disease category"),
        (status = 404, body = ErrorA, description = "No disease category has this id"),
    ),
    security(("token" = [])))]
pub async fn disease_category_details(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<DcIdRequest>,
) -> Result {
    let b = admin.check(body.parse()).await?;
    let id = admin
        .check(DiseaseCategoryId::parse("dc_id", &b.dc_id))
        .await?;
    let dc = admin
        .run(move |_| state.catalogue.disease_category(id))
        .await?;
    Ok(envelope::a_ok(Key::Ok, AdminDiseaseCategory::from(dc)))
}

/// Creates a disease category. A speciality already used is 409.
#[utoipa::path(post, path = "/admin/create-disease-category", tag = "admin", request_body = CreateDiseaseCategoryRequest,
    responses(
        (status = 200, body = EnvelopeA<AdminDiseaseCategory>, description = "The disease category created"),
        (status = 409, body = ErrorA, description = "A disease category already has this English or Arabic speciality"),
    ),
    security(("token" = [])))]
pub async fn create_disease_category(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<CreateDiseaseCategoryRequest>,
) -> Result {
    let b = admin.check(body.parse()).await?;
    let lengths = Lengths::new()
        .between("speciality_en", Some(&b.speciality_en), 120)
        .between("speciality_ar", Some(&b.speciality_ar), 120);
    admin.check(lengths.finish()).await?;
    let new = NewDiseaseCategory {
        speciality_en: b.speciality_en,
        speciality_ar: b.speciality_ar,
        active: b.active,
    };
    let dc = admin
        .run(move |_| state.catalogue.create_disease_category(new))
        .await?;
    Ok(envelope::a_ok(
        Key::DiseaseCategoryCreated,
        AdminDiseaseCategory::from(dc),
    ))
}

/// Changes a disease category; absent fields keep their value.
#[utoipa::path(post, path = "/admin/update-disease-category", tag = "admin", request_body = UpdateDiseaseCategoryRequest,
    responses(
        (status = 200, body = EnvelopeA<AdminDiseaseCategory>, description = "The disease category as saved"),
        (status = 404, body = ErrorA, description = "No disease category has this id"),
        (status = 409, body = ErrorA, description = "Another disease category has this English or Arabic speciality"),
    ),
    security(("token" = [])))]
pub async fn update_disease_category(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<UpdateDiseaseCategoryRequest>,
) -> Result {
    let b = admin.check(body.parse()).await?;
    let id = admin
        .check(DiseaseCategoryId::parse("dc_id", &b.dc_id))
        .await?;
    let lengths = Lengths::new()
        .between("speciality_en", b.speciality_en.as_deref(), 120)
        .between("speciality_ar", b.speciality_ar.as_deref(), 120);
    admin.check(lengths.finish()).await?;
    let patch = DiseaseCategoryPatch {
        speciality_en: b.speciality_en,
        speciality_ar: b.speciality_ar,
        active: b.active,
    };
    let dc = admin
        .run(move |_| state.catalogue.update_disease_category(id, patch))
        .await?;
    Ok(envelope::a_ok(
        Key::DiseaseCategoryUpdated,
        AdminDiseaseCategory::from(dc),
    ))
}

async fn set_disease_category_active(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<DcIdRequest>,
    active: bool,
) -> Result {
    let b = admin.check(body.parse()).await?;
    let id = admin
        .check(DiseaseCategoryId::parse("dc_id", &b.dc_id))
        .await?;
    let dc = admin
        .run(move |_| state.catalogue.set_disease_category_active(id, active))
        .await?;
    let message = if active {
        Key::DiseaseCategoryActivated
    } else {
        Key::DiseaseCategoryDeactivated
    };
    Ok(envelope::a_ok(message, AdminDiseaseCategory::from(dc)))
}

/// Shows a disease category to patients again. Idempotent.
#[utoipa::path(post, path = "/admin/activate-disease-category", tag = "admin", request_body = DcIdRequest,
    responses(
        (status = 200, body = EnvelopeA<AdminDiseaseCategory>, description = "The disease category, active"),
        (status = 404, body = ErrorA, description = "No disease category has this id"),
    ),
    security(("token" = [])))]
pub async fn activate_disease_category(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<DcIdRequest>,
) -> Result {
    set_disease_category_active(admin, state, body, true).await
}

/// Hides a disease category from patients and new cases. Idempotent.
#[utoipa::path(post, path = "/admin/deactivate-disease-category", tag = "admin", request_body = DcIdRequest,
    responses(
        (status = 200, body = EnvelopeA<AdminDiseaseCategory>, description = "The disease category, inactive"),
        (status = 404, body = ErrorA, description = "No disease category has this id"),
    ),
    security(("token" = [])))]
pub async fn deactivate_disease_category(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<DcIdRequest>,
) -> Result {
    set_disease_category_active(admin, state, body, false).await
}
