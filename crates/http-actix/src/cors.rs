//! CORS for `/dicomweb`, for viewers served from another origin: only the origins the operator
//! lists (`DICOMWEB_CORS_ORIGINS`, none by default). Such a client sends the clinic's token in the
//! `Authorization` header; cookies are never allowed across origins.

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};

/// The origins allowed to call `/dicomweb` from a browser (`https://viewer.example.org`).
#[derive(Debug, Clone, Default)]
pub(crate) struct CorsOrigins(pub Vec<String>);

const METHODS: &str = "GET, HEAD, POST, OPTIONS";
const HEADERS: &str = "Authorization, Accept, Content-Type, lang";
const EXPOSED: &str = "Content-Type, Content-Length, Content-Location, X-Request-Id";

fn allowed(req: &ServiceRequest) -> Option<HeaderValue> {
    if !req.path().starts_with("/dicomweb/") {
        return None;
    }
    let origins = req.app_data::<web::Data<CorsOrigins>>()?;
    let origin = req.headers().get(header::ORIGIN)?;
    let text = origin.to_str().ok()?;
    origins
        .0
        .iter()
        .any(|o| o.eq_ignore_ascii_case(text))
        .then(|| origin.clone())
}

pub(crate) async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<BoxBody, impl MessageBody + 'static>>, actix_web::Error> {
    let origin = allowed(&req);
    let preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if let (Some(origin), true) = (&origin, preflight) {
        let answer = HttpResponse::NoContent()
            .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone()))
            .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, METHODS))
            .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, HEADERS))
            .insert_header((header::ACCESS_CONTROL_MAX_AGE, "600"))
            .insert_header((header::VARY, "Origin"))
            .finish();
        return Ok(req.into_response(answer).map_into_left_body());
    }
    let mut res = next.call(req).await?;
    if let Some(origin) = origin {
        let headers = res.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSED),
        );
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
    }
    Ok(res.map_into_right_body())
}
