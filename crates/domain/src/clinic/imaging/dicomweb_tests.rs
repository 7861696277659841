//! DICOMweb's reads against mocks of their ports: what each asks of the index and the pixel codec,
//! how refusals become statuses, and that every read is audited.

use std::sync::Arc;

use serde_json::json;

use super::dicomweb::{DicomwebService, Target};
use super::ingest::ImagingPorts;
use super::pixels::{
    DicomJson, FrameSyntax, ImageFormat, MockPixelCodec, PixelRefusal, RenderRequest,
};
use super::ports::MockImagingRepository;
use super::qido::{Level, QidoQuery};
use super::qido_json::Root;
use super::tests::{FILE, image, ports, study, technician, uid};
use super::{MockDicomCodec, Series};
use crate::Error;
use crate::clinic::audit::{AuditAction, MockAuditRepository};
use crate::clinic::ids::{ImageId, SeriesId, StudyId};
use crate::clinic::patient_ports::MockAppointmentRepository;
use crate::kernel::blob::{BlobReader, MockBlobStore};
use crate::kernel::text::Key;
use crate::testing::{NOW, uuid};

fn series() -> Series {
    Series {
        id: SeriesId::from_uuid(uuid(0x5e)),
        study_id: StudyId::from_uuid(uuid(0x57)),
        series_instance_uid: uid("1.2.3.9"),
        modality: Some("US".to_owned()),
        body_part: None,
        description: None,
        number: Some(1),
        image_count: 1,
        created_at: NOW,
    }
}

fn one_instance(repo: &mut MockImagingRepository) {
    repo.expect_search_instances().returning(|q| {
        if q.sop_uids.iter().any(|u| u.as_str() == "1.2.3.1") || q.sop_uids.is_empty() {
            Ok(vec![(
                study(StudyId::from_uuid(uuid(0x57))),
                series(),
                image(ImageId::from_uuid(uuid(1)), true),
            )])
        } else {
            Ok(vec![])
        }
    });
}

fn blobs() -> MockBlobStore {
    let mut blobs = MockBlobStore::new();
    blobs.expect_open().returning(|_, _| {
        Ok(Some(BlobReader {
            size: FILE.len() as u64,
            reader: Box::new(FILE),
        }))
    });
    blobs
}

fn service(repo: MockImagingRepository, pixels: MockPixelCodec) -> DicomwebService {
    let ports: ImagingPorts = ports(
        repo,
        blobs(),
        MockDicomCodec::new(),
        MockAppointmentRepository::new(),
    );
    DicomwebService::new(ports, Arc::new(pixels))
}

fn instance() -> Target {
    Target::parse("1.2.3", Some("1.2.3.9"), Some("1.2.3.1")).unwrap()
}

#[test]
fn a_search_answers_the_index_in_the_json_model() {
    let mut repo = MockImagingRepository::new();
    repo.expect_search_studies()
        .returning(|_| Ok(vec![study(StudyId::from_uuid(uuid(0x57)))]));
    let svc = service(repo, MockPixelCodec::new());
    let q = QidoQuery::parse(Level::Study, None, None, &[]).unwrap();
    let found = svc
        .search(
            &technician(),
            &q,
            &Root("https://care.example/dicomweb".to_owned()),
        )
        .unwrap();
    assert_eq!(found[0]["0020000D"]["Value"], json!(["1.2.3"]));
    assert_eq!(
        found[0]["00081190"]["Value"],
        json!(["https://care.example/dicomweb/studies/1.2.3"])
    );
    assert_eq!(found[0]["00201208"]["Value"], json!([1]));
}

#[test]
fn metadata_points_bulk_data_at_the_instance() {
    let mut repo = MockImagingRepository::new();
    one_instance(&mut repo);
    let mut pixels = MockPixelCodec::new();
    pixels.expect_metadata().returning(|_, _, base| {
        assert_eq!(
            base,
            "/dicomweb/studies/1.2.3/series/1.2.3.9/instances/1.2.3.1/bulkdata"
        );
        Ok(DicomJson("{}".to_owned()))
    });
    let svc = service(repo, pixels);
    let target = Target::parse("1.2.3", None, None).unwrap();
    let json = svc
        .metadata(&technician(), &target, &Root("/dicomweb".to_owned()))
        .unwrap();
    assert_eq!(json, vec![DicomJson("{}".to_owned())]);
}

#[test]
fn refusals_become_404_and_406() {
    let mut repo = MockImagingRepository::new();
    one_instance(&mut repo);
    let mut pixels = MockPixelCodec::new();
    pixels
        .expect_frames()
        .returning(|_, _, _, _| Err(PixelRefusal::NoSuchFrame { frames: 1 }));
    pixels.expect_render().returning(|_, _, _| {
        Err(PixelRefusal::Unsupported {
            detail: "JPEG 2000".to_owned(),
        })
    });
    let svc = service(repo, pixels);
    let frames = svc.frames(&technician(), &instance(), &[2], |_| {
        Some(FrameSyntax::Decoded)
    });
    assert!(matches!(frames, Err(Error::NotFound(t)) if t.key() == Key::DicomwebNoSuchFrame));
    let request = RenderRequest {
        frame: 1,
        viewport: None,
        window: None,
        format: ImageFormat::Png,
    };
    let rendered = svc.render(&technician(), &instance(), &request);
    assert!(
        matches!(rendered, Err(Error::NotAcceptable(_))),
        "{rendered:?}"
    );
    // An instance the index does not have, and a path whose UIDs are not UIDs.
    let missing = Target::parse("1.2.3", Some("1.2.3.9"), Some("9.9")).unwrap();
    assert!(matches!(
        svc.frames(&technician(), &missing, &[1], |_| Some(
            FrameSyntax::AsStored
        )),
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        Target::parse("1..2", None, None),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn bulk_data_is_every_frame_of_the_pixel_data() {
    let mut repo = MockImagingRepository::new();
    one_instance(&mut repo);
    let mut pixels = MockPixelCodec::new();
    pixels
        .expect_frames()
        .withf(|_, _, numbers, syntax| numbers == [1] && *syntax == FrameSyntax::AsStored)
        .times(1)
        .returning(|_, _, _, _| Ok(vec![]));
    let svc = service(repo, pixels);
    let bulk = svc.bulk_pixels(&technician(), &instance(), "7fe00010", |_| {
        Some(FrameSyntax::AsStored)
    });
    assert_eq!(bulk.unwrap(), vec![]);
    // Only pixel data is given by reference.
    assert!(matches!(
        svc.bulk_pixels(&technician(), &instance(), "00100010", |_| Some(
            FrameSyntax::AsStored
        )),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn frames_are_negotiated_on_the_stored_syntax_and_a_view_is_audited_once_a_minute() {
    let mut repo = MockImagingRepository::new();
    one_instance(&mut repo);
    let mut pixels = MockPixelCodec::new();
    pixels.expect_frames().returning(|_, _, _, _| Ok(vec![]));
    let mut ports: ImagingPorts = ports(
        repo,
        blobs(),
        MockDicomCodec::new(),
        MockAppointmentRepository::new(),
    );
    // Thirty frames read within the minute (the clock stands still): one entry in the log.
    let mut audit = MockAuditRepository::new();
    audit
        .expect_record()
        .withf(|entry| entry.action == AuditAction::ImageRead)
        .times(1)
        .returning(|_| Ok(()));
    ports.audit = Arc::new(audit);
    let svc = DicomwebService::new(ports, Arc::new(pixels));
    let mut asked = None;
    let refused = svc.frames(&technician(), &instance(), &[1], |stored| {
        asked = Some(stored.to_owned());
        None
    });
    assert!(
        matches!(refused, Err(Error::NotAcceptable(_))),
        "{refused:?}"
    );
    assert_eq!(
        asked.as_deref(),
        Some(
            image(ImageId::from_uuid(uuid(1)), true)
                .transfer_syntax_uid
                .as_str()
        )
    );
    for _ in 0..30 {
        svc.frames(&technician(), &instance(), &[1], |_| {
            Some(FrameSyntax::AsStored)
        })
        .unwrap();
    }
}
