//! The report services against mocks: doctor [`DOCTOR`] writes on patient [`patient_id`]; the
//! clock stands at [`NOW`]; ids come from [`SequentialIds`].

use std::sync::{Arc, Mutex};

use mockall::predicate::eq;
use time::macros::date;

use super::audit::{AuditAction, AuditEntry, MockAuditRepository, Who};
use super::events::{ClinicEvent, ClinicEventKind};
use super::ids::{PatientId, ReportId, StaffId};
use super::report::{
    AuthorName, ContentInput, Measurement, Report, ReportContent, ReportFilter, ReportPatient,
    ReportRecord, ReportStatus,
};
use super::report_pdf::{ReportPdfService, document};
use super::report_ports::{Created, MockReportRepository};
use super::reports::{ReportChanges, ReportPorts, ReportQueryService, ReportWriteService};
use crate::Error;
use crate::identity::Role;
use crate::kernel::ids::ActorId;
use crate::kernel::lang::Lang;
use crate::kernel::paging::{Page, PageRequest};
use crate::kernel::report::{FactValue, MockReportRenderer};
use crate::kernel::text::Key;
use crate::testing::{FixedClock, NOW, SequentialIds, uuid};

const DOCTOR: u128 = 0xd0c;
const REPORT: u128 = 0x4e9;

fn doctor_id() -> StaffId {
    StaffId::from_uuid(uuid(DOCTOR))
}

fn patient_id() -> PatientId {
    PatientId::from_uuid(uuid(0x9a7))
}

fn report_id() -> ReportId {
    ReportId::from_uuid(uuid(REPORT))
}

fn who() -> Who {
    Who {
        actor: ActorId::from_stored(doctor_id().to_string()),
        roles: vec![Role::Doctor],
        request_id: Some("req-1".into()),
    }
}

fn patient(deleted: bool) -> ReportPatient {
    ReportPatient {
        id: patient_id(),
        mrn: "MRN000001".into(),
        name: "Layla Hassan".into(),
        name_ar: Some("ليلى حسن".into()),
        birth_date: Some(date!(1985 - 03 - 14)),
        sex: Some("female".into()),
        deleted,
    }
}

fn report(status: ReportStatus, version: i64) -> Report {
    Report {
        id: report_id(),
        patient_id: patient_id(),
        doctor_id: doctor_id(),
        content: ReportContent::parse(ContentInput {
            study_id: Some("1.2.3".into()),
            findings: "Liver normal in size.".into(),
            impression: String::new(),
            measurements: vec![Measurement {
                name: "Liver span".into(),
                value: 14.5,
                unit: "cm".into(),
            }],
        })
        .unwrap_or_else(|e| panic!("{e}")),
        status,
        version,
        finalized_at: None,
        finalized_by: None,
        created_at: NOW,
        updated_at: NOW,
    }
}

fn record(report: Report) -> ReportRecord {
    ReportRecord {
        report,
        patient: patient(false),
        doctor: AuthorName {
            name: "Dr. Omar Khalil".into(),
            name_ar: Some("د. عمر خليل".into()),
        },
    }
}

/// Audit entries recorded after reads land here.
type Recorded = Arc<Mutex<Vec<AuditEntry>>>;

fn ports(reports: MockReportRepository) -> (ReportPorts, Recorded) {
    let recorded: Recorded = Arc::default();
    let sink = recorded.clone();
    let mut audit = MockAuditRepository::new();
    audit.expect_record().returning(move |e| {
        sink.lock().unwrap().push(e.clone());
        Ok(())
    });
    let ports = ReportPorts {
        reports: Arc::new(reports),
        audit: Arc::new(audit),
        clock: Arc::new(FixedClock(NOW)),
        ids: Arc::new(SequentialIds::default()),
    };
    (ports, recorded)
}

fn writer(reports: MockReportRepository) -> ReportWriteService {
    ReportWriteService::new(ports(reports).0)
}

#[test]
fn a_draft_is_created_with_its_audit_entry_in_the_same_write() {
    let mut reports = MockReportRepository::new();
    reports
        .expect_patient()
        .with(eq(patient_id()))
        .returning(|_| Ok(Some(patient(false))));
    reports
        .expect_create()
        .withf(|r, a| {
            r.status == ReportStatus::Draft
                && r.version == 1
                && r.doctor_id == doctor_id()
                && a.action == AuditAction::ReportCreate
                && a.patient == Some(patient_id())
                && a.object_id == Some(r.id.to_string())
                && a.request_id.as_deref() == Some("req-1")
        })
        .times(1)
        .returning(|_, _| Ok(Created::Done));
    reports.expect_find().returning(|id| {
        Ok(Some(record(Report {
            id,
            ..report(ReportStatus::Draft, 1)
        })))
    });
    let created = writer(reports)
        .create(&who(), patient_id(), ContentInput::default())
        .unwrap();
    assert_eq!(created.report.status, ReportStatus::Draft);
}

#[test]
fn a_missing_or_deleted_patient_is_422_naming_patient_id() {
    for found in [None, Some(patient(true))] {
        let mut reports = MockReportRepository::new();
        reports
            .expect_patient()
            .returning(move |_| Ok(found.clone()));
        reports.expect_create().never();
        let refused = writer(reports)
            .create(&who(), patient_id(), ContentInput::default())
            .unwrap_err();
        let Error::Unprocessable(text) = refused else {
            panic!("not 422: {refused:?}");
        };
        assert_eq!(text.key(), Key::ClinicReportPatientUnknown);
        assert_eq!(
            text.to_string(),
            "clinic-report-patient-unknown(field=patient_id)"
        );
    }
    // The store's own check inside the write says the same.
    let mut reports = MockReportRepository::new();
    reports
        .expect_patient()
        .returning(|_| Ok(Some(patient(false))));
    reports
        .expect_create()
        .returning(|_, _| Ok(Created::NoPatient));
    assert!(matches!(
        writer(reports).create(&who(), patient_id(), ContentInput::default()),
        Err(Error::Unprocessable(_))
    ));
}

#[test]
fn a_caller_who_is_no_staff_account_cannot_write() {
    let mut who = who();
    who.actor = ActorId::from_stored("EMP1".into());
    let refused = writer(MockReportRepository::new())
        .create(&who, patient_id(), ContentInput::default())
        .unwrap_err();
    assert!(matches!(refused, Error::Forbidden(t) if t.key() == Key::ClinicReportAuthorUnknown));
}

#[test]
fn an_invalid_body_is_refused_before_anything_is_read() {
    let refused = writer(MockReportRepository::new())
        .create(
            &who(),
            patient_id(),
            ContentInput {
                study_id: Some("a b".into()),
                ..ContentInput::default()
            },
        )
        .unwrap_err();
    assert!(matches!(refused, Error::Validation(f) if f[0].field == "study_id"));
}

#[test]
fn an_update_changes_only_what_was_sent_conditionally_on_the_version_read() {
    let mut reports = MockReportRepository::new();
    reports
        .expect_find()
        .returning(|_| Ok(Some(record(report(ReportStatus::Draft, 4)))));
    reports
        .expect_update()
        .withf(|r, expected, a| {
            *expected == 4
                && r.version == 5
                && r.content.impression == "Normal study."
                && r.content.findings == "Liver normal in size."
                && r.content.study_id.is_none()
                && a.action == AuditAction::ReportUpdate
        })
        .times(1)
        .returning(|_, _, _| Ok(true));
    let changes = ReportChanges {
        impression: Some("Normal study.".into()),
        study_id: Some(None),
        ..ReportChanges::default()
    };
    writer(reports)
        .update(&who(), report_id(), changes)
        .unwrap();
}

#[test]
fn a_lost_race_is_retried_then_409() {
    let mut reports = MockReportRepository::new();
    reports
        .expect_find()
        .returning(|_| Ok(Some(record(report(ReportStatus::Draft, 1)))));
    reports
        .expect_update()
        .times(3)
        .returning(|_, _, _| Ok(false));
    let refused = writer(reports)
        .update(&who(), report_id(), ReportChanges::default())
        .unwrap_err();
    assert!(matches!(refused, Error::Conflict(t) if t.key() == Key::ClinicReportChanged));
}

#[test]
fn a_finalized_report_is_read_only() {
    let finalized = || {
        let mut reports = MockReportRepository::new();
        reports
            .expect_find()
            .returning(|_| Ok(Some(record(report(ReportStatus::Finalized, 2)))));
        reports.expect_update().never();
        reports.expect_finalize().never();
        reports.expect_delete().never();
        writer(reports)
    };
    let read_only =
        |e: Error| matches!(e, Error::Conflict(t) if t.key() == Key::ClinicReportReadOnly);
    assert!(read_only(
        finalized()
            .update(&who(), report_id(), ReportChanges::default())
            .unwrap_err()
    ));
    assert!(read_only(
        finalized().finalize(&who(), report_id()).unwrap_err()
    ));
    assert!(read_only(
        finalized().delete(&who(), report_id()).unwrap_err()
    ));
}

#[test]
fn finalizing_publishes_the_event_with_the_write() {
    let mut reports = MockReportRepository::new();
    reports
        .expect_find()
        .returning(|_| Ok(Some(record(report(ReportStatus::Draft, 3)))));
    reports
        .expect_finalize()
        .withf(|r, expected, a, e: &ClinicEvent| {
            *expected == 3
                && r.status == ReportStatus::Finalized
                && r.finalized_by == Some(doctor_id())
                && r.finalized_at == Some(NOW)
                && a.action == AuditAction::ReportFinalize
                && e.kind == ClinicEventKind::ReportFinalized
                && e.id == report_id().to_string()
                && e.patient_id == Some(patient_id())
                && e.data["doctor_id"] == doctor_id().to_string()
                && e.data["study_id"] == "1.2.3"
        })
        .times(1)
        .returning(|_, _, _, _| Ok(true));
    writer(reports).finalize(&who(), report_id()).unwrap();
}

#[test]
fn a_report_without_text_cannot_be_finalized() {
    let mut reports = MockReportRepository::new();
    reports.expect_find().returning(|_| {
        let mut r = report(ReportStatus::Draft, 1);
        r.content.findings = "  ".into();
        Ok(Some(record(r)))
    });
    reports.expect_finalize().never();
    let refused = writer(reports).finalize(&who(), report_id()).unwrap_err();
    assert!(matches!(refused, Error::Unprocessable(t) if t.key() == Key::ClinicReportEmpty));
}

#[test]
fn a_draft_is_deleted_with_its_audit_entry_and_a_missing_one_is_404() {
    let mut reports = MockReportRepository::new();
    reports
        .expect_find()
        .returning(|_| Ok(Some(record(report(ReportStatus::Draft, 2)))));
    reports
        .expect_delete()
        .withf(|id, expected, a| {
            *id == report_id() && *expected == 2 && a.action == AuditAction::ReportDelete
        })
        .times(1)
        .returning(|_, _, _| Ok(true));
    writer(reports).delete(&who(), report_id()).unwrap();

    let mut missing = MockReportRepository::new();
    missing.expect_find().returning(|_| Ok(None));
    let refused = writer(missing).delete(&who(), report_id()).unwrap_err();
    assert!(matches!(refused, Error::NotFound(t) if t.key() == Key::ClinicReportNotFound));
}

#[test]
fn reads_are_recorded_after_the_read() {
    let mut reports = MockReportRepository::new();
    reports
        .expect_find()
        .returning(|_| Ok(Some(record(report(ReportStatus::Draft, 1)))));
    reports.expect_list().returning(|_, page| {
        Ok(Page {
            items: Vec::new(),
            total: 0,
            request: page,
        })
    });
    let (ports, recorded) = ports(reports);
    let queries = ReportQueryService::new(ports);
    queries.read(&who(), report_id()).unwrap();
    let filter = ReportFilter {
        patient: Some(patient_id()),
        ..ReportFilter::default()
    };
    queries
        .list(&who(), &filter, PageRequest::default())
        .unwrap();
    let entries = recorded.lock().unwrap();
    let seen: Vec<_> = entries
        .iter()
        .map(|e| (e.action, e.patient, e.object_id.clone()))
        .collect();
    assert_eq!(
        seen,
        [
            (
                AuditAction::ReportRead,
                Some(patient_id()),
                Some(report_id().to_string())
            ),
            (AuditAction::ReportList, Some(patient_id()), None),
        ]
    );
    assert!(
        entries
            .iter()
            .all(|e| e.at == NOW && e.request_id.is_some())
    );
}

#[test]
fn the_pdf_is_rendered_in_the_language_asked_and_recorded() {
    let mut reports = MockReportRepository::new();
    reports
        .expect_find()
        .returning(|_| Ok(Some(record(report(ReportStatus::Draft, 1)))));
    let mut renderer = MockReportRenderer::new();
    renderer
        .expect_render()
        .withf(|d| d.lang == Lang::Ar && d.title.key() == Key::ClinicReportDraftTitle)
        .returning(|_| Ok(b"%PDF-1.7".to_vec()));
    let (ports, recorded) = ports(reports);
    let service = ReportPdfService::new(
        ports,
        Arc::new(renderer),
        crate::notifications::Bilingual {
            en: "MedCare Clinic".into(),
            ar: "عيادة ميدكير".into(),
        },
    );
    let pdf = service.pdf(&who(), report_id(), Lang::Ar).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(recorded.lock().unwrap()[0].action, AuditAction::ReportPdf);
}

#[test]
fn the_document_names_the_patient_in_its_language_and_marks_a_draft() {
    let draft = record(report(ReportStatus::Draft, 1));
    let plain = |d: &crate::kernel::report::ReportDocument, i: usize| match &d.facts[i].value {
        FactValue::Plain(s) => s.clone(),
        FactValue::Text(t) => t.to_string(),
    };
    let ar = document(&draft, Lang::Ar, "MedCare Clinic", NOW);
    assert_eq!(plain(&ar, 0), "ليلى حسن");
    assert_eq!(plain(&ar, 1), "MRN000001");
    assert_eq!(plain(&ar, 2), "1985-03-14");
    assert_eq!(plain(&ar, 5), "د. عمر خليل");
    assert_eq!(plain(&ar, 6), "clinic-report-status-name(value=draft)");
    assert_eq!(ar.title.key(), Key::ClinicReportDraftTitle);
    assert_eq!(ar.sections.len(), 3, "findings, impression, measurements");
    assert_eq!(
        ar.sections[2].tables[0].rows,
        [["Liver span", "14.5", "cm"]]
    );

    let mut finalized = draft.clone();
    finalized.report.status = ReportStatus::Finalized;
    finalized.report.finalized_at = Some(NOW);
    finalized.report.content.measurements.clear();
    let en = document(&finalized, Lang::En, "MedCare Clinic", NOW);
    assert_eq!(plain(&en, 0), "Layla Hassan");
    assert_eq!(en.title.key(), Key::ClinicReportTitle);
    assert_eq!(en.sections.len(), 2, "no measurements, no table");
    assert_eq!(en.issuer, "MedCare Clinic");
}
