//! `ProCaseService::submit_summary`: once every active specialist has given an opinion, the
//! coordinator's summary completes the case, its report is rendered in English and Arabic and
//! stored, and the patient is told.

use std::sync::{Arc, Mutex};

use time::Duration;

use super::*;
use crate::kernel::blob::{BlobInfo, BlobKey, Sha256, StagedBlob};
use crate::kernel::report::{FactValue, ReportDocument};
use crate::second_opinion::case::{ActorRole, ReportKeys};

use CaseStatus as S;
use NotificationKind as K;
use RecipientRole as R;

const SUMMARY: &str = "Surgery is not indicated.\n\nFollow up in 6 months.";
const MAX_REPORT_BYTES: u64 = 50 * 1024 * 1024;

fn key(lang: &str) -> BlobKey {
    BlobKey::parse(&format!("reports/{CASE}/second-opinion-{lang}.pdf")).unwrap()
}

fn keys() -> ReportKeys {
    ReportKeys {
        en: key("en"),
        ar: key("ar"),
    }
}

/// Specialist assignment `n` of `doctor` with `opinion`, given the day after the doctors were
/// assigned.
fn opinion(n: u128, doctor: &str, opinion: Option<&str>) -> Assignment {
    Assignment {
        opinion: opinion.map(str::to_owned),
        opinion_date: opinion.map(|_| ASSIGNED + Duration::days(1)),
        ..assignment(n, doctor, false)
    }
}

/// The coordinator, `EMP2` and `EMP3` with their opinions, and a replaced doctor without one.
fn reviewed() -> Vec<Assignment> {
    vec![
        assignment(1, COORDINATOR, true),
        opinion(2, DOCTOR, Some("Stable.\n\nNo surgery.")),
        Assignment {
            active: false,
            ..opinion(4, OTHER_COORDINATOR, None)
        },
        opinion(3, DOCTOR_2, Some("Agree.")),
    ]
}

fn reviewed_case(ports: &mut Ports, assignments: Vec<Assignment>) {
    ports
        .stored(case_at(S::DoctorsAssigned))
        .on_case(assignments)
        .known(&[COORDINATOR, DOCTOR, DOCTOR_2, OTHER_COORDINATOR]);
}

/// Whether `doc` is the report in `lang`: the review type's name in it, a section per opinion in
/// the order the doctors were assigned, then the summary.
fn is_report(doc: &ReportDocument, lang: Lang) -> bool {
    let review_type = lang.pick("Standard Review", "مراجعة قياسية");
    let opinion_of =
        |id: &str| Text::new(Key::ReportOpinion).with("doctor", provider(id).name_in(lang));
    let headings: Vec<&Text> = doc.sections.iter().map(|s| &s.heading).collect();
    doc.lang == lang
        && doc
            .facts
            .iter()
            .any(|f| f.value == FactValue::Plain(review_type.into()))
        && headings
            == [
                &opinion_of(DOCTOR),
                &opinion_of(DOCTOR_2),
                &Text::new(Key::ReportSummary),
            ]
        && doc.sections[0].paragraphs == ["Stable.", "No surgery."]
        && doc.sections[1].paragraphs == ["Agree."]
        && doc.sections[2].paragraphs == ["Surgery is not indicated.", "Follow up in 6 months."]
}

/// A renderer that renders the English report, then the Arabic one, as `%PDF-<lang>`; the Arabic
/// one fails if `arabic_fails`.
fn renderer(arabic_fails: bool) -> MockReportRenderer {
    let mut renderer = MockReportRenderer::new();
    for lang in [Lang::En, Lang::Ar] {
        renderer
            .expect_render()
            .withf(move |doc| is_report(doc, lang))
            .times(1)
            .returning(move |_| match lang {
                Lang::Ar if arabic_fails => Err(Error::internal("the renderer crashed")),
                _ => Ok(format!("%PDF-{}", lang.pick("en", "ar")).into_bytes()),
            });
    }
    renderer
}

/// A blob store that keeps what is put into it in `stored` (key, bytes), `times` times.
fn blobs(times: usize, stored: Arc<Mutex<Vec<(String, String)>>>) -> MockBlobStore {
    let mut blobs = MockBlobStore::new();
    blobs
        .expect_stage()
        .withf(|_, max| *max == MAX_REPORT_BYTES)
        .times(times)
        .returning(|body, _| {
            let mut bytes = Vec::new();
            body.read_to_end(&mut bytes).unwrap();
            Ok(StagedBlob {
                handle: String::from_utf8(bytes.clone()).unwrap(),
                size: bytes.len() as u64,
                sha256: Sha256([0; 32]),
                head: bytes,
            })
        });
    blobs
        .expect_commit()
        .times(times)
        .returning(move |staged, key| {
            stored
                .lock()
                .unwrap()
                .push((key.to_string(), staged.handle.clone()));
            Ok(BlobInfo {
                key: key.clone(),
                size: staged.size,
                sha256: staged.sha256,
            })
        });
    blobs
}

#[test]
fn the_summary_completes_the_case_with_its_reports_in_both_languages() {
    let mut ports = Ports::new();
    reviewed_case(&mut ports, reviewed());
    ports.commits(|c| {
        writes(c, S::Completed)
            && c.case.summary.as_deref() == Some(SUMMARY)
            && c.case.completed_date == Some(NOW)
            && c.case.report == Some(keys())
            && c.case.doctors_assigned_date == Some(ASSIGNED)
            && events(c) == [TimelineEvent::Completed]
            && c.timeline[0].actor_id == actor(COORDINATOR)
            && c.timeline[0].actor_role == ActorRole::Coordinator
            && c.timeline[0].from_status == Some(S::DoctorsAssigned)
            && c.timeline[0].to_status == Some(S::Completed)
            && notices(c) == [notice(K::ReportReady, PATIENT, R::Patient, Lang::Ar)]
            && c.new_assignments.is_empty()
            && c.changed_assignments.is_empty()
    });
    let stored = Arc::new(Mutex::new(Vec::new()));
    let pros = pro_reporting(ports, renderer(false), blobs(2, stored.clone()));

    let case = pros
        .submit_summary(&actor(COORDINATOR), CASE, &format!("  {SUMMARY}\n"))
        .unwrap();

    assert_eq!(case.status, S::Completed);
    assert_eq!(case.report, Some(keys()));
    assert_eq!(
        *stored.lock().unwrap(),
        [
            (key("en").to_string(), "%PDF-en".to_owned()),
            (key("ar").to_string(), "%PDF-ar".to_owned()),
        ]
    );
}

#[test]
fn the_summary_waits_for_every_active_specialists_opinion_and_names_who_is_missing() {
    let mut ports = Ports::new();
    let mut assignments = reviewed();
    assignments.push(opinion(5, "EMP5", None));
    assignments[1].opinion = None;
    reviewed_case(&mut ports, assignments);
    ports.no_commit();

    let result = pro(ports).submit_summary(&actor(COORDINATOR), CASE, SUMMARY);
    assert_eq!(
        refusal(result),
        ("conflict", "opinions-missing(doctors=EMP2+EMP5)".to_owned())
    );
}

#[test]
fn nothing_is_committed_when_a_report_cannot_be_rendered() {
    for arabic_fails in [false, true] {
        let mut ports = Ports::new();
        reviewed_case(&mut ports, reviewed());
        ports.no_commit();
        let (renderer, puts) = if arabic_fails {
            // The English report is stored before the Arabic one is rendered.
            (renderer(true), 1)
        } else {
            let mut renderer = MockReportRenderer::new();
            renderer
                .expect_render()
                .times(1)
                .returning(|_| Err(Error::internal("the renderer crashed")));
            (renderer, 0)
        };
        let pros = pro_reporting(ports, renderer, blobs(puts, Arc::default()));

        let result = pros.submit_summary(&actor(COORDINATOR), CASE, SUMMARY);
        assert!(
            matches!(result, Err(Error::Internal(_))),
            "Arabic fails: {arabic_fails}: {result:?}"
        );
    }
}

#[test]
fn nothing_is_committed_when_a_report_cannot_be_stored() {
    let mut ports = Ports::new();
    reviewed_case(&mut ports, reviewed());
    ports.no_commit();
    let mut renderer = MockReportRenderer::new();
    renderer
        .expect_render()
        .times(1)
        .returning(|_| Ok(b"%PDF-en".to_vec()));
    let mut blobs = MockBlobStore::new();
    blobs
        .expect_stage()
        .times(1)
        .returning(|_, _| Err(Error::Unavailable(crate::Cause::new("the disk is full"))));
    blobs.expect_commit().never();

    let result =
        pro_reporting(ports, renderer, blobs).submit_summary(&actor(COORDINATOR), CASE, SUMMARY);
    assert!(matches!(result, Err(Error::Unavailable(_))), "{result:?}");
}

#[test]
fn only_the_coordinator_submits_the_summary() {
    for (who, expected) in [
        (DOCTOR, ("forbidden", "not-case-coordinator")),
        ("EMP9", ("not_found", "case-not-found")),
    ] {
        let mut ports = Ports::new();
        reviewed_case(&mut ports, reviewed());
        ports.no_commit();

        let result = pro(ports).submit_summary(&actor(who), CASE, SUMMARY);
        assert_eq!(
            refusal(result),
            (expected.0, expected.1.to_owned()),
            "{who}"
        );
    }
}

#[test]
fn the_summary_is_submitted_only_while_doctors_are_assigned() {
    for status in [S::Paid, S::Completed] {
        let mut ports = Ports::new();
        ports
            .stored(case_at(status))
            .on_case(reviewed())
            .no_commit();

        let result = pro(ports).submit_summary(&actor(COORDINATOR), CASE, SUMMARY);
        assert_eq!(
            refusal(result),
            refused("submit_summary", status),
            "{status}"
        );
    }
}

#[test]
fn a_blank_summary_is_refused_before_anything_is_read() {
    let mut ports = Ports::new();
    ports.cases.expect_find().never();
    ports.no_commit();

    let result = pro(ports).submit_summary(&actor(COORDINATOR), CASE, "   ");
    assert_eq!(
        invalid(result),
        [(
            "summary".to_owned(),
            "invalid-text-length(field=summary, min=1, max=20000)".to_owned()
        )]
    );
}
