//! The imaging services against mocks of their ports: what reaches the blob store and the trash
//! list on every path of a reception, thumbnails, deletion, and the worklist's refusals.

use std::sync::Arc;

use mockall::predicate::eq;
use time::macros::{date, time};

use super::dicom::{DicomRefusal, InstanceMeta, MockDicomCodec, ThumbnailRefusal, Uid};
use super::index::{Arrival, Image, Stored};
use super::ingest::{ImagingPorts, IngestService, dicom_who};
use super::ports::{MockImagingRepository, MockWorklistRepository};
use super::studies::StudyService;
use super::worklists::{WorklistService, WorklistTarget};
use crate::clinic::appointment::{Appointment, AppointmentRecord, PatientSummary, Slot};
use crate::clinic::appointment_status::AppointmentStatus;
use crate::clinic::appointments::AppointmentService;
use crate::clinic::audit::{MockAuditRepository, Who};
use crate::clinic::ids::{AppointmentId, ImageId, PatientId, SeriesId, StudyId};
use crate::clinic::patient::{Patient, PatientDetails};
use crate::clinic::patient_ports::{MockAppointmentRepository, MockPatientRepository};
use crate::identity::Role;
use crate::kernel::blob::{BlobInfo, BlobKey, BlobReader, MockBlobStore, Sha256, StagedBlob};
use crate::kernel::ids::ActorId;
use crate::testing::{FixedClock, NOW, SequentialIds, uuid};
use crate::{Error, Result};

pub(super) const FILE: &[u8] = b"a DICOM file";

pub(super) fn technician() -> Who {
    Who {
        actor: ActorId::from_stored("tech".to_owned()),
        roles: vec![Role::Technician],
        request_id: None,
    }
}

pub(super) fn uid(s: &str) -> Uid {
    Uid::parse(s).unwrap_or_else(|| panic!("{s} is a UID"))
}

fn meta() -> InstanceMeta {
    InstanceMeta {
        sop_class_uid: Some(uid("1.2.840.10008.5.1.4.1.1.6.1")),
        sop_instance_uid: Some(uid("1.2.3.1")),
        study_instance_uid: Some(uid("1.2.3")),
        series_instance_uid: Some(uid("1.2.3.9")),
        transfer_syntax_uid: Some(uid("1.2.840.10008.1.2.1")),
        patient_id: Some("MRN00000001".to_owned()),
        accession_number: Some("ACC0000000001".to_owned()),
        modality: Some("US".to_owned()),
        has_pixels: true,
        frames: Some(1),
        ..InstanceMeta::default()
    }
}

pub(super) fn image(id: ImageId, has_pixels: bool) -> Image {
    Image {
        id,
        study_id: StudyId::from_uuid(uuid(0x57)),
        series_id: SeriesId::from_uuid(uuid(0x5e)),
        patient_id: Some(PatientId::from_uuid(uuid(0x9a))),
        sop_instance_uid: uid("1.2.3.1"),
        sop_class_uid: uid("1.2.840.10008.5.1.4.1.1.6.1"),
        transfer_syntax_uid: uid("1.2.840.10008.1.2.1"),
        instance_number: Some(1),
        rows: Some(240),
        columns: Some(320),
        frames: Some(1),
        has_pixels,
        photometric_interpretation: Some("RGB".to_owned()),
        size_bytes: FILE.len() as u64,
        sha256: Sha256([7; 32]),
        blob_key: key("dicom/01/x.dcm"),
        arrival: Arrival::Upload,
        received_by: "tech".to_owned(),
        received_at: NOW,
    }
}

pub(super) fn key(raw: &str) -> BlobKey {
    BlobKey::parse(raw).unwrap_or_else(|_| panic!("{raw} is a key"))
}

/// A blob store that stages and commits `FILE`, opens it, and expects `deletes` deletions.
fn blobs(deletes: usize) -> MockBlobStore {
    let mut blobs = MockBlobStore::new();
    blobs.expect_stage().returning(|body, _| {
        let mut bytes = Vec::new();
        body.read_to_end(&mut bytes)
            .map_err(|e| Error::internal(e.to_string()))?;
        Ok(StagedBlob {
            handle: "h".to_owned(),
            size: bytes.len() as u64,
            sha256: Sha256([7; 32]),
            head: bytes,
        })
    });
    blobs.expect_commit().returning(|staged, key| {
        Ok(BlobInfo {
            key: key.clone(),
            size: staged.size,
            sha256: staged.sha256,
        })
    });
    blobs.expect_open().returning(|_, _| {
        Ok(Some(BlobReader {
            size: FILE.len() as u64,
            reader: Box::new(FILE),
        }))
    });
    blobs.expect_delete().times(deletes).returning(|_| Ok(true));
    blobs
}

pub(super) fn ports(
    repository: MockImagingRepository,
    blobs: MockBlobStore,
    codec: MockDicomCodec,
    appointments: MockAppointmentRepository,
) -> ImagingPorts {
    let clock = Arc::new(FixedClock(NOW));
    let ids = Arc::new(SequentialIds::default());
    let mut audit = MockAuditRepository::new();
    audit.expect_record().returning(|_| Ok(()));
    let audit = Arc::new(audit);
    ImagingPorts {
        repository: Arc::new(repository),
        audit: audit.clone(),
        blobs: Arc::new(blobs),
        codec: Arc::new(codec),
        appointments: AppointmentService::new(
            Arc::new(appointments),
            audit,
            clock.clone(),
            ids.clone(),
        ),
        clock,
        ids,
    }
}

fn codec(answer: std::result::Result<InstanceMeta, DicomRefusal>) -> MockDicomCodec {
    let mut codec = MockDicomCodec::new();
    codec.expect_inspect().returning(move |_, _| answer.clone());
    codec
}

/// A repository that reserves, links to `appointment`, and expects `forgets` trash removals.
fn repository(appointment: Option<AppointmentId>, forgets: usize) -> MockImagingRepository {
    let mut repo = MockImagingRepository::new();
    repo.expect_reserve_blob().times(1).returning(|_, due| {
        assert!(due > NOW, "a reservation is due later");
        Ok(())
    });
    repo.expect_link()
        .returning(move |_, _| Ok((Some(PatientId::from_uuid(uuid(0x9a))), appointment)));
    repo.expect_forget_trash()
        .times(forgets)
        .returning(|_| Ok(()));
    repo
}

fn ingest(service: &IngestService) -> Result<super::ingest::Ingested> {
    service.ingest(&technician(), Arrival::Upload, &mut &FILE[..], 1024)
}

#[test]
fn a_new_instance_is_indexed_with_its_audit_and_event() {
    let mut repo = repository(None, 0);
    repo.expect_store_instance()
        .times(1)
        .withf(|new, audit, event| {
            new.identity.sop_instance_uid.as_str() == "1.2.3.1"
                && new.blob.key.as_str().starts_with("dicom/")
                && new.patient_id.is_some()
                && audit.patient == new.patient_id
                && event.id == new.id.to_string()
                && event.data["study_instance_uid"] == "1.2.3"
        })
        .returning(|new, _, _| Ok(Stored::New(image(new.id, true))));
    let service = IngestService::new(ports(
        repo,
        blobs(0),
        codec(Ok(meta())),
        MockAppointmentRepository::new(),
    ));
    let done = ingest(&service).unwrap_or_else(|e| panic!("{e}"));
    assert!(!done.duplicate && !done.appointment_moved);
}

#[test]
fn a_second_copy_changes_nothing_and_its_bytes_go() {
    let mut repo = repository(None, 1);
    let existing = ImageId::from_uuid(uuid(0xe1));
    repo.expect_store_instance()
        .returning(move |_, _, _| Ok(Stored::Duplicate(image(existing, true))));
    let service = IngestService::new(ports(
        repo,
        blobs(1),
        codec(Ok(meta())),
        MockAppointmentRepository::new(),
    ));
    let done = ingest(&service).unwrap_or_else(|e| panic!("{e}"));
    assert!(done.duplicate);
    assert_eq!(done.image.id, existing);
}

#[test]
fn a_refused_file_leaves_nothing_behind() {
    for refusal in [
        DicomRefusal::NotDicom,
        DicomRefusal::NoMeta,
        DicomRefusal::Truncated {
            detail: "PixelData".to_owned(),
        },
    ] {
        let service = IngestService::new(ports(
            repository(None, 1),
            blobs(1),
            codec(Err(refusal.clone())),
            MockAppointmentRepository::new(),
        ));
        match ingest(&service) {
            Err(Error::Validation(fields)) => assert_eq!(fields[0].field, "file"),
            other => panic!("{refusal:?}: {other:?}"),
        }
    }
}

#[test]
fn a_file_without_a_uid_is_refused_naming_it() {
    let mut no_series = meta();
    no_series.series_instance_uid = None;
    let service = IngestService::new(ports(
        repository(None, 1),
        blobs(1),
        codec(Ok(no_series)),
        MockAppointmentRepository::new(),
    ));
    match ingest(&service) {
        Err(Error::Validation(fields)) => {
            assert!(fields[0].text.to_string().contains("SeriesInstanceUID"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_body_over_the_limit_releases_its_reservation() {
    let mut blobs = MockBlobStore::new();
    blobs.expect_stage().returning(|_, _| {
        Err(Error::TooLarge(crate::kernel::text::Text::new(
            crate::kernel::text::Key::BodyTooLarge,
        )))
    });
    blobs.expect_commit().never();
    let service = IngestService::new(ports(
        repository(None, 1),
        blobs,
        MockDicomCodec::new(),
        MockAppointmentRepository::new(),
    ));
    assert!(matches!(ingest(&service), Err(Error::TooLarge(_))));
}

fn appointment(id: AppointmentId, status: AppointmentStatus) -> AppointmentRecord {
    AppointmentRecord {
        appointment: Appointment {
            id,
            patient_id: PatientId::from_uuid(uuid(0x9a)),
            doctor_id: crate::clinic::ids::StaffId::from_uuid(uuid(0xd0c)),
            slot: Slot {
                date: date!(2026 - 11 - 23),
                time: time!(10:30),
                duration_minutes: 30,
            },
            department: Some("Ultrasound".to_owned()),
            notes: None,
            status,
            accession_number: "ACC0000000001".to_owned(),
            version: 3,
            created_at: NOW,
            created_by: ActorId::system(),
            updated_at: NOW,
            updated_by: ActorId::system(),
        },
        patient: PatientSummary {
            id: PatientId::from_uuid(uuid(0x9a)),
            mrn: "MRN00000001".to_owned(),
            name: "Omar Haddad".to_owned(),
            name_ar: None,
        },
        doctor_name: Some("Dr Salma".to_owned()),
        history: Vec::new(),
    }
}

#[test]
fn the_first_image_moves_a_waiting_appointment_to_in_scan_as_dicom() {
    let id = AppointmentId::from_uuid(uuid(0xa1));
    let mut repo = repository(Some(id), 0);
    repo.expect_store_instance()
        .returning(|new, _, _| Ok(Stored::New(image(new.id, true))));
    let mut appointments = MockAppointmentRepository::new();
    appointments
        .expect_find()
        .with(eq(id))
        .returning(move |_| Ok(Some(appointment(id, AppointmentStatus::Waiting))));
    appointments
        .expect_change_status()
        .times(1)
        .withf(|change, _, _| change.to == AppointmentStatus::InScan && change.by == "dicom")
        .returning(|_, _, _| Ok(true));
    let service = IngestService::new(ports(repo, blobs(0), codec(Ok(meta())), appointments));
    let who = dicom_who("US_ROOM_1").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(who.actor.as_str(), "dicom:US_ROOM_1");
    let done = service
        .ingest(&who, Arrival::Dicom, &mut &FILE[..], 1024)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(done.appointment_moved);
}

fn studies(
    repo: MockImagingRepository,
    blobs: MockBlobStore,
    codec: MockDicomCodec,
) -> StudyService {
    StudyService::new(ports(repo, blobs, codec, MockAppointmentRepository::new()))
}

#[test]
fn thumbnails_are_drawn_once_then_read_from_the_cache() {
    let id = ImageId::from_uuid(uuid(0x1));
    let mut repo = MockImagingRepository::new();
    repo.expect_find_image()
        .returning(move |_| Ok(Some(image(id, true))));
    repo.expect_thumbnail().times(1).returning(|_, _| Ok(None));
    repo.expect_reserve_blob().times(1).returning(|_, _| Ok(()));
    repo.expect_save_thumbnail()
        .times(1)
        .withf(|_, size, key| *size == 64 && key.as_str().ends_with("/64.png"))
        .returning(|_, _, _| Ok(true));
    let mut codec = MockDicomCodec::new();
    codec
        .expect_thumbnail()
        .times(1)
        .withf(|_, _, max| *max == 64)
        .returning(|_, _, _| Ok(b"PNG".to_vec()));
    let service = studies(repo, blobs(0), codec);
    let png = service
        .thumbnail(&technician(), id, 64)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(png, b"PNG");
}

#[test]
fn thumbnails_refuse_sizes_out_of_range_and_objects_without_pixels() {
    let id = ImageId::from_uuid(uuid(0x1));
    let mut repo = MockImagingRepository::new();
    repo.expect_find_image()
        .returning(move |_| Ok(Some(image(id, false))));
    repo.expect_thumbnail().returning(|_, _| Ok(None));
    let service = studies(repo, MockBlobStore::new(), MockDicomCodec::new());
    for size in [0, 15, 1025] {
        assert!(matches!(
            service.thumbnail(&technician(), id, size),
            Err(Error::Validation(_))
        ));
    }
    assert!(matches!(
        service.thumbnail(&technician(), id, 256),
        Err(Error::Unsupported(_))
    ));
}

#[test]
fn an_undecodable_image_is_unsupported_not_a_fault() {
    let id = ImageId::from_uuid(uuid(0x1));
    let mut repo = MockImagingRepository::new();
    repo.expect_find_image()
        .returning(move |_| Ok(Some(image(id, true))));
    repo.expect_thumbnail().returning(|_, _| Ok(None));
    let mut codec = MockDicomCodec::new();
    codec.expect_thumbnail().returning(|_, _, _| {
        Err(ThumbnailRefusal::Unsupported {
            detail: "JPEG 2000".to_owned(),
        })
    });
    let service = studies(repo, blobs(0), codec);
    match service.thumbnail(&technician(), id, 256) {
        Err(Error::Unsupported(text)) => assert!(text.to_string().contains("JPEG 2000")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn deleting_a_study_deletes_its_files_then_forgets_them() {
    let id = StudyId::from_uuid(uuid(0x57));
    let mut repo = MockImagingRepository::new();
    repo.expect_find_study().returning(move |_| {
        Ok(Some(super::index::StudyDetails {
            study: study(id),
            series: Vec::new(),
        }))
    });
    repo.expect_delete_study().times(1).returning(|_, _, _| {
        Ok(Some(vec![
            key("dicom/01/a.dcm"),
            key("dicom/thumbnails/a/256.png"),
        ]))
    });
    repo.expect_forget_trash()
        .times(1)
        .withf(|keys| keys.len() == 2)
        .returning(|_| Ok(()));
    let mut blobs = MockBlobStore::new();
    blobs.expect_delete().times(2).returning(|_| Ok(true));
    let service = studies(repo, blobs, MockDicomCodec::new());
    service
        .delete(&technician(), id)
        .unwrap_or_else(|e| panic!("{e}"));
}

pub(super) fn study(id: StudyId) -> super::index::Study {
    super::index::Study {
        id,
        study_instance_uid: uid("1.2.3"),
        patient_id: None,
        appointment_id: None,
        dicom_patient_id: None,
        patient_name: None,
        patient_birth_date: None,
        patient_sex: None,
        study_date: None,
        study_time: None,
        description: None,
        accession_number: None,
        referring_physician: None,
        modalities: vec!["US".to_owned()],
        series_count: 1,
        image_count: 1,
        size_bytes: 10,
        created_at: NOW,
        updated_at: NOW,
    }
}

fn worklist_service(
    worklist: MockWorklistRepository,
    appointments: MockAppointmentRepository,
) -> WorklistService {
    let mut patients = MockPatientRepository::new();
    patients.expect_find().returning(|id| {
        Ok(Some(Patient {
            id,
            mrn: "MRN00000001".to_owned(),
            details: PatientDetails {
                name: "Omar Haddad".to_owned(),
                name_ar: None,
                birth_date: Some(date!(1990 - 01 - 02)),
                sex: Some(crate::clinic::patient::Sex::Male),
                phone: None,
                national_id: None,
                address: None,
            },
            created_at: NOW,
            created_by: ActorId::system(),
            updated_at: NOW,
            updated_by: ActorId::system(),
            deleted_at: None,
        }))
    });
    WorklistService::new(
        Arc::new(worklist),
        Arc::new(patients),
        Arc::new(appointments),
        Arc::new(FixedClock(NOW)),
        Arc::new(SequentialIds::default()),
    )
}

#[test]
fn an_appointment_is_published_with_its_accession_and_slot() {
    let id = AppointmentId::from_uuid(uuid(0xa1));
    let mut appointments = MockAppointmentRepository::new();
    appointments
        .expect_find()
        .returning(move |_| Ok(Some(appointment(id, AppointmentStatus::Scheduled))));
    let mut worklist = MockWorklistRepository::new();
    worklist
        .expect_publish()
        .times(1)
        .returning(|entry, audit| {
            assert_eq!(audit.patient, Some(entry.patient_id));
            Ok(entry.clone())
        });
    let service = worklist_service(worklist, appointments);
    let entry = service
        .send(
            &technician(),
            &WorklistTarget {
                appointment_id: Some(id.to_string()),
                station_ae_title: Some("US_ROOM_1".to_owned()),
                ..WorklistTarget::default()
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(entry.accession_number, "ACC0000000001");
    assert_eq!(entry.requested_procedure_id, "RP0000000001");
    assert_eq!(entry.modality, "US");
    assert_eq!(entry.patient_sex.as_deref(), Some("M"));
    assert_eq!(entry.start_time, time!(10:30));
    assert!(entry.study_instance_uid.as_str().starts_with("2.25."));
    assert_eq!(entry.performing_physician.as_deref(), Some("Dr Salma"));
}

#[test]
fn the_worklist_refuses_what_cannot_be_published() {
    let id = AppointmentId::from_uuid(uuid(0xa1));
    let mut appointments = MockAppointmentRepository::new();
    appointments
        .expect_find()
        .returning(move |_| Ok(Some(appointment(id, AppointmentStatus::Completed))));
    let service = worklist_service(MockWorklistRepository::new(), appointments);
    let send = |target: WorklistTarget| service.send(&technician(), &target);
    assert!(matches!(
        send(WorklistTarget {
            appointment_id: Some(id.to_string()),
            ..WorklistTarget::default()
        }),
        Err(Error::Conflict(_))
    ));
    for bad in [
        WorklistTarget::default(),
        WorklistTarget {
            appointment_id: Some(id.to_string()),
            patient_id: Some(id.to_string()),
            ..WorklistTarget::default()
        },
        WorklistTarget {
            appointment_id: Some(id.to_string()),
            modality: Some("us!".to_owned()),
            ..WorklistTarget::default()
        },
        WorklistTarget {
            patient_id: Some("nope".to_owned()),
            ..WorklistTarget::default()
        },
    ] {
        assert!(
            matches!(send(bad.clone()), Err(Error::Validation(_))),
            "{bad:?}"
        );
    }
}

#[test]
fn a_patient_alone_gets_a_fresh_accession_and_is_scheduled_now() {
    let mut worklist = MockWorklistRepository::new();
    worklist
        .expect_next_accession()
        .times(1)
        .returning(|| Ok("ACC0000000042".to_owned()));
    worklist.expect_publish().returning(|e, _| Ok(e.clone()));
    let service = worklist_service(worklist, MockAppointmentRepository::new());
    let entry = service
        .send(
            &technician(),
            &WorklistTarget {
                patient_id: Some(uuid(0x9a).to_string()),
                ..WorklistTarget::default()
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(entry.accession_number, "ACC0000000042");
    assert_eq!(entry.start_date, NOW.date());
    assert_eq!(entry.scheduled_step_id, "SPS0000000042");
}
