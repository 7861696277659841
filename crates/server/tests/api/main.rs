//! End-to-end tests: the real server on loopback, on SQLite and (when `TEST_DATABASE_URL` is set)
//! PostgreSQL.

#![cfg(test)]

mod admin;
mod auth;
mod authorization;
mod blob_s3;
mod cases;
mod catalogue;
mod cli;
mod clinic_authorization;
mod clinic_events;
mod clinic_imaging;
mod clinic_imaging_files;
mod clinic_patients;
mod clinic_reports;
mod clinic_staff;
mod dcmtk;
mod declarations;
mod declarations_cli;
mod declarations_flows;
mod dicomweb;
mod documents;
mod errors;
mod flow;
mod helpers;
mod instances;
mod languages;
mod metrics;
mod reminders;
mod viewer;
mod ws_client;
