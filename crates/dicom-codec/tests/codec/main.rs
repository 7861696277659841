//! The codec against the real test files in `shared/testdata/dicom` and against DCMTK's `dcmdump`.

#![cfg(test)]

mod built;
mod dump;
mod inspect;
mod pixels;
mod robustness;
mod support;
mod thumbnail;
