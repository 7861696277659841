//! What the eHealth surface answers: declaration requests, upload links and declarations.

use domain::declarations as d;
use domain::kernel::code::Code;
use domain::kernel::time::{format_date, format_rfc3339};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};

fn iso_date(date: time::Date) -> String {
    format_date(date)
}

/// How the person confirms the request.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthenticationMethodView {
    #[serde(rename = "type")]
    #[schema(rename = "type", schema_with = method_type_schema)]
    pub kind: &'static str,
}

/// A string, one of `codes`.
fn codes_schema(codes: &[&'static str]) -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(codes.to_vec()))
            .build(),
    )
}

fn method_type_schema() -> Schema {
    codes_schema(&d::AuthenticationMethodType::codes())
}

fn request_status_schema() -> Schema {
    codes_schema(&d::DeclarationRequestStatus::codes())
}

/// One of the reasons, or `null` while the request has none.
fn status_reason_schema() -> Schema {
    let mut codes: Vec<Option<&'static str>> =
        d::StatusReason::codes().iter().copied().map(Some).collect();
    codes.push(None);
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
            .enum_values(Some(codes))
            .build(),
    )
}

fn declaration_status_schema() -> Schema {
    codes_schema(&d::DeclarationStatus::codes())
}

/// A declaration request. The verification code is never part of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeclarationRequestView {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(schema_with = request_status_schema)]
    pub status: &'static str,
    #[schema(schema_with = status_reason_schema)]
    pub status_reason: Option<&'static str>,
    #[schema(format = Uuid)]
    pub person_id: String,
    #[schema(format = Uuid)]
    pub employee_id: String,
    #[schema(format = Uuid)]
    pub division_id: String,
    #[schema(format = Uuid)]
    pub legal_entity_id: String,
    #[schema(format = Date)]
    pub start_date: String,
    #[schema(format = Uuid, nullable)]
    pub parent_declaration_id: Option<String>,
    /// `null` once the request expired (its personal data is wiped).
    #[schema(nullable)]
    pub authentication_method_current: Option<AuthenticationMethodView>,
    pub declaration_number: String,
    /// The declaration signing creates.
    #[schema(format = Uuid)]
    pub declaration_id: String,
    /// The document the doctor signs; `null` once the request expired.
    #[schema(value_type = Option<Object>)]
    pub data_to_be_signed: Option<Value>,
    /// The printout form (HTML).
    #[schema(nullable)]
    pub printout_content: Option<String>,
    /// The declarations chain's hash the signature covers, from approval on.
    #[schema(nullable)]
    pub seed: Option<String>,
    /// The documents an `OFFLINE` person uploads.
    pub documents: Vec<String>,
    #[schema(format = DateTime)]
    pub inserted_at: String,
    pub inserted_by: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    pub updated_by: String,
}

impl From<d::DeclarationRequest> for DeclarationRequestView {
    fn from(r: d::DeclarationRequest) -> Self {
        Self {
            id: r.id.to_string(),
            status: r.status.as_str(),
            status_reason: r.status_reason.map(Code::as_str),
            person_id: r.person_id.to_string(),
            employee_id: r.employee_id.to_string(),
            division_id: r.division_id.to_string(),
            legal_entity_id: r.legal_entity_id.to_string(),
            start_date: iso_date(r.start_date),
            parent_declaration_id: r.parent_declaration_id.map(|p| p.to_string()),
            authentication_method_current: r.authentication_method_current.map(|m| {
                AuthenticationMethodView {
                    kind: m.kind().as_str(),
                }
            }),
            declaration_number: r.declaration_number,
            declaration_id: r.declaration_id.to_string(),
            data_to_be_signed: r.data_to_be_signed.map(|data| data.to_json()),
            printout_content: r.printout_content,
            seed: r.seed,
            documents: r.documents.iter().map(|t| t.as_str().to_owned()).collect(),
            inserted_at: format_rfc3339(r.inserted_at),
            inserted_by: r.inserted_by.as_str().to_owned(),
            updated_at: format_rfc3339(r.updated_at),
            updated_by: r.updated_by.as_str().to_owned(),
        }
    }
}

/// Where one document's scan is uploaded: `PUT` the file to `url`, no token.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadLinkView {
    /// The document: `person.tax_id` or `person.no_tax_id`, then identity documents (`PASSPORT`).
    #[serde(rename = "type")]
    #[schema(rename = "type", example = "PASSPORT")]
    pub document_type: String,
    /// Absolute, signed, expiring.
    #[schema(pattern = r"^https?://[^\u0000-\u0020]+$")]
    pub url: String,
}

/// What the person must do next: `OFFLINE` requests list the documents to upload.
#[derive(Debug, Serialize, ToSchema)]
pub struct UrgentView {
    pub documents: Vec<UploadLinkView>,
}

/// A declaration: a person's choice of a doctor.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeclarationView {
    #[schema(format = Uuid)]
    pub id: String,
    pub declaration_number: String,
    #[schema(format = Uuid)]
    pub person_id: String,
    #[schema(format = Uuid)]
    pub employee_id: String,
    #[schema(format = Uuid)]
    pub legal_entity_id: String,
    #[schema(format = Uuid, nullable)]
    pub division_id: Option<String>,
    #[schema(schema_with = declaration_status_schema)]
    pub status: &'static str,
    /// Why it ended (`auto_reorganization`), once terminated.
    #[schema(nullable)]
    pub reason: Option<String>,
    #[schema(format = Date)]
    pub start_date: String,
    #[schema(format = Uuid, nullable)]
    pub declaration_request_id: Option<String>,
}

impl From<d::Declaration> for DeclarationView {
    fn from(x: d::Declaration) -> Self {
        Self {
            id: x.id.to_string(),
            declaration_number: x.declaration_number,
            person_id: x.person_id.to_string(),
            employee_id: x.employee_id.to_string(),
            legal_entity_id: x.legal_entity_id.to_string(),
            division_id: x.division_id.map(|v| v.to_string()),
            status: x.status.as_str(),
            reason: x.reason,
            start_date: iso_date(x.start_date),
            declaration_request_id: x.declaration_request_id.map(|v| v.to_string()),
        }
    }
}
