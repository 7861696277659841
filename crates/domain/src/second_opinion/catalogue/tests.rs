use std::sync::Arc;

use time::OffsetDateTime;

use super::*;
use crate::Error;
use crate::kernel::ids::{MockIdGenerator, ReviewTypeId};
use crate::kernel::money::{Currency, Decimal, Money};
use crate::kernel::text::Key;
use crate::kernel::time::MockClock;
use mockall::predicate::eq;
use time::macros::datetime;

const T0: OffsetDateTime = datetime!(2026-11-01 10:00 UTC);
const T1: OffsetDateTime = datetime!(2026-11-02 10:00 UTC);

fn fixed_uuid() -> uuid::Uuid {
    uuid::Uuid::from_u128(0x0193_a1c0_0000_7000_8000_0000_0000_0042)
}

fn fixed_id() -> ReviewTypeId {
    ReviewTypeId::from_uuid(fixed_uuid())
}

fn service(repo: MockCatalogueRepository) -> CatalogueService {
    let mut clock = MockClock::new();
    clock.expect_now().return_const(T1);
    let mut ids = MockIdGenerator::new();
    ids.expect_new_id().returning(fixed_uuid);
    CatalogueService::new(Arc::new(repo), Arc::new(clock), Arc::new(ids))
}

fn review_type() -> ReviewType {
    ReviewType {
        id: fixed_id(),
        name_en: "Standard Review".into(),
        name_ar: "مراجعة قياسية".into(),
        description_en: "Reviewed by 3 specialist oncologists".into(),
        description_ar: "يراجعها 3 أخصائيين في الأورام".into(),
        min_review_days: 8,
        max_review_days: 12,
        doctor_count: 3,
        price: Money::from_minor(90_000, Currency::USD),
        icon: None,
        active: true,
        created_date: T0,
        updated_date: T0,
    }
}

fn new_review_type() -> NewReviewType {
    NewReviewType {
        name_en: "  Standard Review ".into(),
        name_ar: "مراجعة قياسية".into(),
        description_en: String::new(),
        description_ar: String::new(),
        min_review_days: 8,
        max_review_days: 12,
        doctor_count: 3,
        price: Decimal::parse("900.5").unwrap(),
        currency: None,
        icon: None,
        active: None,
    }
}

fn fields(result: Result<ReviewType>) -> Vec<String> {
    match result {
        Err(Error::Validation(errors)) => errors.into_iter().map(|e| e.field).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[test]
fn picker_asks_for_active_rows_capped_at_100_and_localizes() {
    let mut repo = MockCatalogueRepository::new();
    repo.expect_list_review_types()
        .with(
            eq(CatalogueFilter {
                active: Some(true),
                q: None,
            }),
            eq(100),
            eq(0),
        )
        .times(1)
        .returning(|_, _, _| Ok(vec![review_type()]));
    let cards = service(repo).review_type_picker(Lang::Ar).unwrap();
    assert_eq!(cards.len(), 1);
    assert_eq!(cards[0].title, "مراجعة قياسية");
    assert_eq!(
        cards[0].duration.to_string(),
        "duration(single=no, min=8, max=12)"
    );
    assert_eq!(cards[0].icon, "document");
    assert_eq!(cards[0].price.major(), "900");
}

#[test]
fn disease_picker_trims_q_and_caps_at_300() {
    let mut repo = MockCatalogueRepository::new();
    repo.expect_list_disease_categories()
        .with(
            eq(CatalogueFilter {
                active: Some(true),
                q: Some("card".into()),
            }),
            eq(300),
            eq(0),
        )
        .times(1)
        .returning(|_, _, _| Ok(vec![]));
    assert!(
        service(repo)
            .disease_category_picker(Lang::En, Some("  card "))
            .unwrap()
            .is_empty()
    );
    let long = "x".repeat(101);
    let refused =
        service(MockCatalogueRepository::new()).disease_category_picker(Lang::En, Some(&long));
    assert!(matches!(refused, Err(Error::Validation(_))));
}

#[test]
fn create_normalizes_and_stores_cents() {
    let mut repo = MockCatalogueRepository::new();
    repo.expect_insert_review_type()
        .withf(|rt| {
            rt.name_en == "Standard Review"
                && rt.price == Money::from_minor(90_050, Currency::USD)
                && rt.active
                && rt.created_date == T1
        })
        .times(1)
        .returning(|_| Ok(()));
    let rt = service(repo).create_review_type(new_review_type()).unwrap();
    assert_eq!(rt.price.major(), "900.5");
}

#[test]
fn create_refuses_bad_input_without_writing() {
    type Change = fn(&mut NewReviewType);
    let table: [(Change, &str); 8] = [
        (|n| n.name_en = "   ".into(), "name_en"),
        (|n| n.min_review_days = 13, "min_review_days"),
        (|n| n.max_review_days = 0, "max_review_days"),
        (|n| n.doctor_count = 0, "doctor_count"),
        (|n| n.price = Decimal::parse("10.001").unwrap(), "price"),
        (|n| n.price = Decimal::parse("1000000.01").unwrap(), "price"),
        (|n| n.currency = Some("usd".into()), "currency"),
        (|n| n.icon = Some("Bad Icon".into()), "icon"),
    ];
    for (change, field) in table {
        let mut repo = MockCatalogueRepository::new();
        repo.expect_insert_review_type().never();
        let mut new = new_review_type();
        change(&mut new);
        assert_eq!(
            fields(service(repo).create_review_type(new)),
            vec![field.to_owned()]
        );
    }
}

#[test]
fn update_merges_the_patch_and_keeps_created_date() {
    let mut repo = MockCatalogueRepository::new();
    repo.expect_find_review_type()
        .returning(|_| Ok(Some(review_type())));
    repo.expect_update_review_type()
        .withf(|rt| {
            rt.doctor_count == 5
                && rt.name_en == "Standard Review"
                && rt.created_date == T0
                && rt.updated_date == T1
        })
        .times(1)
        .returning(|_| Ok(()));
    let patch = ReviewTypePatch {
        doctor_count: Some(5),
        ..Default::default()
    };
    assert_eq!(
        service(repo)
            .update_review_type(fixed_id(), patch)
            .unwrap()
            .doctor_count,
        5
    );
}

#[test]
fn an_unchanged_update_writes_nothing_and_a_missing_row_is_not_found() {
    let mut repo = MockCatalogueRepository::new();
    repo.expect_find_review_type()
        .returning(|_| Ok(Some(review_type())));
    repo.expect_update_review_type().never();
    let same = service(repo)
        .set_review_type_active(fixed_id(), true)
        .unwrap();
    assert_eq!(same.updated_date, T0);

    let mut repo = MockCatalogueRepository::new();
    repo.expect_find_review_type().returning(|_| Ok(None));
    assert!(matches!(
        service(repo).set_review_type_active(fixed_id(), false),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn ensure_is_repeatable() {
    let mut repo = MockCatalogueRepository::new();
    repo.expect_find_review_type()
        .times(1)
        .returning(|_| Ok(Some(review_type())));
    repo.expect_insert_review_type().never();
    assert!(
        !service(repo)
            .ensure_review_type(fixed_id(), new_review_type())
            .unwrap()
    );

    let mut repo = MockCatalogueRepository::new();
    repo.expect_find_review_type().returning(|_| Ok(None));
    repo.expect_insert_review_type()
        .returning(|_| Err(Error::conflict(Key::ReviewTypeNameTaken)));
    assert!(
        !service(repo)
            .ensure_review_type(fixed_id(), new_review_type())
            .unwrap()
    );
}

#[test]
fn active_lookups_name_the_field() {
    let mut repo = MockCatalogueRepository::new();
    repo.expect_find_review_type().returning(|_| {
        Ok(Some(ReviewType {
            active: false,
            ..review_type()
        }))
    });
    let err = service(repo).active_review_type(fixed_id()).unwrap_err();
    assert!(
        matches!(&err, Error::Validation(f) if f[0].field == "rt_id" && f[0].text.key() == Key::InactiveReviewType),
        "{err}"
    );
}

#[test]
fn prices_follow_the_currencys_minor_unit() {
    let mut repo = MockCatalogueRepository::new();
    repo.expect_insert_review_type()
        .withf(|rt| rt.price.minor() == 350_125 && rt.price.currency().as_str() == "KWD")
        .times(1)
        .returning(|_| Ok(()));
    let mut new = new_review_type();
    new.currency = Some("KWD".into());
    new.price = Decimal::parse("350.125").unwrap();
    service(repo).create_review_type(new.clone()).unwrap();

    let mut repo = MockCatalogueRepository::new();
    repo.expect_insert_review_type().never();
    new.currency = Some("JPY".into());
    let refused = service(repo).create_review_type(new).unwrap_err();
    let Error::Validation(fields) = refused else {
        panic!("expected a validation error")
    };
    assert_eq!(fields[0].field, "price");
    assert_eq!(
        fields[0].text.to_string(),
        "rule-decimals(field=price, max=0)"
    );
}
