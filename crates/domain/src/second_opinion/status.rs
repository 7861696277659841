//! Where a review case stands, and what may happen to it (the lifecycle of `docs/api.md`).

use std::fmt;

use crate::kernel::code::Code;
use crate::kernel::text::{Key, Text};
use crate::{Error, Result};

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum CaseStatus {
    /// Being written by the patient; only drafts can be edited.
    Draft,
    /// Submitted, waiting for an administrator.
    Review,
    /// Refused by an administrator, with a reason.
    Rejected,
    /// A coordinator is assigned; the patient has a payment link.
    AwaitingPayment,
    /// Paid; the coordinator may assign doctors.
    Paid,
    /// Specialist doctors are reviewing it.
    DoctorsAssigned,
    /// The final summary and report are out.
    Completed,
}

impl CaseStatus {
    /// What may happen to a case in this status, and the status it leads to.
    ///
    /// Every transition of the lifecycle is here; anything else is a [`Error::Conflict`] that
    /// names the action and the current status.
    pub fn apply(self, action: CaseAction) -> Result<CaseStatus> {
        use CaseAction as A;
        use CaseStatus as S;
        let next = match (self, action) {
            (S::Draft, A::Update { submit: false } | A::AddDocuments) => Some(S::Draft),
            (S::Draft, A::Update { submit: true }) => Some(S::Review),
            (S::Review, A::Reject) => Some(S::Rejected),
            (S::Review, A::AssignCoordinator) => Some(S::AwaitingPayment),
            (S::AwaitingPayment, A::ChangeCoordinator) => Some(S::AwaitingPayment),
            (S::AwaitingPayment, A::ConfirmPayment) => Some(S::Paid),
            (S::Paid | S::DoctorsAssigned, A::AssignDoctors) => Some(S::DoctorsAssigned),
            (S::DoctorsAssigned, A::SubmitSummary) => Some(S::Completed),
            (
                S::AwaitingPayment | S::Paid | S::DoctorsAssigned,
                A::RequestDocuments | A::AnswerDocuments,
            ) => Some(self),
            (S::DoctorsAssigned, A::SubmitOpinion) => Some(S::DoctorsAssigned),
            _ => None,
        };
        next.ok_or_else(|| {
            Error::conflict(
                Text::new(Key::TransitionRefused)
                    .with("action", action.text())
                    .with("status", self.text()),
            )
        })
    }

    /// The status's name for people.
    pub fn text(self) -> Text {
        Text::term(Key::CaseStatusName, self.as_str())
    }
}

impl fmt::Display for CaseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something that changes a case. Creation is not an action: a new case starts as the patient saves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseAction {
    /// The patient edits a draft; `submit` sends it for review.
    Update { submit: bool },
    /// The patient appends medical documents to a draft.
    AddDocuments,
    /// An administrator rejects a submitted case.
    Reject,
    /// An administrator assigns a coordinator (a payment link is created).
    AssignCoordinator,
    /// An administrator changes the coordinator before payment.
    ChangeCoordinator,
    /// The payment provider or an administrator confirms payment.
    ConfirmPayment,
    /// The case's coordinator assigns specialist doctors.
    AssignDoctors,
    /// The case's coordinator submits the final summary.
    SubmitSummary,
    /// A provider with a part in the case asks the patient for documents.
    RequestDocuments,
    /// The patient provides requested documents.
    AnswerDocuments,
    /// A specialist submits or revises an opinion.
    SubmitOpinion,
}

impl CaseAction {
    /// The action's name for people ("Updating", "Assigning doctors").
    pub fn text(self) -> Text {
        let code = match self {
            CaseAction::Update { .. } => "update",
            CaseAction::AddDocuments => "add_documents",
            CaseAction::Reject => "reject",
            CaseAction::AssignCoordinator => "assign_coordinator",
            CaseAction::ChangeCoordinator => "change_coordinator",
            CaseAction::ConfirmPayment => "confirm_payment",
            CaseAction::AssignDoctors => "assign_doctors",
            CaseAction::SubmitSummary => "submit_summary",
            CaseAction::RequestDocuments => "request_documents",
            CaseAction::AnswerDocuments => "answer_documents",
            CaseAction::SubmitOpinion => "submit_opinion",
        };
        Text::term(Key::ActionName, code)
    }
}

#[cfg(test)]
mod tests {
    use strum::VariantArray;

    use super::*;

    const ACTIONS: [CaseAction; 12] = [
        CaseAction::Update { submit: false },
        CaseAction::Update { submit: true },
        CaseAction::AddDocuments,
        CaseAction::Reject,
        CaseAction::AssignCoordinator,
        CaseAction::ChangeCoordinator,
        CaseAction::ConfirmPayment,
        CaseAction::AssignDoctors,
        CaseAction::SubmitSummary,
        CaseAction::RequestDocuments,
        CaseAction::AnswerDocuments,
        CaseAction::SubmitOpinion,
    ];

    /// The whole transition table: every (status, action) pair, allowed or refused.
    #[test]
    fn transition_table() {
        use CaseAction as A;
        use CaseStatus as S;
        let allowed: [(S, A, S); 17] = [
            (S::Draft, A::Update { submit: false }, S::Draft),
            (S::Draft, A::Update { submit: true }, S::Review),
            (S::Draft, A::AddDocuments, S::Draft),
            (S::Review, A::Reject, S::Rejected),
            (S::Review, A::AssignCoordinator, S::AwaitingPayment),
            (S::AwaitingPayment, A::ChangeCoordinator, S::AwaitingPayment),
            (S::AwaitingPayment, A::ConfirmPayment, S::Paid),
            (S::Paid, A::AssignDoctors, S::DoctorsAssigned),
            (S::DoctorsAssigned, A::AssignDoctors, S::DoctorsAssigned),
            (S::DoctorsAssigned, A::SubmitSummary, S::Completed),
            (S::AwaitingPayment, A::RequestDocuments, S::AwaitingPayment),
            (S::Paid, A::RequestDocuments, S::Paid),
            (S::DoctorsAssigned, A::RequestDocuments, S::DoctorsAssigned),
            (S::AwaitingPayment, A::AnswerDocuments, S::AwaitingPayment),
            (S::Paid, A::AnswerDocuments, S::Paid),
            (S::DoctorsAssigned, A::AnswerDocuments, S::DoctorsAssigned),
            (S::DoctorsAssigned, A::SubmitOpinion, S::DoctorsAssigned),
        ];
        let mut checked = 0;
        for &status in S::VARIANTS {
            for action in ACTIONS {
                let expected = allowed
                    .iter()
                    .find(|(s, a, _)| *s == status && *a == action)
                    .map(|(_, _, to)| *to);
                match (status.apply(action), expected) {
                    (Ok(to), Some(want)) => assert_eq!(to, want, "{status} {action:?}"),
                    (Err(Error::Conflict(text)), None) => {
                        assert_eq!(text.key(), Key::TransitionRefused);
                        assert_eq!(text.arg("status"), Some(&status.text().into()));
                        assert_eq!(text.arg("action"), Some(&action.text().into()));
                    }
                    (got, want) => panic!("{status} {action:?}: got {got:?}, want {want:?}"),
                }
                checked += 1;
            }
        }
        assert_eq!(checked, 84);
    }

    #[test]
    fn statuses_round_trip_as_text() {
        for &s in CaseStatus::VARIANTS {
            assert_eq!(CaseStatus::from_code(s.as_str()), Some(s));
        }
        assert_eq!(CaseStatus::AwaitingPayment.as_str(), "awaiting_payment");
    }
}
