//! The study index as rows: studies, series and instances as read, an instance as written, and
//! the text form of a study's modalities.

use diesel::prelude::*;
use domain::clinic::imaging::{Arrival, Image, NewInstance, Series, Study, Uid};
use domain::clinic::{ImageId, SeriesId, StudyId};
use domain::kernel::blob::{BlobKey, Sha256};

use crate::schema::{dicom_images, dicom_series, dicom_studies};
use crate::sql::{
    RowName, date_text, hex, id_text, parse_date, parse_hex, parse_id, parse_timestamp,
};

/// The separator of a study's modalities, DICOM's own for multiple values.
const MODALITY_SEPARATOR: char = '\\';

/// The stored modalities as a sorted list (empty entries, which the text never holds, skipped).
pub(super) fn parse_modalities(stored: &str) -> Vec<String> {
    stored
        .split(MODALITY_SEPARATOR)
        .filter(|m| !m.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `stored` with the modality (or modalities, when a file gives several) of one more instance,
/// still sorted and distinct.
pub(super) fn merge_modalities(stored: &str, added: Option<&str>) -> String {
    let mut all = parse_modalities(stored);
    if let Some(added) = added {
        all.extend(
            added
                .split(MODALITY_SEPARATOR)
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .map(str::to_owned),
        );
    }
    all.sort();
    all.dedup();
    all.join(&MODALITY_SEPARATOR.to_string())
}

/// A count column as the domain reports it; counts are never negative.
fn count32(n: i32) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

fn size64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// A byte count as stored: no file comes near `i64::MAX` bytes.
pub(super) fn stored_size(n: u64) -> domain::Result<i64> {
    i64::try_from(n).map_err(|_| domain::Error::internal(format!("a size of {n} bytes")))
}

/// A stored pixel dimension or frame count, written from a `u32`.
fn dimension(
    what: &str,
    owner: &dyn std::fmt::Display,
    n: Option<i64>,
) -> domain::Result<Option<u32>> {
    n.map(|n| {
        u32::try_from(n)
            .map_err(|_| domain::Error::internal(format!("stored {what} of {owner} is {n}")))
    })
    .transpose()
}

fn optional_date(
    what: &str,
    owner: &dyn std::fmt::Display,
    raw: Option<&str>,
) -> domain::Result<Option<time::Date>> {
    raw.map(|raw| parse_date(&format!("{what} of {owner}"), raw))
        .transpose()
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = dicom_studies)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(super) struct StudyRow {
    pub(super) study_id: String,
    study_instance_uid: String,
    pub(super) patient_id: Option<String>,
    pub(super) appointment_id: Option<String>,
    pub(super) dicom_patient_id: Option<String>,
    pub(super) patient_name: Option<String>,
    pub(super) patient_birth_date: Option<String>,
    pub(super) patient_sex: Option<String>,
    pub(super) study_date: Option<String>,
    pub(super) study_time: Option<String>,
    pub(super) description: Option<String>,
    pub(super) accession_number: Option<String>,
    pub(super) referring_physician: Option<String>,
    pub(super) modalities: String,
    pub(super) series_count: i32,
    pub(super) image_count: i32,
    pub(super) size_bytes: i64,
    created_at: String,
    updated_at: String,
}

impl TryFrom<StudyRow> for Study {
    type Error = domain::Error;

    fn try_from(row: StudyRow) -> domain::Result<Self> {
        let owner = RowName("study", &row.study_id);
        Ok(Study {
            id: parse_id(&row.study_id)?,
            study_instance_uid: Uid::from_stored(row.study_instance_uid),
            patient_id: row.patient_id.as_deref().map(parse_id).transpose()?,
            appointment_id: row.appointment_id.as_deref().map(parse_id).transpose()?,
            dicom_patient_id: row.dicom_patient_id,
            patient_name: row.patient_name,
            patient_birth_date: optional_date(
                "patient_birth_date",
                &owner,
                row.patient_birth_date.as_deref(),
            )?,
            patient_sex: row.patient_sex,
            study_date: optional_date("study_date", &owner, row.study_date.as_deref())?,
            study_time: row.study_time,
            description: row.description,
            accession_number: row.accession_number,
            referring_physician: row.referring_physician,
            modalities: parse_modalities(&row.modalities),
            series_count: count32(row.series_count),
            image_count: count32(row.image_count),
            size_bytes: size64(row.size_bytes),
            created_at: parse_timestamp(&row.created_at)?,
            updated_at: parse_timestamp(&row.updated_at)?,
        })
    }
}

/// A new study, empty until its first instance's counts are added.
#[derive(Debug, Insertable)]
#[diesel(table_name = dicom_studies)]
pub(super) struct NewStudyRow<'a> {
    study_id: String,
    study_instance_uid: &'a str,
    modalities: &'static str,
    series_count: i32,
    image_count: i32,
    size_bytes: i64,
    created_at: String,
    updated_at: String,
}

impl<'a> NewStudyRow<'a> {
    pub(super) fn new(id: StudyId, uid: &'a Uid, at: &str) -> Self {
        NewStudyRow {
            study_id: id_text(id),
            study_instance_uid: uid.as_str(),
            modalities: "",
            series_count: 0,
            image_count: 0,
            size_bytes: 0,
            created_at: at.to_owned(),
            updated_at: at.to_owned(),
        }
    }
}

/// What one more instance makes of a study (read under its lock): its empty fields filled from
/// the instance, its counts and modalities added to.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = dicom_studies, treat_none_as_null = true)]
pub(super) struct StudyUpdate {
    patient_id: Option<String>,
    appointment_id: Option<String>,
    dicom_patient_id: Option<String>,
    patient_name: Option<String>,
    patient_birth_date: Option<String>,
    patient_sex: Option<String>,
    study_date: Option<String>,
    study_time: Option<String>,
    description: Option<String>,
    accession_number: Option<String>,
    referring_physician: Option<String>,
    modalities: String,
    series_count: i32,
    image_count: i32,
    size_bytes: i64,
    updated_at: String,
}

impl StudyUpdate {
    pub(super) fn new(
        row: StudyRow,
        new: &NewInstance,
        new_series: bool,
        at: &str,
    ) -> domain::Result<Self> {
        let meta = &new.meta;
        let fill =
            |stored: Option<String>, incoming: &Option<String>| stored.or_else(|| incoming.clone());
        Ok(StudyUpdate {
            patient_id: row.patient_id.or_else(|| new.patient_id.map(id_text)),
            appointment_id: row
                .appointment_id
                .or_else(|| new.appointment_id.map(id_text)),
            dicom_patient_id: fill(row.dicom_patient_id, &meta.patient_id),
            patient_name: fill(row.patient_name, &meta.patient_name),
            patient_birth_date: row
                .patient_birth_date
                .or_else(|| meta.patient_birth_date.map(date_text)),
            patient_sex: fill(row.patient_sex, &meta.patient_sex),
            study_date: row.study_date.or_else(|| meta.study_date.map(date_text)),
            study_time: fill(row.study_time, &meta.study_time),
            description: fill(row.description, &meta.study_description),
            accession_number: fill(row.accession_number, &meta.accession_number),
            referring_physician: fill(row.referring_physician, &meta.referring_physician),
            modalities: merge_modalities(&row.modalities, meta.modality.as_deref()),
            series_count: row.series_count.saturating_add(i32::from(new_series)),
            image_count: row.image_count.saturating_add(1),
            size_bytes: row.size_bytes.saturating_add(stored_size(new.blob.size)?),
            updated_at: at.to_owned(),
        })
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = dicom_series)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(super) struct SeriesRow {
    pub(super) series_id: String,
    series_instance_uid: String,
    pub(super) study_id: String,
    modality: Option<String>,
    body_part: Option<String>,
    description: Option<String>,
    series_number: Option<i32>,
    image_count: i32,
    created_at: String,
}

impl TryFrom<SeriesRow> for Series {
    type Error = domain::Error;

    fn try_from(row: SeriesRow) -> domain::Result<Self> {
        Ok(Series {
            id: parse_id(&row.series_id)?,
            study_id: parse_id(&row.study_id)?,
            series_instance_uid: Uid::from_stored(row.series_instance_uid),
            modality: row.modality,
            body_part: row.body_part,
            description: row.description,
            number: row.series_number,
            image_count: count32(row.image_count),
            created_at: parse_timestamp(&row.created_at)?,
        })
    }
}

/// A new series, from its first instance; its count is added to with each instance.
#[derive(Debug, Insertable)]
#[diesel(table_name = dicom_series)]
pub(super) struct NewSeriesRow<'a> {
    series_id: String,
    series_instance_uid: &'a str,
    study_id: &'a str,
    modality: Option<&'a str>,
    body_part: Option<&'a str>,
    description: Option<&'a str>,
    series_number: Option<i32>,
    image_count: i32,
    created_at: &'a str,
}

impl<'a> NewSeriesRow<'a> {
    pub(super) fn new(id: SeriesId, new: &'a NewInstance, study_id: &'a str, at: &'a str) -> Self {
        NewSeriesRow {
            series_id: id_text(id),
            series_instance_uid: new.identity.series_instance_uid.as_str(),
            study_id,
            modality: new.meta.modality.as_deref(),
            body_part: new.meta.body_part.as_deref(),
            description: new.meta.series_description.as_deref(),
            series_number: new.meta.series_number,
            image_count: 0,
            created_at: at,
        }
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = dicom_images)]
#[diesel(check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub(super) struct ImageRow {
    image_id: String,
    sop_instance_uid: String,
    pub(super) series_id: String,
    study_id: String,
    patient_id: Option<String>,
    sop_class_uid: String,
    transfer_syntax_uid: String,
    instance_number: Option<i32>,
    pixel_rows: Option<i64>,
    pixel_columns: Option<i64>,
    frames: Option<i64>,
    has_pixels: bool,
    photometric_interpretation: Option<String>,
    size_bytes: i64,
    sha256: String,
    blob_key: String,
    arrival: String,
    received_by: String,
    received_at: String,
}

impl TryFrom<ImageRow> for Image {
    type Error = domain::Error;

    fn try_from(row: ImageRow) -> domain::Result<Self> {
        let owner = RowName("image", &row.image_id);
        let digest = parse_hex(&format!("sha256 of {owner}"), &row.sha256)?;
        let sha256 = <[u8; 32]>::try_from(digest)
            .map_err(|_| domain::Error::internal(format!("stored sha256 of {owner} is short")))?;
        let arrival: Arrival = row.arrival.parse().map_err(|_| {
            domain::Error::internal(format!("stored arrival of {owner} {:?}", row.arrival))
        })?;
        Ok(Image {
            id: parse_id::<ImageId>(&row.image_id)?,
            study_id: parse_id(&row.study_id)?,
            series_id: parse_id(&row.series_id)?,
            patient_id: row.patient_id.as_deref().map(parse_id).transpose()?,
            sop_instance_uid: Uid::from_stored(row.sop_instance_uid),
            sop_class_uid: Uid::from_stored(row.sop_class_uid),
            transfer_syntax_uid: Uid::from_stored(row.transfer_syntax_uid),
            instance_number: row.instance_number,
            rows: dimension("rows", &owner, row.pixel_rows)?,
            columns: dimension("columns", &owner, row.pixel_columns)?,
            frames: dimension("frames", &owner, row.frames)?,
            has_pixels: row.has_pixels,
            photometric_interpretation: row.photometric_interpretation,
            size_bytes: size64(row.size_bytes),
            sha256: Sha256(sha256),
            blob_key: BlobKey::parse(&row.blob_key)?,
            arrival,
            received_by: row.received_by,
            received_at: parse_timestamp(&row.received_at)?,
        })
    }
}

/// An instance as inserted, under the study and series it joined.
#[derive(Debug, Insertable)]
#[diesel(table_name = dicom_images)]
pub(super) struct NewImageRow<'a> {
    image_id: String,
    sop_instance_uid: &'a str,
    series_id: &'a str,
    study_id: &'a str,
    patient_id: Option<String>,
    sop_class_uid: &'a str,
    transfer_syntax_uid: &'a str,
    instance_number: Option<i32>,
    pixel_rows: Option<i64>,
    pixel_columns: Option<i64>,
    frames: Option<i64>,
    has_pixels: bool,
    photometric_interpretation: Option<&'a str>,
    size_bytes: i64,
    sha256: String,
    blob_key: &'a str,
    arrival: &'static str,
    received_by: &'a str,
    received_at: &'a str,
}

impl<'a> NewImageRow<'a> {
    pub(super) fn new(
        new: &'a NewInstance,
        study_id: &'a str,
        series_id: &'a str,
        received_at: &'a str,
    ) -> domain::Result<Self> {
        Ok(NewImageRow {
            image_id: id_text(new.id),
            sop_instance_uid: new.identity.sop_instance_uid.as_str(),
            series_id,
            study_id,
            patient_id: new.patient_id.map(id_text),
            sop_class_uid: new.identity.sop_class_uid.as_str(),
            transfer_syntax_uid: new.identity.transfer_syntax_uid.as_str(),
            instance_number: new.meta.instance_number,
            pixel_rows: new.meta.rows.map(i64::from),
            pixel_columns: new.meta.columns.map(i64::from),
            frames: new.meta.frames.map(i64::from),
            has_pixels: new.meta.has_pixels,
            photometric_interpretation: new.meta.photometric_interpretation.as_deref(),
            size_bytes: stored_size(new.blob.size)?,
            sha256: hex(&new.blob.sha256.0),
            blob_key: new.blob.key.as_str(),
            arrival: new.arrival.as_str(),
            received_by: &new.received_by,
            received_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modalities_stay_sorted_and_distinct() {
        assert_eq!(merge_modalities("", Some("US")), "US");
        assert_eq!(merge_modalities("US", Some("CT")), "CT\\US");
        assert_eq!(merge_modalities("CT\\US", Some("US")), "CT\\US");
        assert_eq!(merge_modalities("CT\\US", None), "CT\\US");
        assert_eq!(merge_modalities("", Some("SR\\ CT")), "CT\\SR");
        assert_eq!(parse_modalities("CT\\US"), ["CT", "US"]);
        assert!(parse_modalities("").is_empty());
    }
}
