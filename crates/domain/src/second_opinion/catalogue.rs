//! The catalogue patients pick from: review types and disease categories.

use std::sync::Arc;

use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;
use validator::{Validate, ValidationError};

use super::copy;
use crate::kernel::ids::IdGenerator;
use crate::kernel::lang::Lang;
use crate::kernel::paging::{Page, PageRequest};
use crate::kernel::time::Clock;
use crate::{Error, Result};

/// The most review types the patient picker shows.
pub const PICKER_REVIEW_TYPES: i64 = 100;
/// The most disease categories the patient picker shows.
pub const PICKER_DISEASE_CATEGORIES: i64 = 300;
/// The icon shown when a review type has none.
pub const DEFAULT_ICON: &str = "document";
/// The currency of a review type created without one.
pub const DEFAULT_CURRENCY: &str = "USD";

/// A kind of review a patient can buy, e.g. "Standard Review by 3 oncologists in 8 - 12 days".
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewType {
    pub id: Uuid,
    pub name_en: String,
    pub name_ar: String,
    pub description_en: String,
    pub description_ar: String,
    pub min_review_days: i32,
    pub max_review_days: i32,
    /// How many specialist doctors review a case of this type.
    pub doctor_count: i32,
    /// The price in minor units (cents) of `currency`.
    pub price_minor: i64,
    pub currency: String,
    pub icon: Option<String>,
    pub active: bool,
    pub created_date: OffsetDateTime,
    pub updated_date: OffsetDateTime,
}

/// A review type as the patient picker shows it, in one language.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewTypeCard {
    pub rt_id: Uuid,
    pub title: String,
    pub description: String,
    pub duration: String,
    pub doctor_count: i32,
    pub price: serde_json::Number,
    pub icon: String,
}

impl ReviewType {
    pub fn card(&self, lang: Lang) -> ReviewTypeCard {
        ReviewTypeCard {
            rt_id: self.id,
            title: lang.pick(&self.name_en, &self.name_ar).to_owned(),
            description: lang
                .pick(&self.description_en, &self.description_ar)
                .to_owned(),
            duration: copy::duration(lang, self.min_review_days, self.max_review_days),
            doctor_count: self.doctor_count,
            price: price_number(self.price_minor),
            icon: self.icon.clone().unwrap_or_else(|| DEFAULT_ICON.to_owned()),
        }
    }

    /// The price as a JSON number in major units: `900` for 90000 cents, `900.5` for 90050.
    pub fn price(&self) -> serde_json::Number {
        price_number(self.price_minor)
    }
}

fn price_number(minor: i64) -> serde_json::Number {
    if minor % 100 == 0 {
        serde_json::Number::from(minor / 100)
    } else {
        // Prices are below 10^9 so the division is exact to the cent in an f64.
        serde_json::Number::from_f64(minor as f64 / 100.0)
            .unwrap_or_else(|| serde_json::Number::from(0))
    }
}

/// A speciality cases are filed under, e.g. Cardiology / أمراض القلب.
#[derive(Debug, Clone, PartialEq)]
pub struct DiseaseCategory {
    pub id: Uuid,
    pub speciality_en: String,
    pub speciality_ar: String,
    pub active: bool,
    pub created_date: OffsetDateTime,
    pub updated_date: OffsetDateTime,
}

/// Which catalogue rows a list wants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogueFilter {
    /// `Some(true)`: active rows only; `Some(false)`: inactive only; `None`: both.
    pub active: Option<bool>,
    /// A case-insensitive substring of the English or the Arabic name.
    pub q: Option<String>,
}

/// Stores the catalogue.
///
/// Contract:
/// - Lists are newest first (`created_date`, then id, descending) and apply `filter` fully; `q`
///   matches a substring of either language's name, ignoring ASCII case.
/// - `insert_*` and `update_*` MUST return [`Error::Conflict`] when another row has the same English
///   name (ignoring ASCII case) or the same Arabic name, and change nothing then.
/// - `update_*` MUST return [`Error::NotFound`] when the row does not exist.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait CatalogueRepository: Send + Sync {
    fn list_review_types(
        &self,
        filter: &CatalogueFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<ReviewType>>;
    fn count_review_types(&self, filter: &CatalogueFilter) -> Result<u64>;
    fn find_review_type(&self, id: Uuid) -> Result<Option<ReviewType>>;
    fn insert_review_type(&self, review_type: &ReviewType) -> Result<()>;
    fn update_review_type(&self, review_type: &ReviewType) -> Result<()>;

    fn list_disease_categories(
        &self,
        filter: &CatalogueFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<DiseaseCategory>>;
    fn count_disease_categories(&self, filter: &CatalogueFilter) -> Result<u64>;
    fn find_disease_category(&self, id: Uuid) -> Result<Option<DiseaseCategory>>;
    fn insert_disease_category(&self, category: &DiseaseCategory) -> Result<()>;
    fn update_disease_category(&self, category: &DiseaseCategory) -> Result<()>;
}

/// A review type to create.
#[derive(Debug, Clone, Deserialize, Validate)]
#[validate(schema(function = "days_in_order", skip_on_field_errors = true))]
pub struct NewReviewType {
    #[validate(length(min = 1, max = 120, message = "must be 1 to 120 characters"))]
    pub name_en: String,
    #[validate(length(min = 1, max = 120, message = "must be 1 to 120 characters"))]
    pub name_ar: String,
    #[validate(length(max = 1000, message = "must be at most 1000 characters"))]
    pub description_en: String,
    #[validate(length(max = 1000, message = "must be at most 1000 characters"))]
    pub description_ar: String,
    #[validate(range(min = 1, max = 365, message = "must be between 1 and 365"))]
    pub min_review_days: i32,
    #[validate(range(min = 1, max = 365, message = "must be between 1 and 365"))]
    pub max_review_days: i32,
    #[validate(range(min = 1, max = 50, message = "must be between 1 and 50"))]
    pub doctor_count: i32,
    #[validate(custom(function = "price_amount"))]
    pub price: f64,
    #[validate(custom(function = "currency_code"))]
    pub currency: Option<String>,
    #[validate(custom(function = "icon_name"))]
    pub icon: Option<String>,
    pub active: Option<bool>,
}

/// Changes to a review type; absent fields stay as they are. `icon: Some(None)` clears the icon.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReviewTypePatch {
    pub name_en: Option<String>,
    pub name_ar: Option<String>,
    pub description_en: Option<String>,
    pub description_ar: Option<String>,
    pub min_review_days: Option<i32>,
    pub max_review_days: Option<i32>,
    pub doctor_count: Option<i32>,
    pub price: Option<f64>,
    pub currency: Option<String>,
    pub icon: Option<Option<String>>,
    pub active: Option<bool>,
}

/// A disease category to create.
#[derive(Debug, Clone, Deserialize, Validate)]
pub struct NewDiseaseCategory {
    #[validate(length(min = 1, max = 120, message = "must be 1 to 120 characters"))]
    pub speciality_en: String,
    #[validate(length(min = 1, max = 120, message = "must be 1 to 120 characters"))]
    pub speciality_ar: String,
    pub active: Option<bool>,
}

/// Changes to a disease category; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DiseaseCategoryPatch {
    pub speciality_en: Option<String>,
    pub speciality_ar: Option<String>,
    pub active: Option<bool>,
}

fn days_in_order(v: &NewReviewType) -> Result<(), ValidationError> {
    if v.min_review_days > v.max_review_days {
        let mut error = ValidationError::new("order")
            .with_message("must not be greater than max_review_days".into());
        error.add_param("field".into(), &"min_review_days");
        return Err(error);
    }
    Ok(())
}

fn price_amount(price: f64) -> Result<(), ValidationError> {
    let cents = price * 100.0;
    if !price.is_finite() || !(0.0..=1_000_000.0).contains(&price) {
        return Err(
            ValidationError::new("range").with_message("must be between 0 and 1000000".into())
        );
    }
    if (cents - cents.round()).abs() > 1e-6 {
        return Err(
            ValidationError::new("precision").with_message("must have at most 2 decimals".into())
        );
    }
    Ok(())
}

fn currency_code(code: &str) -> Result<(), ValidationError> {
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(ValidationError::new("format")
            .with_message("must be an ISO 4217 code of three capital letters".into()))
    }
}

fn icon_name(icon: &str) -> Result<(), ValidationError> {
    let ok = (1..=40).contains(&icon.len())
        && icon
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new("format")
            .with_message("must be 1 to 40 characters of a-z, 0-9, '_' or '-'".into()))
    }
}

fn trimmed(s: &str) -> String {
    s.trim().to_owned()
}

fn normalize_q(q: Option<&str>) -> Result<Option<String>> {
    match q.map(str::trim) {
        None | Some("") => Ok(None),
        Some(q) if q.chars().count() > 100 => Err(Error::invalid(
            "q",
            "length",
            "q must be at most 100 characters",
        )),
        Some(q) => Ok(Some(q.to_owned())),
    }
}

impl NewReviewType {
    fn normalized(mut self) -> Self {
        self.name_en = trimmed(&self.name_en);
        self.name_ar = trimmed(&self.name_ar);
        self.description_en = trimmed(&self.description_en);
        self.description_ar = trimmed(&self.description_ar);
        self.currency = self.currency.map(|c| trimmed(&c));
        self.icon = self.icon.map(|i| trimmed(&i)).filter(|i| !i.is_empty());
        self
    }

    fn from_existing(rt: &ReviewType) -> Self {
        Self {
            name_en: rt.name_en.clone(),
            name_ar: rt.name_ar.clone(),
            description_en: rt.description_en.clone(),
            description_ar: rt.description_ar.clone(),
            min_review_days: rt.min_review_days,
            max_review_days: rt.max_review_days,
            doctor_count: rt.doctor_count,
            price: rt.price_minor as f64 / 100.0,
            currency: Some(rt.currency.clone()),
            icon: rt.icon.clone(),
            active: Some(rt.active),
        }
    }

    fn patched(mut self, patch: ReviewTypePatch) -> Self {
        let ReviewTypePatch {
            name_en,
            name_ar,
            description_en,
            description_ar,
            min_review_days,
            max_review_days,
            doctor_count,
            price,
            currency,
            icon,
            active,
        } = patch;
        self.name_en = name_en.unwrap_or(self.name_en);
        self.name_ar = name_ar.unwrap_or(self.name_ar);
        self.description_en = description_en.unwrap_or(self.description_en);
        self.description_ar = description_ar.unwrap_or(self.description_ar);
        self.min_review_days = min_review_days.unwrap_or(self.min_review_days);
        self.max_review_days = max_review_days.unwrap_or(self.max_review_days);
        self.doctor_count = doctor_count.unwrap_or(self.doctor_count);
        self.price = price.unwrap_or(self.price);
        self.currency = currency.or(self.currency);
        self.icon = icon.unwrap_or(self.icon);
        self.active = active.or(self.active);
        self
    }

    /// Validates and builds the entity with the given identity and timestamps.
    fn build(self, id: Uuid, created: OffsetDateTime, now: OffsetDateTime) -> Result<ReviewType> {
        let v = self.normalized();
        v.validate()?;
        Ok(ReviewType {
            id,
            price_minor: (v.price * 100.0).round() as i64,
            currency: v.currency.unwrap_or_else(|| DEFAULT_CURRENCY.to_owned()),
            name_en: v.name_en,
            name_ar: v.name_ar,
            description_en: v.description_en,
            description_ar: v.description_ar,
            min_review_days: v.min_review_days,
            max_review_days: v.max_review_days,
            doctor_count: v.doctor_count,
            icon: v.icon,
            active: v.active.unwrap_or(true),
            created_date: created,
            updated_date: now,
        })
    }
}

impl NewDiseaseCategory {
    fn build(
        self,
        id: Uuid,
        created: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<DiseaseCategory> {
        let v = NewDiseaseCategory {
            speciality_en: trimmed(&self.speciality_en),
            speciality_ar: trimmed(&self.speciality_ar),
            active: self.active,
        };
        v.validate()?;
        Ok(DiseaseCategory {
            id,
            speciality_en: v.speciality_en,
            speciality_ar: v.speciality_ar,
            active: v.active.unwrap_or(true),
            created_date: created,
            updated_date: now,
        })
    }
}

/// Use cases of the catalogue: the patient pickers and the administrators' upkeep.
#[derive(Clone)]
pub struct CatalogueService {
    repo: Arc<dyn CatalogueRepository>,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdGenerator>,
}

impl std::fmt::Debug for CatalogueService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CatalogueService").finish_non_exhaustive()
    }
}

fn active_only(q: Option<String>) -> CatalogueFilter {
    CatalogueFilter {
        active: Some(true),
        q,
    }
}

impl CatalogueService {
    pub fn new(
        repo: Arc<dyn CatalogueRepository>,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdGenerator>,
    ) -> Self {
        Self { repo, clock, ids }
    }

    /// Active review types for the patient picker, newest first, at most 100.
    pub fn review_type_picker(&self, lang: Lang) -> Result<Vec<ReviewTypeCard>> {
        let rows = self
            .repo
            .list_review_types(&active_only(None), PICKER_REVIEW_TYPES, 0)?;
        Ok(rows.iter().map(|rt| rt.card(lang)).collect())
    }

    /// Active disease categories for the patient picker as `(dc_id, localized label)`, at most 300.
    pub fn disease_category_picker(
        &self,
        lang: Lang,
        q: Option<&str>,
    ) -> Result<Vec<(Uuid, String)>> {
        let filter = active_only(normalize_q(q)?);
        let rows = self
            .repo
            .list_disease_categories(&filter, PICKER_DISEASE_CATEGORIES, 0)?;
        Ok(rows
            .into_iter()
            .map(|dc| {
                let label = lang.pick(&dc.speciality_en, &dc.speciality_ar).to_owned();
                (dc.id, label)
            })
            .collect())
    }

    /// An active review type, or a 400 naming `rt_id` (what case submission needs).
    pub fn active_review_type(&self, id: Uuid) -> Result<ReviewType> {
        match self.repo.find_review_type(id)? {
            Some(rt) if rt.active => Ok(rt),
            _ => Err(Error::invalid(
                "rt_id",
                "active",
                "rt_id is not an active review type",
            )),
        }
    }

    /// An active disease category, or a 400 naming `dc_id`.
    pub fn active_disease_category(&self, id: Uuid) -> Result<DiseaseCategory> {
        match self.repo.find_disease_category(id)? {
            Some(dc) if dc.active => Ok(dc),
            _ => Err(Error::invalid(
                "dc_id",
                "active",
                "dc_id is not an active disease category",
            )),
        }
    }

    pub fn list_review_types(
        &self,
        active: Option<bool>,
        q: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<ReviewType>> {
        let filter = CatalogueFilter {
            active,
            q: normalize_q(q)?,
        };
        let items = self
            .repo
            .list_review_types(&filter, page.limit(), page.offset())?;
        let total = self.repo.count_review_types(&filter)?;
        Ok(Page {
            items,
            total,
            request: page,
        })
    }

    pub fn review_type(&self, id: Uuid) -> Result<ReviewType> {
        self.repo
            .find_review_type(id)?
            .ok_or_else(|| Error::NotFound("Review type not found".into()))
    }

    pub fn create_review_type(&self, new: NewReviewType) -> Result<ReviewType> {
        let now = self.clock.now();
        let rt = new.build(self.ids.new_id(), now, now)?;
        self.repo.insert_review_type(&rt)?;
        Ok(rt)
    }

    /// Creates the review type under a fixed id unless a row with that id or name exists.
    /// Returns whether it was created. For seeding and imports, which must be repeatable.
    pub fn ensure_review_type(&self, id: Uuid, new: NewReviewType) -> Result<bool> {
        if self.repo.find_review_type(id)?.is_some() {
            return Ok(false);
        }
        let now = self.clock.now();
        match self.repo.insert_review_type(&new.build(id, now, now)?) {
            Ok(()) => Ok(true),
            Err(Error::Conflict(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    pub fn update_review_type(&self, id: Uuid, patch: ReviewTypePatch) -> Result<ReviewType> {
        let current = self.review_type(id)?;
        let rt = NewReviewType::from_existing(&current)
            .patched(patch)
            .build(id, current.created_date, self.clock.now())?;
        if (ReviewType {
            updated_date: current.updated_date,
            ..rt.clone()
        }) == current
        {
            return Ok(current);
        }
        self.repo.update_review_type(&rt)?;
        Ok(rt)
    }

    pub fn set_review_type_active(&self, id: Uuid, active: bool) -> Result<ReviewType> {
        self.update_review_type(
            id,
            ReviewTypePatch {
                active: Some(active),
                ..Default::default()
            },
        )
    }

    pub fn list_disease_categories(
        &self,
        active: Option<bool>,
        q: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<DiseaseCategory>> {
        let filter = CatalogueFilter {
            active,
            q: normalize_q(q)?,
        };
        let items = self
            .repo
            .list_disease_categories(&filter, page.limit(), page.offset())?;
        let total = self.repo.count_disease_categories(&filter)?;
        Ok(Page {
            items,
            total,
            request: page,
        })
    }

    pub fn disease_category(&self, id: Uuid) -> Result<DiseaseCategory> {
        self.repo
            .find_disease_category(id)?
            .ok_or_else(|| Error::NotFound("Disease category not found".into()))
    }

    pub fn create_disease_category(&self, new: NewDiseaseCategory) -> Result<DiseaseCategory> {
        let now = self.clock.now();
        let dc = new.build(self.ids.new_id(), now, now)?;
        self.repo.insert_disease_category(&dc)?;
        Ok(dc)
    }

    /// Creates the category under a fixed id unless a row with that id or name exists.
    /// Returns whether it was created.
    pub fn ensure_disease_category(&self, id: Uuid, new: NewDiseaseCategory) -> Result<bool> {
        if self.repo.find_disease_category(id)?.is_some() {
            return Ok(false);
        }
        let now = self.clock.now();
        match self.repo.insert_disease_category(&new.build(id, now, now)?) {
            Ok(()) => Ok(true),
            Err(Error::Conflict(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    pub fn update_disease_category(
        &self,
        id: Uuid,
        patch: DiseaseCategoryPatch,
    ) -> Result<DiseaseCategory> {
        let current = self.disease_category(id)?;
        let dc = NewDiseaseCategory {
            speciality_en: patch
                .speciality_en
                .unwrap_or_else(|| current.speciality_en.clone()),
            speciality_ar: patch
                .speciality_ar
                .unwrap_or_else(|| current.speciality_ar.clone()),
            active: Some(patch.active.unwrap_or(current.active)),
        }
        .build(id, current.created_date, self.clock.now())?;
        if dc.speciality_en == current.speciality_en
            && dc.speciality_ar == current.speciality_ar
            && dc.active == current.active
        {
            return Ok(current);
        }
        self.repo.update_disease_category(&dc)?;
        Ok(dc)
    }

    pub fn set_disease_category_active(&self, id: Uuid, active: bool) -> Result<DiseaseCategory> {
        self.update_disease_category(
            id,
            DiseaseCategoryPatch {
                active: Some(active),
                ..Default::default()
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::ids::MockIdGenerator;
    use crate::kernel::time::MockClock;
    use mockall::predicate::eq;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-11-01 10:00 UTC);
    const T1: OffsetDateTime = datetime!(2026-11-02 10:00 UTC);

    fn fixed_id() -> Uuid {
        Uuid::from_u128(0x0193_a1c0_0000_7000_8000_0000_0000_0042)
    }

    fn service(repo: MockCatalogueRepository) -> CatalogueService {
        let mut clock = MockClock::new();
        clock.expect_now().return_const(T1);
        let mut ids = MockIdGenerator::new();
        ids.expect_new_id().returning(fixed_id);
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
            price_minor: 90_000,
            currency: "USD".into(),
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
            price: 900.5,
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
        assert_eq!(cards[0].duration, "8 - 12 يومًا");
        assert_eq!(cards[0].icon, "document");
        assert_eq!(cards[0].price.to_string(), "900");
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
                    && rt.price_minor == 90_050
                    && rt.currency == "USD"
                    && rt.active
                    && rt.created_date == T1
            })
            .times(1)
            .returning(|_| Ok(()));
        let rt = service(repo).create_review_type(new_review_type()).unwrap();
        assert_eq!(rt.price().to_string(), "900.5");
    }

    #[test]
    fn create_refuses_bad_input_without_writing() {
        type Change = fn(&mut NewReviewType);
        let table: [(Change, &str); 7] = [
            (|n| n.name_en = "   ".into(), "name_en"),
            (|n| n.min_review_days = 13, "min_review_days"),
            (|n| n.max_review_days = 0, "max_review_days"),
            (|n| n.doctor_count = 0, "doctor_count"),
            (|n| n.price = 10.001, "price"),
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
            .returning(|_| Err(Error::Conflict("name taken".into())));
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
        assert_eq!(err.to_string(), "rt_id is not an active review type");
    }
}
