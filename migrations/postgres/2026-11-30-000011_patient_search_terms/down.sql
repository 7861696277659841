DROP INDEX patients_order;
CREATE INDEX patients_order ON patients (deleted_at, created_at);
DROP TABLE patient_search_terms;
