DROP TABLE payment_events;
DROP TABLE payments;

DROP INDEX review_cases_status_created;
DROP INDEX review_cases_created;
ALTER TABLE review_cases DROP COLUMN report_key_ar;
ALTER TABLE review_cases DROP COLUMN report_key_en;
ALTER TABLE review_cases DROP COLUMN completed_date;
ALTER TABLE review_cases DROP COLUMN summary;
ALTER TABLE review_cases DROP COLUMN doctors_assigned_date;

DROP INDEX second_opinions_active_doctor;
DROP INDEX second_opinions_one_coordinator;
ALTER TABLE second_opinions DROP COLUMN opinion_date;
ALTER TABLE second_opinions DROP COLUMN opinion;
ALTER TABLE second_opinions DROP COLUMN answered_date;
ALTER TABLE second_opinions DROP COLUMN requested_date;

DROP TABLE sop_doctors;
DROP TABLE case_coordinators;
DROP TABLE providers;
