//! QIDO-RS searches over the study index: the studies, series or instances a [`QidoQuery`]
//! selects, its offset and limit applied, in a stable order (studies newest first as the clinic's
//! list; series and instances in their study's order). Wildcard keys become `LIKE` on lowered
//! text, so `Com*` finds `COMPUNET^JANE`.

use diesel::dsl::{exists, sql};
use diesel::prelude::*;
use diesel::sql_types::Nullable;
use domain::clinic::imaging::qido::{Pattern, QidoQuery};
use domain::clinic::imaging::{Image, Series, Study, Uid};

use super::imaging_rows::{ImageRow, SeriesRow, StudyRow};
use crate::connection::{DbConnection, MultiBackend};
use crate::error::StoreError;
use crate::schema::{dicom_images, dicom_series, dicom_studies};
use crate::sql::{LIKE_ESCAPE, date_text, lower_nullable};

fn like(pattern: &Pattern) -> String {
    pattern.to_like().to_lowercase()
}

fn texts(uids: &[Uid]) -> Vec<String> {
    uids.iter().map(|u| u.as_str().to_owned()).collect()
}

/// Applies the query's study-level keys to a boxed query whose rows include `dicom_studies`.
macro_rules! study_keys {
    ($query:ident, $q:expr) => {{
        let q: &QidoQuery = $q;
        if !q.study_uids.is_empty() {
            $query = $query.filter(dicom_studies::study_instance_uid.eq_any(texts(&q.study_uids)));
        }
        for (column, pattern) in [
            (Column::PatientId, &q.patient_id),
            (Column::PatientName, &q.patient_name),
            (Column::Accession, &q.accession),
        ] {
            let Some(pattern) = pattern else { continue };
            let pattern = Some(like(pattern));
            $query = match column {
                Column::PatientId => $query.filter(
                    lower_nullable(dicom_studies::dicom_patient_id)
                        .like(pattern)
                        .escape(LIKE_ESCAPE),
                ),
                Column::PatientName => $query.filter(
                    lower_nullable(dicom_studies::patient_name)
                        .like(pattern)
                        .escape(LIKE_ESCAPE),
                ),
                Column::Accession => $query.filter(
                    lower_nullable(dicom_studies::accession_number)
                        .like(pattern)
                        .escape(LIKE_ESCAPE),
                ),
            };
        }
        if let Some(range) = q.study_date {
            // Dates are `YYYY-MM-DD` text, whose order is date order; a study without a date is in
            // no range.
            if let Some(from) = range.from {
                $query = $query.filter(dicom_studies::study_date.ge(date_text(from)));
            }
            if let Some(to) = range.to {
                $query = $query.filter(dicom_studies::study_date.le(date_text(to)));
            }
        }
    }};
}

#[derive(Clone, Copy)]
enum Column {
    PatientId,
    PatientName,
    Accession,
}

pub(super) fn studies(conn: &mut DbConnection, q: &QidoQuery) -> Result<Vec<StudyRow>, StoreError> {
    let mut query = dicom_studies::table.into_boxed::<MultiBackend>();
    study_keys!(query, q);
    if let Some(modality) = &q.modality {
        query = query.filter(exists(
            dicom_series::table
                .filter(dicom_series::study_id.eq(dicom_studies::study_id))
                .filter(dicom_series::modality.eq(modality.clone())),
        ));
    }
    Ok(query
        .order((
            sql::<Nullable<diesel::sql_types::Text>>("dicom_studies.study_date DESC NULLS LAST"),
            dicom_studies::created_at.desc(),
            dicom_studies::study_id.desc(),
        ))
        .limit(i64::from(q.limit))
        .offset(i64::from(q.offset))
        .select(StudyRow::as_select())
        .load(conn)?)
}

/// The series the query selects, with the studies they belong to.
pub(super) fn series(
    conn: &mut DbConnection,
    q: &QidoQuery,
) -> Result<Vec<(SeriesRow, StudyRow)>, StoreError> {
    let mut query = dicom_series::table
        .inner_join(dicom_studies::table)
        .into_boxed::<MultiBackend>();
    study_keys!(query, q);
    if !q.series_uids.is_empty() {
        query = query.filter(dicom_series::series_instance_uid.eq_any(texts(&q.series_uids)));
    }
    if let Some(modality) = &q.modality {
        query = query.filter(dicom_series::modality.eq(modality.clone()));
    }
    Ok(query
        .order((
            dicom_series::study_id,
            dicom_series::series_number,
            dicom_series::series_id,
        ))
        .limit(i64::from(q.limit))
        .offset(i64::from(q.offset))
        .select((SeriesRow::as_select(), StudyRow::as_select()))
        .load(conn)?)
}

/// The instances the query selects, with their series and studies.
pub(super) fn instances(
    conn: &mut DbConnection,
    q: &QidoQuery,
) -> Result<Vec<(ImageRow, SeriesRow, StudyRow)>, StoreError> {
    let mut query = dicom_images::table
        .inner_join(dicom_series::table.inner_join(dicom_studies::table))
        .into_boxed::<MultiBackend>();
    study_keys!(query, q);
    if !q.series_uids.is_empty() {
        query = query.filter(dicom_series::series_instance_uid.eq_any(texts(&q.series_uids)));
    }
    if let Some(modality) = &q.modality {
        query = query.filter(dicom_series::modality.eq(modality.clone()));
    }
    if !q.sop_uids.is_empty() {
        query = query.filter(dicom_images::sop_instance_uid.eq_any(texts(&q.sop_uids)));
    }
    Ok(query
        .order((
            dicom_images::study_id,
            dicom_images::series_id,
            dicom_images::instance_number,
            dicom_images::image_id,
        ))
        .limit(i64::from(q.limit))
        .offset(i64::from(q.offset))
        .select((
            ImageRow::as_select(),
            SeriesRow::as_select(),
            StudyRow::as_select(),
        ))
        .load(conn)?)
}

/// The series answer: each series with its study.
pub(super) fn pair_series(
    rows: Vec<(SeriesRow, StudyRow)>,
) -> domain::Result<Vec<(Study, Series)>> {
    rows.into_iter()
        .map(|(series, study)| Ok((Study::try_from(study)?, Series::try_from(series)?)))
        .collect()
}

/// The instance answer: each instance with its series and study.
pub(super) fn triple_instances(
    rows: Vec<(ImageRow, SeriesRow, StudyRow)>,
) -> domain::Result<Vec<(Study, Series, Image)>> {
    rows.into_iter()
        .map(|(image, series, study)| {
            Ok((
                Study::try_from(study)?,
                Series::try_from(series)?,
                Image::try_from(image)?,
            ))
        })
        .collect()
}
