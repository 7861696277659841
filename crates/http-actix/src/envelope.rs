//! The three response envelopes (DECISIONS §1), as building blocks every route uses.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use domain::kernel::paging::Page;
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

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
    /// 1000 success, 1001 server fault, 1002 client error, 1003 authentication or permission.
    pub status: u16,
    pub message: String,
    pub data: T,
}

/// Envelope A for lists: adds `pagination`.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnvelopeAList<T> {
    pub status: u16,
    pub message: String,
    pub data: Vec<T>,
    pub pagination: PaginationA,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaginationA {
    pub total: u64,
    pub page: u32,
    pub page_size: u32,
}

/// Envelope A for errors: `data` is always null.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorA {
    /// 1001, 1002 or 1003.
    #[schema(example = 1002)]
    pub status: u16,
    #[schema(example = "rt_id is not an active review type")]
    pub message: String,
    #[schema(value_type = Option<Object>)]
    pub data: Value,
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

pub fn a_ok<T: Serialize>(message: &str, data: T) -> HttpResponse {
    a_with(StatusCode::OK, message, data)
}

pub fn a_created<T: Serialize>(message: &str, data: T) -> HttpResponse {
    a_with(StatusCode::CREATED, message, data)
}

fn a_with<T: Serialize>(http: StatusCode, message: &str, data: T) -> HttpResponse {
    HttpResponse::build(http).json(EnvelopeA {
        status: A_OK,
        message: message.to_owned(),
        data,
    })
}

pub fn a_list<T: Serialize, U>(
    message: &str,
    page: Page<U>,
    f: impl FnMut(U) -> T,
) -> HttpResponse {
    let pagination = PaginationA {
        total: page.total,
        page: page.request.page(),
        page_size: page.request.page_size(),
    };
    let data = page.items.into_iter().map(f).collect();
    HttpResponse::Ok().json(EnvelopeAList {
        status: A_OK,
        message: message.to_owned(),
        data,
        pagination,
    })
}

pub fn a_error(http: StatusCode, message: &str) -> HttpResponse {
    HttpResponse::build(http).json(ErrorA {
        status: a_status(http),
        message: message.to_owned(),
        data: Value::Null,
    })
}

/// Envelope B, clinic: `{"success": true, "data": ..., "message": ...}`.
pub fn b_ok<T: Serialize>(message: &str, data: T) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "success": true, "data": data, "message": message }))
}

/// Envelope B for lists: `{"success": true, "data": [...], "pagination": {"page", "limit", "total"}}`.
pub fn b_list<T: Serialize, U>(page: Page<U>, f: impl FnMut(U) -> T) -> HttpResponse {
    let pagination = json!({
        "page": page.request.page(),
        "limit": page.request.page_size(),
        "total": page.total,
    });
    let data: Vec<T> = page.items.into_iter().map(f).collect();
    HttpResponse::Ok().json(json!({ "success": true, "data": data, "pagination": pagination }))
}

pub fn b_error(http: StatusCode, message: &str) -> HttpResponse {
    HttpResponse::build(http)
        .json(json!({ "success": false, "error": message, "code": http.as_u16() }))
}

/// The `meta` of envelope C.
#[derive(Debug, Clone, Serialize)]
pub struct MetaC {
    pub code: u16,
    pub url: String,
    /// `object` or `list`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub request_id: String,
}

/// One failing property in an envelope C validation error.
#[derive(Debug, Clone, Serialize)]
pub struct InvalidEntry {
    /// A JSON path: `$.verification_code`.
    pub entry: String,
    pub entry_type: &'static str,
    pub rules: Vec<Value>,
}

/// Envelope C, eHealth: `{"meta": {...}, "data": ...}`.
pub fn c_ok<T: Serialize>(http: StatusCode, meta: MetaC, data: T) -> HttpResponse {
    HttpResponse::build(http).json(json!({ "meta": meta, "data": data }))
}

/// Envelope C error: `{"meta": {...}, "error": {"type", "message", "invalid"?}}`.
pub fn c_error(
    meta: MetaC,
    error_type: &str,
    message: &str,
    invalid: Vec<InvalidEntry>,
) -> HttpResponse {
    let http = StatusCode::from_u16(meta.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut error = json!({ "type": error_type, "message": message });
    if !invalid.is_empty() {
        error["invalid"] = json!(invalid);
    }
    HttpResponse::build(http).json(json!({ "meta": meta, "error": error }))
}
