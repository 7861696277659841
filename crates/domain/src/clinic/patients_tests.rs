//! The patient and appointment services against mocks: what they write, with which audit entry,
//! and what they refuse.

use std::sync::{Arc, Mutex};

use time::macros::time;

use super::*;
use crate::Error;
use crate::clinic::audit::MockAuditRepository;
use crate::identity::Role;
use crate::kernel::ids::ActorId;
use crate::kernel::paging::{Page, PageRequest};
use crate::kernel::text::Key;
use crate::testing::{FixedClock, NOW, SequentialIds, uuid};

fn who(roles: &[Role]) -> Who {
    Who {
        actor: ActorId::from_stored("staff-1".into()),
        roles: roles.to_vec(),
        request_id: Some("req-1".into()),
    }
}

fn patient_service(patients: MockPatientRepository, audit: MockAuditRepository) -> PatientService {
    PatientService::new(
        Arc::new(patients),
        Arc::new(audit),
        Arc::new(FixedClock(NOW)),
        Arc::new(SequentialIds::default()),
    )
}

fn stored_patient(id: PatientId) -> Patient {
    Patient {
        id,
        mrn: "MRN00000001".into(),
        details: PatientInput {
            name: "Lina".into(),
            ..PatientInput::default()
        }
        .validate(NOW.date())
        .unwrap(),
        created_at: NOW,
        created_by: ActorId::from_stored("staff-1".into()),
        updated_at: NOW,
        updated_by: ActorId::from_stored("staff-1".into()),
        deleted_at: None,
    }
}

/// An audit repository that keeps what reads record.
fn recording_audit() -> (MockAuditRepository, Arc<Mutex<Vec<AuditEntry>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut audit = MockAuditRepository::new();
    let keep = seen.clone();
    audit.expect_record().returning(move |e| {
        keep.lock().unwrap().push(e.clone());
        Ok(())
    });
    (audit, seen)
}

#[test]
fn creating_a_patient_writes_it_with_its_audit_entry() {
    let mut patients = MockPatientRepository::new();
    patients
        .expect_create()
        .withf(|p, audit| {
            audit.action == AuditAction::PatientCreate
                && audit.patient == Some(p.id)
                && audit.request_id.as_deref() == Some("req-1")
                && p.details.name == "Lina"
        })
        .returning(|p, _| {
            let mut stored = stored_patient(p.id);
            stored.details = p.details.clone();
            Ok(stored)
        });
    let service = patient_service(patients, MockAuditRepository::new());
    let input = PatientInput {
        name: " Lina ".into(),
        ..PatientInput::default()
    };
    let created = service.create(&who(&[Role::Receptionist]), &input).unwrap();
    assert_eq!(created.mrn, "MRN00000001");
    let bad = PatientInput::default();
    assert!(matches!(
        service.create(&who(&[Role::Receptionist]), &bad),
        Err(Error::Validation(_))
    ));
}

#[test]
fn reads_record_their_entry_and_deleted_patients_are_missing() {
    let live = PatientId::from_uuid(uuid(1));
    let gone = PatientId::from_uuid(uuid(2));
    let mut patients = MockPatientRepository::new();
    patients.expect_find().returning(move |id| {
        let mut p = stored_patient(id);
        if id == gone {
            p.deleted_at = Some(NOW);
        }
        Ok(Some(p))
    });
    patients.expect_list().returning(|q, page| {
        assert!(!q.terms.is_empty());
        Ok(Page {
            items: vec![],
            total: 0,
            request: page,
        })
    });
    let (audit, seen) = recording_audit();
    let service = patient_service(patients, audit);
    let w = who(&[Role::Doctor]);
    assert!(service.read(&w, live).is_ok());
    assert!(matches!(service.read(&w, gone), Err(Error::NotFound(_))));
    let page = PageRequest::default();
    assert!(
        service
            .search(&w, "José", PatientQuery::default(), page)
            .is_ok()
    );
    assert!(matches!(
        service.search(&w, "   ", PatientQuery::default(), page),
        Err(Error::Validation(f)) if f[0].field == "q"
    ));
    let seen = seen.lock().unwrap();
    let actions: Vec<_> = seen.iter().map(|e| (e.action, e.patient)).collect();
    assert_eq!(
        actions,
        [
            (AuditAction::PatientRead, Some(live)),
            (AuditAction::PatientSearch, None)
        ]
    );
}

#[test]
fn hard_delete_needs_admin_and_names_what_refers_to_the_patient() {
    let id = PatientId::from_uuid(uuid(1));
    let mut patients = MockPatientRepository::new();
    patients
        .expect_hard_delete()
        .withf(|_, audit| audit.action == AuditAction::PatientHardDelete)
        .returning(|_, _| {
            Ok(HardDelete::Referenced {
                appointments: 2,
                reports: 0,
                studies: 0,
                documents: 0,
            })
        });
    let service = patient_service(patients, MockAuditRepository::new());
    assert!(matches!(
        service.hard_delete(&who(&[Role::Doctor]), id),
        Err(Error::Forbidden(_))
    ));
    match service.hard_delete(&who(&[Role::Admin, Role::Doctor]), id) {
        Err(Error::Conflict(text)) => assert_eq!(
            text.to_string(),
            "clinic-patient-referenced(appointments=2, reports=0, studies=0, documents=0)"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_update_of_a_deleted_patient_is_404() {
    let mut patients = MockPatientRepository::new();
    patients
        .expect_find()
        .returning(|id| Ok(Some(stored_patient(id))));
    patients
        .expect_update()
        .withf(|p, audit| p.details.name == "New" && audit.action == AuditAction::PatientUpdate)
        .returning(|_, _| Ok(false));
    let service = patient_service(patients, MockAuditRepository::new());
    let patch = PatientPatch {
        name: Some("New".into()),
        ..PatientPatch::default()
    };
    let id = PatientId::from_uuid(uuid(1));
    assert!(matches!(
        service.update(&who(&[Role::Doctor]), id, &patch),
        Err(Error::NotFound(_))
    ));
}

// ---------------------------------------------------------------------------------------------
// Appointments

const P: u128 = 11;
const D: u128 = 12;

fn appointment_service(
    appointments: MockAppointmentRepository,
    audit: MockAuditRepository,
) -> AppointmentService {
    AppointmentService::new(
        Arc::new(appointments),
        Arc::new(audit),
        Arc::new(FixedClock(NOW)),
        Arc::new(SequentialIds::default()),
    )
}

fn booking_input() -> BookingInput {
    BookingInput {
        patient_id: uuid(P).to_string(),
        doctor: uuid(D).to_string(),
        date: "2026-12-01".into(),
        time: "09:00".into(),
        ..BookingInput::default()
    }
}

fn record(id: AppointmentId, status: AppointmentStatus) -> AppointmentRecord {
    let booking = booking_input().validate("").unwrap();
    AppointmentRecord {
        appointment: Appointment {
            id,
            patient_id: booking.patient_id,
            doctor_id: booking.doctor_id,
            slot: booking.slot,
            department: None,
            notes: None,
            status,
            accession_number: Appointment::accession_for(1),
            version: 3,
            created_at: NOW,
            created_by: ActorId::from_stored("staff-1".into()),
            updated_at: NOW,
            updated_by: ActorId::from_stored("staff-1".into()),
        },
        patient: PatientSummary {
            id: booking.patient_id,
            mrn: "MRN00000001".into(),
            name: "Lina".into(),
            name_ar: None,
        },
        doctor_name: Some("Dr. Haddad".into()),
        history: vec![],
    }
}

#[test]
fn a_status_change_is_conditional_on_the_version_and_publishes_its_event() {
    let id = AppointmentId::from_uuid(uuid(99));
    let mut appointments = MockAppointmentRepository::new();
    appointments
        .expect_find()
        .returning(|id| Ok(Some(record(id, AppointmentStatus::Waiting))));
    appointments
        .expect_change_status()
        .withf(move |change, audit, event| {
            change.version == 3
                && change.from == AppointmentStatus::Waiting
                && change.to == AppointmentStatus::InRoom
                && change.by == "staff-1"
                && audit.action == AuditAction::AppointmentStatus
                && audit.object_id.as_deref() == Some(id.to_string().as_str())
                && event.kind == ClinicEventKind::AppointmentStatusChanged
                && event.id == id.to_string()
                && event.data
                    == serde_json::json!({"from": "waiting", "to": "in_room", "by": "staff-1"})
        })
        .times(1)
        .returning(|_, _, _| Ok(true));
    let service = appointment_service(appointments, MockAuditRepository::new());
    let w = who(&[Role::Doctor]);
    assert!(service.change_status(&w, id, "In-Room").is_ok());
    // A skip names the current status; nothing is written.
    match service.change_status(&w, id, "review") {
        Err(Error::Conflict(text)) => {
            assert_eq!(text.key(), Key::ClinicAppointmentStatusRefused);
            assert!(text.to_string().contains("status=Waiting"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        service.change_status(&w, id, "done"),
        Err(Error::Validation(_))
    ));
}

#[test]
fn a_concurrent_change_is_409_and_images_record_dicom() {
    let id = AppointmentId::from_uuid(uuid(99));
    let mut appointments = MockAppointmentRepository::new();
    appointments
        .expect_find()
        .returning(|id| Ok(Some(record(id, AppointmentStatus::InRoom))));
    let seen: Arc<Mutex<Vec<StatusChange>>> = Arc::default();
    let keep = seen.clone();
    appointments
        .expect_change_status()
        .returning(move |change, _, _| {
            keep.lock().unwrap().push(change.clone());
            Ok(change.by == "dicom")
        });
    let service = appointment_service(appointments, MockAuditRepository::new());
    let w = who(&[Role::Technician]);
    assert!(matches!(
        service.change_status(&w, id, "in_scan"),
        Err(Error::Conflict(t)) if t.key() == Key::ClinicAppointmentChanged
    ));
    assert!(service.advance_by_images(&w, id).unwrap());
    let seen = seen.lock().unwrap();
    assert_eq!(seen[1].to, AppointmentStatus::InScan);
    assert_eq!(seen[1].by, "dicom");
}

#[test]
fn booking_refusals_read_as_422_409_and_per_item_in_a_batch() {
    let mut appointments = MockAppointmentRepository::new();
    appointments.expect_create().returning(|items, audits| {
        assert_eq!(items.len(), audits.len());
        assert!(
            audits
                .iter()
                .all(|a| a.action == AuditAction::AppointmentCreate)
        );
        let last = items.len() - 1;
        Ok(Booked::Refused(vec![(
            last,
            if items.len() == 1 {
                BookingRefusal::DoctorInvalid
            } else {
                BookingRefusal::Overlap {
                    other: items[0].id,
                    time: time!(09:00),
                }
            },
        )]))
    });
    let service = appointment_service(appointments, MockAuditRepository::new());
    let w = who(&[Role::Receptionist]);
    match service.create(&w, &booking_input()) {
        Err(Error::Unprocessable(text)) => {
            assert_eq!(text.to_string(), "clinic-unknown-doctor(field=doctor)");
        }
        other => panic!("{other:?}"),
    }
    match service.schedule(&w, &[booking_input(), booking_input()]) {
        Err(Error::Validation(fields)) => {
            assert_eq!(fields.len(), 1);
            assert_eq!(fields[0].field, "appointments[1].time");
        }
        other => panic!("{other:?}"),
    }
    // A bad field never reaches the store.
    let bad = BookingInput {
        date: "soon".into(),
        ..booking_input()
    };
    match service.schedule(&w, &[booking_input(), bad]) {
        Err(Error::Validation(fields)) => assert_eq!(fields[0].field, "appointments[1].date"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        service.schedule(&w, &[]),
        Err(Error::Validation(_))
    ));
}

#[test]
fn only_scheduled_or_waiting_appointments_are_edited() {
    let mut appointments = MockAppointmentRepository::new();
    appointments
        .expect_find()
        .returning(|id| Ok(Some(record(id, AppointmentStatus::InScan))));
    let (audit, seen) = recording_audit();
    let service = appointment_service(appointments, audit);
    let w = who(&[Role::Receptionist]);
    let id = AppointmentId::from_uuid(uuid(5));
    let patch = AppointmentPatch {
        time: Some("10:00".into()),
        ..AppointmentPatch::default()
    };
    assert!(matches!(
        service.update(&w, id, &patch),
        Err(Error::Conflict(t)) if t.key() == Key::ClinicAppointmentNotEditable
    ));
    assert!(matches!(service.cancel(&w, id), Err(Error::Conflict(_))));
    let read = service.read(&w, id).unwrap();
    assert_eq!(seen.lock().unwrap()[0].patient, Some(read.patient.id));
}
