//! The shared kernel: what every bounded context speaks.

pub mod error;
pub mod health;
pub mod ids;
pub mod lang;
pub mod paging;
pub mod time;
