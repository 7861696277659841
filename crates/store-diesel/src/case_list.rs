//! The administrators' case list: which cases a [`CaseFilter`] selects. The list itself is in
//! `cases`; newest first, it walks `review_cases_created` (or `review_cases_status_created` for one
//! status) backwards.

use diesel::prelude::*;
use domain::kernel::code::Code;
use domain::second_opinion::CaseFilter;

use crate::connection::MultiBackend;
use crate::schema::review_cases;
use crate::sql::{LIKE_ESCAPE, contains_pattern, id_text, lower, lower_nullable, timestamp};

/// The cases `filter` selects, unordered and unpaged, shared by the list and the count.
pub(crate) fn cases_matching(
    filter: &CaseFilter,
) -> review_cases::BoxedQuery<'static, MultiBackend> {
    let mut query = review_cases::table.into_boxed();
    if let Some(status) = filter.status {
        query = query.filter(review_cases::status.eq(status.as_str()));
    }
    if let Some(dc_id) = filter.dc_id {
        query = query.filter(review_cases::dc_id.eq(id_text(dc_id)));
    }
    if let Some(rt_id) = filter.rt_id {
        query = query.filter(review_cases::rt_id.eq(id_text(rt_id)));
    }
    if let Some(q) = &filter.q {
        let pattern = contains_pattern(q);
        query = query.filter(
            lower(review_cases::user_id)
                .like(lower(pattern.clone()))
                .escape(LIKE_ESCAPE)
                .or(lower_nullable(review_cases::medical_history)
                    .like(lower_nullable(Some(pattern)))
                    .escape(LIKE_ESCAPE)),
        );
    }
    if let Some(from) = filter.created_from {
        query = query.filter(review_cases::created_date.ge(timestamp(from)));
    }
    if let Some(before) = filter.created_before {
        query = query.filter(review_cases::created_date.lt(timestamp(before)));
    }
    query
}
