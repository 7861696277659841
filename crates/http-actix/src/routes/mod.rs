//! Route tables, one module per surface, and the one list of every route.
//!
//! Each handler carries its OpenAPI description (`#[utoipa::path]`, which also names its method and
//! path). [`all`] lists every handler once, through [`route!`]; from that list the server registers
//! the routes, the OpenAPI document is built, and the tests walk every secured route. So a route
//! cannot be served without being documented, or documented without being served.

pub mod admin;
pub mod admin_cases;
pub mod admin_categories;
pub mod app;
pub mod app_flow;
pub mod cases;
pub mod clinic_appointments;
pub mod clinic_audit;
pub mod clinic_auth;
pub mod clinic_bodies;
pub mod clinic_dicom;
pub mod clinic_documents;
pub mod clinic_events;
pub mod clinic_imaging;
pub mod clinic_imaging_views;
pub mod clinic_params;
pub mod clinic_patients;
pub mod clinic_report_bodies;
pub mod clinic_reports;
pub mod clinic_staff;
pub mod clinic_staff_bodies;
pub mod clinic_views;
pub mod declaration_bodies;
pub mod declaration_views;
pub mod declarations;
pub mod dicomweb;
pub mod dicomweb_retrieve;
pub mod dicomweb_stow;
pub mod dicomweb_wado;
pub mod documents;
pub mod files;
pub mod health;
pub mod operations;
pub mod payments;
pub mod pro;
pub mod providers;
pub mod uploads;
pub mod views;
pub mod wire;

use std::collections::BTreeMap;

use actix_web::http::header::{ALLOW, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{FromRequest, Handler, HttpRequest, HttpResponse, Responder, ResponseError, web};
use domain::kernel::text::{Key, Text};
use utoipa::openapi::RefOr;
use utoipa::openapi::path::{HttpMethod, Operation};
use utoipa::openapi::schema::Schema;

use crate::error::ApiError;
use crate::surface::{EnvelopeKind, Surface};

/// Collects the schemas an operation refers to.
type SchemaCollector = fn(&mut Vec<(String, RefOr<Schema>)>);

/// One operation: its method and path, its OpenAPI description, and how to serve it.
pub struct RouteDef {
    pub method: Method,
    pub path: String,
    pub operation: Operation,
    /// The envelope its answers are in.
    pub envelope: EnvelopeKind,
    /// Where actix serves it when that differs from the documented path (a parameter that spans
    /// several segments).
    served_at: Option<&'static str>,
    /// The clinic action the route takes (see [`RouteDef::action`]).
    action: Option<domain::clinic::Action>,
    schemas: SchemaCollector,
    route: fn() -> actix_web::Route,
    not_allowed: fn() -> actix_web::Route,
}

impl std::fmt::Debug for RouteDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouteDef")
            .field("method", &self.method)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn method_of(method: &HttpMethod) -> Method {
    match method {
        HttpMethod::Get => Method::GET,
        HttpMethod::Post => Method::POST,
        HttpMethod::Put => Method::PUT,
        HttpMethod::Delete => Method::DELETE,
        HttpMethod::Options => Method::OPTIONS,
        HttpMethod::Head => Method::HEAD,
        HttpMethod::Patch => Method::PATCH,
        HttpMethod::Trace => Method::TRACE,
    }
}

impl RouteDef {
    /// The operation `P` describes (method and path included), served by `route` on surface `S`.
    pub fn new<S, P>(route: fn() -> actix_web::Route) -> RouteDef
    where
        S: Surface,
        P: utoipa::Path + utoipa::__dev::SchemaReferences + for<'t> utoipa::__dev::Tags<'t>,
    {
        let method = P::methods().first().map(method_of).unwrap_or(Method::GET);
        // The handler's `tag` is kept apart from its operation until a document is assembled.
        let mut operation = P::operation();
        let tags = operation.tags.get_or_insert_with(Vec::new);
        for tag in <P as utoipa::__dev::Tags>::tags() {
            if !tags.iter().any(|t| t == tag) {
                tags.push(tag.to_owned());
            }
        }
        RouteDef {
            method,
            path: P::path(),
            operation,
            envelope: S::ENVELOPE,
            served_at: None,
            action: None,
            schemas: P::schemas,
            route,
            not_allowed: || web::to(method_not_allowed::<S>),
        }
    }

    /// A clinic route taking `action`: its documented security names the roles the policy allows,
    /// so the document cannot say other than the guard does.
    pub(crate) fn action(mut self, action: domain::clinic::Action) -> Self {
        let roles: Vec<String> = action
            .roles()
            .iter()
            .map(|r| domain::kernel::code::Code::as_str(*r).to_owned())
            .collect();
        let requirement = utoipa::openapi::security::SecurityRequirement::new("token", roles);
        self.operation.security = Some(vec![requirement]);
        self.action = Some(action);
        self
    }

    /// The clinic action the route takes, if it is a clinic route.
    pub fn clinic_action(&self) -> Option<domain::clinic::Action> {
        self.action
    }

    /// Served by actix at `path` (an actix path pattern such as `/uploads/{key:.+}`) rather than
    /// at the documented path.
    pub(crate) fn served_at(mut self, path: &'static str) -> Self {
        self.served_at = Some(path);
        self
    }

    /// Whether the operation asks for a token.
    pub fn secured(&self) -> bool {
        self.operation
            .security
            .as_ref()
            .is_some_and(|s| !s.is_empty())
    }

    /// The schemas the operation refers to.
    pub fn schemas(&self, out: &mut Vec<(String, RefOr<Schema>)>) {
        (self.schemas)(out)
    }
}

/// A route for `handler` restricted to `method`, for [`RouteDef::new`].
pub(crate) fn handle<F, Args>(method: Method, handler: F) -> actix_web::Route
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    web::method(method).to(handler)
}

/// `route!(Surface, module::handler)`: the [`RouteDef`] of a handler annotated with
/// `#[utoipa::path]`, whose method and path come from that annotation.
macro_rules! route {
    ($surface:ty, $module:ident :: $handler:ident) => {
        pastey::paste! {
            $crate::routes::RouteDef::new::<$surface, $module::[<__path_ $handler>]>(|| {
                let method = <$module::[<__path_ $handler>] as utoipa::Path>::methods()
                    .first()
                    .map($crate::routes::method_from)
                    .unwrap_or(actix_web::http::Method::GET);
                $crate::routes::handle(method, $module::$handler)
            })
        }
    };
}

/// The actix method of an OpenAPI one.
pub(crate) fn method_from(method: &HttpMethod) -> Method {
    method_of(method)
}

/// The OpenAPI method of an actix one.
pub(crate) fn http_method(method: &Method) -> HttpMethod {
    match *method {
        Method::POST => HttpMethod::Post,
        Method::PUT => HttpMethod::Put,
        Method::DELETE => HttpMethod::Delete,
        Method::PATCH => HttpMethod::Patch,
        Method::HEAD => HttpMethod::Head,
        Method::OPTIONS => HttpMethod::Options,
        Method::TRACE => HttpMethod::Trace,
        _ => HttpMethod::Get,
    }
}

/// Every route of the API, in registration order.
pub fn all() -> Vec<RouteDef> {
    use crate::surface::{Admin, App, Clinic, Ehealth, Pro};
    use domain::clinic::Action;
    vec![
        route!(App, health::healthz),
        route!(App, health::readyz),
        route!(App, app::how),
        route!(App, app::review_types),
        route!(App, app::disease_categories),
        route!(App, cases::save_review_case),
        route!(App, cases::update_review_case),
        route!(App, cases::review_cases),
        route!(App, app_flow::review_case_details),
        route!(App, cases::add_medical_documents),
        route!(App, documents::upload_medical_document),
        route!(App, files::file).served_at(files::SERVED_AT),
        route!(App, app_flow::answer_document_request),
        route!(App, app_flow::review_report),
        route!(App, cases::contact_details),
        route!(App, cases::update_contact_details),
        route!(Admin, operations::process_draft_notifications),
        route!(Admin, operations::notifications),
        route!(Admin, operations::retry_notification),
        route!(Admin, operations::verify_declaration_chain),
        route!(Admin, admin::list_review_types),
        route!(Admin, admin::review_type_details),
        route!(Admin, admin::create_review_type),
        route!(Admin, admin::update_review_type),
        route!(Admin, admin::activate_review_type),
        route!(Admin, admin::deactivate_review_type),
        route!(Admin, admin_categories::list_disease_categories),
        route!(Admin, admin_categories::disease_category_details),
        route!(Admin, admin_categories::create_disease_category),
        route!(Admin, admin_categories::update_disease_category),
        route!(Admin, admin_categories::activate_disease_category),
        route!(Admin, admin_categories::deactivate_disease_category),
        route!(Admin, admin_cases::review_cases),
        route!(Admin, admin_cases::review_case_details),
        route!(Admin, admin_cases::eligible_coordinators),
        route!(Admin, admin_cases::eligible_doctors),
        route!(Admin, admin_cases::assign_coordinator),
        route!(Admin, admin_cases::reject_case),
        route!(Admin, admin_cases::confirm_payment),
        route!(Admin, providers::providers),
        route!(Admin, providers::provider_details),
        route!(Admin, providers::create_provider),
        route!(Admin, providers::update_provider),
        route!(Admin, providers::activate_provider),
        route!(Admin, providers::deactivate_provider),
        route!(Admin, providers::sync_providers),
        route!(Admin, providers::set_coordinator_category),
        route!(Admin, providers::set_specialist_category),
        route!(Pro, pro::sops),
        route!(Pro, pro::review_case_details),
        route!(Pro, pro::case_timeline),
        route!(Pro, pro::eligible_doctors),
        route!(Pro, pro::assign_doctor),
        route!(Pro, pro::request_documents),
        route!(Pro, pro::submit_opinion),
        route!(Pro, pro::submit_summary),
        route!(App, payments::webhook),
        route!(Ehealth, declarations::create),
        route!(Ehealth, declarations::list),
        route!(Ehealth, declarations::show),
        route!(Ehealth, declarations::approve),
        route!(Ehealth, declarations::reject),
        route!(Ehealth, declarations::resend_otp),
        route!(Ehealth, declarations::sign),
        route!(Ehealth, declarations::declaration),
        route!(Ehealth, uploads::upload).served_at(uploads::SERVED_AT),
        // Clinic: staff accounts and sign-in.
        route!(Clinic, clinic_auth::login),
        route!(Clinic, clinic_auth::logout).action(Action::OwnSession),
        route!(Clinic, clinic_auth::me).action(Action::OwnSession),
        route!(Clinic, clinic_staff::list).action(Action::OwnSession),
        route!(Clinic, clinic_staff::show).action(Action::StaffProfile),
        route!(Clinic, clinic_staff::create).action(Action::ManageStaff),
        route!(Clinic, clinic_staff::update).action(Action::StaffProfile),
        route!(Clinic, clinic_staff::password).action(Action::OwnPassword),
        route!(Clinic, clinic_staff::deactivate).action(Action::ManageStaff),
        // Clinic: patients and appointments.
        route!(Clinic, clinic_patients::list_patients).action(Action::ReadPatients),
        route!(Clinic, clinic_patients::search_patients).action(Action::ReadPatients),
        route!(Clinic, clinic_patients::get_patient).action(Action::ReadPatients),
        route!(Clinic, clinic_patients::create_patient).action(Action::CreatePatient),
        route!(Clinic, clinic_patients::update_patient).action(Action::UpdatePatient),
        route!(Clinic, clinic_patients::delete_patient).action(Action::DeletePatient),
        route!(Clinic, clinic_appointments::list_appointments).action(Action::ReadAppointments),
        route!(Clinic, clinic_appointments::get_appointment).action(Action::ReadAppointments),
        route!(Clinic, clinic_appointments::create_appointment).action(Action::CreateAppointment),
        route!(Clinic, clinic_appointments::update_appointment).action(Action::UpdateAppointment),
        route!(Clinic, clinic_appointments::change_appointment_status)
            .action(Action::ChangeAppointmentStatus),
        route!(Clinic, clinic_appointments::cancel_appointment).action(Action::CancelAppointment),
        route!(Clinic, clinic_appointments::schedule_appointments)
            .action(Action::ScheduleAppointments),
        // Clinic: reports, the audit log, events.
        route!(Clinic, clinic_events::events).action(Action::OwnSession),
        route!(Clinic, clinic_reports::list).action(Action::ReadReports),
        route!(Clinic, clinic_reports::show).action(Action::ReadReports),
        route!(Clinic, clinic_reports::create).action(Action::WriteReports),
        route!(Clinic, clinic_reports::update).action(Action::WriteReports),
        route!(Clinic, clinic_reports::finalize).action(Action::WriteReports),
        route!(Clinic, clinic_reports::delete).action(Action::WriteReports),
        route!(Clinic, clinic_reports::pdf).action(Action::ReportPdf),
        route!(Clinic, clinic_audit::list).action(Action::ReadAudit),
        // Clinic: imaging.
        route!(Clinic, clinic_imaging::list_studies).action(Action::ViewImages),
        route!(Clinic, clinic_imaging::get_study).action(Action::ViewImages),
        route!(Clinic, clinic_imaging::study_images).action(Action::ViewImages),
        route!(Clinic, clinic_imaging::delete_study).action(Action::DeleteStudy),
        route!(Clinic, clinic_imaging::get_image).action(Action::ViewImages),
        route!(Clinic, clinic_imaging::thumbnail).action(Action::ViewImages),
        route!(Clinic, clinic_imaging::download).action(Action::DownloadImages),
        route!(Clinic, clinic_dicom::receive).action(Action::ReceiveImages),
        route!(Clinic, clinic_dicom::send_worklist).action(Action::SendWorklist),
        // Clinic: documents.
        route!(Clinic, clinic_documents::upload).action(Action::UploadDocuments),
        route!(Clinic, clinic_documents::list).action(Action::ReadDocuments),
        route!(Clinic, clinic_documents::show).action(Action::ReadDocuments),
        route!(Clinic, clinic_documents::download).action(Action::ReadDocuments),
        route!(Clinic, clinic_documents::delete).action(Action::DeleteDocuments),
        // Clinic: DICOMweb.
        route!(Clinic, dicomweb::studies).action(Action::ViewImages),
        route!(Clinic, dicomweb::all_series).action(Action::ViewImages),
        route!(Clinic, dicomweb::study_series).action(Action::ViewImages),
        route!(Clinic, dicomweb::all_instances).action(Action::ViewImages),
        route!(Clinic, dicomweb::study_instances).action(Action::ViewImages),
        route!(Clinic, dicomweb::series_instances).action(Action::ViewImages),
        route!(Clinic, dicomweb::study_metadata).action(Action::ViewImages),
        route!(Clinic, dicomweb::series_metadata).action(Action::ViewImages),
        route!(Clinic, dicomweb::instance_metadata).action(Action::ViewImages),
        route!(Clinic, dicomweb_wado::frames).action(Action::ViewImages),
        route!(Clinic, dicomweb_wado::bulkdata).action(Action::ViewImages),
        route!(Clinic, dicomweb_wado::instance_rendered).action(Action::ViewImages),
        route!(Clinic, dicomweb_wado::frame_rendered).action(Action::ViewImages),
        route!(Clinic, dicomweb_wado::thumbnail).action(Action::ViewImages),
        route!(Clinic, dicomweb_retrieve::retrieve_study).action(Action::DownloadImages),
        route!(Clinic, dicomweb_retrieve::retrieve_series).action(Action::DownloadImages),
        route!(Clinic, dicomweb_retrieve::retrieve_instance).action(Action::DownloadImages),
        route!(Clinic, dicomweb_stow::store).action(Action::ReceiveImages),
        route!(Clinic, dicomweb_stow::store_in_study).action(Action::ReceiveImages),
    ]
}

/// Registers every route: one resource per path, answering its methods, and 405 with `Allow` for
/// any other method, in its surface's envelope.
pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    let mut by_path: BTreeMap<String, Vec<RouteDef>> = BTreeMap::new();
    for def in all() {
        let path = def
            .served_at
            .map_or_else(|| def.path.clone(), str::to_owned);
        by_path.entry(path).or_default().push(def);
    }
    for (path, defs) in by_path {
        let allowed: Vec<&str> = defs.iter().map(|d| d.method.as_str()).collect();
        let allow = allowed.join(", ");
        let not_allowed = defs.first().map(|d| (d.not_allowed)());
        let mut resource = web::resource(path.as_str()).app_data(web::Data::new(Allowed(allow)));
        for def in &defs {
            resource = resource.route((def.route)());
        }
        if let Some(not_allowed) = not_allowed {
            resource = resource.default_service(not_allowed);
        }
        cfg.service(resource);
    }
}

/// The methods a resource answers, for its 405s.
#[derive(Debug)]
struct Allowed(String);

async fn method_not_allowed<S: Surface>(req: HttpRequest) -> HttpResponse {
    let allowed = req
        .app_data::<web::Data<Allowed>>()
        .map(|a| a.0.clone())
        .unwrap_or_else(|| "POST".to_owned());
    let text = Text::new(Key::MethodNotAllowed)
        .with("method", req.method().as_str())
        .with("path", req.path())
        .with("allowed", allowed.clone());
    let mut response = ApiError::<S>::new(StatusCode::METHOD_NOT_ALLOWED, text).error_response();
    if let Ok(value) = HeaderValue::from_str(&allowed) {
        response.headers_mut().insert(ALLOW, value);
    }
    response
}

/// Unknown routes under a surface's mount.
pub(crate) async fn not_found<S: Surface>(req: HttpRequest) -> HttpResponse {
    let text = Text::new(Key::NoRoute)
        .with("method", req.method().as_str())
        .with("path", req.path());
    ApiError::<S>::new(StatusCode::NOT_FOUND, text).error_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The clinic routes that take no token.
    const OPEN_CLINIC_ROUTES: &[&str] = &["/api/auth/login"];

    #[test]
    fn every_clinic_route_names_its_action_and_documents_its_roles() {
        for def in all() {
            if !def.path.starts_with("/api/") || def.path.starts_with("/api/v3") {
                continue;
            }
            if OPEN_CLINIC_ROUTES.contains(&def.path.as_str()) {
                assert!(!def.secured(), "{} takes no token", def.path);
                continue;
            }
            let action = def
                .clinic_action()
                .unwrap_or_else(|| panic!("{} {} names no clinic action", def.method, def.path));
            let documented: Vec<String> = def
                .operation
                .security
                .iter()
                .flatten()
                .filter_map(|r| serde_json::to_value(r).ok())
                .filter_map(|r| r["token"].as_array().cloned())
                .flatten()
                .filter_map(|r| r.as_str().map(str::to_owned))
                .collect();
            let policy: Vec<String> = action
                .roles()
                .iter()
                .map(|r| domain::kernel::code::Code::as_str(*r).to_owned())
                .collect();
            assert_eq!(documented, policy, "{} {}", def.method, def.path);
        }
    }
}
