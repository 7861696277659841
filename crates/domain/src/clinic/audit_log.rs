//! Reading the audit log (`GET /api/audit`, administrators): its filters as a client sends them,
//! checked (400 naming the field, listing the choices of a code), then the page, newest first.
//!
//! `from` and `to` take an RFC 3339 instant or a `YYYY-MM-DD` day (UTC): `from` is inclusive (a
//! day from its start), `to` exclusive for an instant and inclusive for a day (up to the end of
//! that day), as a person picking two days in a form means it.

use std::fmt;
use std::sync::Arc;

use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, OffsetDateTime, UtcOffset};

use super::audit::{AuditAction, AuditEntry, AuditFilter, AuditRepository, ObjectKind};
use super::ids::PatientId;
use crate::kernel::code::{Code, choice_error_of};
use crate::kernel::ids::ActorId;
use crate::kernel::paging::{Page, PageRequest};
use crate::kernel::text::{Key, Text};
use crate::kernel::time::DATE_FORMAT;
use crate::{Error, FieldError, Result};

/// The filters as sent; each absent one selects everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub actor_id: Option<String>,
    pub patient_id: Option<String>,
    pub action: Option<String>,
    pub object_type: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Every action's code, as the log stores and shows them.
pub fn action_codes() -> Vec<&'static str> {
    <AuditAction as strum::VariantArray>::VARIANTS
        .iter()
        .map(|a| a.as_str())
        .collect()
}

/// Which end of a period an instant or a day is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    From,
    To,
}

fn instant(field: &str, raw: &str, end: End) -> Result<OffsetDateTime> {
    let raw = raw.trim();
    if let Ok(at) = OffsetDateTime::parse(raw, &Rfc3339) {
        return Ok(at.to_offset(UtcOffset::UTC));
    }
    let day = Date::parse(raw, DATE_FORMAT).map_err(|_| {
        Error::field(FieldError::new(
            field,
            "format",
            Text::new(Key::ClinicInstantFormat).field("field", field),
        ))
    })?;
    let start = day.midnight().assume_utc();
    Ok(match end {
        End::From => start,
        End::To => start + Duration::days(1),
    })
}

impl AuditQuery {
    /// The filter, or every field that is wrong.
    pub fn filter(&self) -> Result<AuditFilter> {
        let mut errors = Vec::new();
        let mut keep = |result: Result<()>| {
            if let Err(Error::Validation(mut e)) = result {
                errors.append(&mut e);
            }
        };
        let mut filter = AuditFilter::default();
        if let Some(raw) = &self.actor_id {
            // Staff ids as tokens carry them (UUIDs, provider ids such as EMP3, `dicom`): visible
            // ASCII, as the document states it, so what it forbids is refused.
            let visible =
                (1..=128).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_graphic());
            keep(
                visible
                    .then_some(raw.as_str())
                    .ok_or(Error::Validation(Vec::new()))
                    .and_then(ActorId::parse)
                    .map(|a| filter.actor = Some(a))
                    .map_err(|_| {
                        Error::field(FieldError::new(
                            "actor_id",
                            "format",
                            Text::new(Key::InvalidActorId),
                        ))
                    }),
            );
        }
        if let Some(raw) = &self.patient_id {
            keep(PatientId::parse("patient_id", raw).map(|p| filter.patient = Some(p)));
        }
        if let Some(raw) = &self.action {
            let codes = action_codes();
            keep(
                AuditAction::parse(raw.trim())
                    .map(|a| filter.action = Some(a))
                    .ok_or_else(|| choice_error_of("action", &codes)),
            );
        }
        if let Some(raw) = &self.object_type {
            keep(
                ObjectKind::parse_field("object_type", raw.trim()).map(|o| filter.object = Some(o)),
            );
        }
        if let Some(raw) = &self.from {
            keep(instant("from", raw, End::From).map(|at| filter.from = Some(at)));
        }
        if let Some(raw) = &self.to {
            keep(instant("to", raw, End::To).map(|at| filter.to = Some(at)));
        }
        if errors.is_empty() {
            Ok(filter)
        } else {
            Err(Error::Validation(errors))
        }
    }
}

/// Reads the audit log. There is no use case that changes or removes an entry.
#[derive(Clone)]
pub struct AuditService {
    audit: Arc<dyn AuditRepository>,
}

impl fmt::Debug for AuditService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuditService").finish_non_exhaustive()
    }
}

impl AuditService {
    pub fn new(audit: Arc<dyn AuditRepository>) -> Self {
        Self { audit }
    }

    /// The entries `query` selects, newest first, one page.
    pub fn list(&self, query: &AuditQuery, page: PageRequest) -> Result<Page<AuditEntry>> {
        let filter = query.filter()?;
        self.audit.list(&filter, page)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::clinic::audit::MockAuditRepository;

    fn fields(query: AuditQuery) -> Vec<String> {
        match query.filter() {
            Err(Error::Validation(errors)) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn filters_read_as_sent() {
        let filter = AuditQuery {
            actor_id: Some("0193a1c0-0000-7000-8000-000000000001".into()),
            patient_id: Some("0193a1c0-0000-7000-8000-000000000002".into()),
            action: Some("patient.read".into()),
            object_type: Some("report".into()),
            from: Some("2026-11-30".into()),
            to: Some("2026-12-01T10:00:00+02:00".into()),
        }
        .filter()
        .unwrap();
        assert_eq!(filter.action, Some(AuditAction::PatientRead));
        assert_eq!(filter.object, Some(ObjectKind::Report));
        assert_eq!(filter.from, Some(datetime!(2026-11-30 00:00 UTC)));
        assert_eq!(filter.to, Some(datetime!(2026-12-01 08:00 UTC)));
        // A day as `to` takes in the whole day.
        let to = AuditQuery {
            to: Some("2026-11-30".into()),
            ..AuditQuery::default()
        };
        assert_eq!(
            to.filter().unwrap().to,
            Some(datetime!(2026-12-01 00:00 UTC))
        );
    }

    #[test]
    fn every_wrong_filter_is_named_and_an_unknown_action_lists_the_choices() {
        let query = AuditQuery {
            actor_id: Some(" ".into()),
            patient_id: Some("nope".into()),
            action: Some("patient.eat".into()),
            object_type: Some("car".into()),
            from: Some("yesterday".into()),
            to: Some("2026-13-01".into()),
        };
        assert_eq!(
            fields(query.clone()),
            [
                "actor_id",
                "patient_id",
                "action",
                "object_type",
                "from",
                "to"
            ]
        );
        let Err(Error::Validation(errors)) = query.filter() else {
            panic!("refused");
        };
        let text = errors[2].text.to_string();
        assert!(
            text.contains("patient.read") && text.contains("report.finalize"),
            "{text}"
        );
    }

    #[test]
    fn the_service_lists_with_the_filter() {
        let mut audit = MockAuditRepository::new();
        audit
            .expect_list()
            .withf(|f, _| f.action == Some(AuditAction::ReportRead))
            .times(1)
            .returning(|_, page| {
                Ok(Page {
                    items: Vec::new(),
                    total: 0,
                    request: page,
                })
            });
        let service = AuditService::new(Arc::new(audit));
        let query = AuditQuery {
            action: Some("report.read".into()),
            ..AuditQuery::default()
        };
        assert!(service.list(&query, PageRequest::default()).is_ok());
        let bad = AuditQuery {
            action: Some("x".into()),
            ..AuditQuery::default()
        };
        assert!(matches!(
            service.list(&bad, PageRequest::default()),
            Err(Error::Validation(_))
        ));
    }
}
