//! The PDF adapter behind the domain's [`ReportRenderer`] port, on typst used as a library.
//!
//! typst is the one Rust typesetter measured to lay Arabic out right (joined letters, right to left,
//! numbers and Latin words in their order; see `docs/dependencies.md`). The layout is a typst
//! template kept in this crate (`templates/report.typ`); the report itself reaches the template as
//! data, a virtual `data.json` holding the already-translated strings, so a user's text is never
//! read as markup. The fonts (Noto Serif and Noto Naskh Arabic, SIL OFL, `fonts/`) are compiled
//! into the binary and parsed once, so rendering needs no system fonts and reads no file. In an
//! Arabic report, the numbers, dates and ids inside the user's text are wrapped in left-to-right
//! isolates (module `bidi`) so that they keep their order.
//!
//! A render is tens of milliseconds of CPU (`docs/benchmarks.md`): callers run it off async
//! workers, as the port says.

use std::fmt;
use std::sync::Arc;

use domain::kernel::error::{Cause, Error};
use domain::kernel::lang::Lang;
use domain::kernel::report::{FactValue, ReportDocument, ReportRenderer, Section, Table};
use domain::kernel::text::{Text, Translator};
use serde::Serialize;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

mod bidi;

/// The layout, in typst markup.
const TEMPLATE: &str = include_str!("../templates/report.typ");

/// The embedded fonts: Latin and Arabic, regular and bold.
const FONTS: [&[u8]; 4] = [
    include_bytes!("../fonts/NotoSerif-Regular.ttf"),
    include_bytes!("../fonts/NotoSerif-Bold.ttf"),
    include_bytes!("../fonts/NotoNaskhArabic-Regular.ttf"),
    include_bytes!("../fonts/NotoNaskhArabic-Bold.ttf"),
];

/// How many compilations typst's memoisation cache may remember unused: without eviction it grows
/// with every render (hundreds of MiB after a thousand reports).
const CACHE_MAX_AGE: usize = 10;

/// The renderer could not be set up (a font or a path the crate ships is broken).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupError(String);

impl fmt::Display for SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot set up the PDF renderer: {}", self.0)
    }
}

impl std::error::Error for SetupError {}

/// typst refused the template or the data: its diagnostics, joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderError(String);

impl RenderError {
    fn from_diagnostics(stage: &str, diagnostics: &[SourceDiagnostic]) -> Self {
        let messages: Vec<&str> = diagnostics.iter().map(|d| d.message.as_str()).collect();
        Self(format!("{stage}: {}", messages.join("; ")))
    }
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RenderError {}

/// Lays out [`ReportDocument`]s as A4 PDFs in English or Arabic.
pub struct TypstRenderer {
    translator: Arc<dyn Translator>,
    assets: Arc<Assets>,
}

impl fmt::Debug for TypstRenderer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TypstRenderer")
            .field("fonts", &self.assets.fonts.len())
            .finish_non_exhaustive()
    }
}

/// What every render shares: the standard library, the fonts, the parsed template.
struct Assets {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    template: &'static str,
    main: Source,
    data_id: FileId,
}

impl Assets {
    fn new(template: &'static str) -> Result<Self, SetupError> {
        let fonts: Vec<Font> = FONTS
            .iter()
            .flat_map(|bytes| Font::iter(Bytes::new(*bytes)))
            .collect();
        if fonts.len() != FONTS.len() {
            return Err(SetupError(format!(
                "{} of {} embedded fonts parsed",
                fonts.len(),
                FONTS.len()
            )));
        }
        Ok(Self {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
            template,
            main: Source::new(file_id("/report.typ")?, template.to_owned()),
            data_id: file_id("/data.json")?,
        })
    }
}

impl TypstRenderer {
    /// Parses the embedded fonts and the template, once.
    pub fn new(translator: Arc<dyn Translator>) -> Result<Self, SetupError> {
        Ok(Self {
            translator,
            assets: Arc::new(Assets::new(TEMPLATE)?),
        })
    }

    fn data(&self, report: &ReportDocument) -> ReportData {
        let words = Words {
            translator: self.translator.as_ref(),
            lang: report.lang,
        };
        ReportData {
            lang: report.lang.into(),
            issuer: words.value(&report.issuer),
            title: words.say(&report.title),
            facts: report
                .facts
                .iter()
                .map(|f| FactData {
                    label: words.say(&f.label),
                    value: match &f.value {
                        FactValue::Plain(s) => words.value(s),
                        FactValue::Text(text) => words.say(text),
                    },
                })
                .collect(),
            sections: report
                .sections
                .iter()
                .map(|s| SectionData::new(s, &words))
                .collect(),
            footer: report.footer.as_ref().map(|t| words.say(t)),
        }
    }
}

/// Puts a report's parts into the strings the template prints.
struct Words<'a> {
    translator: &'a dyn Translator,
    lang: Lang,
}

impl Words<'_> {
    /// A label or sentence, translated (the catalogue isolates the values it inserts).
    fn say(&self, text: &Text) -> String {
        self.translator.translate(self.lang, text)
    }

    /// The user's or the platform's own string: in Arabic, its numbers, dates and ids are isolated
    /// so that the bidirectional algorithm keeps their order.
    fn value(&self, s: &str) -> String {
        match self.lang {
            Lang::Ar => bidi::isolate_numbers(s),
            Lang::En => s.to_owned(),
        }
    }
}

impl ReportRenderer for TypstRenderer {
    fn render(&self, report: &ReportDocument) -> domain::Result<Vec<u8>> {
        let data = serde_json::to_vec(&self.data(report))
            .map_err(|e| Error::Internal(Cause::with_source("report data to JSON", e)))?;
        let world = ReportWorld {
            assets: &self.assets,
            data: Bytes::new(data),
        };
        let result = compile(&world);
        // Forget compilations not reused lately, whatever the outcome, so memory stays flat.
        typst::comemo::evict(CACHE_MAX_AGE);
        result.map_err(|e| Error::Internal(Cause::with_source("report PDF", e)))
    }
}

fn compile(world: &ReportWorld<'_>) -> Result<Vec<u8>, RenderError> {
    let document = typst::compile::<PagedDocument>(world)
        .output
        .map_err(|d| RenderError::from_diagnostics("layout", &d))?;
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
        .map_err(|d| RenderError::from_diagnostics("PDF export", &d))
}

fn file_id(path: &str) -> Result<FileId, SetupError> {
    let vpath = VirtualPath::new(path).map_err(|e| SetupError(format!("{path}: {e:?}")))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// One render's view of the world: the shared assets and this report's data.
struct ReportWorld<'a> {
    assets: &'a Assets,
    data: Bytes,
}

impl World for ReportWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.assets.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.assets.book
    }

    fn main(&self) -> FileId {
        self.assets.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.assets.main.id() {
            Ok(self.assets.main.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.assets.data_id {
            Ok(self.data.clone())
        } else if id == self.assets.main.id() {
            Ok(Bytes::from_string(self.assets.template))
        } else {
            Err(FileError::NotFound(
                id.get().vpath().get_without_slash().into(),
            ))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.assets.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        // A report states its own dates; the template never asks for today's.
        None
    }
}

/// What the template reads from `data.json`: every label already in words.
#[derive(Debug, Serialize)]
struct ReportData {
    lang: &'static str,
    issuer: String,
    title: String,
    facts: Vec<FactData>,
    sections: Vec<SectionData>,
    footer: Option<String>,
}

#[derive(Debug, Serialize)]
struct FactData {
    label: String,
    value: String,
}

#[derive(Debug, Serialize)]
struct SectionData {
    heading: String,
    byline: Option<String>,
    paragraphs: Vec<ParagraphData>,
    tables: Vec<TableData>,
}

/// A paragraph of the user's text and its direction: left to right when its first letter is
/// (an English opinion in an Arabic report), else the document's.
#[derive(Debug, Serialize)]
struct ParagraphData {
    text: String,
    ltr: bool,
}

impl SectionData {
    fn new(section: &Section, words: &Words<'_>) -> Self {
        Self {
            heading: words.say(&section.heading),
            byline: section.byline.as_deref().map(|b| words.value(b)),
            paragraphs: section
                .paragraphs
                .iter()
                .map(|p| ParagraphData {
                    text: words.value(p),
                    ltr: bidi::reads_left_to_right(p),
                })
                .collect(),
            tables: section
                .tables
                .iter()
                .filter_map(|t| TableData::new(t, words))
                .collect(),
        }
    }
}

#[derive(Debug, Serialize)]
struct TableData {
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl TableData {
    /// Squares the table: as many columns as its widest row, short rows padded with empty cells.
    /// `None` for a table with no cell at all.
    fn new(table: &Table, words: &Words<'_>) -> Option<Self> {
        let width = table
            .rows
            .iter()
            .map(Vec::len)
            .chain([table.columns.len()])
            .max()
            .unwrap_or(0);
        if width == 0 {
            return None;
        }
        let mut columns: Vec<String> = table.columns.iter().map(|c| words.say(c)).collect();
        columns.resize(width, String::new());
        let rows = table
            .rows
            .iter()
            .map(|row| {
                let mut cells: Vec<String> = row.iter().map(|c| words.value(c)).collect();
                cells.resize(width, String::new());
                cells
            })
            .collect();
        Some(Self { columns, rows })
    }
}

#[cfg(test)]
mod tests {
    use domain::kernel::text::Key;

    use super::*;

    struct Keys;

    impl Translator for Keys {
        fn translate(&self, _lang: Lang, text: &Text) -> String {
            text.key().id().to_owned()
        }
    }

    fn report() -> ReportDocument {
        ReportDocument {
            lang: Lang::En,
            issuer: "Issuer".into(),
            title: Key::ReportTitle.into(),
            facts: Vec::new(),
            sections: Vec::new(),
            footer: None,
        }
    }

    #[test]
    fn a_template_error_is_an_internal_error_with_typst_s_message() {
        let renderer = TypstRenderer {
            translator: Arc::new(Keys),
            assets: Arc::new(Assets::new(r#"#json("elsewhere.json")"#).expect("assets")),
        };
        let error = renderer.render(&report()).expect_err("a missing file");
        let Error::Internal(cause) = &error else {
            panic!("not internal: {error:?}");
        };
        let source = std::error::Error::source(cause).expect("typst's diagnostics");
        assert!(source.to_string().contains("not found"), "{source}");
    }

    #[test]
    fn the_template_reads_the_data() {
        let renderer = TypstRenderer::new(Arc::new(Keys)).expect("renderer");
        let pdf = renderer.render(&report()).expect("render");
        assert!(pdf.starts_with(b"%PDF-"));
    }
}
