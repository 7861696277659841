-- Review cases with their timeline and the doctors' second opinions; the notification outbox and the
-- contact details notifications are sent to. Same conventions as the first migration: ids are UUIDs
-- as text, timestamps fixed-width RFC 3339 text, JSON documents text.

CREATE TABLE review_cases (
    case_id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL,
    rt_id TEXT NOT NULL REFERENCES review_types (review_type_id),
    dc_id TEXT NOT NULL REFERENCES disease_categories (dc_id),
    patient_age INTEGER NOT NULL,
    patient_gender TEXT NOT NULL,
    status TEXT NOT NULL,
    medical_history TEXT NULL,
    -- A JSON array of {"url", "key", "name"} objects.
    medical_documents TEXT NOT NULL DEFAULT '[]',
    reject_reason TEXT NULL,
    case_coordinator_id TEXT NULL,
    lang TEXT NOT NULL DEFAULT 'en',
    is_notified BOOLEAN NOT NULL DEFAULT FALSE,
    -- Bumped by every write; writes are conditional on it (optimistic concurrency).
    version BIGINT NOT NULL DEFAULT 1,
    created_date TEXT NOT NULL,
    updated_date TEXT NOT NULL
);

-- A patient's cases, newest first: the index is walked backwards from the user's newest case, so a
-- page costs its own size whatever the table holds.
CREATE INDEX review_cases_user_created ON review_cases (user_id, created_date, case_id);
-- The draft reminder run: old drafts whose reminder has not gone out, oldest first.
CREATE INDEX review_cases_reminder ON review_cases (status, is_notified, created_date);

-- A doctor's opinion on a case (or the coordinator's, with `is_coordinator`).
CREATE TABLE second_opinions (
    sop_id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES review_cases (case_id),
    doctor_id TEXT NOT NULL,
    -- A JSON array of the documents the doctor asked the patient for.
    requested_documents TEXT NOT NULL DEFAULT '[]',
    created_date TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    is_coordinator BOOLEAN NOT NULL DEFAULT FALSE
);

-- A doctor's active assignments, newest first.
CREATE INDEX second_opinions_doctor ON second_opinions (doctor_id, active, is_coordinator, created_date);
CREATE INDEX second_opinions_case ON second_opinions (case_id);

-- Who did what to a case, and the status it left the case in.
CREATE TABLE case_timeline (
    entry_id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES review_cases (case_id),
    actor_id TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    event TEXT NOT NULL,
    from_status TEXT NULL,
    to_status TEXT NULL,
    note TEXT NULL,
    created_date TEXT NOT NULL
);

CREATE INDEX case_timeline_case_created ON case_timeline (case_id, created_date);

-- Notifications to deliver, written in the transaction of the change that causes them. `case_id` has
-- no foreign key: a notification may concern something other than a case, or outlive one.
-- A dispatcher leases due messages (`locked_until`) while it delivers them.
CREATE TABLE notification_outbox (
    notification_id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    recipient_id TEXT NOT NULL,
    recipient_role TEXT NOT NULL,
    lang TEXT NOT NULL,
    case_id TEXT NULL,
    -- The template variables, a JSON object.
    data TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    -- A JSON array of the channels that already took the message.
    delivered_channels TEXT NOT NULL DEFAULT '[]',
    last_error TEXT NULL,
    next_attempt_at TEXT NOT NULL,
    locked_until TEXT NULL,
    created_date TEXT NOT NULL,
    delivered_date TEXT NULL
);

-- The dispatcher's claim: pending messages by due time.
CREATE INDEX notification_outbox_due ON notification_outbox (status, next_attempt_at);
CREATE INDEX notification_outbox_case ON notification_outbox (case_id);

-- How to reach a user, as they told us.
CREATE TABLE user_contacts (
    user_id TEXT PRIMARY KEY NOT NULL,
    email TEXT NULL,
    updated_date TEXT NOT NULL
);
