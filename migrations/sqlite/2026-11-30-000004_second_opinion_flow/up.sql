-- The rest of the second opinion: the providers who coordinate cases and give opinions, and which
-- disease categories each may take; their assignments' requests and opinions; the case's summary and
-- report; and its payment. Same conventions as the first migration: ids are text (UUIDs, or the
-- identity provider's ids for people), timestamps fixed-width RFC 3339 text, money minor units.

-- A doctor known to the service, under the id their identity provider gives (`EMP1`).
CREATE TABLE providers (
    provider_id TEXT PRIMARY KEY NOT NULL,
    name_en TEXT NOT NULL,
    name_ar TEXT NOT NULL,
    speciality_en TEXT NOT NULL,
    speciality_ar TEXT NOT NULL,
    email TEXT NULL,
    phone TEXT NULL,
    -- The language their notifications are written in.
    lang TEXT NOT NULL DEFAULT 'en',
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_date TEXT NOT NULL,
    updated_date TEXT NOT NULL
);

-- Who may coordinate cases of a disease category.
CREATE TABLE case_coordinators (
    provider_id TEXT NOT NULL REFERENCES providers (provider_id),
    dc_id TEXT NOT NULL REFERENCES disease_categories (dc_id),
    PRIMARY KEY (provider_id, dc_id)
);

-- The eligible providers of a category (the primary key serves a provider's own grants).
CREATE INDEX case_coordinators_dc ON case_coordinators (dc_id);

-- Who may give an opinion on cases of a disease category.
CREATE TABLE sop_doctors (
    provider_id TEXT NOT NULL REFERENCES providers (provider_id),
    dc_id TEXT NOT NULL REFERENCES disease_categories (dc_id),
    PRIMARY KEY (provider_id, dc_id)
);

CREATE INDEX sop_doctors_dc ON sop_doctors (dc_id);

-- What a provider asked the patient for and when, when the patient answered, and the opinion.
ALTER TABLE second_opinions ADD COLUMN requested_date TEXT NULL;
ALTER TABLE second_opinions ADD COLUMN answered_date TEXT NULL;
ALTER TABLE second_opinions ADD COLUMN opinion TEXT NULL;
ALTER TABLE second_opinions ADD COLUMN opinion_date TEXT NULL;

-- One active coordinator per case, and a provider at most once actively on a case: under any
-- concurrency, a second one fails its whole transaction. Replaced coordinators stay, inactive.
CREATE UNIQUE INDEX second_opinions_one_coordinator ON second_opinions (case_id)
    WHERE active AND is_coordinator;
CREATE UNIQUE INDEX second_opinions_active_doctor ON second_opinions (case_id, doctor_id)
    WHERE active;

-- When the first specialist was assigned, the coordinator's summary, and the report's blobs.
ALTER TABLE review_cases ADD COLUMN doctors_assigned_date TEXT NULL;
ALTER TABLE review_cases ADD COLUMN summary TEXT NULL;
ALTER TABLE review_cases ADD COLUMN completed_date TEXT NULL;
-- Both or neither.
ALTER TABLE review_cases ADD COLUMN report_key_en TEXT NULL;
ALTER TABLE review_cases ADD COLUMN report_key_ar TEXT NULL;

-- The administrators' list, newest first: all cases, or those of one status, walked backwards.
CREATE INDEX review_cases_created ON review_cases (created_date, case_id);
CREATE INDEX review_cases_status_created ON review_cases (status, created_date, case_id);

-- A case's payment: one per case, kept across a coordinator change.
CREATE TABLE payments (
    payment_id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES review_cases (case_id),
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    -- The hosted payment page.
    url TEXT NOT NULL,
    created_date TEXT NOT NULL,
    paid_date TEXT NULL,
    -- `admin:<actor id>` or `provider:<webhook event id>`.
    paid_by TEXT NULL
);

-- A named index rather than a column constraint, so that it is called the same on both backends.
CREATE UNIQUE INDEX payments_case ON payments (case_id);

-- The payment provider's webhook events already applied, recorded in the transaction that applies
-- them: a second delivery of one fails on the primary key and changes nothing.
CREATE TABLE payment_events (
    event_id TEXT PRIMARY KEY NOT NULL,
    payment_id TEXT NOT NULL REFERENCES payments (payment_id),
    received_date TEXT NOT NULL
);
