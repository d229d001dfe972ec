//! 和暦 ↔ 西暦: parse birth dates as staff and cards write them, format them back.
//!
//! Pure: no I/O, no clock, no panics on any input.

use chrono::{Datelike, NaiveDate};

/// The eras a living patient (or an old card) can be born in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Era {
    Meiji,
    Taisho,
    Showa,
    Heisei,
    Reiwa,
}

/// Build a constant date at compile time, so a typo fails the build instead of panicking.
const fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(date) => date,
        None => panic!("invalid constant date"),
    }
}

// 明治 formally began 1868-10-23 (retroactive to 1868-01-01 of the lunar calendar);
// 1868-01-25 is that lunar new year in the Gregorian calendar, which is precise enough
// for birth dates: nobody alive was born before 1873, when Japan adopted the Gregorian calendar.
const MEIJI_START: NaiveDate = ymd(1868, 1, 25);
const TAISHO_START: NaiveDate = ymd(1912, 7, 30);
const SHOWA_START: NaiveDate = ymd(1926, 12, 25);
const HEISEI_START: NaiveDate = ymd(1989, 1, 8);
const REIWA_START: NaiveDate = ymd(2019, 5, 1);

impl Era {
    /// Oldest first; `to_wareki` relies on this order.
    pub const ALL: [Era; 5] = [Era::Meiji, Era::Taisho, Era::Showa, Era::Heisei, Era::Reiwa];

    pub fn kanji(self) -> &'static str {
        match self {
            Era::Meiji => "明治",
            Era::Taisho => "大正",
            Era::Showa => "昭和",
            Era::Heisei => "平成",
            Era::Reiwa => "令和",
        }
    }

    /// The upper-case initial used in `S56.4.1`.
    pub fn letter(self) -> char {
        match self {
            Era::Meiji => 'M',
            Era::Taisho => 'T',
            Era::Showa => 'S',
            Era::Heisei => 'H',
            Era::Reiwa => 'R',
        }
    }

    /// First day of the era.
    pub fn start(self) -> NaiveDate {
        match self {
            Era::Meiji => MEIJI_START,
            Era::Taisho => TAISHO_START,
            Era::Showa => SHOWA_START,
            Era::Heisei => HEISEI_START,
            Era::Reiwa => REIWA_START,
        }
    }

    /// Last valid day of the era; `None` for the current era.
    pub fn end(self) -> Option<NaiveDate> {
        let next = match self {
            Era::Meiji => TAISHO_START,
            Era::Taisho => SHOWA_START,
            Era::Showa => HEISEI_START,
            Era::Heisei => REIWA_START,
            Era::Reiwa => return None,
        };
        next.pred_opt()
    }

    fn from_kanji(s: &str) -> Option<Era> {
        Era::ALL.into_iter().find(|e| e.kanji() == s)
    }

    fn from_letter(c: char) -> Option<Era> {
        let upper = c.to_ascii_uppercase();
        Era::ALL.into_iter().find(|e| e.letter() == upper)
    }

    /// The one-kanji abbreviations (昭56.4.1 on forms and cards).
    fn from_abbreviation(c: char) -> Option<Era> {
        match c {
            '明' => Some(Era::Meiji),
            '大' => Some(Era::Taisho),
            '昭' => Some(Era::Showa),
            '平' => Some(Era::Heisei),
            '令' => Some(Era::Reiwa),
            _ => None,
        }
    }

    /// The single-character era ligatures (㍾㍽㍼㍻㋿) some IMEs and PDFs produce.
    fn from_ligature(c: char) -> Option<Era> {
        match c {
            '\u{337E}' => Some(Era::Meiji),
            '\u{337D}' => Some(Era::Taisho),
            '\u{337C}' => Some(Era::Showa),
            '\u{337B}' => Some(Era::Heisei),
            '\u{32FF}' => Some(Era::Reiwa),
            _ => None,
        }
    }
}

/// Why a date could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    /// Nothing but whitespace.
    Empty,
    /// Not one of the accepted shapes (includes a western year that is not 4 digits).
    Format,
    /// Shaped like an era date, but the era name/letter is not one we know.
    UnknownEra,
    /// A real calendar date that does not belong to the named era (昭和64年1月8日).
    OutOfEra { era: Era, year: u32 },
    /// No such calendar day (2月30日, 13月, 0日, 令和0年).
    Impossible,
}

/// Parse a date as typed at reception or found in an import file.
///
/// Accepted after trimming, removing inner whitespace and mapping full-width digits,
/// letters and `．／－` to ASCII:
/// - western: `1981-04-01`, `1981/4/1`, `1981.4.1`, `1981年4月1日` (year exactly 4 digits);
/// - era: `昭和56年4月1日`, `平成元年1月8日`, `S56.4.1`, `s56/4/1`, `S56-4-1`, `S56年4月1日`,
///   `昭和56.4.1`, the one-kanji `昭56.4.1`, the ligatures `㍼56年4月1日`, and the card
///   face's `昭和56年 4月 1日生` (a trailing 生 or 生まれ is dropped).
///
/// The two separators of a dotted/slashed/hyphenated date must be the same character.
pub fn parse_date(input: &str) -> Result<NaiveDate, DateError> {
    let s = normalize(input);
    if s.is_empty() {
        return Err(DateError::Empty);
    }
    // The card face prints 「昭和56年 4月 1日生」: "born" is not part of the date.
    let s = s
        .strip_suffix("生まれ")
        .or_else(|| s.strip_suffix('生'))
        .unwrap_or(&s);
    // The era prefix is everything before the year, which starts with a digit or 元.
    let year_at = s
        .char_indices()
        .find(|&(_, c)| c.is_ascii_digit() || c == '元')
        .map(|(i, _)| i)
        .ok_or(DateError::Format)?;
    let (prefix, rest) = s.split_at(year_at);
    if prefix.is_empty() {
        let (y, m, d) = split_ymd(rest)?;
        let year = number(y, 4, 4).ok_or(DateError::Format)?;
        let month = number(m, 1, 2).ok_or(DateError::Format)?;
        let day = number(d, 1, 2).ok_or(DateError::Format)?;
        let year = i32::try_from(year).map_err(|_| DateError::Format)?;
        return NaiveDate::from_ymd_opt(year, month, day).ok_or(DateError::Impossible);
    }
    let era = era_from_prefix(prefix)?;
    let (y, m, d) = split_ymd(rest)?;
    let year = if y == "元" {
        1
    } else {
        number(y, 1, 2).ok_or(DateError::Format)?
    };
    let month = number(m, 1, 2).ok_or(DateError::Format)?;
    let day = number(d, 1, 2).ok_or(DateError::Format)?;
    era_date(era, year, month, day)
}

/// Resolve an era prefix, telling "unknown era" (looks like one) from plain garbage.
fn era_from_prefix(prefix: &str) -> Result<Era, DateError> {
    if let Some(era) = Era::from_kanji(prefix) {
        return Ok(era);
    }
    let mut chars = prefix.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        if let Some(era) = Era::from_letter(c)
            .or_else(|| Era::from_ligature(c))
            .or_else(|| Era::from_abbreviation(c))
        {
            return Ok(era);
        }
        if c.is_alphabetic() {
            return Err(DateError::UnknownEra);
        }
        return Err(DateError::Format);
    }
    // Two letters/ideographs (慶応, 平静 typo) read as an era name we do not know.
    if prefix.chars().count() == 2 && prefix.chars().all(char::is_alphabetic) {
        return Err(DateError::UnknownEra);
    }
    Err(DateError::Format)
}

/// Convert an era date, checking the calendar first and then the era's bounds.
fn era_date(era: Era, year: u32, month: u32, day: u32) -> Result<NaiveDate, DateError> {
    if year == 0 {
        return Err(DateError::Impossible);
    }
    let western = u32::try_from(era.start().year())
        .ok()
        .and_then(|start| start.checked_add(year - 1))
        .and_then(|y| i32::try_from(y).ok())
        .ok_or(DateError::Impossible)?;
    let date = NaiveDate::from_ymd_opt(western, month, day).ok_or(DateError::Impossible)?;
    let after_end = era.end().is_some_and(|end| date > end);
    if date < era.start() || after_end {
        return Err(DateError::OutOfEra { era, year });
    }
    Ok(date)
}

/// Split `Y年M月D日` or `Y<sep>M<sep>D` into its three parts (not yet checked as digits).
fn split_ymd(s: &str) -> Result<(&str, &str, &str), DateError> {
    if let Some(body) = s.strip_suffix('日') {
        let (y, rest) = body.split_once('年').ok_or(DateError::Format)?;
        let (m, d) = rest.split_once('月').ok_or(DateError::Format)?;
        return Ok((y, m, d));
    }
    let sep = s
        .chars()
        .find(|c| matches!(c, '-' | '/' | '.'))
        .ok_or(DateError::Format)?;
    let mut parts = s.split(sep);
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(y), Some(m), Some(d), None) => Ok((y, m, d)),
        _ => Err(DateError::Format),
    }
}

/// ASCII digits only, with a length window (which also rules out overflow).
fn number(s: &str, min_len: usize, max_len: usize) -> Option<u32> {
    if s.len() < min_len || s.len() > max_len || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Full-width digits/letters/punctuation to ASCII, whitespace removed.
fn normalize(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            // Full-width ASCII block (０-９, Ａ-Ｚ, ａ-ｚ, ．／－) maps by a fixed offset.
            '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' | '．' | '／' | '－' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            _ => c,
        })
        .collect()
}

/// Era and year-in-era of a date; `None` before 明治.
pub fn to_wareki(date: NaiveDate) -> Option<(Era, u32)> {
    let era = Era::ALL.into_iter().rev().find(|e| date >= e.start())?;
    let year = date
        .year()
        .checked_sub(era.start().year())?
        .checked_add(1)?;
    Some((era, u32::try_from(year).ok()?))
}

/// `昭和56年4月1日`, `平成元年1月8日`; ISO (`1867-12-31`) before 明治.
pub fn format_wareki(date: NaiveDate) -> String {
    match to_wareki(date) {
        Some((era, year)) => {
            let year = if year == 1 {
                "元".to_string()
            } else {
                year.to_string()
            };
            format!(
                "{}{}年{}月{}日",
                era.kanji(),
                year,
                date.month(),
                date.day()
            )
        }
        None => date.format("%Y-%m-%d").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn era_kanji_and_letters() {
        let kanji: Vec<_> = Era::ALL.iter().map(|e| e.kanji()).collect();
        assert_eq!(kanji, ["明治", "大正", "昭和", "平成", "令和"]);
        let letters: String = Era::ALL.iter().map(|e| e.letter()).collect();
        assert_eq!(letters, "MTSHR");
    }

    #[test]
    fn era_bounds() {
        assert_eq!(Era::Meiji.start(), d(1868, 1, 25));
        assert_eq!(Era::Taisho.start(), d(1912, 7, 30));
        assert_eq!(Era::Showa.start(), d(1926, 12, 25));
        assert_eq!(Era::Heisei.start(), d(1989, 1, 8));
        assert_eq!(Era::Reiwa.start(), d(2019, 5, 1));
        assert_eq!(Era::Meiji.end(), Some(d(1912, 7, 29)));
        assert_eq!(Era::Taisho.end(), Some(d(1926, 12, 24)));
        assert_eq!(Era::Showa.end(), Some(d(1989, 1, 7)));
        assert_eq!(Era::Heisei.end(), Some(d(2019, 4, 30)));
        assert_eq!(Era::Reiwa.end(), None);
    }

    #[test]
    fn eras_are_contiguous() {
        for pair in Era::ALL.windows(2) {
            assert_eq!(pair[0].end().unwrap().succ_opt(), Some(pair[1].start()));
        }
    }

    #[test]
    fn western_formats() {
        let want = Ok(d(1981, 4, 1));
        for s in [
            "1981-04-01",
            "1981/4/1",
            "1981.4.1",
            "1981-4-1",
            "1981/04/01",
            "1981年4月1日",
            "  1981-04-01\n",
            "１９８１－０４－０１",
            "１９８１／４／１",
            "１９８１．４．１",
            "1981 / 4 / 1",
        ] {
            assert_eq!(parse_date(s), want, "{s}");
        }
    }

    #[test]
    fn western_year_must_be_four_digits() {
        for s in ["81-04-01", "981/4/1", "19810-4-1", "01981.4.1"] {
            assert_eq!(parse_date(s), Err(DateError::Format), "{s}");
        }
    }

    #[test]
    fn era_formats() {
        let want = Ok(d(1981, 4, 1));
        for s in [
            "昭和56年4月1日",
            "昭和５６年４月１日",
            "昭和56年04月01日",
            "S56.4.1",
            "s56.4.1",
            "S56/4/1",
            "S56-4-1",
            "Ｓ５６．４．１",
            "ｓ56／4／1",
            "S56年4月1日",
            "昭和56.4.1",
            "\u{337C}56年4月1日",
            " 昭和 56年 4月 1日 ",
            "昭和　５６年　４月　１日",
        ] {
            assert_eq!(parse_date(s), want, "{s}");
        }
    }

    #[test]
    fn each_era_letter_and_kanji() {
        assert_eq!(parse_date("M45.7.29"), Ok(d(1912, 7, 29)));
        assert_eq!(parse_date("明治45年7月29日"), Ok(d(1912, 7, 29)));
        assert_eq!(parse_date("T1.7.30"), Ok(d(1912, 7, 30)));
        assert_eq!(parse_date("大正元年7月30日"), Ok(d(1912, 7, 30)));
        assert_eq!(parse_date("t15.12.24"), Ok(d(1926, 12, 24)));
        assert_eq!(parse_date("h1.1.8"), Ok(d(1989, 1, 8)));
        assert_eq!(parse_date("H元.1.8"), Ok(d(1989, 1, 8)));
        assert_eq!(parse_date("R7.11.28"), Ok(d(2025, 11, 28)));
        assert_eq!(parse_date("r1.5.1"), Ok(d(2019, 5, 1)));
        assert_eq!(parse_date("令和7年11月28日"), Ok(d(2025, 11, 28)));
        assert_eq!(parse_date("\u{32FF}7年11月28日"), Ok(d(2025, 11, 28)));
        assert_eq!(parse_date("\u{337B}元年1月8日"), Ok(d(1989, 1, 8)));
        assert_eq!(parse_date("\u{337D}2年1月1日"), Ok(d(1913, 1, 1)));
        assert_eq!(parse_date("\u{337E}40年1月1日"), Ok(d(1907, 1, 1)));
    }

    #[test]
    fn era_boundaries_are_exact() {
        assert_eq!(parse_date("昭和64年1月7日"), Ok(d(1989, 1, 7)));
        assert_eq!(
            parse_date("昭和64年1月8日"),
            Err(DateError::OutOfEra {
                era: Era::Showa,
                year: 64
            })
        );
        assert_eq!(parse_date("平成元年1月8日"), Ok(d(1989, 1, 8)));
        assert_eq!(
            parse_date("平成元年1月7日"),
            Err(DateError::OutOfEra {
                era: Era::Heisei,
                year: 1
            })
        );
        assert_eq!(parse_date("平成31年4月30日"), Ok(d(2019, 4, 30)));
        assert_eq!(
            parse_date("平成31年5月1日"),
            Err(DateError::OutOfEra {
                era: Era::Heisei,
                year: 31
            })
        );
        assert_eq!(parse_date("令和元年5月1日"), Ok(d(2019, 5, 1)));
        assert_eq!(
            parse_date("令和元年4月30日"),
            Err(DateError::OutOfEra {
                era: Era::Reiwa,
                year: 1
            })
        );
        assert_eq!(parse_date("大正15年12月24日"), Ok(d(1926, 12, 24)));
        assert_eq!(
            parse_date("大正15年12月25日"),
            Err(DateError::OutOfEra {
                era: Era::Taisho,
                year: 15
            })
        );
        assert_eq!(parse_date("昭和元年12月25日"), Ok(d(1926, 12, 25)));
        assert_eq!(
            parse_date("昭和元年12月24日"),
            Err(DateError::OutOfEra {
                era: Era::Showa,
                year: 1
            })
        );
        assert_eq!(parse_date("明治45年7月29日"), Ok(d(1912, 7, 29)));
        assert_eq!(
            parse_date("明治45年7月30日"),
            Err(DateError::OutOfEra {
                era: Era::Meiji,
                year: 45
            })
        );
        assert_eq!(parse_date("大正元年7月30日"), Ok(d(1912, 7, 30)));
        assert_eq!(
            parse_date("大正元年7月29日"),
            Err(DateError::OutOfEra {
                era: Era::Taisho,
                year: 1
            })
        );
        assert_eq!(parse_date("明治元年1月25日"), Ok(d(1868, 1, 25)));
        assert_eq!(
            parse_date("明治元年1月24日"),
            Err(DateError::OutOfEra {
                era: Era::Meiji,
                year: 1
            })
        );
        assert_eq!(
            parse_date("S65.1.1"),
            Err(DateError::OutOfEra {
                era: Era::Showa,
                year: 65
            })
        );
    }

    #[test]
    fn impossible_dates() {
        for s in [
            "昭和56年2月30日",
            "昭和56年13月1日",
            "昭和56年4月0日",
            "昭和56年0月1日",
            "令和0年5月1日",
            "R0.5.1",
            "1981-02-29",
            "1981-13-01",
            "1981-04-31",
            "1981-04-00",
            "平成31年2月29日",
        ] {
            assert_eq!(parse_date(s), Err(DateError::Impossible), "{s}");
        }
        // Leap days that do exist.
        assert_eq!(parse_date("平成12年2月29日"), Ok(d(2000, 2, 29)));
        assert_eq!(parse_date("2024-02-29"), Ok(d(2024, 2, 29)));
    }

    #[test]
    fn empty_and_garbage() {
        assert_eq!(parse_date(""), Err(DateError::Empty));
        assert_eq!(parse_date("   \u{3000} "), Err(DateError::Empty));
        for s in [
            "abc",
            "昭和",
            "昭和56年4月",
            "昭和56年4月1",
            "S56.4",
            "S56.4.1.2",
            "S56.4/1",
            "1981-04-01T00:00",
            "1981-4-",
            "S.56.4.1",
            "S560.4.1",
            "S56.123.1",
            "S56.4.123",
            "S元元.4.1",
            "!56.4.1",
            "昭和和56年4月1日",
            "+1981-04-01",
            "1981年4月1日日",
        ] {
            assert_eq!(parse_date(s), Err(DateError::Format), "{s}");
        }
    }

    #[test]
    fn unknown_eras() {
        for s in ["X56.4.1", "慶応3年1月1日", "平静1年1月1日", "a1/1/1"] {
            assert_eq!(parse_date(s), Err(DateError::UnknownEra), "{s}");
        }
    }

    #[test]
    fn wareki_of_dates() {
        assert_eq!(to_wareki(d(1868, 1, 24)), None);
        assert_eq!(to_wareki(d(1868, 1, 25)), Some((Era::Meiji, 1)));
        assert_eq!(to_wareki(d(1912, 7, 29)), Some((Era::Meiji, 45)));
        assert_eq!(to_wareki(d(1912, 7, 30)), Some((Era::Taisho, 1)));
        assert_eq!(to_wareki(d(1926, 12, 24)), Some((Era::Taisho, 15)));
        assert_eq!(to_wareki(d(1926, 12, 25)), Some((Era::Showa, 1)));
        assert_eq!(to_wareki(d(1981, 4, 1)), Some((Era::Showa, 56)));
        assert_eq!(to_wareki(d(1989, 1, 7)), Some((Era::Showa, 64)));
        assert_eq!(to_wareki(d(1989, 1, 8)), Some((Era::Heisei, 1)));
        assert_eq!(to_wareki(d(2019, 4, 30)), Some((Era::Heisei, 31)));
        assert_eq!(to_wareki(d(2019, 5, 1)), Some((Era::Reiwa, 1)));
        assert_eq!(to_wareki(d(2025, 11, 28)), Some((Era::Reiwa, 7)));
        assert_eq!(to_wareki(NaiveDate::MIN), None);
        assert!(to_wareki(NaiveDate::MAX).is_some());
    }

    #[test]
    fn format_examples() {
        assert_eq!(format_wareki(d(1981, 4, 1)), "昭和56年4月1日");
        assert_eq!(format_wareki(d(1989, 1, 8)), "平成元年1月8日");
        assert_eq!(format_wareki(d(1989, 1, 7)), "昭和64年1月7日");
        assert_eq!(format_wareki(d(2019, 5, 1)), "令和元年5月1日");
        assert_eq!(format_wareki(d(2025, 11, 28)), "令和7年11月28日");
        assert_eq!(format_wareki(d(1867, 12, 31)), "1867-12-31");
        assert_eq!(format_wareki(d(1868, 1, 24)), "1868-01-24");
    }

    #[test]
    fn every_day_1900_to_2030_roundtrips() {
        let mut day = d(1900, 1, 1);
        let last = d(2030, 12, 31);
        let mut count = 0;
        while day <= last {
            assert_eq!(parse_date(&format_wareki(day)), Ok(day), "{day}");
            day = day.succ_opt().unwrap();
            count += 1;
        }
        assert_eq!(count, 47847);
    }

    #[test]
    fn pre_meiji_iso_fallback_roundtrips() {
        for day in [d(1800, 1, 1), d(1867, 12, 31), d(1868, 1, 24)] {
            assert_eq!(parse_date(&format_wareki(day)), Ok(day));
        }
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC*") {
            let result = parse_date(&s);
            prop_assert_eq!(s.trim().is_empty(), result == Err(DateError::Empty));
            if let Ok(date) = result {
                prop_assert_eq!(parse_date(&format_wareki(date)), Ok(date));
            }
        }

        #[test]
        fn parse_never_panics_on_date_like(s in "[MTSHRmtshrX昭和平成令元年月日0-9０-９./\\-－． ]{0,16}") {
            // Either parses to a date that formats back to itself, or a typed error.
            if let Ok(date) = parse_date(&s) {
                prop_assert_eq!(parse_date(&format_wareki(date)), Ok(date));
            }
        }

        #[test]
        fn wareki_roundtrip(days in 0i64..(200 * 366)) {
            let date = d(1850, 1, 1) + chrono::Duration::days(days);
            prop_assert_eq!(parse_date(&format_wareki(date)), Ok(date));
            let letter = to_wareki(date).map(|(e, y)| {
                format!("{}{}.{}.{}", e.letter(), y, date.month(), date.day())
            });
            if let Some(letter) = letter {
                prop_assert_eq!(parse_date(&letter), Ok(date));
            }
            prop_assert_eq!(parse_date(&date.format("%Y-%m-%d").to_string()), Ok(date));
        }
    }
}
