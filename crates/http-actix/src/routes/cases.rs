//! `/app` review cases and contact details: patients (audience `snr_usr`), envelope A.
//!
//! The user is always the token's subject; no body field can name another user.

use actix_web::{HttpResponse, web};
use domain::kernel::code::Code;
use domain::kernel::ids::ActorId;
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

use super::wire::{
    ActorRole, CaseStatus, Gender, Lengths, NoFields, SubmitStatus, TimelineEvent, whole, whole_opt,
};

type Result<T = HttpResponse> = std::result::Result<T, ApiError<App>>;
type Body<T> = JsonBody<T, App>;
type Data = web::Data<AppState>;

/// A stored document: where it is, its storage key, its file name. Each is trimmed and must not be
/// blank.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Document {
    #[schema(
        example = "https://example.com/storage/report.pdf",
        min_length = 1,
        max_length = 2048,
        pattern = r"^[^\u0000]*[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000][^\u0000]*$"
    )]
    pub url: String,
    #[schema(
        example = "uploads/user123/report.pdf",
        min_length = 1,
        max_length = 1024,
        pattern = r"^[^\u0000]*[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000][^\u0000]*$"
    )]
    pub key: String,
    #[schema(
        example = "primary-physician-report.pdf",
        min_length = 1,
        max_length = 255,
        pattern = r"^[^\u0000]*[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000][^\u0000]*$"
    )]
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

/// The input with its uploaded documents checked as the user's own (404 otherwise).
fn claimed(state: &AppState, user: &ActorId, mut input: CaseInput) -> domain::Result<CaseInput> {
    input.medical_documents = input
        .medical_documents
        .map(|docs| state.documents.claim(user, docs))
        .transpose()?;
    Ok(input)
}

/// A case whose uploaded documents carry fresh signed links, for those allowed to read them (the
/// patient, the providers on the case).
pub(crate) fn linked(state: &AppState, mut case: ReviewCase) -> domain::Result<ReviewCase> {
    state.documents.refresh_links(&mut case.medical_documents)?;
    Ok(case)
}

/// A case as the patient fills it in. `rt_id` and `dc_id` must name an active review type and
/// disease category (400 otherwise: the document cannot list them).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveCaseRequest {
    /// An active review type.
    #[schema(format = Uuid)]
    pub rt_id: String,
    /// An active disease category.
    #[schema(format = Uuid)]
    pub dc_id: String,
    /// Whole years, 0 to 150.
    #[serde(deserialize_with = "whole")]
    #[schema(minimum = 0, maximum = 150)]
    pub patient_age: i64,
    #[schema(value_type = Gender)]
    pub patient_gender: String,
    /// `draft` to keep editing, `review` to submit.
    #[schema(value_type = SubmitStatus)]
    pub status: String,
    /// Trimmed; blank or null is none. At most 10,000 characters.
    #[schema(max_length = 10000, pattern = r"^[^\u0000]*$")]
    pub medical_history: Option<String>,
    /// At most 50; default none.
    #[schema(max_items = 50)]
    pub medical_documents: Option<Vec<Document>>,
}

/// The same fields as saving; `medical_history` and `medical_documents` left out keep their value.
/// (Listed again rather than flattened: serde does not refuse unknown fields through a flatten.)
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCaseRequest {
    /// One of the user's cases.
    #[schema(format = Uuid)]
    pub case_id: String,
    /// An active review type.
    #[schema(format = Uuid)]
    pub rt_id: String,
    /// An active disease category.
    #[schema(format = Uuid)]
    pub dc_id: String,
    /// Whole years, 0 to 150.
    #[serde(deserialize_with = "whole")]
    #[schema(minimum = 0, maximum = 150)]
    pub patient_age: i64,
    #[schema(value_type = Gender)]
    pub patient_gender: String,
    /// `draft` to keep editing, `review` to submit.
    #[schema(value_type = SubmitStatus)]
    pub status: String,
    /// Trimmed; absent, blank or null keeps the stored history. At most 10,000 characters.
    #[schema(max_length = 10000, pattern = r"^[^\u0000]*$")]
    pub medical_history: Option<String>,
    /// Replaces the stored documents; absent or null keeps them. At most 50.
    #[schema(max_items = 50)]
    pub medical_documents: Option<Vec<Document>>,
}

impl SaveCaseRequest {
    /// The length limits the domain checks after trimming, checked on the text as sent.
    fn lengths(&self) -> domain::Result<()> {
        Lengths::new()
            .at_most("medical_history", self.medical_history.as_deref(), 10_000)
            .documents(
                "medical_documents",
                self.medical_documents.iter().flatten().map(parts),
            )
            .finish()
    }
}

fn parts(d: &Document) -> (&str, &str, &str) {
    (&d.url, &d.key, &d.name)
}

impl UpdateCaseRequest {
    fn into_parts(self) -> (String, SaveCaseRequest) {
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
        (case_id, fields)
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
    /// One of the user's cases.
    #[schema(format = Uuid)]
    pub case_id: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PageRequestBody {
    /// From 1; default 1.
    #[serde(default, deserialize_with = "whole_opt")]
    #[schema(minimum = 1, maximum = 4294967295u32)]
    pub page: Option<i64>,
    /// From 1; default 15; values above 100 are taken as 100.
    #[serde(default, deserialize_with = "whole_opt")]
    #[schema(minimum = 1, maximum = 9223372036854775807i64)]
    pub page_size: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddDocumentsRequest {
    /// One of the user's draft cases.
    #[schema(format = Uuid)]
    pub case_id: String,
    /// Appended to the case's documents: 1 to 50, and a case holds at most 50 in all (400 when the
    /// case's documents and these come to more).
    #[schema(min_items = 1, max_items = 50)]
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
    #[schema(maximum = 150)]
    pub patient_age: u8,
    #[schema(value_type = Gender)]
    pub patient_gender: &'static str,
    #[schema(value_type = CaseStatus)]
    pub status: &'static str,
    pub medical_history: Option<String>,
    pub medical_documents: Vec<Document>,
    #[schema(format = DateTime)]
    pub created_date: String,
    #[schema(format = DateTime)]
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
    #[schema(value_type = TimelineEvent)]
    pub event: &'static str,
    /// The event for people, in the caller's language: "Case submitted".
    pub title: String,
    #[schema(value_type = ActorRole)]
    pub by: &'static str,
    /// The status the event left the case in.
    #[schema(value_type = Option<CaseStatus>)]
    pub status: Option<&'static str>,
    #[schema(format = DateTime)]
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
pub struct Empty {}

/// Creates a case for the token's user, as a draft or submitted for review.
#[utoipa::path(post, path = "/app/save-review-case", tag = "app", request_body = SaveCaseRequest,
    params(("lang" = Option<String>, Header, description = "The patient's language, used for their notifications")),
    responses(
        (status = 200, body = EnvelopeA<CaseId>, description = "The case was saved"),
        (status = 400, body = ErrorA, description = "A field is wrong, or `rt_id` / `dc_id` is not an active review type / disease category: every wrong field is named"),
    ),
    security(("token" = [])))]
pub async fn save_review_case(
    user: Authenticated<App>,
    state: Data,
    body: Body<SaveCaseRequest>,
) -> Result {
    let b = user.check(body.parse()).await?;
    user.check(b.lengths()).await?;
    let lang = lang();
    let input = CaseInput::from(b);
    let case = user
        .run(move |actor| {
            let input = claimed(&state, &actor.id, input)?;
            state.cases.save(&actor.id, lang, input)
        })
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
    params(("lang" = Option<String>, Header, description = "The patient's language, used for their notifications")),
    responses(
        (status = 200, body = EnvelopeA<CaseView>, description = "The case as saved"),
        (status = 400, body = ErrorA, description = "A field is wrong, or `rt_id` / `dc_id` is not an active review type / disease category"),
        (status = 404, body = ErrorA, description = "The user has no case with this id"),
        (status = 409, body = ErrorA, description = "The case is not a draft, or another request changed it meanwhile"),
    ),
    security(("token" = [])))]
pub async fn update_review_case(
    user: Authenticated<App>,
    state: Data,
    body: Body<UpdateCaseRequest>,
) -> Result {
    let b = user.check(body.parse()).await?;
    let lang = lang();
    let (case_id, fields) = b.into_parts();
    user.check(fields.lengths()).await?;
    let input = CaseInput::from(fields);
    let case = user
        .run(move |actor| {
            let input = claimed(&state, &actor.id, input)?;
            let case = state.cases.update(&actor.id, lang, &case_id, input)?;
            linked(&state, case)
        })
        .await?;
    Ok(envelope::a_ok(Key::CaseUpdated, CaseView::from(case)))
}

/// The user's cases, newest first, paginated.
#[utoipa::path(post, path = "/app/review-cases", tag = "app", request_body = PageRequestBody,
    responses((status = 200, body = EnvelopeAList<CaseView>, description = "A page of the user's cases")),
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
        .run(move |actor| {
            let mut cases = state.cases.list(&actor.id, page)?;
            for case in &mut cases.items {
                state.documents.refresh_links(&mut case.medical_documents)?;
            }
            Ok(cases)
        })
        .await?;
    Ok(envelope::a_list(cases, CaseView::from))
}

/// Appends documents to one of the user's draft cases.
#[utoipa::path(post, path = "/app/add-medical-documents", tag = "app", request_body = AddDocumentsRequest,
    responses(
        (status = 200, body = EnvelopeA<Empty>, description = "The documents were appended"),
        (status = 400, body = ErrorA, description = "A document is wrong, or the case would hold more than 50"),
        (status = 404, body = ErrorA, description = "The user has no case with this id"),
        (status = 409, body = ErrorA, description = "The case is not a draft, or another request changed it meanwhile"),
    ),
    security(("token" = [])))]
pub async fn add_medical_documents(
    user: Authenticated<App>,
    state: Data,
    body: Body<AddDocumentsRequest>,
) -> Result {
    let b = user.check(body.parse()).await?;
    let lengths = Lengths::new().documents("med_docs", b.med_docs.iter().map(parts));
    user.check(lengths.finish()).await?;
    let docs = b.med_docs.into_iter().map(MedicalDocument::from).collect();
    user.run(move |actor| {
        let docs = state.documents.claim(&actor.id, docs)?;
        state.cases.add_documents(&actor.id, &b.case_id, docs)
    })
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
    /// An address (trimmed; one `@`, a dot in the domain part, no spaces), or null or absent to stop
    /// email notifications.
    #[schema(
        max_length = 254,
        pattern = r"^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^@ \x00-\x1f\x7f-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+@[^.@ \x00-\x1f\x7f-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^@ \x00-\x1f\x7f-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*\.[^@ \x00-\x1f\x7f-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^.@ \x00-\x1f\x7f-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub email: Option<String>,
}

/// The user's contact details for notifications.
#[utoipa::path(post, path = "/app/contact-details", tag = "app", request_body = NoFields,
    responses((status = 200, body = EnvelopeA<ContactView>, description = "The user's contact details")),
    security(("token" = [])))]
pub async fn contact_details(
    user: Authenticated<App>,
    state: Data,
    body: Body<NoFields>,
) -> Result {
    user.check(body.parse()).await?;
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
    responses((status = 200, body = EnvelopeA<ContactView>, description = "The contact details as saved")),
    security(("token" = [])))]
pub async fn update_contact_details(
    user: Authenticated<App>,
    state: Data,
    body: Body<UpdateContactRequest>,
) -> Result {
    let b = user.check(body.parse()).await?;
    let lengths = Lengths::new().email("email", b.email.as_deref());
    user.check(lengths.finish()).await?;
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
