//! The outage procedure of the MHLW guidance (docs/procedure.md), rule by rule, through the
//! real `onshi import` on a real store: each row names the line of the guidance ("seed",
//! the MHLW text kept with the design documents) or the official source it comes from,
//! the change to a valid declaration, and whether the record is stored — and if not,
//! which field the refusal names. Stored rows are read back with `onshi export` to check
//! what was derived (claim basis, copay, follow-up, the birth date).
//!
//! Then the same 後期 coding in the review, the CSV and the FHIR export, and the help
//! desk from the config in the guide.

mod audit_support;
mod common;

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use serde_json::{json, Value};

use audit_support::{code, ok, text, Desk};
use onshi::domain::insurer::check_digit;

/// 昭和56年4月1日 生まれ, 45 on the service date; 国保 (no 事業所名 asked), no numbers.
fn base() -> Value {
    json!({
        "service_date": "2026-11-28",
        "incident": {"case": "3-4"},
        "verification": {"source": "declaration"},
        "declaration": {
            "has_valid_card": true,
            "insurance_kind": "kokuho",
            "insurer_name": "千代田区",
            "name": "山田　太郎",
            "name_kana": "ヤマダ　タロウ",
            "birth_date": "1981-04-01",
            "sex": "male",
            "address": "東京都千代田区霞が関１－２－２",
            "signer": "patient",
            "phone": "03-1234-5678"
        }
    })
}

/// An 8-digit insurer number with a valid check digit.
fn insurer8(body: &str) -> String {
    format!("{body}{}", check_digit(body).expect("seven digits"))
}

/// A valid 6-digit 国保 number (千代田区).
const KOKUHO: &str = "131011";

/// Set `pointer` to `value` (null removes the member), creating objects on the way.
fn set(v: &mut Value, pointer: &str, value: Value) {
    let mut at = v;
    let parts: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    let (last, path) = parts.split_last().expect("pointer");
    for p in path {
        at = at
            .as_object_mut()
            .expect("object")
            .entry(p.to_string())
            .or_insert_with(|| json!({}));
    }
    let obj = at.as_object_mut().expect("object");
    if value.is_null() {
        obj.remove(*last);
    } else {
        obj.insert(last.to_string(), value);
    }
}

/// The declaration's own items off, the document's numbers on: a document-verified intake.
fn document(source: &str, case: &str) -> Vec<(&'static str, Value)> {
    vec![
        ("/incident/case", json!(case)),
        ("/verification/source", json!(source)),
        ("/declaration/has_valid_card", Value::Null),
        ("/declaration/signer", Value::Null),
        ("/declaration/insurer_name", Value::Null),
        ("/insurance/insurer_number", json!(KOKUHO)),
        ("/insurance/number", json!("1234")),
    ]
}

/// Case 1 on the patient's statement: no 申立書 items, the new insurer named.
fn statement() -> Vec<(&'static str, Value)> {
    vec![
        ("/incident/case", json!("1")),
        ("/verification/source", json!("statement")),
        ("/declaration/has_valid_card", Value::Null),
        ("/declaration/signer", Value::Null),
    ]
}

fn with(
    mut base: Vec<(&'static str, Value)>,
    more: &[(&'static str, Value)],
) -> Vec<(&'static str, Value)> {
    base.extend(more.iter().cloned());
    base
}

enum Want {
    /// Stored; these members of the exported record have these values.
    Stored(Vec<(&'static str, Value)>),
    /// Refused, naming this field.
    Refused(&'static str),
}

struct Rule {
    seed: &'static str,
    what: &'static str,
    change: Vec<(&'static str, Value)>,
    want: Want,
}

fn rule(
    seed: &'static str,
    what: &'static str,
    change: Vec<(&'static str, Value)>,
    want: Want,
) -> Rule {
    Rule {
        seed,
        what,
        change,
        want,
    }
}

fn rules() -> Vec<Rule> {
    use Want::{Refused, Stored};
    let c = |case: &str, source: &str| {
        vec![
            ("/incident/case", json!(case.to_string())),
            ("/verification/source", json!(source.to_string())),
        ]
    };
    vec![
        // ---- Sources per case: one table drives guide, form and import. ----
        rule(
            "l.56 「※3-2は不可」",
            "3-2 never マイナポータル",
            document("mynaportal", "3-2"),
            Refused("verification.source"),
        ),
        rule(
            "l.55–56",
            "3-1 offers マイナポータル (only 3-2 is 不可)",
            document("mynaportal", "3-1"),
            Stored(vec![("/insurance/basis", json!("current"))]),
        ),
        rule(
            "l.55",
            "3-3 offers マイナポータル on the spot",
            document("mynaportal", "3-3"),
            Stored(vec![]),
        ),
        rule(
            "l.43–44",
            "3-1 uses システム障害時モード",
            document("outage_mode", "3-1"),
            Stored(vec![("/followup/needed", json!(false))]),
        ),
        rule(
            "l.37–44",
            "3-2 uses システム障害時モード with the card-face 4 items",
            document("outage_mode", "3-2"),
            Stored(vec![]),
        ),
        rule(
            "l.111 ※2 「その場で又は事後的に」",
            "3-4 offers システム障害時モード",
            document("outage_mode", "3-4"),
            Stored(vec![]),
        ),
        rule(
            "l.14–30",
            "case 2: nothing online shows the new qualification",
            document("outage_mode", "2"),
            Refused("verification.source"),
        ),
        rule(
            "l.14–30",
            "case 2: not マイナポータル either",
            document("mynaportal", "2"),
            Refused("verification.source"),
        ),
        rule(
            "l.19 本人情報・保険者名等",
            "case 2 takes the 申立書",
            c("2", "declaration"),
            Stored(vec![("/insurance/basis", json!("unknown"))]),
        ),
        rule(
            "l.88 保険証（患者が持参している場合）",
            "an old 保険証 gives the past qualification",
            document("insurance_card", "3-4"),
            Stored(vec![("/insurance/basis", json!("past"))]),
        ),
        // ---- Case 1 is not a 申立書. ----
        rule(
            "l.9–12, l.134 「有効な保険証の交付を受けており」",
            "case 1 cannot sign the 申立書",
            c("1", "declaration"),
            Refused("verification.source"),
        ),
        rule(
            "l.9–12 「現行と同様、柔軟に対応」",
            "case 1 on the patient's statement",
            statement(),
            Stored(vec![
                ("/verification/source", json!("statement")),
                ("/declaration/signer", Value::Null),
                ("/copay/ratio", json!(30)),
                ("/followup/needed", json!(true)),
            ]),
        ),
        rule(
            "l.9–12",
            "the statement names the insurer or the employer",
            with(statement(), &[("/declaration/insurer_name", Value::Null)]),
            Refused("declaration.insurer_name"),
        ),
        rule(
            "l.9–12",
            "the statement may name the employer only",
            with(
                statement(),
                &[
                    ("/declaration/insurer_name", Value::Null),
                    ("/declaration/employer_name", json!("株式会社オンシ商事")),
                ],
            ),
            Stored(vec![]),
        ),
        rule(
            "l.9–12",
            "no signature on a statement",
            with(statement(), &[("/declaration/signer", json!("patient"))]),
            Refused("declaration.signer"),
        ),
        rule(
            "l.9–12",
            "case 1: 10割 now, refunded when the qualification is shown",
            with(
                statement(),
                &[("/copay/ratio", json!(100)), ("/copay/points", json!(1234))],
            ),
            Stored(vec![
                ("/copay/ratio", json!(100)),
                ("/copay/reason", json!("pending")),
                ("/copay/amount_yen", json!(12340)),
                ("/followup/needed", json!(true)),
            ]),
        ),
        rule(
            "l.9–12",
            "a statement is no place for has_valid_card",
            with(statement(), &[("/declaration/has_valid_card", json!(true))]),
            Refused("declaration.has_valid_card"),
        ),
        rule(
            "l.134, l.140 保険証の有無",
            "has_valid_card false is refused",
            vec![("/declaration/has_valid_card", json!(false))],
            Refused("declaration.has_valid_card"),
        ),
        rule(
            "l.39 「患者自己負担分（3割等）を受領」",
            "a 申立書 is charged the normal share",
            vec![("/copay/ratio", json!(100))],
            Refused("copay.ratio"),
        ),
        rule(
            "l.9–12",
            "a 資格取得証明書 shows the qualification: no 10割",
            with(
                document("certificate", "1"),
                &[("/copay/ratio", json!(100))],
            ),
            Refused("copay.ratio"),
        ),
        // ---- Claim basis never contradicts the rules. ----
        rule(
            "l.96–98",
            "a declaration is never the current qualification",
            vec![
                ("/insurance/insurer_number", json!(KOKUHO)),
                ("/insurance/number", json!("1234")),
                ("/insurance/basis", json!("current")),
            ],
            Refused("insurance.basis"),
        ),
        rule(
            "l.98",
            "a declaration naming both numbers is past",
            vec![
                ("/insurance/insurer_number", json!(KOKUHO)),
                ("/insurance/number", json!("1234")),
            ],
            Stored(vec![("/insurance/basis", json!("past"))]),
        ),
        rule(
            "l.98 「過去の資格情報（保険者番号や被保険者番号）」",
            "past needs a 被保険者番号",
            vec![
                ("/insurance/insurer_number", json!(KOKUHO)),
                ("/insurance/basis", json!("past")),
            ],
            Refused("insurance.basis"),
        ),
        rule(
            "l.100",
            "不詳 may always be claimed",
            vec![
                ("/insurance/insurer_number", json!(KOKUHO)),
                ("/insurance/number", json!("1234")),
                ("/insurance/basis", json!("unknown")),
            ],
            Stored(vec![("/insurance/basis", json!("unknown"))]),
        ),
        rule(
            "保険証の有効期限 2025-12-01 (docs/procedure.md)",
            "an old 保険証 after 2025-12-01 is not current",
            with(
                document("insurance_card", "3-4"),
                &[("/insurance/basis", json!("current"))],
            ),
            Refused("insurance.basis"),
        ),
        rule(
            "保険証の有効期限 2025-12-01 (docs/procedure.md)",
            "an old 保険証 up to 2025-12-01 is current",
            with(
                document("insurance_card", "3-4"),
                &[("/service_date", json!("2025-12-01"))],
            ),
            Stored(vec![("/insurance/basis", json!("current"))]),
        ),
        // ---- Insurer numbers: structure, not just the check digit. ----
        rule(
            "保険者番号の構成 (docs/record.md)",
            "都道府県 48 does not exist",
            with(
                document("certificate", "3-4"),
                &[("/insurance/insurer_number", json!(insurer8("0148001")))],
            ),
            Refused("insurance.insurer_number"),
        ),
        rule(
            "保険者番号の構成 (docs/record.md)",
            "法別 05 is not a known one",
            with(
                document("certificate", "3-4"),
                &[("/insurance/insurer_number", json!(insurer8("0513001")))],
            ),
            Refused("insurance.insurer_number"),
        ),
        rule(
            "不詳の請求 (docs/procedure.md)",
            "77777777 is a claim code, not a document's number",
            with(
                document("certificate", "3-4"),
                &[("/insurance/insurer_number", json!("77777777"))],
            ),
            Refused("insurance.insurer_number"),
        ),
        rule(
            "不詳の請求 (docs/procedure.md)",
            "99999999 neither",
            with(
                document("certificate", "3-4"),
                &[("/insurance/insurer_number", json!("99999999"))],
            ),
            Refused("insurance.insurer_number"),
        ),
        rule(
            "l.147 ※1 国民健康保険組合",
            "a 6-digit number with 3 as 3rd digit is a 国保組合: employer asked",
            vec![
                ("/insurance/insurer_number", json!(format!("13{}", "3015"))),
                ("/insurance/number", json!("1234")),
            ],
            Refused("declaration.employer_name"),
        ),
        rule(
            "l.147 ※1 国民健康保険組合",
            "so is an insurer named 医師国民健康保険組合",
            vec![(
                "/declaration/insurer_name",
                json!("東京都医師国民健康保険組合"),
            )],
            Refused("declaration.employer_name"),
        ),
        rule(
            "l.147 ※1",
            "社保 asks 事業所名",
            vec![("/declaration/insurance_kind", json!("shaho"))],
            Refused("declaration.employer_name"),
        ),
        // ---- Copay against age, amount against points. ----
        rule(
            "l.149 ※2 「70歳以上の方…」",
            "a 45-year-old is not asked the ratio",
            vec![("/declaration/copay_ratio", json!("10"))],
            Refused("declaration.copay_ratio"),
        ),
        rule(
            "l.149 ※2",
            "a 72-year-old must give it",
            vec![("/declaration/birth_date", json!("1954-04-10"))],
            Refused("declaration.copay_ratio"),
        ),
        rule(
            "l.149 ※2",
            "a 72-year-old's declared 2割 is collected",
            vec![
                ("/declaration/birth_date", json!("1954-04-10")),
                ("/declaration/copay_ratio", json!("20")),
            ],
            Stored(vec![
                ("/copay/ratio", json!(20)),
                ("/copay/reason", json!("age70to74")),
            ]),
        ),
        rule(
            "l.121 「3割負担（※未就学児は2割負担…）」",
            "a 45-year-old's explicit 2割 contradicts the age",
            vec![("/copay/ratio", json!(20))],
            Refused("copay.ratio"),
        ),
        rule(
            "l.121",
            "3割 for a 45-year-old is the default share, not a preschool one",
            vec![
                ("/copay/ratio", json!(30)),
                ("/copay/reason", json!("preschool")),
            ],
            Refused("copay.reason"),
        ),
        rule(
            "一部負担金の端数処理 (docs/procedure.md)",
            "the amount follows from the points",
            vec![
                ("/copay/points", json!(1234)),
                ("/copay/amount_yen", json!(3700)),
            ],
            Stored(vec![("/copay/amount_yen", json!(3700))]),
        ),
        rule(
            "一部負担金の端数処理 (docs/procedure.md)",
            "an amount that does not is refused",
            vec![
                ("/copay/points", json!(1234)),
                ("/copay/amount_yen", json!(1000)),
            ],
            Refused("copay.amount_yen"),
        ),
        // ---- Dates as people write them. ----
        rule(
            "券面の生年月日 (docs/record.md)",
            "昭56.4.1",
            vec![("/declaration/birth_date", json!("昭56.4.1"))],
            Stored(vec![("/declaration/birth_date", json!("1981-04-01"))]),
        ),
        rule(
            "券面の生年月日 (docs/record.md)",
            "昭和56年 4月 1日生 as on the card face",
            vec![("/declaration/birth_date", json!("昭和56年 4月 1日生"))],
            Stored(vec![("/declaration/birth_date", json!("1981-04-01"))]),
        ),
        rule(
            "券面の生年月日 (docs/record.md)",
            "S56/4/1",
            vec![("/declaration/birth_date", json!("S56/4/1"))],
            Stored(vec![("/declaration/birth_date", json!("1981-04-01"))]),
        ),
        rule(
            "改元 (docs/record.md)",
            "平成元年1月8日 is the first day of 平成",
            vec![("/declaration/birth_date", json!("平成元年1月8日"))],
            Stored(vec![("/declaration/birth_date", json!("1989-01-08"))]),
        ),
        rule(
            "改元 (docs/record.md)",
            "昭64.1.8 does not exist",
            vec![("/declaration/birth_date", json!("昭64.1.8"))],
            Refused("declaration.birth_date"),
        ),
        rule(
            "改元 (docs/record.md)",
            "H1/1/7 is still 昭和",
            vec![("/declaration/birth_date", json!("H1/1/7"))],
            Refused("declaration.birth_date"),
        ),
    ]
}

#[test]
fn each_rule_of_the_procedure_holds_on_import() {
    let desk = Desk::new();
    let rules = rules();
    let mut lines = Vec::new();
    for (i, r) in rules.iter().enumerate() {
        let mut v = base();
        for (p, value) in &r.change {
            set(&mut v, p, value.clone());
        }
        // The row's number travels in the note, to find the stored record again.
        set(&mut v, "/incident/note", json!(format!("rule {i}")));
        lines.push(v.to_string());
    }
    let file = desk.path("rules.jsonl");
    std::fs::write(&file, lines.join("\n") + "\n").expect("write");
    let out = desk.onshi(&["--lang", "en", "import", file.to_str().expect("utf-8")]);
    let stderr = text(&out.stderr);
    let refused: BTreeMap<usize, Vec<String>> = stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v.is_object())
        .fold(BTreeMap::new(), |mut m, v| {
            let line = v["line"].as_u64().expect("line") as usize;
            m.entry(line - 1)
                .or_default()
                .push(v["field"].as_str().expect("field").to_string());
            m
        });
    let exported = ok(&desk.onshi(&["export", "--format", "jsonl"]));
    let stored: BTreeMap<usize, Value> = exported
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("json"))
        .map(|v| {
            let note = v["incident"]["note"].as_str().expect("note").to_string();
            let i = note
                .trim_start_matches("rule ")
                .parse()
                .expect("rule number");
            (i, v)
        })
        .collect();

    let mut failures = Vec::new();
    for (i, r) in rules.iter().enumerate() {
        let label = format!("[{}] {} ({})", i, r.what, r.seed);
        match (&r.want, refused.get(&i), stored.get(&i)) {
            (Want::Refused(field), Some(fields), None) => {
                if !fields.iter().any(|f| f == field) {
                    failures.push(format!("{label}: refused at {fields:?}, not {field}"));
                }
            }
            (Want::Stored(checks), None, Some(rec)) => {
                for (p, want) in checks {
                    let got = rec.pointer(p).cloned().unwrap_or(Value::Null);
                    if &got != want {
                        failures.push(format!("{label}: {p} is {got}, not {want}"));
                    }
                }
            }
            (Want::Refused(field), None, _) => {
                failures.push(format!("{label}: stored, should be refused at {field}"))
            }
            (Want::Stored(_), Some(fields), _) => {
                failures.push(format!("{label}: refused at {fields:?}, should be stored"))
            }
            _ => failures.push(format!("{label}: neither stored nor refused")),
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n\nstderr:\n{stderr}",
        failures.join("\n")
    );
    // Some refused: exit 1, and the summary counts them.
    assert_eq!(code(&out), 1);
}

// ---- 後期 coding by age: review, CSV and FHIR agree. ----

const NOW: &str = "2026-11-28T10:00:00+09:00";

/// A 76-year-old who declared 社保 with 2割, no numbers: a 不詳 claim, billed as 後期.
fn senior_unknown() -> Value {
    let mut v = base();
    set(&mut v, "/declaration/insurance_kind", json!("shaho"));
    set(&mut v, "/declaration/employer_name", json!("佐藤商店"));
    set(&mut v, "/declaration/birth_date", json!("1950-01-10"));
    set(&mut v, "/declaration/copay_ratio", json!("20"));
    v
}

fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(NOW).expect("now")
}

/// The desk's state as the TUI starts it, in Japanese, at [`NOW`].
fn desk_app() -> onshi::tui::App {
    onshi::tui::App::new(
        onshi::i18n::Lang::Ja,
        onshi::keymap::Keymap::shipped_default(),
        "佐藤".into(),
        "reception-1".into(),
        now(),
    )
}

/// The screen `app` draws on a `w`×`h` terminal, row after row.
fn draw(app: &onshi::tui::App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| onshi::tui::render(app, f)).expect("draw");
    let buf = t.backend().buffer().clone();
    let mut s = String::new();
    for y in 0..h {
        for x in 0..w {
            s.push_str(buf[(x, y)].symbol());
        }
        s.push('\n');
    }
    s
}

fn review_screen(input: &Value) -> String {
    use onshi::domain::input::RecordInput;
    use onshi::domain::validate::Context;
    use onshi::tui::form::FormState;
    use onshi::tui::{update, Env, Event, Screen};
    let now = now();
    let input: RecordInput = serde_json::from_value(input.clone()).expect("input");
    let mut app = desk_app();
    let mut form = FormState::from_input(&input, now.date_naive());
    form.refresh(&Context {
        now,
        terminal_id: "reception-1".into(),
        operator: "佐藤".into(),
        new_id: "01JF0000000000000000000000".into(),
    });
    app.screen = Screen::Form(form);
    let env = Env {
        now,
        new_id: "01JF0000000000000000000000".into(),
    };
    // F9: review, as the clerk would.
    let _ = update(
        &mut app,
        Event::Key(KeyEvent::new(KeyCode::F(9), KeyModifiers::NONE)),
        &env,
    );
    assert!(matches!(app.screen, Screen::Review { .. }), "not on review");
    draw(&app, 100, 30)
}

#[test]
fn a_senior_unknown_claim_is_kouki_in_review_csv_and_fhir() {
    let desk = Desk::new();
    let line = senior_unknown();
    let file = desk.path("senior.jsonl");
    std::fs::write(&file, line.to_string() + "\n").expect("write");
    ok(&desk.onshi(&["import", file.to_str().expect("utf-8")]));

    // Review: 番号 is the 8-digit 後期 code, not the 9-digit one.
    let review = review_screen(&line);
    assert!(review.contains("77777777"), "{review}");
    assert!(!review.contains("777777777"), "{review}");

    // CSV: the claim columns.
    let csv = ok(&desk.onshi(&["export", "--format", "csv"]));
    let mut rows = csv.lines();
    let header: Vec<&str> = rows.next().expect("header").split(',').collect();
    let row: Vec<&str> = rows.next().expect("row").split(',').collect();
    let col = |name: &str| row[header.iter().position(|h| *h == name).expect(name)];
    assert_eq!(col("claim_basis"), "unknown");
    assert_eq!(col("claim_insurer_number"), "77777777");
    assert_eq!(col("claim_insured_number"), "77777777");
    assert_eq!(
        col("insurance_kind"),
        "shaho",
        "what was declared stays as declared"
    );

    // FHIR: the Coverage's category is 後期, and the 摘要 is there.
    let fhir: Value =
        serde_json::from_str(&ok(&desk.onshi(&["export", "--format", "fhir"]))).expect("json");
    let coverage = fhir["entry"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| &e["resource"])
        .find(|r| r["resourceType"] == "Coverage")
        .expect("coverage");
    let codes: Vec<&str> = coverage["type"]["coding"]
        .as_array()
        .expect("coding")
        .iter()
        .filter_map(|c| c["display"].as_str())
        .collect();
    assert!(
        codes.iter().any(|d| d.contains("後期")),
        "category {codes:?} in {coverage}"
    );

    // The same patient a day before turning 75 is not 後期: the 9-digit code.
    let mut younger = senior_unknown();
    let day_before_75 = NaiveDate::from_ymd_opt(1951, 11, 29).expect("date");
    set(
        &mut younger,
        "/declaration/birth_date",
        json!(day_before_75.to_string()),
    );
    let review = review_screen(&younger);
    assert!(review.contains("777777777"), "{review}");
}

// ---- The guide says what the guidance says. ----

fn guide_text(case: onshi::domain::record::IncidentCase, desk: onshi::tui::app::Desk) -> String {
    use onshi::tui::Screen;
    let mut app = desk_app();
    app.desk = desk;
    app.screen = Screen::Guide(onshi::tui::app::Guide {
        case,
        list: Default::default(),
        note: Default::default(),
        prefill: None,
    });
    // Tall enough for the whole guide; wrapped lines are joined to search across them.
    draw(&app, 80, 80).split_whitespace().collect()
}

#[test]
fn each_guide_says_what_the_guidance_says() {
    use onshi::domain::record::IncidentCase as C;
    let clinic = onshi::tui::app::Desk {
        helpdesk_phone: "0120-000-111".into(),
        clinic_code: Some("1312345678".into()),
        clinic_name: Some("霞が関クリニック".into()),
    };
    let rows: &[(&str, C, &[&str], &[&str])] = &[
        // (seed line, case, must say, must not say)
        (
            "l.9–12 「現行と同様、柔軟に対応」",
            C::NotIssued,
            &["柔軟に対応", "資格取得証明書"],
            &["システム障害時モード"],
        ),
        (
            "l.23 マイナポータルで事前確認",
            C::NotRegistered,
            &["マイナポータル", "次回"],
            &["システム障害時モード"],
        ),
        (
            "l.43–44, ヘルプデスク",
            C::ReaderBroken,
            &[
                "システム障害時モード",
                "0120-000-111",
                "1312345678",
                "霞が関クリニック",
                "利用報告書",
                "目視",
            ],
            &[],
        ),
        (
            "l.37 電子証明書の有効期限切れ",
            C::CardDefect,
            &["期限切れ", "通常", "券面", "0120-000-111"],
            &[],
        ),
        (
            "l.111 ※2 その場で又は事後的に",
            C::TerminalBroken,
            &["その場で又は", "マイナポータル"],
            &[],
        ),
        ("l.111 ※2", C::NetworkDown, &["その場で又は復旧後"], &[]),
        (
            "l.65 レセプト請求に必要な情報の提供",
            C::NetworkDown,
            &["レセプト請求に必要な情報の提供"],
            &[],
        ),
    ];
    for (seed, case, says, never) in rows {
        let text = guide_text(*case, clinic.clone());
        for want in *says {
            assert!(
                text.contains(want),
                "{seed}: {case:?} guide lacks {want}:\n{text}"
            );
        }
        for not in *never {
            assert!(
                !text.contains(not),
                "{seed}: {case:?} guide says {not}:\n{text}"
            );
        }
    }
    // Without [desk] settings: the official help desk number, and a prompt to set the
    // clinic's code rather than a blank.
    let text = guide_text(C::ReaderBroken, onshi::tui::app::Desk::default());
    assert!(text.contains("0800-080-4583"), "{text}");
}
