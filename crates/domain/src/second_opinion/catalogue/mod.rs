//! The catalogue patients pick from: review types and disease categories.

mod input;
mod service;
#[cfg(test)]
mod tests;

pub use input::{DiseaseCategoryPatch, NewDiseaseCategory, NewReviewType, ReviewTypePatch};
pub use service::CatalogueService;

use time::OffsetDateTime;

use super::copy;
use crate::Result;
use crate::kernel::ids::{DiseaseCategoryId, ReviewTypeId};
use crate::kernel::lang::Lang;
use crate::kernel::money::Money;
use crate::kernel::text::{Arg, Text};

/// The most review types the patient picker shows.
pub const PICKER_REVIEW_TYPES: i64 = 100;
/// The most disease categories the patient picker shows.
pub const PICKER_DISEASE_CATEGORIES: i64 = 300;
/// The icon shown when a review type has none.
pub const DEFAULT_ICON: &str = "document";

/// A kind of review a patient can buy, e.g. "Standard Review by 3 oncologists in 8 - 12 days".
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewType {
    pub id: ReviewTypeId,
    pub name_en: String,
    pub name_ar: String,
    pub description_en: String,
    pub description_ar: String,
    pub min_review_days: i32,
    pub max_review_days: i32,
    /// How many specialist doctors review a case of this type.
    pub doctor_count: i32,
    pub price: Money,
    pub icon: Option<String>,
    pub active: bool,
    pub created_date: OffsetDateTime,
    pub updated_date: OffsetDateTime,
}

/// A review type as the patient picker shows it, in one language.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewTypeCard {
    pub rt_id: ReviewTypeId,
    pub title: String,
    pub description: String,
    pub duration: Text,
    pub doctor_count: i32,
    pub price: Money,
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
            duration: copy::duration(self.min_review_days, self.max_review_days),
            doctor_count: self.doctor_count,
            price: self.price,
            icon: self.icon.clone().unwrap_or_else(|| DEFAULT_ICON.to_owned()),
        }
    }

    /// The name in both languages, for messages that mention it.
    pub fn name(&self) -> Arg {
        Arg::Localized {
            en: self.name_en.clone(),
            ar: self.name_ar.clone(),
        }
    }
}

/// A speciality cases are filed under, e.g. Cardiology / أمراض القلب.
#[derive(Debug, Clone, PartialEq)]
pub struct DiseaseCategory {
    pub id: DiseaseCategoryId,
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
/// - `insert_*` and `update_*` MUST return [`crate::Error::Conflict`] with
///   [`crate::kernel::text::Key::ReviewTypeNameTaken`] (or `DiseaseCategoryNameTaken`) when another
///   row has the same English name (ignoring ASCII case) or the same Arabic name, and change nothing
///   then.
/// - `update_*` MUST return [`crate::Error::NotFound`] when the row does not exist.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait CatalogueRepository: Send + Sync {
    fn list_review_types(
        &self,
        filter: &CatalogueFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<ReviewType>>;
    fn count_review_types(&self, filter: &CatalogueFilter) -> Result<u64>;
    fn find_review_type(&self, id: ReviewTypeId) -> Result<Option<ReviewType>>;
    fn insert_review_type(&self, review_type: &ReviewType) -> Result<()>;
    fn update_review_type(&self, review_type: &ReviewType) -> Result<()>;

    fn list_disease_categories(
        &self,
        filter: &CatalogueFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<DiseaseCategory>>;
    fn count_disease_categories(&self, filter: &CatalogueFilter) -> Result<u64>;
    fn find_disease_category(&self, id: DiseaseCategoryId) -> Result<Option<DiseaseCategory>>;
    fn insert_disease_category(&self, category: &DiseaseCategory) -> Result<()>;
    fn update_disease_category(&self, category: &DiseaseCategory) -> Result<()>;

    /// The active review types, newest first, when memory holds them and knows them to be fresh;
    /// `None` sends the caller to [`CatalogueRepository::list_review_types`]. It MUST NOT block
    /// (no storage, no waiting on a lock held across storage), so that a request can be answered
    /// on an async worker without a trip to a blocking thread.
    fn active_review_types_in_memory(&self) -> Option<std::sync::Arc<Vec<ReviewType>>> {
        None
    }
}
