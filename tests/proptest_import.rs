//! The import path with proptest (shrinking to a minimal bad line when something breaks):
//!
//! - structured JSON: a valid record line with fields removed, retyped, replaced by hostile
//!   values or joined by unknown ones, through the same parse + validation as
//!   `onshi import` (`fuzz/src/lib.rs`): never a panic; an accepted record re-imports to
//!   itself; every rejection has a showable reason;
//! - the real command in-process: `onshi import --dry-run FILE` over several such lines,
//!   whose exit code and summary agree line by line with the pipeline.

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)] // the card target is driven by tests/proptest_fuzz.rs
mod targets;

use std::process::ExitCode;

use clap::Parser;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use serde_json::{json, Map, Value};

/// A line `onshi import` accepts.
fn valid() -> Value {
    json!({
        "incident": {"case": "3-4", "note": "停電"},
        "verification": {"source": "declaration"},
        "declaration": {"has_valid_card": true, "insurance_kind": "shaho",
            "insurer_name": "全国健康保険協会東京支部", "employer_name": "株式会社オンシ商事",
            "issued_when": "within_1_month", "name": "葛\u{E0100}西　花子",
            "name_kana": "かさい　ハナコ", "birth_date": "昭和56年4月1日", "sex": "female",
            "address": "東京都千代田区霞が関１－２－２", "signer": "guardian",
            "signer_relationship": "母", "phone": "０３－１２３４－５６７８",
            "declared_on": "2026-11-20"},
        "insurance": {"basis": "past", "insurer_number": "01040013", "symbol": "１２",
            "number": "3456", "branch": "1"},
        "copay": {"ratio": null, "amount_yen": 1200},
        "followup": {"needed": true}
    })
}

/// Every path in the record format, and some that are not.
const PATHS: &[&str] = &[
    "id",
    "version",
    "terminal_id",
    "operator",
    "created_at",
    "updated_at",
    "service_date",
    "status",
    "void_reason",
    "incident.case",
    "incident.note",
    "verification.source",
    "verification.checked_at",
    "verification.card_read",
    "declaration.has_valid_card",
    "declaration.insurance_kind",
    "declaration.insurer_name",
    "declaration.employer_name",
    "declaration.issued_when",
    "declaration.issued_note",
    "declaration.copay_ratio",
    "declaration.name",
    "declaration.name_kana",
    "declaration.birth_date",
    "declaration.sex",
    "declaration.address",
    "declaration.declared_on",
    "declaration.signer",
    "declaration.signer_relationship",
    "declaration.phone",
    "insurance.basis",
    "insurance.insurer_number",
    "insurance.symbol",
    "insurance.number",
    "insurance.branch",
    "copay.ratio",
    "copay.reason",
    "copay.amount_yen",
    "followup.needed",
    "followup.done_at",
    "nickname",
    "declaration.nickname",
    "incident",
    "declaration",
    "copay",
];

/// Values a broken exporter, a hand-edited file or an attacker might put anywhere.
fn hostile() -> impl Strategy<Value = Value> {
    let strings = prop::sample::select(vec![
        "",
        " ",
        "\u{3000}",
        "null",
        "0",
        "-1",
        "99999999999",
        "30",
        "unknown",
        "voided",
        "active",
        "1981-04-01",
        "2099-01-01",
        "0000-01-01",
        "令和99年1月1日",
        "S64.1.8",
        "H1.1.7",
        "2026-11-28T09:12:00+09:00",
        "2026-11-28T09:12:00",
        "01JF0000000000000000000000",
        "01JF000000000000000000000Z",
        "not-a-ulid",
        "\u{1b}]0;PWNED\u{7}",
        "\u{202E}evil",
        "\u{0}",
        "ｶｻｲ",
        "kasai",
        "ヴァ",
        "77777777",
        "77777779",
        "3-4",
        "3-5",
        "declaration",
        "guardian",
        "patient",
        "kouki",
        "shaho",
        "mynaportal",
        "within1_month",
        "past",
    ])
    .prop_map(|s| Value::String(s.to_string()));
    let leaf = prop_oneof![
        4 => strings,
        1 => "\\PC{0,12}".prop_map(Value::String),
        1 => any::<i64>().prop_map(|n| json!(n)),
        1 => any::<u64>().prop_map(|n| json!(n)),
        1 => any::<f64>().prop_filter("JSON number", |f| f.is_finite()).prop_map(|f| json!(f)),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => Just(Value::Null),
        1 => "[a-z]{1,8}".prop_map(|s| Value::String(s.repeat(200))),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,10}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

#[derive(Debug, Clone)]
enum Edit {
    Remove(usize),
    Set(usize, Value),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    prop::collection::vec(
        prop_oneof![
            1 => (0..PATHS.len()).prop_map(Edit::Remove),
            3 => (0..PATHS.len(), hostile()).prop_map(|(p, v)| Edit::Set(p, v)),
        ],
        0..5,
    )
}

fn apply(mut v: Value, edits: &[Edit]) -> Value {
    for e in edits {
        let (path, new) = match e {
            Edit::Remove(p) => (PATHS[*p], None),
            Edit::Set(p, v) => (PATHS[*p], Some(v.clone())),
        };
        let mut parts: Vec<&str> = path.split('.').collect();
        let last = parts.pop().expect("a path");
        let mut at = &mut v;
        for p in parts {
            if !at.get(p).is_some_and(Value::is_object) {
                if let Some(obj) = at.as_object_mut() {
                    obj.insert(p.to_string(), json!({}));
                } else {
                    break;
                }
            }
            at = at.get_mut(p).expect("just made");
        }
        if let Some(obj) = at.as_object_mut() {
            match new {
                Some(n) => {
                    obj.insert(last.to_string(), n);
                }
                None => {
                    obj.remove(last);
                }
            }
        }
    }
    v
}

#[test]
fn the_base_line_is_valid_and_most_edits_keep_it_so() {
    assert_eq!(targets::import_line(valid().to_string().as_bytes()), 1);
    // Edits reach both branches: enough edited lines are still accepted for the
    // round-trip checks to mean something.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = edits();
    let (mut ok, mut total) = (0, 0);
    for _ in 0..400 {
        let e = strategy.new_tree(&mut runner).expect("value").current();
        total += 1;
        ok += targets::import_line(apply(valid(), &e).to_string().as_bytes());
    }
    assert!(
        ok >= total / 10 && ok < total,
        "{ok} of {total} edited lines accepted"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 768, ..ProptestConfig::default() })]

    /// A valid line with up to five fields removed or replaced: never a panic; accepted
    /// records re-import to themselves; rejections say why (checked in `targets`).
    #[test]
    fn edited_lines_never_panic_and_accepted_ones_round_trip(e in edits()) {
        let line = apply(valid(), &e).to_string();
        targets::import_line(line.as_bytes());
    }

    /// The line as bytes, cut short anywhere or with a byte changed: the same checks.
    #[test]
    fn damaged_lines_never_panic(cut in any::<prop::sample::Index>(), flip in any::<(prop::sample::Index, u8)>()) {
        let line = valid().to_string().into_bytes();
        let mut damaged = line[..cut.index(line.len() + 1)].to_vec();
        if !damaged.is_empty() {
            let i = flip.0.index(damaged.len());
            damaged[i] ^= flip.1;
        }
        targets::import_line(&damaged);
    }
}

/// Run `onshi --lang en import --dry-run FILE` in this process and return its exit code
/// (its stderr goes to the test's captured output).
fn dry_run(file: &std::path::Path, config: &std::path::Path) -> ExitCode {
    let cli = onshi::cli::Cli::try_parse_from([
        "onshi",
        "--lang",
        "en",
        "--config",
        config.to_str().expect("utf-8 path"),
        "import",
        "--dry-run",
        file.to_str().expect("utf-8 path"),
    ])
    .expect("arguments parse");
    onshi::cli::main_with(cli)
}

#[test]
fn dry_run_import_agrees_with_the_pipeline_line_by_line() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("config.toml");
    std::fs::write(&config, "").unwrap();
    let file = tmp.path().join("in.jsonl");
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(96));
    let (all_ok, some_bad) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
    // Half the lines untouched, so that whole files without a bad line are common too
    // (with `edits()` alone about one file in fifteen is clean: too few to count on).
    let line = prop_oneof![1 => Just(Vec::new()), 1 => edits()];
    let result = runner.run(&prop::collection::vec(line, 1..5), |files| {
        let lines: Vec<String> = files
            .iter()
            .map(|e| apply(valid(), e).to_string())
            .collect();
        std::fs::write(&file, lines.join("\n") + "\n").unwrap();
        // The pipeline with the real clock, as the command runs.
        let ctx = onshi::domain::validate::Context {
            now: chrono::Local::now().fixed_offset(),
            ..targets::context()
        };
        let expect_ok = lines
            .iter()
            .all(|l| targets::parse_and_validate(l, &ctx).is_ok());
        let code = dry_run(&file, &config);
        let want = if expect_ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        };
        prop_assert_eq!(code, want, "{}", lines.join("\n"));
        let count = if expect_ok { &all_ok } else { &some_bad };
        count.set(count.get() + 1);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let (all_ok, some_bad) = (all_ok.get(), some_bad.get());
    assert!(
        all_ok >= 5 && some_bad >= 5,
        "{all_ok} clean files, {some_bad} with a bad line"
    );
}

/// Strings that stand for a patient's value: kanji and kana, as names are.
fn secret() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            '山', '田', '太', '郎', '葛', '西', 'カ', 'サ', 'イ', 'は', 'な', '子',
        ]),
        3..7,
    )
    .prop_map(|c| format!("秘{}", c.into_iter().collect::<String>()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Wherever a value lands — as the value of any field, inside an array, as an unknown
    /// key, or appended to a valid one — a rejection names the field and the kind of
    /// problem only: the messages import prints and the field path never carry it.
    #[test]
    fn rejections_never_repeat_a_value(
        path in prop::sample::select(PATHS.to_vec()),
        value in secret(),
        how in 0..4usize,
    ) {
        let mut v = valid();
        let parts: Vec<&str> = path.split('.').collect();
        let (parent, last) = match parts.as_slice() {
            [one] => (&mut v, *one),
            [a, b] => {
                if !v[*a].is_object() {
                    v[*a] = json!({});
                }
                (&mut v[*a], *b)
            }
            _ => unreachable!(),
        };
        let old = parent[last].clone();
        match how {
            0 => parent[last] = json!(value.clone()),
            1 => parent[last] = json!([value.clone()]),
            2 => parent[value.clone()] = json!(value.clone()),
            _ => parent[last] = json!(format!("{}{value}", old.as_str().unwrap_or(""))),
        }
        let line = v.to_string();
        let ctx = targets::context();
        if let Err(errors) = targets::parse_and_validate(&line, &ctx) {
            for e in &errors {
                prop_assert!(!e.field.contains(&value), "{:?}", e.field);
                for lang in [onshi::i18n::Lang::Ja, onshi::i18n::Lang::En] {
                    let msg = onshi::i18n::describe_problem_redacted(&e.problem, lang);
                    // '秘' starts every value and is in no message: any quote of the
                    // value, or of its first character, shows.
                    prop_assert!(!msg.contains('秘'), "{msg} quotes {value}");
                    prop_assert!(!msg.contains(&value["秘".len()..]), "{msg} quotes {value}");
                }
            }
        }
    }
}
