//! [`CatalogueRepository`]: review types and disease categories.

use domain::kernel::ids::{DiseaseCategoryId, ReviewTypeId};
use domain::kernel::money::{Currency, Money};
use domain::second_opinion::{CatalogueFilter, CatalogueRepository, DiseaseCategory, ReviewType};

use crate::fixtures::{category, filter, review_type};
use crate::support::*;

fn review_type_names(store: &Store, f: &CatalogueFilter, limit: i64, offset: i64) -> Vec<String> {
    store
        .list_review_types(f, limit, offset)
        .unwrap()
        .into_iter()
        .map(|rt| rt.name_en)
        .collect()
}

fn category_names(store: &Store, f: &CatalogueFilter, limit: i64, offset: i64) -> Vec<String> {
    store
        .list_disease_categories(f, limit, offset)
        .unwrap()
        .into_iter()
        .map(|dc| dc.speciality_en)
        .collect()
}

on_each_backend!(review_type_round_trip_keeps_every_field, |db| {
    let store = &db.store;
    let rt = review_type("Standard Review", "مراجعة قياسية", T0);
    store.insert_review_type(&rt).unwrap();
    assert_eq!(store.find_review_type(rt.id).unwrap(), Some(rt.clone()));

    let changed = ReviewType {
        name_en: "Express Review".to_owned(),
        name_ar: "مراجعة سريعة".to_owned(),
        description_en: "Faster".to_owned(),
        description_ar: "أسرع".to_owned(),
        min_review_days: 2,
        max_review_days: 4,
        doctor_count: 5,
        price: Money::from_minor(150_000, Currency::parse("EUR").unwrap()),
        icon: None,
        active: false,
        updated_date: datetime!(2026-12-01 08:30:00.000001 UTC),
        ..rt.clone()
    };
    store.update_review_type(&changed).unwrap();
    let stored = store.find_review_type(rt.id).unwrap();
    assert_eq!(stored, Some(changed.clone()));
    let price = stored.unwrap().price;
    assert_eq!((price.minor(), price.currency().as_str()), (150_000, "EUR"));

    // The creation date is the row's history, not something an update rewrites.
    let rewritten = ReviewType {
        created_date: at(999),
        ..changed.clone()
    };
    store.update_review_type(&rewritten).unwrap();
    assert_eq!(store.find_review_type(rt.id).unwrap(), Some(changed));

    assert_eq!(
        store
            .find_review_type(ReviewTypeId::from_uuid(Uuid::now_v7()))
            .unwrap(),
        None
    );
});

on_each_backend!(disease_category_round_trip_keeps_every_field, |db| {
    let store = &db.store;
    let dc = category("Cardiology", "أمراض القلب", T0);
    store.insert_disease_category(&dc).unwrap();
    assert_eq!(
        store.find_disease_category(dc.id).unwrap(),
        Some(dc.clone())
    );

    let changed = DiseaseCategory {
        speciality_en: "Cardiac Surgery".to_owned(),
        speciality_ar: "جراحة القلب".to_owned(),
        active: false,
        updated_date: at(60),
        ..dc.clone()
    };
    store.update_disease_category(&changed).unwrap();
    assert_eq!(store.find_disease_category(dc.id).unwrap(), Some(changed));

    assert_eq!(
        store
            .find_disease_category(DiseaseCategoryId::from_uuid(Uuid::now_v7()))
            .unwrap(),
        None
    );
});

on_each_backend!(
    duplicate_review_type_names_conflict_and_change_nothing,
    |db| {
        let store = &db.store;
        let first = review_type("Standard Review", "مراجعة قياسية", at(0));
        let other = review_type("Express Review", "مراجعة سريعة", at(1));
        store.insert_review_type(&first).unwrap();
        store.insert_review_type(&other).unwrap();

        let same_en = review_type("STANDARD review", "اسم آخر", at(2));
        match store.insert_review_type(&same_en) {
            Err(Error::Conflict(t)) => assert_eq!(t.key(), Key::ReviewTypeNameTaken),
            other => panic!("{other:?}"),
        }
        let same_ar = review_type("Another Name", "مراجعة قياسية", at(3));
        match store.insert_review_type(&same_ar) {
            Err(Error::Conflict(t)) => assert_eq!(t.key(), Key::ReviewTypeNameTaken),
            other => panic!("{other:?}"),
        }

        let renamed_en = ReviewType {
            name_en: "standard REVIEW".to_owned(),
            ..other.clone()
        };
        match store.update_review_type(&renamed_en) {
            Err(Error::Conflict(t)) => assert_eq!(t.key(), Key::ReviewTypeNameTaken),
            other => panic!("{other:?}"),
        }
        let renamed_ar = ReviewType {
            name_ar: "مراجعة قياسية".to_owned(),
            ..other.clone()
        };
        match store.update_review_type(&renamed_ar) {
            Err(Error::Conflict(t)) => assert_eq!(t.key(), Key::ReviewTypeNameTaken),
            other => panic!("{other:?}"),
        }

        assert_eq!(store.count_review_types(&filter(None, None)).unwrap(), 2);
        assert_eq!(store.find_review_type(other.id).unwrap(), Some(other));
        assert_eq!(store.find_review_type(same_en.id).unwrap(), None);
    }
);

on_each_backend!(
    duplicate_disease_category_names_conflict_and_change_nothing,
    |db| {
        let store = &db.store;
        let first = category("Cardiology", "أمراض القلب", at(0));
        let other = category("Oncology", "الأورام", at(1));
        store.insert_disease_category(&first).unwrap();
        store.insert_disease_category(&other).unwrap();

        match store.insert_disease_category(&category("cARDIOLOGY", "قلب", at(2))) {
            Err(Error::Conflict(t)) => assert_eq!(t.key(), Key::DiseaseCategoryNameTaken),
            other => panic!("{other:?}"),
        }
        let same_ar = category("Heart", "أمراض القلب", at(3));
        match store.insert_disease_category(&same_ar) {
            Err(Error::Conflict(t)) => assert_eq!(t.key(), Key::DiseaseCategoryNameTaken),
            other => panic!("{other:?}"),
        }

        let renamed = DiseaseCategory {
            speciality_en: "CARDIOLOGY".to_owned(),
            ..other.clone()
        };
        match store.update_disease_category(&renamed) {
            Err(Error::Conflict(t)) => assert_eq!(t.key(), Key::DiseaseCategoryNameTaken),
            other => panic!("{other:?}"),
        }

        assert_eq!(
            store.count_disease_categories(&filter(None, None)).unwrap(),
            2
        );
        assert_eq!(store.find_disease_category(other.id).unwrap(), Some(other));
    }
);

on_each_backend!(
    /// Both backends must accept and refuse the same names: PostgreSQL's lower() would fold É.
    only_ascii_case_is_ignored_in_unique_names,
    |db| {
        let store = &db.store;
        store
            .insert_review_type(&review_type("École", "مدرسة ١", at(0)))
            .unwrap();
        store
            .insert_review_type(&review_type("école", "مدرسة ٢", at(1)))
            .unwrap();
        store
            .insert_disease_category(&category("Ént", "أنف ١", at(0)))
            .unwrap();
        store
            .insert_disease_category(&category("ént", "أنف ٢", at(1)))
            .unwrap();
    }
);

on_each_backend!(updating_a_missing_row_is_not_found, |db| {
    let store = &db.store;
    match store.update_review_type(&review_type("Ghost", "شبح", T0)) {
        Err(Error::NotFound(t)) => assert_eq!(t.key(), Key::ReviewTypeNotFound),
        other => panic!("{other:?}"),
    }
    match store.update_disease_category(&category("Ghost", "شبح", T0)) {
        Err(Error::NotFound(t)) => assert_eq!(t.key(), Key::DiseaseCategoryNotFound),
        other => panic!("{other:?}"),
    }
    assert_eq!(store.count_review_types(&filter(None, None)).unwrap(), 0);
});

on_each_backend!(lists_are_newest_first_then_by_id, |db| {
    let store = &db.store;
    // Inserted out of order; two share a creation instant, so the id decides.
    let mut tie_low = review_type("Tie Low", "تعادل ١", at(5));
    tie_low.id = Uuid::parse_str("00000000-0000-7000-8000-000000000001")
        .unwrap()
        .into();
    let mut tie_high = review_type("Tie High", "تعادل ٢", at(5));
    tie_high.id = Uuid::parse_str("00000000-0000-7000-8000-000000000002")
        .unwrap()
        .into();
    for rt in [
        review_type("Middle", "وسط", at(3)),
        tie_low,
        review_type("Oldest", "أقدم", at(-60 * 24 * 400)),
        tie_high,
        review_type("Newest", "أحدث", at(6)),
    ] {
        store.insert_review_type(&rt).unwrap();
    }
    assert_eq!(
        review_type_names(store, &filter(None, None), 10, 0),
        ["Newest", "Tie High", "Tie Low", "Middle", "Oldest"]
    );

    for (i, (en, ar)) in [("A", "أ"), ("B", "ب"), ("C", "ج")].into_iter().enumerate() {
        let dc = category(en, ar, at(i as i64));
        store.insert_disease_category(&dc).unwrap();
    }
    assert_eq!(
        category_names(store, &filter(None, None), 10, 0),
        ["C", "B", "A"]
    );
});

on_each_backend!(active_filter_selects_active_inactive_or_both, |db| {
    let store = &db.store;
    let mut retired = review_type("Retired", "متقاعد", at(0));
    retired.active = false;
    store.insert_review_type(&retired).unwrap();
    store
        .insert_review_type(&review_type("Live", "حي", at(1)))
        .unwrap();
    let mut hidden = category("Hidden", "مخفي", at(0));
    hidden.active = false;
    store.insert_disease_category(&hidden).unwrap();
    store
        .insert_disease_category(&category("Shown", "ظاهر", at(1)))
        .unwrap();

    assert_eq!(
        review_type_names(store, &filter(Some(true), None), 10, 0),
        ["Live"]
    );
    assert_eq!(
        review_type_names(store, &filter(Some(false), None), 10, 0),
        ["Retired"]
    );
    assert_eq!(
        review_type_names(store, &filter(None, None), 10, 0),
        ["Live", "Retired"]
    );
    assert_eq!(
        store.count_review_types(&filter(Some(true), None)).unwrap(),
        1
    );
    assert_eq!(
        store
            .count_review_types(&filter(Some(false), None))
            .unwrap(),
        1
    );

    assert_eq!(
        category_names(store, &filter(Some(true), None), 10, 0),
        ["Shown"]
    );
    assert_eq!(
        category_names(store, &filter(Some(false), None), 10, 0),
        ["Hidden"]
    );
    assert_eq!(
        store
            .count_disease_categories(&filter(Some(false), None))
            .unwrap(),
        1
    );
});

on_each_backend!(q_matches_either_name_ignoring_ascii_case, |db| {
    let store = &db.store;
    store
        .insert_review_type(&review_type("Standard Review", "مراجعة قياسية", at(0)))
        .unwrap();
    store
        .insert_review_type(&review_type("Express Check", "فحص سريع", at(1)))
        .unwrap();
    store
        .insert_disease_category(&category("Cardiology", "أمراض القلب", at(0)))
        .unwrap();
    store
        .insert_disease_category(&category("Oncology", "الأورام", at(1)))
        .unwrap();
    store
        .insert_disease_category(&category("Neurology", "أمراض الأعصاب", at(2)))
        .unwrap();

    let rt = |q| review_type_names(store, &filter(None, Some(q)), 10, 0);
    assert_eq!(rt("REVIEW"), ["Standard Review"]);
    assert_eq!(rt("ss ch"), ["Express Check"]);
    assert_eq!(rt("قياسية"), ["Standard Review"]);
    assert_eq!(rt("e"), ["Express Check", "Standard Review"]);
    assert!(rt("nothing").is_empty());

    let dc = |q| category_names(store, &filter(None, Some(q)), 10, 0);
    assert_eq!(dc("OLOGY"), ["Neurology", "Oncology", "Cardiology"]);
    assert_eq!(dc("cArDi"), ["Cardiology"]);
    assert_eq!(dc("أمراض"), ["Neurology", "Cardiology"]);
    assert_eq!(dc("الأورام"), ["Oncology"]);
    assert_eq!(
        store
            .count_disease_categories(&filter(None, Some("أمراض")))
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .count_disease_categories(&filter(Some(true), Some("onco")))
            .unwrap(),
        1
    );
});

on_each_backend!(q_takes_like_wildcards_literally, |db| {
    let store = &db.store;
    for (i, (en, ar)) in [
        ("100% Review", "مراجعة ١"),
        ("100 Review", "مراجعة ٢"),
        ("Snake_Case", "ثعبان ١"),
        ("SnakeXCase", "ثعبان ٢"),
        ("Back\\slash", "خط ١"),
        ("Backslash", "خط ٢"),
    ]
    .into_iter()
    .enumerate()
    {
        store
            .insert_review_type(&review_type(en, ar, at(i as i64)))
            .unwrap();
        store
            .insert_disease_category(&category(en, ar, at(i as i64)))
            .unwrap();
    }
    for (q, expected) in [
        ("100%", "100% Review"),
        ("%", "100% Review"),
        ("e_c", "Snake_Case"),
        ("_", "Snake_Case"),
        ("k\\s", "Back\\slash"),
    ] {
        assert_eq!(
            review_type_names(store, &filter(None, Some(q)), 10, 0),
            [expected],
            "q {q:?}"
        );
        assert_eq!(
            category_names(store, &filter(None, Some(q)), 10, 0),
            [expected],
            "q {q:?}"
        );
    }
});

on_each_backend!(limit_offset_and_count_page_through_a_filter, |db| {
    let store = &db.store;
    for i in 0..7 {
        let mut rt = review_type(&format!("Type {i}"), &format!("نوع {i}"), at(i));
        rt.active = i % 2 == 0;
        store.insert_review_type(&rt).unwrap();
        let mut dc = category(&format!("Category {i}"), &format!("فئة {i}"), at(i));
        dc.active = i % 2 == 0;
        store.insert_disease_category(&dc).unwrap();
    }
    let all = filter(None, None);
    assert_eq!(
        review_type_names(store, &all, 3, 0),
        ["Type 6", "Type 5", "Type 4"]
    );
    assert_eq!(
        review_type_names(store, &all, 3, 3),
        ["Type 3", "Type 2", "Type 1"]
    );
    assert_eq!(review_type_names(store, &all, 3, 6), ["Type 0"]);
    assert!(review_type_names(store, &all, 3, 9).is_empty());
    assert_eq!(store.count_review_types(&all).unwrap(), 7);

    let active = filter(Some(true), Some("type"));
    assert_eq!(
        review_type_names(store, &active, 2, 1),
        ["Type 4", "Type 2"]
    );
    assert_eq!(store.count_review_types(&active).unwrap(), 4);

    assert_eq!(
        category_names(store, &filter(Some(false), None), 2, 1),
        ["Category 3", "Category 1"]
    );
    assert_eq!(store.count_disease_categories(&all).unwrap(), 7);
    assert_eq!(
        store
            .count_disease_categories(&filter(Some(false), None))
            .unwrap(),
        3
    );
});
