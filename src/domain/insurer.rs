//! 保険者番号 (with its check digit), 記号・番号 and 枝番 as printed on cards.
//!
//! Pure: no I/O, no panics on any input.

/// 不詳 insurer number of docs/procedure.md (fails the check digit on purpose).
pub const UNKNOWN_INSURER: &str = "77777777";
/// 不詳 insurer number for receipt software that insists on a valid check digit.
pub const UNKNOWN_INSURER_VALID: &str = "77777779";
/// 不詳 insured number.
pub const UNKNOWN_INSURED: &str = "777777777";
/// 不詳 insured number for 後期高齢者医療.
pub const UNKNOWN_INSURED_KOUKI: &str = "77777777";
/// Codes for claims (不詳, and 99999999 for a 公費-only claim): never a document's number.
pub const CLAIM_CODES: [&str; 3] = [UNKNOWN_INSURER, UNKNOWN_INSURER_VALID, "99999999"];

/// 法別番号 of health insurers (8-digit numbers): 協会けんぽ 01, 船員 02, 日雇 03 04,
/// 組合 06, 自衛官 07, 共済 31–34, 後期 39, 特定健保 63, 国保退職 67, 国家公務員特定
/// 72–75. Others (10s–80s) are 公費 programmes, not insurers.
pub const HOUBETSU: [&str; 17] = [
    "01", "02", "03", "04", "06", "07", "31", "32", "33", "34", "39", "63", "67", "72", "73", "74",
    "75",
];

/// Longest 記号 or 番号 we store; real ones are far shorter.
const MAX_SYMBOL_CHARS: usize = 20;

/// Full-width digits ０-９ to ASCII; everything else unchanged.
pub fn to_halfwidth_digits(s: &str) -> String {
    s.chars().map(halfwidth_digit).collect()
}

fn halfwidth_digit(c: char) -> char {
    match c {
        '０'..='９' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Full-width ASCII letters Ａ-Ｚ ａ-ｚ to ASCII; everything else unchanged.
fn halfwidth_letter(c: char) -> char {
    match c {
        'Ａ'..='Ｚ' | 'ａ'..='ｚ' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// The check digit for `body` (all digits of the number except the last).
///
/// Weights 2,1,2,1… from the right; a two-digit product contributes its digit sum;
/// check = (10 − sum mod 10) mod 10. `None` if `body` is empty or has a non-ASCII-digit.
pub fn check_digit(body: &str) -> Option<u8> {
    if body.is_empty() {
        return None;
    }
    let mut sum: u32 = 0;
    for (i, c) in body.chars().rev().enumerate() {
        let digit = c.to_digit(10)?;
        let product = if i % 2 == 0 { digit * 2 } else { digit };
        // Digit sum of a product ≤ 18, then mod 10 keeps the sum small (no overflow).
        sum = (sum + product / 10 + product % 10) % 10;
    }
    u8::try_from((10 - sum) % 10).ok()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InsurerError {
    Empty,
    /// A character that is not a digit (after full-width → ASCII).
    NotDigits {
        ch: char,
    },
    /// Not 6 (国保) or 8 digits; `len` counts the digits given.
    Length {
        len: usize,
    },
    /// The last digit is not the check digit of the rest.
    CheckDigit {
        expected: u8,
    },
    /// `77777777`, `77777779` or `99999999`: written on a claim, never on a document.
    ClaimCode,
    /// The 都道府県 digits are not 01–47.
    Prefecture {
        code: String,
    },
    /// The 法別 digits of an 8-digit number are not a health insurer's.
    Houbetsu {
        code: String,
    },
}

/// Validate a 保険者番号 as printed on a document and return its normalised digits.
///
/// Trims, maps full-width digits, drops embedded spaces (cards print `06 13 0012`).
/// Checks the structure (都道府県 01–47; a health insurer's 法別 for 8 digits) and the
/// check digit; the claim codes (`77777777` …) are refused: they go on claims, not cards.
pub fn parse_insurer_number(input: &str) -> Result<String, InsurerError> {
    let digits: String = input
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(halfwidth_digit)
        .collect();
    if digits.is_empty() {
        return Err(InsurerError::Empty);
    }
    if let Some(ch) = digits.chars().find(|c| !c.is_ascii_digit()) {
        return Err(InsurerError::NotDigits { ch });
    }
    // ASCII digits only from here: bytes == chars.
    let len = digits.len();
    if len != 6 && len != 8 {
        return Err(InsurerError::Length { len });
    }
    if CLAIM_CODES.contains(&digits.as_str()) {
        return Err(InsurerError::ClaimCode);
    }
    let prefecture = if len == 8 {
        let houbetsu = &digits[..2];
        if !HOUBETSU.contains(&houbetsu) {
            return Err(InsurerError::Houbetsu {
                code: houbetsu.to_string(),
            });
        }
        &digits[2..4]
    } else {
        &digits[..2]
    };
    if !matches!(prefecture.parse::<u8>(), Ok(1..=47)) {
        return Err(InsurerError::Prefecture {
            code: prefecture.to_string(),
        });
    }
    let (body, last) = digits.split_at(len - 1);
    let expected = check_digit(body).ok_or(InsurerError::Length { len })?;
    if last.chars().next().and_then(|c| c.to_digit(10)) != Some(u32::from(expected)) {
        return Err(InsurerError::CheckDigit { expected });
    }
    Ok(digits)
}

/// A 国民健康保険組合 by its number: 6 digits whose 保険者別番号 starts with 3.
pub fn is_kokuho_kumiai_number(n: &str) -> bool {
    n.len() == 6 && n.as_bytes().get(2) == Some(&b'3')
}

/// A 国民健康保険組合 by its name (医師国保, 建設国保 and the like are 組合 too; a
/// municipality's 国保 is not).
pub fn is_kokuho_kumiai_name(name: &str) -> bool {
    const MARKS: [&str; 10] = [
        "国保組合",
        "国民健康保険組合",
        "医師国保",
        "薬剤師国保",
        "建設国保",
        "土建国保",
        "建築国保",
        "食品国保",
        "理容国保",
        "美容国保",
    ];
    MARKS.iter().any(|m| name.contains(m))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberError {
    Empty,
    /// A character not allowed in this field.
    Invalid {
        ch: char,
    },
    /// More than `max` characters.
    TooLong {
        max: usize,
    },
}

/// 枝番: exactly two digits; a single digit is zero-padded (`1` → `01`).
pub fn parse_branch(input: &str) -> Result<String, NumberError> {
    let s = to_halfwidth_digits(input.trim());
    if s.is_empty() {
        return Err(NumberError::Empty);
    }
    if let Some(ch) = s.chars().find(|c| !c.is_ascii_digit()) {
        return Err(NumberError::Invalid { ch });
    }
    match s.len() {
        1 => Ok(format!("0{s}")),
        2 => Ok(s),
        _ => Err(NumberError::TooLong { max: 2 }),
    }
}

/// 記号 or 番号: digits, ASCII letters, hyphen, kanji and kana; at most 20 characters.
///
/// Full-width digits, letters and `－` become ASCII so the same card typed twice compares equal.
pub fn parse_symbol_or_number(input: &str) -> Result<String, NumberError> {
    let s: String = input
        .trim()
        .chars()
        .map(|c| match c {
            '－' => '-',
            _ => halfwidth_letter(halfwidth_digit(c)),
        })
        .collect();
    if s.is_empty() {
        return Err(NumberError::Empty);
    }
    if let Some(ch) = s.chars().find(|&c| !symbol_char(c)) {
        return Err(NumberError::Invalid { ch });
    }
    if s.chars().count() > MAX_SYMBOL_CHARS {
        return Err(NumberError::TooLong {
            max: MAX_SYMBOL_CHARS,
        });
    }
    Ok(s)
}

fn symbol_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || is_cjk_or_kana(c)
}

/// Ideographs and kana as found in 記号 (「協」「都」, 「あ」 in some 国保 symbols).
fn is_cjk_or_kana(c: char) -> bool {
    matches!(c,
        '\u{3005}'..='\u{3007}'       // 々 〆 〇
        | '\u{3041}'..='\u{3096}'     // hiragana
        | '\u{309D}'..='\u{309E}'     // ゝゞ
        | '\u{30A1}'..='\u{30FA}'     // katakana
        | '\u{30FC}'..='\u{30FE}'     // ー ヽ ヾ
        | '\u{3400}'..='\u{4DBF}'     // CJK extension A
        | '\u{4E00}'..='\u{9FFF}'     // CJK unified ideographs
        | '\u{F900}'..='\u{FAFF}'     // CJK compatibility ideographs
        | '\u{FF66}'..='\u{FF9F}'     // half-width katakana
        | '\u{20000}'..='\u{3134F}' // CJK extensions B–G
    )
}

/// 記号 or 番号 as JP Core 1.2 writes it (JP_Coverage notes, 「被保険者個人識別子」の文字列
///仕様): wholly half-width when it is only letters, digits and hyphens; wholly
/// full-width, ASCII included, once it contains kana, kanji or any other character.
pub fn jpcore_width(s: &str) -> String {
    if s.chars().all(|c| c.is_ascii_graphic()) {
        s.to_string()
    } else {
        crate::domain::text::to_fullwidth(&crate::domain::kana::fold_halfwidth_katakana(s))
    }
}

/// The insurer number as the first part of the JP Core member ID: padded with leading
/// zeros to 8 characters (a 6-digit 国保 number `138107` → `00138107`).
pub fn insurer_number_8(s: &str) -> String {
    format!("{s:0>8}")
}

/// 保険種別 (MHLW 別表11, JP Core's `InsuranceMajorCategory` code system) of a health
/// insurance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MajorCategory {
    /// 1 医保: employees' insurance (協会けんぽ, 組合, 共済, 船員 …).
    Iho,
    /// 2 国保: national health insurance (市町村, 国保組合, 退職者).
    Kokuho,
    /// 7 後期高齢者.
    Kouki,
}

impl MajorCategory {
    pub fn code(self) -> &'static str {
        match self {
            MajorCategory::Iho => "1",
            MajorCategory::Kokuho => "2",
            MajorCategory::Kouki => "7",
        }
    }

    /// The declaration's word for the same kind (社保 for 医保).
    pub fn kind(self) -> crate::domain::record::InsuranceKind {
        use crate::domain::record::InsuranceKind;
        match self {
            MajorCategory::Iho => InsuranceKind::Shaho,
            MajorCategory::Kokuho => InsuranceKind::Kokuho,
            MajorCategory::Kouki => InsuranceKind::Kouki,
        }
    }

    pub fn display(self) -> &'static str {
        match self {
            MajorCategory::Iho => "医保",
            MajorCategory::Kokuho => "国保",
            MajorCategory::Kouki => "後期高齢者",
        }
    }
}

/// The category from the insurer number when there is one (6 digits: 国保; 法別 39:
/// 後期; 67: 国保 退職者; the employees' 法別: 医保), else from the declared kind.
pub fn major_category(
    insurer_number: Option<&str>,
    kind: crate::domain::record::InsuranceKind,
) -> Option<MajorCategory> {
    use crate::domain::record::InsuranceKind;
    let by_number = insurer_number.and_then(|n| match (n.len(), n.get(..2)) {
        (6, _) => Some(MajorCategory::Kokuho),
        (8, Some("39")) => Some(MajorCategory::Kouki),
        (8, Some("67")) => Some(MajorCategory::Kokuho),
        (8, Some("01" | "02" | "03" | "04" | "06" | "07" | "31" | "32" | "33" | "34"))
        | (8, Some("63" | "72" | "73" | "74" | "75")) => Some(MajorCategory::Iho),
        _ => None,
    });
    by_number.or(match kind {
        InsuranceKind::Shaho => Some(MajorCategory::Iho),
        InsuranceKind::Kokuho => Some(MajorCategory::Kokuho),
        InsuranceKind::Kouki => Some(MajorCategory::Kouki),
        InsuranceKind::Other | InsuranceKind::Unknown => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn jpcore_width_never_mixes() {
        assert_eq!(jpcore_width("12-34"), "12-34");
        assert_eq!(jpcore_width("AB1"), "AB1");
        assert_eq!(jpcore_width("記号12"), "記号１２");
        assert_eq!(jpcore_width("あいう"), "あいう");
        assert_eq!(jpcore_width("協A-1"), "協Ａ－１");
        assert_eq!(jpcore_width("ｱ1"), "ア１");
    }

    #[test]
    fn member_id_insurer_is_eight() {
        assert_eq!(insurer_number_8("138107"), "00138107");
        assert_eq!(insurer_number_8("06130012"), "06130012");
    }

    #[test]
    fn major_category_by_number_then_kind() {
        use crate::domain::record::InsuranceKind as K;
        assert_eq!(
            major_category(Some("138107"), K::Shaho),
            Some(MajorCategory::Kokuho)
        );
        assert_eq!(
            major_category(Some("39131015"), K::Unknown),
            Some(MajorCategory::Kouki)
        );
        assert_eq!(
            major_category(Some("06130012"), K::Kokuho),
            Some(MajorCategory::Iho)
        );
        assert_eq!(
            major_category(Some("67130010"), K::Shaho),
            Some(MajorCategory::Kokuho)
        );
        assert_eq!(major_category(None, K::Kouki), Some(MajorCategory::Kouki));
        assert_eq!(major_category(None, K::Other), None);
        assert_eq!(major_category(Some("12345678"), K::Unknown), None);
    }

    #[test]
    fn halfwidth_digits_only_touch_digits() {
        assert_eq!(to_halfwidth_digits("０１２３４５６７８９"), "0123456789");
        assert_eq!(to_halfwidth_digits("ａ１－Ａ ３"), "ａ1－Ａ 3");
        assert_eq!(to_halfwidth_digits(""), "");
    }

    #[test]
    fn check_digit_examples() {
        assert_eq!(check_digit("0104001"), Some(3));
        assert_eq!(check_digit("0601039"), Some(1));
        assert_eq!(check_digit("3312001"), Some(5));
        assert_eq!(check_digit("7777777"), Some(9));
        assert_ne!(check_digit("0104001"), Some(4));
        // 6-digit 国保 number: body 13810 → 0×2 + 1 + 8×2=16→7 + 3 + 1×2 = 13 → 7.
        assert_eq!(check_digit("13810"), Some(7));
        // Sum already a multiple of 10 → check 0.
        assert_eq!(check_digit("19"), Some(0));
        // A product of 10 or more contributes its digit sum: 5×2=10 → 1 → check 9.
        assert_eq!(check_digit("5"), Some(9));
        assert_eq!(check_digit("0"), Some(0));
        assert_eq!(check_digit("1"), Some(8));
    }

    #[test]
    fn check_digit_rejects_non_digits() {
        assert_eq!(check_digit(""), None);
        assert_eq!(check_digit("01a4001"), None);
        assert_eq!(check_digit("０１０４００１"), None);
        assert_eq!(check_digit("-1"), None);
    }

    #[test]
    fn valid_insurer_numbers() {
        for n in ["01040013", "06010391", "33120015", "39131016", "138107"] {
            assert_eq!(parse_insurer_number(n), Ok(n.to_string()), "{n}");
        }
    }

    #[test]
    fn insurer_normalisation() {
        for n in [
            " 01040013 ",
            "０１０４００１３",
            "0104 0013",
            "01\u{3000}04\u{3000}0013",
            "０１ ０４ ００１３\n",
        ] {
            assert_eq!(parse_insurer_number(n), Ok("01040013".to_string()), "{n:?}");
        }
    }

    #[test]
    fn insurer_errors() {
        assert_eq!(parse_insurer_number(""), Err(InsurerError::Empty));
        assert_eq!(parse_insurer_number(" \u{3000}"), Err(InsurerError::Empty));
        assert_eq!(
            parse_insurer_number("0104001a"),
            Err(InsurerError::NotDigits { ch: 'a' })
        );
        assert_eq!(
            parse_insurer_number("01-040013"),
            Err(InsurerError::NotDigits { ch: '-' })
        );
        for (n, len) in [("1", 1), ("12345", 5), ("1234567", 7), ("123456789", 9)] {
            assert_eq!(
                parse_insurer_number(n),
                Err(InsurerError::Length { len }),
                "{n}"
            );
        }
        assert_eq!(
            parse_insurer_number("01040014"),
            Err(InsurerError::CheckDigit { expected: 3 })
        );
        assert_eq!(
            parse_insurer_number("138108"),
            Err(InsurerError::CheckDigit { expected: 7 })
        );
    }

    /// 77777777, 77777779 and 99999999 are written on claims (不詳, 公費 only), never
    /// printed on a card or certificate: a document giving one was misread.
    #[test]
    fn claim_codes_are_never_a_documents_number() {
        for n in CLAIM_CODES {
            assert_eq!(parse_insurer_number(n), Err(InsurerError::ClaimCode), "{n}");
        }
        assert_eq!(
            parse_insurer_number("７７７７７７７７"),
            Err(InsurerError::ClaimCode)
        );
        // The 不詳 code fails its own check digit: a number that passes it must be real.
        assert_eq!(check_digit("7777777"), Some(9));
    }

    /// 8 digits: 法別 (a health insurer's) + 都道府県 01–47 + 保険者 + 検証; 6 digits (国保):
    /// 都道府県 + 保険者 + 検証.
    #[test]
    fn structure_is_checked_before_the_check_digit() {
        // 12 is 生活保護 (公費), not an insurer.
        assert_eq!(
            parse_insurer_number("12130015"),
            Err(InsurerError::Houbetsu { code: "12".into() })
        );
        assert_eq!(
            parse_insurer_number("01480014"),
            Err(InsurerError::Prefecture { code: "48".into() })
        );
        assert_eq!(
            parse_insurer_number("01000013"),
            Err(InsurerError::Prefecture { code: "00".into() })
        );
        assert_eq!(
            parse_insurer_number("481011"),
            Err(InsurerError::Prefecture { code: "48".into() })
        );
        for code in HOUBETSU {
            let body = format!("{code}13001");
            let n = format!("{body}{}", check_digit(&body).unwrap());
            assert_eq!(parse_insurer_number(&n), Ok(n.clone()), "{n}");
        }
    }

    #[test]
    fn kokuho_kumiai_by_number_and_by_name() {
        assert!(is_kokuho_kumiai_number("133033"));
        assert!(!is_kokuho_kumiai_number("131011"));
        assert!(!is_kokuho_kumiai_number("01130012"));
        for name in [
            "東京都医師国民健康保険組合",
            "東京都医師国保",
            "全国土木建築国保組合",
            "京都府歯科医師国保",
        ] {
            assert!(is_kokuho_kumiai_name(name), "{name}");
        }
        assert!(!is_kokuho_kumiai_name("千代田区国民健康保険"));
        assert!(!is_kokuho_kumiai_name("全国健康保険協会"));
    }

    #[test]
    fn unknown_constants() {
        assert_eq!(UNKNOWN_INSURER.len(), 8);
        assert_eq!(UNKNOWN_INSURER_VALID.len(), 8);
        assert_eq!(UNKNOWN_INSURED.len(), 9);
        assert_eq!(UNKNOWN_INSURED_KOUKI.len(), 8);
    }

    #[test]
    fn branch() {
        assert_eq!(parse_branch("01"), Ok("01".to_string()));
        assert_eq!(parse_branch("1"), Ok("01".to_string()));
        assert_eq!(parse_branch("０"), Ok("00".to_string()));
        assert_eq!(parse_branch(" ０２ "), Ok("02".to_string()));
        assert_eq!(parse_branch("99"), Ok("99".to_string()));
        assert_eq!(parse_branch(""), Err(NumberError::Empty));
        assert_eq!(parse_branch("  "), Err(NumberError::Empty));
        assert_eq!(parse_branch("001"), Err(NumberError::TooLong { max: 2 }));
        assert_eq!(parse_branch("1a"), Err(NumberError::Invalid { ch: 'a' }));
        assert_eq!(parse_branch("-1"), Err(NumberError::Invalid { ch: '-' }));
        assert_eq!(parse_branch("0 1"), Err(NumberError::Invalid { ch: ' ' }));
    }

    #[test]
    fn symbol_or_number_accepts() {
        for (input, want) in [
            ("12345", "12345"),
            ("１２３４５", "12345"),
            ("ＡＢ－１２", "AB-12"),
            ("ab-12", "ab-12"),
            ("協", "協"),
            ("都１２", "都12"),
            ("あいう", "あいう"),
            ("カナ", "カナ"),
            ("ｶﾅ", "ｶﾅ"),
            ("\u{20B9F}", "\u{20B9F}"),
            ("  12 ", "12"),
            ("12345678901234567890", "12345678901234567890"),
        ] {
            assert_eq!(
                parse_symbol_or_number(input),
                Ok(want.to_string()),
                "{input}"
            );
        }
    }

    #[test]
    fn symbol_or_number_rejects() {
        assert_eq!(parse_symbol_or_number(""), Err(NumberError::Empty));
        assert_eq!(parse_symbol_or_number(" \t"), Err(NumberError::Empty));
        assert_eq!(
            parse_symbol_or_number("12 34"),
            Err(NumberError::Invalid { ch: ' ' })
        );
        assert_eq!(
            parse_symbol_or_number("12\u{1b}[31m"),
            Err(NumberError::Invalid { ch: '\u{1b}' })
        );
        assert_eq!(
            parse_symbol_or_number("1/2"),
            Err(NumberError::Invalid { ch: '/' })
        );
        assert_eq!(
            parse_symbol_or_number("１２・３"),
            Err(NumberError::Invalid { ch: '・' })
        );
        assert_eq!(
            parse_symbol_or_number("é"),
            Err(NumberError::Invalid { ch: 'é' })
        );
        assert_eq!(
            parse_symbol_or_number("123456789012345678901"),
            Err(NumberError::TooLong { max: 20 })
        );
        assert_eq!(
            parse_symbol_or_number("協協協協協協協協協協協協協協協協協協協協協"),
            Err(NumberError::TooLong { max: 20 })
        );
    }

    /// Whatever the input, successful results have the documented shape.
    fn assert_outputs_well_formed(s: &str) -> Result<(), TestCaseError> {
        if let Ok(n) = parse_insurer_number(s) {
            prop_assert!(n.len() == 6 || n.len() == 8);
            prop_assert!(n.bytes().all(|b| b.is_ascii_digit()));
        }
        if let Ok(b) = parse_branch(s) {
            prop_assert_eq!(b.len(), 2);
        }
        if let Ok(sym) = parse_symbol_or_number(s) {
            prop_assert!(!sym.is_empty() && sym.chars().count() <= 20);
            prop_assert!(sym.chars().all(symbol_char));
        }
        if let Some(c) = check_digit(s) {
            prop_assert!(c <= 9);
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn parsers_never_panic(s in "\\PC*") {
            assert_outputs_well_formed(&s)?;
        }

        #[test]
        fn parsers_never_panic_any_chars(s in any::<String>()) {
            assert_outputs_well_formed(&s)?;
        }

        #[test]
        fn number_with_its_check_digit_roundtrips(
            houbetsu in proptest::sample::select(&HOUBETSU[..]),
            pref in 1u8..=47,
            rest in "[0-9]{3}",
            eight in any::<bool>(),
        ) {
            let body = if eight {
                format!("{houbetsu}{pref:02}{rest}")
            } else {
                format!("{pref:02}{rest}")
            };
            let check = check_digit(&body).unwrap();
            let number = format!("{body}{check}");
            prop_assert_eq!(parse_insurer_number(&number), Ok(number.clone()));
            let full: String = number.chars().map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap()).collect();
            prop_assert_eq!(parse_insurer_number(&full), Ok(number.clone()));
            // Any other last digit is caught.
            let wrong = (check + 1) % 10;
            let bad = format!("{body}{wrong}");
            prop_assert_eq!(
                parse_insurer_number(&bad),
                Err(InsurerError::CheckDigit { expected: check })
            );
        }

        #[test]
        fn single_digit_change_in_body_is_caught(body in "[0-9]{7}", pos in 0usize..7, delta in 1u32..10) {
            let check = check_digit(&body).unwrap();
            let mut digits: Vec<u32> = body.chars().map(|c| c.to_digit(10).unwrap()).collect();
            digits[pos] = (digits[pos] + delta) % 10;
            let changed: String = digits.iter().map(|d| char::from_digit(*d, 10).unwrap()).collect();
            // 2-1 weighting maps each digit bijectively, so one changed digit changes the check.
            prop_assert_ne!(check_digit(&changed), Some(check));
        }

        #[test]
        fn symbol_output_reparses_to_itself(s in "\\PC{0,25}") {
            if let Ok(out) = parse_symbol_or_number(&s) {
                prop_assert_eq!(parse_symbol_or_number(&out), Ok(out.clone()));
                prop_assert!(out.chars().count() <= 20);
            }
        }

        #[test]
        fn branch_output_is_two_ascii_digits(s in "[0-9０-９ ]{0,3}") {
            if let Ok(out) = parse_branch(&s) {
                prop_assert_eq!(out.len(), 2);
                prop_assert!(out.bytes().all(|b| b.is_ascii_digit()));
            }
        }
    }
}
