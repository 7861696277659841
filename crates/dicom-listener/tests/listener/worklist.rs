//! Modality worklist C-FIND from `findscu -W`, with queries written by `dump2dcm`.

use std::fs;
use std::path::{Path, PathBuf};

use dicom_core::Tag;
use dicom_dictionary_std::tags;
use dicom_object::{DefaultDicomObject, InMemDicomObject, open_file};

use crate::support::*;

/// The query modalities send: a name wildcard, a day range, the modality and the station, and
/// return keys they want filled (one unknown to the clinic).
fn query(patient_id: &str, days: &str) -> String {
    format!(
        "(0008,0005) CS [ISO_IR 192]
(0010,0010) PN [Had*]
(0010,0020) LO [{patient_id}]
(0010,0030) DA []
(0010,0040) CS []
(0010,21b0) LT []
(0008,0050) SH []
(0040,1001) SH []
(0032,1060) LO []
(0020,000d) UI []
(0008,0090) PN []
(0040,0100) SQ
(fffe,e000) -
(0008,0060) CS [US]
(0040,0001) AE [{MODALITY_AE}]
(0040,0002) DA [{days}]
(0040,0003) TM []
(0040,0007) LO []
(0040,0009) SH []
(0040,0006) PN []
(fffe,e00d) -
(fffe,e0dd) -
"
    )
}

fn query_file(dir: &Path, dump: &str) -> PathBuf {
    let dump_path = dir.join("query.dump");
    let dcm_path = dir.join("query.dcm");
    fs::write(&dump_path, dump).unwrap();
    let out = run(dcmtk("dump2dcm").arg(&dump_path).arg(&dcm_path));
    assert!(out.status.success(), "{}", text(&out));
    dcm_path
}

/// Runs findscu, returns its log and the answers it wrote (rsp0001.dcm, …), in order.
fn findscu(
    listener: &Running,
    options: &[&str],
    query: &Path,
    out_dir: &Path,
) -> (bool, String, Vec<DefaultDicomObject>) {
    let out = run(dcmtk("findscu")
        .args(["-W", "-X", "-od"])
        .arg(out_dir)
        .args(["-aet", MODALITY_AE, "-aec", AE])
        .args(options)
        .args(["127.0.0.1", &listener.port()])
        .arg(query));
    let mut answers: Vec<PathBuf> = fs::read_dir(out_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("rsp"))
        .collect();
    answers.sort();
    let answers = answers.iter().map(|p| open_file(p).unwrap()).collect();
    (out.status.success(), text(&out), answers)
}

fn value(obj: &InMemDicomObject, tag: Tag) -> String {
    obj.element(tag)
        .unwrap_or_else(|_| panic!("{tag} missing"))
        .to_str()
        .unwrap()
        .trim_end_matches(['\0', ' '])
        .to_owned()
}

fn listener() -> Running {
    start_with(
        config(),
        MemoryHandler {
            entries: worklist(),
            ..MemoryHandler::default()
        },
    )
}

#[test]
fn the_matching_entries_come_back_with_exactly_the_keys_asked() {
    let listener = listener();
    let dir = tempfile::tempdir().unwrap();
    let q = query_file(dir.path(), &query("", "20261201-20261202"));
    let (ok, log, answers) = findscu(&listener, &[], &q, dir.path());
    assert!(ok, "{log}");
    let names: Vec<String> = answers
        .iter()
        .map(|a| value(a, tags::PATIENT_NAME))
        .collect();
    assert_eq!(names, ["Haddad^Omar=حداد^عمر", "Haddad^Sara"], "{log}");

    let first = &answers[0];
    assert_eq!(value(first, tags::SPECIFIC_CHARACTER_SET), "ISO_IR 192");
    assert_eq!(value(first, tags::PATIENT_ID), "MRN0001");
    assert_eq!(value(first, tags::PATIENT_BIRTH_DATE), "19800229");
    assert_eq!(value(first, tags::PATIENT_SEX), "M");
    assert_eq!(value(first, tags::ACCESSION_NUMBER), "ACC0000000001");
    assert_eq!(value(first, tags::REQUESTED_PROCEDURE_ID), "RP0000000001");
    assert_eq!(
        value(first, tags::REQUESTED_PROCEDURE_DESCRIPTION),
        "Abdominal ultrasound"
    );
    assert_eq!(
        value(first, tags::STUDY_INSTANCE_UID),
        domain::clinic::imaging::Uid::from_uuid(uuid::Uuid::from_u128(1001)).as_str()
    );
    assert_eq!(value(first, tags::REFERRING_PHYSICIAN_NAME), "");
    // Asked for, unknown to the clinic: there, empty.
    assert_eq!(value(first, tags::ADDITIONAL_PATIENT_HISTORY), "");
    // Not asked for: not there.
    assert!(first.element(tags::PATIENT_WEIGHT).is_err());
    let top_level: Vec<Tag> = first.iter().map(|e| e.header().tag).collect();
    assert_eq!(top_level.len(), 12, "{top_level:?}");

    let step = &first
        .element(tags::SCHEDULED_PROCEDURE_STEP_SEQUENCE)
        .unwrap()
        .items()
        .unwrap()[0];
    assert_eq!(value(step, tags::MODALITY), "US");
    assert_eq!(value(step, tags::SCHEDULED_STATION_AE_TITLE), MODALITY_AE);
    assert_eq!(
        value(step, tags::SCHEDULED_PROCEDURE_STEP_START_DATE),
        "20261201"
    );
    assert_eq!(
        value(step, tags::SCHEDULED_PROCEDURE_STEP_START_TIME),
        "103000"
    );
    assert_eq!(
        value(step, tags::SCHEDULED_PROCEDURE_STEP_DESCRIPTION),
        "Liver and gallbladder"
    );
    assert_eq!(
        value(step, tags::SCHEDULED_PROCEDURE_STEP_ID),
        "SPS0000000001"
    );
    assert_eq!(
        value(step, tags::SCHEDULED_PERFORMING_PHYSICIAN_NAME),
        "Khoury^Layla"
    );
    assert_eq!(step.iter().count(), 7);

    let queries = listener.handler.queries.lock().unwrap().clone();
    let q = &queries[0];
    assert_eq!(q.patient_name.as_deref(), Some("Had*"));
    assert_eq!(q.modality.as_deref(), Some("US"));
    assert_eq!(q.station_ae_title.as_deref(), Some(MODALITY_AE));
    assert!(q.start_date.is_some() && q.patient_id.is_none() && q.start_time.is_none());
}

#[test]
fn a_query_by_patient_id_in_a_deflated_association() {
    let listener = listener();
    let dir = tempfile::tempdir().unwrap();
    let q = query_file(dir.path(), &query("MRN0001", "20261201"));
    let (ok, log, answers) = findscu(&listener, &["-xd"], &q, dir.path());
    assert!(ok, "{log}");
    assert_eq!(answers.len(), 1, "{log}");
    assert_eq!(
        value(&answers[0], tags::PATIENT_NAME),
        "Haddad^Omar=حداد^عمر"
    );
    let (ok, log, _) = findscu(&listener, &["-xb"], &q, dir.path());
    assert!(ok, "{log}");
}

#[test]
fn an_unparsable_date_range_fails_the_query() {
    let listener = listener();
    let dir = tempfile::tempdir().unwrap();
    let q = query_file(dir.path(), &query("", "2026120"));
    let (_, log, answers) = findscu(&listener, &["-v"], &q, dir.path());
    assert!(answers.is_empty(), "{log}");
    // 0xA900, as findscu names it.
    assert!(log.contains("Error: DataSetDoesNotMatchSOPClass"), "{log}");
    assert!(listener.handler.queries.lock().unwrap().is_empty());
}

#[test]
fn a_cancelled_query_ends_cleanly() {
    let listener = listener();
    let dir = tempfile::tempdir().unwrap();
    let q = query_file(dir.path(), &query("", "20260101-20271231"));
    let (ok, log, answers) = findscu(&listener, &["--cancel", "1"], &q, dir.path());
    assert!(ok, "{log}");
    assert!(!answers.is_empty() && answers.len() <= 3, "{log}");
    assert!(echoscu(&listener.port(), MODALITY_AE, AE).status.success());
}
