use domain::Error;
use domain::declarations::{
    DataToBeSigned, DeclarationId, DeclarationRequestId, DeclarationRequestStatus, DivisionId,
    EmployeeId, EmployeeType, LegalEntityId, PersonId, SignedDivision, SignedEmployee,
    SignedLegalEntity, SignedPerson,
};
use domain::kernel::ids::ActorId;
use time::macros::{date, datetime};
use uuid::Uuid;

use super::*;

fn uuid(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn parent_id() -> DeclarationId {
    DeclarationId::from_uuid(uuid(0xba))
}

/// A `NEW` request authenticated by `method`, with its document.
fn request(method: AuthenticationMethod) -> DeclarationRequest {
    let declaration_id = DeclarationId::from_uuid(uuid(0xdc1));
    let person_id = PersonId::from_uuid(uuid(0x9e));
    let employee_id = EmployeeId::from_uuid(uuid(0xe1));
    let division_id = DivisionId::from_uuid(uuid(0xd1));
    let legal_entity_id = LegalEntityId::from_uuid(uuid(0x1e));
    DeclarationRequest {
        id: DeclarationRequestId::from_uuid(uuid(0x4e)),
        person_id,
        employee_id,
        division_id,
        legal_entity_id,
        start_date: date!(2026 - 11 - 24),
        parent_declaration_id: None,
        status: DeclarationRequestStatus::New,
        status_reason: None,
        authentication_method_current: Some(method.clone()),
        declaration_number: "0000-12E4-52A8".into(),
        declaration_id,
        data_to_be_signed: Some(DataToBeSigned {
            id: declaration_id,
            declaration_number: "0000-12E4-52A8".into(),
            start_date: date!(2026 - 11 - 24),
            person: SignedPerson {
                id: person_id,
                first_name: "Olena".into(),
                last_name: "Koval".into(),
                second_name: Some("Petrivna".into()),
                birth_date: date!(1990 - 04 - 17),
                tax_id: Some("3126509816".into()),
                phone_number: Some("+380503410870".into()),
                authentication_methods: vec![method],
                patient_signed: Some(true),
                process_disclosure_data_consent: Some(true),
            },
            employee: SignedEmployee {
                id: employee_id,
                employee_type: EmployeeType::Doctor,
                speciality: Some(Speciality::FamilyDoctor),
                first_name: "Ivan".into(),
                last_name: "Shevchenko".into(),
                second_name: None,
            },
            legal_entity: SignedLegalEntity {
                id: legal_entity_id,
                name: "Clinic No. 1".into(),
                short_name: None,
                edrpou: Some("38782323".into()),
            },
            division: SignedDivision {
                id: division_id,
                name: "Main building".into(),
            },
            parent_declaration_id: None,
            seed: None,
        }),
        printout_content: None,
        seed: None,
        is_shareable: false,
        documents: Vec::new(),
        inserted_at: datetime!(2026-11-23 22:30 UTC),
        inserted_by: ActorId::system(),
        updated_at: datetime!(2026-11-23 22:30 UTC),
        updated_by: ActorId::system(),
    }
}

/// A child's request: `NA`, a parent's declaration standing for the child.
fn for_child() -> DeclarationRequest {
    let mut request = request(AuthenticationMethod::Na);
    request.parent_declaration_id = Some(parent_id());
    if let Some(data) = request.data_to_be_signed.as_mut() {
        data.parent_declaration_id = Some(parent_id());
        data.person.patient_signed = None;
        data.person.process_disclosure_data_consent = None;
    }
    request
}

fn render(request: &DeclarationRequest) -> String {
    HtmlPrintout::new().render(request, Lang::En).unwrap()
}

#[test]
fn every_field_is_printed() {
    let html = render(&request(AuthenticationMethod::Otp {
        phone_number: "+380503410870".into(),
    }));
    for (what, expected) in [
        ("doctype", "<!DOCTYPE html>"),
        ("language", "<html lang=\"en\">"),
        ("charset", "<meta charset=\"utf-8\">"),
        ("title", "<h1>Declaration of the choice of a doctor</h1>"),
        (
            "number",
            "<th scope=\"row\">Declaration number</th><td>0000-12E4-52A8</td>",
        ),
        (
            "request date",
            "<th scope=\"row\">Request date</th><td>2026-11-23</td>",
        ),
        (
            "start date",
            "<th scope=\"row\">Start date</th><td>2026-11-24</td>",
        ),
        (
            "person",
            "<th scope=\"row\">Patient</th><td>Koval Olena Petrivna</td>",
        ),
        (
            "birth date",
            "<th scope=\"row\">Date of birth</th><td>1990-04-17</td>",
        ),
        (
            "doctor",
            "<th scope=\"row\">Doctor</th><td>Shevchenko Ivan</td>",
        ),
        (
            "speciality",
            "<th scope=\"row\">Speciality</th><td>Family doctor</td>",
        ),
        ("legal entity", "<td>Clinic No. 1</td>"),
        (
            "edrpou",
            "<th scope=\"row\">EDRPOU code</th><td>38782323</td>",
        ),
        (
            "division",
            "<th scope=\"row\">Division</th><td>Main building</td>",
        ),
        ("method", "<td>SMS code to +380503410870</td>"),
    ] {
        assert!(html.contains(expected), "{what}: {expected} not in\n{html}");
    }
    assert!(!html.contains("Parent&#39;s declaration"), "{html}");
    assert!(!html.contains("class=\"child\""), "{html}");
    assert!(html.ends_with("</html>\n"));
}

#[test]
fn every_method_is_named() {
    let offline = render(&request(AuthenticationMethod::Offline));
    assert!(
        offline.contains("<td>Documents shown on paper</td>"),
        "{offline}"
    );
    let mut wiped = request(AuthenticationMethod::Offline);
    wiped.authentication_method_current = None;
    assert!(render(&wiped).contains("Authentication method</th><td>—</td>"));
}

#[test]
fn a_child_s_request_says_the_parent_s_declaration_stands_for_it() {
    let html = render(&for_child());
    assert!(
        html.contains(&format!(
            "<th scope=\"row\">Parent&#39;s declaration</th><td>{}</td>",
            parent_id()
        )),
        "{html}"
    );
    assert!(
        html.contains(
            "<p class=\"child\">The patient is a child: the parent&#39;s declaration stands for \
             the child.</p>"
        ),
        "{html}"
    );
}

#[test]
fn a_parent_without_na_is_no_child_s_request() {
    let mut request = for_child();
    request.authentication_method_current = Some(AuthenticationMethod::Offline);
    let html = render(&request);
    assert!(!html.contains("class=\"child\""), "{html}");
}

#[test]
fn every_value_is_escaped() {
    let mut request = request(AuthenticationMethod::Offline);
    if let Some(data) = request.data_to_be_signed.as_mut() {
        data.person.first_name = "<script>alert(\"x\")</script>".into();
        data.person.second_name = Some("O'Brien & Sons".into());
        data.division.name = "<img src=x onerror=alert(1)>".into();
        data.legal_entity.name = "\"><b>".into();
        data.declaration_number = "</title><script>".into();
    }
    let html = render(&request);
    assert!(!html.contains("<script>"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("<b>"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
    assert!(html.contains("O&#39;Brien &amp; Sons"));
    assert!(html.contains(
        "<title>Declaration of the choice of a doctor &lt;/title&gt;&lt;script&gt;</title>"
    ));
}

#[test]
fn escape_covers_the_five_characters() {
    assert_eq!(escape("a<b>c&d\"e'f"), "a&lt;b&gt;c&amp;d&quot;e&#39;f");
    assert_eq!(escape("Олена — ок"), "Олена — ок");
}

#[test]
fn arabic_falls_back_to_english() {
    let request = request(AuthenticationMethod::Offline);
    let arabic = HtmlPrintout::new().render(&request, Lang::Ar).unwrap();
    assert_eq!(arabic, render(&request));
}

#[test]
fn a_request_without_its_document_is_an_internal_fault() {
    let mut request = request(AuthenticationMethod::Offline);
    request.data_to_be_signed = None;
    let answer = HtmlPrintout::new().render(&request, Lang::En);
    assert!(matches!(answer, Err(Error::Internal(_))), "{answer:?}");
}
