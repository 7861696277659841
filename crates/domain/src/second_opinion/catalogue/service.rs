//! Use cases of the catalogue: the patient pickers and the administrators' upkeep.

use std::sync::Arc;

use super::input::{DiseaseCategoryPatch, NewDiseaseCategory, NewReviewType, ReviewTypePatch};
use super::{
    CatalogueFilter, CatalogueRepository, DiseaseCategory, PICKER_DISEASE_CATEGORIES,
    PICKER_REVIEW_TYPES, ReviewType, ReviewTypeCard,
};
use crate::kernel::ids::{DiseaseCategoryId, IdGenerator, ReviewTypeId};
use crate::kernel::lang::Lang;
use crate::kernel::paging::{Page, PageRequest};
use crate::kernel::text::{Key, Text};
use crate::kernel::time::Clock;
use crate::{Error, FieldError, Result};

/// The longest search text.
const MAX_Q_CHARS: i64 = 100;

fn normalize_q(q: Option<&str>) -> Result<Option<String>> {
    match q.map(str::trim) {
        None | Some("") => Ok(None),
        Some(q) if q.chars().count() > MAX_Q_CHARS as usize => Err(Error::field(FieldError::new(
            "q",
            "length",
            Text::new(Key::InvalidMaxLength)
                .field("field", "q")
                .with("max", MAX_Q_CHARS),
        ))),
        Some(q) => Ok(Some(q.to_owned())),
    }
}

/// "`field` is not an active …": what a case needs of the catalogue rows it names.
fn inactive(field: &str, key: Key) -> Error {
    Error::field(FieldError::new(
        field,
        "active",
        Text::new(key).field("field", field),
    ))
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

    /// [`CatalogueService::review_type_picker`] from memory, when memory knows the active review
    /// types; `None` means only storage can tell. Never blocks.
    pub fn review_type_picker_in_memory(&self, lang: Lang) -> Option<Vec<ReviewTypeCard>> {
        let rows = self.repo.active_review_types_in_memory()?;
        let take = usize::try_from(PICKER_REVIEW_TYPES).unwrap_or(usize::MAX);
        Some(rows.iter().take(take).map(|rt| rt.card(lang)).collect())
    }

    /// Active disease categories for the patient picker as `(dc_id, localized label)`, at most 300.
    pub fn disease_category_picker(
        &self,
        lang: Lang,
        q: Option<&str>,
    ) -> Result<Vec<(DiseaseCategoryId, String)>> {
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
    pub fn active_review_type(&self, id: ReviewTypeId) -> Result<ReviewType> {
        match self.repo.find_review_type(id)? {
            Some(rt) if rt.active => Ok(rt),
            _ => Err(inactive("rt_id", Key::InactiveReviewType)),
        }
    }

    /// An active disease category, or a 400 naming `dc_id`.
    pub fn active_disease_category(&self, id: DiseaseCategoryId) -> Result<DiseaseCategory> {
        match self.repo.find_disease_category(id)? {
            Some(dc) if dc.active => Ok(dc),
            _ => Err(inactive("dc_id", Key::InactiveDiseaseCategory)),
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

    pub fn review_type(&self, id: ReviewTypeId) -> Result<ReviewType> {
        self.repo
            .find_review_type(id)?
            .ok_or_else(|| Error::not_found(Key::ReviewTypeNotFound))
    }

    pub fn create_review_type(&self, new: NewReviewType) -> Result<ReviewType> {
        let now = self.clock.now();
        let rt = new.build(ReviewTypeId::generate(self.ids.as_ref()), now, now)?;
        self.repo.insert_review_type(&rt)?;
        Ok(rt)
    }

    /// Creates the review type under a fixed id unless a row with that id or name exists.
    /// Returns whether it was created. For seeding and imports, which must be repeatable.
    pub fn ensure_review_type(&self, id: ReviewTypeId, new: NewReviewType) -> Result<bool> {
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

    pub fn update_review_type(
        &self,
        id: ReviewTypeId,
        patch: ReviewTypePatch,
    ) -> Result<ReviewType> {
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

    pub fn set_review_type_active(&self, id: ReviewTypeId, active: bool) -> Result<ReviewType> {
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

    pub fn disease_category(&self, id: DiseaseCategoryId) -> Result<DiseaseCategory> {
        self.repo
            .find_disease_category(id)?
            .ok_or_else(|| Error::not_found(Key::DiseaseCategoryNotFound))
    }

    pub fn create_disease_category(&self, new: NewDiseaseCategory) -> Result<DiseaseCategory> {
        let now = self.clock.now();
        let dc = new.build(DiseaseCategoryId::generate(self.ids.as_ref()), now, now)?;
        self.repo.insert_disease_category(&dc)?;
        Ok(dc)
    }

    /// Creates the category under a fixed id unless a row with that id or name exists.
    /// Returns whether it was created.
    pub fn ensure_disease_category(
        &self,
        id: DiseaseCategoryId,
        new: NewDiseaseCategory,
    ) -> Result<bool> {
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
        id: DiseaseCategoryId,
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

    pub fn set_disease_category_active(
        &self,
        id: DiseaseCategoryId,
        active: bool,
    ) -> Result<DiseaseCategory> {
        self.update_disease_category(
            id,
            DiseaseCategoryPatch {
                active: Some(active),
                ..Default::default()
            },
        )
    }
}
