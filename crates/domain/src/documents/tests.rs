//! The document services against mocks of their ports: what reaches the blob store, the trash list
//! and the rows on every path of an upload, a claim on a case, a patient's document and retention.

use std::sync::Arc;

use mockall::predicate::always;

use super::content::ContentType;
use super::document::{Document, DocumentId, MockDocumentRepository, Owner, Saved};
use super::link::MockFileLinks;
use super::patient_documents::{PatientDocumentService, PatientFiling};
use super::service::{DocumentPorts, DocumentService, DocumentSettings};
use crate::Error;
use crate::clinic::PatientId;
use crate::clinic::audit::{MockAuditRepository, Who};
use crate::clinic::patient::{Patient, PatientDetails};
use crate::clinic::patient_ports::MockPatientRepository;
use crate::identity::Role;
use crate::kernel::blob::{BlobInfo, BlobKey, MockBlobStore, Sha256, StagedBlob};
use crate::kernel::ids::ActorId;
use crate::kernel::text::Key;
use crate::second_opinion::MedicalDocument;
use crate::testing::{FixedClock, NOW, SequentialIds, uuid};

const PDF: &[u8] = b"%PDF-1.7 a report";

fn user(name: &str) -> ActorId {
    ActorId::from_stored(name.to_owned())
}

fn staged(head: &[u8]) -> StagedBlob {
    StagedBlob {
        handle: "staging/1".to_owned(),
        size: head.len() as u64,
        sha256: Sha256([7; 32]),
        head: head.to_vec(),
    }
}

fn document(id: u128, owner: Owner) -> Document {
    let id = DocumentId::from_uuid(uuid(id));
    Document {
        id,
        owner,
        key: Document::key_for(id).unwrap(),
        name: "report.pdf".to_owned(),
        title: None,
        kind: None,
        content_type: ContentType::Pdf,
        size: PDF.len() as u64,
        sha256: Sha256([7; 32]),
        uploaded_by: user("patient-1"),
        created_at: NOW,
        deleted_at: None,
    }
}

fn links() -> MockFileLinks {
    let mut links = MockFileLinks::new();
    links.expect_link().returning(|key, at| {
        Ok(format!(
            "https://care.example/files/{key}?exp={}&sig=s",
            at.unix_timestamp()
        ))
    });
    links
}

fn service(repo: MockDocumentRepository, blobs: MockBlobStore) -> DocumentService {
    DocumentService::new(
        DocumentPorts {
            repository: Arc::new(repo),
            blobs: Arc::new(blobs),
            links: Arc::new(links()),
            clock: Arc::new(FixedClock(NOW)),
            ids: Arc::new(SequentialIds::default()),
        },
        DocumentSettings::default(),
    )
}

fn staging_store(head: &'static [u8]) -> MockBlobStore {
    let mut blobs = MockBlobStore::new();
    blobs
        .expect_stage()
        .times(1)
        .returning(move |_, _| Ok(staged(head)));
    blobs
}

/// The store commits the staged upload once, under the key it is given.
fn commits_once(blobs: &mut MockBlobStore) {
    blobs.expect_commit().times(1).returning(|staged, key| {
        Ok(BlobInfo {
            key: key.clone(),
            size: staged.size,
            sha256: staged.sha256,
        })
    });
}

#[test]
fn a_new_upload_is_committed_under_a_reserved_key_and_linked() {
    let mut blobs = staging_store(PDF);
    commits_once(&mut blobs);
    blobs.expect_discard().never();
    let mut repo = MockDocumentRepository::new();
    repo.expect_find_by_hash()
        .times(1)
        .returning(|_, _| Ok(None));
    repo.expect_reserve_blob().times(1).returning(|_, _| Ok(()));
    repo.expect_insert().times(1).returning(|d, audit| {
        assert!(audit.is_none());
        Ok(Saved::Created(d.clone()))
    });
    let service = service(repo, blobs);
    let upload = service.stage(&mut &PDF[..]).unwrap();
    assert_eq!(upload.content_type, ContentType::Pdf);
    let linked = service
        .upload_for_user(&user("patient-1"), upload, Some(" ../../etc/passwd "))
        .unwrap();
    assert!(linked.created);
    assert_eq!(linked.document.name, "../../etc/passwd");
    assert!(linked.document.key.as_str().starts_with("documents/"));
    let expires = (NOW + std::time::Duration::from_secs(900)).unix_timestamp();
    assert!(
        linked.url.contains(&format!("exp={expires}")),
        "{}",
        linked.url
    );
}

#[test]
fn the_same_bytes_again_are_the_earlier_document_and_nothing_is_stored() {
    let mut blobs = staging_store(PDF);
    blobs.expect_commit().never();
    blobs.expect_discard().times(1).returning(|_| Ok(()));
    let mut repo = MockDocumentRepository::new();
    let earlier = document(5, Owner::AppUser(user("patient-1")));
    let answer = earlier.clone();
    repo.expect_find_by_hash()
        .times(1)
        .returning(move |_, _| Ok(Some(answer.clone())));
    repo.expect_insert().never();
    let service = service(repo, blobs);
    let upload = service.stage(&mut &PDF[..]).unwrap();
    let linked = service
        .upload_for_user(&user("patient-1"), upload, None)
        .unwrap();
    assert!(!linked.created);
    assert_eq!(linked.document, earlier);
}

#[test]
fn bytes_of_no_accepted_type_are_dropped_at_once() {
    let mut blobs = staging_store(b"MZ\x90\x00 an executable");
    blobs.expect_discard().times(1).returning(|_| Ok(()));
    blobs.expect_commit().never();
    let service = service(MockDocumentRepository::new(), blobs);
    let refused = service.stage(&mut &b"MZ"[..]).unwrap_err();
    assert!(matches!(refused, Error::Unsupported(t) if t.key() == Key::DocumentUnsupportedType));
}

#[test]
fn a_failed_insert_deletes_the_committed_bytes() {
    let mut blobs = staging_store(PDF);
    commits_once(&mut blobs);
    blobs.expect_delete().times(1).returning(|_| Ok(true));
    let mut repo = MockDocumentRepository::new();
    repo.expect_find_by_hash().returning(|_, _| Ok(None));
    repo.expect_reserve_blob().returning(|_, _| Ok(()));
    repo.expect_insert()
        .returning(|_, _| Err(Error::Internal(crate::Cause::new("disk full"))));
    repo.expect_forget_trash().times(1).returning(|_| Ok(()));
    let service = service(repo, blobs);
    let upload = service.stage(&mut &PDF[..]).unwrap();
    assert!(matches!(
        service.upload_for_user(&user("patient-1"), upload, None),
        Err(Error::Internal(_))
    ));
}

fn claimed(
    docs: Vec<MedicalDocument>,
    stored: Vec<Document>,
) -> crate::Result<Vec<MedicalDocument>> {
    let mut repo = MockDocumentRepository::new();
    repo.expect_find_by_keys()
        .returning(move |_| Ok(stored.clone()));
    service(repo, MockBlobStore::new()).claim(&user("patient-1"), docs)
}

fn case_doc(key: &str) -> MedicalDocument {
    MedicalDocument {
        url: "https://elsewhere.example/a.pdf".to_owned(),
        key: key.to_owned(),
        name: "a.pdf".to_owned(),
    }
}

#[test]
fn a_case_takes_the_patients_own_uploads_and_outside_documents() {
    let mine = document(1, Owner::AppUser(user("patient-1")));
    let docs = vec![
        case_doc(mine.key.as_str()),
        case_doc("uploads/elsewhere/a.pdf"),
    ];
    let kept = claimed(docs, vec![mine.clone()]).unwrap();
    assert_eq!(kept[0].url, format!("/files/{}", mine.key));
    assert_eq!(kept[1].url, "https://elsewhere.example/a.pdf");
}

#[test]
fn another_patients_upload_or_an_unknown_key_is_not_found() {
    let theirs = document(2, Owner::AppUser(user("patient-2")));
    let clinic = document(3, Owner::Patient(PatientId::from_uuid(uuid(9))));
    for (case, key, stored) in [
        (
            "another patient's",
            theirs.key.to_string(),
            vec![theirs.clone()],
        ),
        (
            "a clinic patient's",
            clinic.key.to_string(),
            vec![clinic.clone()],
        ),
        (
            "none",
            "documents/0198a3c4-0000-7000-8000-000000000001".to_owned(),
            vec![],
        ),
        ("not a key", "documents/../x".to_owned(), vec![]),
    ] {
        let refused = claimed(vec![case_doc(&key)], stored).unwrap_err();
        assert!(
            matches!(&refused, Error::NotFound(t) if t.key() == Key::DocumentNotFound),
            "{case}: {refused:?}"
        );
    }
}

#[test]
fn case_documents_get_fresh_links_and_outside_ones_keep_theirs() {
    let service = service(MockDocumentRepository::new(), MockBlobStore::new());
    let mut docs = vec![
        case_doc("documents/0198a3c4-0000-7000-8000-000000000001"),
        case_doc("uploads/x.pdf"),
    ];
    service.refresh_links(&mut docs).unwrap();
    assert!(
        docs[0]
            .url
            .starts_with("https://care.example/files/documents/")
    );
    assert_eq!(docs[1].url, "https://elsewhere.example/a.pdf");
}

#[test]
fn retention_removes_rows_then_bytes_in_batches() {
    let mut repo = MockDocumentRepository::new();
    let mut round = 0;
    repo.expect_purge_hidden()
        .times(2)
        .returning(move |before, due, limit| {
            assert_eq!(due, NOW);
            assert_eq!(before, NOW - std::time::Duration::from_secs(30 * 24 * 3600));
            round += 1;
            let n = if round == 1 { limit } else { 3 };
            Ok((0..n)
                .map(|i| BlobKey::parse(&format!("documents/{round}-{i}")).unwrap())
                .collect())
        });
    repo.expect_forget_trash().times(2).returning(|_| Ok(()));
    let mut blobs = MockBlobStore::new();
    blobs.expect_delete().with(always()).returning(|key| {
        if key.as_str() == "documents/2-0" {
            Err(Error::Internal(crate::Cause::new("down")))
        } else {
            Ok(true)
        }
    });
    let purged = service(repo, blobs).purge().unwrap();
    assert_eq!(purged.documents, 503);
    assert_eq!(purged.failed, 1);
}

fn receptionist() -> Who {
    Who {
        actor: user("reception"),
        roles: vec![Role::Receptionist],
        request_id: None,
    }
}

fn patient(id: PatientId, deleted: bool) -> Patient {
    Patient {
        id,
        mrn: "MRN00000001".to_owned(),
        details: PatientDetails {
            name: "Omar Haddad".to_owned(),
            name_ar: None,
            birth_date: None,
            sex: None,
            phone: None,
            national_id: None,
            address: None,
        },
        created_at: NOW,
        updated_at: NOW,
        created_by: user("reception"),
        updated_by: user("reception"),
        deleted_at: deleted.then_some(NOW),
    }
}

#[test]
fn a_patient_document_is_filed_with_its_audit_entry_naming_it() {
    let pid = PatientId::from_uuid(uuid(9));
    let mut patients = MockPatientRepository::new();
    patients
        .expect_find()
        .returning(move |id| Ok(Some(patient(id, false))));
    let mut blobs = staging_store(PDF);
    commits_once(&mut blobs);
    let mut repo = MockDocumentRepository::new();
    repo.expect_find_by_hash().returning(|_, _| Ok(None));
    repo.expect_reserve_blob().returning(|_, _| Ok(()));
    repo.expect_insert().times(1).returning(|d, audit| {
        let entry = audit.expect("an upload is audited with its row");
        assert_eq!(entry.object_id, Some(d.id.to_string()));
        assert!(entry.patient.is_some());
        Ok(Saved::Created(d.clone()))
    });
    let documents = service(repo, blobs);
    let upload = documents.stage(&mut &PDF[..]).unwrap();
    let clinic = PatientDocumentService::new(
        documents,
        Arc::new(patients),
        Arc::new(MockAuditRepository::new()),
    );
    let filing = PatientFiling {
        title: Some("Referral letter".to_owned()),
        kind: Some("referral".to_owned()),
        file_name: Some("letter.pdf".to_owned()),
    };
    let linked = clinic.upload(&receptionist(), pid, upload, filing).unwrap();
    assert_eq!(linked.document.title.as_deref(), Some("Referral letter"));
    assert_eq!(linked.document.owner, Owner::Patient(pid));
}

#[test]
fn a_refused_patient_filing_drops_the_upload() {
    let bad_kind = PatientFiling {
        kind: Some("x-ray".to_owned()),
        ..PatientFiling::default()
    };
    for (case, filing, expected) in [
        ("a deleted patient", PatientFiling::default(), "not_found"),
        ("an unknown kind", bad_kind, "validation"),
    ] {
        let mut blobs = staging_store(PDF);
        blobs.expect_discard().times(1).returning(|_| Ok(()));
        blobs.expect_commit().never();
        let documents = service(MockDocumentRepository::new(), blobs);
        let upload = documents.stage(&mut &PDF[..]).unwrap();
        let mut patients = MockPatientRepository::new();
        patients
            .expect_find()
            .returning(move |id| Ok(Some(patient(id, true))));
        let clinic = PatientDocumentService::new(
            documents,
            Arc::new(patients),
            Arc::new(MockAuditRepository::new()),
        );
        let refused = clinic
            .upload(
                &receptionist(),
                PatientId::from_uuid(uuid(9)),
                upload,
                filing,
            )
            .unwrap_err();
        let kind = match refused {
            Error::NotFound(_) => "not_found",
            Error::Validation(_) => "validation",
            _ => "other",
        };
        assert_eq!(kind, expected, "{case}");
    }
}
