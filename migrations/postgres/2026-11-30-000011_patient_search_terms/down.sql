DROP TABLE patient_search_terms;
