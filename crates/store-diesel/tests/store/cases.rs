//! [`CaseRepository`]: cases, their timeline and the notifications written with them. The draft
//! reminder's part is in `reminders`.

use domain::kernel::blob::BlobKey;
use domain::kernel::code::Code;
use domain::kernel::ids::CaseId;
use domain::kernel::lang::Lang;
use domain::notifications::{DeliveryStatus, NotificationKind, OutboxRepository};
use domain::second_opinion::{
    CaseRepository, CaseStatus, Gender, PatientAge, ReportKeys, ReviewCase, TimelineEvent,
};

use crate::fixtures::{self, case_ids, document, draft, entry, notification};
use crate::support::*;

on_each_backend!(a_case_round_trips_with_every_field, |db| {
    let store = &db.store;
    let cat = fixtures::catalogue(store);
    let mut full = draft(cat, "patient-1", T0);
    full.patient_age = PatientAge::parse(150).unwrap();
    full.patient_gender = Gender::Male;
    full.status = CaseStatus::AwaitingPayment;
    full.medical_history = Some("Hypertension since 2019, \"controlled\"; ضغط".to_owned());
    full.medical_documents = vec![document("ecg.pdf"), document("تقرير \"2\".pdf")];
    full.reject_reason = Some("—".to_owned());
    full.case_coordinator_id = Some(actor("coordinator-9"));
    full.lang = Lang::Ar;
    full.is_notified = true;
    full.version = 7;
    full.updated_date = datetime!(2026-12-01 08:30:00.000001 UTC);
    full.doctors_assigned_date = Some(at(60));
    full.summary = Some("Both specialists agree: \"no surgery\". لا جراحة".to_owned());
    full.completed_date = Some(at(120));
    full.report = Some(ReportKeys {
        en: BlobKey::parse("reports/x/second-opinion-en.pdf").unwrap(),
        ar: BlobKey::parse("reports/x/second-opinion-ar.pdf").unwrap(),
    });
    fixtures::insert(store, &full);

    let bare = draft(cat, "patient-1", at(1));
    fixtures::insert(store, &bare);

    let (patient_1, patient_2) = (actor("patient-1"), actor("patient-2"));
    for case in [&full, &bare] {
        assert_eq!(store.find(case.id).unwrap().as_ref(), Some(case));
        assert_eq!(
            store.find_for_user(&patient_1, case.id).unwrap().as_ref(),
            Some(case)
        );
        assert_eq!(store.find_for_user(&patient_2, case.id).unwrap(), None);
    }
    let unknown = CaseId::from_uuid(Uuid::now_v7());
    assert_eq!(store.find(unknown).unwrap(), None);
    assert_eq!(store.find_for_user(&patient_1, unknown).unwrap(), None);
});

on_each_backend!(lists_are_per_user_newest_first_then_by_id_and_paged, |db| {
    let store = &db.store;
    let cat = fixtures::catalogue(store);
    let mut mine = Vec::new();
    for minutes in [3, 1, 4, 0] {
        mine.push(draft(cat, "me", at(minutes)));
    }
    // Two cases share a creation instant: the id decides.
    let mut tie_low = draft(cat, "me", at(2));
    tie_low.id = Uuid::parse_str("00000000-0000-7000-8000-000000000001")
        .unwrap()
        .into();
    let mut tie_high = draft(cat, "me", at(2));
    tie_high.id = Uuid::parse_str("00000000-0000-7000-8000-000000000002")
        .unwrap()
        .into();
    mine.extend([tie_low.clone(), tie_high.clone()]);
    for case in &mine {
        fixtures::insert(store, case);
    }
    for minutes in [10, -10] {
        fixtures::insert(store, &draft(cat, "someone-else", at(minutes)));
    }

    let (me, nobody) = (actor("me"), actor("nobody"));
    let mut expected = mine.clone();
    expected.sort_by_key(|c| std::cmp::Reverse((c.created_date, c.id)));
    assert_eq!(store.list_for_user(&me, 10, 0).unwrap(), expected);
    assert_eq!(
        case_ids(&store.list_for_user(&me, 2, 2).unwrap()),
        [tie_high.id, tie_low.id]
    );
    assert_eq!(
        case_ids(&store.list_for_user(&me, 4, 4).unwrap()),
        case_ids(&expected[4..])
    );
    assert!(store.list_for_user(&me, 4, 6).unwrap().is_empty());
    assert_eq!(store.count_for_user(&me).unwrap(), 6);
    assert_eq!(store.count_for_user(&actor("someone-else")).unwrap(), 2);
    assert_eq!(store.count_for_user(&nobody).unwrap(), 0);
    assert!(store.list_for_user(&nobody, 10, 0).unwrap().is_empty());

    // The page and the total in one trip: the same rows and count as asked apart, past the end too.
    for (limit, offset) in [(10, 0), (2, 2), (4, 4), (4, 6)] {
        assert_eq!(
            store.page_for_user(&me, limit, offset).unwrap(),
            (store.list_for_user(&me, limit, offset).unwrap(), 6)
        );
    }
    assert_eq!(store.page_for_user(&nobody, 10, 0).unwrap(), (vec![], 0));
});

on_each_backend!(insert_writes_the_timeline_and_the_notifications, |db| {
    let store = &db.store;
    let cat = fixtures::catalogue(store);
    let case = draft(cat, "patient-1", T0);
    let created = entry(
        &case,
        TimelineEvent::Created,
        None,
        Some(CaseStatus::Draft),
        T0,
    );
    let mut submitted = entry(
        &case,
        TimelineEvent::Submitted,
        Some(CaseStatus::Draft),
        Some(CaseStatus::Review),
        T0,
    );
    submitted.note = Some("first submission".to_owned());
    let notice = notification(NotificationKind::CaseSubmitted, &case, T0);
    store
        .insert(
            &case,
            &[created.clone(), submitted.clone()],
            std::slice::from_ref(&notice),
        )
        .unwrap();

    let mut expected_timeline = vec![created, submitted];
    expected_timeline.sort_by_key(|e| (e.created_date, e.id));
    assert_eq!(store.timeline(case.id).unwrap(), expected_timeline);
    let outbox = store.for_case(case.id).unwrap();
    assert_eq!(outbox.len(), 1);
    let message = &outbox[0];
    assert_eq!(message.notification, notice);
    assert_eq!(message.notification.kind(), NotificationKind::CaseSubmitted);
    assert_eq!(message.status, DeliveryStatus::Pending);
    assert_eq!(message.attempts, 0);
    assert!(message.delivered_channels.is_empty());
    assert_eq!(message.last_error, None);
    assert_eq!(message.next_attempt_at, notice.created_date);
    assert_eq!(message.delivered_date, None);
});

on_each_backend!(
    a_failing_notification_insert_leaves_no_case_and_no_timeline,
    |db| {
        let store = &db.store;
        let cat = fixtures::catalogue(store);
        let first = draft(cat, "patient-1", T0);
        let notice = notification(NotificationKind::CaseSubmitted, &first, T0);
        store
            .insert(&first, &[], std::slice::from_ref(&notice))
            .unwrap();

        // The second case's notification reuses the first one's id: its insert fails last.
        let second = draft(cat, "patient-1", at(1));
        let mut duplicate = notification(NotificationKind::CaseSubmitted, &second, at(1));
        duplicate.id = notice.id;
        let created = entry(
            &second,
            TimelineEvent::Created,
            None,
            Some(CaseStatus::Draft),
            at(1),
        );
        match store.insert(&second, &[created], &[duplicate]) {
            Err(Error::Conflict(t)) => assert_eq!(t.key(), Key::RecordConflict),
            other => panic!("{other:?}"),
        }

        assert_eq!(store.find(second.id).unwrap(), None);
        assert!(store.timeline(second.id).unwrap().is_empty());
        assert!(store.for_case(second.id).unwrap().is_empty());
        assert_eq!(store.count_for_user(&actor("patient-1")).unwrap(), 1);
        assert_eq!(store.count(None).unwrap(), 1);
    }
);

on_each_backend!(update_needs_the_stored_version, |db| {
    let store = &db.store;
    let cat = fixtures::catalogue(store);
    let case = draft(cat, "patient-1", T0);
    fixtures::insert(store, &case);

    let mut submitted = case.clone();
    submitted.status = CaseStatus::Review;
    submitted.medical_history = Some("asthma".to_owned());
    submitted.medical_documents = vec![document("x-ray.png")];
    submitted.lang = Lang::Ar;
    submitted.version = 2;
    submitted.updated_date = at(5);
    let event = entry(
        &case,
        TimelineEvent::Submitted,
        Some(CaseStatus::Draft),
        Some(CaseStatus::Review),
        at(5),
    );
    let notice = notification(NotificationKind::CaseSubmitted, &submitted, at(5));
    store
        .update(
            &submitted,
            1,
            std::slice::from_ref(&event),
            std::slice::from_ref(&notice),
        )
        .unwrap();
    assert_eq!(store.find(case.id).unwrap(), Some(submitted.clone()));
    assert_eq!(store.timeline(case.id).unwrap().len(), 2);
    assert_eq!(store.timeline(case.id).unwrap()[1], event);
    assert_eq!(
        store
            .for_case(case.id)
            .unwrap()
            .into_iter()
            .map(|m| m.notification)
            .collect::<Vec<_>>(),
        [notice]
    );

    // A writer that read version 1 lost the race: nothing it sends is written.
    let mut stale = case.clone();
    stale.medical_history = Some("overwritten".to_owned());
    stale.version = 2;
    let late_event = entry(&case, TimelineEvent::Updated, None, None, at(6));
    let late_notice = notification(NotificationKind::CaseSubmitted, &case, at(6));
    match store.update(&stale, 1, &[late_event], &[late_notice]) {
        Err(Error::Conflict(t)) => assert_eq!(t.key(), Key::CaseChanged),
        other => panic!("{other:?}"),
    }
    assert_eq!(store.find(case.id).unwrap(), Some(submitted.clone()));
    assert_eq!(store.timeline(case.id).unwrap().len(), 2);
    assert_eq!(store.for_case(case.id).unwrap().len(), 1);

    // The owner and the creation date are the case's identity, not something to rewrite.
    let mut rewritten = submitted.clone();
    rewritten.user_id = actor("intruder");
    rewritten.created_date = at(999);
    rewritten.version = 3;
    store.update(&rewritten, 2, &[], &[]).unwrap();
    let stored = store.find(case.id).unwrap().unwrap();
    assert_eq!(stored.user_id, actor("patient-1"));
    assert_eq!(stored.created_date, T0);
    assert_eq!(stored.version, 3);

    let ghost = draft(cat, "patient-1", T0);
    match store.update(&ghost, 1, &[], &[]) {
        Err(Error::NotFound(t)) => assert_eq!(t.key(), Key::CaseNotFound),
        other => panic!("{other:?}"),
    }
});

on_each_backend!(corrupt_rows_are_internal_errors, |db| {
    let store = &db.store;
    let cat = fixtures::catalogue(store);
    let case = draft(cat, "patient-1", T0);
    fixtures::insert(store, &case);
    for (column, value) in [
        ("status", "'archived'"),
        ("medical_documents", "'not json'"),
        ("medical_documents", "'[{\"url\": 1}]'"),
        ("lang", "'fr'"),
        ("patient_age", "200"),
        ("patient_gender", "'other'"),
        ("created_date", "'yesterday'"),
    ] {
        raw_sql(
            &db,
            &format!(
                "UPDATE review_cases SET {column} = {value} WHERE case_id = '{}'",
                case.id
            ),
        );
        match store.find(case.id) {
            Err(e @ Error::Internal(_)) => {
                let chain = e.chain();
                assert!(
                    chain.contains(&case.id.to_string()) || chain.contains("stored"),
                    "{chain}"
                );
            }
            other => panic!("{column} = {value}: {other:?}"),
        }
        assert!(matches!(
            store.list_for_user(&actor("patient-1"), 10, 0),
            Err(Error::Internal(_))
        ));
        // Put the row back for the next column.
        raw_sql(&db, &restore_sql(&case));
        assert_eq!(store.find(case.id).unwrap(), Some(case.clone()));
    }
});

/// Rewrites every column `corrupt_rows_are_internal_errors` may break back to `case`'s values.
fn restore_sql(case: &ReviewCase) -> String {
    format!(
        "UPDATE review_cases SET status = '{}', medical_documents = '[]', lang = '{}', \
         patient_age = {}, patient_gender = '{}', created_date = '{}' WHERE case_id = '{}'",
        case.status.as_str(),
        case.lang.as_str(),
        case.patient_age.years(),
        case.patient_gender.as_str(),
        domain::kernel::time::format_rfc3339(case.created_date),
        case.id
    )
}

on_each_backend!(bulk_insert_loads_cases_that_page_correctly, |db| {
    const USERS: [&str; 3] = ["bulk-a", "bulk-b", "bulk-c"];
    let store = &db.store;
    let cat = fixtures::catalogue(store);
    let cases: Vec<_> = (0..2_000)
        .map(|i| {
            let mut case = draft(cat, USERS[i % 3], at((i as i64 * 7) % 1_000));
            case.medical_documents = vec![document(&format!("{i}.pdf"))];
            case
        })
        .collect();
    let started = std::time::Instant::now();
    assert_eq!(store.insert_cases_bulk(&cases).unwrap(), 2_000);
    eprintln!(
        "{}: bulk insert of 2,000 cases in {:?}",
        db.backend(),
        started.elapsed()
    );

    for user in USERS.map(actor) {
        let mut expected: Vec<_> = cases.iter().filter(|c| c.user_id == user).collect();
        expected.sort_by_key(|c| std::cmp::Reverse((c.created_date, c.id)));
        assert_eq!(store.count_for_user(&user).unwrap(), expected.len() as u64);
        let mut paged = Vec::new();
        let mut offset = 0;
        loop {
            let page = store.list_for_user(&user, 100, offset).unwrap();
            if page.is_empty() {
                break;
            }
            assert!(page.len() <= 100);
            offset += page.len() as i64;
            paged.extend(page);
        }
        assert_eq!(paged.len(), expected.len());
        for (got, want) in paged.iter().zip(&expected) {
            assert_eq!(got, *want);
        }
    }
    assert_eq!(store.count_for_user(&actor(USERS[0])).unwrap(), 667);
    assert_eq!(store.count_for_user(&actor(USERS[2])).unwrap(), 666);
    // Bulk loading writes no history and no notifications.
    assert!(store.timeline(cases[0].id).unwrap().is_empty());
    assert_eq!(store.count(None).unwrap(), 0);
});
