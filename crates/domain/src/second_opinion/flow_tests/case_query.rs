//! `CaseQuery::filter`: an administrator's case search as sent, into the list's filter.

use time::macros::datetime;

use crate::Error;
use crate::second_opinion::{CaseQuery, CaseStatus};

fn fields(e: Error) -> Vec<String> {
    match e {
        Error::Validation(list) => list.into_iter().map(|f| f.field).collect(),
        other => panic!("not a validation error: {other:?}"),
    }
}

#[test]
fn an_empty_query_filters_nothing() {
    let filter = CaseQuery::default().filter().unwrap();
    assert_eq!(filter, Default::default());
}

#[test]
fn days_are_whole_utc_days_both_ends_included() {
    let filter = CaseQuery {
        status: Some("awaiting_payment".into()),
        q: Some("  hyper  ".into()),
        created_from: Some("2026-01-01".into()),
        created_to: Some("2026-01-31".into()),
        ..Default::default()
    }
    .filter()
    .unwrap();
    assert_eq!(filter.status, Some(CaseStatus::AwaitingPayment));
    assert_eq!(filter.q.as_deref(), Some("hyper"));
    assert_eq!(filter.created_from, Some(datetime!(2026-01-01 0:00 UTC)));
    assert_eq!(filter.created_before, Some(datetime!(2026-02-01 0:00 UTC)));
}

#[test]
fn a_blank_search_is_no_search_and_one_day_is_a_range() {
    let filter = CaseQuery {
        q: Some("   ".into()),
        created_from: Some("2026-03-05".into()),
        created_to: Some("2026-03-05".into()),
        ..Default::default()
    }
    .filter()
    .unwrap();
    assert_eq!(filter.q, None);
    assert_eq!(filter.created_from, Some(datetime!(2026-03-05 0:00 UTC)));
    assert_eq!(filter.created_before, Some(datetime!(2026-03-06 0:00 UTC)));
}

#[test]
fn every_wrong_part_is_named_at_once() {
    let e = CaseQuery {
        status: Some("lost".into()),
        dc_id: Some("x".into()),
        rt_id: Some("y".into()),
        created_from: Some("2026-02-30".into()),
        created_to: Some(" 2026-01-01".into()),
        ..Default::default()
    }
    .filter()
    .unwrap_err();
    assert_eq!(
        fields(e),
        ["status", "dc_id", "rt_id", "created_from", "created_to"]
    );
}

#[test]
fn a_range_that_ends_before_it_starts_is_refused() {
    let e = CaseQuery {
        created_from: Some("2026-02-01".into()),
        created_to: Some("2026-01-31".into()),
        ..Default::default()
    }
    .filter()
    .unwrap_err();
    assert_eq!(fields(e), ["created_from"]);
}

#[test]
fn only_the_full_date_form_is_a_day() {
    for raw in [
        "2026-1-01",
        "+2026-01-01",
        "2026/01/01",
        "2026-01-01T00:00:00Z",
        "",
    ] {
        let e = CaseQuery {
            created_from: Some(raw.into()),
            ..Default::default()
        }
        .filter()
        .unwrap_err();
        assert_eq!(fields(e), ["created_from"], "{raw:?}");
    }
}
