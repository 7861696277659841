//! `/admin`: second-opinion administrators (audience `snr_admin`), envelope A.
//!
//! Catalogue upkeep: review types here, disease categories in [`super::admin_categories`].
//! Deactivating hides a row from patients' pickers and from new cases but keeps it for the cases
//! that already name it.

use actix_web::{HttpResponse, web};
use domain::kernel::ids::ReviewTypeId;
use domain::kernel::paging::PageRequest;
use domain::kernel::text::Key;
use domain::kernel::time::format_rfc3339;
use domain::second_opinion::{NewReviewType, ReviewType, ReviewTypePatch};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use crate::body::JsonBody;
use crate::envelope::{self, EnvelopeA, EnvelopeAList, ErrorA};
use crate::error::ApiError;
use crate::extract::Authenticated;
use crate::money::{Amount, Price};
use crate::state::AppState;
use crate::surface::Admin;

use super::wire::{Lengths, whole, whole_opt};

type Result<T = HttpResponse> = std::result::Result<T, ApiError<Admin>>;
type Body<T> = JsonBody<T, Admin>;
type Data = web::Data<AppState>;

/// A list request: paging, an optional active filter and an optional search.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogueListRequest {
    /// From 1; default 1.
    #[serde(default, deserialize_with = "whole_opt")]
    #[schema(minimum = 1, maximum = 4294967295u32)]
    pub page: Option<i64>,
    /// From 1; default 15; values above 100 are taken as 100.
    #[serde(default, deserialize_with = "whole_opt")]
    #[schema(minimum = 1, maximum = 9223372036854775807i64)]
    pub page_size: Option<i64>,
    /// true: active rows only; false: inactive only; absent or null: both.
    pub active: Option<bool>,
    /// A part of the English or Arabic name, any case; trimmed, blank or null is no filter. At most
    /// 100 characters.
    #[schema(max_length = 100, pattern = r"^[^\u0000]*$")]
    pub q: Option<String>,
}

impl CatalogueListRequest {
    pub(super) fn page(&self) -> Result<PageRequest> {
        Lengths::new()
            .at_most("q", self.q.as_deref(), 100)
            .finish()?;
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
    #[schema(minimum = 1, maximum = 365)]
    pub min_review_days: i32,
    #[schema(minimum = 1, maximum = 365)]
    pub max_review_days: i32,
    #[schema(minimum = 1, maximum = 50)]
    pub doctor_count: i32,
    /// In major units of `currency`, e.g. 900 or 900.5.
    #[schema(value_type = f64, minimum = 0, maximum = 1000000)]
    pub price: Price,
    /// ISO 4217.
    #[schema(pattern = r"^[A-Z]{3}$")]
    pub currency: String,
    #[schema(pattern = r"^[a-z0-9_-]{1,40}$")]
    pub icon: Option<String>,
    pub active: bool,
    #[schema(format = DateTime)]
    pub created_date: String,
    #[schema(format = DateTime)]
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

/// A new review type. Two rules span fields, so the document cannot state them and a request that
/// breaks one is 400: `min_review_days` must not be above `max_review_days`, and `price` must have
/// no more decimals than `currency`'s minor unit (2 for USD, 3 for KWD, 0 for JPY). Text is trimmed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateReviewTypeRequest {
    /// Unique ignoring ASCII case (409 otherwise).
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\u0000]*[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000][^\u0000]*$"
    )]
    pub name_en: String,
    /// Unique (409 otherwise).
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\u0000]*[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000][^\u0000]*$"
    )]
    pub name_ar: String,
    /// Default empty.
    #[serde(default)]
    #[schema(max_length = 1000, pattern = r"^[^\u0000]*$")]
    pub description_en: String,
    /// Default empty.
    #[serde(default)]
    #[schema(max_length = 1000, pattern = r"^[^\u0000]*$")]
    pub description_ar: String,
    /// 1 to 365, not above `max_review_days`.
    #[serde(deserialize_with = "whole")]
    #[schema(minimum = 1, maximum = 365)]
    pub min_review_days: i32,
    /// 1 to 365.
    #[serde(deserialize_with = "whole")]
    #[schema(minimum = 1, maximum = 365)]
    pub max_review_days: i32,
    /// How many specialist doctors review a case: 1 to 50.
    #[serde(deserialize_with = "whole")]
    #[schema(minimum = 1, maximum = 50)]
    pub doctor_count: i32,
    /// 0 to 1,000,000, with at most as many decimals as the currency's minor unit (2 for USD).
    #[schema(value_type = f64, minimum = 0, maximum = 1000000)]
    pub price: Amount,
    /// ISO 4217, three capital letters; default USD.
    #[schema(
        pattern = r"^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[A-Z]{3}[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub currency: Option<String>,
    /// An icon name (1 to 40 of a-z, 0-9, `_`, `-`); patients see "document" when unset, empty or
    /// null.
    #[schema(
        pattern = r"^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*([a-z0-9_-]{1,40}[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*)?$"
    )]
    pub icon: Option<String>,
    /// Default true.
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RtIdRequest {
    #[schema(format = Uuid)]
    pub rt_id: String,
}

/// Absent (or null) fields keep their value; `icon: null` clears the icon. The same rules as creating
/// apply to the result, including the two that span fields (400: `min_review_days` above
/// `max_review_days`, or a `price` finer than its currency's minor unit).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateReviewTypeRequest {
    #[schema(format = Uuid)]
    pub rt_id: String,
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\u0000]*[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000][^\u0000]*$"
    )]
    pub name_en: Option<String>,
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\u0000]*[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000][^\u0000]*$"
    )]
    pub name_ar: Option<String>,
    #[schema(max_length = 1000, pattern = r"^[^\u0000]*$")]
    pub description_en: Option<String>,
    #[schema(max_length = 1000, pattern = r"^[^\u0000]*$")]
    pub description_ar: Option<String>,
    #[serde(default, deserialize_with = "whole_opt")]
    #[schema(minimum = 1, maximum = 365)]
    pub min_review_days: Option<i32>,
    #[serde(default, deserialize_with = "whole_opt")]
    #[schema(minimum = 1, maximum = 365)]
    pub max_review_days: Option<i32>,
    #[serde(default, deserialize_with = "whole_opt")]
    #[schema(minimum = 1, maximum = 50)]
    pub doctor_count: Option<i32>,
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000)]
    pub price: Option<Amount>,
    #[schema(
        pattern = r"^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[A-Z]{3}[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub currency: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, pattern = r"^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*([a-z0-9_-]{1,40}[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*)?$")]
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
    responses((status = 200, body = EnvelopeAList<AdminReviewType>, description = "A page of review types")),
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
    responses(
        (status = 200, body = EnvelopeA<AdminReviewType>, description = "The review type"),
        (status = 404, body = ErrorA, description = "No review type has this id"),
    ),
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
    responses(
        (status = 200, body = EnvelopeA<AdminReviewType>, description = "The review type created"),
        (status = 400, body = ErrorA, description = "A field is wrong, `min_review_days` is above `max_review_days`, or `price` has more decimals than its currency"),
        (status = 409, body = ErrorA, description = "A review type already has this English or Arabic name"),
    ),
    security(("token" = [])))]
pub async fn create_review_type(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<CreateReviewTypeRequest>,
) -> Result {
    let b = admin.check(body.parse()).await?;
    let lengths = Lengths::new()
        .between("name_en", Some(&b.name_en), 120)
        .between("name_ar", Some(&b.name_ar), 120)
        .rule_max("description_en", Some(&b.description_en), 1000)
        .rule_max("description_ar", Some(&b.description_ar), 1000);
    admin.check(lengths.finish()).await?;
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
    responses(
        (status = 200, body = EnvelopeA<AdminReviewType>, description = "The review type as saved"),
        (status = 400, body = ErrorA, description = "A field is wrong, `min_review_days` would be above `max_review_days`, or `price` would have more decimals than its currency"),
        (status = 404, body = ErrorA, description = "No review type has this id"),
        (status = 409, body = ErrorA, description = "Another review type has this English or Arabic name"),
    ),
    security(("token" = [])))]
pub async fn update_review_type(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<UpdateReviewTypeRequest>,
) -> Result {
    let b = admin.check(body.parse()).await?;
    let id = admin.check(ReviewTypeId::parse("rt_id", &b.rt_id)).await?;
    let lengths = Lengths::new()
        .between("name_en", b.name_en.as_deref(), 120)
        .between("name_ar", b.name_ar.as_deref(), 120)
        .rule_max("description_en", b.description_en.as_deref(), 1000)
        .rule_max("description_ar", b.description_ar.as_deref(), 1000);
    admin.check(lengths.finish()).await?;
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
    responses(
        (status = 200, body = EnvelopeA<AdminReviewType>, description = "The review type, active"),
        (status = 404, body = ErrorA, description = "No review type has this id"),
    ),
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
    responses(
        (status = 200, body = EnvelopeA<AdminReviewType>, description = "The review type, inactive"),
        (status = 404, body = ErrorA, description = "No review type has this id"),
    ),
    security(("token" = [])))]
pub async fn deactivate_review_type(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<RtIdRequest>,
) -> Result {
    set_review_type_active(admin, state, body, false).await
}
