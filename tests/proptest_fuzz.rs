//! The fuzz targets of `fuzz/` on stable Rust: a bounded, seeded mutation fuzzer (no
//! coverage feedback) that feeds the same target bodies (`fuzz/src/lib.rs`) as
//! `cargo fuzz run`. It runs in every `cargo test`, so CI fuzzes briefly on every change;
//! longer runs with libFuzzer's coverage guidance are by hand (BENCHMARKS.md, "Bad input").
//!
//! Budget: `ONSHI_FUZZ_SECS` seconds per target (default 8); seed: `ONSHI_FUZZ_SEED`.
//! A failing input is written to `target/fuzz-failures/` and named in the panic message;
//! replay it with `cargo fuzz run TARGET FILE` or by adding it to the seeds below.

#[path = "../fuzz/src/lib.rs"]
mod targets;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// xorshift64*: small, seeded, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn budget() -> Duration {
    let secs = std::env::var("ONSHI_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(8.0);
    Duration::from_secs_f64(secs)
}

fn seed() -> u64 {
    std::env::var("ONSHI_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x6f6e_7368_695f_667a)
}

/// One mutation of `input`: bit flips, byte changes, inserts and deletes of ranges,
/// duplications, dictionary tokens, and splices with another seed.
fn mutate(rng: &mut Rng, input: &[u8], seeds: &[Vec<u8>], dict: &[&[u8]]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = v.len();
        match rng.below(8) {
            0 if len > 0 => {
                let i = rng.below(len);
                v[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                v[i] = rng.next() as u8;
            }
            2 => {
                let i = rng.below(len + 1);
                let n = 1 + rng.below(8);
                let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                v.splice(i..i, bytes);
            }
            3 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(32));
                v.drain(i..i + n);
            }
            4 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(64));
                let chunk = v[i..i + n].to_vec();
                let at = rng.below(v.len() + 1);
                v.splice(at..at, chunk);
            }
            5 | 6 => {
                let tok = dict[rng.below(dict.len())];
                let i = rng.below(len + 1);
                if rng.below(2) == 0 || len == 0 {
                    v.splice(i..i, tok.iter().copied());
                } else {
                    let n = rng.below((len - i.min(len)).min(tok.len() + 4) + 1);
                    v.splice(i..(i + n).min(len), tok.iter().copied());
                }
            }
            _ => {
                let other = &seeds[rng.below(seeds.len())];
                let a = rng.below(len + 1);
                let b = rng.below(other.len() + 1);
                v.truncate(a);
                v.extend_from_slice(&other[b..]);
            }
        }
    }
    v.truncate(16 * 1024);
    v
}

struct Outcome {
    runs: u64,
    interesting: u64,
}

/// Run `target` on the seeds, then on mutations of seeds and of inputs that were
/// "interesting" (`target` returned true), until the budget is spent.
fn fuzz(
    name: &str,
    seeds: Vec<Vec<u8>>,
    dict: &[&[u8]],
    target: impl Fn(&[u8]) -> bool,
) -> Outcome {
    let mut rng = Rng(seed()
        ^ name
            .bytes()
            .fold(0u64, |h, b| h.wrapping_mul(31) ^ u64::from(b)));
    let mut pool: Vec<Vec<u8>> = seeds.clone();
    let mut out = Outcome {
        runs: 0,
        interesting: 0,
    };
    let run = |input: &[u8], out: &mut Outcome| -> bool {
        out.runs += 1;
        match catch_unwind(AssertUnwindSafe(|| target(input))) {
            Ok(hit) => hit,
            Err(panic) => {
                let msg = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("../fuzz-failures");
                let _ = std::fs::create_dir_all(&dir);
                let file = dir.join(format!("{name}-{:016x}", seed()));
                let _ = std::fs::write(&file, input);
                panic!(
                    "fuzz target {name} failed after {} runs: {msg}\ninput ({} bytes, saved to {}): {:?}",
                    out.runs,
                    input.len(),
                    file.display(),
                    String::from_utf8_lossy(input)
                );
            }
        }
    };
    for s in &seeds {
        if run(s, &mut out) {
            out.interesting += 1;
        }
    }
    let started = Instant::now();
    let limit = budget();
    while started.elapsed() < limit {
        for _ in 0..64 {
            let base = &pool[rng.below(pool.len())];
            let input = mutate(&mut rng, base, &seeds, dict);
            if run(&input, &mut out) {
                out.interesting += 1;
                if pool.len() < 4096 {
                    pool.push(input);
                }
            }
        }
    }
    eprintln!(
        "{name}: {} runs in {:?}, {} interesting",
        out.runs,
        started.elapsed(),
        out.interesting
    );
    out
}

fn import_seeds() -> Vec<Vec<u8>> {
    let lines = [
        r#"{"incident":{"case":"3-4","note":"停電"},"verification":{"source":"declaration"},"declaration":{"has_valid_card":true,"insurance_kind":"kokuho","insurer_name":"千代田区","name":"葛󠄀西　花子","name_kana":"かさい　ハナコ","birth_date":"昭和56年4月1日","sex":"female","address":"東京都千代田区霞が関１－２－２","signer":"patient","phone":"０３－１２３４－５６７８"}}"#,
        r#"{"incident":{"case":"2"},"verification":{"source":"declaration"},"declaration":{"has_valid_card":true,"insurance_kind":"shaho","insurer_name":"全国健康保険協会","employer_name":"株式会社オンシ","issued_when":"within_1_month","issued_note":"先月","name":"山田　太郎","name_kana":"ヤマダ　タロウ","birth_date":"S56.4.1","sex":"male","address":"東京都","signer":"guardian","signer_relationship":"母","declared_on":"2026-11-28"}}"#,
        r#"{"incident":{"case":"3-3"},"verification":{"source":"mynaportal","checked_at":"2026-11-28T09:00:00+09:00"},"insurance":{"insurer_number":"01040013","symbol":"12","number":"3456","branch":"01"},"declaration":{"name":"鈴木　一郎","name_kana":"スズキ　イチロウ","birth_date":"1950-01-01","sex":"male","address":"大阪府","insurance_kind":"kouki","copay_ratio":10}}"#,
        r#"{"id":"01JF0000000000000000000001","version":2,"created_at":"2026-11-27T10:00:00+09:00","updated_at":"2026-11-28T10:00:00+09:00","service_date":"2026-11-27","status":"voided","void_reason":"二重登録","terminal_id":"reception-2","operator":"鈴木","incident":{"case":"3-2"},"verification":{"source":"declaration"},"declaration":{"has_valid_card":true,"insurance_kind":"unknown","employer_name":"不明","name":"田中　花","name_kana":"タナカ　ハナ","birth_date":"令和元年5月1日","sex":"female","address":"北海道","signer":"patient"},"copay":{"ratio":null,"reason":"preschool","amount_yen":1200},"followup":{"needed":true,"done_at":null}}"#,
        r#"{"incident":{"case":"1"},"verification":{"source":"insurance_card"},"insurance":{"basis":"past","insurer_number":"138057","number":"77"},"declaration":{"name":"A","name_kana":"エー","birth_date":"H1.1.8","sex":"male","address":"x"}}"#,
        "{}",
        "",
    ];
    let mut seeds: Vec<Vec<u8>> = lines.iter().map(|l| l.as_bytes().to_vec()).collect();
    // Several lines in one input, CRLF endings, a bad line between good ones.
    seeds.push(format!("{}\r\n\r\n{{\n{}\n", lines[0], lines[1]).into_bytes());
    seeds
}

const IMPORT_DICT: &[&[u8]] = &[
    b"\"",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"null",
    b"true",
    b"false",
    b"0",
    b"-1",
    b"1e309",
    b"18446744073709551616",
    b"\\u0000",
    b"\\u001b[2J",
    b"\\ud800",
    b"\\n",
    b"\"declaration\":{",
    b"\"insurance\":{",
    b"\"copay\":{\"ratio\":",
    b"\"version\":",
    b"\"id\":\"",
    b"\"birth_date\":\"",
    b"\"name_kana\":\"",
    b"\"phone\":\"",
    b"\"insurer_number\":\"",
    b"\"status\":\"voided\"",
    b"\"signer\":\"guardian\"",
    "昭和".as_bytes(),
    "平成元年".as_bytes(),
    "令和".as_bytes(),
    "年".as_bytes(),
    "月".as_bytes(),
    "日".as_bytes(),
    "０１２３".as_bytes(),
    "ｶﾅ".as_bytes(),
    "ー".as_bytes(),
    "\u{E0100}".as_bytes(),
    "\u{202E}".as_bytes(),
    "\u{FEFF}".as_bytes(),
    b"\xff\xfe",
    b"S64.1.8",
    b"H31.4.30",
    b"R1.5.1",
    b"T15.12.25",
    b"M45.7.29",
    b"2026-02-29",
    b"77777777",
    b"01040013",
    b"\r",
    b"\n",
    b" ",
];

#[test]
fn fuzz_import_lines_on_stable() {
    // Sanity: the seeds are meaningful (most are accepted), so mutations start from
    // records that reach the deep checks.
    let accepted: usize = import_seeds().iter().map(|s| targets::import_line(s)).sum();
    assert!(accepted >= 5, "only {accepted} seed lines are accepted");
    let out = fuzz("import_line", import_seeds(), IMPORT_DICT, |d| {
        targets::import_line(d) > 0
    });
    assert!(out.runs >= 1000, "only {} inputs in the budget", out.runs);
    assert!(
        out.interesting > 20,
        "mutations never produced an accepted record"
    );
}

fn card_seeds() -> Vec<Vec<u8>> {
    use onshi::card::face::encode_basic4;
    let mut seeds = vec![
        encode_basic4(
            "葛󠄀西　花子".as_bytes(),
            "東京都千代田区霞が関１－２－２".as_bytes(),
            b"19810401",
            b"2",
        ),
        encode_basic4(b"YAMADA TARO", b"Osaka", b"20000229", b"1"),
        encode_basic4("田".as_bytes(), &[b'x'; 300], b"19450815", b"9"),
        encode_basic4("山田".as_bytes(), "京都".as_bytes(), b"19990101", b"0"),
    ];
    // Filler after the object, as read from a card in full blocks.
    let mut padded = seeds[0].clone();
    padded.extend_from_slice(&[0xFF; 32]);
    seeds.push(padded);
    seeds.push(vec![0xFF, 0x20, 0x82, 0x00, 0x10]);
    seeds
}

const CARD_DICT: &[&[u8]] = &[
    &[0xFF, 0x20],
    &[0xDF, 0x21, 0x08],
    &[0xDF, 0x22],
    &[0xDF, 0x23],
    &[0xDF, 0x24, 0x08],
    &[0xDF, 0x25, 0x01],
    &[0x81],
    &[0x82],
    &[0x83],
    &[0x80],
    &[0x7F],
    &[0x00],
    &[0xFF],
    &[0x1F, 0xFF, 0xFF],
    b"19810401",
    b"1",
    b"2",
    b"\xe3\x80\x80",
    b"\x1b[31m",
];

#[test]
fn fuzz_card_tlv_on_stable() {
    let out = fuzz("card_tlv", card_seeds(), CARD_DICT, |d| {
        targets::card_tlv(d);
        onshi::card::face::parse_basic4(d).is_ok()
    });
    assert!(out.runs >= 10_000, "only {} inputs in the budget", out.runs);
    assert!(
        out.interesting > 20,
        "mutations never produced a parsable face"
    );
}

#[test]
fn fuzz_csv_cells_on_stable() {
    let seeds: Vec<Vec<u8>> = [
        "=HYPERLINK(\"http://x\")",
        "+1",
        "-2+3",
        "-3",
        "+1.5",
        "@SUM(A1)",
        "\t=1",
        "  =1",
        "\u{3000}＝1",
        "山田　太郎",
        "03-1234-5678",
        "",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    let dict: &[&[u8]] = &[
        b"=",
        b"+",
        b"-",
        b"@",
        b"\t",
        b"\r",
        b" ",
        b"'",
        b".",
        b"1",
        b"e",
        "＝".as_bytes(),
        "－".as_bytes(),
        "\u{3000}".as_bytes(),
    ];
    let out = fuzz("csv_cell", seeds, dict, |d| {
        targets::csv_cell(d);
        onshi::export::spreadsheet::neutralize_cell(&String::from_utf8_lossy(d)).starts_with('\'')
    });
    assert!(out.runs >= 10_000, "only {} inputs in the budget", out.runs);
    assert!(
        out.interesting > 20,
        "mutations never produced a formula start"
    );
}
