//! The patient's case list, and the administrators' first page, must stay a short index walk
//! however large the table grows.

use diesel::prelude::*;
use diesel::sql_types::Text;
use domain::kernel::code::Code;
use domain::second_opinion::{CaseFilter, CaseRepository, CaseStatus, ReviewCase};

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

fn plan(db: &TestDb, sql: &str) -> String {
    match db.backend() {
        Backend::Sqlite => {
            let mut conn = SqliteConnection::establish(sqlite_path(db)).unwrap();
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
