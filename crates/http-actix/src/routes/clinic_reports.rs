//! `/api/reports`: the clinic's reports (audience `clinic`, envelope B). Doctors and technicians
//! read them; doctors write, finalize and print them (003's Access lines, `Action`). A report is a
//! draft until finalized, then read-only (409). Every read and write lands in the audit log with
//! the request's id.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use domain::Error;
use domain::clinic::{Action, ReportId};
use domain::kernel::code::{Code, choice_error_of};
use domain::kernel::lang::Lang;
use domain::kernel::text::Key;

use super::clinic_bodies::OrderParam;
use super::clinic_params::{LangParam, ReportSortParam, ReportStatusParam};
use super::clinic_report_bodies::{
    CreateReportBody, DeletedReportView, PdfQuery, ReportListQuery, ReportView, UpdateReportBody,
};
use crate::body::JsonBody;
use crate::envelope::{self, EnvelopeB, EnvelopeBList, ErrorB};
use crate::error::ApiError;
use crate::extract::{Authenticated, blocking};
use crate::i18n::lang;
use crate::state::AppState;
use crate::surface::Clinic;

type Result<T = HttpResponse> = std::result::Result<T, ApiError<Clinic>>;
type Data = web::Data<AppState>;
type Token = Authenticated<Clinic>;

/// A report id from the path; one that is not a UUID names no report.
fn report_id(raw: &str) -> Result<ReportId> {
    uuid::Uuid::parse_str(raw)
        .map(ReportId::from_uuid)
        .map_err(|_| Error::not_found(Key::ClinicReportNotFound).into())
}

/// A query string read into `T`; what does not fit (a repeated parameter) is 400.
pub(crate) fn query<T: serde::de::DeserializeOwned>(req: &HttpRequest) -> Result<T> {
    Ok(super::clinic_params::query(req.query_string())?)
}

/// Reports, newest first unless `sort`/`order` say otherwise.
#[utoipa::path(get, path = "/api/reports", tag = "clinic",
    params(
        ("patient_id" = Option<uuid::Uuid>, Query, description = "Only this patient's"),
        ("status" = inline(Option<ReportStatusParam>), Query, description = "`draft` or `finalized`"),
        ("doctor" = Option<uuid::Uuid>, Query, description = "Only this doctor's (the author's staff id)"),
        ("sort" = inline(Option<ReportSortParam>), Query, description = "`created_at` (default) or `updated_at`"),
        ("order" = inline(Option<OrderParam>), Query, description = "`desc` (default, newest first) or `asc`"),
        ("page" = Option<i64>, Query, minimum = 1, maximum = 4294967295u32, description = "From 1; default 1"),
        ("limit" = Option<i64>, Query, minimum = 1, description = "Default 15; above 100 taken as 100"),
    ),
    responses(
        (status = 200, body = EnvelopeBList<ReportView>, description = "A page of reports"),
        (status = 400, body = ErrorB, description = "A query parameter is malformed or not one of its choices; the message names each"),
        (status = 403, body = ErrorB, description = "Only doctors and technicians read reports"),
    ))]
pub async fn list(token: Token, state: Data, req: HttpRequest) -> Result {
    let who = token.who(Action::ReadReports).await?;
    let (filter, page) = query::<ReportListQuery>(&req)?.parse()?;
    let list = blocking(move || state.clinic.reports.list(&who, &filter, page)).await?;
    Ok(envelope::b_list(list, ReportView::from))
}

/// One report, with its measurements.
#[utoipa::path(get, path = "/api/reports/{id}", tag = "clinic",
    params(("id" = uuid::Uuid, Path, description = "The report")),
    responses(
        (status = 200, body = EnvelopeB<ReportView>, description = "The report"),
        (status = 403, body = ErrorB, description = "Only doctors and technicians read reports"),
        (status = 404, body = ErrorB, description = "No such report"),
    ))]
pub async fn show(token: Token, state: Data, id: web::Path<String>) -> Result {
    let who = token.who(Action::ReadReports).await?;
    let id = report_id(&id)?;
    let record = blocking(move || state.clinic.reports.read(&who, id)).await?;
    Ok(envelope::b_ok(
        StatusCode::OK,
        Key::Ok,
        ReportView::from(record),
    ))
}

/// A new draft by the calling doctor.
#[utoipa::path(post, path = "/api/reports", tag = "clinic",
    request_body = CreateReportBody,
    responses(
        (status = 201, body = EnvelopeB<ReportView>, description = "The report, a draft"),
        (status = 403, body = ErrorB, description = "Only doctors with a staff account write reports"),
        (status = 422, body = ErrorB, description = "`patient_id` names no patient of the clinic (or a deleted one)"),
    ))]
pub async fn create(token: Token, state: Data, body: JsonBody<CreateReportBody, Clinic>) -> Result {
    let who = token.who(Action::WriteReports).await?;
    let (patient, content) = body.parse()?.content();
    let record =
        blocking(move || state.clinic.report_writes.create(&who, patient, content)).await?;
    Ok(envelope::b_ok(
        StatusCode::CREATED,
        Key::ClinicReportCreated,
        ReportView::from(record),
    ))
}

/// Changes a draft; absent fields keep their values.
#[utoipa::path(put, path = "/api/reports/{id}", tag = "clinic",
    params(("id" = uuid::Uuid, Path, description = "The report")),
    request_body = UpdateReportBody,
    responses(
        (status = 200, body = EnvelopeB<ReportView>, description = "The report as changed"),
        (status = 403, body = ErrorB, description = "Only doctors with a staff account write reports"),
        (status = 404, body = ErrorB, description = "No such report"),
        (status = 409, body = ErrorB, description = "The report is finalized (read-only), or kept changing under this write"),
        (status = 422, body = ErrorB, description = "`patient_id` names no patient of the clinic (or a deleted one)"),
    ))]
pub async fn update(
    token: Token,
    state: Data,
    id: web::Path<String>,
    body: JsonBody<UpdateReportBody, Clinic>,
) -> Result {
    let who = token.who(Action::WriteReports).await?;
    let changes = body.parse()?.into();
    let id = report_id(&id)?;
    let record = blocking(move || state.clinic.report_writes.update(&who, id, changes)).await?;
    Ok(envelope::b_ok(
        StatusCode::OK,
        Key::ClinicReportUpdated,
        ReportView::from(record),
    ))
}

/// Finalizes a draft: it becomes read-only, and connected doctors and technicians hear of it.
#[utoipa::path(put, path = "/api/reports/{id}/finalize", tag = "clinic",
    params(("id" = uuid::Uuid, Path, description = "The report")),
    responses(
        (status = 200, body = EnvelopeB<ReportView>, description = "The report, finalized"),
        (status = 403, body = ErrorB, description = "Only doctors with a staff account finalize reports"),
        (status = 404, body = ErrorB, description = "No such report"),
        (status = 409, body = ErrorB, description = "The report is already finalized"),
        (status = 422, body = ErrorB, description = "The report has neither findings nor an impression"),
    ))]
pub async fn finalize(token: Token, state: Data, id: web::Path<String>) -> Result {
    let who = token.who(Action::WriteReports).await?;
    let id = report_id(&id)?;
    let record = blocking(move || state.clinic.report_writes.finalize(&who, id)).await?;
    Ok(envelope::b_ok(
        StatusCode::OK,
        Key::ClinicReportFinalizedOk,
        ReportView::from(record),
    ))
}

/// Deletes a draft.
#[utoipa::path(delete, path = "/api/reports/{id}", tag = "clinic",
    params(("id" = uuid::Uuid, Path, description = "The report")),
    responses(
        (status = 200, body = EnvelopeB<DeletedReportView>, description = "The report is gone"),
        (status = 403, body = ErrorB, description = "Only doctors with a staff account delete reports"),
        (status = 404, body = ErrorB, description = "No such report"),
        (status = 409, body = ErrorB, description = "The report is finalized (read-only)"),
    ))]
pub async fn delete(token: Token, state: Data, id: web::Path<String>) -> Result {
    let who = token.who(Action::WriteReports).await?;
    let id = report_id(&id)?;
    blocking(move || state.clinic.report_writes.delete(&who, id)).await?;
    Ok(envelope::b_ok(
        StatusCode::OK,
        Key::ClinicReportDeleted,
        DeletedReportView { id: id.to_string() },
    ))
}

/// The report as a PDF, in the language of `lang` (the query's, else the `lang` header's): Arabic
/// is laid out right to left. A draft prints too, titled as a draft.
#[utoipa::path(get, path = "/api/reports/{id}/pdf", tag = "clinic",
    params(
        ("id" = uuid::Uuid, Path, description = "The report"),
        ("lang" = inline(Option<LangParam>), Query, description = "`en` or `ar`; without it, the `lang` header decides"),
    ),
    responses(
        (status = 200, content_type = "application/pdf", body = Vec<u8>, description = "The report, as an attachment `report-<id>.pdf`"),
        (status = 400, body = ErrorB, description = "`lang` is neither `en` nor `ar`"),
        (status = 403, body = ErrorB, description = "Only doctors print reports"),
        (status = 404, body = ErrorB, description = "No such report"),
    ))]
pub async fn pdf(token: Token, state: Data, id: web::Path<String>, req: HttpRequest) -> Result {
    let who = token.who(Action::ReportPdf).await?;
    let language = match query::<PdfQuery>(&req)?.lang {
        None => lang(),
        Some(raw) => {
            Lang::from_code(raw.trim()).ok_or_else(|| choice_error_of("lang", &Lang::codes()))?
        }
    };
    let id = report_id(&id)?;
    let pdf = blocking(move || state.clinic.report_pdf.pdf(&who, id, language)).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"report-{id}.pdf\""),
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(pdf))
}
