-- Imaging: the study index (study → series → instance, with what each adds up to), cached
-- thumbnails, the blob trash list that keeps files and rows consistent, and the published modality
-- worklist. Same conventions as the clinic migration: ids are UUIDs as text, timestamps fixed-width
-- RFC 3339 text, dates `YYYY-MM-DD` text, DICOM UIDs as text.

CREATE TABLE dicom_studies (
    study_id TEXT PRIMARY KEY NOT NULL,
    study_instance_uid TEXT NOT NULL UNIQUE,
    -- The clinic patient whose MRN the images carry, and the appointment whose accession number
    -- they carry; filled by the first instance that links them.
    patient_id TEXT NULL REFERENCES patients (patient_id),
    appointment_id TEXT NULL REFERENCES appointments (appointment_id),
    -- The tags as the first instance carrying each said; text as the file holds it.
    dicom_patient_id TEXT NULL,
    patient_name TEXT NULL,
    patient_birth_date TEXT NULL,
    patient_sex TEXT NULL,
    study_date TEXT NULL,
    study_time TEXT NULL,
    description TEXT NULL,
    accession_number TEXT NULL,
    referring_physician TEXT NULL,
    -- The distinct modalities of its instances, sorted, DICOM-style backslash-separated (`CT\US`);
    -- empty when none said.
    modalities TEXT NOT NULL,
    series_count INTEGER NOT NULL,
    image_count INTEGER NOT NULL,
    size_bytes BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- The study list runs newest first (study date, studies without one last, then creation, then id),
-- of all studies or of one patient's: each reads its page straight off one of these. SQLite sorts
-- NULL below every value, so a descending walk already puts studies without a date last.
CREATE INDEX dicom_studies_patient ON dicom_studies (patient_id, study_date DESC, created_at DESC, study_id DESC);
CREATE INDEX dicom_studies_order ON dicom_studies (study_date DESC, created_at DESC, study_id DESC);

CREATE TABLE dicom_series (
    series_id TEXT PRIMARY KEY NOT NULL,
    series_instance_uid TEXT NOT NULL UNIQUE,
    study_id TEXT NOT NULL REFERENCES dicom_studies (study_id),
    modality TEXT NULL,
    body_part TEXT NULL,
    description TEXT NULL,
    series_number INTEGER NULL,
    image_count INTEGER NOT NULL,
    created_at TEXT NOT NULL
);

-- A study's series, by number then arrival.
CREATE INDEX dicom_series_study ON dicom_series (study_id, series_number, created_at);

CREATE TABLE dicom_images (
    image_id TEXT PRIMARY KEY NOT NULL,
    sop_instance_uid TEXT NOT NULL UNIQUE,
    series_id TEXT NOT NULL REFERENCES dicom_series (series_id),
    study_id TEXT NOT NULL REFERENCES dicom_studies (study_id),
    patient_id TEXT NULL REFERENCES patients (patient_id),
    sop_class_uid TEXT NOT NULL,
    transfer_syntax_uid TEXT NOT NULL,
    instance_number INTEGER NULL,
    -- (0028,0010) Rows, (0028,0011) Columns, (0028,0008) Number of Frames.
    pixel_rows BIGINT NULL,
    pixel_columns BIGINT NULL,
    frames BIGINT NULL,
    has_pixels BOOLEAN NOT NULL,
    photometric_interpretation TEXT NULL,
    size_bytes BIGINT NOT NULL,
    -- Lowercase hex.
    sha256 TEXT NOT NULL,
    blob_key TEXT NOT NULL,
    -- `dicom` (C-STORE) or `upload`.
    arrival TEXT NOT NULL,
    -- The calling AE title, or the staff account that uploaded it.
    received_by TEXT NOT NULL,
    received_at TEXT NOT NULL
);

-- A study's instances in viewing order; also what a study's delete reads.
CREATE INDEX dicom_images_study ON dicom_images (study_id, series_id, instance_number);
-- The foreign keys' other side: removing a series or a patient looks its instances up by these.
CREATE INDEX dicom_images_series ON dicom_images (series_id);
CREATE INDEX dicom_images_patient ON dicom_images (patient_id);

-- Cached renderings of an instance, one per long side asked for.
CREATE TABLE dicom_thumbnails (
    image_id TEXT NOT NULL REFERENCES dicom_images (image_id),
    size INTEGER NOT NULL,
    blob_key TEXT NOT NULL,
    PRIMARY KEY (image_id, size)
);

-- Blob keys whose bytes are to be deleted once due: reserved before a file is written (taken off
-- when the file is indexed), or left by a study's delete. A sweeper deletes what is due.
CREATE TABLE blob_trash (
    blob_key TEXT PRIMARY KEY NOT NULL,
    due_at TEXT NOT NULL
);

CREATE INDEX blob_trash_due ON blob_trash (due_at);

-- The modality worklist as published: one scheduled procedure step per appointment (or per
-- patient, published without an appointment).
CREATE TABLE dicom_worklist (
    worklist_id TEXT PRIMARY KEY NOT NULL,
    appointment_id TEXT NULL UNIQUE REFERENCES appointments (appointment_id),
    patient_id TEXT NOT NULL REFERENCES patients (patient_id),
    patient_name TEXT NOT NULL,
    patient_mrn TEXT NOT NULL,
    patient_birth_date TEXT NULL,
    patient_sex TEXT NULL,
    accession_number TEXT NOT NULL,
    requested_procedure_id TEXT NOT NULL,
    requested_procedure_description TEXT NULL,
    -- Pre-assigned, kept by a re-publication: a modality may already hold it.
    study_instance_uid TEXT NOT NULL,
    scheduled_step_id TEXT NOT NULL,
    modality TEXT NOT NULL,
    station_ae_title TEXT NULL,
    -- `YYYY-MM-DD` and `HH:MM:SS`.
    start_date TEXT NOT NULL,
    start_time TEXT NOT NULL,
    step_description TEXT NULL,
    performing_physician TEXT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);

-- The active list, in its order; a patient's entries, for the patient's hard delete.
CREATE INDEX dicom_worklist_start ON dicom_worklist (start_date, start_time, worklist_id);
CREATE INDEX dicom_worklist_patient ON dicom_worklist (patient_id);
