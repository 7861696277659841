//! `/api/auth`: clinic staff sign in with a username and password, read who they are, and sign
//! out. Envelope B.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use domain::clinic::{Action, LoginRequest, Password};
use domain::kernel::text::Key;

use super::clinic_staff_bodies::{LoginBody, LoginView, LogoutView, MeView, StaffView};
use crate::body::JsonBody;
use crate::envelope::{EnvelopeB, ErrorB, b_ok};
use crate::error::ApiError;
use crate::extract::{Authenticated, blocking};
use crate::state::AppState;
use crate::surface::Clinic;

type Result<T = HttpResponse> = std::result::Result<T, ApiError<Clinic>>;
type Data = web::Data<AppState>;

/// Signs a staff member in: a `clinic` token (12 hours) and their account. With `audience`
/// `snr_pro` an account linked to a provider gets a token for `/pro` (its subject the provider id),
/// with `snr_admin` an account with `admin` one for `/admin`; otherwise 403. An unknown username,
/// a wrong password and a deactivated account all read the same 401. After 5 failures for one
/// username, or 20 from one address, within 15 minutes, sign-in is refused with 429 and
/// `Retry-After` (counted per server instance).
#[utoipa::path(post, path = "/api/auth/login", tag = "clinic",
    request_body = LoginBody,
    responses(
        (status = 200, body = EnvelopeB<LoginView>, description = "Signed in"),
        (status = 400, body = ErrorB, description = "The body is not a JSON object of the documented shape (malformed JSON, a field missing or of the wrong type, an unknown field, an audience not offered)"),
        (status = 401, body = ErrorB, description = "Invalid username or password (also for a deactivated account)"),
        (status = 403, body = ErrorB, description = "The account may not have a token for the audience asked for"),
        (status = 413, body = ErrorB, description = "The body is larger than 64 KiB"),
        (status = 415, body = ErrorB, description = "A non-empty body with a `Content-Type` other than `application/json`"),
        (status = 429, body = ErrorB, description = "Too many failed sign-ins for this username or from this address",
            headers(("Retry-After" = u64, description = "Seconds until signing in may be tried again"))),
        (status = 500, body = ErrorB, description = "A fault on the server's side"),
        (status = 503, body = ErrorB, description = "The database cannot be reached right now"),
    ))]
pub async fn login(state: Data, req: HttpRequest, body: JsonBody<LoginBody, Clinic>) -> Result {
    let body = body.parse()?;
    let audience = body.audience()?;
    // The connection's own address: a forwarded-for header is the client's to write, and would
    // let a guesser pick a fresh address for every attempt.
    let client_addr = req.peer_addr().map(|a| a.ip().to_string());
    let request = LoginRequest {
        username: body.username,
        password: Password::given(body.password),
        audience,
        client_addr,
    };
    let logged_in = blocking(move || state.clinic.login.login(&request)).await?;
    Ok(b_ok(
        StatusCode::OK,
        Key::LoggedIn,
        LoginView {
            token: logged_in.token,
            admin: StaffView::from(logged_in.account),
        },
    ))
}

/// Signs out: this token is refused from now on, on every server instance.
#[utoipa::path(post, path = "/api/auth/logout", tag = "clinic",
    responses(
        (status = 200, body = EnvelopeB<LogoutView>, description = "Signed out"),
        (status = 403, body = ErrorB, description = "The token holds no clinic role"),
    ))]
pub async fn logout(token: Authenticated<Clinic>, state: Data) -> Result {
    token.permit(Action::OwnSession)?;
    let actor = token.confirm().await?;
    blocking(move || state.clinic.login.logout(&actor)).await?;
    Ok(b_ok(
        StatusCode::OK,
        Key::LoggedOut,
        LogoutView { revoked: true },
    ))
}

/// The signed-in staff member's account; for a token that names no account (one issued on the
/// command line), its subject and roles.
#[utoipa::path(get, path = "/api/auth/me", tag = "clinic",
    responses(
        (status = 200, body = EnvelopeB<MeView>, description = "The caller"),
        (status = 403, body = ErrorB, description = "The token holds no clinic role"),
    ))]
pub async fn me(token: Authenticated<Clinic>, state: Data) -> Result {
    let who = token.who(Action::OwnSession).await?;
    let me = blocking(move || state.clinic.staff.me(&who)).await?;
    Ok(b_ok(StatusCode::OK, Key::Ok, MeView::from(me)))
}
