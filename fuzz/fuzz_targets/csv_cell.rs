//! One CSV cell through the spreadsheet guard (see `onshi_fuzz::csv_cell`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    onshi_fuzz::csv_cell(data);
});
