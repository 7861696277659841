//! [`ImagingRepository`]: the study index (studies, series, instances, cached thumbnails) and the
//! blob trash list that keeps it consistent with the files.
//!
//! Indexing an instance finds or creates its study and series by UID with `INSERT … ON CONFLICT
//! DO NOTHING` and a read back, so that two first instances of one study arriving at once both
//! succeed and make one study; on PostgreSQL the study's row is then locked for the rest of the
//! transaction (SQLite's write transaction already excludes every other writer), so that its
//! counts and modalities are read and rewritten by one writer at a time.

use diesel::dsl::{count_star, exists, sql};
use diesel::prelude::*;
use diesel::sql_types::Nullable;
use domain::clinic::imaging::qido::QidoQuery;
use domain::clinic::imaging::{
    Image, ImagingRepository, NewInstance, Series, Stored, Study, StudyDetails, StudyFilter,
};
use domain::clinic::{AppointmentId, AuditEntry, ClinicEvent, ImageId, PatientId, StudyId};
use domain::kernel::blob::BlobKey;
use domain::kernel::paging::{Page, PageRequest};
use time::OffsetDateTime;

use super::imaging_rows::{
    ImageRow, NewImageRow, NewSeriesRow, NewStudyRow, SeriesRow, StudyRow, StudyUpdate,
};
use super::{insert_audit, lock_on_postgres, publish_clinic};
use crate::connection::{DbConnection, MultiBackend, Store, on_backend, write_transaction};
use crate::error::StoreError;
use crate::schema::{blob_trash, dicom_images, dicom_series, dicom_studies, dicom_thumbnails};
use crate::sql::{count, date_text, id_text, parse_id, timestamp};
use crate::trash::{blob_keys, trash, untrash};

/// Locks a study's row until the transaction ends: writers of one study's counts and modalities,
/// and its delete, queue behind each other.
const LOCK_STUDY: &str = "SELECT 1 FROM dicom_studies WHERE study_id = $1 FOR UPDATE";
/// Locks a study's instances for its delete, so that a thumbnail being recorded for one of them
/// either commits first (and its key is moved to the trash with the others) or waits and then
/// finds the instance gone.
const LOCK_STUDY_IMAGES: &str = "SELECT 1 FROM dicom_images WHERE study_id = $1 FOR UPDATE";
/// Keeps an instance from a concurrent delete while its thumbnail is recorded.
const LOCK_IMAGE_SHARE: &str = "SELECT 1 FROM dicom_images WHERE image_id = $1 FOR KEY SHARE";

/// Why indexing an instance rolled back: the instance was indexed already (the existing row), or
/// something failed.
#[derive(Debug)]
enum Abort {
    Duplicate(Box<ImageRow>),
    Store(StoreError),
    Domain(domain::Error),
}

impl From<diesel::result::Error> for Abort {
    fn from(e: diesel::result::Error) -> Self {
        Abort::Store(e.into())
    }
}

impl From<StoreError> for Abort {
    fn from(e: StoreError) -> Self {
        Abort::Store(e)
    }
}

impl From<domain::Error> for Abort {
    fn from(e: domain::Error) -> Self {
        Abort::Domain(e)
    }
}

fn image_row(conn: &mut DbConnection, id: &str) -> Result<Option<ImageRow>, StoreError> {
    Ok(dicom_images::table
        .filter(dicom_images::image_id.eq(id))
        .select(ImageRow::as_select())
        .get_result(conn)
        .optional()?)
}

fn study_row(conn: &mut DbConnection, id: &str) -> Result<Option<StudyRow>, StoreError> {
    Ok(dicom_studies::table
        .filter(dicom_studies::study_id.eq(id))
        .select(StudyRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// Indexes `new` inside the caller's transaction; [`Abort::Duplicate`] rolls it back.
fn index(
    conn: &mut DbConnection,
    new: &NewInstance,
    audit: &AuditEntry,
    event: &ClinicEvent,
) -> Result<Option<ImageRow>, Abort> {
    let at = timestamp(new.received_at);
    let uids = &new.identity;
    let study_insert = diesel::insert_into(dicom_studies::table)
        .values(NewStudyRow::new(
            new.study_id,
            &uids.study_instance_uid,
            &at,
        ))
        .on_conflict(dicom_studies::study_instance_uid)
        .do_nothing();
    let study_created = on_backend!(conn, |c| study_insert.execute(c))? > 0;
    let mut study_id: String = dicom_studies::table
        .filter(dicom_studies::study_instance_uid.eq(uids.study_instance_uid.as_str()))
        .select(dicom_studies::study_id)
        .get_result(conn)?;
    let series_created = {
        let series_insert = diesel::insert_into(dicom_series::table)
            .values(NewSeriesRow::new(new.series_id, new, &study_id, &at))
            .on_conflict(dicom_series::series_instance_uid)
            .do_nothing();
        on_backend!(conn, |c| series_insert.execute(c))? > 0
    };
    let (series_id, series_study): (String, String) = dicom_series::table
        .filter(dicom_series::series_instance_uid.eq(uids.series_instance_uid.as_str()))
        .select((dicom_series::series_id, dicom_series::study_id))
        .get_result(conn)?;
    if series_study != study_id {
        // The Series Instance UID is indexed already, under another study (a modality that
        // reused a series UID, or an edited study UID): the instance joins that series, and
        // therefore that series' study, so that a series never spans two studies. A study this
        // transaction created for the instance's own Study Instance UID is then left empty, and
        // removed.
        if study_created {
            diesel::delete(dicom_studies::table.filter(dicom_studies::study_id.eq(&study_id)))
                .execute(conn)?;
        }
        study_id = series_study;
    }
    lock_on_postgres(conn, LOCK_STUDY, &study_id)?;
    let image_insert = diesel::insert_into(dicom_images::table)
        .values(NewImageRow::new(new, &study_id, &series_id, &at)?)
        .on_conflict(dicom_images::sop_instance_uid)
        .do_nothing();
    if on_backend!(conn, |c| image_insert.execute(c))? == 0 {
        let existing: ImageRow = dicom_images::table
            .filter(dicom_images::sop_instance_uid.eq(uids.sop_instance_uid.as_str()))
            .select(ImageRow::as_select())
            .get_result(conn)?;
        return Err(Abort::Duplicate(Box::new(existing)));
    }
    diesel::update(dicom_series::table.filter(dicom_series::series_id.eq(&series_id)))
        .set(dicom_series::image_count.eq(dicom_series::image_count + 1))
        .execute(conn)?;
    // Read after the lock: the counts and modalities are those of every instance committed.
    let study = study_row(conn, &study_id)?
        .ok_or_else(|| domain::Error::internal("an indexed study cannot be read back"))?;
    let update = StudyUpdate::new(study, new, series_created, &at)?;
    diesel::update(dicom_studies::table.filter(dicom_studies::study_id.eq(&study_id)))
        .set(&update)
        .execute(conn)?;
    diesel::delete(blob_trash::table.filter(blob_trash::blob_key.eq(new.blob.key.as_str())))
        .execute(conn)?;
    insert_audit(conn, audit)?;
    publish_clinic(conn, event)?;
    Ok(image_row(conn, &id_text(new.id))?)
}

/// The studies `filter` selects, unordered and unpaged, for the list and its total.
fn matching(filter: &StudyFilter) -> dicom_studies::BoxedQuery<'static, MultiBackend> {
    let mut q = dicom_studies::table.into_boxed();
    if let Some(patient) = filter.patient_id {
        q = q.filter(dicom_studies::patient_id.eq(id_text(patient)));
    }
    if let Some(range) = filter.date {
        // Dates are `YYYY-MM-DD` text, whose order is date order; a study without a date is in
        // no range.
        if let Some(from) = range.from {
            q = q.filter(dicom_studies::study_date.ge(date_text(from)));
        }
        if let Some(to) = range.to {
            q = q.filter(dicom_studies::study_date.le(date_text(to)));
        }
    }
    if let Some(modality) = &filter.modality {
        q = q.filter(exists(
            dicom_series::table
                .filter(dicom_series::study_id.eq(dicom_studies::study_id))
                .filter(dicom_series::modality.eq(modality.clone())),
        ));
    }
    q
}

impl ImagingRepository for Store {
    fn link<'a>(
        &self,
        mrn: Option<&'a str>,
        accession: Option<&'a str>,
    ) -> domain::Result<(Option<PatientId>, Option<AppointmentId>)> {
        use crate::schema::{appointments, patients};
        let (patient, appointment) = self.with_conn(|conn| {
            // Soft-deleted patients too: their images are still theirs.
            let patient: Option<String> = match mrn {
                Some(mrn) => patients::table
                    .filter(patients::mrn.eq(mrn))
                    .select(patients::patient_id)
                    .get_result(conn)
                    .optional()?,
                None => None,
            };
            let appointment: Option<String> = match accession {
                Some(accession) => appointments::table
                    .filter(appointments::accession_number.eq(accession))
                    .select(appointments::appointment_id)
                    .get_result(conn)
                    .optional()?,
                None => None,
            };
            Ok((patient, appointment))
        })?;
        Ok((
            patient.as_deref().map(parse_id).transpose()?,
            appointment.as_deref().map(parse_id).transpose()?,
        ))
    }

    fn reserve_blob(&self, key: &BlobKey, due: OffsetDateTime) -> domain::Result<()> {
        let key = key.as_str().to_owned();
        let due = timestamp(due);
        Ok(self.with_conn(|db| write_transaction(db, |conn| trash(conn, &[key], &due)))?)
    }

    fn store_instance(
        &self,
        new: &NewInstance,
        audit: &AuditEntry,
        event: &ClinicEvent,
    ) -> domain::Result<Stored> {
        let outcome =
            self.with_conn(|db| Ok(write_transaction(db, |conn| index(conn, new, audit, event))))?;
        match outcome {
            Ok(Some(row)) => Ok(Stored::New(Image::try_from(row)?)),
            Ok(None) => Err(domain::Error::internal(
                "an indexed instance cannot be read back",
            )),
            Err(Abort::Duplicate(row)) => Ok(Stored::Duplicate(Image::try_from(*row)?)),
            Err(Abort::Store(e)) => Err(e.into()),
            Err(Abort::Domain(e)) => Err(e),
        }
    }

    fn list_studies(&self, filter: &StudyFilter, page: PageRequest) -> domain::Result<Page<Study>> {
        let (rows, total) = self.with_conn(|conn| {
            // Newest first, studies without a date last on both backends (SQLite would put them
            // last anyway, PostgreSQL first); the indexes are declared in this order, so a page
            // is read off one of them.
            let rows: Vec<StudyRow> = matching(filter)
                .order((
                    sql::<Nullable<diesel::sql_types::Text>>(
                        "dicom_studies.study_date DESC NULLS LAST",
                    ),
                    dicom_studies::created_at.desc(),
                    dicom_studies::study_id.desc(),
                ))
                .limit(page.limit())
                .offset(page.offset())
                .select(StudyRow::as_select())
                .load(conn)?;
            let total: i64 = matching(filter).select(count_star()).get_result(conn)?;
            Ok((rows, total))
        })?;
        Ok(Page {
            items: rows
                .into_iter()
                .map(Study::try_from)
                .collect::<domain::Result<_>>()?,
            total: count(total),
            request: page,
        })
    }

    fn find_study(&self, id: StudyId) -> domain::Result<Option<StudyDetails>> {
        let id = id_text(id);
        let found = self.with_conn(|conn| {
            let Some(study) = study_row(conn, &id)? else {
                return Ok(None);
            };
            let series: Vec<SeriesRow> = dicom_series::table
                .filter(dicom_series::study_id.eq(&id))
                .select(SeriesRow::as_select())
                .load(conn)?;
            Ok(Some((study, series)))
        })?;
        let Some((study, series)) = found else {
            return Ok(None);
        };
        let mut series: Vec<Series> = series
            .into_iter()
            .map(Series::try_from)
            .collect::<domain::Result<_>>()?;
        // Numbered series first, by number, then by arrival: the backends order NULLs differently,
        // and a study has few series.
        series.sort_by_key(|s| (s.number.is_none(), s.number, s.created_at, s.id));
        Ok(Some(StudyDetails {
            study: Study::try_from(study)?,
            series,
        }))
    }

    fn study_images(&self, id: StudyId, page: PageRequest) -> domain::Result<Page<Image>> {
        let id = id_text(id);
        let (rows, total) = self.with_conn(|conn| {
            // `x IS NULL` first puts unnumbered series and instances last on both backends.
            let rows: Vec<ImageRow> = dicom_images::table
                .inner_join(dicom_series::table)
                .filter(dicom_images::study_id.eq(&id))
                .order((
                    dicom_series::series_number.is_null(),
                    dicom_series::series_number,
                    dicom_images::instance_number.is_null(),
                    dicom_images::instance_number,
                    dicom_images::received_at,
                    dicom_images::image_id,
                ))
                .limit(page.limit())
                .offset(page.offset())
                .select(ImageRow::as_select())
                .load(conn)?;
            let total: i64 = dicom_images::table
                .filter(dicom_images::study_id.eq(&id))
                .select(count_star())
                .get_result(conn)?;
            Ok((rows, total))
        })?;
        Ok(Page {
            items: rows
                .into_iter()
                .map(Image::try_from)
                .collect::<domain::Result<_>>()?,
            total: count(total),
            request: page,
        })
    }

    fn find_image(&self, id: ImageId) -> domain::Result<Option<Image>> {
        let row = self.with_conn(|conn| image_row(conn, &id_text(id)))?;
        row.map(Image::try_from).transpose()
    }

    fn thumbnail(&self, id: ImageId, size: u32) -> domain::Result<Option<BlobKey>> {
        // No thumbnail is ever recorded with a size beyond the column's range.
        let Ok(size) = i32::try_from(size) else {
            return Ok(None);
        };
        let key: Option<String> = self.with_conn(|conn| {
            Ok(dicom_thumbnails::table
                .filter(dicom_thumbnails::image_id.eq(id_text(id)))
                .filter(dicom_thumbnails::size.eq(size))
                .select(dicom_thumbnails::blob_key)
                .get_result(conn)
                .optional()?)
        })?;
        key.as_deref().map(BlobKey::parse).transpose()
    }

    fn save_thumbnail(&self, id: ImageId, size: u32, key: &BlobKey) -> domain::Result<bool> {
        let size = i32::try_from(size)
            .map_err(|_| domain::Error::internal(format!("a thumbnail of {size} pixels")))?;
        let id = id_text(id);
        Ok(self.with_conn(|db| {
            write_transaction(db, |conn| {
                lock_on_postgres(conn, LOCK_IMAGE_SHARE, &id)?;
                let image: i64 = dicom_images::table
                    .filter(dicom_images::image_id.eq(&id))
                    .select(count_star())
                    .get_result(conn)?;
                if image == 0 {
                    return Ok::<_, StoreError>(false);
                }
                // Two renderings of one size racing: the first recorded stays, and the other's
                // key stays on the trash list, to be swept like any file never indexed.
                let insert = diesel::insert_into(dicom_thumbnails::table)
                    .values((
                        dicom_thumbnails::image_id.eq(&id),
                        dicom_thumbnails::size.eq(size),
                        dicom_thumbnails::blob_key.eq(key.as_str()),
                    ))
                    .on_conflict((dicom_thumbnails::image_id, dicom_thumbnails::size))
                    .do_nothing();
                if on_backend!(conn, |c| insert.execute(c))? > 0 {
                    diesel::delete(blob_trash::table.filter(blob_trash::blob_key.eq(key.as_str())))
                        .execute(conn)?;
                }
                Ok(true)
            })
        })?)
    }

    fn delete_study(
        &self,
        id: StudyId,
        at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> domain::Result<Option<Vec<BlobKey>>> {
        let id = id_text(id);
        let due = timestamp(at);
        let keys = self.with_conn(|db| {
            write_transaction(db, |conn| {
                lock_on_postgres(conn, LOCK_STUDY, &id)?;
                if study_row(conn, &id)?.is_none() {
                    return Ok::<_, StoreError>(None);
                }
                lock_on_postgres(conn, LOCK_STUDY_IMAGES, &id)?;
                let images = dicom_images::table
                    .filter(dicom_images::study_id.eq(&id))
                    .select(dicom_images::image_id);
                // The keys come from the deletes themselves: nothing removed escapes the trash.
                let mut keys: Vec<String> = diesel::delete(
                    dicom_thumbnails::table.filter(dicom_thumbnails::image_id.eq_any(images)),
                )
                .returning(dicom_thumbnails::blob_key)
                .get_results(conn)?;
                let image_keys: Vec<String> =
                    diesel::delete(dicom_images::table.filter(dicom_images::study_id.eq(&id)))
                        .returning(dicom_images::blob_key)
                        .get_results(conn)?;
                keys.extend(image_keys);
                diesel::delete(dicom_series::table.filter(dicom_series::study_id.eq(&id)))
                    .execute(conn)?;
                diesel::delete(dicom_studies::table.filter(dicom_studies::study_id.eq(&id)))
                    .execute(conn)?;
                trash(conn, &keys, &due)?;
                insert_audit(conn, audit)?;
                Ok(Some(keys))
            })
        })?;
        keys.map(blob_keys).transpose()
    }

    fn search_studies(&self, query: &QidoQuery) -> domain::Result<Vec<Study>> {
        let rows = self.with_conn(|conn| super::qido::studies(conn, query))?;
        rows.into_iter().map(Study::try_from).collect()
    }

    fn search_series(&self, query: &QidoQuery) -> domain::Result<Vec<(Study, Series)>> {
        let rows = self.with_conn(|conn| super::qido::series(conn, query))?;
        super::qido::pair_series(rows)
    }

    fn search_instances(&self, query: &QidoQuery) -> domain::Result<Vec<(Study, Series, Image)>> {
        let rows = self.with_conn(|conn| super::qido::instances(conn, query))?;
        super::qido::triple_instances(rows)
    }

    fn trash_due(&self, now: OffsetDateTime, limit: u32) -> domain::Result<Vec<BlobKey>> {
        let now = timestamp(now);
        let keys: Vec<String> = self.with_conn(|conn| {
            Ok(blob_trash::table
                .filter(blob_trash::due_at.le(&now))
                .order((blob_trash::due_at, blob_trash::blob_key))
                .limit(i64::from(limit))
                .select(blob_trash::blob_key)
                .load(conn)?)
        })?;
        blob_keys(keys)
    }

    fn forget_trash(&self, keys: &[BlobKey]) -> domain::Result<()> {
        let keys: Vec<&str> = keys.iter().map(BlobKey::as_str).collect();
        Ok(self.with_conn(|db| write_transaction(db, |conn| untrash(conn, &keys)))?)
    }
}
