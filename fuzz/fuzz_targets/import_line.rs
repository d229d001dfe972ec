//! One JSONL line through `onshi import`'s parse + validation (see `onshi_fuzz::import_line`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    onshi_fuzz::import_line(data);
});
