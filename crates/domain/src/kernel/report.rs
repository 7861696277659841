//! Printable reports (the second opinion's final report, the clinic's imaging reports): what they
//! say, laid out by a [`ReportRenderer`] adapter into a PDF.
//!
//! A report is data, not markup: labels are [`Text`]s the renderer puts into the report's language,
//! values are the user's or the platform's own strings, inserted as they are (never interpreted).

use super::lang::Lang;
use super::text::Text;
use crate::Result;

/// One labelled value in a report's header table: "Review type: Standard Review".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub label: Text,
    pub value: FactValue,
}

/// A fact's value: a string inserted as it is (a name, an id, a date), or words the renderer puts
/// into the report's language like the labels (the patient's sex and age).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FactValue {
    Plain(String),
    Text(Text),
}

/// A table in a report (measurements): a heading row and rows of cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub columns: Vec<Text>,
    pub rows: Vec<Vec<String>>,
}

/// A titled part of a report: paragraphs (a doctor's opinion, a summary) and optional tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub heading: Text,
    /// Under the heading, e.g. the doctor's name and the date of their opinion.
    pub byline: Option<String>,
    pub paragraphs: Vec<String>,
    pub tables: Vec<Table>,
}

/// A whole report, in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportDocument {
    pub lang: Lang,
    /// Who issues it: the platform's or the clinic's name.
    pub issuer: String,
    pub title: Text,
    pub facts: Vec<Fact>,
    pub sections: Vec<Section>,
    /// A closing line: when and by whom it was generated.
    pub footer: Option<Text>,
}

/// Lays a report out as a PDF.
///
/// Contract: `render` MUST return a complete PDF (starting `%PDF-`) with every font embedded; in
/// Arabic, text runs right to left with joined letters and numbers, ids and dates keep their order;
/// the text MUST be extractable (a search in the PDF finds the words). Values are text, never
/// markup. It runs for a few milliseconds of CPU: callers run it off async workers.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait ReportRenderer: Send + Sync {
    fn render(&self, report: &ReportDocument) -> Result<Vec<u8>>;
}
