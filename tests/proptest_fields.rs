//! Every field parser, with arbitrary and adversarial text: it never panics, what it
//! accepts is normalised (parsing it again gives the same value), and the values it
//! must accept in every spelling (dates in 西暦, 和暦 and full-width digits; insurer
//! numbers with a valid check digit) are accepted.

use chrono::{Datelike, NaiveDate};
use proptest::prelude::*;

use onshi::domain::claim::parse_count;
use onshi::domain::era::{format_wareki, parse_date, to_wareki};
use onshi::domain::insurer::{
    check_digit, parse_branch, parse_insurer_number, parse_symbol_or_number, to_halfwidth_digits,
};
use onshi::domain::kana::{is_full_width_katakana, normalize_kana};
use onshi::domain::phone::normalize_phone;
use onshi::domain::text::{clean_text, is_unsafe_char, neutralize_for_terminal};

/// Text that looks like what clerks, IMEs, card readers and broken files produce.
fn wild() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "",
        " ",
        "　",
        "0",
        "1",
        "9",
        "０",
        "９",
        "-",
        "－",
        "ー",
        "‐",
        "/",
        ".",
        "．",
        "年",
        "月",
        "日",
        "元",
        "昭和",
        "平成",
        "令和",
        "大正",
        "明治",
        "S",
        "H",
        "R",
        "T",
        "M",
        "s",
        "ｓ",
        "ア",
        "ｱ",
        "ｶﾞ",
        "あ",
        "ゔ",
        "ヴ",
        "ヵ",
        "㍻",
        "葛\u{E0100}",
        "\u{1b}[31m",
        "\u{7}",
        "\u{0}",
        "\u{202E}",
        "\u{200B}",
        "\u{FEFF}",
        "\r\n",
        "\t",
        "𠮷",
        "👍🏽",
        "Ａ",
        "a",
        "+81",
        "(",
        ")",
        "77777777",
        "999999999999999999999999",
        "e",
        "\u{FF0B}",
    ]);
    prop_oneof![
        3 => prop::collection::vec(pieces, 0..12).prop_map(|v| v.concat()),
        1 => any::<String>(),
        1 => "\\PC{0,20}",
    ]
}

/// Dates the app meets: 1868 (Meiji) to 2100.
fn date() -> impl Strategy<Value = NaiveDate> {
    (1868i32..=2100, 1u32..=12, 1u32..=31)
        .prop_filter_map("real date", |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
        .prop_filter("from Meiji 6 (the Gregorian calendar in Japan)", |d| {
            *d >= NaiveDate::from_ymd_opt(1873, 1, 1).unwrap()
        })
}

fn full_width_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap(),
            c => c,
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn dates_never_panic_and_accepted_dates_are_stable(s in wild()) {
        if let Ok(d) = parse_date(&s) {
            prop_assert_eq!(parse_date(&d.to_string()), Ok(d));
        }
    }

    #[test]
    fn every_spelling_of_a_date_parses_to_it(d in date()) {
        let iso = d.format("%Y-%m-%d").to_string();
        prop_assert_eq!(parse_date(&iso), Ok(d), "{}", iso);
        prop_assert_eq!(parse_date(&full_width_digits(&iso)), Ok(d), "full-width {}", iso);
        let wareki = format_wareki(d);
        prop_assert_eq!(parse_date(&wareki), Ok(d), "{}", wareki);
        prop_assert_eq!(parse_date(&full_width_digits(&wareki)), Ok(d), "full-width {}", wareki);
        if let Some((era, year)) = to_wareki(d) {
            let short = format!("{}{}.{}.{}", era.letter(), year, d.month(), d.day());
            prop_assert_eq!(parse_date(&short), Ok(d), "{}", short);
            prop_assert_eq!(parse_date(&short.to_lowercase()), Ok(d), "{}", short);
        }
    }

    #[test]
    fn insurer_numbers_never_panic_and_accepted_ones_are_normal(s in wild()) {
        if let Ok(n) = parse_insurer_number(&s) {
            prop_assert!(n.len() == 6 || n.len() == 8, "{}", n);
            prop_assert!(n.bytes().all(|b| b.is_ascii_digit()), "{}", n);
            prop_assert_eq!(parse_insurer_number(&n), Ok(n.clone()));
        }
    }

    /// A well-formed number (法別 of a health insurer, 都道府県 01–47) with its check digit
    /// is accepted, typed full-width too; any other last digit is refused.
    #[test]
    fn a_number_with_its_check_digit_is_accepted(
        houbetsu in proptest::sample::select(&onshi::domain::insurer::HOUBETSU[..]),
        pref in 1u8..=47,
        rest in "[0-9]{3}",
        eight in any::<bool>(),
    ) {
        let body = if eight { format!("{houbetsu}{pref:02}{rest}") } else { format!("{pref:02}{rest}") };
        let digit = check_digit(&body).expect("check digit of 5 or 7 digits");
        let n = format!("{body}{digit}");
        prop_assert_eq!(parse_insurer_number(&n), Ok(n.clone()));
        prop_assert_eq!(parse_insurer_number(&full_width_digits(&n)), Ok(n.clone()));
        let wrong = format!("{body}{}", (digit + 1) % 10);
        prop_assert!(parse_insurer_number(&wrong).is_err());
    }

    #[test]
    fn numbers_and_counts_never_panic_and_are_idempotent(s in wild()) {
        if let Ok(b) = parse_branch(&s) {
            prop_assert_eq!(b.len(), 2);
            prop_assert_eq!(parse_branch(&b), Ok(b.clone()));
        }
        if let Ok(v) = parse_symbol_or_number(&s) {
            prop_assert_eq!(parse_symbol_or_number(&v), Ok(v.clone()));
            prop_assert!(!v.chars().any(is_unsafe_char));
        }
        if let Ok(n) = parse_count(&s) {
            prop_assert_eq!(parse_count(&n.to_string()), Ok(n));
        }
        let h = to_halfwidth_digits(&s);
        prop_assert_eq!(to_halfwidth_digits(&h), h.clone());
        prop_assert_eq!(h.chars().count(), s.chars().count());
    }

    #[test]
    fn kana_phone_and_text_are_idempotent(s in wild(), max in 0usize..40) {
        if let Ok(k) = normalize_kana(&s) {
            prop_assert!(k.is_empty() || is_full_width_katakana(&k), "{:?}", k);
            prop_assert_eq!(normalize_kana(&k), Ok(k.clone()));
        }
        if let Ok(p) = normalize_phone(&s) {
            prop_assert!(p.chars().all(|c| c.is_ascii_digit() || c == '-'), "{:?}", p);
            prop_assert_eq!(normalize_phone(&p), Ok(p.clone()));
        }
        if let Ok(t) = clean_text(&s, max) {
            prop_assert!(t.chars().count() <= max);
            prop_assert!(!t.chars().any(is_unsafe_char), "{:?}", t);
            prop_assert_eq!(clean_text(&t, max), Ok(t.clone()));
        }
        let shown = neutralize_for_terminal(&s);
        prop_assert!(!shown.chars().any(|c| c.is_control()), "{:?}", shown);
    }

    #[test]
    fn romaji_pins_and_key_names_never_panic(s in wild()) {
        let _ = onshi::tui::romaji::convert(&s);
        if let Ok(pin) = onshi::card::Pin::parse(&s) {
            let _ = pin;
            let digits = s.trim().chars().filter(|c| c.is_ascii_digit() || ('０'..='９').contains(c)).count();
            prop_assert_eq!(digits, 4);
        }
        let _ = onshi::keymap::Chord::parse(&s);
    }

    /// Config and keymap files of any shape: a clear error (with a line inside the file,
    /// when there is one), never a panic.
    #[test]
    fn config_and_keymap_text_never_panics(lines in prop::collection::vec(toml_line(), 0..8)) {
        let src = lines.join("\n");
        let n = src.lines().count().max(1) + 1;
        if let Err(e) = onshi::config::Config::parse(std::path::Path::new("c.toml"), &src) {
            prop_assert!(e.line.is_none_or(|l| l >= 1 && l <= n), "{}", e);
        }
        if let Err(e) = onshi::keymap::Keymap::parse("k.toml", &src, None) {
            prop_assert!(e.line.is_none_or(|l| l >= 1 && l <= n), "{}", e);
            prop_assert!(!e.to_string().is_empty());
        }
    }
}

/// Lines of TOML-ish text using the real keys of config and keymap files.
fn toml_line() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "terminal_id",
        "operator",
        "lang",
        "keymap",
        "extends",
        "target",
        "url",
        "token_file",
        "dir",
        "quit",
        "help",
        "save",
        "left",
        "new_intake",
        "unknown_key",
        "[sync]",
        "[claim]",
        "[global]",
        "[editor]",
        "[form]",
        "[home",
        "unknown_insurer_valid_check_digit",
    ]);
    let value = prop::sample::select(vec![
        "\"default\"",
        "\"vim\"",
        "\"http\"",
        "\"dir\"",
        "\"ftp\"",
        "true",
        "1",
        "[\"F10\"]",
        "[\"C-q\", \"F10\"]",
        "[\"h\"]",
        "[\"F99\"]",
        "[\"S-\"]",
        "[\"\"]",
        "\"",
        "[",
        "{}",
        "\"ja\"",
        "\"\\u001b\"",
    ]);
    prop_oneof![
        3 => (key.clone(), value).prop_map(|(k, v)| if k.starts_with('[') { k.to_string() } else { format!("{k} = {v}") }),
        1 => key.prop_map(str::to_string),
        1 => "\\PC{0,30}",
    ]
}
