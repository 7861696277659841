//! `/admin` operations: draft reminders on demand and the notification outbox.

use actix_web::{HttpResponse, web};
use domain::kernel::code::Code;
use domain::kernel::paging::PageRequest;
use domain::kernel::text::Key;
use domain::kernel::time::format_rfc3339;
use domain::notifications::OutboxMessage;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::body::JsonBody;
use crate::envelope::{self, EnvelopeA, EnvelopeAList, ErrorA};
use crate::error::ApiError;
use crate::extract::Authenticated;
use crate::state::AppState;
use crate::surface::Admin;

use super::wire::{DeliveryStatus, Language, NoFields, NotificationKind, RecipientRole, whole_opt};

type Result<T = HttpResponse> = std::result::Result<T, ApiError<Admin>>;
type Data = web::Data<AppState>;

#[derive(Debug, Serialize, ToSchema)]
pub struct ReminderRun {
    /// Drafts at least 24 hours old without a reminder when the run looked.
    pub eligible: u64,
    /// Reminders this run wrote to the outbox; delivery follows.
    pub notified: u64,
}

/// Runs the draft reminders now (they also run on a schedule). Each case is reminded once, however
/// many runs overlap.
#[utoipa::path(post, path = "/admin/process-draft-notifications", tag = "admin",
    request_body = NoFields,
    responses((status = 200, body = EnvelopeA<ReminderRun>, description = "What the run did")),
    security(("token" = [])))]
pub async fn process_draft_notifications(
    admin: Authenticated<Admin>,
    state: Data,
    body: JsonBody<NoFields, Admin>,
) -> Result {
    admin.check(body.parse()).await?;
    let report = admin
        .run(move |_| state.cases.process_draft_reminders())
        .await?;
    Ok(envelope::a_ok(
        Key::DraftsProcessed,
        ReminderRun {
            eligible: report.eligible,
            notified: report.notified,
        },
    ))
}

/// The first broken block of the declarations chain.
#[derive(Debug, Serialize, ToSchema)]
pub struct BrokenBlockView {
    #[schema(minimum = 1)]
    pub block_number: i64,
    /// `missing`, `previous_hash`, `count` (declarations added or removed) or `hash` (a
    /// declaration changed).
    #[schema(schema_with = chain_break_schema)]
    pub reason: &'static str,
}

fn chain_break_schema() -> utoipa::openapi::schema::Schema {
    utoipa::openapi::schema::Schema::Object(
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(domain::declarations::ChainBreak::codes()))
            .build(),
    )
}

/// The declarations chain, checked.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChainCheck {
    /// Blocks found intact, from the first up to the broken one (or all of them).
    pub intact_blocks: u64,
    /// `null` when the whole chain is intact.
    #[schema(nullable)]
    pub broken: Option<BrokenBlockView>,
}

/// Recomputes every closed block of the eHealth declarations chain from the declarations as stored
/// now, and names the first broken one (`server registry verify-chain` does the same). Changes
/// nothing.
#[utoipa::path(post, path = "/admin/verify-declaration-chain", tag = "admin",
    request_body = NoFields,
    responses((status = 200, body = EnvelopeA<ChainCheck>, description = "The chain, checked")),
    security(("token" = [])))]
pub async fn verify_declaration_chain(
    admin: Authenticated<Admin>,
    state: Data,
    body: JsonBody<NoFields, Admin>,
) -> Result {
    admin.check(body.parse()).await?;
    let report = admin.run(move |_| state.chain.verify_chain()).await?;
    Ok(envelope::a_ok(
        Key::Ok,
        ChainCheck {
            intact_blocks: report.intact_blocks,
            broken: report.broken.map(|(block_number, reason)| BrokenBlockView {
                block_number,
                reason: reason.as_str(),
            }),
        },
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationListRequest {
    /// Only notifications in this status; absent or null: all.
    #[schema(value_type = Option<DeliveryStatus>)]
    pub status: Option<String>,
    /// From 1; default 1.
    #[serde(default, deserialize_with = "whole_opt")]
    #[schema(minimum = 1, maximum = 4294967295u32)]
    pub page: Option<i64>,
    /// From 1; default 15; values above 100 are taken as 100.
    #[serde(default, deserialize_with = "whole_opt")]
    #[schema(minimum = 1, maximum = 9223372036854775807i64)]
    pub page_size: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationView {
    pub notification_id: uuid::Uuid,
    #[schema(value_type = NotificationKind)]
    pub kind: &'static str,
    /// The kind's code apps key on (`UCP…` to patients, `PRO…` to providers): UCP01 case
    /// submitted, UCP98 draft reminder, …
    #[schema(example = "UCP98")]
    pub code: &'static str,
    pub recipient_id: String,
    #[schema(value_type = RecipientRole)]
    pub recipient_role: &'static str,
    #[schema(value_type = Language)]
    pub lang: &'static str,
    pub case_id: Option<uuid::Uuid>,
    #[schema(value_type = DeliveryStatus)]
    pub status: &'static str,
    pub attempts: u32,
    pub delivered_channels: Vec<String>,
    pub last_error: Option<String>,
    #[schema(format = DateTime)]
    pub next_attempt_at: String,
    #[schema(format = DateTime)]
    pub created_date: String,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub delivered_date: Option<String>,
}

impl From<OutboxMessage> for NotificationView {
    fn from(m: OutboxMessage) -> Self {
        let n = m.notification;
        Self {
            notification_id: n.id.as_uuid(),
            kind: n.kind().as_str(),
            code: n.kind().code(),
            recipient_id: n.recipient_id.as_str().to_owned(),
            recipient_role: n.recipient_role.as_str(),
            lang: n.lang.as_str(),
            case_id: n.case_id.map(|id| id.as_uuid()),
            status: m.status.as_str(),
            attempts: m.attempts,
            delivered_channels: m.delivered_channels,
            last_error: m.last_error,
            next_attempt_at: format_rfc3339(m.next_attempt_at),
            created_date: format_rfc3339(n.created_date),
            delivered_date: m.delivered_date.map(format_rfc3339),
        }
    }
}

/// The notification outbox, newest first; `{"status": "failed"}` lists what needs attention.
#[utoipa::path(post, path = "/admin/notifications", tag = "admin", request_body = NotificationListRequest,
    responses((status = 200, body = EnvelopeAList<NotificationView>, description = "A page of the outbox")),
    security(("token" = [])))]
pub async fn notifications(
    admin: Authenticated<Admin>,
    state: Data,
    body: JsonBody<NotificationListRequest, Admin>,
) -> Result {
    let b = admin.check(body.parse()).await?;
    let page = admin
        .check(PageRequest::from_client(b.page, b.page_size, "page_size"))
        .await?;
    let list = admin
        .run(move |_| state.outbox.list(b.status.as_deref(), page))
        .await?;
    Ok(envelope::a_list(list, NotificationView::from))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationIdRequest {
    #[schema(format = Uuid)]
    pub notification_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationId {
    pub notification_id: uuid::Uuid,
}

/// Sends a failed notification again from its first attempt. Only failed notifications can be retried.
#[utoipa::path(post, path = "/admin/retry-notification", tag = "admin", request_body = NotificationIdRequest,
    responses(
        (status = 200, body = EnvelopeA<NotificationId>, description = "The notification is queued again"),
        (status = 404, body = ErrorA, description = "No notification has this id, or it has not failed"),
    ),
    security(("token" = [])))]
pub async fn retry_notification(
    admin: Authenticated<Admin>,
    state: Data,
    body: JsonBody<NotificationIdRequest, Admin>,
) -> Result {
    let b = admin.check(body.parse()).await?;
    let id = admin
        .run(move |_| state.outbox.retry(&b.notification_id))
        .await?;
    Ok(envelope::a_ok(
        Key::NotificationQueued,
        NotificationId {
            notification_id: id.as_uuid(),
        },
    ))
}
