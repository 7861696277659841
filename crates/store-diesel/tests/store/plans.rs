//! The patient's case list, a provider's list, and the administrators' first page must stay a
//! short index walk however large the table grows.

use diesel::prelude::*;
use diesel::sql_types::Text;
use domain::kernel::code::Code;
use domain::second_opinion::{
    AssignmentRepository, CaseFilter, CaseRepository, CaseStatus, ReviewCase,
};

use crate::fixtures::{self, draft};
use crate::support::*;

const USERS: usize = 100;
const CASES_PER_USER: usize = 1_000;

/// What the store runs for `list_for_user` (same filter, order and paging).
fn list_query(offset: i64) -> String {
    format!(
        "SELECT * FROM review_cases WHERE user_id = 'user-42' \
         ORDER BY created_date DESC, case_id DESC LIMIT 20 OFFSET {offset}"
    )
}

#[derive(QueryableByName)]
struct SqlitePlanRow {
    #[diesel(sql_type = Text)]
    detail: String,
}

#[derive(QueryableByName)]
struct PgPlanRow {
    #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
    line: String,
}

/// `sql` with its `LIMIT` and `OFFSET` numbers as parameters, the way the store sends them: SQLite
/// (built to keep one plan per statement) then plans without knowing them, as it does for the store.
fn bound_paging(sql: &str) -> String {
    let mut words: Vec<&str> = Vec::new();
    for word in sql.split_whitespace() {
        let paging = matches!(words.last(), Some(&"LIMIT" | &"OFFSET"));
        words.push(if paging && word.bytes().all(|b| b.is_ascii_digit()) {
            "?"
        } else {
            word
        });
    }
    words.join(" ")
}

/// The plan the backend chooses for `sql`: SQLite's `EXPLAIN QUERY PLAN`, PostgreSQL's
/// `EXPLAIN ANALYZE`, one line per step.
pub(crate) fn plan(db: &TestDb, sql: &str) -> String {
    match db.backend() {
        Backend::Sqlite => {
            let mut conn = SqliteConnection::establish(sqlite_path(db)).unwrap();
            let sql = bound_paging(sql);
            diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
                .load::<SqlitePlanRow>(&mut conn)
                .unwrap()
                .into_iter()
                .map(|r| r.detail)
                .collect::<Vec<_>>()
                .join("\n")
        }
        Backend::Postgres => {
            let mut conn = PgConnection::establish(&db.url).unwrap();
            diesel::sql_query(format!("EXPLAIN ANALYZE {sql}"))
                .load::<PgPlanRow>(&mut conn)
                .unwrap()
                .into_iter()
                .map(|r| r.line)
                .collect::<Vec<_>>()
                .join("\n")
        }
    }
}

on_each_backend!(the_patient_list_walks_the_user_index, |db| {
    let store = &db.store;
    let cat = fixtures::catalogue(store);
    let cases: Vec<ReviewCase> = (0..USERS * CASES_PER_USER)
        .map(|i| {
            // Users' cases interleave in time, as they do in production.
            draft(
                cat,
                &format!("user-{}", i % USERS),
                at((i as i64 * 7_919) % 500_000),
            )
        })
        .collect();
    let started = std::time::Instant::now();
    store.insert_cases_bulk(&cases).unwrap();
    let loaded = started.elapsed();
    raw_sql(&db, "ANALYZE");

    let first = plan(&db, &list_query(0));
    let last = plan(&db, &list_query(980));
    eprintln!(
        "{} ({} cases loaded in {loaded:?}):\n-- first page\n{first}\n-- last page\n{last}",
        db.backend(),
        cases.len()
    );
    for plan in [&first, &last] {
        assert!(plan.contains("review_cases_user_created"), "{plan}");
    }
    // The first page comes in index order, without a sort. For the last page PostgreSQL may
    // prefer fetching the user's rows by bitmap and sorting them: it reads them all anyway.
    assert!(!first.contains("TEMP B-TREE"), "{first}");
    assert!(!first.contains("Sort"), "{first}");
    if db.backend() == Backend::Sqlite {
        assert!(!last.contains("TEMP B-TREE"), "{last}");
    }

    let user = actor("user-42");
    let started = std::time::Instant::now();
    let page = store.list_for_user(&user, 20, 980).unwrap();
    eprintln!("{}: last page in {:?}", db.backend(), started.elapsed());
    assert_eq!(page.len(), 20);
    assert_eq!(store.count_for_user(&user).unwrap(), CASES_PER_USER as u64);
});

const ADMIN_CASES: usize = 30_000;

/// What the store runs for `list_cases`' first page, of one status or all.
fn admin_query(status: Option<CaseStatus>) -> String {
    let filter = status.map_or(String::new(), |s| {
        format!("WHERE status = '{}' ", s.as_str())
    });
    format!("SELECT * FROM review_cases {filter}ORDER BY created_date DESC, case_id DESC LIMIT 20")
}

on_each_backend!(the_admin_list_first_page_walks_an_index, |db| {
    let store = &db.store;
    let cat = fixtures::catalogue(store);
    let statuses = [
        CaseStatus::Draft,
        CaseStatus::Review,
        CaseStatus::AwaitingPayment,
        CaseStatus::Paid,
        CaseStatus::DoctorsAssigned,
        CaseStatus::Completed,
    ];
    let cases: Vec<ReviewCase> = (0..ADMIN_CASES)
        .map(|i| {
            let mut case = draft(
                cat,
                &format!("user-{}", i % USERS),
                at((i as i64 * 7_919) % 500_000),
            );
            case.status = statuses[i % statuses.len()];
            case
        })
        .collect();
    store.insert_cases_bulk(&cases).unwrap();
    raw_sql(&db, "ANALYZE");

    for (status, index) in [
        (None, "review_cases_created"),
        (Some(CaseStatus::Review), "review_cases_status_created"),
    ] {
        let plan = plan(&db, &admin_query(status));
        eprintln!("{} ({status:?}):\n{plan}", db.backend());
        assert!(plan.contains(index), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
        assert!(!plan.contains("Sort"), "{plan}");
    }

    let review = CaseFilter {
        status: Some(CaseStatus::Review),
        ..CaseFilter::default()
    };
    let page = store.list_cases(&review, 20, 0).unwrap();
    assert_eq!(page.len(), 20);
    assert!(page.iter().all(|c| c.status == CaseStatus::Review));
    assert!(
        page.windows(2)
            .all(|w| (w[0].created_date, w[0].id) > (w[1].created_date, w[1].id))
    );
    assert_eq!(
        store.count_cases(&review).unwrap(),
        (ADMIN_CASES / statuses.len()) as u64
    );
});

const DOCTORS: usize = 20;
const DECLARATIONS_PER_DOCTOR: usize = 500;

/// What the store runs for `doctor_load`: two counts.
fn load_queries(employee: &str, person: &str) -> [String; 2] {
    [
        format!(
            "SELECT COUNT(*) FROM declarations WHERE employee_id = '{employee}' \
             AND status IN ('active', 'pending_verification') AND person_id <> '{person}'"
        ),
        format!(
            "SELECT COUNT(*) FROM declaration_requests WHERE employee_id = '{employee}' \
             AND status = 'APPROVED'"
        ),
    ]
}

/// [`plan`], with PostgreSQL told to use any index it can: with a few thousand rows it may
/// rightly prefer reading the table, and the question here is whether the index answers the
/// count alone.
fn index_plan(db: &TestDb, sql: &str) -> String {
    if db.backend() == Backend::Sqlite {
        return plan(db, sql);
    }
    let mut conn = PgConnection::establish(&db.url).unwrap();
    diesel::sql_query("SET enable_seqscan = off")
        .execute(&mut conn)
        .unwrap();
    diesel::sql_query("SET enable_bitmapscan = off")
        .execute(&mut conn)
        .unwrap();
    diesel::sql_query(format!("EXPLAIN ANALYZE {sql}"))
        .load::<PgPlanRow>(&mut conn)
        .unwrap()
        .into_iter()
        .map(|r| r.line)
        .collect::<Vec<_>>()
        .join("\n")
}

on_each_backend!(the_doctor_load_is_counted_from_indexes, |db| {
    use domain::declarations::{
        DeclarationRequestRepository, DeclarationRequestStatus, DeclarationStatus,
        RegistryRepository,
    };

    use crate::declarations_fixtures::{declaration, doctor, person, registry, request};

    let store = &db.store;
    let mut reg = registry();
    let division = reg.divisions[0].clone();
    reg.employees = (0..DOCTORS)
        .map(|i| {
            doctor(
                &division,
                &format!("Doctor {i}"),
                domain::declarations::Speciality::Therapist,
            )
        })
        .collect();
    reg.persons = (0..DOCTORS * DECLARATIONS_PER_DOCTOR)
        .map(|i| person(&format!("Person {i}"), &format!("+38097{i:07}")))
        .collect();
    let statuses = [
        DeclarationStatus::Active,
        DeclarationStatus::PendingVerification,
        DeclarationStatus::Terminated,
    ];
    reg.declarations = reg
        .persons
        .iter()
        .enumerate()
        .map(|(i, p)| {
            declaration(
                p,
                &reg.employees[i % DOCTORS],
                statuses[i % 3],
                &format!("N-{i}"),
            )
        })
        .collect();
    store.import_registry(reg.import(), T0).unwrap();
    for (i, p) in reg.persons.iter().take(200).enumerate() {
        let r = request(&reg, p, &reg.employees[(i + 1) % DOCTORS], at(i as i64));
        store.create(&r).unwrap();
        if i % 2 == 0 {
            let approved = domain::declarations::DeclarationRequest {
                status: DeclarationRequestStatus::Approved,
                ..r
            };
            store
                .save_transition(&approved, DeclarationRequestStatus::New)
                .unwrap();
        }
    }
    raw_sql(
        &db,
        match db.backend() {
            Backend::Sqlite => "ANALYZE",
            Backend::Postgres => "VACUUM ANALYZE",
        },
    );

    let employee = reg.employees[3].id;
    let person = reg.persons[3].id;
    let [declared, approved] = load_queries(&employee.to_string(), &person.to_string());
    for (sql, index) in [
        (declared, "declarations_employee_status"),
        (approved, "declaration_requests_employee_status"),
    ] {
        let plan = index_plan(&db, &sql);
        eprintln!("{}:\n{plan}", db.backend());
        match db.backend() {
            Backend::Sqlite => assert!(plan.contains(&format!("COVERING INDEX {index}")), "{plan}"),
            Backend::Postgres => {
                assert!(
                    plan.contains(&format!("Index Only Scan using {index}"))
                        || plan.contains(&format!("Index Scan using {index}")),
                    "{plan}"
                );
                assert!(!plan.contains("Seq Scan"), "{plan}");
            }
        }
    }
    // 500 declarations of doctor 3 (persons 3, 23, …): 167 active, 166 pending, 167 terminated;
    // person 3's is an active one. Doctor 3 has the requests of persons 2, 22, …, 182, all
    // approved (even ones are).
    assert_eq!(
        store.doctor_load(employee, person).unwrap(),
        167 + 166 - 1 + 10
    );
});

/// What the store runs for `for_doctor` (same filter, order and paging), on EMP1's coordinations.
fn provider_query(offset: i64) -> String {
    format!(
        "SELECT * FROM second_opinions WHERE doctor_id = 'EMP1' AND active = TRUE \
         AND is_coordinator = TRUE ORDER BY created_date DESC, sop_id DESC \
         LIMIT 15 OFFSET {offset}"
    )
}

on_each_backend!(a_provider_list_page_walks_the_order_index, |db| {
    let store = &db.store;
    let cat = fixtures::catalogue(store);
    // Three coordinators' cases interleaved in time; EMP1 holds a third.
    let cases: Vec<ReviewCase> = (0..3_000)
        .map(|i| {
            let mut case = draft(cat, &format!("user-{}", i % 50), at(i as i64 * 60));
            case.status = CaseStatus::AwaitingPayment;
            case
        })
        .collect();
    store.insert_cases_bulk(&cases).unwrap();
    let rows: Vec<_> = cases
        .iter()
        .enumerate()
        .map(|(i, case)| {
            let doctor = ["EMP1", "EMP2", "EMP7"][i % 3];
            fixtures::assignment(case, doctor, true, at(i as i64 * 60 + 1))
        })
        .collect();
    store.insert_assignments_bulk(&rows).unwrap();
    raw_sql(&db, "ANALYZE");

    let first = plan(&db, &provider_query(0));
    let deep = plan(&db, &provider_query(900));
    eprintln!(
        "{}:\n-- first page\n{first}\n-- page 61\n{deep}",
        db.backend()
    );
    assert!(first.contains("second_opinions_doctor_order"), "{first}");
    assert!(!first.contains("TEMP B-TREE"), "{first}");
    assert!(!first.contains("Sort"), "{first}");
    // SQLite walks the index however deep the page, reading only the shown rows from the table.
    // PostgreSQL may prefer scanning and sorting when the provider holds a large share of a small
    // table, as here: it reads those rows anyway.
    if db.backend() == Backend::Sqlite {
        assert!(deep.contains("second_opinions_doctor_order"), "{deep}");
        assert!(!deep.contains("TEMP B-TREE"), "{deep}");
    }
    let page = store.for_doctor(&actor("EMP1"), true, 15, 900).unwrap();
    assert_eq!(page.len(), 15);
});
