//! Fuzz target bodies: bytes in, panics only on a broken invariant.
//!
//! Shared by the libFuzzer targets (`fuzz_targets/*.rs`, `cargo fuzz run NAME`) and the
//! bounded stable driver `tests/proptest_fuzz.rs`, which includes this file with `#[path]`.
//! Only `onshi`, `chrono` and `serde_json` are used, all of them onshi's own
//! dependencies, so the file compiles in both places.

use chrono::{DateTime, FixedOffset};
use onshi::card::face::{encode_basic4, file_len, parse_basic4, parse_header, MAX_FILE_LEN};
use onshi::domain::input::parse_line;
use onshi::domain::problem::FieldError;
use onshi::domain::record::{Record, Sex};
use onshi::domain::text::is_unsafe_char;
use onshi::domain::validate::{self, Context};
use onshi::export::spreadsheet::neutralize_cell;
use onshi::i18n::{describe_problem, describe_problem_redacted, Lang};

/// The clock and ids a fuzzed import runs with (fixed: the same input, the same result).
pub fn context() -> Context {
    Context {
        now: DateTime::<FixedOffset>::parse_from_rfc3339("2026-11-28T09:12:00+09:00")
            .expect("fixed time"),
        terminal_id: "reception-1".to_string(),
        operator: "佐藤".to_string(),
        new_id: "01JF0000000000000000000000".to_string(),
    }
}

/// Parse one line exactly as `onshi import` does (`domain::input::parse_line`), then
/// validate it.
pub fn parse_and_validate(line: &str, ctx: &Context) -> Result<Record, Vec<FieldError>> {
    let input = parse_line(line).map_err(|e| vec![e])?;
    validate::record(&input, ctx)
}

/// Bytes as `onshi import` would read them (lines split at `\n`, a trailing `\r` dropped,
/// blank lines skipped; a line that is not UTF-8 is rejected whole), each line checked.
/// Returns how many lines were accepted.
pub fn import_line(data: &[u8]) -> usize {
    let ctx = context();
    let mut accepted = 0;
    for raw in data.split(|b| *b == b'\n') {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let Ok(line) = std::str::from_utf8(raw) else {
            continue;
        };
        if line.trim().is_empty() {
            continue;
        }
        match parse_and_validate(line, &ctx) {
            Ok(rec) => {
                check_accepted(&rec, &ctx);
                accepted += 1;
            }
            Err(errors) => check_rejected(&errors),
        }
    }
    accepted
}

/// An accepted record is clean and stable: what export writes imports as the same record,
/// and validating it again changes nothing.
pub fn check_accepted(rec: &Record, ctx: &Context) {
    let json = serde_json::to_string(rec).expect("a record serialises");
    assert!(!json.contains('\n'), "one record, one line");
    let again = parse_and_validate(&json, ctx)
        .unwrap_or_else(|e| panic!("exported record does not re-import: {e:?}\n{json}"));
    assert_eq!(&again, rec, "re-import changed the record\n{json}");
    let via_input = validate::record(&validate::to_input(rec), ctx)
        .unwrap_or_else(|e| panic!("to_input does not validate: {e:?}\n{json}"));
    assert_eq!(&via_input, rec, "to_input round trip changed the record");
    let d = &rec.declaration;
    for (what, s) in [
        ("name", d.name.as_str()),
        ("name_kana", d.name_kana.as_str()),
        ("address", d.address.as_str()),
    ] {
        assert!(!s.is_empty(), "{what} is empty");
        assert!(
            !s.chars().any(is_unsafe_char),
            "{what} keeps an unsafe char: {s:?}"
        );
    }
    for s in [
        d.insurer_name.as_deref(),
        d.employer_name.as_deref(),
        d.issued_note.as_deref(),
        d.signer_relationship.as_deref(),
        d.phone.as_deref(),
        rec.incident.note.as_deref(),
        rec.void_reason.as_deref(),
    ]
    .into_iter()
    .flatten()
    {
        assert!(!s.chars().any(is_unsafe_char), "unsafe char kept: {s:?}");
    }
}

/// A rejection names at least one problem, every message can be shown safely, and the
/// messages import prints (redacted) and the field paths are the same whatever the
/// line's values were: nothing of the input is repeated.
pub fn check_rejected(errors: &[FieldError]) {
    assert!(!errors.is_empty(), "rejected without a reason");
    for e in errors {
        for lang in [Lang::Ja, Lang::En] {
            for msg in [
                describe_problem(&e.problem, lang),
                describe_problem_redacted(&e.problem, lang),
            ] {
                assert!(!msg.is_empty(), "empty message for {:?}", e.problem);
                assert!(
                    !msg.chars()
                        .any(|c| c == '\u{1b}' || c == '\u{7}' || c == '\u{9b}'),
                    "a message carries a terminal control character: {msg:?}"
                );
            }
        }
        assert!(
            e.field
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.[]".contains(&b)),
            "a field path that is not the record's own: {:?}",
            e.field
        );
    }
}

/// The card's basic-4 file: the parser never panics or reads out of bounds, a header it
/// accepts fits its own rules, and a face it accepts is clean and survives re-encoding.
pub fn card_tlv(data: &[u8]) {
    if let Ok(h) = parse_header(data) {
        // At most a 3-byte tag and an `82 LL LL` length.
        assert!(h.header_len >= 2 && h.header_len <= 6, "{h:?}");
        assert!(h.header_len <= data.len(), "{h:?}");
        assert!(h.value_len <= MAX_FILE_LEN, "{h:?}");
    }
    if let Ok(n) = file_len(data) {
        assert!(n <= MAX_FILE_LEN + 6);
    }
    let Ok(face) = parse_basic4(data) else {
        return;
    };
    for s in [&face.name, &face.address] {
        assert!(!s.is_empty());
        assert!(!s.chars().any(is_unsafe_char), "unsafe char kept: {s:?}");
    }
    let birth = face.birth_date.format("%Y%m%d").to_string();
    let sex: &[u8] = match face.sex {
        Some(Sex::Male) => b"1",
        Some(Sex::Female) => b"2",
        None => b"9",
    };
    let again = encode_basic4(
        face.name.as_bytes(),
        face.address.as_bytes(),
        birth.as_bytes(),
        sex,
    );
    let back = parse_basic4(&again).expect("a parsed face re-encodes to a parsable file");
    assert!(back == face, "re-encoded face differs");
}

/// A CSV cell through the spreadsheet guard (`export/spreadsheet.rs`): it is either left
/// exactly as it was — then a spreadsheet cannot read it as a formula (its first character
/// after leading spaces is no trigger, or it is a plain number) — or it gets one leading
/// `'` and nothing else changes.
pub fn csv_cell(data: &[u8]) {
    let cell = String::from_utf8_lossy(data);
    let out = neutralize_cell(&cell);
    let first = cell.trim_start_matches([' ', '\u{3000}']).chars().next();
    let trigger = first.is_some_and(|c| {
        matches!(
            c,
            '=' | '+' | '-' | '@' | '\t' | '\r' | '\u{FF1D}' | '\u{FF0B}' | '\u{FF0D}' | '\u{FF20}'
        )
    });
    if out == cell {
        let number = cell.parse::<f64>().is_ok_and(f64::is_finite)
            && cell
                .bytes()
                .all(|b| b.is_ascii_digit() || b"+-.".contains(&b));
        assert!(!trigger || number, "a formula start left as is: {cell:?}");
    } else {
        assert_eq!(
            out.as_ref(),
            format!("'{cell}"),
            "changed more than a quote"
        );
        assert!(trigger, "a harmless cell was quoted: {cell:?}");
    }
}
