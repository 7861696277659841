//! `/admin` provider upkeep: the doctors who coordinate and review cases, and which disease
//! categories each may coordinate or review.

use actix_web::{HttpResponse, web};
use domain::kernel::ids::DiseaseCategoryId;
use domain::kernel::paging::PageRequest;
use domain::kernel::text::Key;
use domain::second_opinion::{Eligibility, ProviderFilter, ProviderInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::views::{ProviderView, SyncView};
use super::wire::{Language, Lengths, ProviderIdText, whole_opt};
use crate::body::JsonBody;
use crate::envelope::{self, EnvelopeA, EnvelopeAList, ErrorA};
use crate::error::ApiError;
use crate::extract::Authenticated;
use crate::state::AppState;
use crate::surface::Admin;

type Result<T = HttpResponse> = std::result::Result<T, ApiError<Admin>>;
type Body<T> = JsonBody<T, Admin>;
type Data = web::Data<AppState>;

/// A provider as an administrator (or a directory sync) sends it. Every field is trimmed.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderRequest {
    /// The id their identity provider gives them, the `sub` of their tokens (`EMP1`).
    #[schema(inline)]
    pub doctor_id: ProviderIdText,
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\u0000]*[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000][^\u0000]*$"
    )]
    pub name_en: String,
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\u0000]*[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000][^\u0000]*$"
    )]
    pub name_ar: String,
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\u0000]*[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000][^\u0000]*$"
    )]
    pub speciality_en: String,
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\u0000]*[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000][^\u0000]*$"
    )]
    pub speciality_ar: String,
    /// Where their notifications go; blank or null for none.
    #[schema(
        max_length = 254,
        pattern = r"^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$|^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^@ \x00-\x1f\x7f-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+@[^.@ \x00-\x1f\x7f-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^@ \x00-\x1f\x7f-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*\.[^@ \x00-\x1f\x7f-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^.@ \x00-\x1f\x7f-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub email: Option<String>,
    /// `+966 50 123 4567`: an optional `+` and 6 to 15 digits (spaces and dashes ignored).
    #[schema(
        max_length = 40,
        pattern = r"^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$|^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[ \-]*\+?[ \-]*([0-9][ \-]*){6,15}[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub phone: Option<String>,
    /// The language of their notifications; default `en`.
    #[schema(value_type = Option<Language>)]
    pub lang: Option<String>,
    /// Default true.
    pub active: Option<bool>,
}

impl From<ProviderRequest> for ProviderInput {
    fn from(r: ProviderRequest) -> Self {
        ProviderInput {
            doctor_id: r.doctor_id.0,
            name_en: r.name_en,
            name_ar: r.name_ar,
            speciality_en: r.speciality_en,
            speciality_ar: r.speciality_ar,
            email: r.email,
            phone: r.phone,
            lang: r.lang,
            active: r.active,
        }
    }
}

impl ProviderRequest {
    fn lengths(&self, prefix: &str, lengths: Lengths) -> Lengths {
        let field = |name: &str| format!("{prefix}{name}");
        lengths
            .between(&field("name_en"), Some(&self.name_en), 120)
            .between(&field("name_ar"), Some(&self.name_ar), 120)
            .between(&field("speciality_en"), Some(&self.speciality_en), 120)
            .between(&field("speciality_ar"), Some(&self.speciality_ar), 120)
            .at_most(&field("doctor_id"), Some(&self.doctor_id), 128)
            .email(&field("email"), self.email.as_deref())
            .at_most(&field("phone"), self.phone.as_deref(), 40)
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderListRequest {
    /// From 1; default 1.
    #[serde(default, deserialize_with = "whole_opt")]
    #[schema(minimum = 1, maximum = 4294967295u32)]
    pub page: Option<i64>,
    /// From 1; default 15; values above 100 are taken as 100.
    #[serde(default, deserialize_with = "whole_opt")]
    #[schema(minimum = 1, maximum = 9223372036854775807i64)]
    pub page_size: Option<i64>,
    /// true: active only; false: inactive only; absent or null: both.
    pub active: Option<bool>,
    /// Part of the id or of either name, any case; blank or null is no filter.
    #[schema(max_length = 100, pattern = r"^[^\u0000]*$")]
    pub q: Option<String>,
}

/// Providers, by id.
#[utoipa::path(post, path = "/admin/providers", tag = "admin", request_body = ProviderListRequest,
    responses((status = 200, body = EnvelopeAList<ProviderView>, description = "A page of providers")),
    security(("token" = [])))]
pub async fn providers(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<ProviderListRequest>,
) -> Result {
    let b = admin.check(body.parse()).await?;
    admin
        .check(Lengths::new().at_most("q", b.q.as_deref(), 100).finish())
        .await?;
    let page = admin
        .check(PageRequest::from_client(b.page, b.page_size, "page_size"))
        .await?;
    let filter = ProviderFilter {
        active: b.active,
        q: b.q.map(|q| q.trim().to_owned()).filter(|q| !q.is_empty()),
    };
    let list = admin
        .run(move |_| state.providers.list(filter, page))
        .await?;
    Ok(envelope::a_list(list, ProviderView::from))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DoctorIdRequest {
    #[schema(inline)]
    pub doctor_id: ProviderIdText,
}

/// One provider.
#[utoipa::path(post, path = "/admin/provider-details", tag = "admin", request_body = DoctorIdRequest,
    responses(
        (status = 200, body = EnvelopeA<ProviderView>, description = "The provider"),
        (status = 404, body = ErrorA, description = "No such provider"),
    ),
    security(("token" = [])))]
pub async fn provider_details(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<DoctorIdRequest>,
) -> Result {
    let b = admin.check(body.parse()).await?;
    let provider = admin
        .run(move |_| state.providers.provider(&b.doctor_id))
        .await?;
    Ok(envelope::a_ok(Key::Ok, ProviderView::from(provider)))
}

/// Adds a provider; an id already used is 409.
#[utoipa::path(post, path = "/admin/create-provider", tag = "admin", request_body = ProviderRequest,
    responses(
        (status = 200, body = EnvelopeA<ProviderView>, description = "Provider created"),
        (status = 409, body = ErrorA, description = "A provider with this id exists"),
    ),
    security(("token" = [])))]
pub async fn create_provider(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<ProviderRequest>,
) -> Result {
    let b = admin.check(body.parse()).await?;
    admin.check(b.lengths("", Lengths::new()).finish()).await?;
    let provider = admin.run(move |_| state.providers.create(b.into())).await?;
    Ok(envelope::a_ok(
        Key::ProviderCreated,
        ProviderView::from(provider),
    ))
}

/// Replaces a provider's details (every field, as on creation); an unknown id is 404.
#[utoipa::path(post, path = "/admin/update-provider", tag = "admin", request_body = ProviderRequest,
    responses(
        (status = 200, body = EnvelopeA<ProviderView>, description = "Provider updated"),
        (status = 404, body = ErrorA, description = "No such provider"),
    ),
    security(("token" = [])))]
pub async fn update_provider(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<ProviderRequest>,
) -> Result {
    let b = admin.check(body.parse()).await?;
    admin.check(b.lengths("", Lengths::new()).finish()).await?;
    let provider = admin.run(move |_| state.providers.update(b.into())).await?;
    Ok(envelope::a_ok(
        Key::ProviderUpdated,
        ProviderView::from(provider),
    ))
}

async fn set_active(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<DoctorIdRequest>,
    active: bool,
) -> Result {
    let b = admin.check(body.parse()).await?;
    let provider = admin
        .run(move |_| state.providers.set_active(&b.doctor_id, active))
        .await?;
    let message = if active {
        Key::ProviderActivated
    } else {
        Key::ProviderDeactivated
    };
    Ok(envelope::a_ok(message, ProviderView::from(provider)))
}

/// Lets a provider take cases again. Idempotent.
#[utoipa::path(post, path = "/admin/activate-provider", tag = "admin", request_body = DoctorIdRequest,
    responses(
        (status = 200, body = EnvelopeA<ProviderView>, description = "Provider activated"),
        (status = 404, body = ErrorA, description = "No such provider"),
    ),
    security(("token" = [])))]
pub async fn activate_provider(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<DoctorIdRequest>,
) -> Result {
    set_active(admin, state, body, true).await
}

/// Takes a provider off the eligible lists; their current assignments stay. Idempotent.
#[utoipa::path(post, path = "/admin/deactivate-provider", tag = "admin", request_body = DoctorIdRequest,
    responses(
        (status = 200, body = EnvelopeA<ProviderView>, description = "Provider deactivated"),
        (status = 404, body = ErrorA, description = "No such provider"),
    ),
    security(("token" = [])))]
pub async fn deactivate_provider(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<DoctorIdRequest>,
) -> Result {
    set_active(admin, state, body, false).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncProvidersRequest {
    /// 1 to 1,000 providers, each created or replaced by its `doctor_id`.
    #[schema(min_items = 1, max_items = 1000)]
    pub providers: Vec<ProviderRequest>,
}

/// Upserts many providers at once (the doctors' directory): all or nothing, with each item's
/// errors under `providers[i]`; repeating a sync changes nothing.
#[utoipa::path(post, path = "/admin/sync-providers", tag = "admin", request_body = SyncProvidersRequest,
    responses(
        (status = 200, body = EnvelopeA<SyncView>, description = "Providers synced"),
        (status = 400, body = ErrorA, description = "An item is wrong, or names a `doctor_id` an earlier one names (every wrong item is named; nothing is written)"),
    ),
    security(("token" = [])))]
pub async fn sync_providers(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<SyncProvidersRequest>,
) -> Result {
    let b = admin.check(body.parse()).await?;
    let lengths = b
        .providers
        .iter()
        .enumerate()
        .fold(Lengths::new(), |l, (i, p)| {
            p.lengths(&format!("providers[{i}]."), l)
        });
    admin.check(lengths.finish()).await?;
    let inputs: Vec<ProviderInput> = b.providers.into_iter().map(ProviderInput::from).collect();
    let report = admin.run(move |_| state.providers.sync(inputs)).await?;
    Ok(envelope::a_ok(Key::ProvidersSynced, SyncView::from(report)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EligibilityRequest {
    #[schema(inline)]
    pub doctor_id: ProviderIdText,
    #[schema(format = Uuid)]
    pub dc_id: String,
    /// true grants, false withdraws. Idempotent.
    pub eligible: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EligibilityView {
    pub doctor_id: String,
    /// Every disease category the provider now holds this part for.
    pub dc_ids: Vec<uuid::Uuid>,
}

async fn set_eligibility(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<EligibilityRequest>,
    as_: Eligibility,
) -> Result {
    let b = admin.check(body.parse()).await?;
    let dc = admin
        .check(DiseaseCategoryId::parse("dc_id", &b.dc_id))
        .await?;
    let doctor = b.doctor_id.clone();
    let dcs = admin
        .run(move |_| {
            state
                .providers
                .set_eligibility(&b.doctor_id, dc, as_, b.eligible)
        })
        .await?;
    Ok(envelope::a_ok(
        Key::EligibilityUpdated,
        EligibilityView {
            doctor_id: doctor.trim().to_owned(),
            dc_ids: dcs.into_iter().map(|d| d.as_uuid()).collect(),
        },
    ))
}

/// Grants or withdraws a provider's place among a disease category's coordinators
/// (`case_coordinators`).
#[utoipa::path(post, path = "/admin/set-coordinator-category", tag = "admin", request_body = EligibilityRequest,
    responses(
        (status = 200, body = EnvelopeA<EligibilityView>, description = "Eligibility updated"),
        (status = 404, body = ErrorA, description = "No such provider or disease category"),
    ),
    security(("token" = [])))]
pub async fn set_coordinator_category(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<EligibilityRequest>,
) -> Result {
    set_eligibility(admin, state, body, Eligibility::Coordinator).await
}

/// Grants or withdraws a provider's place among a disease category's specialists
/// (`sop_doctors`).
#[utoipa::path(post, path = "/admin/set-specialist-category", tag = "admin", request_body = EligibilityRequest,
    responses(
        (status = 200, body = EnvelopeA<EligibilityView>, description = "Eligibility updated"),
        (status = 404, body = ErrorA, description = "No such provider or disease category"),
    ),
    security(("token" = [])))]
pub async fn set_specialist_category(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<EligibilityRequest>,
) -> Result {
    set_eligibility(admin, state, body, Eligibility::Specialist).await
}
