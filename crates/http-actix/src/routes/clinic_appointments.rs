//! `/api/appointments`: the clinic's appointments (audience `clinic`, envelope B).
//!
//! A path id that is not a UUID names no appointment (404). Every answer shows the appointment's
//! patient, doctor and history. A doctor cannot be double-booked: an overlapping appointment of the
//! same doctor that day (not cancelled, not a no-show) is 409 naming its time. `POST
//! /api/appointments/schedule` books a batch all or nothing: any wrong item makes it 422, with one
//! reason per wrong field named by its path (`appointments[2].time: ...`) in `error`, and nothing
//! is written.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use domain::clinic::{Action, AppointmentId, appointment::appointment_not_found};
use domain::kernel::text::Key;

use super::clinic_bodies::{
    AppointmentBody, AppointmentListQuery, AppointmentSortParam, AppointmentUpdateBody, OrderParam,
    ScheduleBody, StatusBody, StatusInput, query,
};
use super::clinic_views::AppointmentView;
use crate::body::JsonBody;
use crate::envelope::{EnvelopeB, EnvelopeBList, ErrorB, b_list, b_ok};
use crate::error::ApiError;
use crate::extract::{Authenticated, blocking};
use crate::state::AppState;
use crate::surface::Clinic;

type Result<T = HttpResponse> = std::result::Result<T, ApiError<Clinic>>;
type Body<T> = JsonBody<T, Clinic>;
type Data = web::Data<AppState>;

/// An appointment id from the path; one that is not a UUID names no appointment.
fn appointment_id(raw: &str) -> Result<AppointmentId> {
    uuid::Uuid::parse_str(raw)
        .map(AppointmentId::from_uuid)
        .map_err(|_| appointment_not_found().into())
}

/// The appointments, by date and time: in clock order for one `date`, newest first otherwise
/// (unless `order` says which).
#[utoipa::path(get, path = "/api/appointments", tag = "clinic",
    params(
        ("date" = Option<String>, Query, format = Date, pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", description = "Only this day's (YYYY-MM-DD)"),
        ("patient_id" = Option<uuid::Uuid>, Query, description = "Only this patient's"),
        ("doctor" = Option<uuid::Uuid>, Query, description = "Only this doctor's (a staff id)"),
        ("status" = inline(Option<StatusInput>), Query, description = "Only those in this status: a code (in_room) or its name (In-Room)"),
        ("page" = Option<i64>, Query, minimum = 1, maximum = 4294967295u32, description = "From 1; default 1"),
        ("limit" = Option<i64>, Query, minimum = 1, description = "Default 15; above 100 taken as 100"),
        ("sort" = inline(Option<AppointmentSortParam>), Query, description = "date (date, then time), the only order"),
        ("order" = inline(Option<OrderParam>), Query, description = "asc or desc; default asc when date is given, desc otherwise"),
    ),
    responses(
        (status = 200, body = EnvelopeBList<AppointmentView>, description = "A page of appointments"),
        (status = 400, body = ErrorB, description = "A filter, page, limit, sort or order is malformed"),
        (status = 403, body = ErrorB, description = "The caller holds none of the clinical roles"),
    ),
    security(("token" = [])))]
pub async fn list_appointments(
    token: Authenticated<Clinic>,
    state: Data,
    req: HttpRequest,
) -> Result {
    let who = token.who(Action::ReadAppointments).await?;
    let (filter, page) = query::<AppointmentListQuery>(req.query_string())?.parse()?;
    let found = blocking(move || state.clinic.appointments.list(&who, &filter, page)).await?;
    Ok(b_list(found, AppointmentView::from))
}

/// One appointment.
#[utoipa::path(get, path = "/api/appointments/{id}", tag = "clinic",
    params(("id" = uuid::Uuid, Path, description = "The appointment")),
    responses(
        (status = 200, body = EnvelopeB<AppointmentView>, description = "The appointment"),
        (status = 403, body = ErrorB, description = "The caller holds none of the clinical roles"),
        (status = 404, body = ErrorB, description = "No such appointment"),
    ),
    security(("token" = [])))]
pub async fn get_appointment(
    token: Authenticated<Clinic>,
    state: Data,
    id: web::Path<String>,
) -> Result {
    let who = token.who(Action::ReadAppointments).await?;
    let id = appointment_id(&id)?;
    let record = blocking(move || state.clinic.appointments.read(&who, id)).await?;
    Ok(b_ok(StatusCode::OK, Key::Ok, AppointmentView::from(record)))
}

/// Books an appointment, `scheduled`, with the next accession number (`ACC` and 10 digits).
#[utoipa::path(post, path = "/api/appointments", tag = "clinic",
    request_body = AppointmentBody,
    responses(
        (status = 201, body = EnvelopeB<AppointmentView>, description = "The appointment"),
        (status = 400, body = ErrorB, description = "A field is missing, unknown or breaks its rule (the appointment must end by midnight)"),
        (status = 403, body = ErrorB, description = "Only receptionists and doctors book appointments"),
        (status = 409, body = ErrorB, description = "The doctor has an overlapping appointment that day (its time is named)"),
        (status = 422, body = ErrorB, description = "patient_id names no patient (or a deleted one), or doctor no active staff account with the doctor role"),
    ),
    security(("token" = [])))]
pub async fn create_appointment(
    token: Authenticated<Clinic>,
    state: Data,
    body: Body<AppointmentBody>,
) -> Result {
    let who = token.who(Action::CreateAppointment).await?;
    let input = body.parse()?.input();
    let record = blocking(move || state.clinic.appointments.create(&who, &input)).await?;
    Ok(b_ok(
        StatusCode::CREATED,
        Key::ClinicAppointmentCreated,
        AppointmentView::from(record),
    ))
}

/// Books 1 to 100 appointments in one go, all or none. When any item is wrong (a field, an unknown
/// patient or doctor, a doctor already booked at that time, in the database or earlier in the same
/// batch) the answer is 422 and nothing is written: `error` gives one reason per wrong field, each
/// named by its path (`appointments[2].time: ...`), separated by `; `.
#[utoipa::path(post, path = "/api/appointments/schedule", tag = "clinic",
    request_body = ScheduleBody,
    responses(
        (status = 201, body = EnvelopeB<Vec<AppointmentView>>, description = "Every appointment, in the order sent"),
        (status = 403, body = ErrorB, description = "Only receptionists schedule appointments"),
        (status = 422, body = ErrorB, description = "An item is wrong; nothing was booked. The message names each wrong field by its path"),
    ),
    security(("token" = [])))]
pub async fn schedule_appointments(
    token: Authenticated<Clinic>,
    state: Data,
    body: Body<ScheduleBody>,
) -> Result {
    let who = token.who(Action::ScheduleAppointments).await?;
    let inputs: Vec<_> = body
        .parse()?
        .appointments
        .into_iter()
        .map(AppointmentBody::input)
        .collect();
    let booked = blocking(move || state.clinic.appointments.schedule(&who, &inputs))
        .await
        .map_err(ApiError::unprocessable)?;
    let data: Vec<AppointmentView> = booked.into_iter().map(AppointmentView::from).collect();
    Ok(b_ok(
        StatusCode::CREATED,
        Key::ClinicAppointmentsScheduled,
        data,
    ))
}

/// Changes the doctor, date, time, duration, department or notes of an appointment that is
/// `scheduled` or `waiting`: a partial update, only the fields sent change.
#[utoipa::path(put, path = "/api/appointments/{id}", tag = "clinic",
    params(("id" = uuid::Uuid, Path, description = "The appointment")),
    request_body = AppointmentUpdateBody,
    responses(
        (status = 200, body = EnvelopeB<AppointmentView>, description = "The appointment as changed"),
        (status = 400, body = ErrorB, description = "A field is unknown or breaks its rule"),
        (status = 403, body = ErrorB, description = "Only receptionists, doctors and technicians change appointments"),
        (status = 404, body = ErrorB, description = "No such appointment"),
        (status = 409, body = ErrorB, description = "The appointment is past waiting, the doctor is booked at that time, or another request changed it meanwhile"),
        (status = 422, body = ErrorB, description = "doctor names no active staff account with the doctor role"),
    ),
    security(("token" = [])))]
pub async fn update_appointment(
    token: Authenticated<Clinic>,
    state: Data,
    id: web::Path<String>,
    body: Body<AppointmentUpdateBody>,
) -> Result {
    let who = token.who(Action::UpdateAppointment).await?;
    let patch = body.parse()?.patch();
    let id = appointment_id(&id)?;
    let record = blocking(move || state.clinic.appointments.update(&who, id, &patch)).await?;
    Ok(b_ok(
        StatusCode::OK,
        Key::ClinicAppointmentUpdated,
        AppointmentView::from(record),
    ))
}

/// Moves the appointment one step: `scheduled → waiting → in_room → in_scan → review →
/// completed`, or to `cancelled` or `no_show` from `scheduled` or `waiting`. The change is in the
/// history and is pushed to connected staff.
#[utoipa::path(put, path = "/api/appointments/{id}/status", tag = "clinic",
    params(("id" = uuid::Uuid, Path, description = "The appointment")),
    request_body = StatusBody,
    responses(
        (status = 200, body = EnvelopeB<AppointmentView>, description = "The appointment in its new status"),
        (status = 400, body = ErrorB, description = "status is none of the codes or names"),
        (status = 403, body = ErrorB, description = "Only doctors and technicians move the status"),
        (status = 404, body = ErrorB, description = "No such appointment"),
        (status = 409, body = ErrorB, description = "Not the next step (a skip, a step back, or a finished appointment): the message names the current status and what may follow; or another request changed it meanwhile"),
    ),
    security(("token" = [])))]
pub async fn change_appointment_status(
    token: Authenticated<Clinic>,
    state: Data,
    id: web::Path<String>,
    body: Body<StatusBody>,
) -> Result {
    let who = token.who(Action::ChangeAppointmentStatus).await?;
    let status = body.parse()?.status;
    let id = appointment_id(&id)?;
    let record =
        blocking(move || state.clinic.appointments.change_status(&who, id, &status)).await?;
    Ok(b_ok(
        StatusCode::OK,
        Key::ClinicAppointmentStatusChanged,
        AppointmentView::from(record),
    ))
}

/// Cancels an appointment that is `scheduled` or `waiting`; it stays listed, `cancelled`.
#[utoipa::path(delete, path = "/api/appointments/{id}", tag = "clinic",
    params(("id" = uuid::Uuid, Path, description = "The appointment")),
    responses(
        (status = 200, body = EnvelopeB<AppointmentView>, description = "The appointment, cancelled"),
        (status = 403, body = ErrorB, description = "Only receptionists and doctors cancel appointments"),
        (status = 404, body = ErrorB, description = "No such appointment"),
        (status = 409, body = ErrorB, description = "It can no longer be cancelled (the message names its status), or another request changed it meanwhile"),
    ),
    security(("token" = [])))]
pub async fn cancel_appointment(
    token: Authenticated<Clinic>,
    state: Data,
    id: web::Path<String>,
) -> Result {
    let who = token.who(Action::CancelAppointment).await?;
    let id = appointment_id(&id)?;
    let record = blocking(move || state.clinic.appointments.cancel(&who, id)).await?;
    Ok(b_ok(
        StatusCode::OK,
        Key::ClinicAppointmentCancelled,
        AppointmentView::from(record),
    ))
}
