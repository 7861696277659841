-- Appointment lists are ordered by date, time and then id (so that pages never overlap). The
-- indexes of the clinic migration end at time, which leaves the database sorting every matching
-- row before it can return one page; with the id as their last column each filter (none, date,
-- patient, doctor, status) reads one page straight off its index, at any number of appointments.
DROP INDEX appointments_day;
DROP INDEX appointments_patient;
DROP INDEX appointments_doctor;
DROP INDEX appointments_status;

CREATE INDEX appointments_day ON appointments (date, time, appointment_id);
CREATE INDEX appointments_patient ON appointments (patient_id, date, time, appointment_id);
CREATE INDEX appointments_doctor ON appointments (doctor_id, date, time, appointment_id);
CREATE INDEX appointments_status ON appointments (status, date, time, appointment_id);
