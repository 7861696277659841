//! The printout form: the declaration as the person reads and signs it on paper, rendered from the
//! document the doctor signs (`data_to_be_signed`), so that paper and signature say the same.
//!
//! A small self-contained HTML document (UTF-8, no external styles, scripts or images), every value
//! escaped. The words are in one table per language ([`EN`]); the eHealth surface is English, so
//! English is the only table and every language falls back to it, with `lang="en"` saying so.

use domain::declarations::{
    AuthenticationMethod, DeclarationRequest, PrintoutRenderer, Speciality,
};
use domain::kernel::lang::Lang;
use domain::kernel::text::escape_html as escape;
use domain::kernel::time::DATE_FORMAT;
use domain::{Cause, Error};
use time::{Date, UtcOffset};

/// The words of the printout in one language.
#[derive(Debug)]
struct Labels {
    /// The document's `lang` attribute (BCP 47).
    lang: &'static str,
    title: &'static str,
    declaration_number: &'static str,
    request_date: &'static str,
    start_date: &'static str,
    person: &'static str,
    birth_date: &'static str,
    doctor: &'static str,
    speciality: &'static str,
    legal_entity: &'static str,
    edrpou: &'static str,
    division: &'static str,
    authentication: &'static str,
    parent_declaration: &'static str,
    /// The line of a child's request, for whom a parent's declaration stands.
    child_note: &'static str,
    /// In place of a value the request does not have.
    none: &'static str,
    therapist: &'static str,
    pediatrician: &'static str,
    family_doctor: &'static str,
    otp: &'static str,
    offline: &'static str,
    na: &'static str,
}

/// English: the language of the eHealth surface.
const EN: Labels = Labels {
    lang: "en",
    title: "Declaration of the choice of a doctor",
    declaration_number: "Declaration number",
    request_date: "Request date",
    start_date: "Start date",
    person: "Patient",
    birth_date: "Date of birth",
    doctor: "Doctor",
    speciality: "Speciality",
    legal_entity: "Medical service provider",
    edrpou: "EDRPOU code",
    division: "Division",
    authentication: "Authentication method",
    parent_declaration: "Parent's declaration",
    child_note: "The patient is a child: the parent's declaration stands for the child.",
    none: "—",
    therapist: "Therapist",
    pediatrician: "Pediatrician",
    family_doctor: "Family doctor",
    otp: "SMS code to",
    offline: "Documents shown on paper",
    na: "None (a parent's declaration stands for the child)",
};

impl Labels {
    fn of(lang: Lang) -> &'static Labels {
        match lang {
            Lang::En => &EN,
            // No Arabic wording of the national form exists yet; the document says it is English.
            Lang::Ar => &EN,
        }
    }

    fn speciality(&self, speciality: Option<Speciality>) -> &'static str {
        match speciality {
            Some(Speciality::Therapist) => self.therapist,
            Some(Speciality::Pediatrician) => self.pediatrician,
            Some(Speciality::FamilyDoctor) => self.family_doctor,
            None => self.none,
        }
    }

    fn method(&self, method: Option<&AuthenticationMethod>) -> String {
        match method {
            Some(AuthenticationMethod::Otp { phone_number }) => {
                format!("{} {phone_number}", self.otp)
            }
            Some(AuthenticationMethod::Offline) => self.offline.to_owned(),
            Some(AuthenticationMethod::Na) => self.na.to_owned(),
            None => self.none.to_owned(),
        }
    }
}

/// Renders the printout form as HTML.
#[derive(Debug, Clone, Copy, Default)]
pub struct HtmlPrintout;

impl HtmlPrintout {
    pub fn new() -> Self {
        Self
    }
}

impl PrintoutRenderer for HtmlPrintout {
    fn render(&self, request: &DeclarationRequest, lang: Lang) -> domain::Result<String> {
        let data = request.data_to_be_signed.as_ref().ok_or_else(|| {
            // Only an expired request lost its document, and nothing renders an expired request.
            Error::internal(format!(
                "declaration request {} has no document to print",
                request.id
            ))
        })?;
        let words = Labels::of(lang);
        let (person, employee) = (&data.person, &data.employee);

        let mut rows = Rows::default();
        rows.add(words.declaration_number, &data.declaration_number);
        rows.add(
            words.request_date,
            &date(request.inserted_at.to_offset(UtcOffset::UTC).date())?,
        );
        rows.add(words.start_date, &date(data.start_date)?);
        rows.add(
            words.person,
            &full_name(
                &person.last_name,
                &person.first_name,
                person.second_name.as_deref(),
            ),
        );
        rows.add(words.birth_date, &date(person.birth_date)?);
        rows.add(
            words.doctor,
            &full_name(
                &employee.last_name,
                &employee.first_name,
                employee.second_name.as_deref(),
            ),
        );
        rows.add(words.speciality, words.speciality(employee.speciality));
        rows.add(words.legal_entity, &data.legal_entity.name);
        rows.add(
            words.edrpou,
            data.legal_entity.edrpou.as_deref().unwrap_or(words.none),
        );
        rows.add(words.division, &data.division.name);
        rows.add(
            words.authentication,
            &words.method(request.authentication_method_current.as_ref()),
        );
        // A child's request: no method of its own, a parent's declaration in its place.
        let parent = match (
            &request.authentication_method_current,
            data.parent_declaration_id,
        ) {
            (Some(AuthenticationMethod::Na), Some(parent)) => Some(parent),
            _ => None,
        };
        if let Some(parent) = parent {
            rows.add(words.parent_declaration, &parent.to_string());
        }

        let mut html = String::with_capacity(2048);
        html.push_str("<!DOCTYPE html>\n<html lang=\"");
        html.push_str(&escape(words.lang));
        html.push_str("\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
        html.push_str(&escape(words.title));
        html.push(' ');
        html.push_str(&escape(&data.declaration_number));
        html.push_str("</title>\n<style>");
        html.push_str(STYLE);
        html.push_str("</style>\n</head>\n<body>\n<h1>");
        html.push_str(&escape(words.title));
        html.push_str("</h1>\n<table>\n");
        html.push_str(&rows.html);
        html.push_str("</table>\n");
        if parent.is_some() {
            html.push_str("<p class=\"child\">");
            html.push_str(&escape(words.child_note));
            html.push_str("</p>\n");
        }
        html.push_str("</body>\n</html>\n");
        Ok(html)
    }
}

/// Enough to read on screen and paper; inline, so the document needs nothing else.
const STYLE: &str = "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}\
th,td{text-align:start;padding:.25em 1em .25em 0;vertical-align:top}\
.child{font-weight:bold}";

/// The table's rows, every label and value escaped as it is added.
#[derive(Default)]
struct Rows {
    html: String,
}

impl Rows {
    fn add(&mut self, label: &str, value: &str) {
        self.html.push_str("<tr><th scope=\"row\">");
        self.html.push_str(&escape(label));
        self.html.push_str("</th><td>");
        self.html.push_str(&escape(value));
        self.html.push_str("</td></tr>\n");
    }
}

/// Names in the national order: last, first, second.
fn full_name(last: &str, first: &str, second: Option<&str>) -> String {
    [Some(last), Some(first), second]
        .into_iter()
        .flatten()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn date(day: Date) -> domain::Result<String> {
    day.format(DATE_FORMAT)
        .map_err(|e| Error::Internal(Cause::with_source("cannot format a printout date", e)))
}

#[cfg(test)]
mod tests;
