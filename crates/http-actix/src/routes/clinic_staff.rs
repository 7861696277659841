//! `/api/admins`: staff accounts ([003] calls them admins). Envelope B. The guard checks the
//! route's action against the caller's roles; which account a caller may see or change is the
//! service's rule (their own, or any with `admin`; another's is 404 to a non-admin).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use domain::Error;
use domain::clinic::{Action, Password, StaffId};
use domain::kernel::text::Key;

use super::clinic_staff_bodies::{
    ClinicRole, CreateStaffBody, PasswordBody, StaffQuery, StaffView, UpdateStaffBody,
};
use crate::body::JsonBody;
use crate::envelope::{EnvelopeB, EnvelopeBList, ErrorB, b_list, b_ok};
use crate::error::ApiError;
use crate::extract::{Authenticated, blocking};
use crate::state::AppState;
use crate::surface::Clinic;

type Result<T = HttpResponse> = std::result::Result<T, ApiError<Clinic>>;
type Data = web::Data<AppState>;

/// An account id from the path; one that is not a UUID names no account.
fn staff_id(raw: &str) -> Result<StaffId> {
    uuid::Uuid::parse_str(raw)
        .map(StaffId::from_uuid)
        .map_err(|_| Error::not_found(Key::StaffNotFound).into())
}

/// Staff accounts, newest first: every account for an admin, only the caller's own for anyone
/// else.
#[utoipa::path(get, path = "/api/admins", tag = "clinic",
    params(
        ("role" = inline(Option<ClinicRole>), Query, description = "Accounts holding this role: admin, doctor, technician or receptionist"),
        ("is_active" = Option<bool>, Query, description = "Active (true) or deactivated (false) accounts"),
        ("page" = Option<i64>, Query, minimum = 1, maximum = 4294967295u32, description = "From 1; default 1"),
        ("limit" = Option<i64>, Query, minimum = 1, description = "Default 15; above 100 taken as 100"),
    ),
    responses(
        (status = 200, body = EnvelopeBList<StaffView>, description = "A page of accounts"),
        (status = 400, body = ErrorB, description = "A query parameter is malformed"),
        (status = 403, body = ErrorB, description = "The token holds no clinic role"),
    ))]
pub async fn list(token: Authenticated<Clinic>, state: Data, req: HttpRequest) -> Result {
    let who = token.who(Action::OwnSession).await?;
    let (filter, page) = super::clinic_params::query::<StaffQuery>(req.query_string())?.parse()?;
    let accounts = blocking(move || state.clinic.staff.list(&who, &filter, page)).await?;
    Ok(b_list(accounts, StaffView::from))
}

/// One account: the caller's own, or any for an admin.
#[utoipa::path(get, path = "/api/admins/{id}", tag = "clinic",
    params(("id" = uuid::Uuid, Path, description = "The account")),
    responses(
        (status = 200, body = EnvelopeB<StaffView>, description = "The account"),
        (status = 403, body = ErrorB, description = "The token holds no clinic role"),
        (status = 404, body = ErrorB, description = "No such account, or another's to a non-admin"),
    ))]
pub async fn show(token: Authenticated<Clinic>, state: Data, id: web::Path<String>) -> Result {
    let who = token.who(Action::StaffProfile).await?;
    let id = staff_id(&id)?;
    let account = blocking(move || state.clinic.staff.get(&who, id)).await?;
    Ok(b_ok(StatusCode::OK, Key::Ok, StaffView::from(account)))
}

/// Creates an account (admins).
#[utoipa::path(post, path = "/api/admins", tag = "clinic",
    request_body = CreateStaffBody,
    responses(
        (status = 201, body = EnvelopeB<StaffView>, description = "Staff account created"),
        (status = 400, body = ErrorB, description = "A field breaks its rule (the username's form, a weak password, a role, a name's length): the message names every wrong field"),
        (status = 403, body = ErrorB, description = "The caller is not an admin"),
        (status = 409, body = ErrorB, description = "The username is taken (in any case)"),
    ))]
pub async fn create(
    token: Authenticated<Clinic>,
    state: Data,
    body: JsonBody<CreateStaffBody, Clinic>,
) -> Result {
    let who = token.who(Action::ManageStaff).await?;
    let input = body.parse()?.input()?;
    let account = blocking(move || state.clinic.staff.create(&who, input)).await?;
    Ok(b_ok(
        StatusCode::CREATED,
        Key::StaffCreated,
        StaffView::from(account),
    ))
}

/// Changes an account. Anyone may change their own `name` and `name_ar`; `roles`, `is_active` and
/// `provider_id` need `admin`. An admin cannot remove their own admin role or deactivate
/// themselves, and the last active admin cannot lose the role or be deactivated (409). A change
/// of roles, state or provider ends the account's sessions.
#[utoipa::path(put, path = "/api/admins/{id}", tag = "clinic",
    params(("id" = uuid::Uuid, Path, description = "The account")),
    request_body = UpdateStaffBody,
    responses(
        (status = 200, body = EnvelopeB<StaffView>, description = "Staff account updated"),
        (status = 400, body = ErrorB, description = "A field breaks its rule: the message names every wrong field"),
        (status = 403, body = ErrorB, description = "A field only an admin may change"),
        (status = 404, body = ErrorB, description = "No such account, or another's to a non-admin"),
        (status = 409, body = ErrorB, description = "One's own admin role or account, or the last active admin"),
    ))]
pub async fn update(
    token: Authenticated<Clinic>,
    state: Data,
    id: web::Path<String>,
    body: JsonBody<UpdateStaffBody, Clinic>,
) -> Result {
    let who = token.who(Action::StaffProfile).await?;
    let changes = body.parse()?.changes()?;
    let id = staff_id(&id)?;
    let account = blocking(move || state.clinic.staff.update(&who, id, changes)).await?;
    Ok(b_ok(
        StatusCode::OK,
        Key::StaffUpdated,
        StaffView::from(account),
    ))
}

/// Changes the caller's own password; every session of the account ends, this one included.
#[utoipa::path(put, path = "/api/admins/{id}/password", tag = "clinic",
    params(("id" = uuid::Uuid, Path, description = "The caller's own account")),
    request_body = PasswordBody,
    responses(
        (status = 200, body = EnvelopeB<StaffView>, description = "Password changed"),
        (status = 400, body = ErrorB, description = "`old_password` is not the current password, or `new_password` is weak"),
        (status = 403, body = ErrorB, description = "Another's account"),
        (status = 404, body = ErrorB, description = "No such account"),
    ))]
pub async fn password(
    token: Authenticated<Clinic>,
    state: Data,
    id: web::Path<String>,
    body: JsonBody<PasswordBody, Clinic>,
) -> Result {
    let who = token.who(Action::OwnPassword).await?;
    let body = body.parse()?;
    let id = staff_id(&id)?;
    let account = blocking(move || {
        let staff = &state.clinic.staff;
        let (old, new) = (
            Password::given(body.old_password),
            Password::given(body.new_password),
        );
        staff.change_password(&who, id, &old, &new)?;
        staff.get(&who, id)
    })
    .await?;
    Ok(b_ok(
        StatusCode::OK,
        Key::PasswordChanged,
        StaffView::from(account),
    ))
}

/// Deactivates an account (admins): it cannot sign in, and its sessions end at once. Not one's
/// own, not the last active admin (409).
#[utoipa::path(put, path = "/api/admins/{id}/deactivate", tag = "clinic",
    params(("id" = uuid::Uuid, Path, description = "The account")),
    responses(
        (status = 200, body = EnvelopeB<StaffView>, description = "Staff account deactivated"),
        (status = 403, body = ErrorB, description = "The caller is not an admin"),
        (status = 404, body = ErrorB, description = "No such account"),
        (status = 409, body = ErrorB, description = "One's own account, or the last active admin"),
    ))]
pub async fn deactivate(
    token: Authenticated<Clinic>,
    state: Data,
    id: web::Path<String>,
) -> Result {
    let who = token.who(Action::ManageStaff).await?;
    let id = staff_id(&id)?;
    let account = blocking(move || state.clinic.staff.deactivate(&who, id)).await?;
    Ok(b_ok(
        StatusCode::OK,
        Key::StaffDeactivated,
        StaffView::from(account),
    ))
}
