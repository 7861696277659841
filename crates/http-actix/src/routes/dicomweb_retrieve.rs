//! WADO-RS retrieval of whole instances, series and studies as
//! `multipart/related; type="application/dicom"`: the stored files byte for byte, streamed one after
//! the other so that a study is never held in memory.

use std::io::Read;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use domain::Error;
use domain::clinic::Action;
use domain::clinic::imaging::Image;
use domain::clinic::imaging::dicomweb::{DicomwebService, Target};

use super::dicomweb::{Data, InstancePath, Result, SeriesPath, StudyPath, Token};
use super::dicomweb_wado::{accepted, boundary, not_acceptable};
use crate::envelope::ErrorB;
use crate::extract::blocking;
use crate::stream::ReaderStream;

/// The parts of a retrieve: each instance's file after its part header, opened one at a time on
/// the blocking thread that reads the answer, so that a study is never held in memory.
struct Files {
    service: DicomwebService,
    images: std::vec::IntoIter<Image>,
    boundary: String,
    current: Option<Box<dyn Read + Send>>,
    done: bool,
}

impl Read for Files {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if let Some(reader) = &mut self.current {
                let n = reader.read(buf)?;
                if n > 0 {
                    return Ok(n);
                }
                self.current = None;
            }
            if self.done {
                return Ok(0);
            }
            match self.images.next() {
                Some(image) => {
                    let file = self
                        .service
                        .open_image(&image)
                        .map_err(|e| std::io::Error::other(e.to_string()))?;
                    let head = format!(
                        "--{}\r\nContent-Type: application/dicom\r\nContent-Length: {}\r\n\r\n",
                        self.boundary, file.size
                    );
                    let tail: &'static [u8] = b"\r\n";
                    self.current = Some(Box::new(
                        std::io::Cursor::new(head.into_bytes())
                            .chain(file.reader)
                            .chain(tail),
                    ));
                }
                None => {
                    self.done = true;
                    self.current = Some(Box::new(std::io::Cursor::new(
                        format!("--{}--\r\n", self.boundary).into_bytes(),
                    )));
                }
            }
        }
    }
}

async fn retrieve(token: Token, state: Data, req: HttpRequest, target: Result<Target>) -> Result {
    let who = token.who(Action::DownloadImages).await?;
    let target = target?;
    let ranges = accepted(&req);
    let acceptable = ranges.is_empty()
        || ranges.iter().any(|r| {
            matches!(r.media.as_str(), "*/*" | "multipart/*")
                || (r.media == "multipart/related"
                    && r.part_type
                        .as_deref()
                        .is_none_or(|t| t == "application/dicom")
                    && r.transfer_syntax.as_deref().is_none_or(|s| s == "*"))
        });
    if !acceptable {
        return Err(not_acceptable(
            "multipart/related; type=\"application/dicom\" with the stored transfer syntax",
        ));
    }
    let service = state.clinic.dicomweb.clone();
    let images = blocking(move || service.retrieve(&who, &target)).await?;
    let boundary = boundary();
    let content_type =
        format!("multipart/related; type=\"application/dicom\"; boundary={boundary}");
    let files = Files {
        service: state.clinic.dicomweb.clone(),
        images: images.into_iter(),
        boundary,
        current: None,
        done: false,
    };
    Ok(HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_str(&content_type).map_err(|e| Error::internal(e.to_string()))?,
        ))
        .streaming(ReaderStream::new(Box::new(files))))
}

/// Every instance of a study, as stored (WADO-RS).
#[utoipa::path(get, path = "/dicomweb/studies/{study}", tag = "dicomweb",
    params(StudyPath),
    responses(
        (status = 200, content_type = "multipart/related", body = Vec<u8>, description = "One application/dicom part per instance"),
        (status = 403, body = ErrorB, description = "Only doctors download images"),
        (status = 404, body = ErrorB, description = "No such study"),
        (status = 406, body = ErrorB, description = "The request accepts neither application/dicom parts nor the stored syntax"),
    ))]
pub async fn retrieve_study(
    token: Token,
    state: Data,
    req: HttpRequest,
    path: web::Path<StudyPath>,
) -> Result {
    retrieve(token, state, req, path.target()).await
}

/// Every instance of a series, as stored (WADO-RS).
#[utoipa::path(get, path = "/dicomweb/studies/{study}/series/{series}", tag = "dicomweb",
    params(
        SeriesPath,
    ),
    responses(
        (status = 200, content_type = "multipart/related", body = Vec<u8>, description = "One application/dicom part per instance"),
        (status = 403, body = ErrorB, description = "Only doctors download images"),
        (status = 404, body = ErrorB, description = "No such series"),
        (status = 406, body = ErrorB, description = "The request accepts neither application/dicom parts nor the stored syntax"),
    ))]
pub async fn retrieve_series(
    token: Token,
    state: Data,
    req: HttpRequest,
    path: web::Path<SeriesPath>,
) -> Result {
    retrieve(token, state, req, path.target()).await
}

/// One instance, as stored (WADO-RS).
#[utoipa::path(get, path = "/dicomweb/studies/{study}/series/{series}/instances/{instance}", tag = "dicomweb",
    params(
        InstancePath,
    ),
    responses(
        (status = 200, content_type = "multipart/related", body = Vec<u8>, description = "One application/dicom part"),
        (status = 403, body = ErrorB, description = "Only doctors download images"),
        (status = 404, body = ErrorB, description = "No such instance"),
        (status = 406, body = ErrorB, description = "The request accepts neither application/dicom parts nor the stored syntax"),
    ))]
pub async fn retrieve_instance(
    token: Token,
    state: Data,
    req: HttpRequest,
    path: web::Path<InstancePath>,
) -> Result {
    retrieve(token, state, req, path.target()).await
}
