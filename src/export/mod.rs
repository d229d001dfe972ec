//! Export encodings for the receipt side, as pure functions: CP932 for CSV files that
//! Windows receipt software reads, and a FHIR R4 Bundle (JP Core conventions).
//! `cli/export.rs` picks the records and writes the bytes.

pub mod cp932;
pub mod fhir;
pub mod spreadsheet;
