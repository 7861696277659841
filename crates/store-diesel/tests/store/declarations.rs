//! [`DeclarationRequestRepository`] and [`VerificationRepository`]: requests read back whole and
//! seen by their legal entity only, a new request cancelling the person's earlier open ones for
//! the same doctor, conditional transitions, the list and the expiry run, signing in one write;
//! codes cancelled by newer ones and attempts that cannot be spent twice.

use domain::declarations::sign::declaration_of;
use domain::declarations::{
    Declaration, DeclarationId, DeclarationRequest, DeclarationRequestId,
    DeclarationRequestRepository, DeclarationRequestStatus as S, DeclarationStatus, OtpPolicy,
    OtpStatus, RegistryRepository, RequestFilter, StatusReason, VerificationCode,
    VerificationRepository,
};
use domain::kernel::paging::PageRequest;

use crate::declarations_fixtures::{id, imported, request, verification};
use crate::support::*;

/// `r` moved to `status` at `at` by `EMP2`.
fn moved(r: &DeclarationRequest, status: S, at: OffsetDateTime) -> DeclarationRequest {
    DeclarationRequest {
        status,
        status_reason: Some(StatusReason::DoctorConfirmed),
        seed: Some("ab".repeat(64)),
        is_shareable: true,
        updated_at: at,
        updated_by: actor("EMP2"),
        ..r.clone()
    }
}

fn ids(requests: &[DeclarationRequest]) -> Vec<DeclarationRequestId> {
    requests.iter().map(|r| r.id).collect()
}

on_each_backend!(requests_read_back_whole, |db| {
    let store = &db.store;
    let reg = imported(store);
    let full = request(&reg, &reg.persons[0], &reg.employees[0], at(1));
    assert!(store.create(&full).unwrap().is_empty());
    assert_eq!(
        store.find(full.id, full.legal_entity_id).unwrap().as_ref(),
        Some(&full)
    );

    // Every optional value absent: a child's request, expired and wiped.
    let wiped = DeclarationRequest {
        parent_declaration_id: Some(reg.declarations[0].id),
        status: S::Expired,
        status_reason: Some(StatusReason::AutoExpired),
        authentication_method_current: None,
        data_to_be_signed: None,
        printout_content: None,
        documents: Vec::new(),
        ..request(&reg, &reg.persons[1], &reg.employees[2], at(2))
    };
    store.create(&wiped).unwrap();
    assert_eq!(
        store.find(wiped.id, wiped.legal_entity_id).unwrap(),
        Some(wiped)
    );

    let id = full.id;
    raw_sql(
        &db,
        &format!(
            "UPDATE declaration_requests SET data_to_be_signed = '{{' WHERE declaration_request_id = '{id}'"
        ),
    );
    assert!(matches!(
        store.find(id, full.legal_entity_id),
        Err(Error::Internal(_))
    ));
});

on_each_backend!(
    a_new_request_cancels_the_earlier_open_ones_of_its_person_and_doctor,
    |db| {
        let store = &db.store;
        let reg = imported(store);
        let (p0, p1) = (&reg.persons[0], &reg.persons[1]);
        let (therapist, pediatrician) = (&reg.employees[0], &reg.employees[1]);
        let rejected = request(&reg, p0, therapist, at(1));
        let approved = request(&reg, p0, therapist, at(2));
        let new = request(&reg, p0, therapist, at(3));
        let other_doctor = request(&reg, p0, pediatrician, at(4));
        let other_person = request(&reg, p1, therapist, at(5));
        store.create(&rejected).unwrap();
        let rejected = DeclarationRequest {
            status: S::Rejected,
            ..rejected
        };
        assert!(store.save_transition(&rejected, S::New).unwrap());
        // A rejected request is not open: nothing to cancel.
        assert!(store.create(&approved).unwrap().is_empty());
        let approved = moved(&approved, S::Approved, at(2));
        assert!(store.save_transition(&approved, S::New).unwrap());
        for r in [&other_doctor, &other_person] {
            assert!(store.create(r).unwrap().is_empty());
        }
        let cancelled = |r: &DeclarationRequest, by: &DeclarationRequest| DeclarationRequest {
            status: S::Cancelled,
            status_reason: Some(StatusReason::NewRequestCreated),
            updated_at: by.updated_at,
            updated_by: by.updated_by.clone(),
            ..r.clone()
        };
        assert_eq!(store.create(&new).unwrap(), [approved.id]);
        assert_eq!(
            store.find(approved.id, approved.legal_entity_id).unwrap(),
            Some(cancelled(&approved, &new))
        );
        let latest = DeclarationRequest {
            updated_by: actor("EMP9"),
            ..request(&reg, p0, therapist, at(6))
        };
        assert_eq!(store.create(&latest).unwrap(), [new.id]);
        assert_eq!(
            store.find(new.id, new.legal_entity_id).unwrap(),
            Some(cancelled(&new, &latest))
        );
        // Never two open requests of one person for one doctor, however written.
        assert!(matches!(
            store.save_transition(&approved, S::Cancelled),
            Err(Error::Conflict(_))
        ));
        for r in [&rejected, &other_doctor, &other_person] {
            assert_eq!(
                store.find(r.id, r.legal_entity_id).unwrap().as_ref(),
                Some(r)
            );
        }
        assert_eq!(
            store.find(latest.id, latest.legal_entity_id).unwrap(),
            Some(latest.clone())
        );

        // A request that cannot be written cancels nothing: one transaction.
        let broken = DeclarationRequest {
            division_id: id(),
            ..request(&reg, p0, therapist, at(7))
        };
        assert!(store.create(&broken).is_err());
        assert_eq!(
            store
                .find(latest.id, latest.legal_entity_id)
                .unwrap()
                .unwrap()
                .status,
            S::New
        );
    }
);

on_each_backend!(a_request_is_found_by_its_legal_entity_only, |db| {
    let store = &db.store;
    let reg = imported(store);
    let r = request(&reg, &reg.persons[0], &reg.employees[0], at(1));
    store.create(&r).unwrap();
    let (a, b) = (reg.legal_entities[0].id, reg.legal_entities[1].id);
    assert_eq!(r.legal_entity_id, a);
    assert!(store.find(r.id, a).unwrap().is_some());
    assert_eq!(store.find(r.id, b).unwrap(), None);
    assert_eq!(store.find(id(), a).unwrap(), None);
    let page = store
        .list(b, &RequestFilter::default(), PageRequest::default())
        .unwrap();
    assert_eq!((page.items.len(), page.total), (0, 0));
});

on_each_backend!(the_list_filters_pages_and_puts_the_newest_first, |db| {
    let store = &db.store;
    let reg = imported(store);
    let (p, e) = (&reg.persons, &reg.employees);
    let r1 = request(&reg, &p[0], &e[0], at(1));
    let r2 = request(&reg, &p[1], &e[0], at(2));
    let r3 = request(&reg, &p[2], &e[0], at(3));
    let r4 = request(&reg, &p[0], &e[1], at(4));
    let r5 = request(&reg, &p[1], &e[1], at(5));
    let in_b = request(&reg, &p[0], &e[2], at(6));
    for r in [&r1, &r2, &r3, &r4, &r5, &in_b] {
        store.create(r).unwrap();
    }
    let r2 = moved(&r2, S::Approved, at(7));
    assert!(store.save_transition(&r2, S::New).unwrap());
    let a = reg.legal_entities[0].id;
    let list = |filter: RequestFilter, page: i64, size: i64| {
        let page = PageRequest::from_client(Some(page), Some(size), "page_size").unwrap();
        let page = store.list(a, &filter, page).unwrap();
        (ids(&page.items), page.total)
    };
    let all = RequestFilter::default();
    assert_eq!(
        list(all.clone(), 1, 10),
        (vec![r5.id, r4.id, r3.id, r2.id, r1.id], 5)
    );
    assert_eq!(list(all.clone(), 2, 2), (vec![r3.id, r2.id], 5));
    assert_eq!(list(all.clone(), 3, 2), (vec![r1.id], 5));
    assert_eq!(list(all, 4, 2), (vec![], 5));
    let approved = RequestFilter {
        status: Some(S::Approved),
        ..RequestFilter::default()
    };
    assert_eq!(list(approved, 1, 10), (vec![r2.id], 1));
    let of_p0 = RequestFilter {
        person_id: Some(p[0].id),
        ..RequestFilter::default()
    };
    assert_eq!(list(of_p0, 1, 10), (vec![r4.id, r1.id], 2));
    let of_e1 = RequestFilter {
        employee_id: Some(e[1].id),
        ..RequestFilter::default()
    };
    assert_eq!(list(of_e1, 1, 1), (vec![r5.id], 2));
    let new_of_e0 = RequestFilter {
        status: Some(S::New),
        employee_id: Some(e[0].id),
        ..RequestFilter::default()
    };
    assert_eq!(list(new_of_e0, 1, 10), (vec![r3.id, r1.id], 2));
    let everything = RequestFilter {
        status: Some(S::Approved),
        person_id: Some(p[1].id),
        employee_id: Some(e[0].id),
    };
    assert_eq!(list(everything, 1, 10), (vec![r2.id], 1));
    let page = store
        .list(a, &RequestFilter::default(), PageRequest::default())
        .unwrap();
    assert_eq!(page.items[3], r2, "rows read back whole");
});

on_each_backend!(
    a_transition_writes_only_from_the_status_it_was_read_in,
    |db| {
        let store = &db.store;
        let reg = imported(store);
        let r = request(&reg, &reg.persons[0], &reg.employees[0], at(1));
        store.create(&r).unwrap();
        let approved = moved(&r, S::Approved, at(2));
        assert!(store.save_transition(&approved, S::New).unwrap());
        let rejected = DeclarationRequest {
            status: S::Rejected,
            status_reason: Some(StatusReason::DoctorRejected),
            ..r.clone()
        };
        // Read as NEW before the approval landed: refused, nothing written.
        assert!(!store.save_transition(&rejected, S::New).unwrap());
        assert_eq!(
            store.find(r.id, r.legal_entity_id).unwrap(),
            Some(approved.clone())
        );
        // The expiry wipes the personal data in the same write.
        let expired = DeclarationRequest {
            status: S::Expired,
            status_reason: Some(StatusReason::AutoExpired),
            data_to_be_signed: None,
            authentication_method_current: None,
            printout_content: None,
            documents: Vec::new(),
            updated_at: at(3),
            ..approved.clone()
        };
        assert!(store.save_transition(&expired, S::Approved).unwrap());
        assert_eq!(store.find(r.id, r.legal_entity_id).unwrap(), Some(expired));
        let unknown = DeclarationRequest {
            id: id(),
            ..approved
        };
        assert!(!store.save_transition(&unknown, S::New).unwrap());
    }
);

on_each_backend!(
    expirable_requests_are_the_old_unsigned_ones_oldest_first,
    |db| {
        let store = &db.store;
        let reg = imported(store);
        let (p, e) = (&reg.persons, &reg.employees);
        let mut made = Vec::new();
        for (i, (minutes, status)) in [
            (-300, S::New),
            (-250, S::Signed),
            (-200, S::Approved),
            (-150, S::Expired),
            (-100, S::Rejected),
            (-90, S::Cancelled),
            (10, S::New),
        ]
        .into_iter()
        .enumerate()
        {
            // A different person or doctor each time, so that no create cancels another.
            let r = request(&reg, &p[i % 3], &e[i / 3], at(minutes));
            store.create(&r).unwrap();
            let r = DeclarationRequest { status, ..r };
            if status != S::New {
                assert!(store.save_transition(&r, S::New).unwrap());
            }
            made.push(r);
        }
        let expirable = store.expirable(at(0), 10).unwrap();
        assert_eq!(
            ids(&expirable),
            [made[0].id, made[2].id, made[4].id, made[5].id]
        );
        assert_eq!(expirable[1], made[2]);
        assert_eq!(
            ids(&store.expirable(at(0), 2).unwrap()),
            [made[0].id, made[2].id]
        );
        assert!(store.expirable(at(-300), 10).unwrap().is_empty());
    }
);

on_each_backend!(a_new_code_cancels_the_phones_earlier_ones, |db| {
    let store = &db.store;
    let first = verification("+380970000001", at(0));
    let other_phone = verification("+380970000002", at(1));
    let second = verification("+380970000001", at(2));
    store.store(&first).unwrap();
    assert_eq!(
        store.latest("+380970000001").unwrap().as_ref(),
        Some(&first)
    );
    store.store(&other_phone).unwrap();
    store.store(&second).unwrap();
    assert_eq!(
        store.latest("+380970000001").unwrap().as_ref(),
        Some(&second)
    );
    assert_eq!(
        store.latest("+380970000002").unwrap().as_ref(),
        Some(&other_phone)
    );
    assert_eq!(store.latest("+380970000009").unwrap(), None);
    // The first is cancelled already: only the second is left to cancel.
    assert_eq!(store.cancel("+380970000001").unwrap(), 1);
    assert_eq!(store.cancel("+380970000001").unwrap(), 0);
    assert_eq!(
        store.latest("+380970000001").unwrap().unwrap().status,
        OtpStatus::Cancelled
    );
    assert_eq!(
        store.latest("+380970000002").unwrap().unwrap().status,
        OtpStatus::New
    );
});

on_each_backend!(two_tries_cannot_both_spend_the_last_attempt, |db| {
    let store = &db.store;
    let policy = OtpPolicy::default();
    let code = verification("+380970000001", at(0));
    store.store(&code).unwrap();
    let wrong = VerificationCode::from_payload(111);
    let mut stored = code.clone();
    for _ in 0..2 {
        let (next, _) = stored.attempt(&wrong, at(1), policy);
        assert!(store.record_attempt(&next, stored.attempts_count).unwrap());
        // The same attempt again, from the count it was read with: refused.
        assert!(!store.record_attempt(&next, stored.attempts_count).unwrap());
        stored = store.latest("+380970000001").unwrap().unwrap();
        assert_eq!(stored, next);
    }
    assert_eq!(stored.attempts_count, 2);
    // The last attempt, tried from two threads at once: one of them spends it.
    let (last, _) = stored.attempt(&wrong, at(2), policy);
    assert_eq!(last.status, OtpStatus::Unverified);
    let wrote: Vec<bool> = std::thread::scope(|s| {
        let tries: Vec<_> = (0..2)
            .map(|_| s.spawn(|| store.record_attempt(&last, 2).unwrap()))
            .collect();
        tries.into_iter().map(|t| t.join().unwrap()).collect()
    });
    assert_eq!(wrote.iter().filter(|w| **w).count(), 1, "{wrote:?}");
    assert_eq!(store.latest("+380970000001").unwrap(), Some(last.clone()));
    // A code no longer new takes no attempt.
    assert!(!store.record_attempt(&last, 3).unwrap());

    let right = VerificationCode::from_payload(374);
    let fresh = verification("+380970000001", at(3));
    store.store(&fresh).unwrap();
    let (verified, _) = fresh.attempt(&right, at(4), policy);
    assert_eq!(verified.status, OtpStatus::Verified);
    assert!(store.record_attempt(&verified, 0).unwrap());
    assert_eq!(store.latest("+380970000001").unwrap(), Some(verified));
});

/// `declaration`'s `signed_at` as stored.
fn signed_at(db: &TestDb, declaration: DeclarationId) -> Option<String> {
    use diesel::prelude::*;
    use diesel::sql_types::{Nullable, Text};
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Nullable<Text>)]
        signed_at: Option<String>,
    }
    let sql = format!("SELECT signed_at FROM declarations WHERE declaration_id = '{declaration}'");
    let rows: Vec<Row> = match db.backend() {
        Backend::Sqlite => diesel::sql_query(sql)
            .load(&mut SqliteConnection::establish(sqlite_path(db)).unwrap())
            .unwrap(),
        Backend::Postgres => diesel::sql_query(sql)
            .load(&mut PgConnection::establish(&db.url).unwrap())
            .unwrap(),
    };
    rows.into_iter().next().and_then(|r| r.signed_at)
}

on_each_backend!(
    signing_writes_the_request_its_declaration_and_the_parents_end_at_once,
    |db| {
        let store = &db.store;
        let reg = imported(store);
        let (active_parent, pending_parent) = (&reg.declarations[0], &reg.declarations[1]);
        let child = |person: usize, parent: &Declaration, minutes| {
            let r = DeclarationRequest {
                parent_declaration_id: Some(parent.id),
                ..request(&reg, &reg.persons[person], &reg.employees[1], at(minutes))
            };
            store.create(&r).unwrap();
            let approved = moved(&r, S::Approved, at(minutes + 1));
            assert!(store.save_transition(&approved, S::New).unwrap());
            let signed = DeclarationRequest {
                status: S::Signed,
                status_reason: Some(StatusReason::DoctorSigned),
                updated_at: at(minutes + 2),
                ..approved
            };
            let declaration = declaration_of(&signed);
            (signed, declaration)
        };

        let (signed, declaration) = child(0, active_parent, 10);
        // Read before the approval: refused, and nothing of it written.
        let parent = Some(active_parent.id);
        assert!(!store.sign(&signed, S::New, &declaration, parent).unwrap());
        assert_eq!(
            store
                .find(signed.id, signed.legal_entity_id)
                .unwrap()
                .unwrap()
                .status,
            S::Approved
        );
        assert_eq!(store.declaration(declaration.id).unwrap(), None);
        assert_eq!(
            store.declaration(active_parent.id).unwrap().as_ref(),
            Some(active_parent)
        );

        assert!(
            store
                .sign(&signed, S::Approved, &declaration, parent)
                .unwrap()
        );
        assert_eq!(
            store.find(signed.id, signed.legal_entity_id).unwrap(),
            Some(signed.clone())
        );
        assert_eq!(
            store.declaration(declaration.id).unwrap(),
            Some(declaration.clone())
        );
        assert_eq!(
            signed_at(&db, declaration.id),
            Some("2026-11-23T12:12:00.123456Z".to_owned())
        );
        let ended = Declaration {
            status: DeclarationStatus::Terminated,
            reason: Some("auto_reorganization".to_owned()),
            ..active_parent.clone()
        };
        assert_eq!(store.declaration(active_parent.id).unwrap(), Some(ended));
        assert!(
            !store
                .sign(&signed, S::Approved, &declaration, parent)
                .unwrap()
        );

        // A parent no longer active is left as it is.
        let (signed, declaration) = child(2, pending_parent, 20);
        assert!(
            store
                .sign(&signed, S::Approved, &declaration, Some(pending_parent.id))
                .unwrap()
        );
        assert_eq!(
            store.declaration(pending_parent.id).unwrap().as_ref(),
            Some(pending_parent)
        );
        assert_eq!(signed_at(&db, pending_parent.id), None);
    }
);
