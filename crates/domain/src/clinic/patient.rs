//! A patient of the clinic: who they are, the medical record number images arrive with, and the
//! folded text search matches against.
//!
//! Input rules (each refusal names its field): `name` 1 to 200 characters and not blank, `name_ar`
//! at most 200, `birth_date` a `YYYY-MM-DD` day not after today, `sex` one of [`Sex`], `phone` 6 to
//! 20 of digits, spaces, `+` and `-`, `national_id` at most 32, `address` at most 500. Lengths count
//! characters as sent; text is stored trimmed, and optional text that is blank is stored as absent.

use time::{Date, OffsetDateTime};

use super::ids::PatientId;
use super::search::{digits, fold, phone_terms, words};
use crate::kernel::code::Code;
use crate::kernel::ids::ActorId;
use crate::kernel::text::{Key, Text};
use crate::kernel::time::DATE_FORMAT;
use crate::{Error, FieldError, Result};

pub const NAME_MAX: usize = 200;
pub const PHONE_MIN: usize = 6;
pub const PHONE_MAX: usize = 20;
pub const NATIONAL_ID_MAX: usize = 32;
pub const ADDRESS_MAX: usize = 500;

/// The patient's sex, as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
    Other,
    Unknown,
}

/// What is recorded about a patient, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientDetails {
    pub name: String,
    pub name_ar: Option<String>,
    pub birth_date: Option<Date>,
    pub sex: Option<Sex>,
    pub phone: Option<String>,
    pub national_id: Option<String>,
    pub address: Option<String>,
}

/// A patient as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patient {
    pub id: PatientId,
    /// `MRN` and 8 digits, given at creation.
    pub mrn: String,
    pub details: PatientDetails,
    pub created_at: OffsetDateTime,
    pub created_by: ActorId,
    pub updated_at: OffsetDateTime,
    pub updated_by: ActorId,
    /// Set by a soft delete.
    pub deleted_at: Option<OffsetDateTime>,
}

impl Patient {
    /// The medical record number for the `n`th patient: `MRN00000042`.
    pub fn mrn_for(n: i64) -> String {
        format!("MRN{n:08}")
    }

    /// What search matches against: both names, the phone's digits, the MRN and the national id,
    /// folded (see [`fold`]), space-separated.
    pub fn search_text(&self) -> String {
        search_text(&self.mrn, &self.details)
    }

    /// The terms search finds the patient by ([`search_terms`]).
    pub fn search_terms(&self) -> Vec<String> {
        search_terms(&self.mrn, &self.details)
    }
}

/// [`Patient::search_text`] of a patient with `mrn` and `details`.
pub fn search_text(mrn: &str, details: &PatientDetails) -> String {
    let mut parts = vec![fold(&details.name)];
    parts.extend(details.name_ar.as_deref().map(fold));
    parts.extend(details.phone.as_deref().map(digits));
    parts.push(fold(mrn));
    parts.extend(details.national_id.as_deref().map(fold));
    parts.retain(|p| !p.is_empty());
    parts.join(" ")
}

/// The terms search finds a patient with `mrn` and `details` by (see [`super::search`]): the
/// words of both names and of the national id, the MRN and its digits, and the runs of the
/// phone's digits; sorted, without repeats.
pub fn search_terms(mrn: &str, details: &PatientDetails) -> Vec<String> {
    let mut terms = words(&details.name);
    terms.extend(details.name_ar.as_deref().map(words).unwrap_or_default());
    terms.extend(
        details
            .national_id
            .as_deref()
            .map(words)
            .unwrap_or_default(),
    );
    terms.extend(
        details
            .phone
            .as_deref()
            .map(phone_terms)
            .unwrap_or_default(),
    );
    terms.push(fold(mrn));
    terms.push(digits(mrn));
    terms.retain(|t| !t.is_empty());
    terms.sort();
    terms.dedup();
    terms
}

/// A patient to create: the details as a client sent them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatientInput {
    pub name: String,
    pub name_ar: Option<String>,
    pub birth_date: Option<String>,
    pub sex: Option<String>,
    pub phone: Option<String>,
    pub national_id: Option<String>,
    pub address: Option<String>,
}

/// A partial update: a field left `None` keeps its value; `Some(None)` clears an optional field;
/// `Some(Some(..))` sets it. `name` cannot be cleared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatientPatch {
    pub name: Option<String>,
    pub name_ar: Option<Option<String>>,
    pub birth_date: Option<Option<String>>,
    pub sex: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub national_id: Option<Option<String>>,
    pub address: Option<Option<String>>,
}

impl PatientPatch {
    /// Whether the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == PatientPatch::default()
    }
}

/// Collects the refusals of one input, each naming its field.
#[derive(Debug, Default)]
struct Checks(Vec<FieldError>);

impl Checks {
    fn push(&mut self, field: &str, rule: &'static str, text: Text) {
        self.0.push(FieldError::new(field, rule, text));
    }

    fn max_len(&mut self, field: &str, value: &str, max: usize) {
        if value.chars().count() > max {
            let text = Text::new(Key::InvalidMaxLength)
                .field("field", field)
                .with("max", max);
            self.push(field, "length", text);
        }
    }

    /// Optional text: at most `max` characters as sent, trimmed, blank as absent.
    fn optional(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        let value = value?;
        self.max_len(field, value, max);
        let trimmed = value.trim();
        (!trimmed.is_empty()).then(|| trimmed.to_owned())
    }

    fn finish<T>(self, value: T) -> Result<T> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(Error::Validation(self.0))
        }
    }
}

fn name(checks: &mut Checks, raw: &str) -> String {
    let trimmed = raw.trim();
    if trimmed.is_empty() || raw.chars().count() > NAME_MAX {
        let text = Text::new(Key::InvalidTextLength)
            .field("field", "name")
            .with("min", 1i64)
            .with("max", NAME_MAX);
        checks.push("name", "length", text);
    }
    trimmed.to_owned()
}

/// A day as `YYYY-MM-DD`; `field` names it in the error.
pub fn parse_date(field: &str, raw: &str) -> Result<Date> {
    Date::parse(raw.trim(), DATE_FORMAT).map_err(|_| {
        Error::field(FieldError::new(
            field,
            "format",
            Text::new(Key::InvalidDate).field("field", field),
        ))
    })
}

fn birth_date(checks: &mut Checks, raw: Option<&str>, today: Date) -> Option<Date> {
    let raw = raw?;
    match parse_date("birth_date", raw) {
        Ok(date) if date > today => {
            let text = Text::new(Key::ClinicDateInFuture).field("field", "birth_date");
            checks.push("birth_date", "range", text);
            None
        }
        Ok(date) => Some(date),
        Err(Error::Validation(errors)) => {
            checks.0.extend(errors);
            None
        }
        Err(_) => None,
    }
}

fn sex(checks: &mut Checks, raw: Option<&str>) -> Option<Sex> {
    let raw = raw?;
    match Sex::parse_field("sex", raw) {
        Ok(sex) => Some(sex),
        Err(Error::Validation(errors)) => {
            checks.0.extend(errors);
            None
        }
        Err(_) => None,
    }
}

/// Whether `raw` is a phone number as the clinic takes it: 6 to 20 of digits, spaces, `+`, `-`.
pub fn is_phone(raw: &str) -> bool {
    let n = raw.chars().count();
    (PHONE_MIN..=PHONE_MAX).contains(&n)
        && raw
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-'))
        && raw.chars().any(|c| c.is_ascii_digit())
}

fn phone(checks: &mut Checks, raw: Option<&str>) -> Option<String> {
    let raw = raw?;
    if !is_phone(raw) {
        let text = Text::new(Key::ClinicInvalidPhone)
            .field("field", "phone")
            .with("min", PHONE_MIN)
            .with("max", PHONE_MAX);
        checks.push("phone", "format", text);
    }
    let trimmed = raw.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

impl PatientInput {
    /// The details, or every rule broken; `today` bounds the birth date.
    pub fn validate(&self, today: Date) -> Result<PatientDetails> {
        let mut checks = Checks::default();
        let details = PatientDetails {
            name: name(&mut checks, &self.name),
            name_ar: checks.optional("name_ar", self.name_ar.as_deref(), NAME_MAX),
            birth_date: birth_date(&mut checks, self.birth_date.as_deref(), today),
            sex: sex(&mut checks, self.sex.as_deref()),
            phone: phone(&mut checks, self.phone.as_deref()),
            national_id: checks.optional(
                "national_id",
                self.national_id.as_deref(),
                NATIONAL_ID_MAX,
            ),
            address: checks.optional("address", self.address.as_deref(), ADDRESS_MAX),
        };
        checks.finish(details)
    }
}

impl PatientPatch {
    /// `current` with the patch applied, or every rule the patch breaks.
    pub fn apply(&self, current: &PatientDetails, today: Date) -> Result<PatientDetails> {
        let mut checks = Checks::default();
        let mut next = current.clone();
        if let Some(raw) = &self.name {
            next.name = name(&mut checks, raw);
        }
        if let Some(v) = &self.name_ar {
            next.name_ar = checks.optional("name_ar", v.as_deref(), NAME_MAX);
        }
        if let Some(v) = &self.birth_date {
            next.birth_date = birth_date(&mut checks, v.as_deref(), today);
        }
        if let Some(v) = &self.sex {
            next.sex = sex(&mut checks, v.as_deref());
        }
        if let Some(v) = &self.phone {
            next.phone = phone(&mut checks, v.as_deref());
        }
        if let Some(v) = &self.national_id {
            next.national_id = checks.optional("national_id", v.as_deref(), NATIONAL_ID_MAX);
        }
        if let Some(v) = &self.address {
            next.address = checks.optional("address", v.as_deref(), ADDRESS_MAX);
        }
        checks.finish(next)
    }
}

/// What a patient list is ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum PatientSort {
    Name,
    Mrn,
    CreatedAt,
    BirthDate,
}

pub use crate::kernel::paging::SortOrder;

/// A patient list: which patients, in which order. Soft-deleted patients are never listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientQuery {
    /// Every term must occur in the patient's search text (terms are folded already).
    pub terms: Vec<String>,
    pub sort: PatientSort,
    pub order: SortOrder,
}

impl Default for PatientQuery {
    fn default() -> Self {
        Self {
            terms: Vec::new(),
            sort: PatientSort::CreatedAt,
            order: SortOrder::Desc,
        }
    }
}

impl PatientQuery {
    /// From what a client sent: `sort` one of [`PatientSort`] (default `created_at`), `order`
    /// `asc` or `desc` (default: newest first for `created_at`, `asc` for the others), `search`
    /// as in [`super::search::terms`] (blank is no filter).
    pub fn from_client(
        search: Option<&str>,
        sort: Option<&str>,
        order: Option<&str>,
    ) -> Result<Self> {
        let sort = sort
            .map(|s| PatientSort::parse_field("sort", s.trim()))
            .transpose()?
            .unwrap_or(PatientSort::CreatedAt);
        let order = match order {
            Some(o) => SortOrder::parse_field("order", o.trim())?,
            None if sort == PatientSort::CreatedAt => SortOrder::Desc,
            None => SortOrder::Asc,
        };
        Ok(Self {
            terms: search.map(super::search::terms).unwrap_or_default(),
            sort,
            order,
        })
    }
}

/// Why a hard delete could not remove a patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HardDelete {
    Deleted,
    /// No such patient.
    Missing,
    /// Appointments, reports, imaging studies or documents still refer to the patient.
    Referenced {
        appointments: u64,
        reports: u64,
        studies: u64,
        documents: u64,
    },
}

/// 404 for a patient that does not exist or was soft-deleted.
pub fn patient_not_found() -> Error {
    Error::not_found(Key::ClinicPatientNotFound)
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    const TODAY: Date = date!(2026 - 11 - 30);

    fn input(name: &str) -> PatientInput {
        PatientInput {
            name: name.into(),
            ..PatientInput::default()
        }
    }

    fn fields(result: Result<PatientDetails>) -> Vec<String> {
        match result {
            Err(Error::Validation(errors)) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_valid_patient_is_trimmed_and_blank_optionals_are_absent() {
        let details = PatientInput {
            name: "  José Ñúñez ".into(),
            name_ar: Some("  ".into()),
            birth_date: Some("1980-02-29".into()),
            sex: Some("male".into()),
            phone: Some("+962 79-123 4567".into()),
            national_id: Some("9801234567".into()),
            address: Some("".into()),
        }
        .validate(TODAY)
        .unwrap();
        assert_eq!(details.name, "José Ñúñez");
        assert_eq!(details.name_ar, None);
        assert_eq!(details.address, None);
        assert_eq!(details.birth_date, Some(date!(1980 - 02 - 29)));
        assert_eq!(details.sex, Some(Sex::Male));
        assert_eq!(
            search_text("MRN00000001", &details),
            "jose nunez 962791234567 mrn00000001 9801234567"
        );
        let terms = search_terms("MRN00000001", &details);
        for t in [
            "jose",
            "nunez",
            "mrn00000001",
            "00000001",
            "9801234567",
            "4567",
        ] {
            assert!(terms.contains(&t.to_owned()), "{t}: {terms:?}");
        }
    }

    /// Every rule, one table: (input, the fields refused).
    #[test]
    fn patient_validation_table() {
        let cases: Vec<(PatientInput, Vec<&str>)> = vec![
            (input(""), vec!["name"]),
            (input("   "), vec!["name"]),
            (input(&"a".repeat(201)), vec!["name"]),
            (
                PatientInput {
                    name_ar: Some("ا".repeat(201)),
                    ..input("a")
                },
                vec!["name_ar"],
            ),
            (
                PatientInput {
                    birth_date: Some("2026-12-01".into()),
                    ..input("a")
                },
                vec!["birth_date"],
            ),
            (
                PatientInput {
                    birth_date: Some("30/11/2026".into()),
                    ..input("a")
                },
                vec!["birth_date"],
            ),
            (
                PatientInput {
                    sex: Some("m".into()),
                    ..input("a")
                },
                vec!["sex"],
            ),
            (
                PatientInput {
                    phone: Some("12345".into()),
                    ..input("a")
                },
                vec!["phone"],
            ),
            (
                PatientInput {
                    phone: Some("123456789012345678901".into()),
                    ..input("a")
                },
                vec!["phone"],
            ),
            (
                PatientInput {
                    phone: Some("079 12a 4567".into()),
                    ..input("a")
                },
                vec!["phone"],
            ),
            (
                PatientInput {
                    national_id: Some("1".repeat(33)),
                    address: Some("x".repeat(501)),
                    ..input("")
                },
                vec!["name", "national_id", "address"],
            ),
        ];
        for (input, want) in cases {
            assert_eq!(fields(input.validate(TODAY)), want, "{input:?}");
        }
        assert!(
            PatientInput {
                birth_date: Some("2026-11-30".into()),
                phone: Some("123456".into()),
                ..input(&"a".repeat(200))
            }
            .validate(TODAY)
            .is_ok()
        );
    }

    #[test]
    fn a_patch_changes_what_it_names_and_clears_with_null() {
        let current = PatientInput {
            phone: Some("0791234567".into()),
            ..input("Old")
        }
        .validate(TODAY)
        .unwrap();
        let patch = PatientPatch {
            name_ar: Some(Some("أحمد".into())),
            phone: Some(None),
            ..PatientPatch::default()
        };
        let next = patch.apply(&current, TODAY).unwrap();
        assert_eq!(next.name, "Old");
        assert_eq!(next.name_ar.as_deref(), Some("أحمد"));
        assert_eq!(next.phone, None);
        let bad = PatientPatch {
            name: Some(" ".into()),
            ..PatientPatch::default()
        };
        assert_eq!(fields(bad.apply(&current, TODAY)), ["name"]);
        assert!(PatientPatch::default().is_empty());
    }

    #[test]
    fn list_order_defaults_to_newest_first() {
        let q = PatientQuery::from_client(Some("  "), None, None).unwrap();
        assert_eq!(q, PatientQuery::default());
        let q = PatientQuery::from_client(None, Some("name"), None).unwrap();
        assert_eq!((q.sort, q.order), (PatientSort::Name, SortOrder::Asc));
        assert!(PatientQuery::from_client(None, Some("age"), None).is_err());
        assert!(PatientQuery::from_client(None, None, Some("up")).is_err());
        assert_eq!(Patient::mrn_for(42), "MRN00000042");
    }
}
