CREATE INDEX second_opinions_doctor ON second_opinions (doctor_id, active, is_coordinator, created_date);
DROP INDEX second_opinions_doctor_order;
