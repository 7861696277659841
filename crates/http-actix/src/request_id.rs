//! Request ids and the one log line per request.
//!
//! Every response carries `x-request-id`. A client may send its own id (printable, at most 64
//! characters) to correlate across systems; otherwise one is minted. The id is on every log line
//! emitted while the request is handled, and envelope C repeats it in `meta.request_id`.

use std::sync::Arc;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;
use domain::kernel::lang::Lang;
use domain::kernel::text::Translator;
use tracing::Instrument;

use crate::state::AppState;

pub const HEADER: &str = "x-request-id";

/// What the request-scoped code (error rendering) may ask about the request being handled.
#[derive(Clone)]
pub struct RequestInfo {
    pub id: String,
    pub url: String,
    /// The language answers are given in.
    pub lang: Lang,
    pub translator: Arc<dyn Translator>,
}

impl std::fmt::Debug for RequestInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestInfo")
            .field("id", &self.id)
            .field("url", &self.url)
            .field("lang", &self.lang)
            .finish_non_exhaustive()
    }
}

tokio::task_local! {
    static CURRENT: RequestInfo;
}

/// The request being handled on this task, if any.
pub fn current() -> Option<RequestInfo> {
    CURRENT.try_with(Clone::clone).ok()
}

fn acceptable(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, actix_web::Error> {
    let started = Instant::now();
    let id = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable(v))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let method = req.method().to_string();
    let path = req.path().to_owned();
    let lang = crate::i18n::language_for(
        &path,
        req.headers().get("lang").and_then(|v| v.to_str().ok()),
    );
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let translator = match &state {
        Some(state) => state.translator.clone(),
        None => Arc::new(crate::i18n::KeysOnly),
    };
    let info = RequestInfo {
        id: id.clone(),
        url: req.uri().to_string(),
        lang,
        translator,
    };
    let span = tracing::info_span!("request", request_id = %id);
    let result = CURRENT
        .scope(info, next.call(req))
        .instrument(span.clone())
        .await;
    let _entered = span.enter();
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    match result {
        Ok(mut res) => {
            let status = res.status().as_u16();
            if let Some(state) = &state {
                // The route's template, so that ids in paths do not multiply the label sets.
                let route = res.request().match_pattern();
                let route = route.as_deref().unwrap_or("unmatched");
                state
                    .metrics
                    .request(route, &method, status, started.elapsed().as_secs_f64());
            }
            if let Ok(value) = HeaderValue::from_str(&id) {
                res.headers_mut()
                    .insert(HeaderName::from_static(HEADER), value);
            }
            tracing::info!(%method, %path, status, elapsed_ms, "request");
            Ok(res)
        }
        Err(error) => {
            tracing::warn!(%method, %path, %error, elapsed_ms, "request failed");
            Err(error)
        }
    }
}
