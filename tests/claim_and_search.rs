//! Claim coding (不詳 and known qualifications) and the repeat-patient search, on
//! records made through the real validation path.

use chrono::DateTime;
use onshi::domain::claim::coding;
use onshi::domain::input::RecordInput;
use onshi::domain::record::{Record, Status};
use onshi::domain::search::search;
use onshi::domain::validate::{record, Context};

fn make(json: &str, id: &str, created: &str) -> Record {
    let input: RecordInput = serde_json::from_str(json).unwrap();
    let ctx = Context {
        now: DateTime::parse_from_rfc3339(created).unwrap(),
        terminal_id: "reception-1".into(),
        operator: "佐藤".into(),
        new_id: id.into(),
    };
    record(&input, &ctx).unwrap_or_else(|e| panic!("{e:?}"))
}

fn declaration(kind: &str, kana: &str, birth: &str, extra: &str) -> String {
    format!(
        r#"{{"incident":{{"case":"3-4"}},"declaration":{{"has_valid_card":true,"insurance_kind":"{kind}",
        "employer_name":"株式会社テスト","name":"山田　花子","name_kana":"{kana}","birth_date":"{birth}",
        "sex":"female","address":"東京都港区1-1","signer":"patient","phone":"090-1234-5678"{extra}}}}}"#
    )
}

const T: &str = "2026-11-28T09:00:00+09:00";

#[test]
fn unknown_claim_is_coded_with_sevens_and_a_summary() {
    let r = make(
        &declaration("shaho", "ヤマダ　ハナコ", "1981-04-01", ""),
        "01JF0000000000000000000001",
        T,
    );
    let c = coding(&r, false);
    assert_eq!(c.insurer_number.as_deref(), Some("77777777"));
    assert_eq!(c.insured_number.as_deref(), Some("777777777"));
    assert_eq!(c.symbol, None);
    assert_eq!(c.branch, None);
    assert_eq!(
        c.summary.as_deref(),
        Some("不詳　東京都港区1-1　株式会社テスト　090-1234-5678")
    );
    assert_eq!(coding(&r, true).insurer_number.as_deref(), Some("77777779"));
}

#[test]
fn kouki_unknown_uses_eight_sevens_for_the_insured_number() {
    let json = declaration(
        "kouki",
        "ヤマダ　ハナコ",
        "1940-04-01",
        r#","copay_ratio":"10""#,
    );
    let r = make(&json, "01JF0000000000000000000002", T);
    let c = coding(&r, false);
    assert_eq!(c.insured_number.as_deref(), Some("77777777"));
    assert_eq!(r.copay.ratio, 10);
}

#[test]
fn known_qualification_passes_its_numbers_through() {
    let json = r#"{"incident":{"case":"3-3"},"verification":{"source":"certificate"},
        "declaration":{"insurance_kind":"shaho","name":"山田　花子","name_kana":"ヤマダ　ハナコ",
        "birth_date":"1981-04-01","sex":"female","address":"東京都港区1-1"},
        "insurance":{"insurer_number":"01040013","symbol":"12","number":"345","branch":"1"}}"#;
    let r = make(json, "01JF0000000000000000000003", T);
    let c = coding(&r, false);
    assert_eq!(c.insurer_number.as_deref(), Some("01040013"));
    assert_eq!(c.symbol.as_deref(), Some("12"));
    assert_eq!(c.insured_number.as_deref(), Some("345"));
    assert_eq!(c.branch.as_deref(), Some("01"));
    assert_eq!(c.summary, None);
}

#[test]
fn search_by_kana_in_any_script_or_birth_date_in_any_era_spelling() {
    let a = make(
        &declaration("shaho", "ヤマダ　ハナコ", "1981-04-01", ""),
        "01JF0000000000000000000011",
        "2026-10-01T09:00:00+09:00",
    );
    let b = make(
        &declaration("shaho", "ヤマダ　ハナコ", "1981-04-01", ""),
        "01JF0000000000000000000012",
        "2026-11-01T09:00:00+09:00",
    );
    let c = make(
        &declaration("shaho", "スズキ　イチロウ", "1990-01-01", ""),
        "01JF0000000000000000000013",
        T,
    );
    let mut voided = make(
        &declaration("shaho", "ヤマダ　タロウ", "1970-01-01", ""),
        "01JF0000000000000000000014",
        T,
    );
    voided.status = Status::Voided;
    let all = vec![a.clone(), b.clone(), c.clone(), voided];
    // One hit per patient, the newest record.
    let hits = search(&all, "やまだはなこ", 10);
    assert_eq!(
        hits.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        vec![b.id.as_str()]
    );
    assert_eq!(
        search(&all, "ﾔﾏﾀﾞ", 10).len(),
        1,
        "voided records are not offered"
    );
    assert_eq!(search(&all, "S56.4.1", 10)[0].id, b.id);
    assert_eq!(search(&all, "昭和５６年４月１日", 10)[0].id, b.id);
    assert_eq!(search(&all, "1990-01-01", 10)[0].id, c.id);
    assert!(search(&all, "タナカ", 10).is_empty());
    assert!(search(&all, "  ", 10).is_empty());
    // By name when not kana or a date (every fixture is named 山田　花子; two patients).
    assert_eq!(search(&all, "山田", 10).len(), 2);
}
