//! `GET /api/ws`: the clinic's events as they happen, over a WebSocket.
//!
//! The token comes in the `Authorization` header, or, from a browser (which cannot set headers on
//! a WebSocket), as the first text message: the token alone, with or without `Bearer `. The server
//! then says `{"type": "ready"}` and pushes `{type, id, patient_id, at, data}` for each event the
//! caller's roles may see. It answers pings, pings an idle client, and closes the stream when the
//! token expires or is revoked, or when the client falls behind (see [`crate::event_hub`]).

use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{AggregatedMessage, CloseCode, CloseReason, Session};
use domain::clinic::Action;
use domain::identity::{Actor, Audience, AuthService};
use domain::kernel::text::{Key, Text};

use crate::clinic_guard::refusal;
use crate::envelope::ErrorB;
use crate::error::ApiError;
use crate::extract::{blocking, state};
use crate::request_id::{self, RequestInfo};
use crate::state::AppState;
use crate::surface::Clinic;

/// How long a client that connected without a header has to send its token.
const AUTH_WAIT: Duration = Duration::from_secs(10);
/// How often the server pings and checks the token.
const HEARTBEAT: Duration = Duration::from_secs(15);
/// A client silent for this long (no pong, no message) is gone.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(45);
/// The largest message a client may send (a token is a few hundred bytes).
const MAX_FRAME: usize = 16 * 1024;

type Result<T = HttpResponse> = std::result::Result<T, ApiError<Clinic>>;

/// Opens the event stream. With a header, the token is checked before the upgrade (401, 403 in
/// envelope B); without one, after it (the stream then closes with code 1008 and an `error`
/// message when the first message is not a valid token).
#[utoipa::path(get, path = "/api/ws", tag = "clinic",
    params(
        ("Upgrade" = String, Header, description = "`websocket`"),
        ("Sec-WebSocket-Key" = String, Header, description = "As RFC 6455 says"),
        ("Sec-WebSocket-Version" = String, Header, description = "`13`"),
    ),
    responses(
        (status = 101, description = "The event stream: first `{\"type\": \"ready\"}`, then one text message per event, `{type, id, patient_id, at, data}`"),
        (status = 400, body = ErrorB, description = "Not a WebSocket handshake"),
        (status = 401, body = ErrorB, description = "No token (and no way to send one), or a token that is not valid"),
        (status = 403, body = ErrorB, description = "The token's roles do not allow it"),
    ),
    security(("token" = [])))]
pub async fn events(req: HttpRequest, body: web::Payload) -> Result {
    let state = state::<Clinic>(&req)?;
    let header = req
        .headers()
        .get(AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or_default().to_owned());
    let actor = match header {
        Some(raw) => Some(authenticate(state.auth.clone(), raw).await?),
        None if !is_upgrade(&req) => {
            return Err(domain::Error::Unauthorized(domain::AuthFailure::Missing).into());
        }
        None => None,
    };
    if let Some(actor) = &actor
        && !Action::OwnSession.allows(&actor.roles)
    {
        return Err(refusal(Action::OwnSession));
    }
    let (response, session, stream) = actix_ws::handle(&req, body).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            Text::new(Key::WebsocketHandshakeRequired),
        )
    })?;
    let request = request_id::current();
    actix_web::rt::spawn(serve(state, session, stream, actor, request));
    Ok(response)
}

fn is_upgrade(req: &HttpRequest) -> bool {
    req.headers()
        .get(actix_web::http::header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// The token's checks, revocation included.
async fn authenticate(auth: AuthService, raw: String) -> Result<Actor> {
    let actor = auth.verify(Some(&raw), Audience::Clinic)?;
    match auth.revocation_in_memory(&actor) {
        Some(known) => known?,
        None => {
            let (auth, checked) = (auth.clone(), actor.clone());
            blocking::<Clinic, _, _>(move || auth.ensure_not_revoked(&checked)).await?;
        }
    }
    Ok(actor)
}

/// Closes the stream after telling the client why, in its language.
async fn refuse(mut session: Session, request: Option<&RequestInfo>, code: CloseCode, text: Text) {
    let said = match request {
        Some(r) => r.translator.translate(r.lang, &text),
        None => text.to_string(),
    };
    let message = serde_json::json!({"type": "error", "error": said});
    let _ = session.text(message.to_string()).await;
    let _ = session
        .close(Some(CloseReason {
            code,
            description: None,
        }))
        .await;
}

async fn serve(
    state: web::Data<AppState>,
    mut session: Session,
    stream: actix_ws::MessageStream,
    actor: Option<Actor>,
    request: Option<RequestInfo>,
) {
    let mut stream = stream
        .max_frame_size(MAX_FRAME)
        .aggregate_continuations()
        .max_continuation_size(MAX_FRAME);
    let actor = match actor {
        Some(actor) => actor,
        None => {
            let first = tokio::time::timeout(AUTH_WAIT, stream.recv()).await;
            let token = match first {
                Ok(Some(Ok(AggregatedMessage::Text(text)))) => text.to_string(),
                _ => {
                    let text = domain::AuthFailure::Missing.text();
                    return refuse(session, request.as_ref(), CloseCode::Policy, text).await;
                }
            };
            match authenticate(state.auth.clone(), token).await {
                Ok(actor) => actor,
                Err(error) => {
                    let text = error.text().clone();
                    return refuse(session, request.as_ref(), CloseCode::Policy, text).await;
                }
            }
        }
    };
    if !Action::OwnSession.allows(&actor.roles) {
        let text = refusal(Action::OwnSession).text().clone();
        return refuse(session, request.as_ref(), CloseCode::Policy, text).await;
    }
    let mut events = state.clinic.events.subscribe(actor.roles.clone());
    let ready = serde_json::json!({"type": "ready", "data": {"roles": actor.roles}});
    if session.text(ready.to_string()).await.is_err() {
        return;
    }
    let mut heartbeat = tokio::time::interval(HEARTBEAT);
    let mut seen = Instant::now();
    loop {
        tokio::select! {
            message = stream.recv() => match message {
                Some(Ok(AggregatedMessage::Ping(bytes))) => {
                    seen = Instant::now();
                    if session.pong(&bytes).await.is_err() {
                        return;
                    }
                }
                Some(Ok(AggregatedMessage::Close(reason))) => {
                    let _ = session.close(reason).await;
                    return;
                }
                Some(Ok(_)) => seen = Instant::now(),
                Some(Err(_)) | None => break,
            },
            event = events.next() => match event {
                Some(json) => {
                    if session.text(json.to_string()).await.is_err() {
                        return;
                    }
                }
                None => {
                    let text = Text::new(Key::EventStreamBehind);
                    return refuse(session, request.as_ref(), CloseCode::Again, text).await;
                }
            },
            _ = heartbeat.tick() => {
                if seen.elapsed() > CLIENT_TIMEOUT {
                    break;
                }
                if let Some(ended) = token_ended(&state.auth, &actor) {
                    return refuse(session, request.as_ref(), CloseCode::Policy, ended).await;
                }
                if session.ping(b"").await.is_err() {
                    return;
                }
            }
        }
    }
    let _ = session.close(None).await;
}

/// Why the stream's token no longer holds (expired, or revoked as far as memory knows), if so.
fn token_ended(auth: &AuthService, actor: &Actor) -> Option<Text> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    if actor.expires_at <= now {
        return Some(domain::AuthFailure::Expired.text());
    }
    match auth.revocation_in_memory(actor) {
        Some(Err(domain::Error::Unauthorized(reason))) => Some(reason.text()),
        _ => None,
    }
}
