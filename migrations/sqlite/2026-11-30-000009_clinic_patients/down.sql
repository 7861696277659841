DROP INDEX appointments_day;
DROP INDEX appointments_patient;
DROP INDEX appointments_doctor;
DROP INDEX appointments_status;

CREATE INDEX appointments_day ON appointments (date, time);
CREATE INDEX appointments_patient ON appointments (patient_id, date, time);
CREATE INDEX appointments_doctor ON appointments (doctor_id, date, time);
CREATE INDEX appointments_status ON appointments (status, date, time);
