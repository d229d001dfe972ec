//! 連絡先電話番号: digits and hyphens, however it was typed.
//!
//! Pure: no I/O, no panics on any input.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhoneError {
    /// A character that is neither a digit, a hyphen-like dash, a space nor a parenthesis.
    Invalid { ch: char },
    /// Not a domestic number: `count` digits (need 10 or 11), or the first digit is not 0.
    Digits { count: usize },
}

/// Normalise a Japanese phone number to ASCII digits and single hyphens.
///
/// Full-width digits become ASCII; dashes of every width (including the ー that IMEs
/// produce) become `-`; spaces vanish; parentheses act as hyphens (`03 (1234) 5678` →
/// `03-1234-5678`); repeated hyphens collapse and edge hyphens are dropped.
pub fn normalize_phone(input: &str) -> Result<String, PhoneError> {
    let mut out = String::with_capacity(input.len());
    for ch in input.chars() {
        match ch {
            '0'..='9' => out.push(ch),
            '０'..='９' => out.push(char::from_u32(u32::from(ch) - 0xFEE0).unwrap_or(ch)),
            ' ' | '\u{3000}' => {}
            '-' | '－' | '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' | 'ー' | 'ｰ' | '(' | ')'
            | '（' | '）' => {
                // Collapse as we go: never two hyphens in a row, never a leading one.
                if !out.is_empty() && !out.ends_with('-') {
                    out.push('-');
                }
            }
            _ => return Err(PhoneError::Invalid { ch }),
        }
    }
    if out.ends_with('-') {
        out.pop();
    }
    let count = out.bytes().filter(u8::is_ascii_digit).count();
    if !(10..=11).contains(&count) || !out.starts_with('0') {
        return Err(PhoneError::Digits { count });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ok(s: &str) -> String {
        normalize_phone(s).unwrap()
    }

    #[test]
    fn plain_forms() {
        assert_eq!(ok("0312345678"), "0312345678");
        assert_eq!(ok("09012345678"), "09012345678");
        assert_eq!(ok("03-1234-5678"), "03-1234-5678");
        assert_eq!(ok("090-1234-5678"), "090-1234-5678");
        assert_eq!(ok("０９０－１２３４－５６７８"), "090-1234-5678");
    }

    #[test]
    fn every_hyphen_variant() {
        for dash in [
            '-', '－', '‐', '‑', '‒', '–', '—', '―', '−', 'ー', 'ｰ', '(', ')', '（', '）',
        ] {
            assert_eq!(
                ok(&format!("03{dash}1234{dash}5678")),
                "03-1234-5678",
                "{dash}"
            );
        }
    }

    #[test]
    fn spaces_and_parentheses() {
        assert_eq!(ok("03 (1234) 5678"), "03-1234-5678");
        assert_eq!(ok("(03)1234-5678"), "03-1234-5678");
        assert_eq!(ok("（０３）１２３４ー５６７８"), "03-1234-5678");
        assert_eq!(ok("03 1234 5678"), "0312345678");
        assert_eq!(ok("\u{3000}090\u{3000}1234\u{3000}5678 "), "09012345678");
        assert_eq!(ok("--03--1234--5678--"), "03-1234-5678");
        assert_eq!(ok("03-)1234(-5678)"), "03-1234-5678");
    }

    #[test]
    fn digit_count_boundaries() {
        assert_eq!(
            normalize_phone("031234567"),
            Err(PhoneError::Digits { count: 9 })
        );
        assert_eq!(ok("0312345678").len(), 10);
        assert_eq!(ok("03123456789").len(), 11);
        assert_eq!(
            normalize_phone("031234567890"),
            Err(PhoneError::Digits { count: 12 })
        );
        assert_eq!(normalize_phone(""), Err(PhoneError::Digits { count: 0 }));
        assert_eq!(normalize_phone(" - "), Err(PhoneError::Digits { count: 0 }));
    }

    #[test]
    fn must_start_with_zero() {
        assert_eq!(
            normalize_phone("3-1234-5678-9"),
            Err(PhoneError::Digits { count: 10 })
        );
        assert_eq!(
            normalize_phone("(3)12345678"),
            Err(PhoneError::Digits { count: 9 })
        );
        assert_eq!(
            normalize_phone("81312345678"),
            Err(PhoneError::Digits { count: 11 })
        );
    }

    #[test]
    fn invalid_characters() {
        for (s, ch) in [
            ("+81-3-1234-5678", '+'),
            ("03-1234-5678 内線12", '内'),
            ("03.1234.5678", '.'),
            ("03/1234/5678", '/'),
            ("03\t12345678", '\t'),
            ("03-1234-567８a", 'a'),
            ("０３–１２３４–５６７８\u{1b}", '\u{1b}'),
        ] {
            assert_eq!(normalize_phone(s), Err(PhoneError::Invalid { ch }), "{s:?}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(s in any::<String>()) {
            match normalize_phone(&s) {
                Ok(out) => prop_assert!(out.bytes().all(|b| b.is_ascii_digit() || b == b'-')),
                Err(PhoneError::Invalid { ch }) => prop_assert!(s.contains(ch)),
                Err(PhoneError::Digits { count }) => prop_assert!(count <= s.chars().count()),
            }
        }

        #[test]
        fn output_shape_and_idempotence(s in "[0-9０-９\\-－ー()（） ]{0,20}") {
            if let Ok(out) = normalize_phone(&s) {
                prop_assert!(out.bytes().all(|b| b.is_ascii_digit() || b == b'-'));
                prop_assert!(!out.starts_with('-') && !out.ends_with('-'));
                prop_assert!(!out.contains("--"));
                let digits = out.bytes().filter(u8::is_ascii_digit).count();
                prop_assert!(digits == 10 || digits == 11);
                prop_assert_eq!(normalize_phone(&out), Ok(out.clone()));
            }
        }

        #[test]
        fn grouped_numbers_roundtrip(a in "0[1-9][0-9]{0,3}", b in "[0-9]{1,4}", c in "[0-9]{4}") {
            let digits = a.len() + b.len() + c.len();
            prop_assume!(digits == 10 || digits == 11);
            let input = format!("{a}-{b}-{c}");
            prop_assert_eq!(normalize_phone(&input), Ok(input.clone()));
            let wide: String = input.chars().map(|ch| if ch == '-' { 'ー' } else { char::from_u32(u32::from(ch) + 0xFEE0).unwrap() }).collect();
            prop_assert_eq!(normalize_phone(&wide), Ok(input));
        }
    }
}
