//! `/admin`: second-opinion administrators (audience `snr_admin`), envelope A.
//!
//! Catalogue upkeep: review types and disease categories. Deactivating hides a row from patients'
//! pickers and from new cases but keeps it for the cases that already name it.

use actix_web::{HttpResponse, web};
use domain::kernel::ids::{DiseaseCategoryId, ReviewTypeId};
use domain::kernel::paging::PageRequest;
use domain::kernel::text::Key;
use domain::kernel::time::format_rfc3339;
use domain::second_opinion::{
    DiseaseCategory, DiseaseCategoryPatch, NewDiseaseCategory, NewReviewType, ReviewType,
    ReviewTypePatch,
};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use crate::body::JsonBody;
use crate::envelope::{self, EnvelopeA, EnvelopeAList, ErrorA};
use crate::error::ApiError;
use crate::extract::Authenticated;
use crate::money::{Amount, Price};
use crate::state::AppState;
use crate::surface::Admin;

type Result<T = HttpResponse> = std::result::Result<T, ApiError<Admin>>;
type Body<T> = JsonBody<T, Admin>;
type Data = web::Data<AppState>;

/// A list request: paging, an optional active filter and an optional search.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogueListRequest {
    /// From 1; default 1.
    pub page: Option<i64>,
    /// Default 15, at most 100 (larger values are clamped).
    pub page_size: Option<i64>,
    /// true: active rows only; false: inactive only; absent: both.
    pub active: Option<bool>,
    /// A part of the English or Arabic name, any case.
    pub q: Option<String>,
}

impl CatalogueListRequest {
    fn page(&self) -> Result<PageRequest> {
        Ok(PageRequest::from_client(
            self.page,
            self.page_size,
            "page_size",
        )?)
    }
}

// ---------------------------------------------------------------------------------------------
// Review types

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminReviewType {
    pub rt_id: uuid::Uuid,
    pub name_en: String,
    pub name_ar: String,
    pub description_en: String,
    pub description_ar: String,
    pub min_review_days: i32,
    pub max_review_days: i32,
    pub doctor_count: i32,
    /// In major units of `currency`, e.g. 900 or 900.5.
    #[schema(value_type = f64)]
    pub price: Price,
    pub currency: String,
    pub icon: Option<String>,
    pub active: bool,
    pub created_date: String,
    pub updated_date: String,
}

impl From<ReviewType> for AdminReviewType {
    fn from(rt: ReviewType) -> Self {
        Self {
            rt_id: rt.id.as_uuid(),
            price: Price(rt.price),
            currency: rt.price.currency().to_string(),
            name_en: rt.name_en,
            name_ar: rt.name_ar,
            description_en: rt.description_en,
            description_ar: rt.description_ar,
            min_review_days: rt.min_review_days,
            max_review_days: rt.max_review_days,
            doctor_count: rt.doctor_count,
            icon: rt.icon,
            active: rt.active,
            created_date: format_rfc3339(rt.created_date),
            updated_date: format_rfc3339(rt.updated_date),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateReviewTypeRequest {
    pub name_en: String,
    pub name_ar: String,
    #[serde(default)]
    pub description_en: String,
    #[serde(default)]
    pub description_ar: String,
    /// 1 to 365, not above `max_review_days`.
    pub min_review_days: i32,
    /// 1 to 365.
    pub max_review_days: i32,
    /// How many specialist doctors review a case: 1 to 50.
    pub doctor_count: i32,
    /// 0 to 1,000,000, with at most as many decimals as the currency's minor unit (2 for USD).
    #[schema(value_type = f64, minimum = 0, maximum = 1000000)]
    pub price: Amount,
    /// ISO 4217; default USD.
    pub currency: Option<String>,
    /// An icon name (a-z, 0-9, `_`, `-`); patients see "document" when unset.
    pub icon: Option<String>,
    /// Default true.
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RtIdRequest {
    pub rt_id: String,
}

/// Absent fields keep their value. `icon: null` clears the icon.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateReviewTypeRequest {
    pub rt_id: String,
    pub name_en: Option<String>,
    pub name_ar: Option<String>,
    pub description_en: Option<String>,
    pub description_ar: Option<String>,
    pub min_review_days: Option<i32>,
    pub max_review_days: Option<i32>,
    pub doctor_count: Option<i32>,
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000)]
    pub price: Option<Amount>,
    pub currency: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub icon: Option<Option<String>>,
    pub active: Option<bool>,
}

/// Tells "absent" (`None`) from "null" (`Some(None)`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> std::result::Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Review types, all or filtered, paginated.
#[utoipa::path(post, path = "/admin/review-types", tag = "admin", request_body = CatalogueListRequest,
    responses((status = 200, body = EnvelopeAList<AdminReviewType>), (status = 400, body = ErrorA), (status = 401, body = ErrorA)),
    security(("token" = [])))]
pub async fn list_review_types(
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
                .list_review_types(body.active, body.q.as_deref(), page)
        })
        .await?;
    Ok(envelope::a_list(result, AdminReviewType::from))
}

/// One review type.
#[utoipa::path(post, path = "/admin/review-type-details", tag = "admin", request_body = RtIdRequest,
    responses((status = 200, body = EnvelopeA<AdminReviewType>), (status = 404, body = ErrorA)),
    security(("token" = [])))]
pub async fn review_type_details(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<RtIdRequest>,
) -> Result {
    let b = admin.check(body.parse()).await?;
    let id = admin.check(ReviewTypeId::parse("rt_id", &b.rt_id)).await?;
    let rt = admin.run(move |_| state.catalogue.review_type(id)).await?;
    Ok(envelope::a_ok(Key::Ok, AdminReviewType::from(rt)))
}

/// Creates a review type. A name already used (English ignoring case, or Arabic) is 409.
#[utoipa::path(post, path = "/admin/create-review-type", tag = "admin", request_body = CreateReviewTypeRequest,
    responses((status = 200, body = EnvelopeA<AdminReviewType>), (status = 400, body = ErrorA), (status = 409, body = ErrorA)),
    security(("token" = [])))]
pub async fn create_review_type(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<CreateReviewTypeRequest>,
) -> Result {
    let b = admin.check(body.parse()).await?;
    let new = NewReviewType {
        name_en: b.name_en,
        name_ar: b.name_ar,
        description_en: b.description_en,
        description_ar: b.description_ar,
        min_review_days: b.min_review_days,
        max_review_days: b.max_review_days,
        doctor_count: b.doctor_count,
        price: b.price.0,
        currency: b.currency,
        icon: b.icon,
        active: b.active,
    };
    let rt = admin
        .run(move |_| state.catalogue.create_review_type(new))
        .await?;
    Ok(envelope::a_ok(
        Key::ReviewTypeCreated,
        AdminReviewType::from(rt),
    ))
}

/// Changes a review type; absent fields keep their value.
#[utoipa::path(post, path = "/admin/update-review-type", tag = "admin", request_body = UpdateReviewTypeRequest,
    responses((status = 200, body = EnvelopeA<AdminReviewType>), (status = 400, body = ErrorA), (status = 404, body = ErrorA), (status = 409, body = ErrorA)),
    security(("token" = [])))]
pub async fn update_review_type(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<UpdateReviewTypeRequest>,
) -> Result {
    let b = admin.check(body.parse()).await?;
    let id = admin.check(ReviewTypeId::parse("rt_id", &b.rt_id)).await?;
    let patch = ReviewTypePatch {
        name_en: b.name_en,
        name_ar: b.name_ar,
        description_en: b.description_en,
        description_ar: b.description_ar,
        min_review_days: b.min_review_days,
        max_review_days: b.max_review_days,
        doctor_count: b.doctor_count,
        price: b.price.map(|p| p.0),
        currency: b.currency,
        icon: b.icon,
        active: b.active,
    };
    let rt = admin
        .run(move |_| state.catalogue.update_review_type(id, patch))
        .await?;
    Ok(envelope::a_ok(
        Key::ReviewTypeUpdated,
        AdminReviewType::from(rt),
    ))
}

async fn set_review_type_active(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<RtIdRequest>,
    active: bool,
) -> Result {
    let b = admin.check(body.parse()).await?;
    let id = admin.check(ReviewTypeId::parse("rt_id", &b.rt_id)).await?;
    let rt = admin
        .run(move |_| state.catalogue.set_review_type_active(id, active))
        .await?;
    let message = if active {
        Key::ReviewTypeActivated
    } else {
        Key::ReviewTypeDeactivated
    };
    Ok(envelope::a_ok(message, AdminReviewType::from(rt)))
}

/// Shows a review type to patients again. Idempotent.
#[utoipa::path(post, path = "/admin/activate-review-type", tag = "admin", request_body = RtIdRequest,
    responses((status = 200, body = EnvelopeA<AdminReviewType>), (status = 404, body = ErrorA)),
    security(("token" = [])))]
pub async fn activate_review_type(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<RtIdRequest>,
) -> Result {
    set_review_type_active(admin, state, body, true).await
}

/// Hides a review type from patients and new cases. Idempotent.
#[utoipa::path(post, path = "/admin/deactivate-review-type", tag = "admin", request_body = RtIdRequest,
    responses((status = 200, body = EnvelopeA<AdminReviewType>), (status = 404, body = ErrorA)),
    security(("token" = [])))]
pub async fn deactivate_review_type(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<RtIdRequest>,
) -> Result {
    set_review_type_active(admin, state, body, false).await
}

// ---------------------------------------------------------------------------------------------
// Disease categories

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminDiseaseCategory {
    pub dc_id: uuid::Uuid,
    pub speciality_en: String,
    pub speciality_ar: String,
    pub active: bool,
    pub created_date: String,
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
    pub speciality_en: String,
    pub speciality_ar: String,
    /// Default true.
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DcIdRequest {
    pub dc_id: String,
}

/// Absent fields keep their value.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateDiseaseCategoryRequest {
    pub dc_id: String,
    pub speciality_en: Option<String>,
    pub speciality_ar: Option<String>,
    pub active: Option<bool>,
}

/// Disease categories, all or filtered, paginated.
#[utoipa::path(post, path = "/admin/disease-categories", tag = "admin", request_body = CatalogueListRequest,
    responses((status = 200, body = EnvelopeAList<AdminDiseaseCategory>), (status = 400, body = ErrorA)),
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
    responses((status = 200, body = EnvelopeA<AdminDiseaseCategory>), (status = 404, body = ErrorA)),
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
    responses((status = 200, body = EnvelopeA<AdminDiseaseCategory>), (status = 400, body = ErrorA), (status = 409, body = ErrorA)),
    security(("token" = [])))]
pub async fn create_disease_category(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<CreateDiseaseCategoryRequest>,
) -> Result {
    let b = admin.check(body.parse()).await?;
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
    responses((status = 200, body = EnvelopeA<AdminDiseaseCategory>), (status = 400, body = ErrorA), (status = 404, body = ErrorA), (status = 409, body = ErrorA)),
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
    responses((status = 200, body = EnvelopeA<AdminDiseaseCategory>), (status = 404, body = ErrorA)),
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
    responses((status = 200, body = EnvelopeA<AdminDiseaseCategory>), (status = 404, body = ErrorA)),
    security(("token" = [])))]
pub async fn deactivate_disease_category(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<DcIdRequest>,
) -> Result {
    set_disease_category_active(admin, state, body, false).await
}
