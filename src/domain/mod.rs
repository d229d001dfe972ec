//! Pure rules of the declaration: no I/O, no clock (callers pass "today").

pub mod claim;
pub mod code;
pub mod copay;
pub mod era;
pub mod input;
pub mod insurer;
pub mod kana;
pub mod phone;
pub mod problem;
pub mod procedure;
pub mod record;
pub mod search;
pub mod text;
pub mod validate;
