//! The HTTP server: every surface mounted, with its fallbacks, on one listener.

use std::net::TcpListener;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::web::{self, PayloadConfig};
use actix_web::{App as ActixApp, HttpResponse, HttpServer};

use crate::body::DEFAULT_LIMIT;
use crate::cors::{self, CorsOrigins};
use crate::routes::{self, not_found};
use crate::state::AppState;
use crate::surface::{Admin, App, Clinic, Ehealth, Pro};
use crate::viewer::ViewerFiles;
use crate::{docs_page, openapi, request_id};

/// HTTP settings the operator may tune.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Whether `GET /metrics` is served on this listener (false when metrics have their own).
    pub metrics_here: bool,
    /// Worker threads; 0 means one per core.
    pub workers: usize,
    /// How long in-flight requests may finish after a stop signal.
    pub shutdown_timeout: Duration,
    /// Blocking threads per worker for database work; 0 keeps actix's default (512 / workers).
    pub blocking_threads: usize,
    /// The web viewer served under `/viewer`, when installed.
    pub viewer: Option<ViewerFiles>,
    /// Origins allowed to call `/dicomweb` from a browser.
    pub cors_origins: Vec<String>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            metrics_here: true,
            workers: 0,
            shutdown_timeout: Duration::from_secs(10),
            blocking_threads: 0,
            viewer: None,
            cors_origins: Vec::new(),
        }
    }
}

/// Builds the server on an already bound listener (port 0 in tests).
pub fn build_server(
    listener: TcpListener,
    state: AppState,
    config: &HttpConfig,
) -> std::io::Result<Server> {
    let state = web::Data::new(state);
    let spec = openapi::api_doc();
    let spec_json = serde_json::to_value(&spec).unwrap_or_default();
    let docs = web::Data::new(Docs {
        html: docs_page::render(&spec_json),
        json: serde_json::to_string(&spec_json).unwrap_or_default(),
    });
    let metrics_here = config.metrics_here;
    let viewer = config.viewer.clone();
    let cors = web::Data::new(CorsOrigins(config.cors_origins.clone()));
    let mut server = HttpServer::new(move || {
        let app = ActixApp::new()
            .app_data(state.clone())
            .app_data(docs.clone())
            .app_data(cors.clone())
            .app_data(PayloadConfig::new(DEFAULT_LIMIT))
            .wrap(from_fn(request_id::middleware))
            .wrap(from_fn(cors::middleware));
        let viewer = viewer.clone();
        let app = app.configure(move |cfg| {
            if let Some(files) = viewer {
                crate::viewer::configure(cfg, files);
            }
        });
        let app = if metrics_here {
            app.route("/metrics", web::get().to(metrics))
        } else {
            app
        };
        app.route("/openapi.json", web::get().to(openapi_json))
            .route("/docs", web::get().to(docs_html))
            .configure(routes::configure)
            .service(web::scope("/app").default_service(web::to(not_found::<App>)))
            .service(web::scope("/admin").default_service(web::to(not_found::<Admin>)))
            .service(web::scope("/pro").default_service(web::to(not_found::<Pro>)))
            .service(web::scope("/api/v3").default_service(web::to(not_found::<Ehealth>)))
            .service(web::scope("/api").default_service(web::to(not_found::<Clinic>)))
            .default_service(web::to(not_found::<App>))
    })
    .shutdown_timeout(config.shutdown_timeout.as_secs())
    .listen(listener)?;
    if config.workers > 0 {
        server = server.workers(config.workers);
    }
    if config.blocking_threads > 0 {
        server = server.worker_max_blocking_threads(config.blocking_threads);
    }
    Ok(server.run())
}

/// A listener of its own for `GET /metrics` (`METRICS_BIND_ADDR`), so that the metrics can be kept
/// off the public port.
pub fn build_metrics_server(listener: TcpListener, state: AppState) -> std::io::Result<Server> {
    let state = web::Data::new(state);
    Ok(HttpServer::new(move || {
        ActixApp::new()
            .app_data(state.clone())
            .route("/metrics", web::get().to(metrics))
    })
    .workers(1)
    .listen(listener)?
    .run())
}

/// Encoding reads the pool and the outbox, so it runs off the async workers.
async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let registry = state.registry.clone();
    match web::block(move || crate::metrics::exposition(&registry)).await {
        Ok(body) => crate::metrics::answer(body),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}

struct Docs {
    html: String,
    json: String,
}

async fn openapi_json(docs: web::Data<Docs>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(docs.json.clone())
}

async fn docs_html(docs: web::Data<Docs>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(docs.html.clone())
}
