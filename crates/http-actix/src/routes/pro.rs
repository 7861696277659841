//! `/pro`: doctors and coordinators (audience `snr_pro`), envelope A.
//!
//! The caller is the token's subject, a provider id such as `EMP1`. What they may do with a case
//! depends on their part in it: its coordinator, or an assigned specialist. A case they have no part
//! in is "Case not found", never a hint that it exists.

use actix_web::{HttpResponse, web};
use domain::kernel::paging::PageRequest;
use domain::kernel::text::Key;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::cases::{CaseIdRequest, CaseView, TimelineView, linked};
use super::views::{EligibleView, OpinionView, SopView};
use super::wire::{Lengths, ProviderIdText, whole_opt};
use crate::body::JsonBody;
use crate::envelope::{self, EnvelopeA, EnvelopeAList, ErrorA};
use crate::error::ApiError;
use crate::extract::Authenticated;
use crate::state::AppState;
use crate::surface::Pro;

type Result<T = HttpResponse> = std::result::Result<T, ApiError<Pro>>;
type Body<T> = JsonBody<T, Pro>;
type Data = web::Data<AppState>;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SopsRequest {
    /// true: the cases the caller coordinates; false or absent: the cases they review.
    pub coordinator: Option<bool>,
    /// From 1; default 1.
    #[serde(default, deserialize_with = "whole_opt")]
    #[schema(minimum = 1, maximum = 4294967295u32)]
    pub page: Option<i64>,
    /// From 1; default 15; values above 100 are taken as 100.
    #[serde(default, deserialize_with = "whole_opt")]
    #[schema(minimum = 1, maximum = 9223372036854775807i64)]
    pub page_size: Option<i64>,
}

/// The caller's active assignments, newest first.
#[utoipa::path(post, path = "/pro/sops", tag = "pro", request_body = SopsRequest,
    responses((status = 200, body = EnvelopeAList<SopView>, description = "A page of the caller's assignments")),
    security(("token" = [])))]
pub async fn sops(pro: Authenticated<Pro>, state: Data, body: Body<SopsRequest>) -> Result {
    let b = pro.check(body.parse()).await?;
    let page = pro
        .check(PageRequest::from_client(b.page, b.page_size, "page_size"))
        .await?;
    let coordinator = b.coordinator.unwrap_or(false);
    let list = pro
        .run(move |actor| state.pro_cases.sops(&actor.id, coordinator, page))
        .await?;
    Ok(envelope::a_list(list, SopView::from))
}

/// A case with its timeline and its active assignments, as a provider sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProCaseDetails {
    #[serde(flatten)]
    pub case: CaseView,
    /// Oldest first.
    pub timeline: Vec<TimelineView>,
    /// Active assignments; opinions are shown to the coordinator, and to each specialist their
    /// own.
    pub assignments: Vec<OpinionView>,
}

/// A case the caller coordinates or reviews; any other is 404 "Case not found".
#[utoipa::path(post, path = "/pro/review-case-details", tag = "pro", request_body = CaseIdRequest,
    responses(
        (status = 200, body = EnvelopeA<ProCaseDetails>, description = "The case"),
        (status = 404, body = ErrorA, description = "No such case, or the caller has no part in it"),
    ),
    security(("token" = [])))]
pub async fn review_case_details(
    pro: Authenticated<Pro>,
    state: Data,
    body: Body<CaseIdRequest>,
) -> Result {
    let b = pro.check(body.parse()).await?;
    let (case, timeline, assignments) = pro
        .run(move |actor| {
            let (case, timeline, assignments) = state.pro_cases.details(&actor.id, &b.case_id)?;
            Ok((linked(&state, case)?, timeline, assignments))
        })
        .await?;
    Ok(envelope::a_ok(
        Key::Ok,
        ProCaseDetails {
            case: CaseView::from(case),
            timeline: timeline.into_iter().map(TimelineView::from).collect(),
            assignments: assignments.into_iter().map(OpinionView::from).collect(),
        },
    ))
}

/// A case's timeline, for anyone with a part in it.
#[utoipa::path(post, path = "/pro/case-timeline", tag = "pro", request_body = CaseIdRequest,
    responses(
        (status = 200, body = EnvelopeA<Vec<TimelineView>>, description = "Oldest first"),
        (status = 404, body = ErrorA, description = "No such case, or the caller has no part in it"),
    ),
    security(("token" = [])))]
pub async fn case_timeline(
    pro: Authenticated<Pro>,
    state: Data,
    body: Body<CaseIdRequest>,
) -> Result {
    let b = pro.check(body.parse()).await?;
    let timeline = pro
        .run(move |actor| state.pro_cases.timeline(&actor.id, &b.case_id))
        .await?;
    let timeline: Vec<TimelineView> = timeline.into_iter().map(TimelineView::from).collect();
    Ok(envelope::a_ok(Key::Ok, timeline))
}

/// The specialists the case's coordinator may assign: active, eligible for its disease
/// category, not on it already.
#[utoipa::path(post, path = "/pro/eligible-doctors", tag = "pro", request_body = CaseIdRequest,
    responses(
        (status = 200, body = EnvelopeA<Vec<EligibleView>>, description = "Eligible specialists"),
        (status = 403, body = ErrorA, description = "The caller is on the case but not its coordinator"),
        (status = 404, body = ErrorA, description = "No such case, or the caller has no part in it"),
    ),
    security(("token" = [])))]
pub async fn eligible_doctors(
    pro: Authenticated<Pro>,
    state: Data,
    body: Body<CaseIdRequest>,
) -> Result {
    let b = pro.check(body.parse()).await?;
    let doctors = pro
        .run(move |actor| state.pro_cases.eligible_doctors(&actor.id, &b.case_id))
        .await?;
    let doctors: Vec<EligibleView> = doctors.into_iter().map(EligibleView::from).collect();
    Ok(envelope::a_ok(Key::Ok, doctors))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignDoctorRequest {
    #[schema(format = Uuid)]
    pub case_id: String,
    /// The specialist's provider id (`EMP2`).
    #[schema(inline)]
    pub doctor_id: ProviderIdText,
    /// Documents to ask the patient for at once; omit or `[]` for none. At most 20, each 1 to
    /// 300 characters.
    #[schema(max_items = 20)]
    pub requested_documents: Option<Vec<RequestedDocument>>,
}

/// One document asked of the patient, e.g. "Latest ECG".
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct RequestedDocument(pub String);

impl utoipa::PartialSchema for RequestedDocument {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("A document asked of the patient, e.g. \"Latest ECG\"."))
            .min_length(Some(1))
            .max_length(Some(300))
            .pattern(Some(r"^[^\u0000]*[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000][^\u0000]*$"))
            .into()
    }
}

impl ToSchema for RequestedDocument {}

pub(crate) fn requested(list: Option<Vec<RequestedDocument>>) -> Option<Vec<String>> {
    list.map(|l| l.into_iter().map(|d| d.0).collect())
}

/// What assigning a doctor did.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignedDoctor {
    #[schema(format = Uuid)]
    pub case_id: String,
    pub doctor_id: String,
    #[schema(format = Uuid)]
    pub sop_id: String,
}

/// The case's coordinator assigns a specialist once the case is paid; the first moves it to
/// `doctors_assigned`. The assigned doctor is notified.
#[utoipa::path(post, path = "/pro/assign-doctor", tag = "pro", request_body = AssignDoctorRequest,
    responses(
        (status = 200, body = EnvelopeA<AssignedDoctor>, description = "Doctor assigned to case"),
        (status = 403, body = ErrorA, description = "The caller is not the case's coordinator"),
        (status = 404, body = ErrorA, description = "No such case"),
        (status = 409, body = ErrorA, description = "The case is not paid yet, or the doctor is already on it"),
        (status = 422, body = ErrorA, description = "Not an active specialist of the case's disease category"),
    ),
    security(("token" = [])))]
pub async fn assign_doctor(
    pro: Authenticated<Pro>,
    state: Data,
    body: Body<AssignDoctorRequest>,
) -> Result {
    let b = pro.check(body.parse()).await?;
    let requested = requested(b.requested_documents);
    let assignment = pro
        .run(move |actor| {
            state
                .pro_cases
                .assign_doctor(&actor.id, &b.case_id, &b.doctor_id, requested)
        })
        .await?;
    Ok(envelope::a_ok(
        Key::DoctorAssignedToCase,
        AssignedDoctor {
            case_id: assignment.case_id.to_string(),
            doctor_id: assignment.doctor_id.to_string(),
            sop_id: assignment.id.to_string(),
        },
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestDocumentsRequest {
    /// The caller's own assignment.
    #[schema(format = Uuid)]
    pub sop_id: String,
    /// Must be the caller's id.
    #[schema(inline)]
    pub doctor_id: ProviderIdText,
    /// What to ask the patient for; `[]` withdraws the request. At most 20, each 1 to 300
    /// characters.
    #[schema(max_items = 20)]
    pub request_documents: Vec<RequestedDocument>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SopRef {
    #[schema(format = Uuid)]
    pub sop_id: String,
    pub doctor_id: String,
}

/// A provider asks the patient for documents on their own assignment; the patient is notified.
#[utoipa::path(post, path = "/pro/request-documents", tag = "pro", request_body = RequestDocumentsRequest,
    responses(
        (status = 200, body = EnvelopeA<SopRef>, description = "Requested documents updated"),
        (status = 403, body = ErrorA, description = "`doctor_id` is not the caller"),
        (status = 404, body = ErrorA, description = "No such active assignment of the caller"),
        (status = 409, body = ErrorA, description = "The case is past the point of asking"),
    ),
    security(("token" = [])))]
pub async fn request_documents(
    pro: Authenticated<Pro>,
    state: Data,
    body: Body<RequestDocumentsRequest>,
) -> Result {
    let b = pro.check(body.parse()).await?;
    let documents = requested(Some(b.request_documents)).unwrap_or_default();
    let assignment = pro
        .run(move |actor| {
            state
                .pro_cases
                .request_documents(&actor.id, &b.sop_id, &b.doctor_id, documents)
        })
        .await?;
    Ok(envelope::a_ok(
        Key::RequestedDocumentsUpdated,
        SopRef {
            sop_id: assignment.id.to_string(),
            doctor_id: assignment.doctor_id.to_string(),
        },
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitOpinionRequest {
    /// The caller's own specialist assignment.
    #[schema(format = Uuid)]
    pub sop_id: String,
    /// 1 to 20,000 characters; blank lines separate paragraphs in the report.
    #[schema(
        min_length = 1,
        max_length = 20000,
        pattern = r"^[^\u0000]*[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000][^\u0000]*$"
    )]
    pub opinion: String,
}

/// A specialist gives, or revises until the summary is in, their opinion; the coordinator is
/// notified.
#[utoipa::path(post, path = "/pro/submit-opinion", tag = "pro", request_body = SubmitOpinionRequest,
    responses(
        (status = 200, body = EnvelopeA<SopView>, description = "Opinion submitted"),
        (status = 404, body = ErrorA, description = "No such active specialist assignment of the caller"),
        (status = 409, body = ErrorA, description = "The case is not under review by its doctors"),
    ),
    security(("token" = [])))]
pub async fn submit_opinion(
    pro: Authenticated<Pro>,
    state: Data,
    body: Body<SubmitOpinionRequest>,
) -> Result {
    let b = pro.check(body.parse()).await?;
    pro.check(
        Lengths::new()
            .at_most("opinion", Some(&b.opinion), 20_000)
            .finish(),
    )
    .await?;
    let assignment = pro
        .run(move |actor| {
            state
                .pro_cases
                .submit_opinion(&actor.id, &b.sop_id, &b.opinion)
        })
        .await?;
    Ok(envelope::a_ok(Key::OpinionSaved, SopView::from(assignment)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitSummaryRequest {
    #[schema(format = Uuid)]
    pub case_id: String,
    /// 1 to 20,000 characters; blank lines separate paragraphs in the report.
    #[schema(
        min_length = 1,
        max_length = 20000,
        pattern = r"^[^\u0000]*[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000][^\u0000]*$"
    )]
    pub summary: String,
}

/// The coordinator's final summary, once every assigned doctor's opinion is in: the case is
/// completed, its PDF report generated in English and Arabic, the patient notified.
#[utoipa::path(post, path = "/pro/submit-summary", tag = "pro", request_body = SubmitSummaryRequest,
    responses(
        (status = 200, body = EnvelopeA<CaseView>, description = "The completed case"),
        (status = 403, body = ErrorA, description = "The caller is on the case but not its coordinator"),
        (status = 404, body = ErrorA, description = "No such case, or the caller has no part in it"),
        (status = 409, body = ErrorA, description = "Not every doctor has given an opinion, or the case is not under review"),
    ),
    security(("token" = [])))]
pub async fn submit_summary(
    pro: Authenticated<Pro>,
    state: Data,
    body: Body<SubmitSummaryRequest>,
) -> Result {
    let b = pro.check(body.parse()).await?;
    pro.check(
        Lengths::new()
            .at_most("summary", Some(&b.summary), 20_000)
            .finish(),
    )
    .await?;
    let case = pro
        .run(move |actor| {
            let case = state
                .pro_cases
                .submit_summary(&actor.id, &b.case_id, &b.summary)?;
            linked(&state, case)
        })
        .await?;
    Ok(envelope::a_ok(Key::SummarySaved, CaseView::from(case)))
}
