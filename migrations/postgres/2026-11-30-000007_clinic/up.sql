-- The clinic: staff accounts and the tokens they were issued, patients (with their medical record
-- numbers), appointments and every status change of each, reports, and the audit log. Same
-- conventions as the first migration: ids are UUIDs as text, timestamps fixed-width RFC 3339 text,
-- dates `YYYY-MM-DD` text, JSON documents text, codes (statuses, roles) as the domain writes them.

-- Staff accounts ([003] calls them admins).
CREATE TABLE staff_accounts (
    staff_id TEXT PRIMARY KEY NOT NULL,
    -- As the account was created.
    username TEXT NOT NULL,
    -- Lowercased: usernames are unique whatever their case.
    username_key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_ar TEXT NULL,
    -- Role codes, sorted, comma-separated (`admin,doctor`).
    roles TEXT NOT NULL,
    is_active BOOLEAN NOT NULL,
    -- The second-opinion provider (`EMP…`) this account is, if any.
    provider_id TEXT NULL,
    -- Argon2id, in the PHC string format.
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE INDEX staff_accounts_order ON staff_accounts (created_at);

-- Tokens issued by logging in, so that deactivating an account or changing its password can end
-- them all at once.
CREATE TABLE staff_tokens (
    jti TEXT PRIMARY KEY NOT NULL,
    staff_id TEXT NOT NULL REFERENCES staff_accounts (staff_id) ON DELETE CASCADE,
    -- Unix seconds.
    expires_at BIGINT NOT NULL,
    issued_at TEXT NOT NULL
);

CREATE INDEX staff_tokens_staff ON staff_tokens (staff_id, expires_at);

-- Named counters (the last medical record number given), bumped inside the writing transaction.
CREATE TABLE clinic_counters (
    name TEXT PRIMARY KEY NOT NULL,
    value BIGINT NOT NULL
);

INSERT INTO clinic_counters (name, value) VALUES ('mrn', 0), ('accession', 0);

CREATE TABLE patients (
    patient_id TEXT PRIMARY KEY NOT NULL,
    -- Medical record number: generated, unique, the Patient ID images arrive with.
    mrn TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_ar TEXT NULL,
    birth_date TEXT NULL,
    sex TEXT NULL,
    phone TEXT NULL,
    national_id TEXT NULL,
    address TEXT NULL,
    -- Names, phone, MRN and national id folded (lowercase, accents and Arabic diacritics removed),
    -- space-separated: what search matches against.
    search_text TEXT NOT NULL,
    -- Set by a soft delete: the patient leaves lists and search, and keeps its records.
    deleted_at TEXT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE INDEX patients_order ON patients (deleted_at, created_at);
CREATE INDEX patients_phone ON patients (phone);
CREATE INDEX patients_national_id ON patients (national_id);

CREATE TABLE appointments (
    appointment_id TEXT PRIMARY KEY NOT NULL,
    patient_id TEXT NOT NULL REFERENCES patients (patient_id),
    -- A staff account holding the `doctor` role.
    doctor_id TEXT NOT NULL REFERENCES staff_accounts (staff_id),
    -- `YYYY-MM-DD` and `HH:MM`, the clinic's wall clock.
    date TEXT NOT NULL,
    time TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL,
    department TEXT NULL,
    notes TEXT NULL,
    status TEXT NOT NULL,
    -- What a modality sends back as Accession Number, linking images to the appointment.
    accession_number TEXT NOT NULL UNIQUE,
    -- Bumped by every write; a write names the version it read.
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE INDEX appointments_day ON appointments (date, time);
CREATE INDEX appointments_patient ON appointments (patient_id, date, time);
CREATE INDEX appointments_doctor ON appointments (doctor_id, date, time);
CREATE INDEX appointments_status ON appointments (status, date, time);

-- Every status an appointment took, who set it and when (the first row is its creation).
CREATE TABLE appointment_history (
    appointment_id TEXT NOT NULL REFERENCES appointments (appointment_id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    from_status TEXT NULL,
    to_status TEXT NOT NULL,
    -- A staff id, or `dicom` when images moved it.
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    PRIMARY KEY (appointment_id, seq)
);

CREATE TABLE clinic_reports (
    report_id TEXT PRIMARY KEY NOT NULL,
    patient_id TEXT NOT NULL REFERENCES patients (patient_id),
    -- The imaging study reported on (a Study Instance UID), when there is one.
    study_id TEXT NULL,
    -- The doctor who wrote it.
    doctor_id TEXT NOT NULL REFERENCES staff_accounts (staff_id),
    findings TEXT NOT NULL,
    impression TEXT NOT NULL,
    -- JSON: `[{"name", "value", "unit"}]`.
    measurements TEXT NOT NULL,
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    finalized_at TEXT NULL,
    finalized_by TEXT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE INDEX clinic_reports_order ON clinic_reports (created_at);
CREATE INDEX clinic_reports_patient ON clinic_reports (patient_id, created_at);
CREATE INDEX clinic_reports_doctor ON clinic_reports (doctor_id, created_at);

-- Who read or wrote which patient's data. Only ever inserted into; no route changes or deletes a
-- row, and a patient's hard delete keeps its entries (hence no foreign key).
CREATE TABLE audit_log (
    audit_id TEXT PRIMARY KEY NOT NULL,
    at TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    -- `patient.read`, `appointment.update`, ...
    action TEXT NOT NULL,
    patient_id TEXT NULL,
    -- `patient`, `appointment`, `report`, `staff`, ...
    object_type TEXT NOT NULL,
    object_id TEXT NULL,
    request_id TEXT NULL
);

CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_patient ON audit_log (patient_id, at);
CREATE INDEX audit_log_actor ON audit_log (actor_id, at);
