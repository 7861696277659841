//! [`CatalogueRepository`]: review types and disease categories.

use diesel::dsl::count_star;
use diesel::prelude::*;
use domain::Cause;
use domain::kernel::ids::{DiseaseCategoryId, ReviewTypeId};
use domain::kernel::money::{Currency, Money};
use domain::kernel::text::Key;
use domain::second_opinion::{CatalogueFilter, CatalogueRepository, DiseaseCategory, ReviewType};

use std::sync::Arc;

use crate::connection::{DbConnection, MultiBackend, Store, write_transaction};
use crate::error::StoreError;
use crate::events::{Event, publish};
use crate::schema::{disease_categories, review_types};
use crate::sql::{
    LIKE_ESCAPE, contains_pattern, count, id_text, lower, parse_id, parse_timestamp, timestamp,
};

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = review_types)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
struct ReviewTypeRow {
    review_type_id: String,
    name_en: String,
    name_ar: String,
    description_en: String,
    description_ar: String,
    min_review_days: i32,
    max_review_days: i32,
    doctor_count: i32,
    price_minor: i64,
    currency: String,
    icon: Option<String>,
    active: bool,
    created_date: String,
    updated_date: String,
}

impl TryFrom<ReviewTypeRow> for ReviewType {
    type Error = domain::Error;

    fn try_from(row: ReviewTypeRow) -> domain::Result<Self> {
        let currency = Currency::parse(&row.currency).ok_or_else(|| {
            domain::Error::Internal(Cause::new(format!(
                "stored currency {:?} of review type {} is not an ISO 4217 code",
                row.currency, row.review_type_id
            )))
        })?;
        Ok(ReviewType {
            id: parse_id(&row.review_type_id)?,
            name_en: row.name_en,
            name_ar: row.name_ar,
            description_en: row.description_en,
            description_ar: row.description_ar,
            min_review_days: row.min_review_days,
            max_review_days: row.max_review_days,
            doctor_count: row.doctor_count,
            price: Money::from_minor(row.price_minor, currency),
            icon: row.icon,
            active: row.active,
            created_date: parse_timestamp(&row.created_date)?,
            updated_date: parse_timestamp(&row.updated_date)?,
        })
    }
}

/// A review type as written. An update sets every column but the id and `created_date`, and clears
/// the icon when it is `None`.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = review_types, primary_key(review_type_id), treat_none_as_null = true)]
struct ReviewTypeValues<'a> {
    review_type_id: String,
    name_en: &'a str,
    name_ar: &'a str,
    description_en: &'a str,
    description_ar: &'a str,
    min_review_days: i32,
    max_review_days: i32,
    doctor_count: i32,
    price_minor: i64,
    currency: String,
    icon: Option<&'a str>,
    active: bool,
    #[diesel(skip_update)]
    created_date: String,
    updated_date: String,
}

impl<'a> From<&'a ReviewType> for ReviewTypeValues<'a> {
    fn from(rt: &'a ReviewType) -> Self {
        ReviewTypeValues {
            review_type_id: id_text(rt.id),
            name_en: &rt.name_en,
            name_ar: &rt.name_ar,
            description_en: &rt.description_en,
            description_ar: &rt.description_ar,
            min_review_days: rt.min_review_days,
            max_review_days: rt.max_review_days,
            doctor_count: rt.doctor_count,
            price_minor: rt.price.minor(),
            currency: rt.price.currency().to_string(),
            icon: rt.icon.as_deref(),
            active: rt.active,
            created_date: timestamp(rt.created_date),
            updated_date: timestamp(rt.updated_date),
        }
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = disease_categories)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
struct DiseaseCategoryRow {
    dc_id: String,
    speciality_en: String,
    speciality_ar: String,
    active: bool,
    created_date: String,
    updated_date: String,
}

impl TryFrom<DiseaseCategoryRow> for DiseaseCategory {
    type Error = domain::Error;

    fn try_from(row: DiseaseCategoryRow) -> domain::Result<Self> {
        Ok(DiseaseCategory {
            id: parse_id(&row.dc_id)?,
            speciality_en: row.speciality_en,
            speciality_ar: row.speciality_ar,
            active: row.active,
            created_date: parse_timestamp(&row.created_date)?,
            updated_date: parse_timestamp(&row.updated_date)?,
        })
    }
}

/// A disease category as written; an update leaves the id and `created_date` alone.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = disease_categories, primary_key(dc_id))]
struct DiseaseCategoryValues<'a> {
    dc_id: String,
    speciality_en: &'a str,
    speciality_ar: &'a str,
    active: bool,
    #[diesel(skip_update)]
    created_date: String,
    updated_date: String,
}

impl<'a> From<&'a DiseaseCategory> for DiseaseCategoryValues<'a> {
    fn from(dc: &'a DiseaseCategory) -> Self {
        DiseaseCategoryValues {
            dc_id: id_text(dc.id),
            speciality_en: &dc.speciality_en,
            speciality_ar: &dc.speciality_ar,
            active: dc.active,
            created_date: timestamp(dc.created_date),
            updated_date: timestamp(dc.updated_date),
        }
    }
}

/// The review types `filter` selects, unordered and unpaged, shared by the list and the count.
fn review_types_matching(
    filter: &CatalogueFilter,
) -> review_types::BoxedQuery<'static, MultiBackend> {
    let mut query = review_types::table.into_boxed();
    if let Some(active) = filter.active {
        query = query.filter(review_types::active.eq(active));
    }
    if let Some(q) = &filter.q {
        let pattern = contains_pattern(q);
        query = query.filter(
            lower(review_types::name_en)
                .like(lower(pattern.clone()))
                .escape(LIKE_ESCAPE)
                .or(lower(review_types::name_ar)
                    .like(lower(pattern))
                    .escape(LIKE_ESCAPE)),
        );
    }
    query
}

fn disease_categories_matching(
    filter: &CatalogueFilter,
) -> disease_categories::BoxedQuery<'static, MultiBackend> {
    let mut query = disease_categories::table.into_boxed();
    if let Some(active) = filter.active {
        query = query.filter(disease_categories::active.eq(active));
    }
    if let Some(q) = &filter.q {
        let pattern = contains_pattern(q);
        query = query.filter(
            lower(disease_categories::speciality_en)
                .like(lower(pattern.clone()))
                .escape(LIKE_ESCAPE)
                .or(lower(disease_categories::speciality_ar)
                    .like(lower(pattern))
                    .escape(LIKE_ESCAPE)),
        );
    }
    query
}

/// The filter the patient pickers use: active rows, no search. Its full list is kept in memory.
fn picker_filter(filter: &CatalogueFilter) -> bool {
    filter.active == Some(true) && filter.q.is_none()
}

/// `rows[offset..offset + limit]`, as `LIMIT`/`OFFSET` would give.
fn window<T: Clone>(rows: &[T], limit: i64, offset: i64) -> Vec<T> {
    let skip = usize::try_from(offset.max(0)).unwrap_or(usize::MAX);
    let take = usize::try_from(limit.max(0)).unwrap_or(usize::MAX);
    rows.iter().skip(skip).take(take).cloned().collect()
}

impl Store {
    /// Runs a catalogue write and announces it in the same transaction, then forgets this
    /// instance's cached lists.
    fn write_catalogue(
        &self,
        work: impl FnOnce(&mut DbConnection) -> Result<usize, StoreError>,
    ) -> Result<usize, StoreError> {
        let written = self.with_conn(|db| {
            write_transaction(db, |conn| {
                let written = work(conn)?;
                if written > 0 {
                    publish(conn, &Event::Catalogue)?;
                }
                Ok(written)
            })
        })?;
        self.caches.catalogue.invalidate();
        Ok(written)
    }

    fn query_review_types(
        &self,
        filter: &CatalogueFilter,
        limit: i64,
        offset: i64,
    ) -> domain::Result<Vec<ReviewType>> {
        let rows = self.with_conn(|conn| {
            Ok(review_types_matching(filter)
                .order((
                    review_types::created_date.desc(),
                    review_types::review_type_id.desc(),
                ))
                .limit(limit)
                .offset(offset)
                .select(ReviewTypeRow::as_select())
                .load(conn)?)
        })?;
        rows.into_iter().map(ReviewType::try_from).collect()
    }

    fn query_disease_categories(
        &self,
        filter: &CatalogueFilter,
        limit: i64,
        offset: i64,
    ) -> domain::Result<Vec<DiseaseCategory>> {
        let rows = self.with_conn(|conn| {
            Ok(disease_categories_matching(filter)
                .order((
                    disease_categories::created_date.desc(),
                    disease_categories::dc_id.desc(),
                ))
                .limit(limit)
                .offset(offset)
                .select(DiseaseCategoryRow::as_select())
                .load(conn)?)
        })?;
        rows.into_iter().map(DiseaseCategory::try_from).collect()
    }
}

impl CatalogueRepository for Store {
    fn list_review_types(
        &self,
        filter: &CatalogueFilter,
        limit: i64,
        offset: i64,
    ) -> domain::Result<Vec<ReviewType>> {
        if !(picker_filter(filter) && self.caches.fresh()) {
            return self.query_review_types(filter, limit, offset);
        }
        let cache = &self.caches.catalogue;
        if let Some(rows) = cache.review_types() {
            return Ok(window(&rows, limit, offset));
        }
        let generation = cache.generation();
        let rows = Arc::new(self.query_review_types(filter, i64::MAX, 0)?);
        cache.keep_review_types(generation, rows.clone());
        Ok(window(&rows, limit, offset))
    }

    fn active_review_types_in_memory(&self) -> Option<Arc<Vec<ReviewType>>> {
        if !self.caches.fresh() {
            return None;
        }
        self.caches.catalogue.review_types()
    }

    fn count_review_types(&self, filter: &CatalogueFilter) -> domain::Result<u64> {
        let n = self.with_conn(|conn| {
            Ok(review_types_matching(filter)
                .select(count_star())
                .get_result::<i64>(conn)?)
        })?;
        Ok(count(n))
    }

    fn find_review_type(&self, id: ReviewTypeId) -> domain::Result<Option<ReviewType>> {
        let row = self.with_conn(|conn| {
            Ok(review_types::table
                .find(id_text(id))
                .select(ReviewTypeRow::as_select())
                .get_result(conn)
                .optional()?)
        })?;
        row.map(ReviewType::try_from).transpose()
    }

    fn insert_review_type(&self, review_type: &ReviewType) -> domain::Result<()> {
        let values = ReviewTypeValues::from(review_type);
        self.write_catalogue(|conn| {
            Ok(diesel::insert_into(review_types::table)
                .values(&values)
                .execute(conn)?)
        })
        .map_err(|e| e.into_domain(Key::ReviewTypeNameTaken))?;
        Ok(())
    }

    fn update_review_type(&self, review_type: &ReviewType) -> domain::Result<()> {
        let values = ReviewTypeValues::from(review_type);
        let updated = self
            .write_catalogue(|conn| {
                Ok(
                    diesel::update(review_types::table.find(&values.review_type_id))
                        .set(&values)
                        .execute(conn)?,
                )
            })
            .map_err(|e| e.into_domain(Key::ReviewTypeNameTaken))?;
        if updated == 0 {
            return Err(domain::Error::not_found(Key::ReviewTypeNotFound));
        }
        Ok(())
    }

    fn list_disease_categories(
        &self,
        filter: &CatalogueFilter,
        limit: i64,
        offset: i64,
    ) -> domain::Result<Vec<DiseaseCategory>> {
        if !(picker_filter(filter) && self.caches.fresh()) {
            return self.query_disease_categories(filter, limit, offset);
        }
        let cache = &self.caches.catalogue;
        if let Some(rows) = cache.disease_categories() {
            return Ok(window(&rows, limit, offset));
        }
        let generation = cache.generation();
        let rows = Arc::new(self.query_disease_categories(filter, i64::MAX, 0)?);
        cache.keep_disease_categories(generation, rows.clone());
        Ok(window(&rows, limit, offset))
    }

    fn count_disease_categories(&self, filter: &CatalogueFilter) -> domain::Result<u64> {
        let n = self.with_conn(|conn| {
            Ok(disease_categories_matching(filter)
                .select(count_star())
                .get_result::<i64>(conn)?)
        })?;
        Ok(count(n))
    }

    fn find_disease_category(
        &self,
        id: DiseaseCategoryId,
    ) -> domain::Result<Option<DiseaseCategory>> {
        let row = self.with_conn(|conn| {
            Ok(disease_categories::table
                .find(id_text(id))
                .select(DiseaseCategoryRow::as_select())
                .get_result(conn)
                .optional()?)
        })?;
        row.map(DiseaseCategory::try_from).transpose()
    }

    fn insert_disease_category(&self, category: &DiseaseCategory) -> domain::Result<()> {
        let values = DiseaseCategoryValues::from(category);
        self.write_catalogue(|conn| {
            Ok(diesel::insert_into(disease_categories::table)
                .values(&values)
                .execute(conn)?)
        })
        .map_err(|e| e.into_domain(Key::DiseaseCategoryNameTaken))?;
        Ok(())
    }

    fn update_disease_category(&self, category: &DiseaseCategory) -> domain::Result<()> {
        let values = DiseaseCategoryValues::from(category);
        let updated = self
            .write_catalogue(|conn| {
                Ok(
                    diesel::update(disease_categories::table.find(&values.dc_id))
                        .set(&values)
                        .execute(conn)?,
                )
            })
            .map_err(|e| e.into_domain(Key::DiseaseCategoryNameTaken))?;
        if updated == 0 {
            return Err(domain::Error::not_found(Key::DiseaseCategoryNotFound));
        }
        Ok(())
    }
}
