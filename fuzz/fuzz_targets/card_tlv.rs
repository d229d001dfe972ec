//! The card's basic-4 file (BER-TLV) through the pure parser (see `onshi_fuzz::card_tlv`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    onshi_fuzz::card_tlv(data);
});
