//! The one validation path (`domain::validate`, docs/record.md): normalisation,
//! conditional rules, copay suggestion, insurer numbers, unsafe text, dates, JSON paths,
//! round trips, revisions and voids, messages, and a never-panics property.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, FixedOffset, NaiveDate};
use proptest::prelude::*;

use onshi::domain::era::{DateError, Era};
use onshi::domain::input::{
    CopayInput, DeclarationInput, IncidentInput, InsuranceInput, RecordInput, VerificationInput,
};
use onshi::domain::insurer::{InsurerError, NumberError};
use onshi::domain::kana::KanaError;
use onshi::domain::phone::PhoneError;
use onshi::domain::problem::{FieldError, Problem};
use onshi::domain::record::{
    ClaimBasis, Copay, CopayReason, Declaration, DeclaredRatio, Followup, Incident, IncidentCase,
    Insurance, InsuranceKind, IssuedWhen, Record, Sex, Signer, Status, Verification,
    VerificationSource,
};
use onshi::domain::text::TextError;
use onshi::domain::validate::{self, Context};
use onshi::i18n::{describe_problem, Lang};

const NEW_ID: &str = "01JDQ7Z3X4K5M6N7P8Q9R0S1T2";
const OTHER_ID: &str = "01JDQ80000AAAABBBBCCCCDDDD";
/// 葛 with the IVS selector U+E0100 (the 葛󠄀 of 葛飾).
const KATSU_IVS: &str = "葛\u{E0100}";

fn ts(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).expect("test timestamp")
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("test date")
}

fn iso(s: &str) -> NaiveDate {
    s.parse().expect("ISO test date")
}

/// The fixed context of every test: 2026-11-28 09:12 JST at reception-1.
fn ctx() -> Context {
    Context {
        now: ts("2026-11-28T09:12:00+09:00"),
        terminal_id: "reception-1".to_string(),
        operator: "佐藤".to_string(),
        new_id: NEW_ID.to_string(),
    }
}

/// A later context with different values everywhere, to show what comes from the input.
fn later_ctx() -> Context {
    Context {
        now: ts("2026-11-29T10:30:00+09:00"),
        terminal_id: "reception-2".to_string(),
        operator: "鈴木".to_string(),
        new_id: OTHER_ID.to_string(),
    }
}

fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}

/// A complete, valid declaration as typed at reception: IVS in the name, hiragana
/// フリガナ, 和暦 birth date, full-width phone and numbers.
fn valid_input() -> RecordInput {
    RecordInput {
        incident: IncidentInput {
            case: s("3-4"),
            note: s("停電"),
        },
        declaration: DeclarationInput {
            has_valid_card: Some(true),
            insurance_kind: s("shaho"),
            insurer_name: s("全国健康保険協会東京支部"),
            employer_name: s("株式会社オンシ商事"),
            issued_when: s("earlier"),
            name: Some(format!("{KATSU_IVS}西　花子")),
            name_kana: s("かさい　はなこ"),
            birth_date: s("昭和56年4月1日"),
            sex: s("female"),
            address: Some(format!("東京都{KATSU_IVS}飾区立石５－１３－１")),
            signer: s("patient"),
            phone: s("０３－１２３４－５６７８"),
            ..Default::default()
        },
        insurance: InsuranceInput {
            insurer_number: s("01040013"),
            symbol: s("１２３"),
            number: s("４５６"),
            branch: s("1"),
            ..Default::default()
        },
        ..Default::default()
    }
}

/// `input` as the form would have it with `source`: the items that source does not ask
/// are left out (the form never shows them), and the case is one that offers it.
fn as_source(mut input: RecordInput, source: &str) -> RecordInput {
    input.verification.source = s(source);
    let d = &mut input.declaration;
    if source != "declaration" {
        d.has_valid_card = None;
        d.issued_when = None;
        d.issued_note = None;
        d.declared_on = None;
        d.signer = None;
        d.signer_relationship = None;
    }
    if source != "declaration" && source != "statement" {
        d.insurer_name = None;
        d.employer_name = None;
    }
    if source == "statement" {
        input.incident.case = s("1");
    }
    input
}

fn ok(input: &RecordInput) -> Record {
    match validate::record(input, &ctx()) {
        Ok(r) => r,
        Err(e) => panic!("expected a valid record, got {e:#?}\ninput: {input:#?}"),
    }
}

fn errs(input: &RecordInput) -> Vec<FieldError> {
    match validate::record(input, &ctx()) {
        Ok(r) => panic!("expected problems, got a record: {r:#?}\ninput: {input:#?}"),
        Err(e) => e,
    }
}

/// Exactly one problem, at `field`, equal to `want`.
fn assert_only(errors: &[FieldError], field: &str, want: Problem) {
    assert_eq!(
        errors,
        &[FieldError::new(field, want.clone())],
        "expected only {want:?} at {field}"
    );
}

fn fields(errors: &[FieldError]) -> BTreeSet<&str> {
    errors.iter().map(|e| e.field.as_str()).collect()
}

// ---------------------------------------------------------------------------------------
// A full valid input and its normalisation
// ---------------------------------------------------------------------------------------

#[test]
fn full_valid_input_becomes_the_normalised_record() {
    let rec = ok(&valid_input());
    let expected = Record {
        id: NEW_ID.to_string(),
        version: 1,
        terminal_id: "reception-1".to_string(),
        operator: "佐藤".to_string(),
        created_at: ts("2026-11-28T09:12:00+09:00"),
        updated_at: ts("2026-11-28T09:12:00+09:00"),
        service_date: d(2026, 11, 28),
        status: Status::Active,
        void_reason: None,
        incident: Incident {
            case: IncidentCase::NetworkDown,
            note: s("停電"),
        },
        verification: Verification {
            source: VerificationSource::Declaration,
            checked_at: None,
            card_read: false,
        },
        declaration: Declaration {
            has_valid_card: Some(true),
            insurance_kind: InsuranceKind::Shaho,
            insurer_name: s("全国健康保険協会東京支部"),
            employer_name: s("株式会社オンシ商事"),
            issued_when: Some(IssuedWhen::Earlier),
            issued_note: None,
            copay_ratio: None,
            name: format!("{KATSU_IVS}西　花子"),
            name_kana: "カサイ\u{3000}ハナコ".to_string(),
            birth_date: d(1981, 4, 1),
            sex: Sex::Female,
            address: format!("東京都{KATSU_IVS}飾区立石５－１３－１"),
            declared_on: Some(d(2026, 11, 28)),
            signer: Some(Signer::Patient),
            signer_relationship: None,
            phone: s("03-1234-5678"),
        },
        insurance: Insurance {
            // A declaration that names the numbers supports a claim on past qualification.
            basis: ClaimBasis::Past,
            insurer_number: s("01040013"),
            symbol: s("123"),
            number: s("456"),
            branch: s("01"),
        },
        copay: Copay {
            ratio: 30,
            reason: CopayReason::Default,
            amount_yen: None,
            points: None,
        },
        followup: Followup {
            needed: true,
            done_at: None,
            ..Default::default()
        },
    };
    assert_eq!(rec, expected);
    // The IVS selector survives byte for byte.
    assert!(rec.declaration.name.contains('\u{E0100}'));
}

#[test]
fn record_json_has_the_design_shape_and_iso_values() {
    let rec = ok(&valid_input());
    let v = serde_json::to_value(&rec).expect("serialise");
    let keys: BTreeSet<&str> = v
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    let want: BTreeSet<&str> = [
        "id",
        "version",
        "terminal_id",
        "operator",
        "created_at",
        "updated_at",
        "service_date",
        "status",
        "void_reason",
        "incident",
        "verification",
        "declaration",
        "insurance",
        "copay",
        "followup",
    ]
    .into_iter()
    .collect();
    assert_eq!(keys, want);
    assert_eq!(v["declaration"]["birth_date"], "1981-04-01");
    assert_eq!(v["declaration"]["declared_on"], "2026-11-28");
    assert_eq!(v["service_date"], "2026-11-28");
    assert_eq!(v["created_at"], "2026-11-28T09:12:00+09:00");
    assert_eq!(v["declaration"]["phone"], "03-1234-5678");
    assert_eq!(v["declaration"]["name_kana"], "カサイ　ハナコ");
    assert_eq!(v["incident"]["case"], "3-4");
    assert_eq!(v["status"], "active");
    assert_eq!(v["copay"]["ratio"], 30);
    assert_eq!(v["copay"]["reason"], "default");
    // Serialised records read back as the same record.
    let back: Record = serde_json::from_value(v).expect("deserialise");
    assert_eq!(back, rec);
}

#[test]
fn birth_date_spellings_all_become_iso() {
    for spelling in [
        "昭和56年4月1日",
        "S56.4.1",
        "昭和５６年４月１日",
        "1981-04-01",
        "s56/4/1",
        "Ｓ５６．４．１",
        "1981年4月1日",
        " 昭和 56年 4月 1日 ",
    ] {
        let mut input = valid_input();
        input.declaration.birth_date = s(spelling);
        let rec = ok(&input);
        assert_eq!(rec.declaration.birth_date, d(1981, 4, 1), "{spelling}");
        let v = serde_json::to_value(&rec).expect("serialise");
        assert_eq!(v["declaration"]["birth_date"], "1981-04-01", "{spelling}");
    }
}

#[test]
fn kana_spellings_become_full_width_katakana() {
    for (typed, stored) in [
        ("かさい　はなこ", "カサイ\u{3000}ハナコ"),
        ("ｶｻｲ ﾊﾅｺ", "カサイ\u{3000}ハナコ"),
        ("カサイ　ハナコ", "カサイ\u{3000}ハナコ"),
        ("ｶﾞｯｺｳ ﾀﾛｳ", "ガッコウ\u{3000}タロウ"),
        ("ﾊﾟｰｸ", "パーク"),
        ("  かさい   はなこ  ", "カサイ\u{3000}ハナコ"),
        ("ゔぃくとる", "ヴィクトル"),
    ] {
        let mut input = valid_input();
        input.declaration.name_kana = s(typed);
        assert_eq!(ok(&input).declaration.name_kana, stored, "{typed}");
    }
}

#[test]
fn phone_becomes_half_width_digits_with_hyphens() {
    for (typed, stored) in [
        ("０３－１２３４－５６７８", "03-1234-5678"),
        ("０９０ー１２３４ー５６７８", "090-1234-5678"),
        ("（０３）１２３４－５６７８", "03-1234-5678"),
        ("03 (1234) 5678", "03-1234-5678"),
        ("０３１２３４５６７８", "0312345678"),
    ] {
        let mut input = valid_input();
        input.declaration.phone = s(typed);
        assert_eq!(
            ok(&input).declaration.phone.as_deref(),
            Some(stored),
            "{typed}"
        );
    }
    // Optional: absent or blank is no phone.
    for absent in [None, s(""), s("　 ")] {
        let mut input = valid_input();
        input.declaration.phone = absent;
        assert_eq!(ok(&input).declaration.phone, None);
    }
    let mut input = valid_input();
    input.declaration.phone = s("03-1234-567");
    assert_only(
        &errs(&input),
        "declaration.phone",
        Problem::Phone(PhoneError::Digits { count: 9 }),
    );
    input.declaration.phone = s("+81-3-1234-5678");
    assert_only(
        &errs(&input),
        "declaration.phone",
        Problem::Phone(PhoneError::Invalid { ch: '+' }),
    );
}

// ---------------------------------------------------------------------------------------
// Conditional rules
// ---------------------------------------------------------------------------------------

#[test]
fn employer_required_for_shaho_other_unknown() {
    for kind in ["shaho", "other", "unknown"] {
        for missing in [None, s(""), s("   ")] {
            let mut input = valid_input();
            input.declaration.insurance_kind = s(kind);
            input.declaration.employer_name = missing;
            assert_only(
                &errs(&input),
                "declaration.employer_name",
                Problem::Required,
            );
        }
    }
}

#[test]
fn employer_not_required_for_kokuho_and_kouki() {
    let mut input = valid_input();
    input.declaration.insurance_kind = s("kokuho");
    input.declaration.insurer_name = s("葛飾区");
    input.declaration.employer_name = None;
    let rec = ok(&input);
    assert_eq!(rec.declaration.insurance_kind, InsuranceKind::Kokuho);
    assert_eq!(rec.declaration.employer_name, None);

    let mut input = valid_input();
    input.declaration.insurance_kind = s("kouki");
    input.declaration.insurer_name = s("東京都後期高齢者医療広域連合");
    input.declaration.employer_name = None;
    input.declaration.copay_ratio = s("10");
    let rec = ok(&input);
    assert_eq!(rec.declaration.insurance_kind, InsuranceKind::Kouki);
    assert_eq!(rec.declaration.employer_name, None);
}

#[test]
fn employer_required_for_kokuho_kumiai() {
    for insurer in [
        "東京都医師国民健康保険組合",
        "文芸美術国保組合",
        "全国土木建築国民健康保険組合",
    ] {
        let mut input = valid_input();
        input.declaration.insurance_kind = s("kokuho");
        input.declaration.insurer_name = s(insurer);
        input.declaration.employer_name = None;
        assert_only(
            &errs(&input),
            "declaration.employer_name",
            Problem::Required,
        );
        input.declaration.employer_name = s("山田医院");
        assert_eq!(
            ok(&input).declaration.employer_name.as_deref(),
            Some("山田医院"),
            "{insurer}"
        );
    }
    assert!(validate::employer_required(
        Some(InsuranceKind::Kokuho),
        Some("文芸美術国保組合"),
        None
    ));
    assert!(!validate::employer_required(
        Some(InsuranceKind::Kokuho),
        Some("葛飾区"),
        None
    ));
    assert!(!validate::employer_required(
        Some(InsuranceKind::Kouki),
        None,
        None
    ));
}

/// An input for someone born on `birth`, seen on `service`.
fn aged(birth: &str, service: &str, kind: &str, declared: Option<&str>) -> RecordInput {
    let mut input = valid_input();
    input.service_date = s(service);
    input.declaration.birth_date = s(birth);
    input.declaration.insurance_kind = s(kind);
    input.declaration.copay_ratio = declared.map(str::to_string);
    input
}

#[test]
fn copay_ratio_asked_from_70_and_for_kouki() {
    // 70th birthday 2026-05-15.
    let e = errs(&aged("1956-05-15", "2026-11-28", "shaho", None));
    assert_only(&e, "declaration.copay_ratio", Problem::Required);
    let e = errs(&aged("1956-05-15", "2026-05-15", "shaho", None));
    assert_only(&e, "declaration.copay_ratio", Problem::Required);
    // The day before: not asked, and not accepted.
    ok(&aged("1956-05-15", "2026-05-14", "shaho", None));
    let e = errs(&aged("1956-05-15", "2026-05-14", "shaho", Some("20")));
    assert_only(&e, "declaration.copay_ratio", Problem::NotApplicable);
    // kouki at any age.
    let e = errs(&aged("1986-01-10", "2026-11-28", "kouki", None));
    assert_only(&e, "declaration.copay_ratio", Problem::Required);
    let rec = ok(&aged("1986-01-10", "2026-11-28", "kouki", Some("10")));
    assert_eq!(rec.declaration.copay_ratio, Some(DeclaredRatio::R10));
    // Each declared value is stored.
    for (code, want) in [
        ("30", DeclaredRatio::R30),
        ("20", DeclaredRatio::R20),
        ("10", DeclaredRatio::R10),
        ("unknown", DeclaredRatio::Unknown),
    ] {
        let rec = ok(&aged("1954-04-10", "2026-11-28", "shaho", Some(code)));
        assert_eq!(rec.declaration.copay_ratio, Some(want), "{code}");
    }
    // Not one of the codes.
    let e = errs(&aged("1954-04-10", "2026-11-28", "shaho", Some("25")));
    assert_only(
        &e,
        "declaration.copay_ratio",
        Problem::Choice {
            value: "25".to_string(),
            allowed: vec!["30", "20", "10", "unknown"],
        },
    );
}

#[test]
fn copay_ratio_for_a_40_year_old_is_not_applicable() {
    for kind in ["shaho", "kokuho", "other", "unknown"] {
        let e = errs(&aged("1986-01-10", "2026-11-28", kind, Some("30")));
        assert_only(&e, "declaration.copay_ratio", Problem::NotApplicable);
    }
}

#[test]
fn guardian_needs_a_relationship_and_patient_must_not_have_one() {
    let mut input = valid_input();
    input.declaration.signer = s("guardian");
    assert_only(
        &errs(&input),
        "declaration.signer_relationship",
        Problem::Required,
    );
    input.declaration.signer_relationship = s("  母 ");
    let rec = ok(&input);
    assert_eq!(rec.declaration.signer, Some(Signer::Guardian));
    assert_eq!(rec.declaration.signer_relationship.as_deref(), Some("母"));

    let mut input = valid_input();
    input.declaration.signer = s("patient");
    input.declaration.signer_relationship = s("本人");
    assert_only(
        &errs(&input),
        "declaration.signer_relationship",
        Problem::NotApplicable,
    );
}

// ---------------------------------------------------------------------------------------
// Copay suggestion at the age-band boundaries
// ---------------------------------------------------------------------------------------

#[test]
fn copay_suggestion_at_boundary_days() {
    use CopayReason::*;
    // (birth, service, kind, declared 一部負担金の割合, ratio, reason)
    type Row = (
        &'static str,
        &'static str,
        &'static str,
        Option<&'static str>,
        u8,
        CopayReason,
    );
    let table: &[Row] = &[
        // 未就学: born 2 April → last day is the 31 March after the 6th birthday's eve.
        ("2019-04-02", "2026-03-31", "kokuho", None, 20, Preschool),
        ("2019-04-02", "2026-04-01", "kokuho", None, 30, Default),
        // Born 1 April: one school year earlier.
        ("2019-04-01", "2025-03-31", "shaho", None, 20, Preschool),
        ("2019-04-01", "2025-04-01", "shaho", None, 30, Default),
        // Birth day itself.
        ("2026-11-28", "2026-11-28", "kokuho", None, 20, Preschool),
        // 70: from the month after the 70th birthday.
        ("1956-05-15", "2026-05-14", "shaho", None, 30, Default),
        (
            "1956-05-15",
            "2026-05-31",
            "shaho",
            Some("unknown"),
            30,
            Default,
        ),
        (
            "1956-05-15",
            "2026-06-01",
            "shaho",
            Some("unknown"),
            20,
            Age70To74,
        ),
        (
            "1956-05-15",
            "2026-06-01",
            "kokuho",
            Some("20"),
            20,
            Age70To74,
        ),
        (
            "1956-05-15",
            "2026-06-01",
            "shaho",
            Some("30"),
            30,
            Declared,
        ),
        // Born on the 1st: from the birth month.
        ("1956-05-01", "2026-04-30", "shaho", None, 30, Default),
        (
            "1956-05-01",
            "2026-05-01",
            "shaho",
            Some("unknown"),
            20,
            Age70To74,
        ),
        // December birthday: the next January.
        (
            "1955-12-15",
            "2025-12-31",
            "shaho",
            Some("unknown"),
            30,
            Default,
        ),
        (
            "1955-12-15",
            "2026-01-01",
            "shaho",
            Some("unknown"),
            20,
            Age70To74,
        ),
        // 後期 from the 75th birthday itself.
        (
            "1951-11-28",
            "2026-11-27",
            "shaho",
            Some("10"),
            20,
            Age70To74,
        ),
        ("1951-11-28", "2026-11-28", "kouki", Some("10"), 10, Kouki),
        ("1951-11-28", "2026-11-28", "kouki", Some("20"), 20, Kouki),
        ("1951-11-28", "2026-11-28", "kouki", Some("30"), 30, Kouki),
        (
            "1951-11-28",
            "2026-11-28",
            "kouki",
            Some("unknown"),
            30,
            Default,
        ),
        ("1951-11-28", "2026-11-28", "shaho", Some("10"), 10, Kouki),
        // Everyone else.
        ("1981-04-01", "2026-11-28", "shaho", None, 30, Default),
    ];
    for &(birth, service, kind, declared, ratio, reason) in table {
        let rec = ok(&aged(birth, service, kind, declared));
        let case = format!("born {birth}, seen {service}, {kind}, declared {declared:?}");
        assert_eq!(
            (rec.copay.ratio, rec.copay.reason),
            (ratio, reason),
            "{case}"
        );
        assert_eq!(rec.service_date, iso(service), "{case}");
        assert_eq!(rec.declaration.declared_on, Some(iso(service)), "{case}");
        assert_eq!(rec.copay.amount_yen, None, "{case}");
    }
}

#[test]
fn explicit_copay_must_follow_the_age_rules() {
    // Born 1981, service 2026-11-28, 社保: 3割 by default (seed l.94 「3割等」).
    for bad in [25u8, 0, 5, 255] {
        let mut input = valid_input();
        input.copay.ratio = Some(bad);
        assert_only(&errs(&input), "copay.ratio", Problem::Ratio { value: bad });
    }
    let mut input = valid_input();
    input.copay = CopayInput {
        ratio: Some(30),
        reason: None,
        amount_yen: Some(1200),
        points: None,
    };
    assert_eq!(
        ok(&input).copay,
        Copay {
            ratio: 30,
            reason: CopayReason::Default,
            amount_yen: Some(1200),
            points: None,
        }
    );
    input.copay.reason = s("default");
    assert_eq!(ok(&input).copay.reason, CopayReason::Default);
    // A ratio or reason the age does not give is refused at what is wrong, naming what
    // the age does give.
    for (ratio, reason, field) in [
        (20, None, "copay.ratio"),
        (30, Some("preschool"), "copay.reason"),
        (30, Some("kouki"), "copay.reason"),
    ] {
        input.copay.ratio = Some(ratio);
        input.copay.reason = reason.map(str::to_string);
        assert_only(
            &errs(&input),
            field,
            Problem::CopayContradicts {
                ratio: 30,
                reason: "default",
            },
        );
    }
    input.copay.ratio = Some(30);
    input.copay.reason = s("whatever");
    assert_eq!(fields(&errs(&input)), BTreeSet::from(["copay.reason"]));
    // 10割 only in case 1 on the patient's statement (seed l.9–12).
    input.copay.reason = None;
    input.copay.ratio = Some(100);
    assert_only(&errs(&input), "copay.ratio", Problem::FullCopayNotAllowed);
}

// ---------------------------------------------------------------------------------------
// Insurer numbers
// ---------------------------------------------------------------------------------------

#[test]
fn insurer_numbers_with_valid_check_digits_pass() {
    for (typed, stored) in [
        ("01040013", "01040013"),
        ("06010391", "06010391"),
        ("33120015", "33120015"),
        ("131011", "131011"),
        ("０１０４００１３", "01040013"),
        ("0104 0013", "01040013"),
    ] {
        let mut input = valid_input();
        input.insurance.insurer_number = s(typed);
        let rec = ok(&input);
        assert_eq!(
            rec.insurance.insurer_number.as_deref(),
            Some(stored),
            "{typed}"
        );
        assert_eq!(rec.insurance.basis, ClaimBasis::Past, "{typed}");
    }
}

#[test]
fn insurer_number_errors() {
    for (typed, want) in [
        ("01040014", InsurerError::CheckDigit { expected: 3 }),
        ("06010392", InsurerError::CheckDigit { expected: 1 }),
        ("1234567", InsurerError::Length { len: 7 }),
        ("0104001A", InsurerError::NotDigits { ch: 'A' }),
    ] {
        let mut input = valid_input();
        input.insurance.insurer_number = s(typed);
        assert_only(
            &errs(&input),
            "insurance.insurer_number",
            Problem::Insurer(want),
        );
    }
}

/// 77777777, 77777779 and 99999999 are claim codes (docs/procedure.md; the seed's 不詳
/// claim, l.100): onshi writes them on the claim itself, a document never shows one.
#[test]
fn claim_codes_are_never_a_documents_insurer_number() {
    for code in ["77777777", "77777779", "99999999"] {
        for basis in [None, s("current"), s("past"), s("unknown")] {
            let mut input = valid_input();
            input.insurance.basis = basis;
            input.insurance.insurer_number = s(code);
            assert!(
                errs(&input).contains(&FieldError::new(
                    "insurance.insurer_number",
                    Problem::Insurer(InsurerError::ClaimCode)
                )),
                "{code}"
            );
        }
    }
}

#[test]
fn basis_defaults_from_source_and_numbers() {
    // (source, insurer number, service date, basis)
    let table: &[(&str, Option<&str>, &str, ClaimBasis)] = &[
        ("declaration", None, "2026-11-28", ClaimBasis::Unknown),
        (
            "declaration",
            Some("01040013"),
            "2026-11-28",
            ClaimBasis::Past,
        ),
        (
            "certificate",
            Some("01040013"),
            "2026-11-28",
            ClaimBasis::Current,
        ),
        (
            "mynaportal",
            Some("01040013"),
            "2026-11-28",
            ClaimBasis::Current,
        ),
        (
            "notice",
            Some("01040013"),
            "2026-11-28",
            ClaimBasis::Current,
        ),
        (
            "outage_mode",
            Some("01040013"),
            "2026-11-28",
            ClaimBasis::Current,
        ),
        // The old 保険証 is a current qualification only until 2025-12-01.
        (
            "insurance_card",
            Some("01040013"),
            "2025-12-01",
            ClaimBasis::Current,
        ),
        (
            "insurance_card",
            Some("01040013"),
            "2025-12-02",
            ClaimBasis::Past,
        ),
    ];
    for &(source, number, service, want) in table {
        let mut input = as_source(valid_input(), source);
        input.insurance.insurer_number = number.map(str::to_string);
        input.service_date = s(service);
        let rec = ok(&input);
        assert_eq!(rec.insurance.basis, want, "{source} {number:?} {service}");
        assert_eq!(
            rec.insurance.insurer_number.as_deref(),
            number,
            "{source} {number:?} {service}"
        );
    }
    // A document that showed the qualification shows both its numbers.
    for (source, missing) in [
        ("certificate", "insurance.insurer_number"),
        ("mynaportal", "insurance.number"),
        ("outage_mode", "insurance.insurer_number"),
    ] {
        let mut input = as_source(valid_input(), source);
        if missing == "insurance.number" {
            input.insurance.number = None;
        } else {
            input.insurance.insurer_number = None;
        }
        assert_only(&errs(&input), missing, Problem::Required);
    }
    // 不詳 with no numbers at all needs a later check.
    let mut input = valid_input();
    input.insurance.insurer_number = None;
    let rec = ok(&input);
    assert_eq!(rec.insurance.basis, ClaimBasis::Unknown);
    assert!(rec.followup.needed);
}

#[test]
fn declaration_items_are_asked_only_for_a_declaration() {
    let mut input = valid_input();
    input.declaration.has_valid_card = None;
    input.declaration.signer = None;
    input.declaration.employer_name = None;
    assert_eq!(
        fields(&errs(&input)),
        BTreeSet::from([
            "declaration.has_valid_card",
            "declaration.signer",
            "declaration.employer_name"
        ])
    );
    let input = as_source(input, "certificate");
    let rec = ok(&input);
    assert_eq!(rec.verification.source, VerificationSource::Certificate);
    assert_eq!(rec.declaration.has_valid_card, None);
    assert_eq!(rec.declaration.signer, None);
    assert_eq!(rec.declaration.declared_on, None);
    assert_eq!(rec.insurance.basis, ClaimBasis::Current);
    assert!(!rec.followup.needed);
}

// ---------------------------------------------------------------------------------------
// Unsafe text and kana
// ---------------------------------------------------------------------------------------

type Setter = fn(&mut RecordInput, Option<String>);

#[test]
fn control_and_bidi_characters_are_rejected_in_text_fields() {
    let cases: &[(&str, Setter, &str, usize)] = &[
        (
            "declaration.name",
            |i, v| i.declaration.name = v,
            "\u{1b}[31m山田",
            0,
        ),
        (
            "declaration.name",
            |i, v| i.declaration.name = v,
            "山田\u{7}花子",
            2,
        ),
        (
            "declaration.name",
            |i, v| i.declaration.name = v,
            "山田\u{202e}子花",
            2,
        ),
        (
            "declaration.name",
            |i, v| i.declaration.name = v,
            "山田\u{9b}31m",
            2,
        ),
        (
            "declaration.address",
            |i, v| i.declaration.address = v,
            "東京都\u{9b}2J千代田区",
            3,
        ),
        (
            "declaration.address",
            |i, v| i.declaration.address = v,
            "東京都千代田区\u{1b}]0;title\u{7}",
            7,
        ),
        (
            "declaration.address",
            |i, v| i.declaration.address = v,
            "千代田区\u{7}",
            4,
        ),
        (
            "declaration.employer_name",
            |i, v| i.declaration.employer_name = v,
            "株式会社\u{1b}[2J",
            4,
        ),
        (
            "declaration.insurer_name",
            |i, v| i.declaration.insurer_name = v,
            "\u{202e}協会",
            0,
        ),
        (
            "incident.note",
            |i, v| i.incident.note = v,
            "停電\u{1b}[2J",
            2,
        ),
        (
            "declaration.issued_note",
            |i, v| i.declaration.issued_note = v,
            "先月\u{9b}",
            2,
        ),
    ];
    for &(field, set, value, position) in cases {
        let mut input = valid_input();
        set(&mut input, Some(value.to_string()));
        assert_only(
            &errs(&input),
            field,
            Problem::Text(TextError::Control { position }),
        );
    }
    // Printable Unicode, however rare, is kept.
    for name in [
        "𠮷野　家子",
        "髙橋\u{E0100}",
        "渡邊\u{FE00}",
        "e\u{301}lise",
    ] {
        let mut input = valid_input();
        input.declaration.name = s(name);
        assert_eq!(ok(&input).declaration.name, name);
    }
}

#[test]
fn kana_with_a_latin_letter_names_the_character_and_position() {
    for (typed, ch, position) in [
        ("ヤマダA", 'A', 3),
        ("やまだ たろうB", 'B', 7),
        ("ヤマダ太郎", '太', 3),
        ("ﾔﾏﾀﾞx", 'x', 4),
        ("ヤマダ\u{1b}", '\u{1b}', 3),
    ] {
        let mut input = valid_input();
        input.declaration.name_kana = s(typed);
        let e = errs(&input);
        assert_only(
            &e,
            "declaration.name_kana",
            Problem::Kana(KanaError { ch, position }),
        );
    }
    let p = Problem::Kana(KanaError {
        ch: 'A',
        position: 3,
    });
    let ja = describe_problem(&p, Lang::Ja);
    let en = describe_problem(&p, Lang::En);
    assert!(ja.contains("4文字目") && ja.contains('A'), "{ja}");
    assert!(en.contains("position 4") && en.contains("'A'"), "{en}");
}

/// `KanaError::position` and `TextError::Control::position` are documented as indexes
/// into the input as typed ("not after trimming"; "positions refer to the untrimmed
/// input so the UI can point at what was typed"), and the messages show them as
/// 「N文字目」. Leading spaces typed into the field count.
#[test]
fn error_positions_count_from_the_value_as_typed() {
    let mut input = valid_input();
    input.declaration.name_kana = s("  ヤマダA");
    assert_only(
        &errs(&input),
        "declaration.name_kana",
        Problem::Kana(KanaError {
            ch: 'A',
            position: 5,
        }),
    );
    let mut input = valid_input();
    input.declaration.name = s("  \u{1b}[31m山田");
    assert_only(
        &errs(&input),
        "declaration.name",
        Problem::Text(TextError::Control { position: 2 }),
    );
}

#[test]
fn too_long_text_is_rejected() {
    let mut input = valid_input();
    input.declaration.name = Some("あ".repeat(validate::MAX_NAME + 1));
    assert_only(
        &errs(&input),
        "declaration.name",
        Problem::Text(TextError::TooLong {
            max: validate::MAX_NAME,
        }),
    );
    input.declaration.name = Some("あ".repeat(validate::MAX_NAME));
    ok(&input);
    let mut input = valid_input();
    input.declaration.address = Some("東".repeat(validate::MAX_TEXT + 1));
    assert_only(
        &errs(&input),
        "declaration.address",
        Problem::Text(TextError::TooLong {
            max: validate::MAX_TEXT,
        }),
    );
}

// ---------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------

#[test]
fn era_boundaries_for_birth_dates() {
    for (typed, want) in [
        (
            "昭和64年1月8日",
            DateError::OutOfEra {
                era: Era::Showa,
                year: 64,
            },
        ),
        (
            "平成31年5月1日",
            DateError::OutOfEra {
                era: Era::Heisei,
                year: 31,
            },
        ),
        (
            "平成元年1月7日",
            DateError::OutOfEra {
                era: Era::Heisei,
                year: 1,
            },
        ),
        ("2019年2月30日", DateError::Impossible),
        ("2026-02-30", DateError::Impossible),
        ("令和2年2月30日", DateError::Impossible),
        ("昭和56年13月1日", DateError::Impossible),
        ("慶応3年1月1日", DateError::UnknownEra),
        ("そのうち", DateError::Format),
        ("81-04-01", DateError::Format),
    ] {
        let mut input = valid_input();
        input.declaration.birth_date = s(typed);
        assert_only(&errs(&input), "declaration.birth_date", Problem::Date(want));
    }
    for (typed, want) in [
        ("平成元年1月8日", d(1989, 1, 8)),
        ("昭和64年1月7日", d(1989, 1, 7)),
        ("平成31年4月30日", d(2019, 4, 30)),
        ("令和元年5月1日", d(2019, 5, 1)),
        ("R1.5.1", d(2019, 5, 1)),
        ("H元.1.8", d(1989, 1, 8)),
    ] {
        let mut input = valid_input();
        input.declaration.birth_date = s(typed);
        assert_eq!(ok(&input).declaration.birth_date, want, "{typed}");
    }
}

#[test]
fn service_and_declaration_dates() {
    // Birth after the service date.
    let mut input = valid_input();
    input.service_date = s("2026-11-01");
    input.declaration.birth_date = s("2026-11-02");
    assert_only(
        &errs(&input),
        "declaration.birth_date",
        Problem::BirthAfterService,
    );
    // Born on the service day is fine.
    input.declaration.birth_date = s("2026-11-01");
    assert_eq!(ok(&input).declaration.birth_date, d(2026, 11, 1));

    // A service date after today (2026-11-28).
    let mut input = valid_input();
    input.service_date = s("2026-11-29");
    assert_only(&errs(&input), "service_date", Problem::InFuture);
    input.service_date = s("令和8年11月28日");
    assert_eq!(ok(&input).service_date, d(2026, 11, 28));
    input.service_date = s("2026/11/27");
    assert_eq!(ok(&input).service_date, d(2026, 11, 27));
    input.service_date = s("yesterday");
    assert_only(
        &errs(&input),
        "service_date",
        Problem::Date(DateError::Format),
    );

    // 申立日 in the future, and its default.
    let mut input = valid_input();
    input.declaration.declared_on = s("2026-11-29");
    assert_only(&errs(&input), "declaration.declared_on", Problem::InFuture);
    input.declaration.declared_on = s("2026-11-20");
    assert_eq!(ok(&input).declaration.declared_on, Some(d(2026, 11, 20)));
}

// ---------------------------------------------------------------------------------------
// JSON paths, several problems at once
// ---------------------------------------------------------------------------------------

#[test]
fn empty_input_reports_every_required_field() {
    let e = errs(&RecordInput::default());
    assert!(e.iter().all(|f| f.problem == Problem::Required), "{e:#?}");
    let want: BTreeSet<&str> = [
        "incident.case",
        "declaration.has_valid_card",
        "declaration.insurance_kind",
        "declaration.name",
        "declaration.name_kana",
        "declaration.birth_date",
        "declaration.sex",
        "declaration.address",
        "declaration.signer",
    ]
    .into_iter()
    .collect();
    assert_eq!(fields(&e), want);
    assert_eq!(e.len(), want.len(), "one problem per field: {e:#?}");
}

#[test]
fn many_problems_in_one_call_each_at_its_json_path() {
    let mut input = valid_input();
    input.id = s("not-a-ulid");
    input.version = Some(0);
    input.created_at = s("yesterday 9時");
    input.status = s("voided");
    input.incident.case = s("9");
    input.verification.source = s("fax");
    input.declaration.employer_name = None;
    input.declaration.name_kana = s("ヤマダA");
    input.declaration.birth_date = s("2026-02-30");
    input.declaration.sex = s("x");
    input.declaration.signer = s("guardian");
    input.declaration.phone = s("03");
    input.insurance.insurer_number = s("01040014");
    input.insurance.branch = s("123");
    input.copay.ratio = Some(25);
    input.followup.done_at = s("later");
    let e = errs(&input);
    let by_field: BTreeMap<&str, &Problem> =
        e.iter().map(|f| (f.field.as_str(), &f.problem)).collect();
    assert_eq!(by_field.len(), e.len(), "one problem per field: {e:#?}");
    let want: BTreeMap<&str, Problem> = [
        ("id", Problem::Id),
        ("version", Problem::Version),
        ("created_at", Problem::Timestamp),
        ("void_reason", Problem::VoidReason),
        (
            "incident.case",
            Problem::Choice {
                value: "9".to_string(),
                allowed: vec!["1", "2", "3-1", "3-2", "3-3", "3-4"],
            },
        ),
        (
            "verification.source",
            Problem::Choice {
                value: "fax".to_string(),
                allowed: VerificationSource::ALL.iter().map(|v| v.code()).collect(),
            },
        ),
        ("declaration.employer_name", Problem::Required),
        (
            "declaration.name_kana",
            Problem::Kana(KanaError {
                ch: 'A',
                position: 3,
            }),
        ),
        (
            "declaration.birth_date",
            Problem::Date(DateError::Impossible),
        ),
        (
            "declaration.sex",
            Problem::Choice {
                value: "x".to_string(),
                allowed: vec!["male", "female"],
            },
        ),
        ("declaration.signer_relationship", Problem::Required),
        (
            "declaration.phone",
            Problem::Phone(PhoneError::Digits { count: 2 }),
        ),
        (
            "insurance.insurer_number",
            Problem::Insurer(InsurerError::CheckDigit { expected: 3 }),
        ),
        (
            "insurance.branch",
            Problem::Number(NumberError::TooLong { max: 2 }),
        ),
        ("copay.ratio", Problem::Ratio { value: 25 }),
        ("followup.done_at", Problem::Timestamp),
    ]
    .into_iter()
    .collect();
    let got: BTreeMap<&str, Problem> = by_field.into_iter().map(|(k, v)| (k, v.clone())).collect();
    assert_eq!(got, want);
}

/// Every reported field is a real path in the record JSON, so the form can map it back.
#[test]
fn reported_fields_are_paths_of_the_record_json() {
    let record_json = serde_json::to_value(ok(&valid_input())).expect("serialise");
    let mut bad = valid_input();
    bad.id = s("x");
    bad.version = Some(0);
    bad.updated_at = s("x");
    bad.status = s("x");
    bad.incident.case = s("x");
    bad.incident.note = s("\u{7}");
    bad.verification.checked_at = s("x");
    bad.declaration.has_valid_card = None;
    bad.declaration.insurance_kind = s("x");
    bad.declaration.insurer_name = s("\u{7}");
    bad.declaration.issued_when = s("x");
    bad.declaration.copay_ratio = s("x");
    bad.declaration.name = s("\u{7}");
    bad.declaration.address = s("\u{7}");
    bad.declaration.declared_on = s("x");
    bad.declaration.signer = s("x");
    bad.insurance.basis = s("x");
    bad.insurance.symbol = s("!");
    bad.insurance.number = s("!");
    bad.copay.reason = s("x");
    bad.copay.ratio = Some(20);
    let e = errs(&bad);
    assert!(e.len() >= 20, "{e:#?}");
    for f in &e {
        let pointer = format!("/{}", f.field.replace('.', "/"));
        assert!(
            record_json.pointer(&pointer).is_some(),
            "{} is not a path of the record",
            f.field
        );
    }
}

// ---------------------------------------------------------------------------------------
// Round trip, revision, void
// ---------------------------------------------------------------------------------------

/// Valid inputs that exercise different parts of the record.
fn varied_inputs() -> Vec<RecordInput> {
    let mut out = vec![valid_input()];

    // 80-year-old 後期 patient, guardian signs, 不詳 claim (no numbers known).
    let mut kouki = valid_input();
    kouki.id = s(OTHER_ID);
    kouki.terminal_id = s("reception-9");
    kouki.operator = s("田中");
    kouki.created_at = s("2026-11-27T17:45:10+09:00");
    kouki.updated_at = s("2026-11-28T08:00:00+09:00");
    kouki.service_date = s("2026-11-27");
    kouki.incident = IncidentInput {
        case: s("2"),
        note: None,
    };
    kouki.verification = VerificationInput {
        source: s("declaration"),
        checked_at: s("2026-11-27T17:50:00+09:00"),
        card_read: Some(true),
    };
    kouki.declaration = DeclarationInput {
        has_valid_card: Some(true),
        insurance_kind: s("kouki"),
        insurer_name: s("東京都後期高齢者医療広域連合"),
        employer_name: None,
        issued_when: s("within_1_month"),
        issued_note: s("先月届いたはず"),
        copay_ratio: s("10"),
        name: s("髙橋\u{E0100}　𠮷子"),
        name_kana: s("ﾀｶﾊｼ ﾖｼｺ"),
        birth_date: s("S21.3.3"),
        sex: s("female"),
        address: s("東京都葛飾区"),
        declared_on: s("2026-11-27"),
        signer: s("guardian"),
        signer_relationship: s("長男"),
        phone: s("090ー1234ー5678"),
    };
    kouki.insurance = InsuranceInput {
        basis: s("unknown"),
        insurer_number: None,
        symbol: None,
        number: None,
        branch: None,
    };
    kouki.copay = CopayInput {
        ratio: None,
        reason: None,
        amount_yen: Some(330),
        points: None,
    };
    out.push(kouki);

    // A preschool child on 国保 with a 6-digit insurer and past qualification.
    let mut child = as_source(valid_input(), "insurance_card");
    child.service_date = s("2026-03-31");
    child.incident.case = s("3-2");
    child.declaration.insurance_kind = s("kokuho");
    child.declaration.name = s("鈴木　花");
    child.declaration.name_kana = s("すずき はな");
    child.declaration.birth_date = s("令和元年5月1日");
    child.declaration.sex = s("female");
    child.declaration.phone = None;
    child.insurance = InsuranceInput {
        basis: s("past"),
        insurer_number: s("131011"),
        symbol: s("千代田"),
        number: s("ＡＢ－１２"),
        branch: s("０２"),
    };
    out.push(child);

    // A voided 社保 record with an explicit ratio.
    let mut voided = valid_input();
    voided.id = s("01JDQ9ZZZZYYYYXXXXWWWWVVVV");
    voided.version = Some(3);
    voided.status = s("voided");
    voided.void_reason = s("二重登録");
    voided.incident.case = s("3-3");
    voided.declaration.birth_date = s("1954-04-10");
    voided.declaration.copay_ratio = s("30");
    voided.copay.ratio = Some(30);
    voided.copay.reason = s("declared");
    out.push(voided);
    out
}

#[test]
fn to_input_then_record_gives_back_the_same_record() {
    let inputs = varied_inputs();
    let recs: Vec<Record> = inputs.iter().map(ok).collect();
    // The variants really differ where they should.
    assert_eq!(recs[1].declaration.name_kana, "タカハシ\u{3000}ヨシコ");
    assert_eq!(recs[1].copay.ratio, 10);
    assert_eq!(recs[1].copay.reason, CopayReason::Kouki);
    assert_eq!(recs[1].copay.amount_yen, Some(330));
    assert!(recs[1].followup.needed);
    assert_eq!(recs[1].id, OTHER_ID);
    assert_eq!(recs[1].terminal_id, "reception-9");
    assert_eq!(
        (recs[2].copay.ratio, recs[2].copay.reason),
        (20, CopayReason::Preschool)
    );
    assert_eq!(recs[2].insurance.number.as_deref(), Some("AB-12"));
    assert_eq!(recs[2].insurance.branch.as_deref(), Some("02"));
    assert_eq!(recs[3].status, Status::Voided);
    assert_eq!(recs[3].version, 3);

    for rec in &recs {
        // A different context must not leak in: everything comes from the input.
        for c in [ctx(), later_ctx()] {
            let again = validate::record(&validate::to_input(rec), &c);
            assert_eq!(again.as_ref(), Ok(rec), "round trip of {}", rec.id);
        }
    }
}

/// After recovery the source is the one that confirmed the qualification, while the
/// intake's declared items stay: such a record (and its settlement) must come back through
/// `to_input` and `record` unchanged, or export → import of a desk's history would fail.
#[test]
fn a_rechecked_and_settled_record_round_trips() {
    let mut statement = as_source(valid_input(), "statement");
    statement.copay.ratio = Some(100);
    statement.copay.points = Some(1234);
    statement.copay.amount_yen = Some(12340);
    statement.insurance = Default::default();
    let intakes = [ok(&valid_input()), ok(&statement)];
    assert_eq!(intakes[1].copay.reason, CopayReason::Pending);
    for intake in intakes {
        let confirmed = validate::recheck(
            &intake,
            &validate::RecheckInput {
                source: s("online_recheck"),
                insurance: InsuranceInput {
                    insurer_number: s("01130012"),
                    number: s("4567"),
                    ..Default::default()
                },
                confirmed_ratio: s("30"),
                points: Some(1234),
            },
            &later_ctx(),
        )
        .unwrap_or_else(|e| panic!("recheck of {}: {e:?}", intake.verification.source.code()));
        assert!(confirmed.followup.done_at.is_some());
        let settled = validate::settle(&confirmed, &later_ctx());
        for rec in std::iter::once(confirmed).chain(settled) {
            let again = validate::record(&validate::to_input(&rec), &later_ctx());
            assert_eq!(again.as_ref(), Ok(&rec), "round trip of {rec:#?}");
        }
    }
}

#[test]
fn revision_is_the_next_version_of_the_same_record() {
    let old = ok(&valid_input());
    let mut input = validate::to_input(&old);
    // As the form does: no operator, no app-owned values; a changed phone.
    input.operator = None;
    input.declaration.phone = s("０９０－１１１１－２２２２");
    // Whatever the input says about identity is ignored.
    input.id = s(OTHER_ID);
    input.version = Some(9);
    input.created_at = s("2020-01-01T00:00:00+09:00");
    input.terminal_id = s("somewhere-else");
    let c = later_ctx();
    let rev = validate::revision(&old, &input, &c).expect("valid revision");
    assert_eq!(rev.id, old.id);
    assert_eq!(rev.version, old.version + 1);
    assert_eq!(rev.created_at, old.created_at);
    assert_eq!(rev.updated_at, c.now);
    assert_eq!(rev.terminal_id, old.terminal_id);
    assert_eq!(rev.operator, "鈴木");
    assert_eq!(rev.declaration.phone.as_deref(), Some("090-1111-2222"));
    // Nothing else changed.
    let mut expected = old.clone();
    expected.version = 2;
    expected.updated_at = c.now;
    expected.operator = "鈴木".to_string();
    expected.declaration.phone = s("090-1111-2222");
    assert_eq!(rev, expected);

    // And again: version 3.
    let rev3 = validate::revision(&rev, &validate::to_input(&rev), &ctx()).expect("valid");
    assert_eq!((rev3.id.as_str(), rev3.version), (old.id.as_str(), 3));
    assert_eq!(rev3.created_at, old.created_at);

    // An invalid edit is reported like any input.
    let mut bad = validate::to_input(&old);
    bad.declaration.name_kana = s("ヤマダA");
    let e = validate::revision(&old, &bad, &c).expect_err("invalid edit");
    assert_eq!(fields(&e), BTreeSet::from(["declaration.name_kana"]));
}

#[test]
fn void_keeps_every_value_and_needs_a_reason() {
    for old in varied_inputs().iter().map(ok) {
        if old.status == Status::Voided {
            continue;
        }
        let c = later_ctx();
        let v = validate::void(&old, "  二重登録のため  ", &c).expect("void");
        let mut expected = old.clone();
        expected.version = old.version + 1;
        expected.status = Status::Voided;
        expected.void_reason = s("二重登録のため");
        expected.updated_at = c.now;
        expected.operator = c.operator.clone();
        assert_eq!(v, expected);
        // A voided record is itself a valid record.
        assert_eq!(
            validate::record(&validate::to_input(&v), &c).as_ref(),
            Ok(&v)
        );
    }
    let old = ok(&valid_input());
    for empty in ["", "   ", "\u{3000}"] {
        let e = validate::void(&old, empty, &ctx()).expect_err("no reason");
        assert_eq!(e, vec![FieldError::new("void_reason", Problem::Required)]);
    }
    let e = validate::void(&old, "\u{1b}[2J", &ctx()).expect_err("control");
    assert_eq!(
        e,
        vec![FieldError::new(
            "void_reason",
            Problem::Text(TextError::Control { position: 0 })
        )]
    );
}

#[test]
fn status_and_void_reason_go_together() {
    let mut input = valid_input();
    input.status = s("voided");
    assert_only(&errs(&input), "void_reason", Problem::VoidReason);
    input.status = s("active");
    input.void_reason = s("理由");
    assert_only(&errs(&input), "void_reason", Problem::VoidReason);
    input.status = s("voided");
    let rec = ok(&input);
    assert_eq!(
        (rec.status, rec.void_reason.as_deref()),
        (Status::Voided, Some("理由"))
    );
}

// ---------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------

/// A short name for each kind of problem, to check coverage.
fn kind(p: &Problem) -> String {
    match p {
        Problem::Date(e) => format!("Date::{e:?}")
            .split([' ', '{'])
            .next()
            .unwrap_or_default()
            .to_string(),
        Problem::Text(TextError::Control { .. }) => "Text::Control".to_string(),
        Problem::Text(TextError::TooLong { .. }) => "Text::TooLong".to_string(),
        Problem::Insurer(e) => format!("Insurer::{e:?}")
            .split([' ', '{'])
            .next()
            .unwrap_or_default()
            .to_string(),
        Problem::Number(e) => format!("Number::{e:?}")
            .split([' ', '{'])
            .next()
            .unwrap_or_default()
            .to_string(),
        Problem::Phone(e) => format!("Phone::{e:?}")
            .split([' ', '{'])
            .next()
            .unwrap_or_default()
            .to_string(),
        other => format!("{other:?}")
            .split([' ', '{', '('])
            .next()
            .unwrap_or_default()
            .to_string(),
    }
}

/// Inputs that between them make the validator produce every problem it can.
fn problem_corpus() -> Vec<Problem> {
    let mut inputs: Vec<RecordInput> = vec![RecordInput::default()];
    let mut push = |f: &dyn Fn(&mut RecordInput)| {
        let mut i = valid_input();
        f(&mut i);
        inputs.push(i);
    };
    push(&|i| i.incident.case = s("9"));
    push(&|i| i.declaration.birth_date = s("そのうち"));
    push(&|i| i.declaration.birth_date = s("慶応3年1月1日"));
    push(&|i| i.declaration.birth_date = s("昭和64年1月8日"));
    push(&|i| i.declaration.birth_date = s("2026-02-30"));
    push(&|i| i.declaration.name_kana = s("ヤマダA"));
    push(&|i| i.declaration.name = s("\u{1b}[31m山田"));
    push(&|i| i.declaration.name = Some("あ".repeat(validate::MAX_NAME + 1)));
    push(&|i| i.insurance.insurer_number = s("0104001A"));
    push(&|i| i.insurance.insurer_number = s("1234567"));
    push(&|i| i.insurance.insurer_number = s("01040014"));
    push(&|i| i.insurance.insurer_number = s("77777777"));
    push(&|i| i.insurance.symbol = s("記号!"));
    push(&|i| i.insurance.number = Some("1".repeat(21)));
    push(&|i| i.declaration.phone = s("+81312345678"));
    push(&|i| i.declaration.phone = s("03"));
    push(&|i| i.service_date = s("2026-11-29"));
    push(&|i| {
        i.service_date = s("2026-11-01");
        i.declaration.birth_date = s("2026-11-02");
    });
    push(&|i| i.declaration.signer_relationship = s("本人"));
    push(&|i| i.copay.ratio = Some(25));
    push(&|i| i.created_at = s("昨日"));
    push(&|i| i.id = s("not-a-ulid"));
    push(&|i| i.version = Some(0));
    push(&|i| i.status = s("voided"));
    let mut out = Vec::new();
    for input in &inputs {
        if let Err(e) = validate::record(input, &ctx()) {
            out.extend(e.into_iter().map(|f| f.problem));
        }
    }
    out
}

fn has_japanese(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c, '\u{3040}'..='\u{30FF}' | '\u{4E00}'..='\u{9FFF}'))
}

#[test]
fn every_problem_has_a_japanese_and_an_english_message() {
    let problems = problem_corpus();
    let kinds: BTreeSet<String> = problems.iter().map(kind).collect();
    let want: BTreeSet<String> = [
        "Required",
        "Choice",
        "Date::Format",
        "Date::UnknownEra",
        "Date::OutOfEra",
        "Date::Impossible",
        "Kana",
        "Text::Control",
        "Text::TooLong",
        "Insurer::NotDigits",
        "Insurer::Length",
        "Insurer::CheckDigit",
        "Insurer::ClaimCode",
        "Number::Invalid",
        "Number::TooLong",
        "Phone::Invalid",
        "Phone::Digits",
        "InFuture",
        "BirthAfterService",
        "NotApplicable",
        "Ratio",
        "Timestamp",
        "Id",
        "Version",
        "VoidReason",
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    assert_eq!(
        kinds, want,
        "the corpus covers every problem the validator makes"
    );

    let mut all = problems;
    // Not produced by the validator itself, but shown by import.
    use onshi::domain::problem::JsonProblem;
    for kind in [
        JsonProblem::Syntax,
        JsonProblem::Truncated,
        JsonProblem::UnknownField,
        JsonProblem::WrongType,
        JsonProblem::BadValue,
        JsonProblem::TrailingText,
        JsonProblem::NotUtf8,
        JsonProblem::TooLong,
    ] {
        all.push(Problem::Json { kind });
    }
    for p in &all {
        let ja = describe_problem(p, Lang::Ja);
        let en = describe_problem(p, Lang::En);
        assert!(!ja.trim().is_empty() && !en.trim().is_empty(), "{p:?}");
        assert_ne!(ja, en, "{p:?}");
        assert!(has_japanese(&ja), "Japanese message for {p:?}: {ja}");
        assert!(
            en.chars().any(|c| c.is_ascii_alphabetic()),
            "English message for {p:?}: {en}"
        );
        assert!(
            !ja.chars().chain(en.chars()).any(char::is_control),
            "{p:?}: {ja:?} / {en:?}"
        );
    }
}

#[test]
fn messages_never_echo_control_characters_from_input() {
    let mut input = valid_input();
    input.incident.case = s("\u{1b}[2J");
    input.declaration.sex = s("\u{9b}31m");
    let e = errs(&input);
    assert_eq!(e.len(), 2, "{e:#?}");
    for f in &e {
        for lang in [Lang::Ja, Lang::En] {
            let msg = describe_problem(&f.problem, lang);
            assert!(!msg.chars().any(char::is_control), "{msg:?}");
            assert!(msg.contains("[2J") || msg.contains("31m"), "{msg:?}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// Property: never panics; valid records are clean
// ---------------------------------------------------------------------------------------

/// Number of `Option<String>` fields in `RecordInput` (checked below).
const STRING_FIELDS: usize = 35;

fn set_field(i: &mut RecordInput, n: usize, v: Option<String>) {
    let d = &mut i.declaration;
    match n {
        0 => i.id = v,
        1 => i.terminal_id = v,
        2 => i.operator = v,
        3 => i.created_at = v,
        4 => i.updated_at = v,
        5 => i.service_date = v,
        6 => i.status = v,
        7 => i.void_reason = v,
        8 => i.incident.case = v,
        9 => i.incident.note = v,
        10 => i.verification.source = v,
        11 => i.verification.checked_at = v,
        12 => d.insurance_kind = v,
        13 => d.insurer_name = v,
        14 => d.employer_name = v,
        15 => d.issued_when = v,
        16 => d.issued_note = v,
        17 => d.copay_ratio = v,
        18 => d.name = v,
        19 => d.name_kana = v,
        20 => d.birth_date = v,
        21 => d.sex = v,
        22 => d.address = v,
        23 => d.declared_on = v,
        24 => d.signer = v,
        25 => d.signer_relationship = v,
        26 => d.phone = v,
        27 => i.insurance.basis = v,
        28 => i.insurance.insurer_number = v,
        29 => i.insurance.symbol = v,
        30 => i.insurance.number = v,
        31 => i.insurance.branch = v,
        32 => i.copay.reason = v,
        33 => i.followup.done_at = v,
        34 => i.followup.settled_at = v,
        _ => unreachable!("field {n}"),
    }
}

/// Guards the property below: `set_field` reaches every string field of `RecordInput`.
#[test]
fn set_field_covers_every_string_field() {
    let mut input = RecordInput::default();
    for n in 0..STRING_FIELDS {
        set_field(&mut input, n, Some(format!("field-{n}")));
    }
    fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
            serde_json::Value::Object(o) => o.values().for_each(|x| strings(x, out)),
            _ => {}
        }
    }
    fn nulls(v: &serde_json::Value) -> usize {
        match v {
            serde_json::Value::Null => 1,
            serde_json::Value::Object(o) => o.values().map(nulls).sum(),
            _ => 0,
        }
    }
    let json = serde_json::to_value(&input).expect("serialise");
    let mut found = Vec::new();
    strings(&json, &mut found);
    let distinct: BTreeSet<&String> = found.iter().collect();
    assert_eq!(found.len(), STRING_FIELDS);
    assert_eq!(distinct.len(), STRING_FIELDS);
    // Only the non-string fields are left unset.
    assert_eq!(
        nulls(&json),
        9,
        "version, card_read, has_valid_card, ratio, amount_yen, points, needed, \
         confirmed_ratio, difference_yen"
    );
}

/// Unsafe for storage and display: what no text field of a record may contain.
fn unsafe_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

fn katakana_only(s: &str) -> bool {
    s.chars()
        .all(|c| matches!(c, '\u{30A1}'..='\u{30FA}' | 'ー' | 'ヽ' | 'ヾ' | '\u{3000}'))
}

fn text_leaves(v: &serde_json::Value, path: &str, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::String(s) => out.push((path.to_string(), s.clone())),
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                text_leaves(x, &format!("{path}.{k}"), out);
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| text_leaves(x, path, out)),
        _ => {}
    }
}

/// What must hold for every record the validator accepts.
fn check_valid_record(rec: &Record) -> Result<(), TestCaseError> {
    let kana = &rec.declaration.name_kana;
    prop_assert!(!kana.is_empty());
    prop_assert!(katakana_only(kana), "name_kana {:?}", kana);
    prop_assert!(
        !kana.starts_with('\u{3000}') && !kana.ends_with('\u{3000}'),
        "name_kana {:?} has an edge space",
        kana
    );
    let json = serde_json::to_value(rec).expect("serialise");
    let mut leaves = Vec::new();
    text_leaves(&json, "", &mut leaves);
    for (path, text) in &leaves {
        prop_assert!(!text.chars().any(unsafe_char), "{} = {:?}", path, text);
    }
    if let Some(p) = &rec.declaration.phone {
        prop_assert!(
            p.bytes().all(|b| b.is_ascii_digit() || b == b'-'),
            "{:?}",
            p
        );
    }
    if let Some(n) = &rec.insurance.insurer_number {
        prop_assert!(n.bytes().all(|b| b.is_ascii_digit()) && (n.len() == 6 || n.len() == 8));
    }
    prop_assert!([10u8, 20, 30].contains(&rec.copay.ratio));
    prop_assert!(rec.declaration.birth_date <= rec.service_date);
    prop_assert!(rec.service_date <= ctx().today());
    prop_assert!(rec
        .declaration
        .declared_on
        .is_none_or(|x| x <= ctx().today()));
    prop_assert!(ulid::Ulid::from_string(&rec.id).is_ok());
    prop_assert!(rec.version >= 1);
    // A valid record is a fixed point of the validation path.
    let again = validate::record(&validate::to_input(rec), &ctx());
    prop_assert_eq!(again.as_ref(), Ok(rec));
    Ok(())
}

/// Anything: arbitrary Unicode, control soup, kana soup, or nothing.
fn wild() -> BoxedStrategy<Option<String>> {
    prop_oneof![
        3 => any::<String>().prop_map(Some),
        2 => r"[\PC\x00-\x1F\x7F-\x9F\u{202A}-\u{202E}\u{2066}-\u{2069}\u{FEFF}]{0,16}".prop_map(Some),
        2 => r"[ぁ-ゖァ-ヺｦ-ﾟー \u{3000}\u{3099}\u{309A}A-Za-z0-9０-９]{0,12}".prop_map(Some),
        1 => r"[ \t\u{3000}]{0,3}".prop_map(Some),
        1 => Just(None),
    ]
    .boxed()
}

/// Plausible values per field, so that whole inputs are often valid ("" = absent).
fn plausible(n: usize) -> &'static [&'static str] {
    match n {
        0 => &[
            "",
            "01JDQ7Z3X4K5M6N7P8Q9R0S1T2",
            "01jdq80000aaaabbbbccccdddd",
        ],
        1 => &["", "reception-2"],
        2 => &["", "鈴木"],
        3 | 4 | 11 => &["", "2026-11-27T08:00:00+09:00", "2026-11-28T00:00:00Z"],
        5 => &["", "2026-11-28", "2026-03-31", "令和8年11月1日", "R8.6.1"],
        6 => &["", "active"],
        7 | 25 => &[""],
        // Cases whose sources include the declaration (and mostly that source): the other
        // sources ask different items, so a random mix would rarely be a record.
        8 => &["2", "3-1", "3-2", "3-3", "3-4"],
        9 | 16 => &["", "停電"],
        10 => &["", "declaration", "declaration", "outage_mode"],
        12 => &["shaho", "kokuho", "kouki", "other", "unknown"],
        13 => &["", "協会けんぽ", "文芸美術国保組合", "葛飾区"],
        14 => &["株式会社オンシ"],
        15 => &["", "within_1_month", "earlier"],
        17 => &["", "30", "20", "10", "unknown"],
        18 => &["山田　太郎", "葛\u{E0100}西"],
        19 => &["やまだ たろう", "ｶｻｲ ﾊﾅｺ", "ヤマダ"],
        20 => &["昭和56年4月1日", "S31.5.15", "2019-04-02", "1951-11-28"],
        21 => &["male", "female"],
        22 => &["東京都千代田区"],
        23 => &["", "2026-11-28", "2026-11-01"],
        24 => &["patient"],
        26 => &["", "０３－１２３４－５６７８", "090ー1234ー5678"],
        27 => &["", "", "past", "unknown"],
        28 => &["", "01040013", "０１０４００１３", "131011"],
        29 | 30 => &["", "１２３", "AB-1"],
        31 => &["", "1", "０２"],
        32 => &["", "", "default", "declared", "kouki"],
        _ => &[""],
    }
}

/// version, has_valid_card, copay.ratio, copay.amount_yen, followup.needed.
type Flags = (
    Option<u32>,
    Option<bool>,
    Option<u8>,
    Option<u64>,
    Option<bool>,
);

fn arbitrary_input(values: Vec<Option<String>>, flags: Flags) -> RecordInput {
    let mut input = RecordInput::default();
    for (n, v) in values.into_iter().enumerate() {
        set_field(&mut input, n, v);
    }
    let (version, card, ratio, amount, needed) = flags;
    input.version = version;
    input.declaration.has_valid_card = card;
    input.copay.ratio = ratio;
    input.copay.amount_yen = amount;
    input.followup.needed = needed;
    input
}

fn flags() -> impl Strategy<Value = Flags> {
    (
        prop_oneof![Just(None), Just(Some(1)), any::<u32>().prop_map(Some)],
        prop_oneof![7 => Just(Some(true)), 1 => Just(Some(false)), 1 => Just(None)],
        prop_oneof![
            6 => Just(None),
            1 => prop::sample::select(vec![10u8, 20, 30]).prop_map(Some),
            1 => any::<u8>().prop_map(Some)
        ],
        any::<Option<u64>>(),
        any::<Option<bool>>(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Every string field arbitrary: no panic, and anything accepted is clean.
    #[test]
    fn arbitrary_strings_in_every_field_never_panic(
        values in proptest::collection::vec(wild(), STRING_FIELDS),
        flags in flags(),
    ) {
        let input = arbitrary_input(values, flags);
        match validate::record(&input, &ctx()) {
            Ok(rec) => check_valid_record(&rec)?,
            Err(errors) => {
                prop_assert!(!errors.is_empty());
                for e in &errors {
                    // Messages can always be made.
                    prop_assert!(!describe_problem(&e.problem, Lang::Ja).is_empty());
                    prop_assert!(!describe_problem(&e.problem, Lang::En).is_empty());
                }
            }
        }
    }
}

/// Mostly plausible values, a few fields arbitrary.
fn plausible_input() -> impl Strategy<Value = RecordInput> {
    (
        proptest::collection::vec(
            (0usize..40, any::<prop::sample::Index>(), wild()),
            STRING_FIELDS,
        ),
        flags(),
    )
        .prop_map(|(picks, flags)| {
            let values = picks
                .into_iter()
                .enumerate()
                .map(|(n, (dice, index, wild))| match dice {
                    0 => wild,
                    _ => {
                        let options = plausible(n);
                        let v = options[index.index(options.len())];
                        (!v.is_empty()).then(|| v.to_string())
                    }
                })
                .collect();
            arbitrary_input(values, flags)
        })
}

/// Every accepted input is clean and survives the round trip; and enough inputs are
/// accepted for that to mean something.
#[test]
fn plausible_inputs_with_wild_fields() {
    let accepted = std::cell::Cell::new(0usize);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(512));
    let result = runner.run(&plausible_input(), |input| {
        if let Ok(rec) = validate::record(&input, &ctx()) {
            accepted.set(accepted.get() + 1);
            check_valid_record(&rec)?;
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    assert!(
        accepted.get() >= 25,
        "only {} of 512 plausible inputs were accepted",
        accepted.get()
    );
}
