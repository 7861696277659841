//! Liveness and readiness, for orchestrators and load balancers. Not behind a token.

use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::extract::blocking;
use crate::state::AppState;
use crate::surface::App;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`, `ready` or `unavailable`.
    pub status: &'static str,
}

/// The process is up. Does no I/O: it is also the baseline of the benchmark.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, body = Health)))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The database answers; a load balancer sends traffic only while this is 200.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let readiness = state.readiness.clone();
    match blocking::<App, _, _>(move || readiness.check()).await {
        Ok(()) => HttpResponse::Ok().json(Health { status: "ready" }),
        Err(_) => HttpResponse::ServiceUnavailable().json(Health {
            status: "unavailable",
        }),
    }
}
