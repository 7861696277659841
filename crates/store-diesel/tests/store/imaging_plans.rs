//! The study list must stay an index walk at any size: all studies, one patient's, and a date
//! range each read their first page in index order, newest first, studies without a date last.

use domain::clinic::imaging::{ImagingRepository, StudyFilter};
use domain::kernel::paging::PageRequest;

use crate::plans::plan;
use crate::support::*;

const STUDIES: usize = 50_000;
const PATIENTS: usize = 2_000;

/// Patients, and studies (one series each) spread over a year, every tenth without a date and
/// every seventh without a patient, written by the database itself.
fn fill(db: &TestDb) {
    let series = "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n})";
    let with = |n: usize| series.replace("{n}", &n.to_string());
    let date = match db.backend() {
        Backend::Sqlite => "date('2026-01-01', '+' || (i % 365) || ' days')",
        Backend::Postgres => "to_char(date '2026-01-01' + (i % 365), 'YYYY-MM-DD')",
    };
    // Ids as the store writes them (UUIDs): `00000000-000K-7000-8000-<n, 12 digits>`.
    let backend = db.backend();
    let id = move |kind: u8, n: &str| match backend {
        Backend::Sqlite => format!("printf('00000000-000{kind}-7000-8000-%012d', {n})"),
        Backend::Postgres => {
            format!("'00000000-000{kind}-7000-8000-' || lpad(({n})::text, 12, '0')")
        }
    };
    let stamp = "'2026-01-01T00:00:00.000000Z'";
    raw_sql(
        db,
        &format!(
            "{} INSERT INTO patients (patient_id, mrn, name, search_text, created_at, created_by, \
             updated_at, updated_by) \
             SELECT {}, 'MRN' || i, 'P ' || i, 'p ' || i, {stamp}, 's', {stamp}, 's' FROM s",
            with(PATIENTS),
            id(1, "i")
        ),
    );
    raw_sql(
        db,
        &format!(
            "{} INSERT INTO dicom_studies (study_id, study_instance_uid, patient_id, study_date, \
             modalities, series_count, image_count, size_bytes, created_at, updated_at) \
             SELECT {}, '1.2.' || i, CASE WHEN i % 7 = 0 THEN NULL ELSE {} END, \
             CASE WHEN i % 10 = 0 THEN NULL ELSE {date} END, \
             CASE i % 3 WHEN 0 THEN 'US' WHEN 1 THEN 'CT' ELSE 'MR' END, 1, 1, 10, {stamp}, {stamp} \
             FROM s",
            with(STUDIES),
            id(3, "i"),
            id(1, &format!("1 + i % {PATIENTS}"))
        ),
    );
    raw_sql(
        db,
        &format!(
            "{} INSERT INTO dicom_series (series_id, series_instance_uid, study_id, modality, \
             series_number, image_count, created_at) \
             SELECT {}, '1.2.' || i || '.1', {}, \
             CASE i % 3 WHEN 0 THEN 'US' WHEN 1 THEN 'CT' ELSE 'MR' END, 1, 1, {stamp} FROM s",
            with(STUDIES),
            id(4, "i"),
            id(3, "i")
        ),
    );
    raw_sql(db, "ANALYZE");
}

/// The first page as the store asks for it.
fn page_query(filter: &str) -> String {
    let filter = if filter.is_empty() {
        String::new()
    } else {
        format!("WHERE {filter} ")
    };
    format!(
        "SELECT * FROM dicom_studies {filter}ORDER BY dicom_studies.study_date DESC NULLS LAST, \
         dicom_studies.created_at DESC, dicom_studies.study_id DESC LIMIT 15"
    )
}

on_each_backend!(the_study_list_reads_one_page_off_an_index, |db| {
    fill(&db);
    let patient = "'00000000-0001-7000-8000-000000000042'";
    let cases = [
        ("", "dicom_studies_order", true),
        (
            &*format!("dicom_studies.patient_id = {patient}"),
            "dicom_studies_patient",
            false,
        ),
        (
            "dicom_studies.study_date >= '2026-03-01' AND dicom_studies.study_date <= '2026-06-30'",
            "dicom_studies_order",
            true,
        ),
        (
            &*format!(
                "dicom_studies.patient_id = {patient} AND dicom_studies.study_date >= '2026-03-01'"
            ),
            "dicom_studies_patient",
            false,
        ),
        (
            "EXISTS (SELECT 1 FROM dicom_series WHERE dicom_series.study_id = \
             dicom_studies.study_id AND dicom_series.modality = 'US')",
            "dicom_studies_order",
            true,
        ),
    ];
    for (filter, index, wide) in cases {
        let plan = plan(&db, &page_query(filter));
        eprintln!("{} [{filter}]:\n{plan}", db.backend());
        assert!(plan.contains(index), "{filter}: {plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{filter}: {plan}");
        assert!(
            !plan.contains("Seq Scan on dicom_studies"),
            "{filter}: {plan}"
        );
        // PostgreSQL may rightly fetch one patient's few studies by bitmap and sort them; a wide
        // list it must read in index order.
        if wide {
            assert!(!plan.contains("Sort"), "{filter}: {plan}");
        }
    }
    let started = std::time::Instant::now();
    let page = ImagingRepository::list_studies(
        &db.store,
        &StudyFilter {
            modality: Some("US".into()),
            ..StudyFilter::default()
        },
        PageRequest::default(),
    )
    .unwrap();
    eprintln!("{}: first US page in {:?}", db.backend(), started.elapsed());
    assert_eq!(page.total, (STUDIES / 3) as u64);
    assert_eq!(page.items.len(), 15);
    assert!(page.items[0].study_date.is_some());
});
