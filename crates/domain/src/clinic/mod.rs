//! The clinic system: patients, appointments, imaging and reports.
//!
//! Its entities and services arrive with the clinic capability; the module exists so that the
//! context has its own home from the start.
