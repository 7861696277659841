//! Assignments: a provider's part in a case (a row of `second_opinions`, "sop"). The coordinator
//! has one, each specialist doctor one; each may ask the patient for documents, and a doctor writes
//! an opinion on it.

use time::OffsetDateTime;

use crate::kernel::ids::{ActorId, CaseId, SopId};
use crate::kernel::text::{Key, Text};
use crate::{Error, FieldError, Result};

/// One provider's part in one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub id: SopId,
    pub case_id: CaseId,
    pub doctor_id: ActorId,
    /// The coordinator's assignment, rather than a specialist's.
    pub is_coordinator: bool,
    /// A replaced coordinator's assignment stays, inactive, for the history.
    pub active: bool,
    /// What the provider asked the patient for; empty when nothing is outstanding.
    pub requested_documents: Vec<String>,
    pub requested_date: Option<OffsetDateTime>,
    /// When the patient last answered the request.
    pub answered_date: Option<OffsetDateTime>,
    /// The specialist's opinion; revisable until the summary is in.
    pub opinion: Option<String>,
    pub opinion_date: Option<OffsetDateTime>,
    pub created_date: OffsetDateTime,
}

impl Assignment {
    /// A new, active assignment.
    pub fn new(
        id: SopId,
        case_id: CaseId,
        doctor_id: ActorId,
        is_coordinator: bool,
        requested: Vec<String>,
        at: OffsetDateTime,
    ) -> Assignment {
        let requested_date = (!requested.is_empty()).then_some(at);
        Assignment {
            id,
            case_id,
            doctor_id,
            is_coordinator,
            active: true,
            requested_documents: requested,
            requested_date,
            answered_date: None,
            opinion: None,
            opinion_date: None,
            created_date: at,
        }
    }

    /// Whether the patient has documents to provide for this assignment.
    pub fn request_outstanding(&self) -> bool {
        self.active
            && !self.requested_documents.is_empty()
            && match (self.requested_date, self.answered_date) {
                (Some(asked), Some(answered)) => answered < asked,
                (_, None) => true,
                (None, Some(_)) => false,
            }
    }
}

/// The most documents one request names, and the longest name.
pub const MAX_REQUESTED: usize = 20;
const MAX_REQUESTED_CHARS: i64 = 300;

/// Checks a list of requested documents: each non-empty after trimming, at most 300 characters,
/// at most 20 of them. `field` is how the client named the list.
pub fn parse_requested(field: &str, raw: Vec<String>) -> Result<Vec<String>> {
    if raw.len() > MAX_REQUESTED {
        return Err(Error::field(FieldError::new(
            field,
            "length",
            Text::new(Key::InvalidItemCount)
                .field("field", field)
                .with("min", 0i64)
                .with("max", MAX_REQUESTED),
        )));
    }
    let mut errors = Vec::new();
    let items: Vec<String> = raw
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let item = item.trim().to_owned();
            let chars = i64::try_from(item.chars().count()).unwrap_or(i64::MAX);
            if item.is_empty() || chars > MAX_REQUESTED_CHARS {
                let path = format!("{field}[{i}]");
                errors.push(FieldError::new(
                    path.clone(),
                    "length",
                    Text::new(Key::InvalidTextLength)
                        .field("field", &path)
                        .with("min", 1i64)
                        .with("max", MAX_REQUESTED_CHARS),
                ));
            }
            item
        })
        .collect();
    if errors.is_empty() {
        Ok(items)
    } else {
        Err(Error::Validation(errors))
    }
}

/// The longest opinion or summary, in characters.
pub const MAX_OPINION_CHARS: i64 = 20_000;

/// A doctor's opinion or a coordinator's summary: non-empty after trimming, at most 20,000
/// characters.
pub fn parse_opinion(field: &str, raw: &str) -> Result<String> {
    let text = raw.trim();
    let chars = i64::try_from(text.chars().count()).unwrap_or(i64::MAX);
    if text.is_empty() || chars > MAX_OPINION_CHARS {
        return Err(Error::field(FieldError::new(
            field,
            "length",
            Text::new(Key::InvalidTextLength)
                .field("field", field)
                .with("min", 1i64)
                .with("max", MAX_OPINION_CHARS),
        )));
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::NOW;

    #[test]
    fn requests_are_outstanding_until_answered_after_them() {
        let mut a = Assignment::new(
            SopId::from_uuid(uuid::Uuid::nil()),
            CaseId::from_uuid(uuid::Uuid::nil()),
            ActorId::parse("EMP1").unwrap(),
            false,
            vec!["Latest ECG".into()],
            NOW,
        );
        assert!(a.request_outstanding());
        a.answered_date = Some(NOW + time::Duration::minutes(5));
        assert!(!a.request_outstanding());
        a.requested_date = Some(NOW + time::Duration::minutes(10));
        assert!(a.request_outstanding(), "a new request after the answer");
        a.requested_documents.clear();
        assert!(!a.request_outstanding());
    }

    #[test]
    fn requested_documents_are_trimmed_and_bounded() {
        assert_eq!(
            parse_requested("requested_documents", vec![" ECG ".into()]).unwrap(),
            ["ECG"]
        );
        assert!(parse_requested("requested_documents", vec![" ".into()]).is_err());
        assert!(parse_requested("r", vec!["x".into(); 21]).is_err());
        assert!(parse_opinion("opinion", "  ").is_err());
        assert_eq!(parse_opinion("opinion", " Stable. ").unwrap(), "Stable.");
    }
}
