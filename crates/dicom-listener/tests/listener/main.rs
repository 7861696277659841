//! The listener driven by real DCMTK tools (`echoscu`, `storescu`, `findscu`, `dump2dcm`), and
//! by hand-made hostile peers.

#![cfg(test)]

mod associations;
mod hostile;
mod store;
mod support;
mod worklist;
