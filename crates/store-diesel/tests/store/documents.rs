//! Documents in storage: a row and its audit entry in one transaction that takes the key off the
//! trash list, the same bytes once per owner (also under concurrent uploads), hidden documents left
//! out and purged into the trash, a patient with documents kept from a hard delete.

use domain::clinic::{AuditAction, HardDelete, PatientRepository};
use domain::documents::{ContentType, Document, DocumentId, DocumentRepository, Owner, Saved};
use domain::kernel::blob::Sha256;
use domain::kernel::paging::PageRequest;

use super::imaging_fixtures::{audit, audit_rows, count_of, create_patient, rows};
use super::support::*;

fn document(owner: Owner, digest: u8, created: OffsetDateTime) -> Document {
    let id = DocumentId::from_uuid(Uuid::now_v7());
    Document {
        id,
        owner,
        key: Document::key_for(id).unwrap(),
        name: "تقرير.pdf".to_owned(),
        title: Some("Referral".to_owned()),
        kind: Some(domain::documents::DocumentKind::Referral),
        content_type: ContentType::Pdf,
        size: 1234,
        sha256: Sha256([digest; 32]),
        uploaded_by: actor("staff-1"),
        created_at: created,
        deleted_at: None,
    }
}

fn trashed(db: &TestDb) -> i64 {
    rows(db, "blob_trash")
}

on_each_backend!(a_document_reads_back_whole_and_leaves_the_trash, |db| {
    let store = &db.store;
    let patient = create_patient(store, "Omar").id;
    let doc = document(Owner::Patient(patient), 1, at(0));
    store.reserve_blob(&doc.key, at(60)).unwrap();
    assert_eq!(trashed(&db), 1);
    let entry = audit(AuditAction::DocumentUpload, Some(patient));
    assert_eq!(
        store.insert(&doc, Some(&entry)).unwrap(),
        Saved::Created(doc.clone())
    );
    assert_eq!(trashed(&db), 0, "the row's key is off the trash list");
    assert_eq!(audit_rows(&db, "document.upload"), 1);
    assert_eq!(
        DocumentRepository::find(store, doc.id).unwrap(),
        Some(doc.clone())
    );
    assert_eq!(
        store.find_by_keys(std::slice::from_ref(&doc.key)).unwrap(),
        vec![doc.clone()]
    );
    let user = Owner::AppUser(actor("patient-1"));
    let mine = Document {
        title: None,
        kind: None,
        ..document(user.clone(), 2, at(1))
    };
    store.insert(&mine, None).unwrap();
    assert_eq!(
        store.find_by_hash(&user, &Sha256([2; 32])).unwrap(),
        Some(mine)
    );
    assert_eq!(store.find_by_hash(&user, &Sha256([1; 32])).unwrap(), None);
});

on_each_backend!(the_same_bytes_are_kept_once_per_owner, |db| {
    let store = &db.store;
    let owner = Owner::AppUser(actor("patient-1"));
    let first = document(owner.clone(), 7, at(0));
    store.insert(&first, None).unwrap();
    // A second upload that did not see the first when it looked: the index answers the first.
    let second = document(owner, 7, at(1));
    assert_eq!(
        store.insert(&second, None).unwrap(),
        Saved::Existing(first.clone())
    );
    // Another owner may hold the same bytes.
    let other = document(Owner::AppUser(actor("patient-2")), 7, at(2));
    assert_eq!(
        store.insert(&other, None).unwrap(),
        Saved::Created(other.clone())
    );
    assert_eq!(rows(&db, "documents"), 2);
});

on_each_backend!(
    concurrent_uploads_of_the_same_bytes_make_one_document,
    |db| {
        let store = &db.store;
        let owner = Owner::AppUser(actor("patient-1"));
        let saved: Vec<Saved> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|i| {
                    let owner = owner.clone();
                    s.spawn(move || store.insert(&document(owner, 9, at(i)), None).unwrap())
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let created = saved
            .iter()
            .filter(|s| matches!(s, Saved::Created(_)))
            .count();
        assert_eq!(created, 1);
        let ids: std::collections::HashSet<DocumentId> =
            saved.iter().map(|s| s.document().id).collect();
        assert_eq!(ids.len(), 1, "every upload answers the one document");
    }
);

on_each_backend!(
    hidden_documents_leave_lists_and_are_purged_into_the_trash,
    |db| {
        let store = &db.store;
        let patient = create_patient(store, "Omar").id;
        let docs: Vec<Document> = (0..3)
            .map(|i| {
                let d = document(Owner::Patient(patient), i, at(i64::from(i)));
                store.insert(&d, None).unwrap();
                d
            })
            .collect();
        let page = store
            .list_for_patient(patient, PageRequest::default())
            .unwrap();
        assert_eq!(page.total, 3);
        let newest: Vec<DocumentId> = page.items.iter().map(|d| d.id).collect();
        assert_eq!(newest, vec![docs[2].id, docs[1].id, docs[0].id]);

        let entry = audit(AuditAction::DocumentDelete, Some(patient));
        assert!(store.hide(docs[1].id, at(10), &entry).unwrap());
        assert!(
            !store.hide(docs[1].id, at(11), &entry).unwrap(),
            "already hidden"
        );
        assert_eq!(audit_rows(&db, "document.delete"), 1);
        assert_eq!(
            store
                .list_for_patient(patient, PageRequest::default())
                .unwrap()
                .total,
            2
        );
        assert!(
            store
                .find_by_keys(std::slice::from_ref(&docs[1].key))
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            DocumentRepository::find(store, docs[1].id)
                .unwrap()
                .unwrap()
                .deleted_at,
            Some(at(10))
        );
        // Hidden documents still refer to the patient.
        let hard = PatientRepository::hard_delete(
            store,
            patient,
            &audit(AuditAction::PatientHardDelete, Some(patient)),
        )
        .unwrap();
        assert!(
            matches!(hard, HardDelete::Referenced { documents: 3, .. }),
            "{hard:?}"
        );

        // Not yet past retention; then past it.
        assert!(store.purge_hidden(at(9), at(20), 10).unwrap().is_empty());
        let keys = store.purge_hidden(at(10), at(20), 10).unwrap();
        assert_eq!(keys, vec![docs[1].key.clone()]);
        assert_eq!(rows(&db, "documents"), 2);
        assert_eq!(
            count_of(
                &db,
                &format!(
                    "SELECT COUNT(*) AS n FROM blob_trash WHERE blob_key = '{}'",
                    docs[1].key
                )
            ),
            1
        );
        store.forget_trash(&keys).unwrap();
        assert_eq!(trashed(&db), 0);
    }
);
