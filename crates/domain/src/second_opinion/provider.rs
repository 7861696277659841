//! Providers: the doctors who coordinate cases and give opinions, and which disease categories each
//! may coordinate or review.

use std::sync::Arc;

use time::OffsetDateTime;
use validator::{Validate, ValidationError};

use crate::kernel::code::Code;
use crate::kernel::ids::{ActorId, DiseaseCategoryId};
use crate::kernel::lang::Lang;
use crate::kernel::paging::{Page, PageRequest};
use crate::kernel::text::{Arg, Key, Text};
use crate::kernel::time::Clock;
use crate::{Error, FieldError, Result};

/// A doctor known to the second-opinion service, under the id their identity provider gives
/// (`EMP1`): the same id their tokens carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    pub id: ActorId,
    pub name_en: String,
    pub name_ar: String,
    pub speciality_en: String,
    pub speciality_ar: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The language their notifications are written in.
    pub lang: Lang,
    pub active: bool,
    pub created_date: OffsetDateTime,
    pub updated_date: OffsetDateTime,
}

impl Provider {
    /// The name in both languages, for messages and reports.
    pub fn name(&self) -> Arg {
        Arg::Localized {
            en: self.name_en.clone(),
            ar: self.name_ar.clone(),
        }
    }

    pub fn name_in(&self, lang: Lang) -> &str {
        lang.pick(&self.name_en, &self.name_ar)
    }
}

/// What an administrator (or a directory sync) sends for a provider.
#[derive(Debug, Clone, PartialEq, Eq, Validate)]
pub struct ProviderInput {
    #[validate(custom(function = "provider_id"))]
    pub doctor_id: String,
    #[validate(length(min = 1, max = 120))]
    pub name_en: String,
    #[validate(length(min = 1, max = 120))]
    pub name_ar: String,
    #[validate(length(min = 1, max = 120))]
    pub speciality_en: String,
    #[validate(length(min = 1, max = 120))]
    pub speciality_ar: String,
    #[validate(custom(function = "email_address"))]
    pub email: Option<String>,
    #[validate(custom(function = "phone_number"))]
    pub phone: Option<String>,
    /// `en` or `ar`; English when absent.
    pub lang: Option<String>,
    /// Default true.
    pub active: Option<bool>,
}

fn provider_id(id: &str) -> Result<(), ValidationError> {
    ActorId::parse(id)
        .map(|_| ())
        .map_err(|_| ValidationError::new("format"))
}

fn email_address(email: &str) -> Result<(), ValidationError> {
    crate::notifications::parse_email(email)
        .map(|_| ())
        .map_err(|_| ValidationError::new("format"))
}

/// E.164-like: an optional `+`, then 6 to 15 digits; spaces and dashes are ignored.
fn phone_number(phone: &str) -> Result<(), ValidationError> {
    normalize_phone(phone)
        .map(|_| ())
        .ok_or_else(|| ValidationError::new("format"))
}

/// `+966 50-123-4567` → `+966501234567`.
pub fn normalize_phone(raw: &str) -> Option<String> {
    let compact: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let digits = compact.strip_prefix('+').unwrap_or(&compact);
    ((6..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()))
        .then_some(compact)
}

fn trimmed(s: &str) -> String {
    s.trim().to_owned()
}

fn blank_to_none(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

impl ProviderInput {
    /// Checks the input and builds the provider, keeping `created` for an update.
    pub fn build(self, created: OffsetDateTime, now: OffsetDateTime) -> Result<Provider> {
        let v = ProviderInput {
            doctor_id: trimmed(&self.doctor_id),
            name_en: trimmed(&self.name_en),
            name_ar: trimmed(&self.name_ar),
            speciality_en: trimmed(&self.speciality_en),
            speciality_ar: trimmed(&self.speciality_ar),
            email: blank_to_none(self.email),
            phone: blank_to_none(self.phone),
            lang: blank_to_none(self.lang),
            active: self.active,
        };
        let mut errors = match v.validate() {
            Ok(()) => Vec::new(),
            Err(e) => match Error::from(e) {
                Error::Validation(fields) => fields,
                other => return Err(other),
            },
        };
        let lang = match v.lang.as_deref() {
            None => Some(Lang::En),
            Some(code) => Lang::from_code(code),
        };
        if lang.is_none() {
            errors.push(FieldError::new(
                "lang",
                "one_of",
                Text::new(Key::InvalidChoice).field("field", "lang").with(
                    "choices",
                    Arg::Choices(Lang::codes().into_iter().map(str::to_owned).collect()),
                ),
            ));
        }
        if !errors.is_empty() {
            errors.sort_by(|a, b| a.field.cmp(&b.field));
            return Err(Error::Validation(errors));
        }
        Ok(Provider {
            id: ActorId::parse(&v.doctor_id)?,
            name_en: v.name_en,
            name_ar: v.name_ar,
            speciality_en: v.speciality_en,
            speciality_ar: v.speciality_ar,
            email: v.email,
            phone: v.phone.as_deref().and_then(normalize_phone),
            lang: lang.unwrap_or_default(),
            active: v.active.unwrap_or(true),
            created_date: created,
            updated_date: now,
        })
    }
}

/// Which providers a list wants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderFilter {
    pub active: Option<bool>,
    /// Part of a name (either language) or the id, any case.
    pub q: Option<String>,
}

/// Who may do what for a disease category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Eligibility {
    /// May coordinate cases of the category (`case_coordinators`).
    Coordinator,
    /// May give an opinion on cases of the category (`sop_doctors`).
    Specialist,
}

/// Stores providers and their eligibility.
///
/// Contract:
/// - `upsert_all` writes every provider (insert or replace, keeping `created_date` of an existing
///   one) in one transaction: all or nothing.
/// - `eligible` returns the *active* providers with `eligibility` for `dc_id`, by id.
/// - `grant` and `revoke` are idempotent; `grant` MUST return [`Error::NotFound`] with
///   [`Key::ProviderNotFound`] for an unknown provider and [`Key::DiseaseCategoryNotFound`] for an
///   unknown category.
/// - Lists are ordered by id.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait ProviderRepository: Send + Sync {
    fn upsert_all(&self, providers: &[Provider]) -> Result<()>;
    fn find_provider(&self, id: &ActorId) -> Result<Option<Provider>>;
    fn find_providers(&self, ids: &[ActorId]) -> Result<Vec<Provider>>;
    fn list_providers(
        &self,
        filter: &ProviderFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<Provider>>;
    fn count_providers(&self, filter: &ProviderFilter) -> Result<u64>;
    fn grant(&self, provider: &ActorId, dc_id: DiseaseCategoryId, as_: Eligibility) -> Result<()>;
    fn revoke_grant(
        &self,
        provider: &ActorId,
        dc_id: DiseaseCategoryId,
        as_: Eligibility,
    ) -> Result<bool>;
    /// The disease categories a provider holds `as_` for.
    fn grants(&self, provider: &ActorId, as_: Eligibility) -> Result<Vec<DiseaseCategoryId>>;
    fn eligible(&self, dc_id: DiseaseCategoryId, as_: Eligibility) -> Result<Vec<Provider>>;
}

/// The result of a sync: how many were created and updated, or every item's errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SyncReport {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// The most providers one sync takes.
pub const MAX_SYNC: usize = 1000;

/// Providers' upkeep: the administrators' routes and the directory sync.
#[derive(Clone)]
pub struct ProviderService {
    repo: Arc<dyn ProviderRepository>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for ProviderService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderService").finish_non_exhaustive()
    }
}

fn not_found() -> Error {
    Error::not_found(Key::ProviderNotFound)
}

impl ProviderService {
    pub fn new(repo: Arc<dyn ProviderRepository>, clock: Arc<dyn Clock>) -> Self {
        Self { repo, clock }
    }

    pub fn provider(&self, id: &str) -> Result<Provider> {
        let id = ActorId::parse(id).map_err(|_| not_found())?;
        self.repo.find_provider(&id)?.ok_or_else(not_found)
    }

    /// Creates a provider; an id already taken is 409.
    pub fn create(&self, input: ProviderInput) -> Result<Provider> {
        let now = self.clock.now();
        let provider = input.build(now, now)?;
        if self.repo.find_provider(&provider.id)?.is_some() {
            return Err(Error::conflict(Key::ProviderIdTaken));
        }
        self.repo.upsert_all(std::slice::from_ref(&provider))?;
        Ok(provider)
    }

    /// Replaces a provider's details; an unknown id is 404.
    pub fn update(&self, input: ProviderInput) -> Result<Provider> {
        let current = self.provider(&input.doctor_id)?;
        let provider = input.build(current.created_date, self.clock.now())?;
        self.repo.upsert_all(std::slice::from_ref(&provider))?;
        Ok(provider)
    }

    pub fn set_active(&self, id: &str, active: bool) -> Result<Provider> {
        let mut provider = self.provider(id)?;
        if provider.active != active {
            provider.active = active;
            provider.updated_date = self.clock.now();
            self.repo.upsert_all(std::slice::from_ref(&provider))?;
        }
        Ok(provider)
    }

    pub fn list(&self, filter: ProviderFilter, page: PageRequest) -> Result<Page<Provider>> {
        let items = self
            .repo
            .list_providers(&filter, page.limit(), page.offset())?;
        let total = self.repo.count_providers(&filter)?;
        Ok(Page {
            items,
            total,
            request: page,
        })
    }

    /// Upserts many providers at once, all or nothing: any invalid item refuses the whole sync,
    /// with each item's errors under `providers[i]`. Repeating a sync changes nothing.
    pub fn sync(&self, inputs: Vec<ProviderInput>) -> Result<SyncReport> {
        if inputs.is_empty() || inputs.len() > MAX_SYNC {
            return Err(Error::field(FieldError::new(
                "providers",
                "length",
                Text::new(Key::InvalidItemCount)
                    .field("field", "providers")
                    .with("min", 1i64)
                    .with("max", MAX_SYNC),
            )));
        }
        let now = self.clock.now();
        let mut errors = Vec::new();
        let mut built = Vec::new();
        for (i, input) in inputs.into_iter().enumerate() {
            match input.build(now, now) {
                Ok(p) => built.push(p),
                Err(Error::Validation(fields)) => {
                    errors.extend(fields.into_iter().map(|f| {
                        let path = format!("providers[{i}].{}", f.field);
                        FieldError::new(path.clone(), f.rule, retarget(f.text, &path))
                    }));
                }
                Err(other) => return Err(other),
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, p) in built.iter().enumerate() {
            if !seen.insert(p.id.clone()) {
                let path = format!("providers[{i}].doctor_id");
                errors.push(FieldError::new(
                    path.clone(),
                    "unique",
                    Text::new(Key::DuplicateInList).field("field", &path),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        let ids: Vec<ActorId> = built.iter().map(|p| p.id.clone()).collect();
        let existing: std::collections::BTreeMap<ActorId, Provider> = self
            .repo
            .find_providers(&ids)?
            .into_iter()
            .map(|p| (p.id.clone(), p))
            .collect();
        let mut report = SyncReport::default();
        let mut writes = Vec::new();
        for mut p in built {
            match existing.get(&p.id) {
                None => {
                    report.created += 1;
                    writes.push(p);
                }
                Some(old) => {
                    p.created_date = old.created_date;
                    let same = Provider {
                        updated_date: old.updated_date,
                        ..p.clone()
                    } == *old;
                    if same {
                        report.unchanged += 1;
                    } else {
                        report.updated += 1;
                        writes.push(p);
                    }
                }
            }
        }
        if !writes.is_empty() {
            self.repo.upsert_all(&writes)?;
        }
        Ok(report)
    }

    /// Grants or withdraws a provider's eligibility for a disease category.
    pub fn set_eligibility(
        &self,
        id: &str,
        dc_id: DiseaseCategoryId,
        as_: Eligibility,
        eligible: bool,
    ) -> Result<Vec<DiseaseCategoryId>> {
        let provider = self.provider(id)?;
        if eligible {
            self.repo.grant(&provider.id, dc_id, as_)?;
        } else {
            self.repo.revoke_grant(&provider.id, dc_id, as_)?;
        }
        self.repo.grants(&provider.id, as_)
    }

    pub fn eligible(&self, dc_id: DiseaseCategoryId, as_: Eligibility) -> Result<Vec<Provider>> {
        self.repo.eligible(dc_id, as_)
    }
}

/// The same reason with its `field` argument pointing at `path` (an item of a list).
fn retarget(text: Text, path: &str) -> Text {
    let mut out = Text::new(text.key());
    for (name, arg) in text.args() {
        out = match (*name, arg) {
            ("field", Arg::Field(_)) => out.field("field", path),
            _ => out.with(name, arg.clone()),
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{FixedClock, NOW};

    fn input(id: &str) -> ProviderInput {
        ProviderInput {
            doctor_id: id.into(),
            name_en: "Dr. Lina Haddad".into(),
            name_ar: "د. لينا حداد".into(),
            speciality_en: "Cardiology".into(),
            speciality_ar: "أمراض القلب".into(),
            email: Some(" lina@example.org ".into()),
            phone: Some("+966 50-123-4567".into()),
            lang: Some("ar".into()),
            active: None,
        }
    }

    fn service(repo: MockProviderRepository) -> ProviderService {
        ProviderService::new(Arc::new(repo), Arc::new(FixedClock(NOW)))
    }

    #[test]
    fn input_is_trimmed_and_normalized() {
        let p = input("EMP1").build(NOW, NOW).unwrap();
        assert_eq!(p.email.as_deref(), Some("lina@example.org"));
        assert_eq!(p.phone.as_deref(), Some("+966501234567"));
        assert_eq!(p.lang, Lang::Ar);
        assert!(p.active);
        let mut bad = input("");
        bad.phone = Some("12".into());
        bad.lang = Some("fr".into());
        bad.name_en = "  ".into();
        let Err(Error::Validation(fields)) = bad.build(NOW, NOW) else {
            panic!("expected a validation error")
        };
        let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["doctor_id", "lang", "name_en", "phone"]);
    }

    #[test]
    fn a_sync_is_all_or_nothing_and_repeatable() {
        let mut repo = MockProviderRepository::new();
        repo.expect_upsert_all().never();
        let mut bad = input("EMP2");
        bad.email = Some("not an address".into());
        let err = service(repo)
            .sync(vec![input("EMP1"), bad, input("EMP1")])
            .unwrap_err();
        let Error::Validation(fields) = err else {
            panic!("expected a validation error")
        };
        let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["providers[1].email", "providers[1].doctor_id"]);
        assert_eq!(
            fields[0].text.to_string(),
            "rule-invalid(field=providers[1].email)"
        );

        let existing = input("EMP1").build(NOW, NOW).unwrap();
        let mut repo = MockProviderRepository::new();
        repo.expect_find_providers()
            .returning(move |_| Ok(vec![existing.clone()]));
        repo.expect_upsert_all()
            .withf(|written| written.len() == 1 && written[0].id.as_str() == "EMP2")
            .times(1)
            .returning(|_| Ok(()));
        let report = service(repo)
            .sync(vec![input("EMP1"), input("EMP2")])
            .unwrap();
        assert_eq!(
            report,
            SyncReport {
                created: 1,
                updated: 0,
                unchanged: 1
            }
        );
    }

    #[test]
    fn a_taken_id_is_a_conflict() {
        let mut repo = MockProviderRepository::new();
        repo.expect_find_provider()
            .returning(|_| Ok(Some(input("EMP1").build(NOW, NOW).unwrap())));
        repo.expect_upsert_all().never();
        assert!(matches!(
            service(repo).create(input("EMP1")),
            Err(Error::Conflict(t)) if t.key() == Key::ProviderIdTaken
        ));
    }
}
