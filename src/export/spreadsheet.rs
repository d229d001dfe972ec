//! Cells that a spreadsheet would run (CSV injection, OWASP "CSV Injection").
//!
//! Excel, LibreOffice and Google Sheets treat a cell that begins with `=`, `+`, `-` or `@`
//! as a formula, and a leading tab or carriage return can hide such a start; a name
//! imported as `=HYPERLINK("http://…")` would then run when the receipt clerk opens the
//! CSV. OWASP's rule: such a cell gets a leading `'`, which makes the spreadsheet treat
//! it as text. onshi applies it to every cell whose first character — after any leading
//! spaces — is one of those, and also to their full-width forms (＝ ＋ － ＠), which a
//! Japanese spreadsheet may turn into the ASCII ones. A cell that is only a number
//! (`-3`, `+1.5`) is data and left alone. `onshi export --no-neutralize` writes cells
//! unchanged, for a receiver that is not a spreadsheet.

use std::borrow::Cow;

/// Characters that make a spreadsheet read a cell as a formula (or hide one).
fn triggers(c: char) -> bool {
    matches!(
        c,
        '=' | '+' | '-' | '@' | '\t' | '\r' | '\u{FF1D}' | '\u{FF0B}' | '\u{FF0D}' | '\u{FF20}'
    )
}

/// `-3`, `+1.5`, `42`: a plain number.
fn is_number(s: &str) -> bool {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !int.is_empty()
        && !frac.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// The cell as a spreadsheet will show it as text.
pub fn neutralize_cell(cell: &str) -> Cow<'_, str> {
    let first = cell.trim_start_matches([' ', '\u{3000}']).chars().next();
    match first {
        Some(c) if triggers(c) && !is_number(cell) => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_get_a_quote() {
        for cell in [
            "=HYPERLINK(\"http://example.invalid\")",
            "+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
            "  =1",
            "　=1",
            "＝１＋１",
            "－1+1",
            "-",
            "=",
        ] {
            assert_eq!(neutralize_cell(cell), format!("'{cell}"), "{cell:?}");
        }
    }

    #[test]
    fn ordinary_cells_and_numbers_stay() {
        for cell in [
            "山田　太郎",
            "03-1234-5678",
            "2026-11-28",
            "77777777",
            "-3",
            "+1.5",
            "42",
            "",
            "a=b",
            "'=already quoted",
        ] {
            assert_eq!(neutralize_cell(cell), cell, "{cell:?}");
        }
    }
}
