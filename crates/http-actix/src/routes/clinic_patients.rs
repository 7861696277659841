//! `/api/patients`: the clinic's patients (audience `clinic`, envelope B).
//!
//! Every route checks the token (401), the caller's roles against the policy (403), then the query
//! or body (400) and the id: a path id that is not a UUID names no patient (404). Lists are newest
//! first unless `sort`/`order` say otherwise; soft-deleted patients are never listed, found or read.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use domain::Error;
use domain::clinic::{Action, PatientId, patient::patient_not_found};
use domain::kernel::text::Key;

use super::clinic_bodies::{
    DeleteQuery, OrderParam, PatientBody, PatientListQuery, PatientSortParam, PatientUpdateBody,
    query,
};
use super::clinic_views::{DeletedView, PatientView};
use crate::body::JsonBody;
use crate::envelope::{EnvelopeB, EnvelopeBList, ErrorB, b_list, b_ok};
use crate::error::ApiError;
use crate::extract::{Authenticated, blocking};
use crate::state::AppState;
use crate::surface::Clinic;

type Result<T = HttpResponse> = std::result::Result<T, ApiError<Clinic>>;
type Body<T> = JsonBody<T, Clinic>;
type Data = web::Data<AppState>;

/// A patient id from the path; one that is not a UUID names no patient.
pub(super) fn patient_id(raw: &str) -> Result<PatientId> {
    uuid::Uuid::parse_str(raw)
        .map(PatientId::from_uuid)
        .map_err(|_| patient_not_found().into())
}

/// The patients, newest first by default.
#[utoipa::path(get, path = "/api/patients", tag = "clinic",
    params(
        ("search" = Option<String>, Query, description = "Only patients with, for every word of it, a word of their name (either language), MRN or national id that starts with it, or a phone whose digits contain it (4 digits or more); case, accents and Arabic diacritics are ignored. Blank is no filter"),
        ("page" = Option<i64>, Query, minimum = 1, maximum = 4294967295u32, description = "From 1; default 1"),
        ("limit" = Option<i64>, Query, minimum = 1, description = "Default 15; above 100 taken as 100"),
        ("sort" = inline(Option<PatientSortParam>), Query, description = "name, mrn, created_at (default) or birth_date"),
        ("order" = inline(Option<OrderParam>), Query, description = "asc or desc; default desc for created_at, asc for the others"),
    ),
    responses(
        (status = 200, body = EnvelopeBList<PatientView>, description = "A page of patients"),
        (status = 400, body = ErrorB, description = "page or limit is not a whole number of 1 or more, or sort or order is unknown"),
        (status = 403, body = ErrorB, description = "The caller holds none of the clinical roles"),
    ),
    security(("token" = [])))]
pub async fn list_patients(token: Authenticated<Clinic>, state: Data, req: HttpRequest) -> Result {
    let who = token.who(Action::ReadPatients).await?;
    let (patients, page) = query::<PatientListQuery>(req.query_string())?.parse()?;
    let found = blocking(move || state.clinic.patients.list(&who, &patients, page)).await?;
    Ok(b_list(found, PatientView::from))
}

/// Patients matching `q`: a name in either language, a phone number (its digits), an MRN or a
/// national id, with case, Latin accents and Arabic diacritics ignored (`jose` finds José, `احمد`
/// finds أحمد). Every word must start a word of the patient's (`had` finds Haddad, `dad` does not);
/// a phone query's digits may occur anywhere in the phone's.
#[utoipa::path(get, path = "/api/patients/search", tag = "clinic",
    params(
        ("q" = String, Query, pattern = r"^[^\u0000]*[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000][^\u0000]*$", description = "What to look for: at least one character besides spaces"),
        ("page" = Option<i64>, Query, minimum = 1, maximum = 4294967295u32, description = "From 1; default 1"),
        ("limit" = Option<i64>, Query, minimum = 1, description = "Default 15; above 100 taken as 100"),
        ("sort" = inline(Option<PatientSortParam>), Query, description = "name, mrn, created_at (default) or birth_date"),
        ("order" = inline(Option<OrderParam>), Query, description = "asc or desc; default desc for created_at, asc for the others"),
    ),
    responses(
        (status = 200, body = EnvelopeBList<PatientView>, description = "A page of matching patients"),
        (status = 400, body = ErrorB, description = "q is missing or blank, or a paging or order parameter is wrong"),
        (status = 403, body = ErrorB, description = "The caller holds none of the clinical roles"),
    ),
    security(("token" = [])))]
pub async fn search_patients(
    token: Authenticated<Clinic>,
    state: Data,
    req: HttpRequest,
) -> Result {
    let who = token.who(Action::ReadPatients).await?;
    let raw = query::<PatientListQuery>(req.query_string())?;
    let (patients, page) = raw.parse()?;
    let q = raw.q.unwrap_or_default();
    let found = blocking(move || state.clinic.patients.search(&who, &q, patients, page)).await?;
    Ok(b_list(found, PatientView::from))
}

/// One patient.
#[utoipa::path(get, path = "/api/patients/{id}", tag = "clinic",
    params(("id" = uuid::Uuid, Path, description = "The patient")),
    responses(
        (status = 200, body = EnvelopeB<PatientView>, description = "The patient"),
        (status = 403, body = ErrorB, description = "The caller holds none of the clinical roles"),
        (status = 404, body = ErrorB, description = "No such patient, or a deleted one"),
    ),
    security(("token" = [])))]
pub async fn get_patient(
    token: Authenticated<Clinic>,
    state: Data,
    id: web::Path<String>,
) -> Result {
    let who = token.who(Action::ReadPatients).await?;
    let id = patient_id(&id)?;
    let patient = blocking(move || state.clinic.patients.read(&who, id)).await?;
    Ok(b_ok(StatusCode::OK, Key::Ok, PatientView::from(patient)))
}

/// Registers a patient, who gets the next medical record number (`MRN` and 8 digits).
#[utoipa::path(post, path = "/api/patients", tag = "clinic",
    request_body = PatientBody,
    responses(
        (status = 201, body = EnvelopeB<PatientView>, description = "The patient, with the MRN"),
        (status = 400, body = ErrorB, description = "A field is missing, unknown or breaks its rule (a birth date in the future included)"),
        (status = 403, body = ErrorB, description = "Only receptionists and doctors register patients"),
    ),
    security(("token" = [])))]
pub async fn create_patient(
    token: Authenticated<Clinic>,
    state: Data,
    body: Body<PatientBody>,
) -> Result {
    let who = token.who(Action::CreatePatient).await?;
    let input = body.parse()?.input();
    let patient = blocking(move || state.clinic.patients.create(&who, &input)).await?;
    Ok(b_ok(
        StatusCode::CREATED,
        Key::ClinicPatientCreated,
        PatientView::from(patient),
    ))
}

/// Changes a patient: a partial update, only the fields sent change and `null` clears an optional
/// one.
#[utoipa::path(put, path = "/api/patients/{id}", tag = "clinic",
    params(("id" = uuid::Uuid, Path, description = "The patient")),
    request_body = PatientUpdateBody,
    responses(
        (status = 200, body = EnvelopeB<PatientView>, description = "The patient as changed"),
        (status = 400, body = ErrorB, description = "A field is unknown or breaks its rule"),
        (status = 403, body = ErrorB, description = "Only receptionists and doctors change patients"),
        (status = 404, body = ErrorB, description = "No such patient, or a deleted one"),
    ),
    security(("token" = [])))]
pub async fn update_patient(
    token: Authenticated<Clinic>,
    state: Data,
    id: web::Path<String>,
    body: Body<PatientUpdateBody>,
) -> Result {
    let who = token.who(Action::UpdatePatient).await?;
    let patch = body.parse()?.patch();
    let id = patient_id(&id)?;
    let patient = blocking(move || state.clinic.patients.update(&who, id, &patch)).await?;
    Ok(b_ok(
        StatusCode::OK,
        Key::ClinicPatientUpdated,
        PatientView::from(patient),
    ))
}

/// Deletes a patient: softly by default (the patient leaves lists and search and keeps every
/// record); `?hard=true` removes the record for good, which is the `admin` role's (DECISIONS §9), and is
/// refused while appointments or reports refer to the patient.
#[utoipa::path(delete, path = "/api/patients/{id}", tag = "clinic",
    params(
        ("id" = uuid::Uuid, Path, description = "The patient"),
        ("hard" = Option<bool>, Query, description = "true: remove the record for good (admin)"),
    ),
    responses(
        (status = 200, body = EnvelopeB<DeletedView>, description = "Deleted"),
        (status = 400, body = ErrorB, description = "hard is neither true nor false"),
        (status = 403, body = ErrorB, description = "Only receptionists and doctors delete patients; only administrators remove one for good"),
        (status = 404, body = ErrorB, description = "No such patient (or, for a soft delete, one deleted already)"),
        (status = 409, body = ErrorB, description = "Hard delete: appointments or reports refer to the patient (the message says how many)"),
    ),
    security(("token" = [])))]
pub async fn delete_patient(
    token: Authenticated<Clinic>,
    state: Data,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result {
    let hard = query::<DeleteQuery>(req.query_string()).and_then(|q| q.hard());
    // Removing the record is the administrators' (DECISIONS §9); a soft delete the clinical roles'.
    let action = if matches!(hard, Ok(true)) {
        Action::HardDeletePatient
    } else {
        Action::DeletePatient
    };
    token.permit(action)?;
    let hard = token.check(hard).await?;
    let who = token.who(action).await?;
    let id = patient_id(&id)?;
    let (key, id) = blocking(move || {
        let patients = &state.clinic.patients;
        if hard {
            patients.hard_delete(&who, id)?;
            Ok::<_, Error>((Key::ClinicPatientRemoved, id))
        } else {
            patients.delete(&who, id)?;
            Ok((Key::ClinicPatientDeleted, id))
        }
    })
    .await?;
    let view = DeletedView {
        id: id.to_string(),
        hard,
    };
    Ok(b_ok(StatusCode::OK, key, view))
}
