//! `/api/v3`: eHealth declaration requests (audience `ehealth`), envelope C, answers in English.
//!
//! Every route checks, in this order: the token (401), the action's scope (401 "Invalid scopes"),
//! then the body (422, one `invalid` entry per failing property, unknown properties included) and
//! the id, and only then reaches the service. The caller's legal entity is the token's
//! `client_id`: another legal entity's request or declaration is 404, as a missing one.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use domain::declarations::{
    ApproveInput, Caller, DeclarationId, DeclarationRequestId, LegalEntityId, Scope,
};
use domain::identity::Actor;
use domain::kernel::text::Key;
use domain::{AuthFailure, Error};
use serde_json::Value;

use super::declaration_bodies::{
    self as views, ApproveBody, CreateRequestBody, ListQuery, NoPropertiesBody, SignBody,
};
use super::declaration_views::{
    DeclarationRequestView, DeclarationView, UploadLinkView, UrgentView,
};
use crate::body::JsonBody;
use crate::envelope::{self, EnvelopeC, EnvelopeCList, EnvelopeCUrgent, ErrorC};
use crate::error::ApiError;
use crate::extract::{Authenticated, blocking};
use crate::state::AppState;
use crate::surface::Ehealth;

type Result<T = HttpResponse> = std::result::Result<T, ApiError<Ehealth>>;
type Body = JsonBody<Value, Ehealth>;
type Data = web::Data<AppState>;

/// The caller the token names, once it is known not to be revoked and to hold `scope`. A token
/// without a `client_id` (a legal entity) cannot act on this surface.
async fn caller(token: Authenticated<Ehealth>, scope: Scope) -> Result<Caller> {
    let actor: Actor = token.confirm().await?;
    let legal_entity_id = actor
        .client_id
        .as_deref()
        .and_then(|c| uuid::Uuid::parse_str(c.trim()).ok())
        .map(LegalEntityId::from_uuid)
        .ok_or(Error::Unauthorized(AuthFailure::Invalid))?;
    let caller = Caller {
        user_id: actor.id,
        legal_entity_id,
        scopes: actor.scopes,
    };
    caller.require(scope)?;
    Ok(caller)
}

/// A request id from the path; one that is not a UUID names no request.
fn request_id(raw: &str) -> Result<DeclarationRequestId> {
    uuid::Uuid::parse_str(raw)
        .map(DeclarationRequestId::from_uuid)
        .map_err(|_| Error::not_found(Key::DeclarationRequestNotFound).into())
}

/// Creates a request for a person and a doctor of the caller's legal entity (scope
/// `declaration_request:write`). It cancels the person's earlier `NEW` and `APPROVED` requests to
/// the same doctor. `OTP`: a code goes to the person's phone by SMS; `OFFLINE`: `urgent.documents`
/// lists where to upload each document's scan (`PUT`, no token, before the link expires); `NA`:
/// nothing to do. The person, doctor, division and parent declaration must exist and fit (422
/// naming each property that does not): the doctor an approved employee of the caller's legal
/// entity with a doctor's speciality that takes the person's age, the division the legal entity's,
/// the parent declaration active.
#[utoipa::path(post, path = "/api/v3/declaration_requests", tag = "ehealth",
    request_body = CreateRequestBody,
    responses(
        (status = 201, body = EnvelopeCUrgent<DeclarationRequestView, UrgentView>, description = "The request, `NEW`"),
        (status = 422, body = ErrorC, description = "A property is missing, unknown, malformed, or names what does not fit"),
    ),
    security(("token" = ["declaration_request:write"])))]
pub async fn create(token: Authenticated<Ehealth>, state: Data, body: Body) -> Result {
    let caller = caller(token, Scope::Write).await?;
    let input = views::read::<CreateRequestBody>(body.parse()?, views::CREATE)?.input();
    let created = blocking(move || state.declarations.create.create(&caller, input)).await?;
    let urgent = UrgentView {
        documents: created
            .urgent_documents
            .into_iter()
            .map(|link| UploadLinkView {
                document_type: link.document_type.as_str().to_owned(),
                url: link.url,
            })
            .collect(),
    };
    Ok(envelope::c_urgent(
        StatusCode::CREATED,
        DeclarationRequestView::from(created.request),
        urgent,
    ))
}

/// The caller's legal entity's requests, newest first (scope `declaration_request:read`).
#[utoipa::path(get, path = "/api/v3/declaration_requests", tag = "ehealth",
    params(
        ("status" = Option<String>, Query, description = "NEW, APPROVED, SIGNED, REJECTED, CANCELLED or EXPIRED"),
        ("person_id" = Option<uuid::Uuid>, Query, description = "Only this person's"),
        ("employee_id" = Option<uuid::Uuid>, Query, description = "Only this doctor's"),
        ("page" = Option<i64>, Query, minimum = 1, description = "From 1; default 1"),
        ("page_size" = Option<i64>, Query, minimum = 1, description = "Default 15; above 100 taken as 100"),
    ),
    responses(
        (status = 200, body = EnvelopeCList<DeclarationRequestView>, description = "A page of requests"),
        (status = 422, body = ErrorC, description = "A query parameter is unknown or malformed"),
    ),
    security(("token" = ["declaration_request:read"])))]
pub async fn list(token: Authenticated<Ehealth>, state: Data, req: HttpRequest) -> Result {
    let caller = caller(token, Scope::Read).await?;
    let query = web::Query::<ListQuery>::from_query(req.query_string()).map_err(|e| {
        Error::Validation(vec![domain::FieldError::new(
            "query",
            "schema",
            domain::kernel::text::Text::new(Key::InvalidBody)
                .with("line", 1i64)
                .with("column", 1i64)
                .with("detail", e.to_string()),
        )])
    })?;
    let (filter, page) = query.into_inner().parse()?;
    let list = blocking(move || state.declarations.queries.list(&caller, &filter, page)).await?;
    Ok(envelope::c_list(list, DeclarationRequestView::from))
}

/// One request of the caller's legal entity (scope `declaration_request:read`).
#[utoipa::path(get, path = "/api/v3/declaration_requests/{id}", tag = "ehealth",
    params(("id" = uuid::Uuid, Path, description = "The declaration request")),
    responses(
        (status = 200, body = EnvelopeC<DeclarationRequestView>, description = "The request"),
        (status = 404, body = ErrorC, description = "No such request in the caller's legal entity"),
    ),
    security(("token" = ["declaration_request:read"])))]
pub async fn show(token: Authenticated<Ehealth>, state: Data, id: web::Path<String>) -> Result {
    let caller = caller(token, Scope::Read).await?;
    let id = request_id(&id)?;
    let request = blocking(move || state.declarations.queries.request(&caller, id)).await?;
    Ok(envelope::c_ok(
        StatusCode::OK,
        DeclarationRequestView::from(request),
    ))
}

/// Approves a `NEW` request (scope `declaration_request:approve`), in the order of the national
/// specification: the body (`OTP`: `verification_code`, 4 digits as a number or a string; any
/// other method: no body or `{}`, else 422); the request (404); its status (409 "Invalid
/// transition"); the patient (409 "Patient is not verified"); then by method: the code (422
/// "Invalid verification code", "Verification code expired", "Maximum attempts exceed"), the
/// uploaded documents (409 "Documents PASSPORT is not uploaded"), the parent declaration (404
/// "Active parent declaration was not found"); the doctor's limit (422). The answer carries the
/// `seed` the doctor's signature must cover.
#[utoipa::path(patch, path = "/api/v3/declaration_requests/{id}/actions/approve", tag = "ehealth",
    params(("id" = uuid::Uuid, Path, description = "The declaration request")),
    request_body = ApproveBody,
    responses(
        (status = 201, body = EnvelopeC<DeclarationRequestView>, description = "The request, `APPROVED`"),
        (status = 404, body = ErrorC, description = "No such request, or no active parent declaration"),
        (status = 409, body = ErrorC, description = "Not `NEW`, the patient is not verified, or documents are missing"),
        (status = 422, body = ErrorC, description = "The body, the code, or the doctor's limit"),
    ),
    security(("token" = ["declaration_request:approve"])))]
pub async fn approve(
    token: Authenticated<Ehealth>,
    state: Data,
    id: web::Path<String>,
    body: Body,
) -> Result {
    let caller = caller(token, Scope::Approve).await?;
    let body = views::read::<ApproveBody>(body.parse()?, views::APPROVE)?;
    let id = request_id(&id)?;
    let input = ApproveInput {
        verification_code: body.verification_code,
    };
    let request = blocking(move || state.declarations.approve.approve(&caller, id, input)).await?;
    Ok(envelope::c_ok(
        StatusCode::CREATED,
        DeclarationRequestView::from(request),
    ))
}

/// Rejects a `NEW` or `APPROVED` request (scope `declaration_request:reject`).
#[utoipa::path(patch, path = "/api/v3/declaration_requests/{id}/actions/reject", tag = "ehealth",
    params(("id" = uuid::Uuid, Path, description = "The declaration request")),
    request_body = NoPropertiesBody,
    responses(
        (status = 200, body = EnvelopeC<DeclarationRequestView>, description = "The request, `REJECTED`"),
        (status = 404, body = ErrorC, description = "No such request in the caller's legal entity"),
        (status = 409, body = ErrorC, description = "Neither `NEW` nor `APPROVED`"),
        (status = 422, body = ErrorC, description = "The body has a property"),
    ),
    security(("token" = ["declaration_request:reject"])))]
pub async fn reject(
    token: Authenticated<Ehealth>,
    state: Data,
    id: web::Path<String>,
    body: Body,
) -> Result {
    let caller = caller(token, Scope::Reject).await?;
    views::read::<NoPropertiesBody>(body.parse()?, views::NOTHING)?;
    let id = request_id(&id)?;
    let request = blocking(move || state.declarations.reject.reject(&caller, id)).await?;
    Ok(envelope::c_ok(
        StatusCode::OK,
        DeclarationRequestView::from(request),
    ))
}

/// Sends the person a new code by SMS, cancelling the previous one (scope
/// `declaration_request:write`); only for a `NEW` request authenticated by `OTP` (409 otherwise).
#[utoipa::path(patch, path = "/api/v3/declaration_requests/{id}/actions/resend_otp", tag = "ehealth",
    params(("id" = uuid::Uuid, Path, description = "The declaration request")),
    request_body = NoPropertiesBody,
    responses(
        (status = 200, body = EnvelopeC<DeclarationRequestView>, description = "The request; the code went by SMS"),
        (status = 404, body = ErrorC, description = "No such request in the caller's legal entity"),
        (status = 409, body = ErrorC, description = "Not `NEW`, or not authenticated by `OTP`"),
        (status = 422, body = ErrorC, description = "The body has a property"),
    ),
    security(("token" = ["declaration_request:write"])))]
pub async fn resend_otp(
    token: Authenticated<Ehealth>,
    state: Data,
    id: web::Path<String>,
    body: Body,
) -> Result {
    let caller = caller(token, Scope::Write).await?;
    views::read::<NoPropertiesBody>(body.parse()?, views::NOTHING)?;
    let id = request_id(&id)?;
    let (request, _issued) =
        blocking(move || state.declarations.resend.resend(&caller, id)).await?;
    Ok(envelope::c_ok(
        StatusCode::OK,
        DeclarationRequestView::from(request),
    ))
}

/// Signs an `APPROVED` request (scope `declaration_request:sign`): a compact JWS (EdDSA) by the
/// doctor's registered key whose payload is exactly `data_to_be_signed` with the current `seed`
/// (422 otherwise). The request becomes `SIGNED`, the declaration exists (`active`), and a parent
/// declaration that stood for the child is terminated.
#[utoipa::path(patch, path = "/api/v3/declaration_requests/{id}/actions/sign", tag = "ehealth",
    params(("id" = uuid::Uuid, Path, description = "The declaration request")),
    request_body = SignBody,
    responses(
        (status = 200, body = EnvelopeC<DeclarationView>, description = "The declaration, `active`"),
        (status = 404, body = ErrorC, description = "No such request in the caller's legal entity"),
        (status = 409, body = ErrorC, description = "Not `APPROVED`"),
        (status = 422, body = ErrorC, description = "The body, the signature, or the signed content"),
    ),
    security(("token" = ["declaration_request:sign"])))]
pub async fn sign(
    token: Authenticated<Ehealth>,
    state: Data,
    id: web::Path<String>,
    body: Body,
) -> Result {
    let caller = caller(token, Scope::Sign).await?;
    let body = views::read::<SignBody>(body.parse()?, views::SIGN)?;
    let id = request_id(&id)?;
    let declaration = blocking(move || {
        state
            .declarations
            .sign
            .sign(&caller, id, &body.signed_declaration_request)
    })
    .await?;
    Ok(envelope::c_ok(
        StatusCode::OK,
        DeclarationView::from(declaration),
    ))
}

/// A declaration of the caller's legal entity (scope `declaration_request:read`).
#[utoipa::path(get, path = "/api/v3/declarations/{id}", tag = "ehealth",
    params(("id" = uuid::Uuid, Path, description = "The declaration")),
    responses(
        (status = 200, body = EnvelopeC<DeclarationView>, description = "The declaration"),
        (status = 404, body = ErrorC, description = "No such declaration in the caller's legal entity"),
    ),
    security(("token" = ["declaration_request:read"])))]
pub async fn declaration(
    token: Authenticated<Ehealth>,
    state: Data,
    id: web::Path<String>,
) -> Result {
    let caller = caller(token, Scope::Read).await?;
    let id = uuid::Uuid::parse_str(&id)
        .map(DeclarationId::from_uuid)
        .map_err(|_| Error::not_found(Key::DeclarationNotFound))?;
    let declaration = blocking(move || state.declarations.queries.declaration(&caller, id)).await?;
    Ok(envelope::c_ok(
        StatusCode::OK,
        DeclarationView::from(declaration),
    ))
}
