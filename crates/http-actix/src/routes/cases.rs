//! `/app` review cases and contact details: patients (audience `snr_usr`), envelope A.
//!
//! The user is always the token's subject; no body field can name another user.

use actix_web::{HttpResponse, web};
use domain::kernel::code::Code;
use domain::kernel::paging::PageRequest;
use domain::kernel::text::Key;
use domain::kernel::time::format_rfc3339;
use domain::second_opinion::{CaseInput, MedicalDocument, ReviewCase, TimelineEntry};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::body::JsonBody;
use crate::envelope::{self, EnvelopeA, EnvelopeAList, ErrorA};
use crate::error::ApiError;
use crate::extract::Authenticated;
use crate::i18n::{lang, say};
use crate::state::AppState;
use crate::surface::App;

type Result<T = HttpResponse> = std::result::Result<T, ApiError<App>>;
type Body<T> = JsonBody<T, App>;
type Data = web::Data<AppState>;

/// A stored document: where it is, its storage key, its file name. All three non-empty.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Document {
    #[schema(example = "https://example.com/storage/report.pdf")]
    pub url: String,
    #[schema(example = "uploads/user123/report.pdf")]
    pub key: String,
    #[schema(example = "primary-physician-report.pdf")]
    pub name: String,
}

impl From<Document> for MedicalDocument {
    fn from(d: Document) -> Self {
        MedicalDocument {
            url: d.url,
            key: d.key,
            name: d.name,
        }
    }
}

impl From<MedicalDocument> for Document {
    fn from(d: MedicalDocument) -> Self {
        Document {
            url: d.url,
            key: d.key,
            name: d.name,
        }
    }
}

fn documents(docs: Option<Vec<Document>>) -> Option<Vec<MedicalDocument>> {
    docs.map(|d| d.into_iter().map(MedicalDocument::from).collect())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveCaseRequest {
    /// An active review type.
    pub rt_id: String,
    /// An active disease category.
    pub dc_id: String,
    /// Whole years, 0 to 150.
    pub patient_age: i64,
    /// `male` or `female`.
    pub patient_gender: String,
    /// `draft` to keep editing, `review` to submit.
    pub status: String,
    pub medical_history: Option<String>,
    /// At most 50; default none.
    pub medical_documents: Option<Vec<Document>>,
}

/// The same fields as saving; `medical_history` and `medical_documents` left out keep their value.
/// (Listed again rather than flattened: serde does not refuse unknown fields through a flatten.)
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCaseRequest {
    pub case_id: String,
    pub rt_id: String,
    pub dc_id: String,
    pub patient_age: i64,
    pub patient_gender: String,
    pub status: String,
    pub medical_history: Option<String>,
    pub medical_documents: Option<Vec<Document>>,
}

impl UpdateCaseRequest {
    fn into_parts(self) -> (String, CaseInput) {
        let Self {
            case_id,
            rt_id,
            dc_id,
            patient_age,
            patient_gender,
            status,
            medical_history,
            medical_documents,
        } = self;
        let fields = SaveCaseRequest {
            rt_id,
            dc_id,
            patient_age,
            patient_gender,
            status,
            medical_history,
            medical_documents,
        };
        (case_id, fields.into())
    }
}

impl From<SaveCaseRequest> for CaseInput {
    fn from(b: SaveCaseRequest) -> Self {
        CaseInput {
            rt_id: b.rt_id,
            dc_id: b.dc_id,
            patient_age: b.patient_age,
            patient_gender: b.patient_gender,
            status: b.status,
            medical_history: b.medical_history,
            medical_documents: documents(b.medical_documents),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseIdRequest {
    pub case_id: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PageRequestBody {
    /// From 1; default 1.
    pub page: Option<i64>,
    /// Default 15, at most 100.
    pub page_size: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddDocumentsRequest {
    pub case_id: String,
    /// Appended to the case's documents; a case holds at most 50.
    pub med_docs: Vec<Document>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseId {
    pub case_id: uuid::Uuid,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseView {
    pub case_id: uuid::Uuid,
    pub rt_id: uuid::Uuid,
    pub dc_id: uuid::Uuid,
    pub patient_age: u8,
    pub patient_gender: &'static str,
    /// draft, review, rejected, awaiting_payment, paid, doctors_assigned or completed.
    pub status: &'static str,
    pub medical_history: Option<String>,
    pub medical_documents: Vec<Document>,
    pub created_date: String,
    pub updated_date: String,
    pub reject_reason: Option<String>,
    pub case_coordinator_id: Option<String>,
}

impl From<ReviewCase> for CaseView {
    fn from(c: ReviewCase) -> Self {
        Self {
            case_id: c.id.as_uuid(),
            rt_id: c.rt_id.as_uuid(),
            dc_id: c.dc_id.as_uuid(),
            patient_age: c.patient_age.years(),
            patient_gender: c.patient_gender.as_str(),
            status: c.status.as_str(),
            medical_history: c.medical_history,
            medical_documents: c
                .medical_documents
                .into_iter()
                .map(Document::from)
                .collect(),
            created_date: format_rfc3339(c.created_date),
            updated_date: format_rfc3339(c.updated_date),
            reject_reason: c.reject_reason,
            case_coordinator_id: c.case_coordinator_id.map(|id| id.as_str().to_owned()),
        }
    }
}

/// One step of the case's history, as the patient sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineView {
    /// created, submitted, updated, documents_added, draft_reminder_sent, …
    pub event: &'static str,
    /// The event for people, in the caller's language: "Case submitted".
    pub title: String,
    /// patient, admin, coordinator, doctor or system.
    pub by: &'static str,
    /// The status the event left the case in.
    pub status: Option<&'static str>,
    pub at: String,
}

impl From<TimelineEntry> for TimelineView {
    fn from(t: TimelineEntry) -> Self {
        Self {
            event: t.event.as_str(),
            title: say(&t.event.label()),
            by: t.actor_role.as_str(),
            status: t.to_status.map(|s| s.as_str()),
            at: format_rfc3339(t.created_date),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDetails {
    #[serde(flatten)]
    pub case: CaseView,
    /// Oldest first.
    pub timeline: Vec<TimelineView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Empty {}

/// Creates a case for the token's user, as a draft or submitted for review.
#[utoipa::path(post, path = "/app/save-review-case", tag = "app", request_body = SaveCaseRequest,
    params(("lang" = Option<String>, Header, description = "The patient's language, used for their notifications")),
    responses((status = 200, body = EnvelopeA<CaseId>), (status = 400, body = ErrorA, description = "A field is wrong, or rt_id/dc_id is not active"), (status = 401, body = ErrorA)),
    security(("token" = [])))]
pub async fn save_review_case(
    user: Authenticated<App>,
    state: Data,
    body: Body<SaveCaseRequest>,
) -> Result {
    let b = user.check(body.parse()).await?;
    let lang = lang();
    let input = CaseInput::from(b);
    let case = user
        .run(move |actor| state.cases.save(&actor.id, lang, input))
        .await?;
    Ok(envelope::a_ok(
        Key::CaseSaved,
        CaseId {
            case_id: case.id.as_uuid(),
        },
    ))
}

/// Edits one of the user's draft cases; `status: review` submits it. A case that is not a draft is 409.
#[utoipa::path(post, path = "/app/update-review-case", tag = "app", request_body = UpdateCaseRequest,
    responses((status = 200, body = EnvelopeA<CaseView>), (status = 400, body = ErrorA), (status = 404, body = ErrorA), (status = 409, body = ErrorA)),
    security(("token" = [])))]
pub async fn update_review_case(
    user: Authenticated<App>,
    state: Data,
    body: Body<UpdateCaseRequest>,
) -> Result {
    let b = user.check(body.parse()).await?;
    let lang = lang();
    let (case_id, input) = b.into_parts();
    let case = user
        .run(move |actor| state.cases.update(&actor.id, lang, &case_id, input))
        .await?;
    Ok(envelope::a_ok(Key::CaseUpdated, CaseView::from(case)))
}

/// The user's cases, newest first, paginated.
#[utoipa::path(post, path = "/app/review-cases", tag = "app", request_body = PageRequestBody,
    responses((status = 200, body = EnvelopeAList<CaseView>), (status = 400, body = ErrorA)),
    security(("token" = [])))]
pub async fn review_cases(
    user: Authenticated<App>,
    state: Data,
    body: Body<PageRequestBody>,
) -> Result {
    let b = user.check(body.parse()).await?;
    let page = user
        .check(PageRequest::from_client(b.page, b.page_size, "page_size"))
        .await?;
    let cases = user
        .run(move |actor| state.cases.list(&actor.id, page))
        .await?;
    Ok(envelope::a_list(cases, CaseView::from))
}

/// One of the user's cases with its timeline. Another user's case is 404, like a missing one.
#[utoipa::path(post, path = "/app/review-case-details", tag = "app", request_body = CaseIdRequest,
    responses((status = 200, body = EnvelopeA<CaseDetails>), (status = 404, body = ErrorA)),
    security(("token" = [])))]
pub async fn review_case_details(
    user: Authenticated<App>,
    state: Data,
    body: Body<CaseIdRequest>,
) -> Result {
    let b = user.check(body.parse()).await?;
    let (case, timeline) = user
        .run(move |actor| state.cases.details(&actor.id, &b.case_id))
        .await?;
    Ok(envelope::a_ok(
        Key::Ok,
        CaseDetails {
            case: CaseView::from(case),
            timeline: timeline.into_iter().map(TimelineView::from).collect(),
        },
    ))
}

/// Appends documents to one of the user's draft cases.
#[utoipa::path(post, path = "/app/add-medical-documents", tag = "app", request_body = AddDocumentsRequest,
    responses((status = 200, body = EnvelopeA<Empty>), (status = 400, body = ErrorA), (status = 404, body = ErrorA), (status = 409, body = ErrorA)),
    security(("token" = [])))]
pub async fn add_medical_documents(
    user: Authenticated<App>,
    state: Data,
    body: Body<AddDocumentsRequest>,
) -> Result {
    let b = user.check(body.parse()).await?;
    let docs = b.med_docs.into_iter().map(MedicalDocument::from).collect();
    user.run(move |actor| state.cases.add_documents(&actor.id, &b.case_id, docs))
        .await?;
    Ok(envelope::a_ok(Key::DocumentsUpdated, Empty {}))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactView {
    /// Where email notifications go; null when none was given.
    pub email: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateContactRequest {
    /// An address, or null to stop email notifications.
    pub email: Option<String>,
}

/// The user's contact details for notifications.
#[utoipa::path(post, path = "/app/contact-details", tag = "app", request_body(content = Object, description = "`{}`"),
    responses((status = 200, body = EnvelopeA<ContactView>)),
    security(("token" = [])))]
pub async fn contact_details(user: Authenticated<App>, state: Data) -> Result {
    let contact = user.run(move |actor| state.contacts.get(&actor.id)).await?;
    Ok(envelope::a_ok(
        Key::Ok,
        ContactView {
            email: contact.email,
        },
    ))
}

/// Sets or clears the email address notifications go to.
#[utoipa::path(post, path = "/app/update-contact-details", tag = "app", request_body = UpdateContactRequest,
    responses((status = 200, body = EnvelopeA<ContactView>), (status = 400, body = ErrorA)),
    security(("token" = [])))]
pub async fn update_contact_details(
    user: Authenticated<App>,
    state: Data,
    body: Body<UpdateContactRequest>,
) -> Result {
    let b = user.check(body.parse()).await?;
    let contact = user
        .run(move |actor| state.contacts.set_email(&actor.id, b.email.as_deref()))
        .await?;
    Ok(envelope::a_ok(
        Key::ContactUpdated,
        ContactView {
            email: contact.email,
        },
    ))
}
