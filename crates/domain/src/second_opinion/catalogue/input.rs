//! What administrators send to create and change catalogue rows, and how it is checked.

use time::OffsetDateTime;
use validator::{Validate, ValidationError};

use super::{DiseaseCategory, ReviewType};
use crate::kernel::ids::{DiseaseCategoryId, ReviewTypeId};
use crate::kernel::money::{Currency, Decimal, Money};
use crate::kernel::text::{Key, Text};
use crate::{Error, FieldError, Result};

/// The highest price, in major units of any currency.
pub const MAX_PRICE: i64 = 1_000_000;

/// A review type to create.
#[derive(Debug, Clone, Validate)]
#[validate(schema(function = "days_in_order", skip_on_field_errors = true))]
pub struct NewReviewType {
    #[validate(length(min = 1, max = 120))]
    pub name_en: String,
    #[validate(length(min = 1, max = 120))]
    pub name_ar: String,
    #[validate(length(max = 1000))]
    pub description_en: String,
    #[validate(length(max = 1000))]
    pub description_ar: String,
    #[validate(range(min = 1, max = 365))]
    pub min_review_days: i32,
    #[validate(range(min = 1, max = 365))]
    pub max_review_days: i32,
    #[validate(range(min = 1, max = 50))]
    pub doctor_count: i32,
    /// In major units of `currency`, exactly as the client wrote it; checked against the
    /// currency's minor unit by [`price_error`].
    pub price: Decimal,
    /// ISO 4217; USD when absent.
    #[validate(custom(function = "currency_code"))]
    pub currency: Option<String>,
    #[validate(custom(function = "icon_name"))]
    pub icon: Option<String>,
    pub active: Option<bool>,
}

/// Changes to a review type; absent fields stay as they are. `icon: Some(None)` clears the icon.
#[derive(Debug, Clone, Default)]
pub struct ReviewTypePatch {
    pub name_en: Option<String>,
    pub name_ar: Option<String>,
    pub description_en: Option<String>,
    pub description_ar: Option<String>,
    pub min_review_days: Option<i32>,
    pub max_review_days: Option<i32>,
    pub doctor_count: Option<i32>,
    pub price: Option<Decimal>,
    pub currency: Option<String>,
    pub icon: Option<Option<String>>,
    pub active: Option<bool>,
}

/// A disease category to create.
#[derive(Debug, Clone, Validate)]
pub struct NewDiseaseCategory {
    #[validate(length(min = 1, max = 120))]
    pub speciality_en: String,
    #[validate(length(min = 1, max = 120))]
    pub speciality_ar: String,
    pub active: Option<bool>,
}

/// Changes to a disease category; absent fields stay as they are.
#[derive(Debug, Clone, Default)]
pub struct DiseaseCategoryPatch {
    pub speciality_en: Option<String>,
    pub speciality_ar: Option<String>,
    pub active: Option<bool>,
}

/// A struct-level rule's error, blamed on `field`.
fn blame(code: &'static str, field: &'static str) -> ValidationError {
    let mut error = ValidationError::new(code);
    error.add_param("field".into(), &field);
    error
}

fn days_in_order(v: &NewReviewType) -> Result<(), ValidationError> {
    if v.min_review_days > v.max_review_days {
        let mut error = blame("order", "min_review_days");
        error.add_param("other".into(), &"max_review_days");
        return Err(error);
    }
    Ok(())
}

/// The currency a review type is priced in: USD unless given.
fn currency_of(code: Option<&str>) -> Currency {
    code.and_then(Currency::parse).unwrap_or(Currency::USD)
}

/// What is wrong with the price: out of range, or finer than the currency's minor unit. (A rule
/// over two fields that `validator` would only run when every field is fine.)
fn price_error(v: &NewReviewType) -> Option<FieldError> {
    let text = |key| Text::new(key).field("field", "price");
    if !v.price.within(0, MAX_PRICE) {
        let t = text(Key::RuleRange)
            .with("min", 0i64)
            .with("max", MAX_PRICE);
        return Some(FieldError::new("price", "range", t));
    }
    let currency = currency_of(v.currency.as_deref());
    if Money::from_decimal(v.price, currency).is_none() {
        let t = text(Key::RuleDecimals).with("max", i64::from(currency.exponent()));
        return Some(FieldError::new("price", "precision", t));
    }
    None
}

fn currency_code(code: &str) -> Result<(), ValidationError> {
    match Currency::parse(code) {
        Some(_) => Ok(()),
        None => Err(ValidationError::new("currency")),
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
        Err(ValidationError::new("icon"))
    }
}

fn trimmed(s: &str) -> String {
    s.trim().to_owned()
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

    pub(super) fn from_existing(rt: &ReviewType) -> Self {
        Self {
            name_en: rt.name_en.clone(),
            name_ar: rt.name_ar.clone(),
            description_en: rt.description_en.clone(),
            description_ar: rt.description_ar.clone(),
            min_review_days: rt.min_review_days,
            max_review_days: rt.max_review_days,
            doctor_count: rt.doctor_count,
            price: rt.price.amount(),
            currency: Some(rt.price.currency().as_str().to_owned()),
            icon: rt.icon.clone(),
            active: Some(rt.active),
        }
    }

    pub(super) fn patched(mut self, patch: ReviewTypePatch) -> Self {
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
    pub(super) fn build(
        self,
        id: ReviewTypeId,
        created: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<ReviewType> {
        let v = self.normalized();
        let mut errors = match v.validate() {
            Ok(()) => Vec::new(),
            Err(e) => match Error::from(e) {
                Error::Validation(fields) => fields,
                other => return Err(other),
            },
        };
        errors.extend(price_error(&v));
        if !errors.is_empty() {
            errors.sort_by(|a, b| a.field.cmp(&b.field));
            return Err(Error::Validation(errors));
        }
        let currency = currency_of(v.currency.as_deref());
        // Checked by `price_fits_currency`.
        let price = Money::from_decimal(v.price, currency)
            .ok_or_else(|| Error::internal("a validated price did not fit its currency"))?;
        Ok(ReviewType {
            id,
            price,
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
    pub(super) fn build(
        self,
        id: DiseaseCategoryId,
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
