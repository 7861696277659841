//! National eHealth style declaration requests.
//!
//! Its entities and services arrive with the declarations capability; the module exists so that the
//! context has its own home from the start.
