DROP TABLE audit_log;
DROP TABLE clinic_reports;
DROP TABLE appointment_history;
DROP TABLE appointments;
DROP TABLE patients;
DROP TABLE clinic_counters;
DROP TABLE staff_tokens;
DROP TABLE staff_accounts;
