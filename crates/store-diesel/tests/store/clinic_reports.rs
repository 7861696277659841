//! [`ReportRepository`] and [`AuditRepository`]: reports read back whole (measurements included)
//! with their patient and author, writes conditional on the version and the draft status, each
//! with its audit entry in the same transaction, the finalized event published only when the
//! write commits, and the audit log's filters and order.

use domain::clinic::{
    AuditAction, AuditEntry, AuditFilter, AuditId, AuditRepository, ClinicEvent, ClinicEventKind,
    ContentInput, Created, Measurement, ObjectKind, PatientId, Report, ReportContent, ReportFilter,
    ReportId, ReportRepository, ReportSort, ReportStatus, SortOrder, StaffId,
};
use domain::kernel::paging::PageRequest;
use store_diesel::testing::{
    ReportsTestPatient, reports_insert_patient_for_tests, reports_insert_staff_for_tests,
};

use crate::support::*;

fn uuid(n: u128) -> Uuid {
    Uuid::from_u128(0x0193_a1c0_0000_7000_8000_0000_0000_0000 | n)
}

fn doctor() -> StaffId {
    StaffId::from_uuid(uuid(0xd1))
}

fn other_doctor() -> StaffId {
    StaffId::from_uuid(uuid(0xd2))
}

fn patient_id(n: u128) -> PatientId {
    PatientId::from_uuid(uuid(0x900 + n))
}

/// Two doctors and three patients, the third soft-deleted.
fn seed(store: &Store) {
    reports_insert_staff_for_tests(
        store,
        doctor().as_uuid(),
        "Dr. Omar",
        Some("د. عمر"),
        "doctor",
    );
    reports_insert_staff_for_tests(store, other_doctor().as_uuid(), "Dr. Sara", None, "doctor");
    for n in 1..=3 {
        reports_insert_patient_for_tests(
            store,
            &ReportsTestPatient {
                id: patient_id(n).as_uuid(),
                mrn: format!("MRN{n:06}"),
                name: format!("Patient {n}"),
                name_ar: (n == 1).then(|| "ليلى حسن".to_owned()),
                birth_date: (n == 1).then(|| "1985-03-14".to_owned()),
                sex: Some("female".into()),
                deleted: n == 3,
            },
        );
    }
}

fn report(n: u128, patient: PatientId, by: StaffId, at: OffsetDateTime) -> Report {
    Report {
        id: ReportId::from_uuid(uuid(0x400 + n)),
        patient_id: patient,
        doctor_id: by,
        content: ReportContent::parse(ContentInput {
            study_id: Some("1.2.840.10008.1".into()),
            findings: "Liver normal.\n\nكلية سليمة".into(),
            impression: String::new(),
            measurements: vec![
                Measurement {
                    name: "Liver span".into(),
                    value: 14.25,
                    unit: "cm".into(),
                },
                Measurement {
                    name: "Ratio".into(),
                    value: -0.5e-3,
                    unit: String::new(),
                },
            ],
        })
        .unwrap(),
        status: ReportStatus::Draft,
        version: 1,
        finalized_at: None,
        finalized_by: None,
        created_at: at,
        updated_at: at,
    }
}

fn entry(
    n: u128,
    actor: &str,
    action: AuditAction,
    patient: Option<PatientId>,
    at: OffsetDateTime,
) -> AuditEntry {
    AuditEntry {
        id: AuditId::from_uuid(uuid(0xa00 + n)),
        at,
        actor: ActorId::parse(actor).unwrap(),
        action,
        patient,
        object_id: Some(format!("object-{n}")),
        request_id: Some(format!("req-{n}")),
    }
}

fn finalized_event(r: &Report) -> ClinicEvent {
    ClinicEvent {
        kind: ClinicEventKind::ReportFinalized,
        id: r.id.to_string(),
        patient_id: Some(r.patient_id),
        at: at(9),
        data: serde_json::json!({"doctor_id": r.doctor_id.to_string(), "study_id": null}),
    }
}

/// A single number from `sql` (a `COUNT(*) AS n`), through a connection of its own.
fn count_of(db: &TestDb, sql: &str) -> i64 {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let rows: Vec<N> = match db.backend() {
        Backend::Sqlite => diesel::sql_query(sql)
            .load(&mut SqliteConnection::establish(sqlite_path(db)).unwrap())
            .unwrap(),
        Backend::Postgres => diesel::sql_query(sql)
            .load(&mut PgConnection::establish(&db.url).unwrap())
            .unwrap(),
    };
    rows[0].n
}

fn clinic_events(db: &TestDb) -> i64 {
    count_of(
        db,
        "SELECT COUNT(*) AS n FROM store_events WHERE payload LIKE 'clinic %'",
    )
}

fn audit_rows(db: &TestDb, action: &str) -> i64 {
    count_of(
        db,
        &format!("SELECT COUNT(*) AS n FROM audit_log WHERE action = '{action}'"),
    )
}

on_each_backend!(clinic_reports_read_back_whole_with_names, |db| {
    let store = &db.store;
    seed(store);
    let r = report(1, patient_id(1), doctor(), at(1));
    let audit = entry(
        1,
        &doctor().to_string(),
        AuditAction::ReportCreate,
        Some(r.patient_id),
        at(1),
    );
    assert_eq!(store.create(&r, &audit).unwrap(), Created::Done);
    let found = store.find(r.id).unwrap().unwrap();
    assert_eq!(found.report, r, "measurements, study and texts round trip");
    assert_eq!(found.patient.mrn, "MRN000001");
    assert_eq!(found.patient.name_ar.as_deref(), Some("ليلى حسن"));
    assert_eq!(
        found.patient.birth_date,
        Some(time::macros::date!(1985 - 03 - 14))
    );
    assert_eq!(found.doctor.name, "Dr. Omar");
    assert_eq!(found.doctor.name_ar.as_deref(), Some("د. عمر"));
    assert_eq!(
        audit_rows(&db, "report.create"),
        1,
        "the audit entry came with the write"
    );
    assert!(
        store
            .find(ReportId::from_uuid(uuid(0x4ff)))
            .unwrap()
            .is_none()
    );
    assert!(store.patient(patient_id(3)).unwrap().unwrap().deleted);
    assert!(store.patient(patient_id(9)).unwrap().is_none());
});

on_each_backend!(
    clinic_reports_need_a_live_patient_and_a_staff_author,
    |db| {
        let store = &db.store;
        seed(store);
        let a = |n| entry(n, "x", AuditAction::ReportCreate, None, at(1));
        let deleted = report(1, patient_id(3), doctor(), at(1));
        assert_eq!(store.create(&deleted, &a(1)).unwrap(), Created::NoPatient);
        let missing = report(2, patient_id(7), doctor(), at(1));
        assert_eq!(store.create(&missing, &a(2)).unwrap(), Created::NoPatient);
        let stranger = report(3, patient_id(1), StaffId::from_uuid(uuid(0xdd)), at(1));
        assert_eq!(store.create(&stranger, &a(3)).unwrap(), Created::NoAuthor);
        assert_eq!(count_of(&db, "SELECT COUNT(*) AS n FROM clinic_reports"), 0);
        assert_eq!(
            audit_rows(&db, "report.create"),
            0,
            "nothing written, no entry either"
        );
    }
);

on_each_backend!(
    clinic_report_updates_are_conditional_on_version_and_draft,
    |db| {
        let store = &db.store;
        seed(store);
        let r = report(1, patient_id(1), doctor(), at(1));
        store
            .create(&r, &entry(1, "x", AuditAction::ReportCreate, None, at(1)))
            .unwrap();
        let mut changed = r.clone();
        changed.content.impression = "Normal.".into();
        changed.content.measurements.clear();
        changed.patient_id = patient_id(2);
        changed.version = 2;
        changed.updated_at = at(2);
        let update = |n| entry(n, "x", AuditAction::ReportUpdate, None, at(2));
        // Another write got there first: nothing at all is written.
        assert!(!store.update(&changed, 5, &update(2)).unwrap());
        assert_eq!(audit_rows(&db, "report.update"), 0);
        assert_eq!(store.find(r.id).unwrap().unwrap().report, r);
        assert!(store.update(&changed, 1, &update(3)).unwrap());
        assert_eq!(audit_rows(&db, "report.update"), 1);
        let found = store.find(r.id).unwrap().unwrap();
        assert_eq!(found.report, changed);
        assert_eq!(found.patient.id, patient_id(2));
        // The version it was read at is gone.
        assert!(!store.update(&changed, 1, &update(4)).unwrap());
    }
);

on_each_backend!(
    clinic_report_finalize_publishes_only_when_it_commits,
    |db| {
        let store = &db.store;
        seed(store);
        let r = report(1, patient_id(1), doctor(), at(1));
        store
            .create(&r, &entry(1, "x", AuditAction::ReportCreate, None, at(1)))
            .unwrap();
        let finalized = Report {
            status: ReportStatus::Finalized,
            version: 2,
            finalized_at: Some(at(3)),
            finalized_by: Some(other_doctor()),
            updated_at: at(3),
            ..r.clone()
        };
        let before = clinic_events(&db);
        // Stale version: no write, no event.
        let fin = |n| {
            entry(
                n,
                "x",
                AuditAction::ReportFinalize,
                Some(r.patient_id),
                at(3),
            )
        };
        assert!(
            !store
                .finalize(&finalized, 7, &fin(2), &finalized_event(&r))
                .unwrap()
        );
        assert_eq!(clinic_events(&db), before);
        // A write that fails inside its transaction (its audit entry's id is taken) rolls back whole:
        // the report stays a draft and no event is announced.
        let taken = entry(
            1,
            "x",
            AuditAction::ReportFinalize,
            Some(r.patient_id),
            at(3),
        );
        assert!(
            store
                .finalize(&finalized, 1, &taken, &finalized_event(&r))
                .is_err()
        );
        assert_eq!(clinic_events(&db), before);
        assert_eq!(
            store.find(r.id).unwrap().unwrap().report.status,
            ReportStatus::Draft
        );
        // Committed: the report, its entry and one event.
        assert!(
            store
                .finalize(&finalized, 1, &fin(3), &finalized_event(&r))
                .unwrap()
        );
        assert_eq!(clinic_events(&db), before + 1);
        assert_eq!(audit_rows(&db, "report.finalize"), 1);
        assert_eq!(store.find(r.id).unwrap().unwrap().report, finalized);
        // Finalized is read-only: no update, no second finalize, no delete, whatever the version.
        let del = |n| entry(n, "x", AuditAction::ReportDelete, None, at(4));
        assert!(!store.update(&finalized, 2, &fin(4)).unwrap());
        assert!(
            !store
                .finalize(&finalized, 2, &fin(5), &finalized_event(&r))
                .unwrap()
        );
        assert!(!store.delete(r.id, 2, &del(6)).unwrap());
        assert_eq!(clinic_events(&db), before + 1);
        assert_eq!(audit_rows(&db, "report.delete"), 0);
    }
);

on_each_backend!(clinic_report_drafts_are_deleted_with_their_entry, |db| {
    let store = &db.store;
    seed(store);
    let r = report(1, patient_id(1), doctor(), at(1));
    store
        .create(&r, &entry(1, "x", AuditAction::ReportCreate, None, at(1)))
        .unwrap();
    let del = |n| entry(n, "x", AuditAction::ReportDelete, Some(r.patient_id), at(2));
    assert!(!store.delete(r.id, 3, &del(2)).unwrap());
    assert!(store.delete(r.id, 1, &del(3)).unwrap());
    assert!(store.find(r.id).unwrap().is_none());
    assert_eq!(audit_rows(&db, "report.delete"), 1);
});

on_each_backend!(clinic_report_lists_filter_and_order, |db| {
    let store = &db.store;
    seed(store);
    let reports = [
        report(1, patient_id(1), doctor(), at(1)),
        report(2, patient_id(2), doctor(), at(2)),
        report(3, patient_id(1), other_doctor(), at(3)),
        // Same instant as the third: the id breaks the tie.
        report(4, patient_id(2), other_doctor(), at(3)),
    ];
    for (i, r) in reports.iter().enumerate() {
        let a = entry(i as u128 + 1, "x", AuditAction::ReportCreate, None, at(1));
        store.create(r, &a).unwrap();
    }
    let fin = Report {
        status: ReportStatus::Finalized,
        version: 2,
        finalized_at: Some(at(10)),
        finalized_by: Some(doctor()),
        updated_at: at(10),
        ..reports[0].clone()
    };
    let a = entry(9, "x", AuditAction::ReportFinalize, None, at(10));
    assert!(store.finalize(&fin, 1, &a, &finalized_event(&fin)).unwrap());
    let ids = |filter: ReportFilter, page: PageRequest| {
        let page = ReportRepository::list(store, &filter, page).unwrap();
        let ids: Vec<u128> = page
            .items
            .iter()
            .map(|r| r.report.id.as_uuid().as_u128() & 0xfff)
            .collect();
        (ids, page.total)
    };
    let all = PageRequest::default();
    assert_eq!(
        ids(ReportFilter::default(), all),
        (vec![0x404, 0x403, 0x402, 0x401], 4)
    );
    assert_eq!(
        ids(
            ReportFilter {
                order: SortOrder::Asc,
                ..ReportFilter::default()
            },
            all
        ),
        (vec![0x401, 0x402, 0x403, 0x404], 4)
    );
    assert_eq!(
        ids(
            ReportFilter {
                sort: ReportSort::UpdatedAt,
                ..ReportFilter::default()
            },
            all
        )
        .0[0],
        0x401,
        "finalized last"
    );
    assert_eq!(
        ids(
            ReportFilter {
                patient: Some(patient_id(1)),
                ..ReportFilter::default()
            },
            all
        ),
        (vec![0x403, 0x401], 2)
    );
    assert_eq!(
        ids(
            ReportFilter {
                status: Some(ReportStatus::Finalized),
                ..ReportFilter::default()
            },
            all
        ),
        (vec![0x401], 1)
    );
    assert_eq!(
        ids(
            ReportFilter {
                doctor: Some(other_doctor()),
                ..ReportFilter::default()
            },
            all
        ),
        (vec![0x404, 0x403], 2)
    );
    let second = PageRequest::from_client(Some(2), Some(3), "limit").unwrap();
    assert_eq!(ids(ReportFilter::default(), second), (vec![0x401], 4));
});

on_each_backend!(clinic_audit_list_filters_and_order, |db| {
    let store = &db.store;
    let p1 = Some(patient_id(1));
    let p2 = Some(patient_id(2));
    let entries = [
        entry(1, "staff-a", AuditAction::PatientRead, p1, at(1)),
        entry(2, "staff-b", AuditAction::ReportRead, p1, at(2)),
        entry(3, "staff-a", AuditAction::ReportCreate, p2, at(3)),
        entry(4, "staff-b", AuditAction::ReportRead, p2, at(4)),
        entry(5, "staff-a", AuditAction::ReportList, None, at(5)),
    ];
    for e in &entries {
        store.record(e).unwrap();
    }
    let list = |filter: AuditFilter| {
        let page = AuditRepository::list(store, &filter, PageRequest::default()).unwrap();
        let ids: Vec<u128> = page
            .items
            .iter()
            .map(|e| e.id.as_uuid().as_u128() & 0xf)
            .collect();
        (ids, page.total)
    };
    assert_eq!(
        list(AuditFilter::default()),
        (vec![5, 4, 3, 2, 1], 5),
        "newest first"
    );
    let all =
        AuditRepository::list(store, &AuditFilter::default(), PageRequest::default()).unwrap();
    assert_eq!(all.items[4], entries[0], "entries read back whole");
    assert_eq!(
        list(AuditFilter {
            actor: Some(actor("staff-a")),
            ..AuditFilter::default()
        }),
        (vec![5, 3, 1], 3)
    );
    assert_eq!(
        list(AuditFilter {
            patient: p1,
            ..AuditFilter::default()
        }),
        (vec![2, 1], 2)
    );
    assert_eq!(
        list(AuditFilter {
            action: Some(AuditAction::ReportRead),
            ..AuditFilter::default()
        }),
        (vec![4, 2], 2)
    );
    assert_eq!(
        list(AuditFilter {
            object: Some(ObjectKind::Report),
            ..AuditFilter::default()
        }),
        (vec![5, 4, 3, 2], 4)
    );
    assert_eq!(
        list(AuditFilter {
            from: Some(at(2)),
            to: Some(at(4)),
            ..AuditFilter::default()
        }),
        (vec![3, 2], 2),
        "from inclusive, to exclusive"
    );
    let page = AuditRepository::list(
        store,
        &AuditFilter::default(),
        PageRequest::from_client(Some(2), Some(2), "limit").unwrap(),
    )
    .unwrap();
    assert_eq!((page.items.len(), page.total), (2, 5));
    assert_eq!(page.items[0].id, entries[2].id);
});
