//! The administrators' case list: [`CaseRepository::list_cases`] and `count_cases`, every filter.

use domain::second_opinion::{
    CaseFilter, CaseRepository, CaseStatus, CatalogueRepository, ReviewCase,
};

use crate::fixtures::{self, Catalogue, case_ids, category, draft, review_type};
use crate::support::*;

/// `cases` that `keep` selects, newest first: what the list must answer.
fn expected(cases: &[ReviewCase], keep: impl Fn(&ReviewCase) -> bool) -> Vec<ReviewCase> {
    let mut kept: Vec<ReviewCase> = cases.iter().filter(|c| keep(c)).cloned().collect();
    kept.sort_by_key(|c| std::cmp::Reverse((c.created_date, c.id)));
    kept
}

on_each_backend!(the_case_list_applies_every_filter_newest_first, |db| {
    let store = &db.store;
    let cat = fixtures::catalogue(store);
    let other_rt = review_type("Urgent Review", "مراجعة عاجلة", T0);
    let other_dc = category("Oncology", "الأورام", T0);
    store.insert_review_type(&other_rt).unwrap();
    store.insert_disease_category(&other_dc).unwrap();
    let other = Catalogue {
        rt: other_rt.id,
        dc: other_dc.id,
    };

    let statuses = [
        CaseStatus::Draft,
        CaseStatus::Review,
        CaseStatus::AwaitingPayment,
        CaseStatus::Review,
    ];
    let histories = [
        Some("Hypertension since 2019"),
        None,
        Some("ضغط الدم (100% controlled)"),
        Some("Asthma; HYPERtension suspected"),
    ];
    let mut cases = Vec::new();
    for i in 0..12_usize {
        let catalogue = if i % 3 == 0 { other } else { cat };
        let mut case = draft(catalogue, &format!("Patient-{}", i % 5), at(i as i64 * 10));
        if i % 3 == 1 {
            // Same review type, other category.
            case.dc_id = other.dc;
        }
        case.status = statuses[i % 4];
        case.medical_history = histories[i % 4].map(str::to_owned);
        fixtures::insert(store, &case);
        cases.push(case);
    }
    // A creation instant shared by two cases: the id decides.
    let mut twin = draft(cat, "twin", at(50));
    twin.id = Uuid::parse_str("ffffffff-0000-7000-8000-000000000000")
        .unwrap()
        .into();
    fixtures::insert(store, &twin);
    cases.push(twin);

    let check = |filter: CaseFilter, keep: &dyn Fn(&ReviewCase) -> bool| {
        let want = expected(&cases, keep);
        assert_eq!(
            case_ids(&store.list_cases(&filter, 100, 0).unwrap()),
            case_ids(&want),
            "{filter:?}"
        );
        assert_eq!(
            store.count_cases(&filter).unwrap(),
            want.len() as u64,
            "{filter:?}"
        );
        want
    };
    let all = check(CaseFilter::default(), &|_| true);
    assert_eq!(all.len(), 13);
    assert_eq!(
        store.list_cases(&CaseFilter::default(), 100, 0).unwrap(),
        all
    );
    assert_eq!(
        case_ids(&store.list_cases(&CaseFilter::default(), 3, 4).unwrap()),
        case_ids(&all[4..7])
    );
    assert!(
        store
            .list_cases(&CaseFilter::default(), 10, 13)
            .unwrap()
            .is_empty()
    );

    let review = check(
        CaseFilter {
            status: Some(CaseStatus::Review),
            ..CaseFilter::default()
        },
        &|c| c.status == CaseStatus::Review,
    );
    assert_eq!(review.len(), 6);
    check(
        CaseFilter {
            status: Some(CaseStatus::Completed),
            ..CaseFilter::default()
        },
        &|_| false,
    );
    check(
        CaseFilter {
            dc_id: Some(other.dc),
            ..CaseFilter::default()
        },
        &|c| c.dc_id == other.dc,
    );
    check(
        CaseFilter {
            rt_id: Some(other.rt),
            ..CaseFilter::default()
        },
        &|c| c.rt_id == other.rt,
    );
    let has = |c: &ReviewCase, needle: &str| {
        c.medical_history
            .as_deref()
            .is_some_and(|h| h.to_lowercase().contains(needle))
    };
    for (q, needle) in [
        ("hypertension", "hypertension"),
        ("100%", "100%"),
        ("الدم", "الدم"),
    ] {
        let found = check(
            CaseFilter {
                q: Some(q.to_owned()),
                ..CaseFilter::default()
            },
            &|c| has(c, needle),
        );
        assert!(!found.is_empty(), "{q}");
    }
    // The patient's id, any case; wildcards literal.
    check(
        CaseFilter {
            q: Some("patient-3".to_owned()),
            ..CaseFilter::default()
        },
        &|c| c.user_id.as_str() == "Patient-3",
    );
    check(
        CaseFilter {
            q: Some("_".to_owned()),
            ..CaseFilter::default()
        },
        &|_| false,
    );
    // From is inclusive, before exclusive.
    check(
        CaseFilter {
            created_from: Some(at(30)),
            created_before: Some(at(70)),
            ..CaseFilter::default()
        },
        &|c| c.created_date >= at(30) && c.created_date < at(70),
    );
    let everything = CaseFilter {
        status: Some(CaseStatus::Review),
        dc_id: Some(cat.dc),
        rt_id: Some(cat.rt),
        q: Some("TENSION".to_owned()),
        created_from: Some(at(0)),
        created_before: Some(at(120)),
    };
    let found = check(everything, &|c| {
        c.status == CaseStatus::Review
            && c.dc_id == cat.dc
            && c.rt_id == cat.rt
            && has(c, "tension")
            && c.created_date < at(120)
    });
    assert!(!found.is_empty());
});
