//! The draft reminder's part of [`CaseRepository`]: candidates, the exactly-once flag, and its
//! release.

use domain::kernel::ids::CaseId;
use domain::notifications::{NotificationKind, OutboxRepository};
use domain::second_opinion::{ActorRole, CaseRepository, CaseStatus, TimelineEvent};

use crate::fixtures::{self, Catalogue, case_ids, draft, reminder};
use crate::support::*;

on_each_backend!(
    reminder_candidates_are_old_unnotified_drafts_oldest_first,
    |db| {
        let store = &db.store;
        let cat = fixtures::catalogue(store);
        let old = draft(cat, "a", at(-120));
        let older = draft(cat, "b", at(-300));
        let at_cutoff = draft(cat, "c", at(-60));
        let recent = draft(cat, "d", at(-59));
        let mut reminded = draft(cat, "e", at(-400));
        reminded.is_notified = true;
        let mut submitted = draft(cat, "f", at(-400));
        submitted.status = CaseStatus::Review;
        for case in [&old, &older, &at_cutoff, &recent, &reminded, &submitted] {
            fixtures::insert(store, case);
        }
        let cutoff = at(-60);
        assert_eq!(
            case_ids(&store.reminder_candidates(cutoff, 10).unwrap()),
            [older.id, old.id, at_cutoff.id]
        );
        assert_eq!(
            case_ids(&store.reminder_candidates(cutoff, 2).unwrap()),
            [older.id, old.id]
        );
    }
);

on_each_backend!(flag_reminder_flags_only_unnotified_drafts, |db| {
    let store = &db.store;
    let cat = fixtures::catalogue(store);
    let case = draft(cat, "patient-1", T0);
    let mut submitted = draft(cat, "patient-2", T0);
    submitted.status = CaseStatus::Review;
    let mut reminded = draft(cat, "patient-3", T0);
    reminded.is_notified = true;
    for c in [&case, &submitted, &reminded] {
        fixtures::insert(store, c);
    }

    for c in [&submitted, &reminded] {
        let (notice, event) = reminder(c, at(60 * 24));
        assert!(!store.flag_reminder(c.id, &notice, &event).unwrap());
        assert_eq!(store.find(c.id).unwrap().as_ref(), Some(c));
        assert!(store.for_case(c.id).unwrap().is_empty());
        assert_eq!(store.timeline(c.id).unwrap().len(), 1);
    }
    let (notice, event) = reminder(&case, at(60 * 24));
    let unknown = CaseId::from_uuid(Uuid::now_v7());
    assert!(!store.flag_reminder(unknown, &notice, &event).unwrap());

    assert!(store.flag_reminder(case.id, &notice, &event).unwrap());
    let flagged = store.find(case.id).unwrap().unwrap();
    assert!(flagged.is_notified);
    assert_eq!(flagged.version, case.version + 1);
    assert_eq!(flagged.updated_date, case.updated_date);
    assert_eq!(store.timeline(case.id).unwrap()[1], event);
    let outbox = store.for_case(case.id).unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].notification, notice);

    let (again, again_event) = reminder(&case, at(60 * 25));
    assert!(!store.flag_reminder(case.id, &again, &again_event).unwrap());
    assert_eq!(store.for_case(case.id).unwrap().len(), 1);
    assert_eq!(store.timeline(case.id).unwrap().len(), 2);
});

on_each_backend!(flag_reminder_is_exactly_once_under_concurrency, |db| {
    const THREADS: usize = 8;
    const CASES: usize = 20;
    let cat: Catalogue = fixtures::catalogue(&db.store);
    let cases: Vec<_> = (0..CASES)
        .map(|i| draft(cat, &format!("patient-{i}"), at(i as i64)))
        .collect();
    for case in &cases {
        fixtures::insert(&db.store, case);
    }
    // Another server instance on the same database.
    let other = Store::connect(&db.url, 4).unwrap();
    let barrier = std::sync::Barrier::new(THREADS);
    let started = std::time::Instant::now();
    let flagged: usize = std::thread::scope(|s| {
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let store = if t % 2 == 0 {
                    db.store.clone()
                } else {
                    other.clone()
                };
                let (cases, barrier) = (&cases, &barrier);
                s.spawn(move || {
                    barrier.wait();
                    // Each thread starts elsewhere in the list, so they collide on every case.
                    (0..CASES)
                        .map(|i| &cases[(i + t * 3) % CASES])
                        .filter(|case| {
                            let (notice, event) = reminder(case, at(60 * 24));
                            store.flag_reminder(case.id, &notice, &event).unwrap()
                        })
                        .count()
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).sum()
    });
    eprintln!(
        "{}: {THREADS} threads flagged {CASES} cases in {:?}",
        db.backend(),
        started.elapsed()
    );

    assert_eq!(flagged, CASES);
    for case in &cases {
        let outbox = db.store.for_case(case.id).unwrap();
        assert_eq!(outbox.len(), 1);
        assert_eq!(
            outbox[0].notification.kind(),
            NotificationKind::DraftReminder
        );
        let stored = db.store.find(case.id).unwrap().unwrap();
        assert!(stored.is_notified);
        assert_eq!(stored.version, 2);
        let reminders = db
            .store
            .timeline(case.id)
            .unwrap()
            .into_iter()
            .filter(|e| e.event == TimelineEvent::DraftReminderSent)
            .collect::<Vec<_>>();
        assert_eq!(reminders.len(), 1);
        assert_eq!(reminders[0].actor_role, ActorRole::System);
    }
    assert_eq!(db.store.count(None).unwrap(), CASES as u64);
});

on_each_backend!(
    /// Releasing is what the reminder run does when its notification is given up: the draft
    /// becomes a candidate again, and the next run reminds it anew.
    release_reminder_clears_the_flag_of_a_flagged_draft_once,
    |db| {
        let store = &db.store;
        let cat = fixtures::catalogue(store);
        let case = draft(cat, "patient-1", at(-60 * 25));
        let submitted_meanwhile = draft(cat, "patient-2", at(-60 * 25));
        let never_flagged = draft(cat, "patient-3", at(-60 * 26));
        for c in [&case, &submitted_meanwhile, &never_flagged] {
            fixtures::insert(store, c);
        }
        let cutoff = at(-60 * 24);

        let (notice, event) = reminder(&case, at(0));
        assert!(store.flag_reminder(case.id, &notice, &event).unwrap());
        let (other_notice, other_event) = reminder(&submitted_meanwhile, at(0));
        assert!(
            store
                .flag_reminder(submitted_meanwhile.id, &other_notice, &other_event)
                .unwrap()
        );
        assert_eq!(
            case_ids(&store.reminder_candidates(cutoff, 10).unwrap()),
            [never_flagged.id]
        );

        let mut review = store.find(submitted_meanwhile.id).unwrap().unwrap();
        review.status = CaseStatus::Review;
        review.version += 1;
        store.update(&review, review.version - 1, &[], &[]).unwrap();

        let flagged = store.find(case.id).unwrap().unwrap();
        assert!(store.release_reminder(case.id).unwrap());
        let released = store.find(case.id).unwrap().unwrap();
        assert!(!released.is_notified);
        assert_eq!(released.version, flagged.version + 1);
        assert_eq!(released.updated_date, flagged.updated_date);
        assert_eq!(
            case_ids(&store.reminder_candidates(cutoff, 10).unwrap()),
            [never_flagged.id, case.id]
        );

        // Once only: a second release finds nothing to clear and leaves the version alone.
        assert!(!store.release_reminder(case.id).unwrap());
        assert_eq!(store.find(case.id).unwrap(), Some(released.clone()));

        // A submitted case stays as it is, flag included; so does a draft never flagged.
        assert!(!store.release_reminder(submitted_meanwhile.id).unwrap());
        assert_eq!(store.find(submitted_meanwhile.id).unwrap(), Some(review));
        assert!(!store.release_reminder(never_flagged.id).unwrap());
        assert_eq!(store.find(never_flagged.id).unwrap(), Some(never_flagged));
        let unknown = CaseId::from_uuid(Uuid::now_v7());
        assert!(!store.release_reminder(unknown).unwrap());

        // Releasing writes neither history nor notifications.
        assert_eq!(store.timeline(case.id).unwrap().len(), 2);
        assert_eq!(store.for_case(case.id).unwrap().len(), 1);

        // The next run reminds it again.
        let (second, second_event) = reminder(&case, at(60));
        assert!(
            store
                .flag_reminder(case.id, &second, &second_event)
                .unwrap()
        );
        assert_eq!(store.for_case(case.id).unwrap().len(), 2);
        assert_eq!(store.find(case.id).unwrap().unwrap().version, released.version + 1);
    }
);
