//! How the case flow's objects are shown: assignments, payments, providers. Shared by `/admin`,
//! `/pro` and `/app`.

use domain::kernel::code::Code;
use domain::kernel::time::format_rfc3339;
use domain::second_opinion::{
    Assignment, DocumentRequest, Payment, Provider, ReviewWindow, SyncReport,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::i18n::lang;
use crate::money::Price;

/// A provider's part in a case (a row of `second_opinions`).
#[derive(Debug, Serialize, ToSchema)]
pub struct SopView {
    #[schema(format = Uuid)]
    pub sop_id: String,
    #[schema(format = Uuid)]
    pub case_id: String,
    pub doctor_id: String,
    /// What the provider asked the patient for; empty when nothing.
    pub requested_documents: Vec<String>,
    pub created_date: String,
    pub is_coordinator: bool,
    pub active: bool,
    /// Whether the specialist has given an opinion.
    pub has_opinion: bool,
}

impl From<Assignment> for SopView {
    fn from(a: Assignment) -> Self {
        Self {
            sop_id: a.id.to_string(),
            case_id: a.case_id.to_string(),
            doctor_id: a.doctor_id.to_string(),
            requested_documents: a.requested_documents,
            created_date: format_rfc3339(a.created_date),
            is_coordinator: a.is_coordinator,
            active: a.active,
            has_opinion: a.opinion.is_some(),
        }
    }
}

/// A provider's assignment with the opinion itself, for the case's coordinator and administrators.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpinionView {
    #[serde(flatten)]
    pub sop: SopView,
    pub opinion: Option<String>,
    pub opinion_date: Option<String>,
}

impl From<Assignment> for OpinionView {
    fn from(a: Assignment) -> Self {
        let (opinion, opinion_date) = (a.opinion.clone(), a.opinion_date.map(format_rfc3339));
        Self {
            sop: SopView::from(a),
            opinion,
            opinion_date,
        }
    }
}

/// A payment as administrators and patients see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentView {
    #[schema(format = Uuid)]
    pub payment_id: String,
    /// The hosted payment page.
    pub url: String,
    /// In major units of `currency`.
    #[schema(value_type = f64)]
    pub amount: Price,
    pub currency: String,
    /// `pending` or `paid`.
    pub status: &'static str,
    pub created_date: String,
    pub paid_date: Option<String>,
}

impl From<Payment> for PaymentView {
    fn from(p: Payment) -> Self {
        Self {
            payment_id: p.id.to_string(),
            url: p.url,
            amount: Price(p.amount),
            currency: p.amount.currency().to_string(),
            status: p.status.as_str(),
            created_date: format_rfc3339(p.created_date),
            paid_date: p.paid_date.map(format_rfc3339),
        }
    }
}

/// A provider as administrators manage them.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderView {
    pub doctor_id: String,
    pub name_en: String,
    pub name_ar: String,
    pub speciality_en: String,
    pub speciality_ar: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// `en` or `ar`: the language of their notifications.
    pub lang: &'static str,
    pub active: bool,
    pub created_date: String,
    pub updated_date: String,
}

impl From<Provider> for ProviderView {
    fn from(p: Provider) -> Self {
        Self {
            doctor_id: p.id.to_string(),
            name_en: p.name_en,
            name_ar: p.name_ar,
            speciality_en: p.speciality_en,
            speciality_ar: p.speciality_ar,
            email: p.email,
            phone: p.phone,
            lang: p.lang.as_str(),
            active: p.active,
            created_date: format_rfc3339(p.created_date),
            updated_date: format_rfc3339(p.updated_date),
        }
    }
}

/// A provider in a picker (eligible coordinators or specialists), in the caller's language.
#[derive(Debug, Serialize, ToSchema)]
pub struct EligibleView {
    pub doctor_id: String,
    pub name: String,
    pub speciality: String,
}

impl From<Provider> for EligibleView {
    fn from(p: Provider) -> Self {
        let lang = lang();
        Self {
            doctor_id: p.id.to_string(),
            name: p.name_in(lang).to_owned(),
            speciality: lang.pick(&p.speciality_en, &p.speciality_ar).to_owned(),
        }
    }
}

/// The case's coordinator, as the patient reaches them.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoordinatorView {
    pub doctor_id: String,
    /// In the caller's language.
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl From<Provider> for CoordinatorView {
    fn from(p: Provider) -> Self {
        Self {
            doctor_id: p.id.to_string(),
            name: p.name_in(lang()).to_owned(),
            email: p.email,
            phone: p.phone,
        }
    }
}

/// A request for documents the patient has yet to answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentRequestView {
    /// Answer it with `/app/answer-document-request` and this id.
    #[schema(format = Uuid)]
    pub sop_id: String,
    /// Who asked, in the caller's language.
    pub doctor_name: String,
    pub documents: Vec<String>,
    pub requested_date: Option<String>,
}

impl From<DocumentRequest> for DocumentRequestView {
    fn from(r: DocumentRequest) -> Self {
        Self {
            sop_id: r.assignment.id.to_string(),
            doctor_name: r.doctor.name_in(lang()).to_owned(),
            documents: r.assignment.requested_documents,
            requested_date: r.assignment.requested_date.map(format_rfc3339),
        }
    }
}

/// When the doctors' review should be done.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewWindowView {
    pub from: String,
    pub to: String,
}

impl From<ReviewWindow> for ReviewWindowView {
    fn from(w: ReviewWindow) -> Self {
        Self {
            from: format_rfc3339(w.from),
            to: format_rfc3339(w.to),
        }
    }
}

/// What a sync did.
#[derive(Debug, Serialize, ToSchema)]
pub struct SyncView {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
}

impl From<SyncReport> for SyncView {
    fn from(r: SyncReport) -> Self {
        Self {
            created: r.created,
            updated: r.updated,
            unchanged: r.unchanged,
        }
    }
}
