//! Names, addresses and free text: any printable Unicode, never terminal controls.
//!
//! Names on cards use rare kanji and IVS (葛󠄀), so we accept everything printable and
//! only reject what could corrupt a terminal, a CSV line or the reading order.
//! Pure: no I/O, no panics on any input.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextError {
    /// A control or bidi-override character; 0-based char index in the input.
    Control { position: usize },
    /// More than `max` characters after trimming.
    TooLong { max: usize },
}

/// True for characters that must never be stored or shown raw: Cc (C0, DEL, C1 — ESC
/// sequences start here), bidi embeddings/overrides/isolates (they can visually reorder a
/// name or amount) and U+FEFF (BOM / zero-width no-break space).
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Trim, then reject unsafe characters and anything longer than `max_chars` characters.
///
/// Positions refer to the untrimmed input so the UI can point at what was typed.
pub fn clean_text(input: &str, max_chars: usize) -> Result<String, TextError> {
    let trimmed = input.trim();
    // trim() only removes whitespace, so the trimmed text starts after a whole number of chars.
    let offset = input
        .len()
        .checked_sub(input.trim_start().len())
        .and_then(|bytes| input.get(..bytes))
        .map_or(0, |lead| lead.chars().count());
    if let Some(i) = trimmed.chars().position(is_unsafe_char) {
        return Err(TextError::Control {
            position: offset.saturating_add(i),
        });
    }
    if trimmed.chars().count() > max_chars {
        return Err(TextError::TooLong { max: max_chars });
    }
    Ok(trimmed.to_string())
}

/// For display of text from any source (store, import, card): unsafe characters become
/// U+FFFD so the operator sees that something was there. Never fails.
pub fn neutralize_for_terminal(s: &str) -> String {
    s.chars()
        .map(|c| if is_unsafe_char(c) { '\u{FFFD}' } else { c })
        .collect()
}

/// Printable ASCII as its full-width form (`A` → `Ａ`, `-` → `－`) and the space as
/// U+3000; everything else unchanged. Receipt software and JP Core want 記号・番号 and
/// names wholly full-width once they contain kana or kanji.
pub fn to_fullwidth(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            ' ' => '\u{3000}',
            '!'..='~' => char::from_u32(u32::from(c) + 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Full-width ASCII forms (U+FF01–FF5E) as ASCII and U+3000 as a space: the inverse of
/// [`to_fullwidth`] for comparing values that another system may have widened.
pub fn to_halfwidth_ascii(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fullwidth_round_trip() {
        assert_eq!(
            to_fullwidth("AB-12 あ葛\u{E0100}"),
            "ＡＢ－１２\u{3000}あ葛\u{E0100}"
        );
        assert_eq!(to_halfwidth_ascii("ＡＢ－１２\u{3000}あ"), "AB-12 あ");
        assert_eq!(to_fullwidth("<&>"), "＜＆＞");
    }

    #[test]
    fn accepts_printable_unicode() {
        for s in [
            "山田 太郎",
            "葛\u{E0100}飾",           // IVS
            "𠮷野家",                  // outside the BMP
            "髙橋",                    // 異体字
            "渡邊\u{FE00}",            // standard variation selector
            "e\u{0301}",               // combining acute
            "ＡＢＣ１２３ｱｲｳ",         // full- and half-width forms
            "東京都千代田区1-2-3 ４F", // mixed
            "\u{200D}\u{200B}",        // ZWJ / ZWSP are format, not control
            "😀👨\u{200D}👩",
            "\u{E000}", // private use (外字 in some fonts)
        ] {
            assert_eq!(clean_text(s, 100), Ok(s.to_string()), "{s:?}");
        }
    }

    #[test]
    fn ivs_name_passes_unchanged() {
        let name = "葛󠄀城";
        assert!(name.contains('\u{E0100}'));
        assert_eq!(clean_text(name, 10).as_deref(), Ok(name));
    }

    #[test]
    fn trims_both_ends() {
        assert_eq!(clean_text("  山田\u{3000}", 10), Ok("山田".to_string()));
        assert_eq!(
            clean_text("\n山田 太郎\r\n", 10),
            Ok("山田 太郎".to_string())
        );
        assert_eq!(clean_text("   ", 10), Ok(String::new()));
        assert_eq!(clean_text("", 0), Ok(String::new()));
    }

    #[test]
    fn rejects_controls_with_position() {
        let cases: [(&str, usize); 12] = [
            ("\u{1b}[31m赤", 0),
            ("山\u{1b}]0;x\u{7}", 1),
            ("a\u{0}b", 1),
            ("a\nb", 1),
            ("a\tb", 1),
            ("a\u{7F}", 1),
            ("a\u{80}", 1),
            ("a\u{9B}31m", 1),
            ("abc\u{9F}", 3),
            ("  x\u{1}", 3),
            ("\u{3000}\u{3000}ab\u{0}", 4),
            ("\u{FEFF}山田", 0),
        ];
        for (s, position) in cases {
            assert_eq!(
                clean_text(s, 100),
                Err(TextError::Control { position }),
                "{s:?}"
            );
        }
    }

    #[test]
    fn rejects_every_bidi_control() {
        for cp in (0x202Au32..=0x202E).chain(0x2066..=0x2069) {
            let c = char::from_u32(cp).unwrap();
            assert_eq!(
                clean_text(&format!("1000{c}円"), 100),
                Err(TextError::Control { position: 4 }),
                "U+{cp:04X}"
            );
        }
        // Neighbours of the ranges are ordinary format characters.
        for c in ['\u{2029}', '\u{202F}', '\u{2065}', '\u{206A}'] {
            assert!(!is_unsafe_char(c), "{c:?}");
        }
    }

    #[test]
    fn every_c0_and_c1_is_unsafe() {
        for cp in (0u32..=0x1F).chain(0x7F..=0x9F) {
            assert!(is_unsafe_char(char::from_u32(cp).unwrap()), "U+{cp:04X}");
        }
        assert!(!is_unsafe_char(' '));
        assert!(!is_unsafe_char('\u{A0}'));
        assert!(!is_unsafe_char('~'));
    }

    #[test]
    fn length_limit_in_chars() {
        assert_eq!(clean_text("山田太郎", 4), Ok("山田太郎".to_string()));
        assert_eq!(
            clean_text("山田太郎様", 4),
            Err(TextError::TooLong { max: 4 })
        );
        // Trimmed whitespace does not count.
        assert_eq!(clean_text("  山田太郎  ", 4), Ok("山田太郎".to_string()));
        // An IVS sequence counts as two chars (base + selector): the limit is on chars.
        assert_eq!(
            clean_text("葛\u{E0100}", 1),
            Err(TextError::TooLong { max: 1 })
        );
        assert_eq!(clean_text("a", 0), Err(TextError::TooLong { max: 0 }));
    }

    #[test]
    fn control_is_reported_before_length() {
        assert_eq!(
            clean_text("abcdef\u{1b}", 2),
            Err(TextError::Control { position: 6 })
        );
    }

    #[test]
    fn neutralize_replaces_only_unsafe() {
        assert_eq!(
            neutralize_for_terminal("\u{1b}[2J山田\u{202E}太郎\u{FEFF}\n"),
            "\u{FFFD}[2J山田\u{FFFD}太郎\u{FFFD}\u{FFFD}"
        );
        assert_eq!(neutralize_for_terminal("葛\u{E0100}飾"), "葛\u{E0100}飾");
        assert_eq!(neutralize_for_terminal(""), "");
    }

    proptest! {
        #[test]
        fn clean_never_panics(s in any::<String>(), max in 0usize..64) {
            match clean_text(&s, max) {
                Ok(out) => {
                    prop_assert!(!out.chars().any(is_unsafe_char));
                    prop_assert!(out.chars().count() <= max);
                    // Clean output is a fixed point.
                    prop_assert_eq!(clean_text(&out, max), Ok(out.clone()));
                }
                Err(TextError::Control { position }) => {
                    prop_assert!(s.chars().nth(position).is_some_and(is_unsafe_char));
                }
                Err(TextError::TooLong { max: m }) => prop_assert_eq!(m, max),
            }
        }

        #[test]
        fn neutralized_has_no_control(s in any::<String>()) {
            let out = neutralize_for_terminal(&s);
            prop_assert!(!out.chars().any(|c| c.is_control()));
            prop_assert!(!out.chars().any(is_unsafe_char));
            prop_assert_eq!(out.chars().count(), s.chars().count());
        }

        #[test]
        fn neutralized_text_is_clean(s in "[\\PC\u{0}-\u{1F}\u{7F}-\u{9F}\u{202A}-\u{202E}\u{2066}-\u{2069}\u{FEFF}]{0,30}") {
            let out = neutralize_for_terminal(&s);
            prop_assert!(clean_text(&out, usize::MAX).is_ok());
        }
    }
}
