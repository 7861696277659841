-- The catalogue patients pick from, and the revoked tokens list.
-- Ids are UUIDs as text and timestamps fixed-width RFC 3339 text (2026-11-23T12:00:00.000000Z), so
-- that both backends store, compare and sort them the same way.

CREATE TABLE review_types (
    review_type_id TEXT PRIMARY KEY NOT NULL,
    name_en TEXT NOT NULL,
    name_ar TEXT NOT NULL,
    description_en TEXT NOT NULL DEFAULT '',
    description_ar TEXT NOT NULL DEFAULT '',
    min_review_days INTEGER NOT NULL,
    max_review_days INTEGER NOT NULL,
    doctor_count INTEGER NOT NULL,
    price_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    icon TEXT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_date TEXT NOT NULL,
    updated_date TEXT NOT NULL
);

-- Names are unique per language; English ignoring ASCII case. Under the "C" collation lower() folds
-- ASCII letters only, exactly like SQLite's, so both backends accept and refuse the same names.
CREATE UNIQUE INDEX review_types_name_en_key ON review_types (lower(name_en COLLATE "C"));
CREATE UNIQUE INDEX review_types_name_ar_key ON review_types (name_ar);
-- The pickers and lists: active rows, newest first.
CREATE INDEX review_types_active_created ON review_types (active, created_date);

CREATE TABLE disease_categories (
    dc_id TEXT PRIMARY KEY NOT NULL,
    speciality_en TEXT NOT NULL,
    speciality_ar TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_date TEXT NOT NULL,
    updated_date TEXT NOT NULL
);

CREATE UNIQUE INDEX disease_categories_speciality_en_key ON disease_categories (lower(speciality_en COLLATE "C"));
CREATE UNIQUE INDEX disease_categories_speciality_ar_key ON disease_categories (speciality_ar);
CREATE INDEX disease_categories_active_created ON disease_categories (active, created_date);

-- A token id stays here until the token would have expired anyway (`expires_at`, Unix seconds).
CREATE TABLE revoked_tokens (
    jti TEXT PRIMARY KEY NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at TEXT NOT NULL
);

CREATE INDEX revoked_tokens_expires_at ON revoked_tokens (expires_at);
