//! フリガナ: whatever the keyboard or card produced, normalised to full-width katakana.
//!
//! Pure: no I/O, no panics on any input.

/// The first character that cannot be part of a フリガナ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KanaError {
    /// As it appeared in the input.
    pub ch: char,
    /// 0-based char index in the input (not bytes, not after trimming).
    pub position: usize,
}

const IDEOGRAPHIC_SPACE: char = '\u{3000}';

/// Half-width katakana U+FF66..=U+FF9D in code point order.
const HALFWIDTH_KATAKANA: &str = "ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン";

/// Bases that take a 濁点 by moving to the next code point (カ→ガ …, ヽ→ヾ).
const VOICE_NEXT: &str = "カキクケコサシスセソタチツテトハヒフヘホヽ";
/// Bases that take a 半濁点 by moving two code points (ハ→パ …).
const SEMI_VOICE: &str = "ハヒフヘホ";

/// Normalise a フリガナ to full-width katakana with single full-width spaces.
///
/// Half-width katakana (with ﾞ/ﾟ combined: ｶﾞ→ガ, ﾊﾟ→パ, ｳﾞ→ヴ), hiragana (ぁ-ゖ, ゝゞ),
/// and decomposed marks (U+3099/U+309A) are folded in; ASCII and ideographic spaces become
/// one U+3000 between words. Empty (or all-space) input gives an empty string: whether the
/// field is required is decided elsewhere.
pub fn normalize_kana(input: &str) -> Result<String, KanaError> {
    let mut out = String::with_capacity(input.len());
    let mut pending_space = false;
    let mut chars = input.chars().enumerate().peekable();
    while let Some((position, ch)) = chars.next() {
        if ch == ' ' || ch == IDEOGRAPHIC_SPACE {
            // Only between words: leading spaces are dropped, trailing ones never flushed.
            pending_space = !out.is_empty();
            continue;
        }
        let mut kana = to_katakana(ch).ok_or(KanaError { ch, position })?;
        if let Some(&(_, mark)) = chars.peek() {
            let combined = match mark {
                '\u{FF9E}' | '\u{3099}' => voiced(kana),
                '\u{FF9F}' | '\u{309A}' => semi_voiced(kana),
                _ => None,
            };
            if let Some(c) = combined {
                kana = c;
                chars.next();
            }
            // A mark that does not combine is reported at its own position next round.
        }
        if pending_space {
            out.push(IDEOGRAPHIC_SPACE);
            pending_space = false;
        }
        out.push(kana);
    }
    Ok(out)
}

/// True when every character is one `normalize_kana` can produce (katakana, ー, ヽヾ, U+3000).
/// The empty string is vacuously true.
pub fn is_full_width_katakana(s: &str) -> bool {
    s.chars().all(|c| is_allowed(c) || c == IDEOGRAPHIC_SPACE)
}

/// Half-width katakana (with ﾞ/ﾟ combined) as full-width katakana; every other
/// character unchanged. A mark that does not combine becomes ゛ or ゜.
pub fn fold_halfwidth_katakana(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        let kana = match c {
            '\u{FF66}'..='\u{FF9D}' => to_katakana(c).unwrap_or(c),
            '\u{FF9E}' => '\u{309B}',
            '\u{FF9F}' => '\u{309C}',
            _ => {
                out.push(c);
                continue;
            }
        };
        let combined = match chars.peek() {
            Some('\u{FF9E}') if c != '\u{FF9E}' && c != '\u{FF9F}' => voiced(kana),
            Some('\u{FF9F}') if c != '\u{FF9E}' && c != '\u{FF9F}' => semi_voiced(kana),
            _ => None,
        };
        match combined {
            Some(k) => {
                out.push(k);
                chars.next();
            }
            None => out.push(kana),
        }
    }
    out
}

fn is_allowed(c: char) -> bool {
    matches!(c, '\u{30A1}'..='\u{30FA}' | 'ー' | 'ヽ' | 'ヾ')
}

/// One input character (not a space) as full-width katakana, if it is kana at all.
fn to_katakana(c: char) -> Option<char> {
    match c {
        '\u{FF66}'..='\u{FF9D}' => HALFWIDTH_KATAKANA
            .chars()
            .nth(usize::try_from(u32::from(c) - 0xFF66).ok()?),
        // ぁ-ゖ and ゝゞ sit exactly 0x60 below their katakana.
        '\u{3041}'..='\u{3096}' | 'ゝ' | 'ゞ' => char::from_u32(u32::from(c) + 0x60),
        _ if is_allowed(c) => Some(c),
        _ => None,
    }
}

fn voiced(c: char) -> Option<char> {
    match c {
        'ウ' => Some('ヴ'),
        // ワヰヱヲ + ゛ are ヷヸヹヺ, 8 code points on.
        'ワ' | 'ヰ' | 'ヱ' | 'ヲ' => char::from_u32(u32::from(c) + 8),
        _ if VOICE_NEXT.contains(c) => char::from_u32(u32::from(c) + 1),
        _ => None,
    }
}

fn semi_voiced(c: char) -> Option<char> {
    if SEMI_VOICE.contains(c) {
        char::from_u32(u32::from(c) + 2)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ok(s: &str) -> String {
        normalize_kana(s).unwrap()
    }

    #[test]
    fn fold_halfwidth_leaves_the_rest() {
        assert_eq!(fold_halfwidth_katakana("ｶﾞ12ﾊﾟｱ"), "ガ12パア");
        assert_eq!(fold_halfwidth_katakana("協ｱ-ﾞ"), "協ア-゛");
        assert_eq!(fold_halfwidth_katakana("ABC"), "ABC");
    }

    #[test]
    fn every_halfwidth_katakana() {
        // (input, expected) for U+FF66..=U+FF9D: every letter.
        let table = [
            ('ｦ', 'ヲ'),
            ('ｧ', 'ァ'),
            ('ｨ', 'ィ'),
            ('ｩ', 'ゥ'),
            ('ｪ', 'ェ'),
            ('ｫ', 'ォ'),
            ('ｬ', 'ャ'),
            ('ｭ', 'ュ'),
            ('ｮ', 'ョ'),
            ('ｯ', 'ッ'),
            ('ｰ', 'ー'),
            ('ｱ', 'ア'),
            ('ｲ', 'イ'),
            ('ｳ', 'ウ'),
            ('ｴ', 'エ'),
            ('ｵ', 'オ'),
            ('ｶ', 'カ'),
            ('ｷ', 'キ'),
            ('ｸ', 'ク'),
            ('ｹ', 'ケ'),
            ('ｺ', 'コ'),
            ('ｻ', 'サ'),
            ('ｼ', 'シ'),
            ('ｽ', 'ス'),
            ('ｾ', 'セ'),
            ('ｿ', 'ソ'),
            ('ﾀ', 'タ'),
            ('ﾁ', 'チ'),
            ('ﾂ', 'ツ'),
            ('ﾃ', 'テ'),
            ('ﾄ', 'ト'),
            ('ﾅ', 'ナ'),
            ('ﾆ', 'ニ'),
            ('ﾇ', 'ヌ'),
            ('ﾈ', 'ネ'),
            ('ﾉ', 'ノ'),
            ('ﾊ', 'ハ'),
            ('ﾋ', 'ヒ'),
            ('ﾌ', 'フ'),
            ('ﾍ', 'ヘ'),
            ('ﾎ', 'ホ'),
            ('ﾏ', 'マ'),
            ('ﾐ', 'ミ'),
            ('ﾑ', 'ム'),
            ('ﾒ', 'メ'),
            ('ﾓ', 'モ'),
            ('ﾔ', 'ヤ'),
            ('ﾕ', 'ユ'),
            ('ﾖ', 'ヨ'),
            ('ﾗ', 'ラ'),
            ('ﾘ', 'リ'),
            ('ﾙ', 'ル'),
            ('ﾚ', 'レ'),
            ('ﾛ', 'ロ'),
            ('ﾜ', 'ワ'),
            ('ﾝ', 'ン'),
        ];
        assert_eq!(table.len(), 0xFF9D - 0xFF66 + 1);
        for (i, (half, full)) in table.iter().enumerate() {
            assert_eq!(u32::from(*half), 0xFF66 + i as u32, "table order");
            assert_eq!(ok(&half.to_string()), full.to_string(), "{half}");
        }
    }

    #[test]
    fn every_halfwidth_voiced_combination() {
        let table = [
            ("ｶﾞ", "ガ"),
            ("ｷﾞ", "ギ"),
            ("ｸﾞ", "グ"),
            ("ｹﾞ", "ゲ"),
            ("ｺﾞ", "ゴ"),
            ("ｻﾞ", "ザ"),
            ("ｼﾞ", "ジ"),
            ("ｽﾞ", "ズ"),
            ("ｾﾞ", "ゼ"),
            ("ｿﾞ", "ゾ"),
            ("ﾀﾞ", "ダ"),
            ("ﾁﾞ", "ヂ"),
            ("ﾂﾞ", "ヅ"),
            ("ﾃﾞ", "デ"),
            ("ﾄﾞ", "ド"),
            ("ﾊﾞ", "バ"),
            ("ﾋﾞ", "ビ"),
            ("ﾌﾞ", "ブ"),
            ("ﾍﾞ", "ベ"),
            ("ﾎﾞ", "ボ"),
            ("ﾊﾟ", "パ"),
            ("ﾋﾟ", "ピ"),
            ("ﾌﾟ", "プ"),
            ("ﾍﾟ", "ペ"),
            ("ﾎﾟ", "ポ"),
            ("ｳﾞ", "ヴ"),
            ("ﾜﾞ", "ヷ"),
            ("ｦﾞ", "ヺ"),
        ];
        for (half, full) in table {
            assert_eq!(ok(half), full, "{half}");
        }
    }

    #[test]
    fn halfwidth_punctuation_and_stray_marks_are_rejected() {
        for (i, c) in ['｡', '｢', '｣', '､', '･', 'ﾞ', 'ﾟ'].into_iter().enumerate() {
            assert_eq!(
                normalize_kana(&c.to_string()),
                Err(KanaError { ch: c, position: 0 }),
                "case {i}"
            );
        }
        // A mark after a base that cannot take it is reported where it is.
        assert_eq!(
            normalize_kana("ｱﾞ"),
            Err(KanaError {
                ch: 'ﾞ',
                position: 1
            })
        );
        assert_eq!(
            normalize_kana("ｶﾟ"),
            Err(KanaError {
                ch: 'ﾟ',
                position: 1
            })
        );
        assert_eq!(
            normalize_kana("ｶﾞﾞ"),
            Err(KanaError {
                ch: 'ﾞ',
                position: 2
            })
        );
    }

    #[test]
    fn halfwidth_words() {
        assert_eq!(ok("ﾔﾏﾀﾞ ﾀﾛｳ"), "ヤマダ\u{3000}タロウ");
        assert_eq!(ok("ｷｮｳｺ"), "キョウコ");
        assert_eq!(ok("ﾊﾟｰｸ"), "パーク");
        assert_eq!(ok("ｻｯﾎﾟﾛ"), "サッポロ");
        assert_eq!(ok("ｳﾞｨｸﾄﾙ"), "ヴィクトル");
    }

    #[test]
    fn hiragana_to_katakana() {
        assert_eq!(ok("やまだ　たろう"), "ヤマダ\u{3000}タロウ");
        assert_eq!(ok("ぁ"), "ァ");
        assert_eq!(ok("ゖ"), "ヶ");
        assert_eq!(ok("ゕ"), "ヵ");
        assert_eq!(ok("ゔ"), "ヴ");
        assert_eq!(ok("ゝゞ"), "ヽヾ");
        assert_eq!(ok("ゐゑを"), "ヰヱヲ");
        // Every hiragana letter maps into the allowed katakana range.
        for cp in 0x3041u32..=0x3096 {
            let c = char::from_u32(cp).unwrap();
            let out = ok(&c.to_string());
            assert_eq!(out, char::from_u32(cp + 0x60).unwrap().to_string());
            assert!(is_full_width_katakana(&out));
        }
    }

    #[test]
    fn decomposed_marks_combine() {
        assert_eq!(ok("カ\u{3099}"), "ガ");
        assert_eq!(ok("は\u{309A}"), "パ");
        assert_eq!(ok("ウ\u{3099}"), "ヴ");
        assert_eq!(ok("ヽ\u{3099}"), "ヾ");
        assert_eq!(ok("ヰ\u{3099}ヱ\u{3099}"), "ヸヹ");
        assert_eq!(
            normalize_kana("ア\u{3099}"),
            Err(KanaError {
                ch: '\u{3099}',
                position: 1
            })
        );
    }

    #[test]
    fn fullwidth_katakana_passes_through() {
        assert_eq!(ok("ヤマダ　タロウ"), "ヤマダ\u{3000}タロウ");
        assert_eq!(ok("ァ"), "ァ");
        assert_eq!(ok("ヺ"), "ヺ");
        assert_eq!(ok("ー"), "ー");
        for cp in 0x30A1u32..=0x30FA {
            let s = char::from_u32(cp).unwrap().to_string();
            assert_eq!(ok(&s), s);
        }
    }

    #[test]
    fn spaces_collapse_and_trim() {
        assert_eq!(ok(""), "");
        assert_eq!(ok("   "), "");
        assert_eq!(ok("\u{3000}\u{3000}"), "");
        assert_eq!(ok("  ヤマダ  \u{3000} タロウ  "), "ヤマダ\u{3000}タロウ");
        assert_eq!(ok("ア イ ウ"), "ア\u{3000}イ\u{3000}ウ");
    }

    #[test]
    fn rejections_name_the_character_and_position() {
        assert_eq!(
            normalize_kana("山田"),
            Err(KanaError {
                ch: '山',
                position: 0
            })
        );
        assert_eq!(
            normalize_kana("  ヤマダA"),
            Err(KanaError {
                ch: 'A',
                position: 5
            })
        );
        assert_eq!(
            normalize_kana("ヤマダ\tタロウ"),
            Err(KanaError {
                ch: '\t',
                position: 3
            })
        );
        for c in [
            '・', '゛', '゜', 'ゟ', 'ヿ', '-', '1', 'Ａ', '\u{1b}', '\u{200B}',
        ] {
            assert_eq!(
                normalize_kana(&format!("ア{c}")),
                Err(KanaError { ch: c, position: 1 }),
                "{c:?}"
            );
        }
    }

    #[test]
    fn full_width_katakana_check() {
        assert!(is_full_width_katakana(""));
        assert!(is_full_width_katakana("ヤマダ\u{3000}タロウ"));
        assert!(is_full_width_katakana("ヴァーヽヾ"));
        assert!(!is_full_width_katakana("ﾔﾏﾀﾞ"));
        assert!(!is_full_width_katakana("やまだ"));
        assert!(!is_full_width_katakana("ヤマダ タロウ"));
        assert!(!is_full_width_katakana("ヤマダ・タロウ"));
        assert!(!is_full_width_katakana("ゝ"));
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC*") {
            match normalize_kana(&s) {
                Ok(out) => prop_assert!(is_full_width_katakana(&out)),
                Err(e) => prop_assert_eq!(s.chars().nth(e.position), Some(e.ch)),
            }
        }

        #[test]
        fn never_panics_on_kana_soup(s in "[\u{3040}-\u{30FF}\u{FF60}-\u{FF9F}\u{3099}\u{309A} \u{3000}]{0,20}") {
            match normalize_kana(&s) {
                Ok(out) => {
                    prop_assert!(is_full_width_katakana(&out));
                    // Idempotent: normalised output is a fixed point.
                    prop_assert_eq!(normalize_kana(&out), Ok(out.clone()));
                    let edge_space = out.starts_with(IDEOGRAPHIC_SPACE) || out.ends_with(IDEOGRAPHIC_SPACE);
                    prop_assert!(!edge_space);
                    let double_space: String = [IDEOGRAPHIC_SPACE; 2].iter().collect();
                    prop_assert!(!out.contains(&double_space));
                }
                Err(e) => {
                    prop_assert_eq!(s.chars().nth(e.position), Some(e.ch));
                }
            }
        }

        #[test]
        fn hiragana_katakana_roundtrip(s in "[ぁ-ゖ]{1,12}") {
            let kata = normalize_kana(&s).unwrap();
            let back: String = kata.chars().map(|c| char::from_u32(u32::from(c) - 0x60).unwrap()).collect();
            prop_assert_eq!(back, s);
        }
    }
}
