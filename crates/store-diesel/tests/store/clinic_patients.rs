//! Clinic patients and appointments in storage: medical record numbers under concurrency, search
//! folding, soft and hard deletes, the doctor's time (also under concurrent bookings), status
//! history, and audit entries written and rolled back with their write.

use domain::clinic::search::terms;
use domain::clinic::{
    AppointmentFilter, AppointmentId, AppointmentRepository, AppointmentStatus, AuditAction,
    AuditEntry, AuditFilter, AuditRepository, Booked, BookingInput, BookingRefusal, ClinicEvent,
    ClinicEventKind, Edited, HardDelete, NewAppointment, NewPatient, PatientId, PatientInput,
    PatientQuery, PatientRepository, StatusChange, Who,
};
use domain::kernel::ids::UuidV7;
use domain::kernel::paging::PageRequest;
use store_diesel::testing::{insert_clinic_report, insert_staff, set_staff_active};

use super::support::*;

fn who() -> Who {
    Who {
        actor: actor("staff-1"),
        roles: vec![],
        request_id: Some("req-1".into()),
    }
}

fn entry(action: AuditAction, patient: Option<PatientId>) -> AuditEntry {
    who().audit(&UuidV7, T0, action, patient, None)
}

fn new_patient(name: &str) -> NewPatient {
    NewPatient {
        id: PatientId::from_uuid(Uuid::now_v7()),
        details: PatientInput {
            name: name.into(),
            ..PatientInput::default()
        }
        .validate(T0.date())
        .unwrap(),
        at: T0,
        by: actor("staff-1"),
    }
}

fn create_patient(store: &Store, name: &str) -> PatientId {
    let new = new_patient(name);
    PatientRepository::create(
        store,
        &new,
        &entry(AuditAction::PatientCreate, Some(new.id)),
    )
    .unwrap()
    .id
}

fn booking(patient: PatientId, doctor: &str, time: &str, minutes: i64) -> NewAppointment {
    let booking = BookingInput {
        patient_id: patient.to_string(),
        doctor: doctor.into(),
        date: "2026-12-01".into(),
        time: time.into(),
        duration_minutes: Some(minutes),
        ..BookingInput::default()
    }
    .validate("")
    .unwrap();
    NewAppointment {
        id: AppointmentId::from_uuid(Uuid::now_v7()),
        booking,
        at: T0,
        by: actor("staff-1"),
    }
}

fn book(store: &Store, items: &[NewAppointment]) -> Booked {
    let audits: Vec<AuditEntry> = items
        .iter()
        .map(|i| entry(AuditAction::AppointmentCreate, Some(i.booking.patient_id)))
        .collect();
    AppointmentRepository::create(store, items, &audits).unwrap()
}

fn audit_count(store: &Store, action: AuditAction) -> u64 {
    let filter = AuditFilter {
        action: Some(action),
        ..AuditFilter::default()
    };
    AuditRepository::list(store, &filter, PageRequest::default())
        .unwrap()
        .total
}

fn search(store: &Store, q: &str) -> Vec<String> {
    let query = PatientQuery {
        terms: terms(q),
        ..PatientQuery::default()
    };
    let page = PatientRepository::list(store, &query, PageRequest::default()).unwrap();
    page.items.into_iter().map(|p| p.details.name).collect()
}

on_each_backend!(
    mrns_are_unique_and_sequential_under_concurrent_creates,
    |db| {
        let store = &db.store;
        let mrns: Vec<String> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|t| {
                    s.spawn(move || {
                        (0..5)
                            .map(|i| {
                                let new = new_patient(&format!("P{t}-{i}"));
                                let audit = entry(AuditAction::PatientCreate, Some(new.id));
                                PatientRepository::create(store, &new, &audit).unwrap().mrn
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        });
        let mut sorted = mrns.clone();
        sorted.sort();
        let want: Vec<String> = (1..=20).map(|n| format!("MRN{n:08}")).collect();
        assert_eq!(sorted, want);
        assert_eq!(audit_count(store, AuditAction::PatientCreate), 20);
    }
);

on_each_backend!(search_folds_accents_and_arabic, |db| {
    let store = &db.store;
    let mut jose = new_patient("José Núñez");
    jose.details.phone = Some("+962 79-123 4567".into());
    jose.details.national_id = Some("AB-99".into());
    PatientRepository::create(store, &jose, &entry(AuditAction::PatientCreate, None)).unwrap();
    let mut ahmad = new_patient("Ahmad Saleh");
    ahmad.details.name_ar = Some("أحمد صالح".into());
    PatientRepository::create(store, &ahmad, &entry(AuditAction::PatientCreate, None)).unwrap();
    create_patient(store, "Lina Haddad");

    assert_eq!(search(store, "jose"), ["José Núñez"]);
    assert_eq!(search(store, "NUNEZ jos"), ["José Núñez"]);
    assert_eq!(search(store, "احمد"), ["Ahmad Saleh"]);
    assert_eq!(search(store, "0791234567"), Vec::<String>::new());
    assert_eq!(search(store, "79 123-4567"), ["José Núñez"]);
    assert_eq!(search(store, "ab-99"), ["José Núñez"]);
    assert_eq!(search(store, "mrn00000002"), ["Ahmad Saleh"]);
    // `%` and `_` are literal.
    assert!(search(store, "%").is_empty());
    assert!(search(store, "_").is_empty());
    // Newest first by default.
    assert_eq!(
        search(store, ""),
        ["Lina Haddad", "Ahmad Saleh", "José Núñez"]
    );
});

on_each_backend!(soft_deleted_patients_leave_lists_and_keep_their_row, |db| {
    let store = &db.store;
    let id = create_patient(store, "Gone");
    create_patient(store, "Stays");
    let audit = entry(AuditAction::PatientDelete, Some(id));
    assert!(PatientRepository::soft_delete(store, id, at(1), &actor("staff-2"), &audit).unwrap());
    assert!(!PatientRepository::soft_delete(store, id, at(2), &actor("staff-2"), &audit).unwrap());
    assert_eq!(search(store, ""), ["Stays"]);
    assert!(search(store, "gone").is_empty());
    let found = PatientRepository::find(store, id).unwrap().unwrap();
    assert_eq!(found.deleted_at, Some(at(1)));
    assert_eq!(found.updated_by, actor("staff-2"));
    let update = entry(AuditAction::PatientUpdate, Some(id));
    assert!(!PatientRepository::update(store, &found, &update).unwrap());
    assert_eq!(audit_count(store, AuditAction::PatientDelete), 1);
    assert_eq!(audit_count(store, AuditAction::PatientUpdate), 0);
});

on_each_backend!(
    hard_delete_is_refused_while_anything_refers_to_the_patient,
    |db| {
        let store = &db.store;
        let doctor = insert_staff(store, "haddad", &["doctor"]);
        let booked = create_patient(store, "Booked");
        let reported = create_patient(store, "Reported");
        let free = create_patient(store, "Free");
        assert!(matches!(
            book(store, &[booking(booked, &doctor, "09:00", 30)]),
            Booked::All(_)
        ));
        insert_clinic_report(store, &reported.to_string(), &doctor);
        let hard = |id| {
            PatientRepository::hard_delete(
                store,
                id,
                &entry(AuditAction::PatientHardDelete, Some(id)),
            )
            .unwrap()
        };
        assert_eq!(
            hard(booked),
            HardDelete::Referenced {
                appointments: 1,
                reports: 0,
                studies: 0,
                documents: 0
            }
        );
        assert_eq!(
            hard(reported),
            HardDelete::Referenced {
                appointments: 0,
                reports: 1,
                studies: 0,
                documents: 0
            }
        );
        assert_eq!(audit_count(store, AuditAction::PatientHardDelete), 0);
        assert_eq!(hard(free), HardDelete::Deleted);
        assert_eq!(hard(free), HardDelete::Missing);
        assert!(PatientRepository::find(store, free).unwrap().is_none());
        assert_eq!(audit_count(store, AuditAction::PatientHardDelete), 1);
    }
);

on_each_backend!(a_doctor_cannot_be_double_booked, |db| {
    let store = &db.store;
    let doctor = insert_staff(store, "haddad", &["doctor"]);
    let other = insert_staff(store, "saleh", &["admin", "doctor"]);
    let nurse = insert_staff(store, "reception", &["receptionist"]);
    let p = create_patient(store, "Patient");
    let Booked::All(first) = book(store, &[booking(p, &doctor, "09:00", 30)]) else {
        panic!("the first booking is refused");
    };
    assert_eq!(first[0].accession_number, "ACC0000000001");
    assert_eq!(first[0].status, AppointmentStatus::Scheduled);
    match book(store, &[booking(p, &doctor, "09:15", 30)]) {
        Booked::Refused(r) => assert_eq!(
            r,
            [(
                0,
                BookingRefusal::Overlap {
                    other: first[0].id,
                    time: time::macros::time!(09:00)
                }
            )]
        ),
        Booked::All(_) => panic!("double-booked"),
    }
    // Back to back, another doctor, and a refused batch that writes nothing.
    assert!(matches!(
        book(store, &[booking(p, &doctor, "09:30", 30)]),
        Booked::All(_)
    ));
    assert!(matches!(
        book(store, &[booking(p, &other, "09:00", 60)]),
        Booked::All(_)
    ));
    let gone = PatientId::from_uuid(Uuid::now_v7());
    let batch = [
        booking(p, &doctor, "11:00", 30),
        booking(p, &doctor, "11:20", 30),
        booking(gone, &doctor, "12:00", 30),
        booking(p, &nurse, "12:00", 30),
    ];
    match book(store, &batch) {
        Booked::Refused(r) => {
            let indexes: Vec<usize> = r.iter().map(|(i, _)| *i).collect();
            assert_eq!(indexes, [1, 2, 3]);
            assert!(matches!(r[1].1, BookingRefusal::PatientMissing));
            assert!(matches!(r[2].1, BookingRefusal::DoctorInvalid));
        }
        Booked::All(_) => panic!("a bad batch was booked"),
    }
    let all =
        AppointmentRepository::list(store, &AppointmentFilter::default(), PageRequest::default())
            .unwrap();
    assert_eq!(all.total, 3, "the refused batch wrote nothing");
    assert_eq!(audit_count(store, AuditAction::AppointmentCreate), 3);
    // The counter rolled back with the batch.
    let Booked::All(next) = book(store, &[booking(p, &doctor, "11:00", 30)]) else {
        panic!("refused");
    };
    assert_eq!(next[0].accession_number, "ACC0000000004");
    // An inactive doctor takes no bookings.
    set_staff_active(store, &other, false);
    assert!(matches!(
        book(store, &[booking(p, &other, "15:00", 30)]),
        Booked::Refused(r) if r[0].1 == BookingRefusal::DoctorInvalid
    ));
});

on_each_backend!(concurrent_bookings_of_one_slot_book_one, |db| {
    let store = &db.store;
    let doctor = insert_staff(store, "haddad", &["doctor"]);
    let p = create_patient(store, "Patient");
    let outcomes: Vec<bool> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|i| {
                let doctor = doctor.clone();
                s.spawn(move || {
                    let time = format!("10:{:02}", i * 5);
                    matches!(
                        book(store, &[booking(p, &doctor, &time, 30)]),
                        Booked::All(_)
                    )
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(outcomes.iter().filter(|b| **b).count(), 1, "{outcomes:?}");
});

fn change(
    store: &Store,
    id: AppointmentId,
    version: i64,
    from: AppointmentStatus,
    to: AppointmentStatus,
) -> bool {
    let change = StatusChange {
        id,
        version,
        from,
        to,
        by: "staff-1".into(),
        at: at(5),
    };
    let event = ClinicEvent {
        kind: ClinicEventKind::AppointmentStatusChanged,
        id: id.to_string(),
        patient_id: None,
        at: at(5),
        data: serde_json::json!({"from": from.label(), "to": to.label()}),
    };
    AppointmentRepository::change_status(
        store,
        &change,
        &entry(AuditAction::AppointmentStatus, None),
        &event,
    )
    .unwrap()
}

on_each_backend!(status_changes_append_history_on_the_version_read, |db| {
    use AppointmentStatus::*;
    let store = &db.store;
    let doctor = insert_staff(store, "haddad", &["doctor"]);
    let p = create_patient(store, "Patient");
    let Booked::All(booked) = book(store, &[booking(p, &doctor, "09:00", 30)]) else {
        panic!("refused");
    };
    let id = booked[0].id;
    assert!(change(store, id, 1, Scheduled, Waiting));
    assert!(!change(store, id, 1, Scheduled, Cancelled), "stale version");
    assert!(change(store, id, 2, Waiting, InRoom));
    let record = AppointmentRepository::find(store, id).unwrap().unwrap();
    assert_eq!(record.appointment.status, InRoom);
    assert_eq!(record.appointment.version, 3);
    assert_eq!(record.patient.mrn, "MRN00000001");
    assert_eq!(record.doctor_name.as_deref(), Some("Dr. haddad"));
    let steps: Vec<_> = record
        .history
        .iter()
        .map(|h| (h.seq, h.from, h.to, h.by.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            (1, None, Scheduled, "staff-1"),
            (2, Some(Scheduled), Waiting, "staff-1"),
            (3, Some(Waiting), InRoom, "staff-1")
        ]
    );
    assert_eq!(audit_count(store, AuditAction::AppointmentStatus), 2);
    // A cancelled appointment frees the doctor's time.
    let Booked::All(b) = book(store, &[booking(p, &doctor, "10:00", 30)]) else {
        panic!("refused");
    };
    assert!(change(store, b[0].id, 1, Scheduled, Cancelled));
    assert!(matches!(
        book(store, &[booking(p, &doctor, "10:00", 30)]),
        Booked::All(_)
    ));
});

on_each_backend!(edits_recheck_the_doctor_and_the_version, |db| {
    let store = &db.store;
    let doctor = insert_staff(store, "haddad", &["doctor"]);
    let p = create_patient(store, "Patient");
    let Booked::All(b) = book(
        store,
        &[
            booking(p, &doctor, "09:00", 30),
            booking(p, &doctor, "10:00", 30),
        ],
    ) else {
        panic!("refused");
    };
    let edit = |version, time: &str| {
        let mut moved = booking(p, &doctor, time, 30).booking;
        moved.notes = Some("moved".into());
        let edit = domain::clinic::AppointmentEdit {
            id: b[1].id,
            version,
            booking: moved,
            at: at(3),
            by: actor("staff-2"),
        };
        AppointmentRepository::edit(store, &edit, &entry(AuditAction::AppointmentUpdate, None))
            .unwrap()
    };
    assert!(matches!(
        edit(1, "09:10"),
        Edited::Refused(BookingRefusal::Overlap { .. })
    ));
    // Moving within its own time is no clash with itself.
    assert_eq!(edit(1, "10:10"), Edited::Saved);
    assert_eq!(edit(1, "10:20"), Edited::Stale);
    let record = AppointmentRepository::find(store, b[1].id)
        .unwrap()
        .unwrap();
    assert_eq!(record.appointment.version, 2);
    assert_eq!(record.appointment.notes.as_deref(), Some("moved"));
    assert_eq!(audit_count(store, AuditAction::AppointmentUpdate), 1);
});

on_each_backend!(appointment_lists_filter_and_order_by_day_and_time, |db| {
    let store = &db.store;
    let doctor = insert_staff(store, "haddad", &["doctor"]);
    let other = insert_staff(store, "saleh", &["doctor"]);
    let p = create_patient(store, "P");
    let q = create_patient(store, "Q");
    let Booked::All(b) = book(
        store,
        &[
            booking(p, &doctor, "11:00", 30),
            booking(q, &doctor, "09:00", 30),
            booking(p, &other, "10:00", 30),
        ],
    ) else {
        panic!("refused");
    };
    let list = |filter: AppointmentFilter| {
        AppointmentRepository::list(store, &filter, PageRequest::default())
            .unwrap()
            .items
            .into_iter()
            .map(|r| r.appointment.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        list(AppointmentFilter::default()),
        [b[1].id, b[2].id, b[0].id]
    );
    assert_eq!(
        list(AppointmentFilter {
            descending: true,
            ..AppointmentFilter::default()
        }),
        [b[0].id, b[2].id, b[1].id]
    );
    assert_eq!(
        list(AppointmentFilter {
            patient_id: Some(p),
            ..AppointmentFilter::default()
        }),
        [b[2].id, b[0].id]
    );
    assert_eq!(
        list(AppointmentFilter {
            doctor_id: Some(b[0].doctor_id),
            status: Some(AppointmentStatus::Scheduled),
            date: Some(time::macros::date!(2026 - 12 - 01)),
            ..AppointmentFilter::default()
        }),
        [b[1].id, b[0].id]
    );
    assert!(
        list(AppointmentFilter {
            status: Some(AppointmentStatus::Waiting),
            ..AppointmentFilter::default()
        })
        .is_empty()
    );
    let page = AppointmentRepository::list(
        store,
        &AppointmentFilter::default(),
        PageRequest::from_client(Some(2), Some(2), "limit").unwrap(),
    )
    .unwrap();
    assert_eq!((page.total, page.items.len()), (3, 1));
    assert_eq!(page.items[0].history.len(), 1);
});

/// Keeps the events it is handed.
#[derive(Debug, Default)]
struct Heard(std::sync::Mutex<Vec<ClinicEvent>>);

impl domain::clinic::ClinicEventSink for Heard {
    fn deliver(&self, event: &ClinicEvent) {
        self.0.lock().unwrap().push(event.clone());
    }
}

on_each_backend!(
    a_status_change_is_heard_by_every_instance_once_committed,
    |db| {
        use AppointmentStatus::*;
        use std::time::{Duration, Instant};
        let store = &db.store;
        let other = Store::connect(&db.url, 2).unwrap();
        let heard = std::sync::Arc::new(Heard::default());
        other.deliver_clinic_events(heard.clone());
        let _listening = other.listen();
        let probe = domain::kernel::ids::TokenId::from_uuid(Uuid::now_v7());
        let started = Instant::now();
        while domain::identity::RevocationRepository::is_revoked_in_memory(&other, probe).is_none()
        {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "never listened"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        let doctor = insert_staff(store, "haddad", &["doctor"]);
        let p = create_patient(store, "Patient");
        let Booked::All(b) = book(store, &[booking(p, &doctor, "09:00", 30)]) else {
            panic!("refused");
        };
        let id = b[0].id;
        assert!(
            !change(store, id, 7, Scheduled, Waiting),
            "a stale change writes nothing"
        );
        assert!(change(store, id, 1, Scheduled, Waiting));
        let started = Instant::now();
        while heard.0.lock().unwrap().is_empty() && started.elapsed() < Duration::from_secs(2) {
            std::thread::sleep(Duration::from_millis(10));
        }
        std::thread::sleep(Duration::from_millis(200));
        let events = heard.0.lock().unwrap().clone();
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0].kind, ClinicEventKind::AppointmentStatusChanged);
        assert_eq!(events[0].id, id.to_string());
        assert_eq!(events[0].data["to"], "Waiting");
    }
);
