-- Documents: files patients upload for their second-opinion cases and files clinic staff upload for
-- a clinic patient. Same conventions as the clinic migrations: ids are UUIDs as text, timestamps
-- fixed-width RFC 3339 text. Bytes live in the blob store under `blob_key`; a key is on `blob_trash`
-- from before its bytes are written until the row that names it is inserted.

CREATE TABLE documents (
    document_id TEXT PRIMARY KEY NOT NULL,
    -- `app_user` (the mobile app's patient, by token subject) or `patient` (a clinic patient).
    owner_kind TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    -- The clinic patient, for a clinic document: what a patient's hard delete checks.
    patient_id TEXT NULL REFERENCES patients (patient_id),
    blob_key TEXT NOT NULL UNIQUE,
    -- The file name the client gave, kept as text for display and downloads, never as a path.
    name TEXT NOT NULL,
    -- A clinic document's title and kind (`referral`, `lab`, `imaging`, `consent`, `other`).
    title TEXT NULL,
    kind TEXT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    -- Lowercase hex.
    sha256 TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    -- Hidden by a delete at this time; the retention job removes the row and bytes later.
    deleted_at TEXT NULL
);

-- The same bytes are stored once per owner among live documents: a second upload finds the first by
-- this, and two concurrent ones cannot both insert.
CREATE UNIQUE INDEX documents_owner_bytes ON documents (owner_kind, owner_id, sha256) WHERE deleted_at IS NULL;
-- A patient's documents, newest first, read straight off the index.
CREATE INDEX documents_patient ON documents (patient_id, created_at DESC, document_id DESC);
-- What the retention job reads.
CREATE INDEX documents_hidden ON documents (deleted_at) WHERE deleted_at IS NOT NULL;
