-- Patient search by index: every term a patient is found by (each folded word of the names and
-- the national id, the MRN and its digits, the runs of the phone's digits; see
-- `domain::clinic::search`), one row each, kept in the transaction of every patient write. A query
-- word matches the terms it starts, a range of the primary key, instead of a `LIKE '%…%'` scan of
-- every patient's search text. Soft-deleted patients have no terms.
CREATE TABLE patient_search_terms (
    term TEXT NOT NULL,
    patient_id TEXT NOT NULL REFERENCES patients (patient_id) ON DELETE CASCADE,
    PRIMARY KEY (term, patient_id)
);

-- A patient's terms, to replace them on an update and remove them on a delete.
CREATE INDEX patient_search_terms_patient ON patient_search_terms (patient_id);

-- Patients already stored are found by the words of their search text (already folded) until
-- their next write stores their full terms (word pieces, MRN digits, phone runs).
WITH RECURSIVE split(patient_id, word, rest) AS (
    SELECT patient_id, '', search_text || ' ' FROM patients WHERE deleted_at IS NULL
    UNION ALL
    SELECT patient_id, substr(rest, 1, instr(rest, ' ') - 1), substr(rest, instr(rest, ' ') + 1)
    FROM split WHERE rest <> ''
)
INSERT INTO patient_search_terms (term, patient_id)
SELECT DISTINCT word, patient_id FROM split WHERE word <> '';

-- The patient list is ordered by created_at, then id, over the patients not soft-deleted. An index
-- on (deleted_at, created_at) leaves PostgreSQL sorting every patient for one page (it does not
-- take `IS NULL` as an equality that orders the rest); a partial index over the live patients, in
-- the list's order, is read a page at a time on both backends.
DROP INDEX patients_order;
CREATE INDEX patients_order ON patients (created_at, patient_id) WHERE deleted_at IS NULL;
