//! `POST /payments/webhook`: the payment provider's word that a payment succeeded. No token: the
//! body is signed (`Payment-Signature`), and the signature is checked over the exact bytes before
//! anything is read. Answers in envelope A.

use actix_web::http::StatusCode;
use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse};
use domain::kernel::text::Key;
use domain::second_opinion::WebhookOutcome;
use serde::Serialize;
use utoipa::ToSchema;

use crate::envelope::{self, EnvelopeA, ErrorA};
use crate::error::ApiError;
use crate::extract::blocking;
use crate::state::AppState;
use crate::surface::App;

/// What the webhook did with the event.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookAnswer {
    /// `applied`: the case is paid now; `already_applied`: this event (or the payment) was applied
    /// before, nothing changed; `ignored`: an event type this service does not act on.
    #[schema(example = "applied")]
    pub outcome: &'static str,
}

/// The payment provider's webhook. Signed with HMAC-SHA256 over `"<t>.<raw body>"` in
/// `Payment-Signature: t=<unix seconds>,v1=<hex>`; a missing or bad signature, or a timestamp more
/// than five minutes off, is 401 and changes nothing; an amount or currency other than the case's is
/// 422; an event id seen before answers 200 and changes nothing.
#[utoipa::path(post, path = "/payments/webhook", tag = "payments",
    params(("Payment-Signature" = String, Header, description = "`t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<raw body>\">`")),
    request_body(content = Object, description = "`{\"id\": \"<event id>\", \"type\": \"payment.succeeded\", \"data\": {\"payment_id\", \"amount\" (minor units), \"currency\"}}`"),
    responses(
        (status = 200, body = EnvelopeA<WebhookAnswer>),
        (status = 400, body = ErrorA, description = "Not a payment event"),
        (status = 401, body = ErrorA, description = "Missing, invalid or stale signature"),
        (status = 404, body = ErrorA, description = "No such payment"),
        (status = 409, body = ErrorA, description = "The case is not awaiting payment"),
        (status = 413, body = ErrorA),
        (status = 422, body = ErrorA, description = "The amount or currency differs from the case's"),
    ))]
pub async fn webhook(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Result<Bytes, actix_web::Error>,
) -> Result<HttpResponse, ApiError<App>> {
    let body = body.map_err(|_| crate::body::too_large(crate::body::DEFAULT_LIMIT))?;
    let signature = req
        .headers()
        .get("payment-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let outcome = blocking(move || state.payments.webhook(&signature, &body)).await;
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(e) => {
            if e.status() == StatusCode::UNPROCESSABLE_ENTITY {
                // A provider sending a different amount is worth an operator's look.
                tracing::warn!(reason = %e.text(), "payment webhook refused");
            }
            return Err(e);
        }
    };
    let outcome = match outcome {
        WebhookOutcome::Applied(case) => {
            tracing::info!(case_id = %case.id, "payment received");
            "applied"
        }
        WebhookOutcome::AlreadyApplied => "already_applied",
        WebhookOutcome::Ignored => "ignored",
    };
    Ok(envelope::a_ok(Key::Ok, WebhookAnswer { outcome }))
}
