//! QIDO-RS answers: the index's studies, series and instances in the DICOM JSON model, with the
//! attributes PS3.18 requires at each level (counts and `RetrieveURL` included) and those
//! `includefield` adds.

use serde_json::{Map, Value, json};
use time::Date;

use super::index::{Image, Series, Study};
use super::qido::{Include, QidoQuery};

/// Where the answers' `RetrieveURL`s point: the DICOMweb root as clients reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Root(pub String);

fn da(date: Date) -> String {
    format!(
        "{:04}{:02}{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

fn put(out: &mut Map<String, Value>, tag: u32, vr: &str, values: Vec<Value>) {
    let mut attribute = Map::new();
    attribute.insert("vr".to_owned(), json!(vr));
    if !values.is_empty() {
        attribute.insert("Value".to_owned(), Value::Array(values));
    }
    out.insert(format!("{tag:08X}"), Value::Object(attribute));
}

fn text(value: Option<&str>) -> Vec<Value> {
    value
        .filter(|v| !v.is_empty())
        .map(|v| vec![json!(v)])
        .unwrap_or_default()
}

fn name(value: Option<&str>) -> Vec<Value> {
    value
        .filter(|v| !v.is_empty())
        .map(|v| vec![json!({"Alphabetic": v})])
        .unwrap_or_default()
}

/// Adds the attributes of a parent level that `includefield` names (its `RetrieveURL` is the
/// parent's, so it is not one of them).
fn inherit(out: &mut Map<String, Value>, query: &QidoQuery, parent: Value) {
    if matches!(query.include, Include::Level) {
        return;
    }
    let Value::Object(parent) = parent else {
        return;
    };
    for (key, value) in parent {
        let tag = u32::from_str_radix(&key, 16).unwrap_or_default();
        if query.includes(tag) && tag != 0x0008_1190 && !out.contains_key(&key) {
            out.insert(key, value);
        }
    }
}

/// The study-level attributes of `study` (PS3.18 Table 10.6.3-3 and what `includefield` adds).
pub fn study_json(root: &Root, study: &Study) -> Value {
    let mut out = Map::new();
    let uid = study.study_instance_uid.as_str();
    put(
        &mut out,
        0x0008_0020,
        "DA",
        study
            .study_date
            .map(|d| vec![json!(da(d))])
            .unwrap_or_default(),
    );
    put(
        &mut out,
        0x0008_0030,
        "TM",
        text(study.study_time.as_deref()),
    );
    put(
        &mut out,
        0x0008_0050,
        "SH",
        text(study.accession_number.as_deref()),
    );
    put(
        &mut out,
        0x0008_0061,
        "CS",
        study.modalities.iter().map(|m| json!(m)).collect(),
    );
    put(
        &mut out,
        0x0008_0090,
        "PN",
        name(study.referring_physician.as_deref()),
    );
    put(
        &mut out,
        0x0008_1190,
        "UR",
        vec![json!(format!("{}/studies/{uid}", root.0))],
    );
    put(
        &mut out,
        0x0010_0010,
        "PN",
        name(study.patient_name.as_deref()),
    );
    put(
        &mut out,
        0x0010_0020,
        "LO",
        text(study.dicom_patient_id.as_deref()),
    );
    put(
        &mut out,
        0x0010_0030,
        "DA",
        study
            .patient_birth_date
            .map(|d| vec![json!(da(d))])
            .unwrap_or_default(),
    );
    put(
        &mut out,
        0x0010_0040,
        "CS",
        text(study.patient_sex.as_deref()),
    );
    put(&mut out, 0x0020_000D, "UI", vec![json!(uid)]);
    put(&mut out, 0x0020_1206, "IS", vec![json!(study.series_count)]);
    put(&mut out, 0x0020_1208, "IS", vec![json!(study.image_count)]);
    put(
        &mut out,
        0x0008_1030,
        "LO",
        text(study.description.as_deref()),
    );
    Value::Object(out)
}

/// The series-level attributes of `series` in `study`.
pub fn series_json(query: &QidoQuery, root: &Root, study: &Study, series: &Series) -> Value {
    let mut out = Map::new();
    let (study_uid, uid) = (
        study.study_instance_uid.as_str(),
        series.series_instance_uid.as_str(),
    );
    put(
        &mut out,
        0x0008_0060,
        "CS",
        text(series.modality.as_deref()),
    );
    put(
        &mut out,
        0x0008_103E,
        "LO",
        text(series.description.as_deref()),
    );
    put(
        &mut out,
        0x0008_1190,
        "UR",
        vec![json!(format!(
            "{}/studies/{study_uid}/series/{uid}",
            root.0
        ))],
    );
    put(&mut out, 0x0020_000D, "UI", vec![json!(study_uid)]);
    put(&mut out, 0x0020_000E, "UI", vec![json!(uid)]);
    put(
        &mut out,
        0x0020_0011,
        "IS",
        series.number.map(|n| vec![json!(n)]).unwrap_or_default(),
    );
    put(&mut out, 0x0020_1209, "IS", vec![json!(series.image_count)]);
    if query.includes(0x0018_0015) {
        put(
            &mut out,
            0x0018_0015,
            "CS",
            text(series.body_part.as_deref()),
        );
    }
    // Study attributes a client asked for at this level come from the study.
    inherit(&mut out, query, study_json(root, study));
    Value::Object(out)
}

/// The instance-level attributes of `image` in `series` of `study`.
pub fn instance_json(
    query: &QidoQuery,
    root: &Root,
    study: &Study,
    series: &Series,
    image: &Image,
) -> Value {
    let mut out = Map::new();
    let (study_uid, series_uid, uid) = (
        study.study_instance_uid.as_str(),
        series.series_instance_uid.as_str(),
        image.sop_instance_uid.as_str(),
    );
    put(
        &mut out,
        0x0008_0016,
        "UI",
        vec![json!(image.sop_class_uid.as_str())],
    );
    put(&mut out, 0x0008_0018, "UI", vec![json!(uid)]);
    put(
        &mut out,
        0x0008_3002,
        "UI",
        vec![json!(image.transfer_syntax_uid.as_str())],
    );
    put(
        &mut out,
        0x0008_1190,
        "UR",
        vec![json!(format!(
            "{}/studies/{study_uid}/series/{series_uid}/instances/{uid}",
            root.0
        ))],
    );
    put(&mut out, 0x0020_000D, "UI", vec![json!(study_uid)]);
    put(&mut out, 0x0020_000E, "UI", vec![json!(series_uid)]);
    put(
        &mut out,
        0x0020_0013,
        "IS",
        image
            .instance_number
            .map(|n| vec![json!(n)])
            .unwrap_or_default(),
    );
    put(
        &mut out,
        0x0028_0008,
        "IS",
        image.frames.map(|n| vec![json!(n)]).unwrap_or_default(),
    );
    put(
        &mut out,
        0x0028_0010,
        "US",
        image.rows.map(|n| vec![json!(n)]).unwrap_or_default(),
    );
    put(
        &mut out,
        0x0028_0011,
        "US",
        image.columns.map(|n| vec![json!(n)]).unwrap_or_default(),
    );
    inherit(&mut out, query, series_json(query, root, study, series));
    Value::Object(out)
}
