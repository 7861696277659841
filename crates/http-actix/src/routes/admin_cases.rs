//! `/admin` case handling: the filtered case list, a case's whole history, the coordinator's
//! assignment (which asks the patient to pay), refusal, and a payment confirmed by hand.

use actix_web::{HttpResponse, web};
use domain::kernel::code::Code;
use domain::kernel::paging::PageRequest;
use domain::kernel::text::Key;
use domain::second_opinion::{AdminCaseDetails, CaseQuery, ReviewCase};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::cases::{CaseIdRequest, CaseView, TimelineView};
use super::pro::{RequestedDocument, requested};
use super::views::{EligibleView, OpinionView, PaymentView};
use super::wire::{Lengths, ProviderIdText, whole_opt};
use crate::body::JsonBody;
use crate::envelope::{self, EnvelopeA, EnvelopeAList, ErrorA};
use crate::error::ApiError;
use crate::extract::Authenticated;
use crate::i18n::lang;
use crate::state::AppState;
use crate::surface::Admin;

type Result<T = HttpResponse> = std::result::Result<T, ApiError<Admin>>;
type Body<T> = JsonBody<T, Admin>;
type Data = web::Data<AppState>;

/// A case search: every filter optional, paginated, newest first.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseListRequest {
    /// From 1; default 1.
    #[serde(default, deserialize_with = "whole_opt")]
    #[schema(minimum = 1, maximum = 4294967295u32)]
    pub page: Option<i64>,
    /// From 1; default 15; values above 100 are taken as 100.
    #[serde(default, deserialize_with = "whole_opt")]
    #[schema(minimum = 1, maximum = 9223372036854775807i64)]
    pub page_size: Option<i64>,
    /// One status (`review`, `awaiting_payment`, …).
    #[schema(value_type = Option<super::wire::CaseStatus>)]
    pub status: Option<String>,
    #[schema(format = Uuid)]
    pub dc_id: Option<String>,
    #[schema(format = Uuid)]
    pub rt_id: Option<String>,
    /// A part of the patient's id or of the medical history, any case; blank is no filter. At
    /// most 100 characters.
    #[schema(max_length = 100, pattern = r"^[^\u0000]*$")]
    pub q: Option<String>,
    /// Created on or after this day (UTC).
    #[schema(format = Date, pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", example = "2026-01-01")]
    pub created_from: Option<String>,
    /// Created on or before this day (UTC).
    #[schema(format = Date, pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", example = "2026-01-31")]
    pub created_to: Option<String>,
}

/// A case in an administrator's list: the patient's id besides the case.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminCaseItem {
    #[serde(flatten)]
    pub case: CaseView,
    /// The patient (their token's subject).
    pub user_id: String,
}

impl From<ReviewCase> for AdminCaseItem {
    fn from(c: ReviewCase) -> Self {
        let user_id = c.user_id.to_string();
        Self {
            case: CaseView::from(c),
            user_id,
        }
    }
}

/// Cases, newest first, filtered by status, disease category, review type, text and creation
/// day.
#[utoipa::path(post, path = "/admin/review-cases", tag = "admin", request_body = CaseListRequest,
    responses(
        (status = 200, body = EnvelopeAList<AdminCaseItem>, description = "A page of cases"),
        (status = 400, body = ErrorA, description = "A filter is wrong (every wrong one is named)"),
    ),
    security(("token" = [])))]
pub async fn review_cases(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<CaseListRequest>,
) -> Result {
    let b = admin.check(body.parse()).await?;
    admin
        .check(Lengths::new().at_most("q", b.q.as_deref(), 100).finish())
        .await?;
    let page = admin
        .check(PageRequest::from_client(b.page, b.page_size, "page_size"))
        .await?;
    let query = CaseQuery {
        status: b.status,
        dc_id: b.dc_id,
        rt_id: b.rt_id,
        q: b.q,
        created_from: b.created_from,
        created_to: b.created_to,
    };
    let filter = admin.check(query.filter()).await?;
    let list = admin
        .run(move |_| state.admin_cases.list(filter, page))
        .await?;
    Ok(envelope::a_list(list, AdminCaseItem::from))
}

/// An assignment with the provider's name, as administrators follow a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminAssignmentView {
    #[serde(flatten)]
    pub sop: OpinionView,
    /// In the caller's language; the id when the provider is no longer known.
    pub doctor_name: String,
}

/// A case with everything about it: assignments (replaced coordinators' included), payment and
/// timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminCaseDetailsView {
    #[serde(flatten)]
    pub case: AdminCaseItem,
    /// Oldest first; `active = false` marks a replaced coordinator.
    pub assignments: Vec<AdminAssignmentView>,
    pub payment: Option<PaymentView>,
    /// Oldest first.
    pub timeline: Vec<TimelineView>,
}

impl From<AdminCaseDetails> for AdminCaseDetailsView {
    fn from(d: AdminCaseDetails) -> Self {
        let lang = lang();
        let assignments = d
            .assignments
            .into_iter()
            .map(|a| {
                let doctor_name = d
                    .providers
                    .iter()
                    .find(|p| p.id == a.doctor_id)
                    .map_or_else(|| a.doctor_id.to_string(), |p| p.name_in(lang).to_owned());
                AdminAssignmentView {
                    sop: OpinionView::from(a),
                    doctor_name,
                }
            })
            .collect();
        Self {
            case: AdminCaseItem::from(d.case),
            assignments,
            payment: d.payment.map(PaymentView::from),
            timeline: d.timeline.into_iter().map(TimelineView::from).collect(),
        }
    }
}

/// One case with its assignment history, payment and timeline.
#[utoipa::path(post, path = "/admin/review-case-details", tag = "admin", request_body = CaseIdRequest,
    responses(
        (status = 200, body = EnvelopeA<AdminCaseDetailsView>, description = "The case"),
        (status = 404, body = ErrorA, description = "No case has this id"),
    ),
    security(("token" = [])))]
pub async fn review_case_details(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<CaseIdRequest>,
) -> Result {
    let b = admin.check(body.parse()).await?;
    let details = admin
        .run(move |_| state.admin_cases.details(&b.case_id))
        .await?;
    Ok(envelope::a_ok(Key::Ok, AdminCaseDetailsView::from(details)))
}

/// The active providers who may coordinate the case's disease category.
#[utoipa::path(post, path = "/admin/eligible-coordinators", tag = "admin", request_body = CaseIdRequest,
    responses(
        (status = 200, body = EnvelopeA<Vec<EligibleView>>, description = "Eligible coordinators"),
        (status = 404, body = ErrorA, description = "No case has this id"),
    ),
    security(("token" = [])))]
pub async fn eligible_coordinators(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<CaseIdRequest>,
) -> Result {
    let b = admin.check(body.parse()).await?;
    let list = admin
        .run(move |_| state.admin_cases.eligible_coordinators(&b.case_id))
        .await?;
    let list: Vec<EligibleView> = list.into_iter().map(EligibleView::from).collect();
    Ok(envelope::a_ok(Key::Ok, list))
}

/// The active specialists of the case's disease category who are not on it already.
#[utoipa::path(post, path = "/admin/eligible-doctors", tag = "admin", request_body = CaseIdRequest,
    responses(
        (status = 200, body = EnvelopeA<Vec<EligibleView>>, description = "Eligible specialists"),
        (status = 404, body = ErrorA, description = "No case has this id"),
    ),
    security(("token" = [])))]
pub async fn eligible_doctors(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<CaseIdRequest>,
) -> Result {
    let b = admin.check(body.parse()).await?;
    let list = admin
        .run(move |_| state.admin_cases.eligible_doctors(&b.case_id))
        .await?;
    let list: Vec<EligibleView> = list.into_iter().map(EligibleView::from).collect();
    Ok(envelope::a_ok(Key::Ok, list))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignCoordinatorRequest {
    #[schema(format = Uuid)]
    pub case_id: String,
    /// The coordinator's provider id (`EMP1`).
    #[schema(inline)]
    pub doctor_id: ProviderIdText,
    /// Documents the coordinator should ask for; omit or `[]` for none. At most 20, each 1 to
    /// 300 characters.
    #[schema(max_items = 20)]
    pub requested_documents: Option<Vec<RequestedDocument>>,
}

/// What assigning a coordinator did.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoordinatorAssigned {
    #[schema(format = Uuid)]
    pub case_id: String,
    pub doctor_id: String,
    #[schema(format = Uuid)]
    pub sop_id: String,
    #[schema(value_type = super::wire::CaseStatus)]
    pub status: &'static str,
    /// The payment the patient is asked for; the same one when the coordinator changes.
    pub payment: PaymentView,
}

/// Assigns the case's coordinator (`review → awaiting_payment`: a payment link is created, the
/// coordinator and the patient are notified), or changes it while the case awaits payment (the
/// same link stays; both coordinators are notified).
#[utoipa::path(post, path = "/admin/assign-coordinator", tag = "admin", request_body = AssignCoordinatorRequest,
    responses(
        (status = 200, body = EnvelopeA<CoordinatorAssigned>, description = "Coordinator assigned to case"),
        (status = 404, body = ErrorA, description = "No case has this id"),
        (status = 409, body = ErrorA, description = "The case is neither under review nor awaiting payment"),
        (status = 422, body = ErrorA, description = "Not an active coordinator of the case's disease category"),
    ),
    security(("token" = [])))]
pub async fn assign_coordinator(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<AssignCoordinatorRequest>,
) -> Result {
    let b = admin.check(body.parse()).await?;
    let requested = requested(b.requested_documents);
    let outcome = admin
        .run(move |actor| {
            state
                .admin_cases
                .assign_coordinator(&actor.id, &b.case_id, &b.doctor_id, requested)
        })
        .await?;
    Ok(envelope::a_ok(
        Key::CoordinatorAssignedToCase,
        CoordinatorAssigned {
            case_id: outcome.case.id.to_string(),
            doctor_id: outcome.assignment.doctor_id.to_string(),
            sop_id: outcome.assignment.id.to_string(),
            status: outcome.case.status.as_str(),
            payment: PaymentView::from(outcome.payment),
        },
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectCaseRequest {
    #[schema(format = Uuid)]
    pub case_id: String,
    /// What the patient reads: 1 to 2,000 characters.
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = r"^[^\u0000]*[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000][^\u0000]*$"
    )]
    pub reject_reason: String,
}

/// Refuses a case under review (`review → rejected`); the patient is notified with the reason.
#[utoipa::path(post, path = "/admin/reject-case", tag = "admin", request_body = RejectCaseRequest,
    responses(
        (status = 200, body = EnvelopeA<CaseView>, description = "The case, rejected"),
        (status = 400, body = ErrorA, description = "The reason is blank or too long"),
        (status = 404, body = ErrorA, description = "No case has this id"),
        (status = 409, body = ErrorA, description = "The case is not under review"),
    ),
    security(("token" = [])))]
pub async fn reject_case(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<RejectCaseRequest>,
) -> Result {
    let b = admin.check(body.parse()).await?;
    admin
        .check(
            Lengths::new()
                .at_most("reject_reason", Some(&b.reject_reason), 2_000)
                .finish(),
        )
        .await?;
    let case = admin
        .run(move |actor| {
            state
                .admin_cases
                .reject(&actor.id, &b.case_id, &b.reject_reason)
        })
        .await?;
    Ok(envelope::a_ok(Key::CaseRejectedOk, CaseView::from(case)))
}

/// Confirms the case's payment by hand (`awaiting_payment → paid`); confirming a paid case again
/// changes nothing.
#[utoipa::path(post, path = "/admin/confirm-payment", tag = "admin", request_body = CaseIdRequest,
    responses(
        (status = 200, body = EnvelopeA<CaseView>, description = "The case, paid"),
        (status = 404, body = ErrorA, description = "No case has this id"),
        (status = 409, body = ErrorA, description = "The case is not awaiting payment"),
    ),
    security(("token" = [])))]
pub async fn confirm_payment(
    admin: Authenticated<Admin>,
    state: Data,
    body: Body<CaseIdRequest>,
) -> Result {
    let b = admin.check(body.parse()).await?;
    let case = admin
        .run(move |actor| state.admin_cases.confirm_payment(&actor.id, &b.case_id))
        .await?;
    Ok(envelope::a_ok(Key::PaymentConfirmed, CaseView::from(case)))
}
