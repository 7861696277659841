//! WADO-RS pixels: `/frames/{list}` as `multipart/related` (the stored bytes when the client accepts
//! their syntax, decoded little-endian pixels when it asks for uncompressed ones, 406 when neither
//! can be done), `/rendered` and `/thumbnail` as PNG or JPEG. Whole instances are in
//! [`super::dicomweb_retrieve`].

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use domain::clinic::Action;
use domain::clinic::imaging::THUMBNAIL_DEFAULT;
use domain::clinic::imaging::pixels::{
    EXPLICIT_VR_LITTLE_ENDIAN, Frame, FrameSyntax, ImageFormat, RenderRequest, Window,
    frame_media_type,
};
use domain::kernel::text::{Key, Text};
use domain::{Error, FieldError};

use super::dicomweb::{Data, InstancePath, Result, Token};
use crate::envelope::ErrorB;
use crate::error::ApiError;
use crate::extract::blocking;

/// One media range of an `Accept` header: its type and its `type` and `transfer-syntax`
/// parameters, unquoted.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct MediaRange {
    pub media: String,
    pub part_type: Option<String>,
    pub transfer_syntax: Option<String>,
}

pub(crate) fn accept(raw: Option<&str>) -> Vec<MediaRange> {
    let Some(raw) = raw else {
        return Vec::new();
    };
    raw.split(',')
        .filter_map(|range| {
            let mut parts = range.split(';').map(str::trim);
            let media = parts.next()?.to_ascii_lowercase();
            if media.is_empty() {
                return None;
            }
            let mut out = MediaRange {
                media,
                ..MediaRange::default()
            };
            for param in parts {
                let Some((name, value)) = param.split_once('=') else {
                    continue;
                };
                let value = value.trim().trim_matches('"').to_owned();
                match name.trim().to_ascii_lowercase().as_str() {
                    "type" => out.part_type = Some(value.to_ascii_lowercase()),
                    "transfer-syntax" => out.transfer_syntax = Some(value),
                    _ => {}
                }
            }
            Some(out)
        })
        .collect()
}

/// The request's `Accept` ranges (none when there is no header).
pub(super) fn accepted(req: &HttpRequest) -> Vec<MediaRange> {
    accept(
        req.headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok()),
    )
}

/// How frames stored in `stored` are sent to a client accepting `ranges` (PS3.18 §8.7): the stored
/// bytes when a range accepts their syntax (`transfer-syntax=*`, or that syntax, or their image
/// media type), else decoded to explicit VR little endian when a range accepts that (no `Accept`
/// at all is `application/octet-stream` uncompressed, the default); `None`: nothing acceptable.
pub(crate) fn frame_syntax(ranges: &[MediaRange], stored: &str) -> Option<FrameSyntax> {
    if ranges.is_empty() {
        return Some(FrameSyntax::Decoded);
    }
    let stored_media = frame_media_type(stored);
    let uncompressed = stored_media == Some("application/octet-stream");
    let mut decoded = false;
    for range in ranges {
        let media = match (range.media.as_str(), range.part_type.as_deref()) {
            ("multipart/related", Some(t)) => t,
            ("multipart/related" | "*/*" | "multipart/*", None) => "application/octet-stream",
            (m, _) => m,
        };
        let syntax = range.transfer_syntax.as_deref();
        if syntax == Some("*") || syntax == Some(stored) {
            return Some(FrameSyntax::AsStored);
        }
        if media == "*/*" || media == "application/octet-stream" {
            if uncompressed || syntax.is_none_or(|s| s == EXPLICIT_VR_LITTLE_ENDIAN) {
                decoded = true;
            }
        } else if Some(media) == stored_media && syntax.is_none() {
            return Some(FrameSyntax::AsStored);
        }
    }
    decoded.then_some(FrameSyntax::Decoded)
}

pub(super) fn not_acceptable(detail: &str) -> ApiError<crate::surface::Clinic> {
    Error::NotAcceptable(Text::new(Key::DicomwebNotAcceptable).with("detail", detail)).into()
}

/// A multipart boundary that cannot occur in a part's bytes by chance.
pub(super) fn boundary() -> String {
    format!("medcare-{}", uuid::Uuid::now_v7().simple())
}

fn frame_numbers(raw: &str) -> Result<Vec<u32>> {
    let numbers: Option<Vec<u32>> = raw
        .split(',')
        .map(|n| n.trim().parse::<u32>().ok().filter(|n| *n > 0))
        .collect();
    match numbers {
        Some(n) if !n.is_empty() && n.len() <= 1000 => Ok(n),
        _ => Err(Error::not_found(Key::DicomwebNotFound).into()),
    }
}

fn multipart(frames: Vec<Frame>, boundary: &str) -> (String, Vec<u8>) {
    let size: usize = frames.iter().map(|f| f.bytes.len() + 160).sum();
    let mut body = Vec::with_capacity(size + 64);
    let mut first_type = None;
    for frame in frames {
        let media =
            frame_media_type(frame.transfer_syntax.as_str()).unwrap_or("application/octet-stream");
        first_type.get_or_insert(media);
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Type: {media}; transfer-syntax={}\r\n\r\n",
                frame.transfer_syntax
            )
            .as_bytes(),
        );
        body.extend_from_slice(&frame.bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let content_type = format!(
        "multipart/related; type=\"{}\"; boundary={boundary}",
        first_type.unwrap_or("application/octet-stream")
    );
    (content_type, body)
}

/// Frames of an instance (WADO-RS), one part each, in the order asked (`1,3,2`).
#[utoipa::path(get, path = "/dicomweb/studies/{study}/series/{series}/instances/{instance}/frames/{frames}", tag = "dicomweb",
    params(
        InstancePath,
        ("frames" = String, Path, description = "Frame numbers from 1, separated by commas"),
        ("Accept" = Option<String>, Header, description = "`multipart/related; type=\"application/octet-stream\"; transfer-syntax=*` for the stored bytes; without `transfer-syntax`, uncompressed pixels"),
    ),
    responses(
        (status = 200, content_type = "multipart/related", body = Vec<u8>, description = "One part per frame, each typed with its transfer syntax"),
        (status = 403, body = ErrorB, description = "Only doctors and technicians view images"),
        (status = 404, body = ErrorB, description = "No such instance, no pixel data, or a frame number out of range"),
        (status = 406, body = ErrorB, description = "The frames cannot be given in any syntax the request accepts"),
    ))]
pub async fn frames(
    token: Token,
    state: Data,
    req: HttpRequest,
    path: web::Path<(String, String, String, String)>,
) -> Result {
    let who = token.who(Action::ViewImages).await?;
    let (study, series, instance, list) = path.into_inner();
    let target = InstancePath::new(study, series, instance).target()?;
    let numbers = frame_numbers(&list)?;
    let ranges = accepted(&req);
    // The stored syntax decides what can be given: negotiated in the same trip as the reading.
    let service = state.clinic.dicomweb.clone();
    let choose = move |stored: &str| frame_syntax(&ranges, stored);
    let frames = blocking(move || service.frames(&who, &target, &numbers, choose)).await?;
    multipart_answer(frames)
}

fn multipart_answer(frames: Vec<Frame>) -> Result {
    let (content_type, body) = multipart(frames, &boundary());
    Ok(HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_str(&content_type).map_err(|e| Error::internal(e.to_string()))?,
        ))
        .body(body))
}

/// The pixel data of an instance (WADO-RS bulk data), where `/metadata`'s `BulkDataURI` points:
/// uncompressed pixels as one part, compressed ones as one part per frame (PS3.18 §8.7.3.3.2).
#[utoipa::path(get, path = "/dicomweb/studies/{study}/series/{series}/instances/{instance}/bulkdata/{tag}", tag = "dicomweb",
    params(
        InstancePath,
        ("tag" = String, Path, description = "The pixel data's tag, `7FE00010` (or `7FE00008`, `7FE00009`)"),
        ("Accept" = Option<String>, Header, description = "As for frames: `transfer-syntax=*` for the stored bytes; without it, uncompressed pixels"),
    ),
    responses(
        (status = 200, content_type = "multipart/related", body = Vec<u8>, description = "The pixel data, typed with its transfer syntax"),
        (status = 403, body = ErrorB, description = "Only doctors and technicians view images"),
        (status = 404, body = ErrorB, description = "No such instance, no pixel data, or a tag that is not given by reference"),
        (status = 406, body = ErrorB, description = "The pixel data cannot be given in any syntax the request accepts"),
    ))]
pub async fn bulkdata(
    token: Token,
    state: Data,
    req: HttpRequest,
    path: web::Path<(String, String, String, String)>,
) -> Result {
    let who = token.who(Action::ViewImages).await?;
    let (study, series, instance, tag) = path.into_inner();
    let target = InstancePath::new(study, series, instance).target()?;
    let ranges = accepted(&req);
    let service = state.clinic.dicomweb.clone();
    let choose = move |stored: &str| frame_syntax(&ranges, stored);
    let frames = blocking(move || service.bulk_pixels(&who, &target, &tag, choose)).await?;
    let uncompressed = frames.first().is_some_and(|f| {
        frame_media_type(f.transfer_syntax.as_str()) == Some("application/octet-stream")
    });
    if !uncompressed {
        return multipart_answer(frames);
    }
    // Uncompressed pixel data is one value: its frames back to back.
    let mut parts = frames.into_iter();
    let joined = parts.next().map(|mut first| {
        for frame in parts {
            first.bytes.extend_from_slice(&frame.bytes);
        }
        first
    });
    multipart_answer(joined.into_iter().collect())
}

/// `viewport=w,h`, `window=center,width[,linear]`, `quality=1..100` of a rendered request.
#[derive(Debug, Default, serde::Deserialize)]
struct RenderQuery {
    viewport: Option<String>,
    window: Option<String>,
    quality: Option<String>,
}

fn bad(field: &str, key: Key) -> ApiError<crate::surface::Clinic> {
    Error::field(FieldError::new(
        field,
        "format",
        Text::new(key).with("name", field),
    ))
    .into()
}

fn render_request(
    req: &HttpRequest,
    frame: u32,
    default_viewport: Option<(u32, u32)>,
) -> Result<RenderRequest> {
    let q = super::clinic_reports::query::<RenderQuery>(req)?;
    let viewport = match q.viewport.as_deref() {
        None => default_viewport,
        Some(raw) => {
            let parts: Vec<Option<u32>> = raw.split(',').map(|p| p.trim().parse().ok()).collect();
            match parts.as_slice() {
                [Some(w), Some(h)] if *w > 0 && *h > 0 && *w <= 4096 && *h <= 4096 => {
                    Some((*w, *h))
                }
                _ => return Err(bad("viewport", Key::DicomwebBadViewport)),
            }
        }
    };
    let window = match q.window.as_deref() {
        None => None,
        Some(raw) => {
            let parts: Vec<&str> = raw.split(',').map(str::trim).collect();
            let number = |s: &str| s.parse::<f64>().ok().filter(|n| n.is_finite());
            match parts.as_slice() {
                [c, w] | [c, w, "linear"] => match (number(c), number(w)) {
                    (Some(center), Some(width)) if width >= 1.0 => Some(Window { center, width }),
                    _ => return Err(bad("window", Key::DicomwebBadWindow)),
                },
                _ => return Err(bad("window", Key::DicomwebBadWindow)),
            }
        }
    };
    let quality = match q.quality.as_deref() {
        None => 90,
        Some(raw) => match raw.trim().parse::<u8>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => return Err(bad("quality", Key::DicomwebBadQuality)),
        },
    };
    let ranges = accepted(req);
    let format = if ranges.is_empty() {
        ImageFormat::Jpeg { quality }
    } else {
        let wants = |m: &str| ranges.iter().any(|r| r.media == m);
        if wants("image/jpeg") || wants("image/*") || wants("*/*") {
            ImageFormat::Jpeg { quality }
        } else if wants("image/png") {
            ImageFormat::Png
        } else {
            return Err(not_acceptable("image/jpeg or image/png"));
        }
    };
    Ok(RenderRequest {
        frame,
        viewport,
        window,
        format,
    })
}

async fn rendered(
    token: Token,
    state: Data,
    req: HttpRequest,
    target: InstancePath,
    frame: Option<String>,
    default_viewport: Option<(u32, u32)>,
) -> Result {
    let who = token.who(Action::ViewImages).await?;
    let target = target.target()?;
    let frame = match frame {
        None => 1,
        Some(raw) => match frame_numbers(&raw)?.as_slice() {
            [one] => *one,
            _ => return Err(Error::not_found(Key::DicomwebNotFound).into()),
        },
    };
    let request = render_request(&req, frame, default_viewport)?;
    let service = state.clinic.dicomweb.clone();
    let image = blocking(move || service.render(&who, &target, &request)).await?;
    let media = match request.format {
        ImageFormat::Png => "image/png",
        ImageFormat::Jpeg { .. } => "image/jpeg",
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(media)))
        .insert_header((header::CACHE_CONTROL, "private, max-age=3600"))
        .body(image))
}

/// An instance's first frame rendered (WADO-RS): JPEG unless `Accept` asks for PNG; `viewport`,
/// `window` (`center,width`) and `quality` as PS3.18 says.
#[utoipa::path(get, path = "/dicomweb/studies/{study}/series/{series}/instances/{instance}/rendered", tag = "dicomweb",
    params(
        InstancePath,
        RenderParams,
    ),
    responses(
        (status = 200, description = "The image (image/png when asked)", content((Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"))),
        (status = 400, body = ErrorB, description = "viewport, window or quality is malformed"),
        (status = 403, body = ErrorB, description = "Only doctors and technicians view images"),
        (status = 404, body = ErrorB, description = "No such instance, or no pixel data"),
        (status = 406, body = ErrorB, description = "Not in a format the request accepts, or pixels that cannot be decoded here"),
    ))]
pub async fn instance_rendered(
    token: Token,
    state: Data,
    req: HttpRequest,
    path: web::Path<InstancePath>,
) -> Result {
    rendered(token, state, req, path.into_inner(), None, None).await
}

/// One frame rendered (WADO-RS).
#[utoipa::path(get, path = "/dicomweb/studies/{study}/series/{series}/instances/{instance}/frames/{frames}/rendered", tag = "dicomweb",
    params(
        InstancePath,
        ("frames" = String, Path, description = "One frame number, from 1"),
        RenderParams,
    ),
    responses(
        (status = 200, description = "The image (image/png when asked)", content((Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"))),
        (status = 400, body = ErrorB, description = "viewport, window or quality is malformed"),
        (status = 403, body = ErrorB, description = "Only doctors and technicians view images"),
        (status = 404, body = ErrorB, description = "No such instance or frame, or no pixel data"),
        (status = 406, body = ErrorB, description = "Not in a format the request accepts, or pixels that cannot be decoded here"),
    ))]
pub async fn frame_rendered(
    token: Token,
    state: Data,
    req: HttpRequest,
    path: web::Path<(String, String, String, String)>,
) -> Result {
    let (study, series, instance, frame) = path.into_inner();
    let target = InstancePath::new(study, series, instance);
    rendered(token, state, req, target, Some(frame), None).await
}

/// A small rendering of the instance's first frame (WADO-RS), fitted in 256 × 256 unless
/// `viewport` says otherwise.
#[utoipa::path(get, path = "/dicomweb/studies/{study}/series/{series}/instances/{instance}/thumbnail", tag = "dicomweb",
    params(
        InstancePath,
        RenderParams,
    ),
    responses(
        (status = 200, description = "The thumbnail (image/png when asked)", content((Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"))),
        (status = 400, body = ErrorB, description = "viewport, window or quality is malformed"),
        (status = 403, body = ErrorB, description = "Only doctors and technicians view images"),
        (status = 404, body = ErrorB, description = "No such instance, or no pixel data"),
        (status = 406, body = ErrorB, description = "Not in a format the request accepts, or pixels that cannot be decoded here"),
    ))]
pub async fn thumbnail(
    token: Token,
    state: Data,
    req: HttpRequest,
    path: web::Path<InstancePath>,
) -> Result {
    let side = Some((THUMBNAIL_DEFAULT, THUMBNAIL_DEFAULT));
    rendered(token, state, req, path.into_inner(), None, side).await
}

/// The rendering parameters, as documented.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(
    dead_code,
    reason = "documented here, read from the query string by `render_request`"
)]
pub struct RenderParams {
    /// `width,height` in pixels (1 to 4096): the image is fitted inside, never scaled up.
    #[param(pattern = r"^\d{1,4},\d{1,4}$")]
    viewport: Option<String>,
    /// `center,width` (linear), over the file's own window.
    #[param(pattern = r"^-?\d+(\.\d+)?,\d+(\.\d+)?(,linear)?$")]
    window: Option<String>,
    /// JPEG quality, 1 to 100 (default 90).
    #[param(minimum = 1, maximum = 100)]
    quality: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const JPEG: &str = "1.2.840.10008.1.2.4.50";

    fn syntax(accept_header: Option<&str>, stored: &str) -> Option<FrameSyntax> {
        frame_syntax(&accept(accept_header), stored)
    }

    #[test]
    fn frames_follow_the_accept_header() {
        let any = "multipart/related; type=\"application/octet-stream\"; transfer-syntax=*";
        assert_eq!(syntax(Some(any), JPEG), Some(FrameSyntax::AsStored));
        assert_eq!(syntax(None, JPEG), Some(FrameSyntax::Decoded));
        let octet = "multipart/related; type=\"application/octet-stream\"";
        assert_eq!(syntax(Some(octet), JPEG), Some(FrameSyntax::Decoded));
        assert_eq!(
            syntax(Some(octet), EXPLICIT_VR_LITTLE_ENDIAN),
            Some(FrameSyntax::Decoded)
        );
        let jpeg = "multipart/related; type=\"image/jpeg\"";
        assert_eq!(syntax(Some(jpeg), JPEG), Some(FrameSyntax::AsStored));
        assert_eq!(syntax(Some(jpeg), "1.2.840.10008.1.2.4.91"), None);
        let other = "multipart/related; type=\"application/octet-stream\"; transfer-syntax=1.2.840.10008.1.2.4.91";
        assert_eq!(syntax(Some(other), JPEG), None);
        assert_eq!(syntax(Some("*/*"), JPEG), Some(FrameSyntax::Decoded));
    }

    #[test]
    fn frame_lists_are_numbers_from_one() {
        assert_eq!(frame_numbers("1,3, 2").unwrap(), vec![1, 3, 2]);
        for bad in ["", "0", "a", "1,,2", "-1"] {
            assert!(frame_numbers(bad).is_err(), "{bad}");
        }
    }
}
