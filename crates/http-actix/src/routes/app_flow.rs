//! `/app` after submission: the case as it moves through payment and review, the answers to
//! doctors' document requests, and the final report.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use domain::Error;
use domain::kernel::blob::read_all;
use domain::kernel::code::Code;
use domain::kernel::text::Key;
use domain::second_opinion::{CaseProgress, MedicalDocument};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::cases::{CaseIdRequest, CaseView, Document, Empty, TimelineView, linked};
use super::views::{CoordinatorView, DocumentRequestView, PaymentView, ReviewWindowView};
use super::wire::Lengths;
use crate::body::JsonBody;
use crate::envelope::{self, EnvelopeA, ErrorA};
use crate::error::ApiError;
use crate::extract::Authenticated;
use crate::i18n::lang;
use crate::state::AppState;
use crate::surface::App;

type Result<T = HttpResponse> = std::result::Result<T, ApiError<App>>;
type Body<T> = JsonBody<T, App>;
type Data = web::Data<AppState>;

/// One of the user's cases with its timeline and what it waits for.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDetails {
    #[serde(flatten)]
    pub case: CaseView,
    /// Oldest first.
    pub timeline: Vec<TimelineView>,
    /// The payment asked for, while the case awaits it.
    pub payment: Option<PaymentView>,
    /// Doctors' requests for documents not answered yet.
    pub document_requests: Vec<DocumentRequestView>,
    /// Who coordinates the review, once doctors are assigned.
    pub coordinator: Option<CoordinatorView>,
    /// When to expect the doctors' review: the review type's days from the day doctors were
    /// assigned.
    pub review_window: Option<ReviewWindowView>,
}

/// One of the user's cases with its timeline, the payment due, open document requests, the
/// coordinator and the expected review window. Another user's case is 404, like a missing one.
#[utoipa::path(post, path = "/app/review-case-details", tag = "app", request_body = CaseIdRequest,
    responses(
        (status = 200, body = EnvelopeA<CaseDetails>, description = "The case"),
        (status = 404, body = ErrorA, description = "The user has no case with this id"),
    ),
    security(("token" = [])))]
pub async fn review_case_details(
    user: Authenticated<App>,
    state: Data,
    body: Body<CaseIdRequest>,
) -> Result {
    let b = user.check(body.parse()).await?;
    let (case, timeline, progress) = user
        .run(move |actor| {
            let (case, timeline) = state.cases.details(&actor.id, &b.case_id)?;
            let progress = state.patient_flow.progress(&case)?;
            Ok((linked(&state, case)?, timeline, progress))
        })
        .await?;
    let CaseProgress {
        payment_due,
        requests,
        coordinator,
        review_window,
    } = progress;
    Ok(envelope::a_ok(
        Key::Ok,
        CaseDetails {
            case: CaseView::from(case),
            timeline: timeline.into_iter().map(TimelineView::from).collect(),
            payment: payment_due.map(PaymentView::from),
            document_requests: requests
                .into_iter()
                .map(DocumentRequestView::from)
                .collect(),
            coordinator: coordinator.map(CoordinatorView::from),
            review_window: review_window.map(ReviewWindowView::from),
        },
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequestBody {
    /// One of the user's cases.
    #[schema(format = Uuid)]
    pub case_id: String,
    /// The request being answered (`document_requests[].sop_id` of the case's details).
    #[schema(format = Uuid)]
    pub sop_id: String,
    /// Added to the case's documents: 1 to 50, and a case holds at most 50 in all.
    #[schema(min_items = 1, max_items = 50)]
    pub med_docs: Vec<Document>,
}

/// Answers a doctor's request for documents: they are added to the case and the doctor who asked
/// is notified.
#[utoipa::path(post, path = "/app/answer-document-request", tag = "app", request_body = AnswerRequestBody,
    responses(
        (status = 200, body = EnvelopeA<Empty>, description = "The documents were added"),
        (status = 400, body = ErrorA, description = "A document is wrong, or the case would hold more than 50"),
        (status = 404, body = ErrorA, description = "The user has no such case, or it has no open request with this id"),
        (status = 409, body = ErrorA, description = "The case is past the point of adding documents"),
    ),
    security(("token" = [])))]
pub async fn answer_document_request(
    user: Authenticated<App>,
    state: Data,
    body: Body<AnswerRequestBody>,
) -> Result {
    let b = user.check(body.parse()).await?;
    let lengths = Lengths::new().documents(
        "med_docs",
        b.med_docs
            .iter()
            .map(|d| (d.url.as_str(), d.key.as_str(), d.name.as_str())),
    );
    user.check(lengths.finish()).await?;
    let docs: Vec<MedicalDocument> = b.med_docs.into_iter().map(MedicalDocument::from).collect();
    user.run(move |actor| {
        let docs = state.documents.claim(&actor.id, docs)?;
        state
            .patient_flow
            .answer_request(&actor.id, &b.case_id, &b.sop_id, docs)
    })
    .await?;
    Ok(envelope::a_ok(Key::DocumentsProvidedOk, Empty {}))
}

/// The final report of a completed case as a PDF, in the language of the `lang` header (Arabic is
/// laid out right to left). A case not completed yet is 409; another user's case is 404.
#[utoipa::path(post, path = "/app/review-report", tag = "app", request_body = CaseIdRequest,
    params(("lang" = Option<String>, Header, description = "`ar` or `1` for the Arabic report; English otherwise")),
    responses(
        (status = 200, content_type = "application/pdf", body = Vec<u8>, description = "The report"),
        (status = 404, body = ErrorA, description = "The user has no case with this id"),
        (status = 409, body = ErrorA, description = "The case is not completed yet"),
    ),
    security(("token" = [])))]
pub async fn review_report(
    user: Authenticated<App>,
    state: Data,
    body: Body<CaseIdRequest>,
) -> Result {
    let b = user.check(body.parse()).await?;
    let lang = lang();
    let case_id = b.case_id.clone();
    let pdf = user
        .run(move |actor| {
            let key = state.patient_flow.report(&actor.id, &b.case_id, lang)?;
            // The report was written when the case completed; its absence is the server's fault.
            read_all(&*state.blobs, &key)?
                .ok_or_else(|| Error::internal(format!("report {key} is missing")))
        })
        .await?;
    let file = format!("report-{case_id}-{}.pdf", lang.as_str());
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{file}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(pdf))
}
