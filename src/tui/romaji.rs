//! Romaji → katakana as the clerk types, for フリガナ on a terminal without an IME
//! (SSH, bare console).
//!
//! Pure and incremental: every typed character goes through [`Romaji::push`], which
//! returns the katakana it completed; what is typed but not yet a whole mora stays
//! pending (shown under the cursor) until the next character or [`Romaji::flush`].
//!
//! Rules (Hepburn and kunrei spellings both accepted, as in common IMEs):
//! - `nn` and `n'` → ン; `n` before a consonant other than `n`/`y` → ン (`kanta` →
//!   カンタ). `nn` commits at once, so ンナ is typed `nnna` or `n'na` (`konya` → コニャ,
//!   `kon'ya` → コンヤ); a lone `n` at a field boundary becomes ン on flush.
//! - A doubled consonant → ッ (`kka` → ッカ, `sshi` → ッシ), and `tch` → ッチ (`matcha`).
//! - `-` → ー; space → full-width space U+3000; uppercase is read as lowercase.
//! - Small kana with an `x` or `l` prefix: `xa` ァ, `xtu`/`xtsu`/`ltu` ッ, `xya` ャ,
//!   `xwa` ヮ, `xka` ヵ, `xke` ヶ, `xn` ン.
//! - `wi` → ウィ and `we` → ウェ (what IMEs type today; ヰ/ヱ are not produced), `wo` → ヲ,
//!   `di` → ヂ, `du` → ヅ, `ye` → イェ, `thi` → ティ, `dhi` → ディ, `twu` → トゥ,
//!   `tsa` → ツァ, `va` → ヴァ, `fa` → ファ.
//! - Anything else (digits, punctuation, non-ASCII text) is passed through unchanged after
//!   committing what was pending; romaji that cannot be converted is passed through as
//!   typed, so nothing is lost and field validation can point at it.

use serde::{Deserialize, Serialize};

/// The conversion table. Apart from `n`, no key is a prefix of another, so a match
/// can be committed as soon as it is complete.
const TABLE: &[(&str, &str)] = &[
    // Vowels.
    ("a", "ア"),
    ("i", "イ"),
    ("u", "ウ"),
    ("e", "エ"),
    ("o", "オ"),
    // K.
    ("ka", "カ"),
    ("ki", "キ"),
    ("ku", "ク"),
    ("ke", "ケ"),
    ("ko", "コ"),
    ("kya", "キャ"),
    ("kyu", "キュ"),
    ("kyo", "キョ"),
    ("kwa", "クァ"),
    // S.
    ("sa", "サ"),
    ("si", "シ"),
    ("shi", "シ"),
    ("su", "ス"),
    ("se", "セ"),
    ("so", "ソ"),
    ("sya", "シャ"),
    ("syu", "シュ"),
    ("sye", "シェ"),
    ("syo", "ショ"),
    ("sha", "シャ"),
    ("shu", "シュ"),
    ("she", "シェ"),
    ("sho", "ショ"),
    // T.
    ("ta", "タ"),
    ("ti", "チ"),
    ("chi", "チ"),
    ("tu", "ツ"),
    ("tsu", "ツ"),
    ("te", "テ"),
    ("to", "ト"),
    ("tya", "チャ"),
    ("tyu", "チュ"),
    ("tye", "チェ"),
    ("tyo", "チョ"),
    ("cha", "チャ"),
    ("chu", "チュ"),
    ("che", "チェ"),
    ("cho", "チョ"),
    ("tsa", "ツァ"),
    ("tsi", "ツィ"),
    ("tse", "ツェ"),
    ("tso", "ツォ"),
    ("thi", "ティ"),
    ("thu", "テュ"),
    ("twu", "トゥ"),
    // N (`n` alone and `nn` are handled in `push`, the entries document them).
    ("n", "ン"),
    ("nn", "ン"),
    ("na", "ナ"),
    ("ni", "ニ"),
    ("nu", "ヌ"),
    ("ne", "ネ"),
    ("no", "ノ"),
    ("nya", "ニャ"),
    ("nyu", "ニュ"),
    ("nyo", "ニョ"),
    // H.
    ("ha", "ハ"),
    ("hi", "ヒ"),
    ("hu", "フ"),
    ("fu", "フ"),
    ("he", "ヘ"),
    ("ho", "ホ"),
    ("hya", "ヒャ"),
    ("hyu", "ヒュ"),
    ("hyo", "ヒョ"),
    ("fa", "ファ"),
    ("fi", "フィ"),
    ("fe", "フェ"),
    ("fo", "フォ"),
    ("fya", "フャ"),
    ("fyu", "フュ"),
    ("fyo", "フョ"),
    // M.
    ("ma", "マ"),
    ("mi", "ミ"),
    ("mu", "ム"),
    ("me", "メ"),
    ("mo", "モ"),
    ("mya", "ミャ"),
    ("myu", "ミュ"),
    ("myo", "ミョ"),
    // Y.
    ("ya", "ヤ"),
    ("yi", "イ"),
    ("yu", "ユ"),
    ("ye", "イェ"),
    ("yo", "ヨ"),
    // R.
    ("ra", "ラ"),
    ("ri", "リ"),
    ("ru", "ル"),
    ("re", "レ"),
    ("ro", "ロ"),
    ("rya", "リャ"),
    ("ryu", "リュ"),
    ("ryo", "リョ"),
    // W.
    ("wa", "ワ"),
    ("wi", "ウィ"),
    ("wu", "ウ"),
    ("we", "ウェ"),
    ("wo", "ヲ"),
    // G.
    ("ga", "ガ"),
    ("gi", "ギ"),
    ("gu", "グ"),
    ("ge", "ゲ"),
    ("go", "ゴ"),
    ("gya", "ギャ"),
    ("gyu", "ギュ"),
    ("gyo", "ギョ"),
    ("gwa", "グァ"),
    // Z / J.
    ("za", "ザ"),
    ("zi", "ジ"),
    ("ji", "ジ"),
    ("zu", "ズ"),
    ("ze", "ゼ"),
    ("zo", "ゾ"),
    ("zya", "ジャ"),
    ("zyu", "ジュ"),
    ("zye", "ジェ"),
    ("zyo", "ジョ"),
    ("ja", "ジャ"),
    ("ju", "ジュ"),
    ("je", "ジェ"),
    ("jo", "ジョ"),
    ("jya", "ジャ"),
    ("jyu", "ジュ"),
    ("jye", "ジェ"),
    ("jyo", "ジョ"),
    // D.
    ("da", "ダ"),
    ("di", "ヂ"),
    ("du", "ヅ"),
    ("de", "デ"),
    ("do", "ド"),
    ("dya", "ヂャ"),
    ("dyu", "ヂュ"),
    ("dyo", "ヂョ"),
    ("dhi", "ディ"),
    ("dhu", "デュ"),
    ("dwu", "ドゥ"),
    // B.
    ("ba", "バ"),
    ("bi", "ビ"),
    ("bu", "ブ"),
    ("be", "ベ"),
    ("bo", "ボ"),
    ("bya", "ビャ"),
    ("byu", "ビュ"),
    ("byo", "ビョ"),
    // P.
    ("pa", "パ"),
    ("pi", "ピ"),
    ("pu", "プ"),
    ("pe", "ペ"),
    ("po", "ポ"),
    ("pya", "ピャ"),
    ("pyu", "ピュ"),
    ("pyo", "ピョ"),
    // V.
    ("va", "ヴァ"),
    ("vi", "ヴィ"),
    ("vu", "ヴ"),
    ("ve", "ヴェ"),
    ("vo", "ヴォ"),
    ("vya", "ヴャ"),
    ("vyu", "ヴュ"),
    ("vyo", "ヴョ"),
    // Small kana, `x` and `l` prefixes.
    ("xa", "ァ"),
    ("xi", "ィ"),
    ("xu", "ゥ"),
    ("xe", "ェ"),
    ("xo", "ォ"),
    ("xya", "ャ"),
    ("xyu", "ュ"),
    ("xyo", "ョ"),
    ("xtu", "ッ"),
    ("xtsu", "ッ"),
    ("xwa", "ヮ"),
    ("xka", "ヵ"),
    ("xke", "ヶ"),
    ("xn", "ン"),
    ("la", "ァ"),
    ("li", "ィ"),
    ("lu", "ゥ"),
    ("le", "ェ"),
    ("lo", "ォ"),
    ("lya", "ャ"),
    ("lyu", "ュ"),
    ("lyo", "ョ"),
    ("ltu", "ッ"),
    ("ltsu", "ッ"),
    ("lwa", "ヮ"),
    ("lka", "ヵ"),
    ("lke", "ヶ"),
];

/// Consonants whose doubling is read as ッ (`kka`, `ssha`, `cchi`). Not `n` (`nn` is ン)
/// and not the small-kana prefixes `x`/`l`.
const GEMINATE: &str = "bcdfghjkmprstvwyz";

const VOWELS: &str = "aiueo";

fn lookup(key: &str) -> Option<&'static str> {
    TABLE.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

fn is_prefix(s: &str) -> bool {
    TABLE
        .iter()
        .any(|(k, _)| k.len() > s.len() && k.starts_with(s))
}

/// The incremental converter; one per field being typed into.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Romaji {
    /// Lowercase ASCII letters typed but not yet converted; always empty or a proper
    /// prefix of a table key (which includes a lone `n`).
    pending: String,
}

impl Romaji {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feed one typed char; returns the katakana committed by it (possibly empty).
    pub fn push(&mut self, c: char) -> String {
        let mut out = String::new();
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() {
            self.push_letter(c, &mut out);
            return out;
        }
        if c == '\'' && self.pending == "n" {
            self.pending.clear();
            out.push('ン');
            return out;
        }
        out.push_str(&self.flush());
        match c {
            '-' => out.push('ー'),
            ' ' => out.push('\u{3000}'),
            other => out.push(other),
        }
        out
    }

    fn push_letter(&mut self, c: char, out: &mut String) {
        if self.pending == "n" {
            if c == 'n' {
                self.pending.clear();
                out.push('ン');
                return;
            }
            if !VOWELS.contains(c) && c != 'y' {
                self.pending.clear();
                out.push('ン');
                // `c` starts afresh below.
            }
        }
        // Doubled consonant (or the `tch` spelling): ッ, and the second one stays pending.
        let mut p = self.pending.chars();
        if let (Some(p0), None) = (p.next(), p.next()) {
            if (p0 == c && GEMINATE.contains(c)) || (p0 == 't' && c == 'c') {
                out.push('ッ');
                self.pending.clear();
                self.pending.push(c);
                return;
            }
        }
        let mut candidate = std::mem::take(&mut self.pending);
        candidate.push(c);
        if is_prefix(&candidate) {
            self.pending = candidate;
        } else if let Some(kana) = lookup(&candidate) {
            out.push_str(kana);
        } else {
            // Not romaji: keep what was typed before `c`, then read `c` on its own.
            candidate.pop();
            out.push_str(&candidate);
            if is_prefix(&c.to_string()) {
                self.pending.push(c);
            } else if let Some(kana) = lookup(&c.to_string()) {
                out.push_str(kana);
            } else {
                out.push(c);
            }
        }
    }

    /// The romaji typed but not yet converted (shown under the cursor).
    pub fn pending(&self) -> &str {
        &self.pending
    }

    /// Backspace: remove the last pending char; returns false when nothing was pending
    /// (the caller then deletes in the text instead).
    pub fn backspace(&mut self) -> bool {
        self.pending.pop().is_some()
    }

    /// Commit what is pending at a field boundary (trailing `n` → ン; an unconvertible
    /// remainder is returned as typed so nothing is lost).
    pub fn flush(&mut self) -> String {
        let rest = std::mem::take(&mut self.pending);
        if rest == "n" {
            "ン".to_string()
        } else {
            rest
        }
    }
}

/// Convert a whole string at once (for tests and pasted romaji).
pub fn convert(input: &str) -> String {
    let mut r = Romaji::new();
    let mut out: String = input.chars().map(|c| r.push(c)).collect();
    out.push_str(&r.flush());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The standard table, written out independently of `TABLE`.
    const CASES: &[(&str, &str)] = &[
        ("a", "ア"),
        ("i", "イ"),
        ("u", "ウ"),
        ("e", "エ"),
        ("o", "オ"),
        ("ka", "カ"),
        ("ki", "キ"),
        ("ku", "ク"),
        ("ke", "ケ"),
        ("ko", "コ"),
        ("sa", "サ"),
        ("shi", "シ"),
        ("si", "シ"),
        ("su", "ス"),
        ("se", "セ"),
        ("so", "ソ"),
        ("ta", "タ"),
        ("chi", "チ"),
        ("ti", "チ"),
        ("tsu", "ツ"),
        ("tu", "ツ"),
        ("te", "テ"),
        ("to", "ト"),
        ("na", "ナ"),
        ("ni", "ニ"),
        ("nu", "ヌ"),
        ("ne", "ネ"),
        ("no", "ノ"),
        ("ha", "ハ"),
        ("hi", "ヒ"),
        ("fu", "フ"),
        ("hu", "フ"),
        ("he", "ヘ"),
        ("ho", "ホ"),
        ("ma", "マ"),
        ("mi", "ミ"),
        ("mu", "ム"),
        ("me", "メ"),
        ("mo", "モ"),
        ("ya", "ヤ"),
        ("yu", "ユ"),
        ("yo", "ヨ"),
        ("ra", "ラ"),
        ("ri", "リ"),
        ("ru", "ル"),
        ("re", "レ"),
        ("ro", "ロ"),
        ("wa", "ワ"),
        ("wo", "ヲ"),
        ("wi", "ウィ"),
        ("we", "ウェ"),
        ("ga", "ガ"),
        ("gi", "ギ"),
        ("gu", "グ"),
        ("ge", "ゲ"),
        ("go", "ゴ"),
        ("za", "ザ"),
        ("ji", "ジ"),
        ("zi", "ジ"),
        ("zu", "ズ"),
        ("ze", "ゼ"),
        ("zo", "ゾ"),
        ("da", "ダ"),
        ("di", "ヂ"),
        ("du", "ヅ"),
        ("de", "デ"),
        ("do", "ド"),
        ("ba", "バ"),
        ("bi", "ビ"),
        ("bu", "ブ"),
        ("be", "ベ"),
        ("bo", "ボ"),
        ("pa", "パ"),
        ("pi", "ピ"),
        ("pu", "プ"),
        ("pe", "ペ"),
        ("po", "ポ"),
        ("kya", "キャ"),
        ("kyu", "キュ"),
        ("kyo", "キョ"),
        ("sha", "シャ"),
        ("shu", "シュ"),
        ("sho", "ショ"),
        ("sya", "シャ"),
        ("syu", "シュ"),
        ("syo", "ショ"),
        ("she", "シェ"),
        ("cha", "チャ"),
        ("chu", "チュ"),
        ("cho", "チョ"),
        ("tya", "チャ"),
        ("tyu", "チュ"),
        ("tyo", "チョ"),
        ("che", "チェ"),
        ("nya", "ニャ"),
        ("nyu", "ニュ"),
        ("nyo", "ニョ"),
        ("hya", "ヒャ"),
        ("hyu", "ヒュ"),
        ("hyo", "ヒョ"),
        ("mya", "ミャ"),
        ("myu", "ミュ"),
        ("myo", "ミョ"),
        ("rya", "リャ"),
        ("ryu", "リュ"),
        ("ryo", "リョ"),
        ("gya", "ギャ"),
        ("gyu", "ギュ"),
        ("gyo", "ギョ"),
        ("ja", "ジャ"),
        ("ju", "ジュ"),
        ("jo", "ジョ"),
        ("je", "ジェ"),
        ("jya", "ジャ"),
        ("jyu", "ジュ"),
        ("jyo", "ジョ"),
        ("zya", "ジャ"),
        ("zyu", "ジュ"),
        ("zyo", "ジョ"),
        ("dya", "ヂャ"),
        ("dyu", "ヂュ"),
        ("dyo", "ヂョ"),
        ("bya", "ビャ"),
        ("byu", "ビュ"),
        ("byo", "ビョ"),
        ("pya", "ピャ"),
        ("pyu", "ピュ"),
        ("pyo", "ピョ"),
        ("va", "ヴァ"),
        ("vi", "ヴィ"),
        ("vu", "ヴ"),
        ("ve", "ヴェ"),
        ("vo", "ヴォ"),
        ("fa", "ファ"),
        ("fi", "フィ"),
        ("fe", "フェ"),
        ("fo", "フォ"),
        ("thi", "ティ"),
        ("dhi", "ディ"),
        ("twu", "トゥ"),
        ("tsa", "ツァ"),
        ("tsi", "ツィ"),
        ("tse", "ツェ"),
        ("tso", "ツォ"),
        ("ye", "イェ"),
        ("xa", "ァ"),
        ("xi", "ィ"),
        ("xu", "ゥ"),
        ("xe", "ェ"),
        ("xo", "ォ"),
        ("la", "ァ"),
        ("li", "ィ"),
        ("lu", "ゥ"),
        ("le", "ェ"),
        ("lo", "ォ"),
        ("xya", "ャ"),
        ("xyu", "ュ"),
        ("xyo", "ョ"),
        ("lya", "ャ"),
        ("lyu", "ュ"),
        ("lyo", "ョ"),
        ("xtu", "ッ"),
        ("xtsu", "ッ"),
        ("ltu", "ッ"),
        ("ltsu", "ッ"),
        ("xwa", "ヮ"),
        ("xka", "ヵ"),
        ("xke", "ヶ"),
        ("nn", "ン"),
        ("n'", "ン"),
        ("n", "ン"),
        ("-", "ー"),
        (" ", "\u{3000}"),
    ];

    #[test]
    fn every_row_of_the_standard_table() {
        assert!(CASES.len() >= 150, "{} cases", CASES.len());
        let mut wrong = Vec::new();
        for (romaji, kana) in CASES {
            let got = convert(romaji);
            if got != *kana {
                wrong.push(format!("{romaji}: got {got}, want {kana}"));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn only_n_is_a_prefix_of_another_key() {
        for (k, _) in TABLE {
            if *k != "n" {
                assert!(!is_prefix(k), "{k} is a prefix of a longer key");
            }
        }
    }

    #[test]
    fn tricky_words() {
        for (romaji, kana) in [
            ("yamada", "ヤマダ"),
            ("kka", "ッカ"),
            ("sshi", "ッシ"),
            ("tta", "ッタ"),
            ("hattori", "ハットリ"),
            ("matcha", "マッチャ"),
            ("maccha", "マッチャ"),
            ("kanta", "カンタ"),
            ("konya", "コニャ"),
            ("kon'ya", "コンヤ"),
            ("konnya", "コンヤ"),
            ("kannna", "カンナ"),
            ("shinbashi", "シンバシ"),
            ("sakamoto ryouko", "サカモト\u{3000}リョウコ"),
            ("SAKAMOTO Ryouko", "サカモト\u{3000}リョウコ"),
            ("ko-hi-", "コーヒー"),
            ("kenn", "ケン"),
            ("ken", "ケン"),
            ("ken-", "ケンー"),
            ("ken ichi", "ケン\u{3000}イチ"),
            ("ja", "ジャ"),
            ("jya", "ジャ"),
            ("xa", "ァ"),
            ("la", "ァ"),
            ("vaiorin", "ヴァイオリン"),
            ("fairu", "ファイル"),
            ("thi-", "ティー"),
            ("uxi", "ウィ"),
            ("ixtuki", "イッキ"),
        ] {
            assert_eq!(convert(romaji), kana, "{romaji}");
        }
    }

    #[test]
    fn output_comes_as_each_mora_completes() {
        let mut r = Romaji::new();
        assert_eq!(r.push('y'), "");
        assert_eq!(r.push('a'), "ヤ");
        assert_eq!(r.push('m'), "");
        assert_eq!(r.push('a'), "マ");
        assert_eq!(r.push('k'), "");
        assert_eq!(r.push('k'), "ッ");
        assert_eq!(r.pending(), "k");
        assert_eq!(r.push('a'), "カ");
        assert_eq!(r.pending(), "");
        // `n` waits for the next char to decide.
        assert_eq!(r.push('n'), "");
        assert_eq!(r.pending(), "n");
        assert_eq!(r.push('t'), "ン");
        assert_eq!(r.pending(), "t");
        assert_eq!(r.push('a'), "タ");
        assert_eq!(r.push('n'), "");
        assert_eq!(r.push('n'), "ン");
        assert_eq!(r.pending(), "");
    }

    #[test]
    fn pending_is_visible_after_k_and_ky() {
        let mut r = Romaji::new();
        assert_eq!(r.push('k'), "");
        assert_eq!(r.pending(), "k");
        assert_eq!(r.push('y'), "");
        assert_eq!(r.pending(), "ky");
        assert_eq!(r.push('o'), "キョ");
        assert_eq!(r.pending(), "");
        assert_eq!(r.push('K'), "");
        assert_eq!(r.pending(), "k", "uppercase is read as lowercase");
    }

    #[test]
    fn backspace_works_on_pending_first() {
        let mut r = Romaji::new();
        assert!(!r.backspace(), "nothing pending: the caller deletes text");
        r.push('k');
        r.push('y');
        assert!(r.backspace());
        assert_eq!(r.pending(), "k");
        assert_eq!(r.push('a'), "カ", "ky → k, then a");
        r.push('s');
        assert!(r.backspace());
        assert_eq!(r.pending(), "");
        assert!(!r.backspace());
        assert_eq!(r.flush(), "");
    }

    #[test]
    fn flush_commits_trailing_n_and_keeps_unconvertible_input() {
        let mut r = Romaji::new();
        for c in "ken".chars() {
            r.push(c);
        }
        assert_eq!(r.pending(), "n");
        assert_eq!(r.flush(), "ン");
        assert_eq!(r.pending(), "");
        r.push('k');
        r.push('y');
        assert_eq!(r.flush(), "ky");
        assert_eq!(r.pending(), "");
    }

    #[test]
    fn non_romaji_passes_through() {
        assert_eq!(convert("ka1"), "カ1");
        assert_eq!(convert("k1"), "k1");
        assert_eq!(convert("ta."), "タ.");
        assert_eq!(convert("ヤマダ"), "ヤマダ");
        assert_eq!(convert("やまだ"), "やまだ");
        assert_eq!(convert("n1"), "ン1");
        assert_eq!(convert("kq"), "kq");
        assert_eq!(convert("qa"), "qア");
        assert_eq!(convert("'"), "'");
    }

    #[test]
    fn state_round_trips_through_serde() {
        let mut r = Romaji::new();
        r.push('s');
        r.push('h');
        let json = serde_json::to_string(&r).unwrap();
        let mut back: Romaji = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r);
        assert_eq!(back.push('i'), "シ");
    }

    /// Real-looking name parts and syllables, all valid romaji (letters only).
    const WORDS: &str = "\
        yamada sakamoto ryouko satou suzuki takahashi tanaka itou watanabe nakamura \
        kobayashi katou yoshida sasaki yamaguchi matsumoto inoue kimura hayashi shimizu \
        yamazaki mori ikeda hashimoto abe ishikawa ogawa okada hattori kondou honda jun \
        junko shinji kenta ken shun chiharu tsuyoshi fumiko hiroshi kyouko shouta ryuunosuke \
        matcha kannna shinnya kka ssa tte ppo xa la xtu xtsu ltu xya xwa xka xke vu va fi \
        thi dhi twu tsa wi we wo di du dya jya zyo n nn";

    fn word() -> impl Strategy<Value = &'static str> {
        proptest::sample::select(WORDS.split_whitespace().collect::<Vec<_>>())
    }

    proptest! {
        #[test]
        fn push_never_panics(chars in proptest::collection::vec(any::<char>(), 0..64)) {
            let mut r = Romaji::new();
            for c in chars {
                let _ = r.push(c);
                prop_assert!(r.pending().is_empty() || is_prefix(r.pending()), "{:?}", r.pending());
                if c == '\u{8}' {
                    r.backspace();
                }
            }
            let _ = r.flush();
            prop_assert_eq!(r.pending(), "");
        }

        #[test]
        fn valid_romaji_leaves_no_ascii_letters(
            words in proptest::collection::vec(word(), 1..8),
        ) {
            let input: String = words.concat();
            let mut r = Romaji::new();
            let mut out: String = input.chars().map(|c| r.push(c)).collect();
            out.push_str(&r.flush());
            prop_assert!(
                !out.chars().any(|c| c.is_ascii_alphabetic()),
                "{} → {}", input, out
            );
            prop_assert!(!out.is_empty());
        }
    }
}
