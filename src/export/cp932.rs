//! CP932 (Windows-31J) for CSV exports.
//!
//! `encoding_rs`'s Shift_JIS encoder is the WHATWG one, whose table is Microsoft's CP932
//! (NEC and IBM extensions included). A character outside it — 𠮷, an IVS selector after
//! 葛, most emoji — must not silently vanish from a patient's name: it becomes 〓 (geta,
//! the customary mark for a character that could not be printed) and the caller reports
//! where, by record id and column, never by value.

use encoding_rs::{EncoderResult, SHIFT_JIS};

/// The mark for a character CP932 does not have.
pub const GETA: char = '〓';

/// Characters that JIS X 0208 tables and CP932 map differently. Text typed on a Mac or
/// decoded with a JIS table carries the left one; CP932 has the same character as the
/// right one, so it is converted, not replaced.
fn cp932_equivalent(c: char) -> char {
    match c {
        '\u{301C}' => '\u{FF5E}', // 〜 WAVE DASH → ～
        '\u{2016}' => '\u{2225}', // ‖ → ∥
        '\u{2212}' => '\u{FF0D}', // − MINUS SIGN → －
        '\u{2014}' => '\u{2015}', // — EM DASH → ―
        '\u{00A2}' => '\u{FFE0}', // ¢ → ￠
        '\u{00A3}' => '\u{FFE1}', // £ → ￡
        '\u{00AC}' => '\u{FFE2}', // ¬ → ￢
        c => c,
    }
}

/// `s` with every character CP932 cannot hold replaced by [`GETA`], and how many were.
pub fn fit(s: &str) -> (String, usize) {
    let mut encoder = SHIFT_JIS.new_encoder();
    let mut out = String::with_capacity(s.len());
    let mut replaced = 0;
    let mut one = [0u8; 4];
    let mut bytes = [0u8; 8];
    for c in s.chars() {
        let c = cp932_equivalent(c);
        if c.is_ascii() {
            out.push(c);
            continue;
        }
        let (result, _, _) =
            encoder.encode_from_utf8_without_replacement(c.encode_utf8(&mut one), &mut bytes, true);
        if result == EncoderResult::InputEmpty {
            out.push(c);
        } else {
            out.push(GETA);
            replaced += 1;
        }
    }
    (out, replaced)
}

/// Encode text that went through [`fit`] (anything else left over becomes 〓 too).
pub fn encode(s: &str) -> Vec<u8> {
    let (fitted, _) = fit(s);
    let (bytes, _, _) = SHIFT_JIS.encode(&fitted);
    bytes.into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(b: &[u8]) -> String {
        let (s, _, had_errors) = SHIFT_JIS.decode(b);
        assert!(!had_errors);
        s.into_owned()
    }

    #[test]
    fn ordinary_japanese_round_trips() {
        for s in [
            "山田　太郎",
            "ヤマダ　タロウ",
            "東京都千代田区霞が関１－２－２",
            "髙橋", // IBM extension, in CP932
            "①②ⅰ",
            "abc,\"x\"",
        ] {
            assert_eq!(fit(s), (s.to_string(), 0), "{s}");
            assert_eq!(decode(&encode(s)), s);
        }
    }

    #[test]
    fn outside_cp932_becomes_geta_and_is_counted() {
        assert_eq!(fit("𠮷野家"), ("〓野家".to_string(), 1));
        assert_eq!(fit("葛\u{E0100}城"), ("葛〓城".to_string(), 1));
        assert_eq!(fit("渡邊\u{FE00}😀"), ("渡邊〓〓".to_string(), 2));
        assert_eq!(decode(&encode("𠮷")), "〓");
    }

    #[test]
    fn jis_variants_convert_without_replacement() {
        assert_eq!(fit("1〜2"), ("1～2".to_string(), 0));
        assert_eq!(fit("−"), ("－".to_string(), 0));
        assert_eq!(decode(&encode("1〜2")), "1～2");
    }
}
