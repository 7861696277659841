//! Bulk loading of patients and appointments: rows as given, found by search, paged like booked
//! ones, and the MRN and accession counters moved past them; and search terms kept with every
//! patient write.

use domain::clinic::search::terms;
use domain::clinic::{
    Appointment, AppointmentFilter, AppointmentId, AppointmentRepository, AppointmentStatus,
    AuditAction, Booked, BookingInput, HistoryEntry, NewAppointment, NewPatient, Patient,
    PatientDetails, PatientId, PatientInput, PatientQuery, PatientRepository, Slot, StaffId, Who,
};
use domain::kernel::ids::UuidV7;
use domain::kernel::paging::PageRequest;
use store_diesel::testing::insert_staff;

use crate::support::*;

/// More than one statement's worth of each.
const PATIENTS: usize = 2_500;
const APPOINTMENTS: usize = 2_500;

fn audit(action: AuditAction) -> domain::clinic::AuditEntry {
    Who {
        actor: actor("staff-1"),
        roles: vec![],
        request_id: None,
    }
    .audit(&UuidV7, T0, action, None, None)
}

fn search(store: &Store, q: &str) -> u64 {
    let query = PatientQuery {
        terms: terms(q),
        ..PatientQuery::default()
    };
    PatientRepository::list(store, &query, PageRequest::default())
        .unwrap()
        .total
}

fn loaded_patient(i: usize) -> Patient {
    let at = at(i as i64);
    Patient {
        id: PatientId::from_uuid(Uuid::now_v7()),
        mrn: Patient::mrn_for(1_000 + i as i64),
        details: PatientDetails {
            name: if i.is_multiple_of(2) {
                "Zoë Núñez"
            } else {
                "Omar Haddad"
            }
            .into(),
            name_ar: (i % 2 == 1).then(|| "عمر حداد".to_owned()),
            birth_date: None,
            sex: None,
            phone: Some(format!("+962 79 {i:07}")),
            national_id: None,
            address: None,
        },
        created_at: at,
        created_by: actor("load"),
        updated_at: at,
        updated_by: actor("load"),
        // One in ten was deleted: kept, but never found.
        deleted_at: (i % 10 == 9).then_some(at),
    }
}

on_each_backend!(loaded_patients_and_appointments_read_like_real_ones, |db| {
    let store = &db.store;
    let patients: Vec<Patient> = (0..PATIENTS).map(loaded_patient).collect();
    assert_eq!(store.insert_patients_bulk(&patients).unwrap(), PATIENTS);
    assert_eq!(
        store.clinic_counter("mrn").unwrap(),
        1_000 + PATIENTS as i64 - 1
    );
    // 1,250 of each name, less the deleted (every tenth, all of them odd: Omar Haddad).
    assert_eq!(search(store, "zoe nun"), 1_250);
    assert_eq!(search(store, "حداد"), 1_000);
    assert_eq!(search(store, "79 0000042"), 1);
    assert_eq!(search(store, "79 0000049"), 0, "deleted");

    let doctor = StaffId::from_uuid(insert_staff(store, "haddad", &["doctor"]).parse().unwrap());
    let rows: Vec<(Appointment, Vec<HistoryEntry>)> = (0..APPOINTMENTS)
        .map(|i| {
            let status = if i.is_multiple_of(2) {
                AppointmentStatus::Scheduled
            } else {
                AppointmentStatus::Cancelled
            };
            let mut history = vec![HistoryEntry {
                seq: 1,
                from: None,
                to: AppointmentStatus::Scheduled,
                by: "load".into(),
                at: at(0),
            }];
            if status != AppointmentStatus::Scheduled {
                history.push(HistoryEntry {
                    seq: 2,
                    from: Some(AppointmentStatus::Scheduled),
                    to: status,
                    by: "load".into(),
                    at: at(1),
                });
            }
            let appointment = Appointment {
                id: AppointmentId::from_uuid(Uuid::now_v7()),
                patient_id: patients[i % 9].id,
                doctor_id: doctor,
                slot: Slot {
                    date: time::macros::date!(2026 - 12 - 01) + time::Duration::days(i as i64 % 5),
                    time: time::Time::from_hms((8 + i % 10) as u8, 0, 0).unwrap(),
                    duration_minutes: 30,
                },
                department: Some("Radiology".into()),
                notes: None,
                status,
                accession_number: Appointment::accession_for(500 + i as i64),
                version: history.len() as i64,
                created_at: at(0),
                created_by: actor("load"),
                updated_at: at(1),
                updated_by: actor("load"),
            };
            (appointment, history)
        })
        .collect();
    assert_eq!(store.insert_appointments_bulk(&rows).unwrap(), APPOINTMENTS);
    let page = AppointmentRepository::list(
        store,
        &AppointmentFilter {
            patient_id: Some(patients[0].id),
            status: Some(AppointmentStatus::Cancelled),
            ..AppointmentFilter::default()
        },
        PageRequest::default(),
    )
    .unwrap();
    // Patient 0 has every ninth appointment; half of those (the odd ones) are cancelled.
    assert_eq!(
        page.total,
        (0..APPOINTMENTS)
            .filter(|i| i.is_multiple_of(9) && i % 2 == 1)
            .count() as u64
    );
    assert_eq!(page.items[0].history.len(), 2);
    assert_eq!(page.items[0].patient.mrn, "MRN00001000");

    // What is created next takes the numbers after the loaded ones.
    let new = NewPatient {
        id: PatientId::from_uuid(Uuid::now_v7()),
        details: PatientInput {
            name: "After Load".into(),
            ..PatientInput::default()
        }
        .validate(T0.date())
        .unwrap(),
        at: T0,
        by: actor("staff-1"),
    };
    let created =
        PatientRepository::create(store, &new, &audit(AuditAction::PatientCreate)).unwrap();
    assert_eq!(created.mrn, Patient::mrn_for(1_000 + PATIENTS as i64));
    let booking = BookingInput {
        patient_id: created.id.to_string(),
        doctor: doctor.to_string(),
        date: "2027-01-04".into(),
        time: "09:00".into(),
        ..BookingInput::default()
    }
    .validate("")
    .unwrap();
    let item = NewAppointment {
        id: AppointmentId::from_uuid(Uuid::now_v7()),
        booking,
        at: T0,
        by: actor("staff-1"),
    };
    let Booked::All(booked) =
        AppointmentRepository::create(store, &[item], &[audit(AuditAction::AppointmentCreate)])
            .unwrap()
    else {
        panic!("refused");
    };
    assert_eq!(
        booked[0].accession_number,
        Appointment::accession_for(500 + APPOINTMENTS as i64)
    );
});

on_each_backend!(search_terms_follow_every_patient_write, |db| {
    let store = &db.store;
    let new = NewPatient {
        id: PatientId::from_uuid(Uuid::now_v7()),
        details: PatientInput {
            name: "Seán O'Brien".into(),
            phone: Some("+962 79 555 0101".into()),
            ..PatientInput::default()
        }
        .validate(T0.date())
        .unwrap(),
        at: T0,
        by: actor("staff-1"),
    };
    let mut patient =
        PatientRepository::create(store, &new, &audit(AuditAction::PatientCreate)).unwrap();
    assert_eq!(search(store, "brien se"), 1);
    assert_eq!(search(store, "555 0101"), 1);
    // A word's start, not any part of it.
    assert_eq!(search(store, "rien"), 0);

    patient.details.name = "Sean Murphy".into();
    patient.details.phone = None;
    assert!(
        PatientRepository::update(store, &patient, &audit(AuditAction::PatientUpdate)).unwrap()
    );
    assert_eq!(search(store, "brien"), 0);
    assert_eq!(search(store, "555 0101"), 0);
    assert_eq!(search(store, "murph"), 1);
    assert_eq!(search(store, "mrn00000001"), 1);

    let id = patient.id;
    let deleted = audit(AuditAction::PatientDelete);
    assert!(PatientRepository::soft_delete(store, id, at(1), &actor("staff-1"), &deleted).unwrap());
    assert_eq!(search(store, "murph"), 0);
    let hard = audit(AuditAction::PatientHardDelete);
    assert_eq!(
        PatientRepository::hard_delete(store, id, &hard).unwrap(),
        domain::clinic::HardDelete::Deleted
    );
    let other = NewPatient {
        id: PatientId::from_uuid(Uuid::now_v7()),
        ..new
    };
    PatientRepository::create(store, &other, &audit(AuditAction::PatientCreate)).unwrap();
    assert_eq!(
        search(store, "brien"),
        1,
        "the hard delete left no stale term behind"
    );
});
