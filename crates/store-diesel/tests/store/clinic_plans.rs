//! The appointment list must stay an index walk at any size: every filter combination's first page
//! is read in index order (no sort of the matching rows), from an index its filters lead. Patient
//! search reads each query word's range of the search terms' index, never every patient.

use domain::clinic::{AppointmentFilter, AppointmentRepository};
use domain::kernel::paging::PageRequest;

use crate::support::*;

const APPOINTMENTS: usize = 100_000;
const PATIENTS: usize = 2_000;
const DOCTORS: usize = 20;

use crate::plans::plan;

/// Staff, patients and appointments spread over a year, written by the database itself.
fn fill(db: &TestDb) {
    let (series, date, time) = match db.backend() {
        Backend::Sqlite => (
            "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n})",
            "date('2026-01-01', '+' || (i % 365) || ' days')",
            "printf('%02d:%02d', 8 + (i / 365) % 10, ((i / 3650) % 12) * 5)",
        ),
        Backend::Postgres => (
            "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n})",
            "to_char(date '2026-01-01' + (i % 365), 'YYYY-MM-DD')",
            "lpad((8 + (i / 365) % 10)::text, 2, '0') || ':' || lpad((((i / 3650) % 12) * 5)::text, 2, '0')",
        ),
    };
    let with = |n: usize| series.replace("{n}", &n.to_string());
    // Ids as the store writes them (UUIDs): `00000000-000K-7000-8000-<n, 12 digits>`.
    let id = |kind: u8, n: &str| match db.backend() {
        Backend::Sqlite => format!("printf('00000000-000{kind}-7000-8000-%012d', {n})"),
        Backend::Postgres => {
            format!("'00000000-000{kind}-7000-8000-' || lpad(({n})::text, 12, '0')")
        }
    };
    let stamp = "'2026-01-01T00:00:00.000000Z'";
    raw_sql(
        db,
        &format!(
            "{} INSERT INTO staff_accounts (staff_id, username, username_key, name, roles, \
             is_active, password_hash, created_at, updated_at) \
             SELECT {}, 'd' || i, 'd' || i, 'Dr ' || i, 'doctor', TRUE, '!', {stamp}, {stamp} FROM s",
            with(DOCTORS),
            id(2, "i")
        ),
    );
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
    let statuses = "CASE i % 4 WHEN 0 THEN 'scheduled' WHEN 1 THEN 'completed' \
                    WHEN 2 THEN 'cancelled' ELSE 'waiting' END";
    raw_sql(
        db,
        &format!(
            "{} INSERT INTO appointments (appointment_id, patient_id, doctor_id, date, time, \
             duration_minutes, status, accession_number, version, created_at, created_by, \
             updated_at, updated_by) \
             SELECT {}, {}, {}, {date}, \
             {time}, 30, {statuses}, 'ACC' || i, 1, {stamp}, 's', {stamp}, 's' FROM s",
            with(APPOINTMENTS),
            id(0, "i"),
            id(1, &format!("1 + i % {PATIENTS}")),
            id(2, &format!("1 + i % {DOCTORS}"))
        ),
    );
    raw_sql(db, "ANALYZE");
}

/// The first page as the store asks for it, joins included.
fn page_query(filter: &str, descending: bool) -> String {
    let dir = if descending { "DESC" } else { "ASC" };
    let filter = if filter.is_empty() {
        String::new()
    } else {
        format!("WHERE {filter} ")
    };
    format!(
        "SELECT appointments.*, patients.mrn, patients.name, staff_accounts.name \
         FROM appointments INNER JOIN patients ON appointments.patient_id = patients.patient_id \
         LEFT JOIN staff_accounts ON appointments.doctor_id = staff_accounts.staff_id \
         {filter}ORDER BY appointments.date {dir}, appointments.time {dir}, \
         appointments.appointment_id {dir} LIMIT 15"
    )
}

on_each_backend!(every_appointment_filter_reads_one_page_off_an_index, |db| {
    fill(&db);
    let cases = [
        ("", "appointments_day"),
        ("appointments.date = '2026-03-01'", "appointments_day"),
        (
            "appointments.patient_id = '00000000-0001-7000-8000-000000000007'",
            "appointments_patient",
        ),
        (
            "appointments.doctor_id = '00000000-0002-7000-8000-000000000003'",
            "appointments_doctor",
        ),
        ("appointments.status = 'waiting'", "appointments_status"),
        (
            "appointments.doctor_id = '00000000-0002-7000-8000-000000000003' AND appointments.date = '2026-03-01'",
            "appointments_doctor",
        ),
        (
            "appointments.status = 'waiting' AND appointments.date = '2026-03-01'",
            "appointments_",
        ),
        (
            "appointments.patient_id = '00000000-0001-7000-8000-000000000007' AND appointments.status = 'waiting'",
            "appointments_",
        ),
        (
            "appointments.doctor_id = '00000000-0002-7000-8000-000000000003' AND appointments.status = 'scheduled'",
            "appointments_",
        ),
    ];
    for (filter, index) in cases {
        for descending in [false, true] {
            let plan = plan(&db, &page_query(filter, descending));
            eprintln!("{} [{filter}] desc={descending}:\n{plan}", db.backend());
            assert!(plan.contains(index), "{filter}: {plan}");
            // A SQLite `SCAN` of the table itself (not of an index, in its order) reads it all.
            assert!(
                plan.lines()
                    .filter(|l| l.contains("SCAN appointments"))
                    .all(|l| l.contains("INDEX")),
                "{filter}: {plan}"
            );
            assert!(
                !plan.contains("Seq Scan on appointments"),
                "{filter}: {plan}"
            );
            // SQLite reads the page in index order. PostgreSQL may rightly fetch a narrow
            // filter's few rows (one doctor's day) by bitmap and sort them; a wide one (no
            // filter, one status) it must read in index order.
            assert!(!plan.contains("TEMP B-TREE"), "{filter}: {plan}");
            let wide = filter.is_empty() || filter == "appointments.status = 'waiting'";
            if wide {
                assert!(!plan.contains("Sort"), "{filter}: {plan}");
            }
        }
    }
    let started = std::time::Instant::now();
    let page = AppointmentRepository::list(
        &db.store,
        &AppointmentFilter {
            descending: true,
            ..AppointmentFilter::default()
        },
        PageRequest::default(),
    )
    .unwrap();
    eprintln!("{}: newest page in {:?}", db.backend(), started.elapsed());
    assert_eq!(page.total, APPOINTMENTS as u64);
    assert_eq!(page.items.len(), 15);
});

const SEARCHED: usize = 100_000;

/// `n` patients with names drawn from a few dozen first and last names (Latin, and Arabic for
/// every third one), a phone each and MRNs 1 to `n`, written by the bulk loader.
fn fill_patients(db: &TestDb, n: usize) -> Vec<domain::clinic::Patient> {
    use domain::clinic::{Patient, PatientDetails, PatientId};
    const FIRST: [(&str, &str); 8] = [
        ("Ahmad", "أحمد"),
        ("Mariam", "مريم"),
        ("Omar", "عمر"),
        ("Layla", "ليلى"),
        ("Youssef", "يوسف"),
        ("Fatima", "فاطمة"),
        ("Khaled", "خالد"),
        ("Huda", "هدى"),
    ];
    const LAST: [&str; 12] = [
        "Haddad", "Khalil", "Núñez", "García", "Müller", "Saleh", "Nasser", "Dubois", "Çelik",
        "Odeh", "Mansour", "Lefèvre",
    ];
    let patients: Vec<Patient> = (0..n)
        .map(|i| {
            let (first, first_ar) = FIRST[i % FIRST.len()];
            let last = LAST[(i / FIRST.len()) % LAST.len()];
            let at = T0 + time::Duration::seconds(i as i64);
            Patient {
                id: PatientId::from_uuid(Uuid::now_v7()),
                mrn: Patient::mrn_for(i as i64 + 1),
                details: PatientDetails {
                    name: format!("{first} {last} {}", i % 97),
                    name_ar: i.is_multiple_of(3).then(|| first_ar.to_owned()),
                    birth_date: None,
                    sex: None,
                    phone: Some(format!("+962 79 {:07}", i * 7 % 10_000_000)),
                    national_id: None,
                    address: None,
                },
                created_at: at,
                created_by: actor("load"),
                updated_at: at,
                updated_by: actor("load"),
                deleted_at: None,
            }
        })
        .collect();
    for batch in patients.chunks(20_000) {
        db.store.insert_patients_bulk(batch).unwrap();
    }
    // No `ANALYZE`: the plan must be right on a database without statistics too.
    patients
}

on_each_backend!(patient_search_reads_the_terms_index, |db| {
    use domain::clinic::search::{matches, terms};
    use domain::clinic::{PatientQuery, PatientRepository};
    let started = std::time::Instant::now();
    let patients = fill_patients(&db, SEARCHED);
    eprintln!(
        "{}: {SEARCHED} patients loaded in {:?}",
        db.backend(),
        started.elapsed()
    );
    // The list without a search reads its page off the live patients' index, in order.
    let list = "SELECT * FROM patients WHERE patients.deleted_at IS NULL \
                ORDER BY patients.created_at DESC, patients.patient_id DESC LIMIT 15";
    let list_plan = plan(&db, list);
    eprintln!("{}: {list}\n{list_plan}", db.backend());
    assert!(list_plan.contains("patients_order"), "{list_plan}");
    assert!(!list_plan.contains("TEMP B-TREE"), "{list_plan}");
    assert!(!list_plan.contains("Sort"), "{list_plan}");
    // A name's start, two words, Arabic, an MRN, a phone's last digits: as many as the domain's
    // definition of a match counts.
    for q in ["hadd", "mariam haddad", "مريم", "MRN00004242", "0029 694"] {
        let want = patients
            .iter()
            .filter(|p| matches(&p.search_terms(), &terms(q)))
            .count() as u64;
        let query = PatientQuery {
            terms: terms(q),
            ..PatientQuery::default()
        };
        let started = std::time::Instant::now();
        let page = PatientRepository::list(&db.store, &query, PageRequest::default()).unwrap();
        eprintln!(
            "{}: search {q:?}: {} in {:?}",
            db.backend(),
            page.total,
            started.elapsed()
        );
        assert_eq!(page.total, want, "{q}");
        for sql in search_queries(&terms(q)) {
            let plan = plan(&db, &sql);
            eprintln!("{}: {sql}\n{plan}", db.backend());
            // Each word is a range of the terms' primary key; SQLite then fetches the matching
            // patients by id, never scanning them. PostgreSQL may rightly hash-join a wide match
            // (thousands of patients) against a scan of the table; a narrow one it fetches by id.
            assert!(
                plan.contains("patient_search_terms_1 (term>? AND term<?)")
                    || plan.contains("Index Cond: ((term >= "),
                "{q}: {plan}"
            );
            assert!(!plan.contains("SCAN patients"), "{q}: {plan}");
            if want < 100 {
                assert!(!plan.contains("Seq Scan"), "{q}: {plan}");
            }
        }
    }
});

/// The first page of a search and its total, as the store asks for them.
fn search_queries(terms: &[String]) -> [String; 2] {
    let filter: String = terms
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let and = if i == 0 { "" } else { " AND" };
            format!(
                "{and} patients.patient_id IN (SELECT patient_search_terms.patient_id \
                 FROM patient_search_terms WHERE patient_search_terms.term >= '{t}' \
                 AND patient_search_terms.term < '{t}\u{10FFFF}')"
            )
        })
        .collect();
    [
        format!(
            "SELECT * FROM patients WHERE{filter} \
             ORDER BY patients.created_at DESC, patients.patient_id DESC LIMIT 15"
        ),
        format!("SELECT count(*) FROM patients WHERE{filter}"),
    ]
}
