//! The shared kernel: what every bounded context speaks.

pub mod blob;
pub mod code;
pub mod error;
pub mod health;
pub mod ids;
pub mod lang;
pub mod money;
pub mod paging;
pub mod report;
pub mod text;
pub mod time;
