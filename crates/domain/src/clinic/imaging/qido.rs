//! QIDO-RS searches (DICOM PS3.18 §10.6): the query a client sends, checked ([`qido_json`](super::qido_json)
//! builds the answers).
//!
//! Matching keys come by keyword (`PatientName`) or by tag (`00100010`), already URL-decoded.
//! Supported: `StudyInstanceUID`, `SeriesInstanceUID`, `SOPInstanceUID` (one UID or a list
//! separated by `,` or `\`), `PatientID`, `PatientName` and `AccessionNumber` (with `*` and `?`
//! wildcards), `StudyDate` (a day or a range `20240101-20240131`, either end open), `Modality` and
//! `ModalitiesInStudy`; and `limit`, `offset`, `includefield` (tags or keywords, or `all`),
//! `fuzzymatching` (`false`; `true` is taken and matches as `false` does). Anything else is a 400
//! naming the parameter: a search the server would silently widen is worse than a refusal.

use super::dicom::Uid;
use super::worklist::DateRange;
use crate::kernel::text::{Key, Text};
use crate::{Error, FieldError, Result};

/// What a search lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Study,
    Series,
    Instance,
}

/// A matching value with DICOM's wildcards (`*` any run, `?` one character).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern(String);

impl Pattern {
    pub fn new(raw: &str) -> Pattern {
        Pattern(raw.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn has_wildcards(&self) -> bool {
        self.0.contains(['*', '?'])
    }

    /// The pattern for SQL `LIKE … ESCAPE '\'`: `*` → `%`, `?` → `_`, and `%`, `_`, `\` escaped.
    pub fn to_like(&self) -> String {
        let mut out = String::with_capacity(self.0.len() + 4);
        for c in self.0.chars() {
            match c {
                '*' => out.push('%'),
                '?' => out.push('_'),
                '%' | '_' | '\\' => {
                    out.push('\\');
                    out.push(c);
                }
                c => out.push(c),
            }
        }
        out
    }

    /// Whether `value` matches, case-insensitively (as the store's `LIKE` on lowered text does).
    pub fn matches(&self, value: &str) -> bool {
        fn go(p: &[char], v: &[char]) -> bool {
            match (p.first(), v.first()) {
                (None, None) => true,
                (Some('*'), _) => go(&p[1..], v) || (!v.is_empty() && go(p, &v[1..])),
                (Some('?'), Some(_)) => go(&p[1..], &v[1..]),
                (Some(a), Some(b)) => a == b && go(&p[1..], &v[1..]),
                _ => false,
            }
        }
        let p: Vec<char> = self.0.to_lowercase().chars().collect();
        let v: Vec<char> = value.to_lowercase().chars().collect();
        go(&p, &v)
    }
}

/// The attributes an answer carries beyond those of its level.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Include {
    #[default]
    Level,
    All,
    Tags(Vec<u32>),
}

/// A checked QIDO-RS search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QidoQuery {
    pub level: Level,
    pub study_uids: Vec<Uid>,
    pub series_uids: Vec<Uid>,
    pub sop_uids: Vec<Uid>,
    pub patient_id: Option<Pattern>,
    pub patient_name: Option<Pattern>,
    pub accession: Option<Pattern>,
    pub study_date: Option<DateRange>,
    /// Studies with a series of this modality; at the series and instance levels, that series'.
    pub modality: Option<String>,
    pub include: Include,
    pub limit: u32,
    pub offset: u32,
}

/// The most results one search answers, and the number when `limit` is not given.
pub const MAX_LIMIT: u32 = 1000;
pub const DEFAULT_LIMIT: u32 = 100;

/// The matching attributes by keyword and tag.
const KEYS: [(&str, u32); 9] = [
    ("StudyInstanceUID", 0x0020_000D),
    ("SeriesInstanceUID", 0x0020_000E),
    ("SOPInstanceUID", 0x0008_0018),
    ("PatientID", 0x0010_0020),
    ("PatientName", 0x0010_0010),
    ("AccessionNumber", 0x0008_0050),
    ("StudyDate", 0x0008_0020),
    ("Modality", 0x0008_0060),
    ("ModalitiesInStudy", 0x0008_0061),
];

/// Keywords `includefield` may name, beyond plain tags.
const INCLUDABLE: [(&str, u32); 12] = [
    ("StudyDescription", 0x0008_1030),
    ("StudyTime", 0x0008_0030),
    ("ReferringPhysicianName", 0x0008_0090),
    ("PatientBirthDate", 0x0010_0030),
    ("PatientSex", 0x0010_0040),
    ("SeriesDescription", 0x0008_103E),
    ("SeriesNumber", 0x0020_0011),
    ("BodyPartExamined", 0x0018_0015),
    ("InstanceNumber", 0x0020_0013),
    ("Rows", 0x0028_0010),
    ("Columns", 0x0028_0011),
    ("NumberOfFrames", 0x0028_0008),
];

/// A tag by keyword or as eight hex digits.
fn tag_of(name: &str) -> Option<u32> {
    if name.len() == 8 && name.bytes().all(|b| b.is_ascii_hexdigit()) {
        return u32::from_str_radix(name, 16).ok();
    }
    KEYS.iter()
        .chain(INCLUDABLE.iter())
        .find(|(k, _)| *k == name)
        .map(|(_, t)| *t)
}

fn bad(field: &str, key: Key) -> FieldError {
    FieldError::new(field, "format", Text::new(key).with("name", field))
}

fn uids(field: &str, raw: &str, errors: &mut Vec<FieldError>) -> Vec<Uid> {
    let mut out = Vec::new();
    for part in raw.split([',', '\\']) {
        match Uid::parse(part) {
            Some(uid) => out.push(uid),
            None => errors.push(bad(field, Key::DicomwebBadUid)),
        }
    }
    out
}

fn whole(field: &str, raw: &str, errors: &mut Vec<FieldError>) -> Option<u32> {
    let parsed = raw.trim().parse::<u32>().ok();
    if parsed.is_none() {
        errors.push(bad(field, Key::DicomwebBadNumber));
    }
    parsed
}

impl QidoQuery {
    /// The search at `level` within the UIDs the path names, with the query's parameters.
    pub fn parse(
        level: Level,
        study: Option<&str>,
        series: Option<&str>,
        params: &[(String, String)],
    ) -> Result<QidoQuery> {
        let mut errors = Vec::new();
        let mut query = QidoQuery {
            level,
            study_uids: Vec::new(),
            series_uids: Vec::new(),
            sop_uids: Vec::new(),
            patient_id: None,
            patient_name: None,
            accession: None,
            study_date: None,
            modality: None,
            include: Include::Level,
            limit: DEFAULT_LIMIT,
            offset: 0,
        };
        if let Some(uid) = study {
            query.study_uids = uids("StudyInstanceUID", uid, &mut errors);
        }
        if let Some(uid) = series {
            query.series_uids = uids("SeriesInstanceUID", uid, &mut errors);
        }
        let mut include = Vec::new();
        let mut include_all = false;
        for (name, value) in params {
            match name.as_str() {
                "limit" => {
                    if let Some(n) = whole(name, value, &mut errors) {
                        query.limit = n.clamp(1, MAX_LIMIT);
                    }
                }
                "offset" => {
                    if let Some(n) = whole(name, value, &mut errors) {
                        query.offset = n;
                    }
                }
                "fuzzymatching" => {
                    if !matches!(value.as_str(), "true" | "false") {
                        errors.push(bad(name, Key::DicomwebBadBoolean));
                    }
                }
                "includefield" => {
                    for field in value.split(',').map(str::trim).filter(|f| !f.is_empty()) {
                        match field {
                            "all" => include_all = true,
                            other => match tag_of(other) {
                                Some(tag) => include.push(tag),
                                None => errors.push(bad(name, Key::DicomwebBadIncludefield)),
                            },
                        }
                    }
                }
                other => match tag_of(other) {
                    Some(0x0020_000D) if study.is_none() => {
                        query.study_uids = uids(other, value, &mut errors)
                    }
                    Some(0x0020_000E) if series.is_none() => {
                        query.series_uids = uids(other, value, &mut errors)
                    }
                    Some(0x0008_0018) => query.sop_uids = uids(other, value, &mut errors),
                    Some(0x0010_0020) => query.patient_id = Some(Pattern::new(value)),
                    Some(0x0010_0010) => query.patient_name = Some(Pattern::new(value)),
                    Some(0x0008_0050) => query.accession = Some(Pattern::new(value)),
                    Some(0x0008_0020) => match DateRange::parse(value) {
                        Some(range) => query.study_date = Some(range),
                        None => errors.push(bad(other, Key::DicomwebBadDate)),
                    },
                    Some(0x0008_0060 | 0x0008_0061) => {
                        let modality = value.trim().to_ascii_uppercase();
                        let alphanumeric = modality.bytes().all(|b| b.is_ascii_alphanumeric());
                        if modality.is_empty() || modality.len() > 16 || !alphanumeric {
                            errors.push(bad(other, Key::DicomwebBadModality));
                        } else {
                            query.modality = Some(modality);
                        }
                    }
                    _ => errors.push(bad(other, Key::DicomwebUnknownParameter)),
                },
            }
        }
        query.include = if include_all {
            Include::All
        } else if include.is_empty() {
            Include::Level
        } else {
            Include::Tags(include)
        };
        if errors.is_empty() {
            Ok(query)
        } else {
            Err(Error::Validation(errors))
        }
    }

    /// Whether `includefield` asks for `tag`.
    pub(super) fn includes(&self, tag: u32) -> bool {
        match &self.include {
            Include::All => true,
            Include::Level => false,
            Include::Tags(tags) => tags.contains(&tag),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn keys_come_by_keyword_or_tag() {
        let q = QidoQuery::parse(
            Level::Study,
            None,
            None,
            &params(&[
                ("PatientName", "Com*"),
                ("00100020", "MRN?1"),
                ("StudyDate", "20240101-20240131"),
                ("ModalitiesInStudy", "us"),
                ("StudyInstanceUID", "1.2.3,1.2.4"),
                ("limit", "5000"),
                ("offset", "10"),
                ("includefield", "00081030,StudyTime"),
                ("fuzzymatching", "false"),
            ]),
        )
        .unwrap();
        assert_eq!(q.patient_name, Some(Pattern::new("Com*")));
        assert_eq!(q.patient_id, Some(Pattern::new("MRN?1")));
        assert!(q.study_date.is_some());
        assert_eq!(q.modality.as_deref(), Some("US"));
        assert_eq!(q.study_uids.len(), 2);
        assert_eq!((q.limit, q.offset), (MAX_LIMIT, 10));
        assert_eq!(q.include, Include::Tags(vec![0x0008_1030, 0x0008_0030]));
    }

    #[test]
    fn wrong_parameters_are_named() {
        let refused = QidoQuery::parse(
            Level::Study,
            None,
            None,
            &params(&[("StudyDate", "2024"), ("Colour", "red"), ("limit", "-1")]),
        );
        match refused {
            Err(Error::Validation(fields)) => {
                let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
                assert_eq!(names, ["StudyDate", "Colour", "limit"]);
            }
            other => panic!("{other:?}"),
        }
        assert!(QidoQuery::parse(Level::Series, Some("1..2"), None, &[]).is_err());
    }

    #[test]
    fn wildcards_match_and_translate_to_like() {
        let p = Pattern::new("Com*");
        assert!(p.matches("COMPUNET^JANE") && !p.matches("ACOM"));
        assert!(Pattern::new("a?c").matches("abc"));
        assert_eq!(Pattern::new("50%_*?\\").to_like(), "50\\%\\_%_\\\\");
    }
}
