use std::sync::Arc;

use super::*;
use crate::kernel::time::MockClock;
use crate::notifications::NotificationKind;
use crate::second_opinion::case::MockCaseRepository;
use crate::second_opinion::catalogue::MockCatalogueRepository;
use crate::testing::{self, NOW, SequentialIds};
use time::macros::datetime;

const RT: &str = "0193a1c0-0000-7000-8000-000000000001";
const DC: &str = "0193a1c0-0000-7000-8000-000000000101";
const CASE: &str = "0193a1c0-0000-7000-8000-00000000ca5e";

fn user() -> ActorId {
    ActorId::parse("patient-1").unwrap()
}

fn catalogue(active: bool) -> CatalogueService {
    let mut repo = MockCatalogueRepository::new();
    repo.expect_find_review_type().returning(move |id| {
        Ok(Some(ReviewType {
            id,
            active,
            ..testing::review_type()
        }))
    });
    repo.expect_find_disease_category().returning(|id| {
        Ok(Some(crate::second_opinion::DiseaseCategory {
            id,
            ..testing::disease_category()
        }))
    });
    CatalogueService::new(Arc::new(repo), clock(), Arc::new(SequentialIds::default()))
}

fn clock() -> Arc<MockClock> {
    let mut clock = MockClock::new();
    clock.expect_now().return_const(NOW);
    Arc::new(clock)
}

fn service(cases: MockCaseRepository, active: bool) -> CaseService {
    CaseService::new(
        Arc::new(cases),
        catalogue(active),
        clock(),
        Arc::new(SequentialIds::default()),
    )
}

fn input(status: &str) -> CaseInput {
    CaseInput {
        rt_id: RT.into(),
        dc_id: DC.into(),
        patient_age: 54,
        patient_gender: "female".into(),
        status: status.into(),
        medical_history: Some("  Hypertension since 2019  ".into()),
        medical_documents: None,
    }
}

fn doc(i: usize) -> MedicalDocument {
    MedicalDocument {
        url: format!("u{i}"),
        key: format!("k{i}"),
        name: format!("n{i}"),
    }
}

fn stored(status: CaseStatus, docs: usize) -> ReviewCase {
    ReviewCase {
        patient_age: PatientAge::parse(50).unwrap(),
        patient_gender: Gender::Male,
        status,
        medical_history: Some("old history".into()),
        medical_documents: (0..docs).map(doc).collect(),
        version: 4,
        created_date: datetime!(2026-11-20 08:00 UTC),
        updated_date: datetime!(2026-11-20 08:00 UTC),
        ..testing::review_case()
    }
}

fn field_names(e: Error) -> Vec<String> {
    match e {
        Error::Validation(f) => f.into_iter().map(|f| f.field).collect(),
        other => panic!("expected validation, got {other:?}"),
    }
}

#[test]
fn saving_a_draft_writes_the_case_and_its_timeline_without_notifying() {
    let mut cases = MockCaseRepository::new();
    cases
        .expect_insert()
        .withf(|case, timeline, notices| {
            case.status == CaseStatus::Draft
                && case.user_id.as_str() == "patient-1"
                && case.medical_history.as_deref() == Some("Hypertension since 2019")
                && case.medical_documents.is_empty()
                && case.lang == Lang::Ar
                && case.version == 1
                && timeline.len() == 1
                && timeline[0].event == TimelineEvent::Created
                && timeline[0].to_status == Some(CaseStatus::Draft)
                && notices.is_empty()
        })
        .times(1)
        .returning(|_, _, _| Ok(()));
    let case = service(cases, true)
        .save(&user(), Lang::Ar, input("draft"))
        .unwrap();
    assert_eq!(case.created_date, NOW);
}

#[test]
fn submitting_notifies_the_patient_in_their_language() {
    let mut cases = MockCaseRepository::new();
    cases
        .expect_insert()
        .withf(|case, timeline, notices| {
            case.status == CaseStatus::Review
                && timeline[0].event == TimelineEvent::Submitted
                && notices.len() == 1
                && notices[0].kind() == NotificationKind::CaseSubmitted
                && notices[0].recipient_id.as_str() == "patient-1"
                && notices[0].lang == Lang::Ar
                && matches!(&notices[0].data, NotificationData::CaseSubmitted(n)
                    if n.review_type.as_ref().map(|r| r.ar.as_str()) == Some("مراجعة قياسية"))
        })
        .times(1)
        .returning(|_, _, _| Ok(()));
    service(cases, true)
        .save(&user(), Lang::Ar, input("review"))
        .unwrap();
}

#[test]
fn every_bad_field_is_reported_at_once_and_nothing_is_written() {
    let mut cases = MockCaseRepository::new();
    cases.expect_insert().never();
    let bad = CaseInput {
        rt_id: "nope".into(),
        dc_id: DC.into(),
        patient_age: 151,
        patient_gender: "other".into(),
        status: "rejected".into(),
        medical_history: None,
        medical_documents: Some(vec![MedicalDocument {
            url: String::new(),
            key: "k".into(),
            name: "n".into(),
        }]),
    };
    let names = field_names(
        service(cases, true)
            .save(&user(), Lang::En, bad)
            .unwrap_err(),
    );
    assert_eq!(
        names,
        [
            "rt_id",
            "patient_age",
            "patient_gender",
            "status",
            "medical_documents[0].url"
        ]
    );
}

#[test]
fn an_inactive_review_type_is_a_400_on_rt_id() {
    let mut cases = MockCaseRepository::new();
    cases.expect_insert().never();
    let names = field_names(
        service(cases, false)
            .save(&user(), Lang::En, input("draft"))
            .unwrap_err(),
    );
    assert_eq!(names, ["rt_id"]);
}

#[test]
fn another_users_case_is_not_found() {
    let mut cases = MockCaseRepository::new();
    cases.expect_find_for_user().returning(|_, _| Ok(None));
    cases.expect_update().never();
    let s = service(cases, true);
    assert!(matches!(
        s.update(&user(), Lang::En, CASE, input("draft")),
        Err(Error::NotFound(_))
    ));
    assert!(matches!(s.details(&user(), CASE), Err(Error::NotFound(_))));
    assert!(matches!(
        s.add_documents(&user(), CASE, vec![doc(0)]),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn only_drafts_change() {
    let mut cases = MockCaseRepository::new();
    cases
        .expect_find_for_user()
        .returning(|_, _| Ok(Some(stored(CaseStatus::Review, 0))));
    cases.expect_update().never();
    let err = service(cases, true)
        .update(&user(), Lang::En, CASE, input("draft"))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "conflict: transition-refused(action=action-name(value=update), status=case-status-name(value=review))"
    );
}

#[test]
fn an_update_keeps_what_it_does_not_send_and_is_conditional_on_the_version() {
    let mut cases = MockCaseRepository::new();
    cases
        .expect_find_for_user()
        .returning(|_, _| Ok(Some(stored(CaseStatus::Draft, 3))));
    cases
        .expect_update()
        .withf(|case, expected, timeline, notices| {
            *expected == 4
                && case.version == 5
                && case.medical_documents.len() == 3
                && case.patient_age.years() == 54
                && case.status == CaseStatus::Review
                && timeline[0].from_status == Some(CaseStatus::Draft)
                && notices.len() == 1
        })
        .times(1)
        .returning(|_, _, _, _| Ok(()));
    let mut i = input("review");
    i.medical_history = None;
    let case = service(cases, true)
        .update(&user(), Lang::En, CASE, i)
        .unwrap();
    assert_eq!(case.medical_history.as_deref(), Some("old history"));
}

#[test]
fn a_lost_race_is_retried_on_a_fresh_read() {
    let mut cases = MockCaseRepository::new();
    cases
        .expect_find_for_user()
        .times(2)
        .returning(|_, _| Ok(Some(stored(CaseStatus::Draft, 49))));
    let mut seq = mockall::Sequence::new();
    cases
        .expect_update()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _, _, _| Err(Error::conflict(Key::CaseChanged)));
    cases
        .expect_update()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _, _, _| Ok(()));
    let case = service(cases, true)
        .add_documents(&user(), CASE, vec![doc(49)])
        .unwrap();
    assert_eq!(case.medical_documents.len(), 50);
}

#[test]
fn fifty_documents_at_most() {
    let mut cases = MockCaseRepository::new();
    cases
        .expect_find_for_user()
        .returning(|_, _| Ok(Some(stored(CaseStatus::Draft, 49))));
    cases.expect_update().never();
    let err = service(cases, true)
        .add_documents(&user(), CASE, vec![doc(49), doc(50)])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid input: med_docs: invalid-documents-total(max=50, has=49, sent=2)"
    );
}

#[test]
fn reminders_go_to_whoever_wins_the_flag() {
    let mut cases = MockCaseRepository::new();
    cases
        .expect_reminder_candidates()
        .withf(|cutoff, _| *cutoff == NOW - REMINDER_AFTER)
        .returning(|_, _| {
            let mut ar = stored(CaseStatus::Draft, 0);
            ar.lang = Lang::Ar;
            Ok(vec![stored(CaseStatus::Draft, 0), ar])
        });
    let mut seq = mockall::Sequence::new();
    cases
        .expect_flag_reminder()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _, _| Ok(false));
    cases
        .expect_flag_reminder()
        .withf(|_, notice, entry| {
            notice.kind() == NotificationKind::DraftReminder
                && notice.lang == Lang::Ar
                && entry.event == TimelineEvent::DraftReminderSent
                && entry.note.as_deref() == Some("UCP98")
                && entry.actor_role == ActorRole::System
        })
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _, _| Ok(true));
    let report = service(cases, true).process_draft_reminders().unwrap();
    assert_eq!(
        report,
        ReminderReport {
            eligible: 2,
            notified: 1
        }
    );
}

#[test]
fn giving_up_on_a_draft_reminder_releases_its_case() {
    let case = stored(CaseStatus::Draft, 0);
    let mut cases = MockCaseRepository::new();
    let id = case.id;
    cases
        .expect_release_reminder()
        .withf(move |c| *c == id)
        .times(1)
        .returning(|_| Ok(true));
    let s = service(cases, true);
    s.gave_up(&testing::notification(
        NotificationKind::DraftReminder,
        &case,
    ))
    .unwrap();
    // Any other kind changes nothing.
    s.gave_up(&testing::notification(
        NotificationKind::CaseSubmitted,
        &case,
    ))
    .unwrap();
}
