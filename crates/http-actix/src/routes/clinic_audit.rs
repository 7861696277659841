//! `GET /api/audit`: the audit log, for administrators, newest first. No route changes or removes
//! an entry.

use actix_web::{HttpRequest, HttpResponse, web};
use domain::clinic::Action;

use super::clinic_params::{ActorIdParam, AuditActionParam, InstantParam, ObjectKindParam};
use super::clinic_report_bodies::{AuditEntryView, AuditListQuery};
use super::clinic_reports::query;
use crate::envelope::{self, EnvelopeBList, ErrorB};
use crate::error::ApiError;
use crate::extract::{Authenticated, blocking};
use crate::state::AppState;
use crate::surface::Clinic;

/// Who read or wrote which patient's data, when, and under which request (the `x-request-id` of
/// its answer). `from` and `to` take an RFC 3339 instant or a `YYYY-MM-DD` day (UTC): `from` is
/// inclusive, `to` exclusive for an instant and takes in the whole day for a day.
#[utoipa::path(get, path = "/api/audit", tag = "clinic",
    params(
        ("actor_id" = inline(Option<ActorIdParam>), Query, description = "Only this staff member's (the token's subject)"),
        ("patient_id" = Option<uuid::Uuid>, Query, description = "Only about this patient"),
        ("action" = inline(Option<AuditActionParam>), Query, description = "An action code such as `patient.read` or `report.finalize`"),
        ("object_type" = inline(Option<ObjectKindParam>), Query, description = "`patient`, `appointment`, `report`, `study`, `image`, `document` or `staff`"),
        ("from" = inline(Option<InstantParam>), Query, description = "From this instant or day on"),
        ("to" = inline(Option<InstantParam>), Query, description = "Before this instant, or up to the end of this day"),
        ("page" = Option<i64>, Query, minimum = 1, maximum = 4294967295u32, description = "From 1; default 1"),
        ("limit" = Option<i64>, Query, minimum = 1, description = "Default 15; above 100 taken as 100"),
    ),
    responses(
        (status = 200, body = EnvelopeBList<AuditEntryView>, description = "A page of entries, newest first"),
        (status = 400, body = ErrorB, description = "A query parameter is malformed or not one of its choices (an unknown action lists them); the message names each"),
        (status = 403, body = ErrorB, description = "Only administrators read the audit log"),
    ))]
pub async fn list(
    token: Authenticated<Clinic>,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError<Clinic>> {
    token.who(Action::ReadAudit).await?;
    let (audit, page) = query::<AuditListQuery>(&req)?.parse()?;
    let entries = blocking(move || state.clinic.audit_log.list(&audit, page)).await?;
    Ok(envelope::b_list(entries, AuditEntryView::from))
}
