//! The server: configuration, wiring and command line. The only crate that knows every adapter.

mod blobs;
pub mod clinic_load;
pub mod config;
pub mod documents;
pub mod ehealth;
pub mod imaging;
pub mod keys;
pub mod load;
pub mod registry;
pub mod seed;
mod wiring;

pub use wiring::{Background, Platform, dispatcher, open};
