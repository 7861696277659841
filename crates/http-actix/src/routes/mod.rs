//! Route tables, one module per surface.

pub mod admin;
pub mod app;
pub mod cases;
pub mod health;
pub mod operations;

use actix_web::http::StatusCode;
use actix_web::http::header::{ALLOW, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, Resource, ResponseError, web};

use crate::error::ApiError;
use crate::surface::Surface;

/// A `POST`-only resource: any other method is a 405 in the surface's envelope.
pub(crate) fn post_resource<S: Surface>(path: &str) -> Resource {
    web::resource(path).default_service(web::to(method_not_allowed::<S>))
}

async fn method_not_allowed<S: Surface>(req: HttpRequest) -> HttpResponse {
    let message = format!(
        "Method {} is not allowed on {}; use POST",
        req.method(),
        req.path()
    );
    let mut response = ApiError::<S>::new(StatusCode::METHOD_NOT_ALLOWED, message).error_response();
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static("POST"));
    response
}

/// Unknown routes under a surface's mount.
pub(crate) async fn not_found<S: Surface>(req: HttpRequest) -> HttpResponse {
    let message = format!("No route for {} {}", req.method(), req.path());
    ApiError::<S>::new(StatusCode::NOT_FOUND, message).error_response()
}
