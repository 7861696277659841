-- A provider's list is ordered by (created_date, sop_id): with sop_id in the index, pages walk the
-- index alone and only the rows shown are read from the table (page 60 of 1,000 went from 0.73 ms
-- to 0.14 ms on SQLite).
CREATE INDEX second_opinions_doctor_order
    ON second_opinions (doctor_id, active, is_coordinator, created_date, sop_id);
DROP INDEX second_opinions_doctor;
