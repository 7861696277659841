//! The three response envelopes (see `docs/api.md`), as typed structs with OpenAPI schemas, and the
//! builders every route uses. Messages are [`Text`]s, put into the caller's language here.

use actix_web::HttpResponse;
use actix_web::error::JsonPayloadError;
use actix_web::http::StatusCode;
use actix_web::http::header::ContentType;
use domain::kernel::paging::Page;
use domain::kernel::text::{Key, Text};
use serde::Serialize;
use utoipa::ToSchema;

use crate::i18n::say;

/// Envelope A status: success.
pub const A_OK: u16 = 1000;
/// Envelope A status: a fault on the server's side (HTTP 500, 503).
pub const A_SERVER: u16 = 1001;
/// Envelope A status: the client's mistake (HTTP 400, 404, 405, 409, 413, 415, 422).
pub const A_CLIENT: u16 = 1002;
/// Envelope A status: authentication or permission (HTTP 401, 403).
pub const A_AUTH: u16 = 1003;

/// Envelope A, second opinion: `{"status": 1000, "message": "ok", "data": ...}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnvelopeA<T> {
    /// Always 1000 on success.
    #[schema(minimum = 1000, maximum = 1000)]
    pub status: u16,
    /// A short sentence in the caller's language.
    pub message: String,
    pub data: T,
}

/// Envelope A for lists: adds `pagination`.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnvelopeAList<T> {
    #[schema(minimum = 1000, maximum = 1000)]
    pub status: u16,
    pub message: String,
    pub data: Vec<T>,
    pub pagination: PaginationA,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaginationA {
    /// Items across all pages.
    pub total: u64,
    #[schema(minimum = 1)]
    pub page: u32,
    #[schema(minimum = 1, maximum = 100)]
    pub page_size: u32,
}

/// Envelope A for errors: `data` is always null.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorA {
    /// 1001 server fault, 1002 client error, 1003 authentication or permission.
    #[schema(example = 1002, minimum = 1001, maximum = 1003)]
    pub status: u16,
    /// What is wrong, in the caller's language.
    #[schema(example = "rt_id is not an active review type")]
    pub message: String,
    #[schema(value_type = Option<Object>)]
    pub data: Option<()>,
}

/// Envelope A status for an HTTP status.
pub fn a_status(http: StatusCode) -> u16 {
    match http.as_u16() {
        200..=299 => A_OK,
        401 | 403 => A_AUTH,
        400..=499 => A_CLIENT,
        _ => A_SERVER,
    }
}

/// `200` in envelope A.
pub fn a_ok<T: Serialize>(message: impl Into<Text>, data: T) -> HttpResponse {
    HttpResponse::Ok().json(EnvelopeA {
        status: A_OK,
        message: say(&message.into()),
        data,
    })
}

/// Bytes reserved for a list's answer: the envelope, then each item. A page of fifteen cases is
/// about 8 KiB; grown from serde's default 128 bytes it was copied seven times over.
const LIST_BASE_BYTES: usize = 256;
const LIST_ITEM_BYTES: usize = 640;

/// A list's answer as JSON, written into a buffer sized for its items.
fn list_response(envelope: &impl Serialize, items: usize) -> HttpResponse {
    let mut body = Vec::with_capacity(LIST_BASE_BYTES + LIST_ITEM_BYTES * items);
    match serde_json::to_writer(&mut body, envelope) {
        Ok(()) => HttpResponse::Ok()
            .content_type(ContentType::json())
            .body(body),
        Err(e) => HttpResponse::from_error(JsonPayloadError::Serialize(e)),
    }
}

/// A page of a list in envelope A, each item shaped by `f`.
pub fn a_list<T: Serialize, U>(page: Page<U>, f: impl FnMut(U) -> T) -> HttpResponse {
    let pagination = PaginationA {
        total: page.total,
        page: page.request.page(),
        page_size: page.request.page_size(),
    };
    let data: Vec<T> = page.items.into_iter().map(f).collect();
    let items = data.len();
    list_response(
        &EnvelopeAList {
            status: A_OK,
            message: say(&Text::new(Key::Ok)),
            data,
            pagination,
        },
        items,
    )
}

pub(crate) fn a_error(http: StatusCode, message: String) -> HttpResponse {
    HttpResponse::build(http).json(ErrorA {
        status: a_status(http),
        message,
        data: None,
    })
}

/// Envelope B, clinic: `{"success": true, "data": ..., "message": ...}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnvelopeB<T> {
    /// Always true on success.
    pub success: bool,
    pub data: T,
    pub message: String,
}

/// Envelope B for lists: `{"success": true, "data": [...], "pagination": {"page", "limit", "total"}}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnvelopeBList<T> {
    pub success: bool,
    pub data: Vec<T>,
    pub pagination: PaginationB,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaginationB {
    #[schema(minimum = 1)]
    pub page: u32,
    #[schema(minimum = 1, maximum = 100)]
    pub limit: u32,
    pub total: u64,
}

/// Envelope B for errors: `{"success": false, "error": "...", "code": 403}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorB {
    /// Always false.
    pub success: bool,
    /// What is wrong, in the caller's language.
    pub error: String,
    /// The HTTP status, repeated.
    #[schema(example = 403)]
    pub code: u16,
}

/// A success in envelope B with HTTP status `http` (200, or 201 for a creation).
pub fn b_ok<T: Serialize>(http: StatusCode, message: impl Into<Text>, data: T) -> HttpResponse {
    HttpResponse::build(http).json(EnvelopeB {
        success: true,
        data,
        message: say(&message.into()),
    })
}

/// A page of a list in envelope B.
pub fn b_list<T: Serialize, U>(page: Page<U>, f: impl FnMut(U) -> T) -> HttpResponse {
    let pagination = PaginationB {
        page: page.request.page(),
        limit: page.request.page_size(),
        total: page.total,
    };
    let data: Vec<T> = page.items.into_iter().map(f).collect();
    let items = data.len();
    list_response(
        &EnvelopeBList {
            success: true,
            data,
            pagination,
        },
        items,
    )
}

pub(crate) fn b_error(http: StatusCode, message: String) -> HttpResponse {
    HttpResponse::build(http).json(ErrorB {
        success: false,
        error: message,
        code: http.as_u16(),
    })
}

/// The `meta` of envelope C.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MetaC {
    /// The HTTP status, repeated.
    pub code: u16,
    /// The request's path and query.
    pub url: String,
    /// `object` or `list`.
    #[serde(rename = "type")]
    #[schema(rename = "type", example = "object")]
    pub kind: &'static str,
    /// The request's id, as in the `x-request-id` header.
    pub request_id: String,
}

/// Envelope C, eHealth: `{"meta": {...}, "data": ...}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnvelopeC<T> {
    pub meta: MetaC,
    pub data: T,
}

/// Envelope C for lists, with the eHealth paging block.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnvelopeCList<T> {
    pub meta: MetaC,
    pub data: Vec<T>,
    pub paging: PagingC,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PagingC {
    pub page_number: u32,
    pub page_size: u32,
    pub total_entries: u64,
    pub total_pages: u64,
}

/// One rule a property broke, in envelope C.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleC {
    pub rule: String,
    pub description: String,
    #[schema(value_type = Object)]
    pub params: serde_json::Map<String, serde_json::Value>,
}

/// One failing property in an envelope C validation error.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InvalidEntry {
    /// A JSON path: `$.verification_code`.
    pub entry: String,
    /// `json_data_property`, or `query_parameter` for a query.
    pub entry_type: &'static str,
    pub rules: Vec<RuleC>,
}

/// The `error` of envelope C.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBodyC {
    /// `not_found`, `access_denied`, `validation_failed`, `request_conflict`, …
    #[serde(rename = "type")]
    #[schema(rename = "type")]
    pub kind: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invalid: Option<Vec<InvalidEntry>>,
}

/// Envelope C for errors: `{"meta": {...}, "error": {"type", "message", "invalid"?}}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorC {
    pub meta: MetaC,
    pub error: ErrorBodyC,
}

/// The `meta` block for the request being handled, answered with `http`.
pub(crate) fn meta_c(http: StatusCode, kind: &'static str) -> MetaC {
    let request = crate::request_id::current();
    MetaC {
        code: http.as_u16(),
        url: request.as_ref().map(|r| r.url.clone()).unwrap_or_default(),
        kind,
        request_id: request.map(|r| r.id).unwrap_or_default(),
    }
}

/// A success in envelope C.
pub fn c_ok<T: Serialize>(http: StatusCode, data: T) -> HttpResponse {
    HttpResponse::build(http).json(EnvelopeC {
        meta: meta_c(http, "object"),
        data,
    })
}

pub(crate) fn c_error(
    http: StatusCode,
    kind: &'static str,
    message: String,
    invalid: Option<Vec<InvalidEntry>>,
) -> HttpResponse {
    HttpResponse::build(http).json(ErrorC {
        meta: meta_c(http, "object"),
        error: ErrorBodyC {
            kind,
            message,
            invalid,
        },
    })
}

/// A page of a list in envelope C, each item shaped by `f`: `meta.type` is `list`, and `paging`
/// says where the page is.
pub fn c_list<T: Serialize, U>(page: Page<U>, f: impl FnMut(U) -> T) -> HttpResponse {
    let page_size = page.request.page_size();
    let paging = PagingC {
        page_number: page.request.page(),
        page_size,
        total_entries: page.total,
        total_pages: page.total.div_ceil(u64::from(page_size.max(1))),
    };
    let data: Vec<T> = page.items.into_iter().map(f).collect();
    let items = data.len();
    list_response(
        &EnvelopeCList {
            meta: meta_c(StatusCode::OK, "list"),
            data,
            paging,
        },
        items,
    )
}

/// Envelope C with the eHealth `urgent` block beside `data`: what the caller must do next.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnvelopeCUrgent<T, U> {
    pub meta: MetaC,
    pub data: T,
    pub urgent: U,
}

/// A success in envelope C with an `urgent` block.
pub fn c_urgent<T: Serialize, U: Serialize>(http: StatusCode, data: T, urgent: U) -> HttpResponse {
    HttpResponse::build(http).json(EnvelopeCUrgent {
        meta: meta_c(http, "object"),
        data,
        urgent,
    })
}
