//! The web viewer (OHIF) under `/viewer`, on the same origin as `/dicomweb` so that it needs no
//! CORS: its files from the folder the operator installed them in (`VIEWER_DIR`), its
//! configuration written here, and a sign-in in front of it.
//!
//! Signing in is the clinic's sign-in; the token goes into an `HttpOnly`, `SameSite=Strict` cookie
//! that `/dicomweb` accepts for reading only (the extractor takes it on GET and HEAD under
//! `/dicomweb/`, never for STOW). The session ends with the token, or at sign-out, which revokes
//! it. Only accounts that may view images get the viewer; the token of any other is revoked at
//! once.

use std::io::ErrorKind;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse, web};
use domain::clinic::{Action, LoginRequest, Password};
use domain::identity::Actor;
use domain::kernel::lang::Lang;
use domain::kernel::text::{Key, Text};

use crate::error::ApiError;
use crate::extract::{authenticate, blocking};
use crate::state::AppState;
use crate::surface::{Clinic, Surface};
use crate::viewer_page::{Page, app_config, page_lang, render};

/// The session cookie's name.
pub const COOKIE: &str = "medcare_viewer";

/// Where the viewer's installed files are.
#[derive(Debug, Clone)]
pub struct ViewerFiles {
    dir: PathBuf,
    /// `index.html`, read once: every route of the single-page app answers it.
    index: Arc<str>,
    /// Whether the cookie is marked `Secure` (the server is reached over https).
    secure: bool,
    /// The data source's name in the viewer (the clinic's).
    name: String,
}

impl ViewerFiles {
    /// The viewer installed in `dir` (by `cargo xtask viewer`); an error if it holds no
    /// `index.html`.
    pub fn open(dir: &Path, secure: bool, name: &str) -> std::io::Result<ViewerFiles> {
        let index = std::fs::read_to_string(dir.join("index.html"))?;
        Ok(ViewerFiles {
            dir: dir.to_owned(),
            index: index.into(),
            secure,
            name: name.to_owned(),
        })
    }
}

/// Mounts `/viewer`.
pub(crate) fn configure(cfg: &mut web::ServiceConfig, files: ViewerFiles) {
    cfg.app_data(web::Data::new(files))
        .route(
            "/viewer",
            web::get().to(|| async {
                HttpResponse::PermanentRedirect()
                    .insert_header((header::LOCATION, "/viewer/"))
                    .finish()
            }),
        )
        .route("/viewer/sign-in", web::get().to(sign_in_page))
        .route("/viewer/sign-in", web::post().to(sign_in))
        .route("/viewer/sign-out", web::post().to(sign_out))
        .route("/viewer/app-config.js", web::get().to(config_script))
        .route("/viewer/{tail:.*}", web::get().to(file_or_app));
}

fn lang(req: &HttpRequest) -> Lang {
    page_lang(
        req.query_string(),
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

fn page(req: &HttpRequest, state: &AppState, status: StatusCode, page: &Page<'_>) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .content_type("text/html; charset=utf-8")
        .body(render(page, lang(req), state.translator.as_ref()))
}

/// The page to open after signing in: one of the viewer's own, never another site.
fn next_page(raw: Option<&str>) -> &str {
    raw.filter(|n| n.starts_with("/viewer/") && !n.contains("//") && !n.contains('\\'))
        .unwrap_or("/viewer/")
}

fn sign_in_form(
    req: &HttpRequest,
    state: &AppState,
    status: StatusCode,
    notice: Option<String>,
    posted_next: Option<&str>,
) -> HttpResponse {
    // After a failed attempt, the page the form carried; on the sign-in page itself, its `next`;
    // elsewhere, the page asked.
    let next = if let Some(posted) = posted_next {
        next_page(Some(posted)).to_owned()
    } else if req.path().starts_with("/viewer/sign-") {
        let query = web::Query::<SignIn>::from_query(req.query_string()).ok();
        next_page(query.as_ref().and_then(|q| q.next.as_deref())).to_owned()
    } else if req.query_string().is_empty() {
        next_page(Some(req.path())).to_owned()
    } else {
        next_page(Some(&format!("{}?{}", req.path(), req.query_string()))).to_owned()
    };
    page(
        req,
        state,
        status,
        &Page::SignIn {
            notice,
            next: &next,
        },
    )
}

async fn sign_in_page(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    sign_in_form(&req, &state, StatusCode::OK, None, None)
}

#[derive(Debug, serde::Deserialize)]
struct SignIn {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// The session's token from the request's `Cookie` header.
pub(crate) fn session_token(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == COOKIE && !value.is_empty()).then(|| value.trim_matches('"').to_owned())
        })
}

/// The `Set-Cookie` value holding `token` for the session (for the browser's session only), or
/// ending it when `token` is empty. The token is base64url: no character needs quoting.
fn session_cookie(token: &str, secure: bool) -> String {
    let end = if token.is_empty() { "; Max-Age=0" } else { "" };
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{secure}{end}")
}

async fn sign_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    files: web::Data<ViewerFiles>,
    body: web::Bytes,
) -> HttpResponse {
    let form = std::str::from_utf8(&body)
        .ok()
        .and_then(|b| web::Query::<SignIn>::from_query(b).ok())
        .map(web::Query::into_inner);
    let posted_next = form.as_ref().and_then(|f| f.next.clone());
    let Some(form) = form.filter(|f| !f.username.is_empty() && !f.password.is_empty()) else {
        let text = Text::new(Key::LoginFailed);
        let notice = state.translator.translate(lang(&req), &text);
        let (status, next) = (StatusCode::BAD_REQUEST, posted_next.as_deref());
        return sign_in_form(&req, &state, status, Some(notice), next);
    };
    let request = LoginRequest {
        username: form.username,
        password: Password::given(form.password),
        audience: None,
        client_addr: req.peer_addr().map(|a| a.ip().to_string()),
    };
    let worker = state.clone();
    let signed_in = blocking::<Clinic, _, _>(move || {
        let done = worker.clinic.login.login(&request)?;
        if Action::ViewImages.allows(&done.account.roles) {
            return Ok(Some(done.token));
        }
        // An account that may not view images gets no session: its token ends here.
        let actor = worker
            .auth
            .verify(Some(&format!("Bearer {}", done.token)), Clinic::AUDIENCE)?;
        worker.clinic.login.logout(&actor)?;
        Ok(None)
    })
    .await;
    match signed_in {
        Ok(Some(token)) => HttpResponse::SeeOther()
            .insert_header((header::LOCATION, next_page(form.next.as_deref())))
            .insert_header((header::SET_COOKIE, session_cookie(&token, files.secure)))
            .finish(),
        Ok(None) => {
            let notice = state
                .translator
                .translate(lang(&req), &Text::new(Key::ViewerRefused));
            let next = posted_next.as_deref();
            sign_in_form(&req, &state, StatusCode::FORBIDDEN, Some(notice), next)
        }
        Err(error) => refused(&req, &state, &error, posted_next.as_deref()),
    }
}

/// A failed sign-in, on the form again with the reason.
fn refused(
    req: &HttpRequest,
    state: &AppState,
    error: &ApiError<Clinic>,
    next: Option<&str>,
) -> HttpResponse {
    let notice = state.translator.translate(lang(req), error.text());
    let mut answer = sign_in_form(req, state, error.status(), Some(notice), next);
    if let Some(value) = error
        .retry_after()
        .and_then(|s| HeaderValue::from_str(&s.to_string()).ok())
    {
        answer.headers_mut().insert(header::RETRY_AFTER, value);
    }
    answer
}

/// The actor of the request's session cookie, if it holds a token that may still view images:
/// the same checks as a token in the `Authorization` header.
async fn session(req: &HttpRequest, state: &web::Data<AppState>) -> Option<Actor> {
    let token = session_token(req)?;
    let verified = state
        .auth
        .verify(Some(&format!("Bearer {token}")), Clinic::AUDIENCE);
    let caller = authenticate::<Clinic>(state, verified).ok()?;
    caller.permit(Action::ViewImages).ok()?;
    caller.confirm().await.ok()
}

async fn sign_out(
    req: HttpRequest,
    state: web::Data<AppState>,
    files: web::Data<ViewerFiles>,
) -> HttpResponse {
    if let Some(actor) = session(&req, &state).await {
        let worker = state.clone();
        if let Err(error) =
            blocking::<Clinic, _, _>(move || worker.clinic.login.logout(&actor)).await
        {
            tracing::warn!(%error, "a viewer session could not be revoked at sign-out");
        }
    }
    let mut answer = page(&req, &state, StatusCode::OK, &Page::SignedOut);
    if let Ok(value) = HeaderValue::from_str(&session_cookie("", files.secure)) {
        answer.headers_mut().append(header::SET_COOKIE, value);
    }
    answer
}

async fn config_script(files: web::Data<ViewerFiles>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .content_type("text/javascript; charset=utf-8")
        .body(app_config(&files.name))
}

/// The media type of one of the viewer's files, by its extension.
fn media_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
    {
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        "json" | "map" => "application/json",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "txt" => "text/plain; charset=utf-8",
        "xml" => "application/xml",
        _ => "application/octet-stream",
    }
}

/// `tail` as a path inside the viewer's folder: plain names only, no `..`, no root.
fn inside(tail: &str) -> Option<PathBuf> {
    let path = Path::new(tail);
    path.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| path.to_owned())
}

/// A file of the viewer, or the app itself for any route of it (`/viewer/`,
/// `/viewer/viewer?StudyInstanceUIDs=…`), which needs a session.
async fn file_or_app(
    req: HttpRequest,
    state: web::Data<AppState>,
    files: web::Data<ViewerFiles>,
    tail: web::Path<String>,
) -> HttpResponse {
    let tail = tail.into_inner();
    if let Some(relative) = inside(&tail).filter(|p| p.as_os_str() != "index.html") {
        let path = files.dir.join(&relative);
        match web::block(move || std::fs::read(&path)).await {
            Ok(Ok(bytes)) => {
                return HttpResponse::Ok()
                    .content_type(media_type(&relative))
                    .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
                    .body(bytes);
            }
            Ok(Err(e))
                if matches!(
                    e.kind(),
                    ErrorKind::NotFound | ErrorKind::IsADirectory | ErrorKind::NotADirectory
                ) => {}
            Ok(Err(e)) => {
                tracing::error!(error = %e, file = %relative.display(), "a viewer file cannot be read");
                return HttpResponse::InternalServerError().finish();
            }
            Err(_) => return HttpResponse::InternalServerError().finish(),
        }
    }
    // A file name that is not there is a missing file, not a page of the app.
    if tail
        .rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'))
    {
        return crate::routes::not_found::<Clinic>(req).await;
    }
    if req.method() != Method::GET || session(&req, &state).await.is_none() {
        return sign_in_form(&req, &state, StatusCode::OK, None, None);
    }
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .content_type("text/html; charset=utf-8")
        .body(files.index.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_viewers_own_pages_are_opened_after_sign_in() {
        assert_eq!(
            next_page(Some("/viewer/viewer?StudyInstanceUIDs=1.2")),
            "/viewer/viewer?StudyInstanceUIDs=1.2"
        );
        assert_eq!(next_page(Some("https://elsewhere.example/")), "/viewer/");
        assert_eq!(next_page(Some("/viewer//elsewhere.example")), "/viewer/");
        assert_eq!(next_page(None), "/viewer/");
    }

    #[test]
    fn files_stay_inside_the_folder() {
        assert!(inside("app.bundle.js").is_some());
        assert!(inside("assets/favicon.ico").is_some());
        assert!(inside("../secret").is_none());
        assert!(inside("/etc/passwd").is_none());
        assert!(inside("assets/../../x").is_none());
    }
}
