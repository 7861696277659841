//! [`OutboxRepository`]: claiming due messages under concurrency, recording outcomes, listing.

use std::collections::HashSet;

use domain::kernel::ids::NotificationId;
use domain::notifications::{
    DeliveryStatus, Notification, NotificationKind, OutboxMessage, OutboxRepository,
};
use domain::second_opinion::{CaseRepository, ReviewCase};

use crate::fixtures::{self, draft, loose_notification, notification, reminder};
use crate::support::*;

fn minutes(n: i64) -> time::Duration {
    time::Duration::minutes(n)
}

/// Writes `notifications` to the outbox the only way the store does: with a case change.
fn enqueue(store: &Store, notifications: &[Notification]) -> ReviewCase {
    let cat = fixtures::catalogue(store);
    let case = draft(cat, "carrier", T0);
    store.insert(&case, &[], notifications).unwrap();
    case
}

fn message_ids(messages: &[OutboxMessage]) -> Vec<NotificationId> {
    messages.iter().map(|m| m.notification.id).collect()
}

fn message_ids_of(notifications: &[Notification]) -> Vec<NotificationId> {
    notifications.iter().map(|n| n.id).collect()
}

on_each_backend!(claim_due_takes_the_oldest_due_first_and_leases_them, |db| {
    let store = &db.store;
    let now = at(0);
    let mut due: Vec<Notification> = (0..5)
        .map(|i| loose_notification(now - minutes(i)))
        .collect();
    let later = loose_notification(now + minutes(1));
    let mut all = due.clone();
    all.push(later.clone());
    enqueue(store, &all);
    due.sort_by_key(|n| (n.created_date, n.id));

    let lease = now + minutes(5);
    let first = store.claim_due(now, lease, 3).unwrap();
    assert_eq!(message_ids(&first), message_ids_of(&due[..3]));
    assert!(first.iter().all(|m| m.status == DeliveryStatus::Pending));
    let second = store.claim_due(now, lease, 3).unwrap();
    assert_eq!(message_ids(&second), message_ids_of(&due[3..]));
    assert!(store.claim_due(now, lease, 3).unwrap().is_empty());
    assert!(store.claim_due(now, lease, 0).unwrap().is_empty());
    assert!(store.claim_due(now, lease, -1).unwrap().is_empty());

    // Once due, the later one is claimable; the leased ones are not until their lease ends.
    let soon = now + minutes(2);
    assert_eq!(
        message_ids(&store.claim_due(soon, soon + minutes(5), 10).unwrap()),
        [later.id]
    );
    let expired = store.claim_due(lease, lease + minutes(5), 10).unwrap();
    assert_eq!(message_ids(&expired), message_ids_of(&due));
});

on_each_backend!(concurrent_claims_take_every_message_exactly_once, |db| {
    const MESSAGES: usize = 100;
    const THREADS: usize = 4;
    let now = at(0);
    let due: Vec<Notification> = (0..MESSAGES)
        .map(|i| loose_notification(now - time::Duration::seconds(i as i64 % 17)))
        .collect();
    let not_due: Vec<Notification> = (0..5)
        .map(|i| loose_notification(now + minutes(i + 1)))
        .collect();
    enqueue(&db.store, &[due.clone(), not_due.clone()].concat());
    let other = Store::connect(&db.url, 2).unwrap();

    let lease = now + minutes(5);
    let barrier = std::sync::Barrier::new(THREADS);
    let started = std::time::Instant::now();
    let claimed: Vec<NotificationId> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let store = if t == 0 {
                    other.clone()
                } else {
                    db.store.clone()
                };
                let barrier = &barrier;
                s.spawn(move || {
                    barrier.wait();
                    let mut mine = Vec::new();
                    loop {
                        let batch = store.claim_due(now, lease, 10).unwrap();
                        if batch.is_empty() {
                            return mine;
                        }
                        assert!(batch.len() <= 10);
                        mine.extend(message_ids(&batch));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    eprintln!(
        "{}: {THREADS} threads claimed {MESSAGES} messages in {:?}",
        db.backend(),
        started.elapsed()
    );
    let unique: HashSet<NotificationId> = claimed.iter().copied().collect();
    assert_eq!(claimed.len(), MESSAGES, "claimed twice");
    assert_eq!(unique, message_ids_of(&due).into_iter().collect());

    // Leased: nobody gets them again before the lease ends, even once more are due.
    assert!(
        db.store
            .claim_due(lease - time::Duration::microseconds(1), lease, 1_000)
            .unwrap()
            .iter()
            .all(|m| !unique.contains(&m.notification.id))
    );
    // After it, they are claimable again (the dispatcher that held them died).
    let after = db
        .store
        .claim_due(lease, lease + minutes(5), 1_000)
        .unwrap();
    let again: HashSet<NotificationId> = message_ids(&after).into_iter().collect();
    assert!(unique.is_subset(&again));
});

on_each_backend!(outcomes_set_the_state_and_clear_the_lease, |db| {
    let store = &db.store;
    let now = at(0);
    let n = |i: i64| loose_notification(now - minutes(i));
    let (delivered, retried, failed) = (n(3), n(2), n(1));
    enqueue(store, &[delivered.clone(), retried.clone(), failed.clone()]);
    let lease = now + minutes(5);
    assert_eq!(store.claim_due(now, lease, 10).unwrap().len(), 3);

    let webhook = vec!["webhook".to_owned()];
    store
        .mark_delivered(delivered.id, 1, &webhook, at(1))
        .unwrap();
    store
        .schedule_retry(retried.id, 1, &webhook, at(2), "smtp: 451 try later")
        .unwrap();
    store
        .mark_failed(failed.id, 5, &[], "webhook: 500", at(1))
        .unwrap();

    let by_id = |id: NotificationId| {
        store
            .list(None, 100, 0)
            .unwrap()
            .into_iter()
            .find(|m| m.notification.id == id)
            .unwrap()
    };
    let d = by_id(delivered.id);
    assert_eq!(d.status, DeliveryStatus::Delivered);
    assert_eq!(d.attempts, 1);
    assert_eq!(d.delivered_channels, webhook);
    assert_eq!(d.delivered_date, Some(at(1)));
    assert_eq!(d.last_error, None);
    assert_eq!(d.notification, delivered);

    let r = by_id(retried.id);
    assert_eq!(r.status, DeliveryStatus::Pending);
    assert_eq!(r.attempts, 1);
    assert_eq!(r.delivered_channels, webhook);
    assert_eq!(r.next_attempt_at, at(2));
    assert_eq!(r.last_error.as_deref(), Some("smtp: 451 try later"));
    assert_eq!(r.delivered_date, None);

    let f = by_id(failed.id);
    assert_eq!(f.status, DeliveryStatus::Failed);
    assert_eq!(f.attempts, 5);
    assert_eq!(f.last_error.as_deref(), Some("webhook: 500"));

    // The retry's lease is gone: it is claimable when due, although the claim's lease
    // would still run; delivered and failed messages never are.
    assert!(store.claim_due(at(1), lease, 10).unwrap().is_empty());
    assert_eq!(
        message_ids(&store.claim_due(at(2), lease, 10).unwrap()),
        [retried.id]
    );

    // Requeue: only a failed message, back to pending with no attempts, due now.
    store.requeue(failed.id, at(3)).unwrap();
    let q = by_id(failed.id);
    assert_eq!(q.status, DeliveryStatus::Pending);
    assert_eq!(q.attempts, 0);
    assert_eq!(q.next_attempt_at, at(3));
    assert_eq!(
        message_ids(&store.claim_due(at(3), lease, 10).unwrap()),
        [failed.id]
    );
    let unknown = NotificationId::from_uuid(Uuid::now_v7());
    for id in [failed.id, delivered.id, retried.id, unknown] {
        match store.requeue(id, at(4)) {
            Err(Error::NotFound(t)) => assert_eq!(t.key(), Key::NotificationNotFailed),
            other => panic!("{other:?}"),
        }
    }

    for outcome in [
        store.mark_delivered(unknown, 1, &[], now),
        store.schedule_retry(unknown, 1, &[], now, "x"),
        store.mark_failed(unknown, 1, &[], "x", now),
    ] {
        match outcome {
            Err(Error::NotFound(t)) => assert_eq!(t.key(), Key::NotificationNotFound),
            other => panic!("{other:?}"),
        }
    }
});

on_each_backend!(
    /// Giving up on a draft reminder is the reminder run's business (it releases the case through
    /// `release_reminder`); the outbox records the failure and nothing else.
    mark_failed_changes_only_the_message,
    |db| {
        let store = &db.store;
        let cat = fixtures::catalogue(store);
        let case = draft(cat, "patient-1", at(-60 * 25));
        fixtures::insert(store, &case);
        let cutoff = at(-60 * 24);

        let (notice, event) = reminder(&case, at(0));
        assert!(store.flag_reminder(case.id, &notice, &event).unwrap());
        assert!(store.reminder_candidates(cutoff, 10).unwrap().is_empty());

        // A case_submitted message about the same case, failing as well.
        let unrelated = notification(NotificationKind::CaseSubmitted, &case, at(1));
        let mut current = store.find(case.id).unwrap().unwrap();
        current.version += 1;
        store
            .update(
                &current,
                current.version - 1,
                &[],
                std::slice::from_ref(&unrelated),
            )
            .unwrap();

        for id in [unrelated.id, notice.id] {
            store.mark_failed(id, 5, &[], "gone", at(2)).unwrap();
        }
        let messages = store.for_case(case.id).unwrap();
        assert_eq!(message_ids(&messages), [notice.id, unrelated.id]);
        for m in &messages {
            assert_eq!(m.status, DeliveryStatus::Failed);
            assert_eq!(m.attempts, 5);
            assert_eq!(m.last_error.as_deref(), Some("gone"));
        }

        // The case stays flagged, at the version it had, with its history as it was.
        assert_eq!(store.find(case.id).unwrap(), Some(current));
        assert!(store.reminder_candidates(cutoff, 10).unwrap().is_empty());
        assert_eq!(store.timeline(case.id).unwrap().len(), 2);
    }
);

on_each_backend!(list_and_count_filter_by_status_newest_first, |db| {
    let store = &db.store;
    let messages: Vec<Notification> = (0..5).map(|i| loose_notification(at(i))).collect();
    enqueue(store, &messages);
    store.claim_due(at(10), at(20), 10).unwrap();
    store
        .mark_failed(messages[1].id, 5, &[], "x", at(10))
        .unwrap();
    store
        .mark_failed(messages[3].id, 5, &[], "x", at(10))
        .unwrap();
    store
        .mark_delivered(messages[4].id, 1, &[], at(10))
        .unwrap();

    assert_eq!(
        message_ids(&store.list(None, 10, 0).unwrap()),
        message_ids_of(&messages)
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
    );
    assert_eq!(
        message_ids(&store.list(None, 2, 1).unwrap()),
        [messages[3].id, messages[2].id]
    );
    assert_eq!(
        message_ids(&store.list(Some(DeliveryStatus::Failed), 10, 0).unwrap()),
        [messages[3].id, messages[1].id]
    );
    assert_eq!(
        message_ids(&store.list(Some(DeliveryStatus::Pending), 10, 0).unwrap()),
        [messages[2].id, messages[0].id]
    );
    assert_eq!(store.count(None).unwrap(), 5);
    assert_eq!(store.count(Some(DeliveryStatus::Failed)).unwrap(), 2);
    assert_eq!(store.count(Some(DeliveryStatus::Delivered)).unwrap(), 1);
    assert_eq!(store.count(Some(DeliveryStatus::Pending)).unwrap(), 2);
});

on_each_backend!(
    /// The kind and the template data are stored apart; both come back as they went in.
    kind_and_data_round_trip,
    |db| {
        let store = &db.store;
        let cat = fixtures::catalogue(store);
        let case = draft(cat, "patient-1", T0);
        let submitted = notification(NotificationKind::CaseSubmitted, &case, at(1));
        let (reminded, _) = reminder(&case, at(2));
        let loose = loose_notification(at(3));
        store
            .insert(
                &case,
                &[],
                &[submitted.clone(), reminded.clone(), loose.clone()],
            )
            .unwrap();

        let stored: Vec<Notification> = store
            .for_case(case.id)
            .unwrap()
            .into_iter()
            .map(|m| m.notification)
            .collect();
        assert_eq!(stored, [submitted, reminded]);
        assert_eq!(stored[0].kind(), NotificationKind::CaseSubmitted);
        assert_eq!(stored[1].kind(), NotificationKind::DraftReminder);
        let listed = store.list(None, 1, 0).unwrap();
        assert_eq!(listed[0].notification, loose);
        assert_eq!(listed[0].notification.case_id, None);
    }
);

on_each_backend!(corrupt_messages_are_internal_errors, |db| {
    let store = &db.store;
    let message = loose_notification(at(0));
    enqueue(store, std::slice::from_ref(&message));
    for (column, value) in [
        ("kind", "'fax'"),
        ("status", "'lost'"),
        ("data", "'{'"),
        // Valid JSON that does not fit the kind's template data.
        ("data", "'{}'"),
        ("delivered_channels", "'\"webhook\"'"),
        ("attempts", "-1"),
        ("recipient_role", "'nurse'"),
    ] {
        raw_sql(
            &db,
            &format!(
                "UPDATE notification_outbox SET {column} = {value} \
                 WHERE notification_id = '{}'",
                message.id
            ),
        );
        match store.list(None, 10, 0) {
            Err(e @ Error::Internal(_)) => {
                let chain = e.chain();
                assert!(chain.contains("stored"), "{chain}");
            }
            other => panic!("{column} = {value}: {other:?}"),
        }
        raw_sql(
            &db,
            &format!(
                "UPDATE notification_outbox SET kind = '{}', status = 'pending', \
                 data = '{}', delivered_channels = '[]', attempts = 0, \
                 recipient_role = 'patient' WHERE notification_id = '{}'",
                domain::kernel::code::Code::as_str(message.kind()),
                message.data.fields().to_string().replace('\'', "''"),
                message.id
            ),
        );
        let restored = store.list(None, 10, 0).unwrap();
        assert_eq!(restored.len(), 1);
        assert_eq!(restored[0].notification, message);
    }
});
