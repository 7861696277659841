//! The modality worklist: what the clinic publishes for a modality to query (C-FIND on the
//! Modality Worklist Information Model), and how a query's keys match it (PS3.4 C.2.2.2).
//!
//! A query key left empty matches everything; a value with `*` or `?` is a wildcard match; dates
//! and times may be ranges (`20240101-20240131`, `-20240131`, `0800-1200`). Person names match
//! without regard to case (as Orthanc and DCMTK's worklist server do by default); other text
//! matches exactly.

use time::{Date, OffsetDateTime, Time};

use super::dicom::Uid;
use crate::clinic::ids::{AppointmentId, PatientId, WorklistId};
use crate::kernel::ids::ActorId;

/// One scheduled procedure step, as modalities see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorklistEntry {
    pub id: WorklistId,
    /// The appointment it was published for; absent when published for a patient alone.
    pub appointment_id: Option<AppointmentId>,
    pub patient_id: PatientId,
    /// (0010,0010), DICOM person name (`Family^Given` when the clinic's name has two parts).
    pub patient_name: String,
    /// (0010,0020): the patient's MRN.
    pub patient_mrn: String,
    pub patient_birth_date: Option<Date>,
    /// `M`, `F` or `O`.
    pub patient_sex: Option<String>,
    pub accession_number: String,
    pub requested_procedure_id: String,
    pub requested_procedure_description: Option<String>,
    /// Pre-assigned, so that the images the modality makes join one study.
    pub study_instance_uid: Uid,
    pub scheduled_step_id: String,
    pub modality: String,
    pub station_ae_title: Option<String>,
    pub start_date: Date,
    pub start_time: Time,
    pub step_description: Option<String>,
    /// The doctor of the appointment, as a DICOM person name.
    pub performing_physician: Option<String>,
    pub created_at: OffsetDateTime,
    pub created_by: ActorId,
}

/// A range of days; either end may be open. A single day is a range of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    pub from: Option<Date>,
    pub to: Option<Date>,
}

impl DateRange {
    /// `YYYYMMDD`, `YYYYMMDD-YYYYMMDD`, `YYYYMMDD-` or `-YYYYMMDD` (DICOM's DA range form).
    pub fn parse(raw: &str) -> Option<DateRange> {
        let raw = raw.trim();
        let day = |s: &str| parse_da(s.trim());
        match raw.split_once('-') {
            None => day(raw).map(|d| DateRange {
                from: Some(d),
                to: Some(d),
            }),
            Some((a, b)) => {
                let from = if a.trim().is_empty() {
                    None
                } else {
                    Some(day(a)?)
                };
                let to = if b.trim().is_empty() {
                    None
                } else {
                    Some(day(b)?)
                };
                if from.is_none() && to.is_none() {
                    return None;
                }
                Some(DateRange { from, to })
            }
        }
    }

    pub fn contains(&self, day: Date) -> bool {
        self.from.is_none_or(|f| day >= f) && self.to.is_none_or(|t| day <= t)
    }
}

/// A range of times of day; either end may be open. A partial time (`10`, `1030`) covers the hour
/// or minute it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    pub from: Option<Time>,
    pub to: Option<Time>,
}

impl TimeRange {
    /// `HH[MM[SS[.F]]]`, or two of them joined by `-`, either end open.
    pub fn parse(raw: &str) -> Option<TimeRange> {
        let raw = raw.trim();
        match raw.split_once('-') {
            None => {
                let (from, to) = parse_tm(raw)?;
                Some(TimeRange {
                    from: Some(from),
                    to: Some(to),
                })
            }
            Some((a, b)) => {
                let from = if a.trim().is_empty() {
                    None
                } else {
                    Some(parse_tm(a.trim())?.0)
                };
                let to = if b.trim().is_empty() {
                    None
                } else {
                    Some(parse_tm(b.trim())?.1)
                };
                if from.is_none() && to.is_none() {
                    return None;
                }
                Some(TimeRange { from, to })
            }
        }
    }

    pub fn contains(&self, at: Time) -> bool {
        self.from.is_none_or(|f| at >= f) && self.to.is_none_or(|t| at <= t)
    }
}

/// `YYYYMMDD` (also `YYYY.MM.DD`, an old form some modalities still send).
pub fn parse_da(raw: &str) -> Option<Date> {
    let digits: String = raw.chars().filter(|c| *c != '.').collect();
    if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = digits[0..4].parse().ok()?;
    let month: u8 = digits[4..6].parse().ok()?;
    let day: u8 = digits[6..8].parse().ok()?;
    Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
}

/// The earliest and latest instants a (possibly partial) `HH[MM[SS[.F]]]` names.
fn parse_tm(raw: &str) -> Option<(Time, Time)> {
    let whole = raw.split('.').next().unwrap_or_default().replace(':', "");
    if whole.is_empty() || !whole.len().is_multiple_of(2) || whole.len() > 6 {
        return None;
    }
    if !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let part = |i: usize| whole.get(i..i + 2).and_then(|s| s.parse::<u8>().ok());
    let hour = part(0)?;
    let (min_lo, min_hi) = part(2).map_or((0, 59), |m| (m, m));
    let (sec_lo, sec_hi) = part(4).map_or((0, 59), |s| (s, s));
    Some((
        Time::from_hms(hour, min_lo, sec_lo).ok()?,
        Time::from_hms(hour, min_hi, sec_hi).ok()?,
    ))
}

/// A value with DICOM wildcards: `*` any run of characters, `?` one character.
pub fn wildcard_match(pattern: &str, value: &str, ignore_case: bool) -> bool {
    let fold = |s: &str| -> Vec<char> {
        if ignore_case {
            s.chars().flat_map(char::to_lowercase).collect()
        } else {
            s.chars().collect()
        }
    };
    let (p, v) = (fold(pattern), fold(value));
    // Iterative glob match with one backtrack point: linear in practice, no recursion to blow.
    let (mut pi, mut vi) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while vi < v.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, vi));
                pi += 1;
            }
            Some(c) if *c == '?' || *c == v[vi] => {
                pi += 1;
                vi += 1;
            }
            _ => match star {
                Some((sp, sv)) => {
                    pi = sp + 1;
                    vi = sv + 1;
                    star = Some((sp, sv + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// A text key of a query: `None` (or an empty or `*` value) matches everything.
fn text_matches(key: &Option<String>, value: Option<&str>, ignore_case: bool) -> bool {
    match key.as_deref().map(str::trim) {
        None | Some("") | Some("*") => true,
        Some(pattern) => value.is_some_and(|v| wildcard_match(pattern, v.trim(), ignore_case)),
    }
}

/// The matching keys of a worklist C-FIND (the ones a modality fills in; return keys are the
/// listener's business).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WorklistQuery {
    pub patient_id: Option<String>,
    pub patient_name: Option<String>,
    pub accession_number: Option<String>,
    pub requested_procedure_id: Option<String>,
    /// List of UID matching: any of these (PS3.4 C.2.2.2.2).
    pub study_instance_uids: Vec<String>,
    pub modality: Option<String>,
    pub station_ae_title: Option<String>,
    pub start_date: Option<DateRange>,
    pub start_time: Option<TimeRange>,
}

impl WorklistQuery {
    pub fn matches(&self, entry: &WorklistEntry) -> bool {
        text_matches(&self.patient_id, Some(&entry.patient_mrn), false)
            && text_matches(&self.patient_name, Some(&entry.patient_name), true)
            && text_matches(&self.accession_number, Some(&entry.accession_number), false)
            && text_matches(
                &self.requested_procedure_id,
                Some(&entry.requested_procedure_id),
                false,
            )
            && (self.study_instance_uids.is_empty()
                || self
                    .study_instance_uids
                    .iter()
                    .any(|u| u.trim() == entry.study_instance_uid.as_str()))
            && text_matches(&self.modality, Some(&entry.modality), false)
            && text_matches(
                &self.station_ae_title,
                entry.station_ae_title.as_deref(),
                false,
            )
            && self.start_date.is_none_or(|r| r.contains(entry.start_date))
            && self.start_time.is_none_or(|r| r.contains(entry.start_time))
    }
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime, time};
    use uuid::Uuid;

    use super::*;

    fn entry() -> WorklistEntry {
        WorklistEntry {
            id: WorklistId::from_uuid(Uuid::nil()),
            appointment_id: None,
            patient_id: PatientId::from_uuid(Uuid::nil()),
            patient_name: "Haddad^Omar".to_owned(),
            patient_mrn: "MRN00000042".to_owned(),
            patient_birth_date: None,
            patient_sex: Some("M".to_owned()),
            accession_number: "ACC0000000007".to_owned(),
            requested_procedure_id: "RP0000000007".to_owned(),
            requested_procedure_description: None,
            study_instance_uid: Uid::parse("1.2.3.4").unwrap_or_else(|| unreachable!()),
            scheduled_step_id: "SPS0000000007".to_owned(),
            modality: "US".to_owned(),
            station_ae_title: Some("US_ROOM_1".to_owned()),
            start_date: date!(2026 - 12 - 01),
            start_time: time!(10:30),
            step_description: None,
            performing_physician: None,
            created_at: datetime!(2026-11-30 10:00 UTC),
            created_by: ActorId::system(),
        }
    }

    #[test]
    fn wildcards() {
        assert!(wildcard_match("Had*", "Haddad^Omar", false));
        assert!(wildcard_match("*^Om?r", "Haddad^Omar", false));
        assert!(wildcard_match("had*", "Haddad^Omar", true));
        assert!(!wildcard_match("had*", "Haddad^Omar", false));
        assert!(wildcard_match("*", "", false));
        assert!(!wildcard_match("?", "", false));
        assert!(wildcard_match("a*b*c", "aXXbYYc", false));
        assert!(!wildcard_match("a*b*c", "aXXbYY", false));
    }

    #[test]
    fn ranges() {
        let r = DateRange::parse("20261201-20261231").unwrap_or_else(|| unreachable!());
        assert!(r.contains(date!(2026 - 12 - 01)) && !r.contains(date!(2026 - 11 - 30)));
        assert!(DateRange::parse("-20261130").is_some_and(|r| r.contains(date!(2020 - 01 - 01))));
        assert!(DateRange::parse("-").is_none());
        assert!(DateRange::parse("2026130").is_none());
        let t = TimeRange::parse("10-11").unwrap_or_else(|| unreachable!());
        assert!(t.contains(time!(10:00)) && t.contains(time!(11:59:59)));
        assert!(!t.contains(time!(12:00)));
        assert!(TimeRange::parse("1030").is_some_and(|t| t.contains(time!(10:30:45))));
        assert!(TimeRange::parse("25").is_none());
    }

    #[test]
    fn queries_match_entries() {
        let e = entry();
        assert!(WorklistQuery::default().matches(&e));
        let q = |f: fn(&mut WorklistQuery)| {
            let mut q = WorklistQuery::default();
            f(&mut q);
            q.matches(&e)
        };
        assert!(q(|q| q.patient_name = Some("haddad*".into())));
        assert!(q(|q| q.patient_id = Some("MRN00000042".into())));
        assert!(!q(|q| q.patient_id = Some("MRN00000043".into())));
        assert!(q(|q| q.modality = Some("US".into())));
        assert!(!q(|q| q.modality = Some("CT".into())));
        assert!(q(|q| q.station_ae_title = Some("US_ROOM_?".into())));
        assert!(q(|q| q.start_date = DateRange::parse("20261201")));
        assert!(!q(|q| q.start_date = DateRange::parse("20261202-")));
        assert!(q(|q| q.start_time = TimeRange::parse("1000-1100")));
        assert!(q(
            |q| q.study_instance_uids = vec!["9.9".into(), "1.2.3.4".into()]
        ));
        assert!(!q(|q| q.study_instance_uids = vec!["9.9".into()]));
    }
}
