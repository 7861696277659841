//! The store against real databases: every test runs on SQLite, and on PostgreSQL too when
//! `TEST_DATABASE_URL` is set, each backend as a test of its own (`<test>::sqlite`,
//! `<test>::postgres`).

// Marks the helpers below as test code too, for the lints that allow `unwrap` in tests.
#![cfg(test)]

#[macro_use]
mod support;
mod fixtures;

mod assignments;
mod case_list;
mod cases;
mod catalogue;
mod clinic_load;
mod clinic_patients;
mod clinic_plans;
mod clinic_reports;
mod clinic_staff;
mod commit;
mod connect;
mod contacts;
mod declarations;
mod declarations_chain;
mod declarations_fixtures;
mod declarations_registry;
mod documents;
mod imaging;
mod imaging_fixtures;
mod imaging_plans;
mod load;
mod memory;
mod migrations;
mod outbox;
mod parity;
mod payments;
mod plans;
mod providers;
mod qido;
mod reminders;
mod revocation;
mod worklist;
