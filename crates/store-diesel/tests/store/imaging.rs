//! The study index in storage: studies and series made and counted as instances arrive (also two
//! at once), duplicates changing nothing, links to patients and appointments, the list's filters
//! and order, thumbnails, deletes moving every file to the trash, and the trash list itself.

use domain::clinic::imaging::{ImagingRepository, NewInstance, Stored, StudyFilter};
use domain::clinic::{AuditAction, HardDelete, ImageId, PatientId, PatientRepository, StudyId};
use domain::kernel::paging::PageRequest;
use store_diesel::testing::insert_staff;
use time::macros::date;

use crate::imaging_fixtures::*;
use crate::support::*;

fn store_one(store: &Store, new: &NewInstance) -> Stored {
    ImagingRepository::store_instance(
        store,
        new,
        &audit(AuditAction::ImageReceive, new.patient_id),
        &received(new),
    )
    .unwrap()
}

fn stored_study(store: &Store, new: &NewInstance) -> StudyId {
    match store_one(store, new) {
        Stored::New(image) => image.study_id,
        Stored::Duplicate(_) => panic!("{} is a duplicate", new.identity.sop_instance_uid),
    }
}

on_each_backend!(instances_make_and_count_their_study_and_series, |db| {
    let store = &db.store;
    let mut first = instance("1.2.3", "1.2.3.1", "1.2.3.1.1", "US", 1_000);
    first.meta.study_date = None;
    let Stored::New(image) = store_one(store, &first) else {
        panic!("the first instance is a duplicate");
    };
    assert_eq!(image.id, first.id);
    assert_eq!(
        image.study_id, first.study_id,
        "a new study takes the given id"
    );
    assert_eq!(image.series_id, first.series_id);
    assert_eq!(image.sop_instance_uid, first.identity.sop_instance_uid);
    assert_eq!(
        (image.rows, image.columns, image.frames),
        (Some(480), Some(640), Some(1))
    );
    assert_eq!(image.sha256, first.blob.sha256);
    assert_eq!(image.blob_key, first.blob.key);
    assert_eq!(image.received_at, T0);
    assert_eq!(
        ImagingRepository::find_image(store, first.id).unwrap(),
        Some(image.clone())
    );
    let details = ImagingRepository::find_study(store, first.study_id)
        .unwrap()
        .unwrap();
    let study = &details.study;
    assert_eq!(
        (study.series_count, study.image_count, study.size_bytes),
        (1, 1, 1_000)
    );
    assert_eq!(study.modalities, ["US"]);
    assert_eq!(study.patient_name.as_deref(), Some("Haddad^Omar"));
    assert_eq!(study.study_date, None);
    assert_eq!(details.series.len(), 1);
    assert_eq!(details.series[0].image_count, 1);

    // The same series again: counts go up, the ids given for a new study and series are unused,
    // and the study's empty fields are filled from the instance.
    let mut second = instance("1.2.3", "1.2.3.1", "1.2.3.1.2", "US", 500);
    second.meta.study_date = Some(date!(2026 - 11 - 20));
    second.meta.patient_name = Some("Other^Name".into());
    assert_eq!(stored_study(store, &second), first.study_id);
    // A second series, of another modality.
    let third = instance("1.2.3", "1.2.3.2", "1.2.3.2.1", "CT", 250);
    assert_eq!(stored_study(store, &third), first.study_id);
    let details = ImagingRepository::find_study(store, first.study_id)
        .unwrap()
        .unwrap();
    let study = &details.study;
    assert_eq!(
        (study.series_count, study.image_count, study.size_bytes),
        (2, 3, 1_750)
    );
    assert_eq!(study.modalities, ["CT", "US"]);
    assert_eq!(study.study_date, Some(date!(2026 - 11 - 20)));
    assert_eq!(study.patient_name.as_deref(), Some("Haddad^Omar"), "kept");
    let counts: Vec<u32> = details.series.iter().map(|s| s.image_count).collect();
    assert_eq!(counts, [2, 1]);
    assert_eq!(rows(&db, "dicom_studies"), 1);
    assert_eq!(rows(&db, "dicom_series"), 2);
    assert_eq!(rows(&db, "dicom_images"), 3);
    assert_eq!(audit_rows(&db, "image.receive"), 3);
    assert_eq!(clinic_events(&db), 3, "one event per instance");
});

on_each_backend!(a_duplicate_instance_changes_nothing, |db| {
    let store = &db.store;
    let first = instance("1.2.3", "1.2.3.1", "1.2.3.1.1", "US", 1_000);
    stored_study(store, &first);
    // Same SOP Instance UID, even under another study and series: nothing is written, not even
    // the study and series its own UIDs would have made.
    let again = instance("9.9", "9.9.1", "1.2.3.1.1", "CT", 7);
    ImagingRepository::reserve_blob(store, &again.blob.key, at(60)).unwrap();
    match store_one(store, &again) {
        Stored::Duplicate(existing) => {
            assert_eq!(existing.id, first.id);
            assert_eq!(existing.blob_key, first.blob.key);
        }
        Stored::New(_) => panic!("indexed twice"),
    }
    let study = ImagingRepository::find_study(store, first.study_id)
        .unwrap()
        .unwrap()
        .study;
    assert_eq!(
        (study.series_count, study.image_count, study.size_bytes),
        (1, 1, 1_000)
    );
    assert_eq!(study.modalities, ["US"]);
    assert_eq!(rows(&db, "dicom_studies"), 1);
    assert_eq!(rows(&db, "dicom_series"), 1);
    assert_eq!(rows(&db, "dicom_images"), 1);
    assert_eq!(audit_rows(&db, "image.receive"), 1);
    assert_eq!(clinic_events(&db), 1);
    // The duplicate's file is still on the trash list, for the sweeper.
    assert_eq!(
        ImagingRepository::trash_due(store, at(60), 10).unwrap(),
        std::slice::from_ref(&again.blob.key)
    );
});

on_each_backend!(
    a_new_studys_first_instances_arriving_together_make_one_study,
    |db| {
        let store = &db.store;
        for round in 0..4 {
            let study = format!("1.2.{round}");
            let series = format!("1.2.{round}.1");
            let news: Vec<NewInstance> = (0..2)
                .map(|i| instance(&study, &series, &format!("1.2.{round}.1.{i}"), "US", 100))
                .collect();
            let barrier = std::sync::Barrier::new(news.len());
            let studies: Vec<StudyId> = std::thread::scope(|s| {
                let handles: Vec<_> = news
                    .iter()
                    .map(|new| {
                        let barrier = &barrier;
                        s.spawn(move || {
                            barrier.wait();
                            stored_study(store, new)
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            assert_eq!(studies[0], studies[1], "round {round}");
            let details = ImagingRepository::find_study(store, studies[0])
                .unwrap()
                .unwrap();
            assert_eq!(
                (details.study.series_count, details.study.image_count),
                (1, 2),
                "round {round}"
            );
            assert_eq!(details.series.len(), 1);
            assert_eq!(details.series[0].image_count, 2);
        }
        assert_eq!(rows(&db, "dicom_studies"), 4);
    }
);

on_each_backend!(instances_link_by_mrn_and_accession_number, |db| {
    let store = &db.store;
    let doctor = insert_staff(store, "haddad", &["doctor"]);
    let patient = create_patient(store, "Omar Haddad");
    let gone = create_patient(store, "Gone");
    let appointment = book(store, patient.id, &doctor, "09:00");
    PatientRepository::soft_delete(
        store,
        gone.id,
        at(1),
        &actor("staff-1"),
        &audit(AuditAction::PatientDelete, Some(gone.id)),
    )
    .unwrap();
    let link = |mrn: Option<&str>, accession: Option<&str>| {
        ImagingRepository::link(store, mrn, accession).unwrap()
    };
    assert_eq!(
        link(Some(&patient.mrn), Some(&appointment.accession_number)),
        (Some(patient.id), Some(appointment.id))
    );
    assert_eq!(
        link(Some(&gone.mrn), None),
        (Some(gone.id), None),
        "soft-deleted too"
    );
    assert_eq!(link(Some("MRN99999999"), Some("ACC9")), (None, None));
    assert_eq!(link(None, None), (None, None));

    // A study takes the links of the first instance that has them.
    let unlinked = instance("1.2.3", "1.2.3.1", "1.2.3.1.1", "US", 10);
    let study = stored_study(store, &unlinked);
    let mut linked = instance("1.2.3", "1.2.3.1", "1.2.3.1.2", "US", 10);
    linked.patient_id = Some(patient.id);
    linked.appointment_id = Some(appointment.id);
    stored_study(store, &linked);
    let found = ImagingRepository::find_study(store, study)
        .unwrap()
        .unwrap()
        .study;
    assert_eq!(found.patient_id, Some(patient.id));
    assert_eq!(found.appointment_id, Some(appointment.id));
    let image = ImagingRepository::find_image(store, linked.id)
        .unwrap()
        .unwrap();
    assert_eq!(image.patient_id, Some(patient.id));
});

/// Studies of `patient` (or none) on `date` (or none), one instance of `modality` each.
fn study_on(
    store: &Store,
    n: u32,
    patient: Option<PatientId>,
    date: Option<time::Date>,
    modality: &str,
) -> StudyId {
    let mut new = instance(
        &format!("5.{n}"),
        &format!("5.{n}.1"),
        &format!("5.{n}.1.1"),
        modality,
        10,
    );
    new.patient_id = patient;
    new.meta.study_date = date;
    new.received_at = at(i64::from(n));
    stored_study(store, &new)
}

on_each_backend!(the_study_list_filters_orders_and_pages, |db| {
    let store = &db.store;
    let p = create_patient(store, "P").id;
    let q = create_patient(store, "Q").id;
    let s1 = study_on(store, 1, Some(p), Some(date!(2026 - 11 - 01)), "US");
    let s2 = study_on(store, 2, Some(p), Some(date!(2026 - 11 - 10)), "CT");
    let s3 = study_on(store, 3, Some(q), Some(date!(2026 - 11 - 10)), "US");
    let s4 = study_on(store, 4, None, None, "MR");
    let s5 = study_on(store, 5, Some(p), None, "US");
    let list = |filter: StudyFilter| {
        ImagingRepository::list_studies(store, &filter, PageRequest::default())
            .unwrap()
            .items
            .into_iter()
            .map(|s| s.id)
            .collect::<Vec<_>>()
    };
    // Newest study date first, ties by creation (newest first), studies without a date last.
    assert_eq!(list(StudyFilter::default()), [s3, s2, s1, s5, s4]);
    assert_eq!(
        list(StudyFilter {
            patient_id: Some(p),
            ..StudyFilter::default()
        }),
        [s2, s1, s5]
    );
    let range = |raw: &str| domain::clinic::imaging::DateRange::parse(raw);
    assert_eq!(
        list(StudyFilter {
            date: range("20261105-"),
            ..StudyFilter::default()
        }),
        [s3, s2]
    );
    assert_eq!(
        list(StudyFilter {
            date: range("20261101-20261109"),
            ..StudyFilter::default()
        }),
        [s1]
    );
    assert_eq!(
        list(StudyFilter {
            modality: Some("US".into()),
            ..StudyFilter::default()
        }),
        [s3, s1, s5]
    );
    assert_eq!(
        list(StudyFilter {
            patient_id: Some(p),
            modality: Some("US".into()),
            date: range("-20261130"),
        }),
        [s1]
    );
    let page = ImagingRepository::list_studies(
        store,
        &StudyFilter::default(),
        PageRequest::from_client(Some(2), Some(2), "limit").unwrap(),
    )
    .unwrap();
    assert_eq!(page.total, 5);
    let ids: Vec<StudyId> = page.items.iter().map(|s| s.id).collect();
    assert_eq!(ids, [s1, s5]);
    let page = ImagingRepository::list_studies(
        store,
        &StudyFilter {
            patient_id: Some(q),
            ..StudyFilter::default()
        },
        PageRequest::default(),
    )
    .unwrap();
    assert_eq!((page.total, page.items.len()), (1, 1));
});

on_each_backend!(a_studys_images_come_in_viewing_order, |db| {
    let store = &db.store;
    // Series 2 before series 1 in arrival, an unnumbered instance, an unnumbered series.
    let spec = [
        ("7.2", Some(2), "7.2.1", Some(1)),
        ("7.1", Some(1), "7.1.2", Some(2)),
        ("7.1", Some(1), "7.1.1", Some(1)),
        ("7.1", Some(1), "7.1.9", None),
        ("7.9", None, "7.9.1", Some(1)),
    ];
    let mut study = None;
    for (i, (series, number, sop, instance_number)) in spec.iter().enumerate() {
        let mut new = instance("7", series, sop, "US", 10);
        new.meta.series_number = *number;
        new.meta.instance_number = *instance_number;
        new.received_at = at(i as i64);
        study = Some(stored_study(store, &new));
    }
    let study = study.unwrap();
    let page = |n: i64| {
        ImagingRepository::study_images(
            store,
            study,
            PageRequest::from_client(Some(n), Some(2), "limit").unwrap(),
        )
        .unwrap()
    };
    let mut order = Vec::new();
    for n in 1..=3 {
        let p = page(n);
        assert_eq!(p.total, 5);
        order.extend(p.items.into_iter().map(|i| i.sop_instance_uid.to_string()));
    }
    assert_eq!(order, ["7.1.1", "7.1.2", "7.1.9", "7.2.1", "7.9.1"]);
    let details = ImagingRepository::find_study(store, study)
        .unwrap()
        .unwrap();
    let series: Vec<String> = details
        .series
        .iter()
        .map(|s| s.series_instance_uid.to_string())
        .collect();
    assert_eq!(series, ["7.1", "7.2", "7.9"]);
    assert!(
        ImagingRepository::study_images(
            store,
            StudyId::from_uuid(Uuid::now_v7()),
            PageRequest::default()
        )
        .unwrap()
        .items
        .is_empty()
    );
});

on_each_backend!(thumbnails_are_cached_per_size_and_leave_the_trash, |db| {
    let store = &db.store;
    let new = instance("1.2.3", "1.2.3.1", "1.2.3.1.1", "US", 10);
    stored_study(store, &new);
    let thumb = key("thumbs/1/256.png");
    ImagingRepository::reserve_blob(store, &thumb, at(60)).unwrap();
    assert_eq!(
        ImagingRepository::thumbnail(store, new.id, 256).unwrap(),
        None
    );
    assert!(ImagingRepository::save_thumbnail(store, new.id, 256, &thumb).unwrap());
    assert_eq!(
        ImagingRepository::thumbnail(store, new.id, 256).unwrap(),
        Some(thumb.clone())
    );
    assert_eq!(
        ImagingRepository::thumbnail(store, new.id, 128).unwrap(),
        None
    );
    assert_eq!(
        ImagingRepository::thumbnail(store, new.id, u32::MAX).unwrap(),
        None
    );
    assert!(
        ImagingRepository::trash_due(store, at(60), 10)
            .unwrap()
            .is_empty()
    );
    // A second rendering of the same size: the first stays, the second's file is left to sweep.
    let late = key("thumbs/1/256-b.png");
    ImagingRepository::reserve_blob(store, &late, at(60)).unwrap();
    assert!(ImagingRepository::save_thumbnail(store, new.id, 256, &late).unwrap());
    assert_eq!(
        ImagingRepository::thumbnail(store, new.id, 256).unwrap(),
        Some(thumb)
    );
    assert_eq!(
        ImagingRepository::trash_due(store, at(60), 10).unwrap(),
        [late]
    );
    // An image that is gone takes no thumbnail; the key stays on the list.
    let orphan = key("thumbs/x/256.png");
    ImagingRepository::reserve_blob(store, &orphan, at(30)).unwrap();
    let missing = ImageId::from_uuid(Uuid::now_v7());
    assert!(!ImagingRepository::save_thumbnail(store, missing, 256, &orphan).unwrap());
    assert_eq!(
        ImagingRepository::trash_due(store, at(30), 10).unwrap(),
        [orphan]
    );
});

on_each_backend!(deleting_a_study_moves_every_file_to_the_trash, |db| {
    let store = &db.store;
    let a = instance("1.2.3", "1.2.3.1", "1.2.3.1.1", "US", 10);
    let b = instance("1.2.3", "1.2.3.2", "1.2.3.2.1", "CT", 10);
    let kept = instance("4.5.6", "4.5.6.1", "4.5.6.1.1", "US", 10);
    let study = stored_study(store, &a);
    stored_study(store, &b);
    let other = stored_study(store, &kept);
    let thumbs = [
        key("thumbs/a/256.png"),
        key("thumbs/a/64.png"),
        key("thumbs/b/256.png"),
    ];
    assert!(ImagingRepository::save_thumbnail(store, a.id, 256, &thumbs[0]).unwrap());
    assert!(ImagingRepository::save_thumbnail(store, a.id, 64, &thumbs[1]).unwrap());
    assert!(ImagingRepository::save_thumbnail(store, b.id, 256, &thumbs[2]).unwrap());
    let kept_thumb = key("thumbs/k/256.png");
    assert!(ImagingRepository::save_thumbnail(store, kept.id, 256, &kept_thumb).unwrap());

    let entry = audit(AuditAction::StudyDelete, None);
    let mut keys = ImagingRepository::delete_study(store, study, at(5), &entry)
        .unwrap()
        .unwrap();
    keys.sort();
    let mut want = vec![a.blob.key.clone(), b.blob.key.clone()];
    want.extend(thumbs.iter().cloned());
    want.sort();
    assert_eq!(keys, want);
    let mut due = ImagingRepository::trash_due(store, at(5), 100).unwrap();
    due.sort();
    assert_eq!(due, want);
    assert!(
        ImagingRepository::trash_due(store, at(4), 100)
            .unwrap()
            .is_empty()
    );
    assert!(
        ImagingRepository::find_study(store, study)
            .unwrap()
            .is_none()
    );
    assert!(
        ImagingRepository::find_image(store, a.id)
            .unwrap()
            .is_none()
    );
    assert_eq!(rows(&db, "dicom_studies"), 1);
    assert_eq!(rows(&db, "dicom_series"), 1);
    assert_eq!(rows(&db, "dicom_images"), 1);
    assert_eq!(rows(&db, "dicom_thumbnails"), 1);
    assert_eq!(audit_rows(&db, "study.delete"), 1);
    assert!(
        ImagingRepository::find_study(store, other)
            .unwrap()
            .is_some()
    );
    assert_eq!(
        ImagingRepository::thumbnail(store, kept.id, 256).unwrap(),
        Some(kept_thumb)
    );
    // Gone already: nothing to delete, nothing audited.
    assert_eq!(
        ImagingRepository::delete_study(store, study, at(6), &entry).unwrap(),
        None
    );
    assert_eq!(audit_rows(&db, "study.delete"), 1);
});

on_each_backend!(the_trash_list_gives_what_is_due_oldest_first, |db| {
    let store = &db.store;
    let late = key("dicom/late.dcm");
    let early = key("dicom/early.dcm");
    let middle = key("dicom/middle.dcm");
    ImagingRepository::reserve_blob(store, &late, at(30)).unwrap();
    ImagingRepository::reserve_blob(store, &early, at(10)).unwrap();
    ImagingRepository::reserve_blob(store, &middle, at(20)).unwrap();
    assert!(
        ImagingRepository::trash_due(store, at(9), 10)
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        ImagingRepository::trash_due(store, at(30), 2).unwrap(),
        [early.clone(), middle.clone()]
    );
    ImagingRepository::forget_trash(store, &[early.clone(), key("dicom/never.dcm")]).unwrap();
    assert_eq!(
        ImagingRepository::trash_due(store, at(30), 10).unwrap(),
        [middle.clone(), late.clone()]
    );
    // Reserving again moves the due time.
    ImagingRepository::reserve_blob(store, &late, at(5)).unwrap();
    assert_eq!(
        ImagingRepository::trash_due(store, at(5), 10).unwrap(),
        std::slice::from_ref(&late)
    );
    // Indexing the file takes its key off the list.
    let mut new = instance("1.2.3", "1.2.3.1", "1.2.3.1.1", "US", 10);
    new.blob.key = middle;
    stored_study(store, &new);
    assert_eq!(
        ImagingRepository::trash_due(store, at(30), 10).unwrap(),
        [late]
    );
    ImagingRepository::forget_trash(store, &[]).unwrap();
});

on_each_backend!(a_patient_with_a_study_is_not_hard_deleted, |db| {
    let store = &db.store;
    let linked = create_patient(store, "Linked");
    let through_image = create_patient(store, "Through an image");
    let mut first = instance("1.2.3", "1.2.3.1", "1.2.3.1.1", "US", 10);
    first.patient_id = Some(linked.id);
    stored_study(store, &first);
    // The study keeps its first patient; this instance names another.
    let mut second = instance("1.2.3", "1.2.3.1", "1.2.3.1.2", "US", 10);
    second.patient_id = Some(through_image.id);
    stored_study(store, &second);
    for patient in [linked.id, through_image.id] {
        assert_eq!(
            PatientRepository::hard_delete(
                store,
                patient,
                &audit(AuditAction::PatientHardDelete, Some(patient))
            )
            .unwrap(),
            HardDelete::Referenced {
                appointments: 0,
                reports: 0,
                studies: 1,
                documents: 0
            }
        );
    }
    assert_eq!(audit_rows(&db, "patient.hard_delete"), 0);
});
