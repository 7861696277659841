//! QIDO-RS searches over the study index on both backends: wildcards on names, identifiers and
//! accession numbers, date ranges, modalities, UID lists, the three levels, limit and offset.

use domain::clinic::AuditAction;
use domain::clinic::imaging::qido::{Level, QidoQuery};
use domain::clinic::imaging::{ImagingRepository, NewInstance};
use time::macros::date;

use crate::imaging_fixtures::*;
use crate::support::*;

fn store(store: &Store, new: &NewInstance) {
    ImagingRepository::store_instance(
        store,
        new,
        &audit(AuditAction::ImageReceive, None),
        &received(new),
    )
    .unwrap();
}

fn query(level: Level, study: Option<&str>, params: &[(&str, &str)]) -> QidoQuery {
    let params: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    QidoQuery::parse(level, study, None, &params).unwrap()
}

fn studies(s: &Store, params: &[(&str, &str)]) -> Vec<String> {
    s.search_studies(&query(Level::Study, None, params))
        .unwrap()
        .into_iter()
        .map(|s| s.study_instance_uid.as_str().to_owned())
        .collect()
}

/// Two studies: Jane's ultrasound (two series, US and SR) in January, John's CT in March.
fn seed(s: &Store) {
    let mut jane = instance("1.2.1", "1.2.1.1", "1.2.1.1.1", "US", 100);
    jane.meta.patient_name = Some("COMPUNET^JANE".into());
    jane.meta.patient_id = Some("MRN00000001".into());
    jane.meta.accession_number = Some("ACC0000000001".into());
    jane.meta.study_date = Some(date!(2024 - 01 - 15));
    store(s, &jane);
    let mut second = instance("1.2.1", "1.2.1.1", "1.2.1.1.2", "US", 100);
    second.meta.instance_number = Some(2);
    store(s, &second);
    let mut report = instance("1.2.1", "1.2.1.2", "1.2.1.2.1", "SR", 100);
    report.meta.series_number = Some(2);
    store(s, &report);
    let mut john = instance("1.2.2", "1.2.2.1", "1.2.2.1.1", "CT", 100);
    john.meta.patient_name = Some("DOE^JOHN".into());
    john.meta.patient_id = Some("MRN00000002".into());
    john.meta.study_date = Some(date!(2024 - 03 - 02));
    store(s, &john);
}

on_each_backend!(studies_match_by_every_key, |db| {
    let s = &db.store;
    seed(s);
    assert_eq!(studies(s, &[]), ["1.2.2", "1.2.1"], "newest first");
    assert_eq!(studies(s, &[("PatientName", "com*")]), ["1.2.1"]);
    assert_eq!(studies(s, &[("PatientName", "*^JOHN")]), ["1.2.2"]);
    assert_eq!(studies(s, &[("PatientName", "D?E^JOHN")]), ["1.2.2"]);
    assert!(
        studies(s, &[("PatientName", "DOE")]).is_empty(),
        "no wildcard: the whole name"
    );
    assert_eq!(studies(s, &[("00100020", "MRN00000001")]), ["1.2.1"]);
    assert_eq!(studies(s, &[("AccessionNumber", "ACC*")]), ["1.2.1"]);
    assert_eq!(studies(s, &[("StudyDate", "20240101-20240131")]), ["1.2.1"]);
    assert_eq!(studies(s, &[("StudyDate", "20240201-")]), ["1.2.2"]);
    assert_eq!(studies(s, &[("StudyDate", "20240302")]), ["1.2.2"]);
    assert_eq!(studies(s, &[("ModalitiesInStudy", "SR")]), ["1.2.1"]);
    assert_eq!(
        studies(s, &[("StudyInstanceUID", "1.2.2,1.2.1")]),
        ["1.2.2", "1.2.1"]
    );
    assert_eq!(studies(s, &[("limit", "1"), ("offset", "1")]), ["1.2.1"]);
    // `%` and `_` are not wildcards.
    assert!(studies(s, &[("PatientName", "%")]).is_empty());
    let found = s
        .search_studies(&query(Level::Study, None, &[("PatientName", "COM*")]))
        .unwrap();
    assert_eq!((found[0].series_count, found[0].image_count), (2, 3));
});

on_each_backend!(series_and_instances_come_with_their_parents, |db| {
    let s = &db.store;
    seed(s);
    let series = s
        .search_series(&query(Level::Series, Some("1.2.1"), &[]))
        .unwrap();
    let uids: Vec<&str> = series
        .iter()
        .map(|(_, x)| x.series_instance_uid.as_str())
        .collect();
    assert_eq!(uids, ["1.2.1.1", "1.2.1.2"]);
    assert!(
        series
            .iter()
            .all(|(study, _)| study.study_instance_uid.as_str() == "1.2.1")
    );
    let us = s
        .search_series(&query(Level::Series, None, &[("Modality", "US")]))
        .unwrap();
    assert_eq!(us.len(), 1);
    let all = s
        .search_instances(&query(Level::Instance, Some("1.2.1"), &[]))
        .unwrap();
    let sops: Vec<&str> = all
        .iter()
        .map(|(_, _, i)| i.sop_instance_uid.as_str())
        .collect();
    assert_eq!(sops.len(), 3);
    assert!(sops.contains(&"1.2.1.2.1"));
    let by_name = s
        .search_instances(&query(Level::Instance, None, &[("PatientName", "DOE*")]))
        .unwrap();
    assert_eq!(by_name.len(), 1);
    assert_eq!(by_name[0].1.series_instance_uid.as_str(), "1.2.2.1");
    let one = s
        .search_instances(&query(
            Level::Instance,
            None,
            &[("SOPInstanceUID", "1.2.1.1.2")],
        ))
        .unwrap();
    assert_eq!(one[0].2.instance_number, Some(2));
});
