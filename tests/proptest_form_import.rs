//! Import = form (docs/record.md): random inputs that the intake form can hold go through
//! both paths — `validate::record`, which `onshi import` runs on each line, and the form
//! (`FormState::from_input` → `FormState::validate`, what F9 runs) — and must get the same
//! answer: both accept with the same record, or both refuse naming the same fields. Every
//! field the validator names is one the form shows, so a clerk can always fix it there.
//!
//! "Can hold" is the form's own invariant: a field the rules do not ask for is empty (the
//! form takes it off the screen and clears it), and the counter only ever sets 10割.

use std::collections::BTreeSet;

use chrono::{DateTime, FixedOffset};
use proptest::prelude::*;

use onshi::domain::input::RecordInput;
use onshi::domain::insurer::check_digit;
use onshi::domain::procedure;
use onshi::domain::record::{IncidentCase, VerificationSource};
use onshi::domain::validate::{self, Context, CONDITIONAL};
use onshi::tui::fields::FieldId;
use onshi::tui::form::FormState;

fn ctx() -> Context {
    Context {
        now: DateTime::<FixedOffset>::parse_from_rfc3339("2026-11-28T09:12:00+09:00")
            .expect("time"),
        terminal_id: "reception-1".to_string(),
        operator: "佐藤".to_string(),
        new_id: "01JF0000000000000000000000".to_string(),
    }
}

/// An 8-digit insurer number with a valid check digit.
fn insurer(body: &str) -> String {
    format!("{body}{}", check_digit(body).expect("seven digits"))
}

fn one_of(values: Vec<Option<String>>) -> impl Strategy<Value = Option<String>> {
    prop::sample::select(values)
}

/// Mostly one of `good`, sometimes missing, sometimes one of `bad`.
fn field(good: &[&str], bad: &[&str]) -> impl Strategy<Value = Option<String>> {
    let good: Vec<Option<String>> = good.iter().map(|s| Some(s.to_string())).collect();
    let mut bad: Vec<Option<String>> = bad.iter().map(|s| Some(s.to_string())).collect();
    bad.push(None);
    prop_oneof![8 => prop::sample::select(good), 1 => prop::sample::select(bad)]
}

/// Values clerks type, right and wrong, per field. 6-digit 国保組合 numbers have 3 as
/// their third digit (docs/record.md).
fn inputs() -> impl Strategy<Value = RecordInput> {
    let incident = (
        field(&["1", "2", "3-1", "3-2", "3-3", "3-4"], &[]),
        field(&["停電"], &["\u{1b}[2J"]),
        field(
            &[
                "mynaportal",
                "certificate",
                "notice",
                "insurance_card",
                "outage_mode",
                "declaration",
                "declaration",
                "statement",
            ],
            &[],
        ),
    );
    let declared = (
        field(&["true"], &["false"]),
        field(&["shaho", "kokuho", "kouki", "other", "unknown"], &[]),
        field(
            &["全国健康保険協会東京支部", "東京都医師国民健康保険組合"],
            &[""],
        ),
        field(&["株式会社オンシ商事"], &[]),
        field(&["within_1_month", "earlier"], &[]),
        field(&["先月"], &[]),
        field(&["30", "20", "10", "unknown"], &[]),
    );
    let person = (
        field(&["山田　太郎"], &["", "山田\u{202e}太郎"]),
        field(&["やまだ　たろう", "ﾔﾏﾀﾞ ﾀﾛｳ"], &["ヤマダA"]),
        field(
            &[
                "昭和56年4月1日",
                "昭56.4.1",
                "S56/4/1",
                "昭和56年 4月 1日生",
                "1949-06-01",
                "1956-01-10",
                "2021-06-01",
            ],
            &["2026-02-30", "昭和64年1月8日"],
        ),
        field(&["male", "female"], &[]),
        field(&["東京都千代田区霞が関１－２－２"], &[]),
        field(&["03-1234-5678"], &["03"]),
    );
    let signing = (
        field(&["2026-11-20"], &["2027-01-01"]),
        field(&["patient", "guardian"], &[]),
        field(&["母"], &[]),
    );
    let numbers = (
        one_of(
            std::iter::once(None)
                .chain(
                    [
                        insurer("0104001"),
                        insurer("0113001"),
                        "01040014".to_string(),
                        "77777777".to_string(),
                        "99999999".to_string(),
                        format!("13{}", "3015"),
                        "39131011".to_string(),
                    ]
                    .into_iter()
                    .map(Some),
                )
                .collect(),
        ),
        field(&["１２", "AB"], &[]),
        field(&["3456"], &[]),
        field(&["1"], &["123"]),
    );
    let copay = (
        prop::sample::select(vec![None, Some(100u8)]),
        prop::sample::select(vec![None, Some(1234u64), Some(0)]),
        prop::sample::select(vec![None, Some(3700u64), Some(12340), Some(1)]),
    );
    (incident, declared, person, signing, numbers, copay).prop_map(
        |(
            (case, note, source),
            (card, kind, insurer_name, employer, issued, issued_note, ratio),
            (name, kana, birth, sex, address, phone),
            (declared_on, signer, relationship),
            (insurer_number, symbol, number, branch),
            (collect, points, received),
        )| {
            let mut i = RecordInput::default();
            i.incident.case = case;
            i.incident.note = note;
            i.verification.source = source;
            let d = &mut i.declaration;
            d.has_valid_card = card.map(|c| c == "true");
            d.insurance_kind = kind;
            d.insurer_name = insurer_name;
            d.employer_name = employer;
            d.issued_when = issued;
            d.issued_note = issued_note;
            d.copay_ratio = ratio;
            d.name = name;
            d.name_kana = kana;
            d.birth_date = birth;
            d.sex = sex;
            d.address = address;
            d.phone = phone;
            d.declared_on = declared_on;
            d.signer = signer;
            d.signer_relationship = relationship;
            i.insurance.insurer_number = insurer_number;
            i.insurance.symbol = symbol;
            i.insurance.number = number;
            i.insurance.branch = branch;
            i.copay.ratio = collect;
            i.copay.points = points;
            i.copay.amount_yen = received;
            i
        },
    )
}

/// Clear what the form would not show for `input` until nothing changes (what is asked
/// depends on other values): the input as the form can hold it.
fn as_the_form_holds_it(mut input: RecordInput) -> RecordInput {
    let today = ctx().today();
    loop {
        let before = input.clone();
        let rules = validate::rules(&input, today);
        let d = &mut input.declaration;
        for path in CONDITIONAL {
            if rules.applies(path) {
                continue;
            }
            match path {
                "declaration.has_valid_card" => d.has_valid_card = None,
                "declaration.insurer_name" => d.insurer_name = None,
                "declaration.employer_name" => d.employer_name = None,
                "declaration.issued_when" => d.issued_when = None,
                "declaration.issued_note" => d.issued_note = None,
                "declaration.copay_ratio" => d.copay_ratio = None,
                "declaration.declared_on" => d.declared_on = None,
                "declaration.signer" => d.signer = None,
                "declaration.signer_relationship" => d.signer_relationship = None,
                other => panic!("a conditional field this test does not know: {other}"),
            }
        }
        // The 10割 choice is on screen only where it may be made.
        let case = input
            .incident
            .case
            .as_deref()
            .and_then(<IncidentCase as onshi::domain::code::Code>::from_code);
        let source = input
            .verification
            .source
            .as_deref()
            .and_then(<VerificationSource as onshi::domain::code::Code>::from_code)
            .unwrap_or(VerificationSource::Declaration);
        if !case.is_some_and(|c| procedure::may_collect_full(c, source)) {
            input.copay.ratio = None;
        }
        if input == before {
            return input;
        }
    }
}

/// `raw` as a clerk could have typed it: the form's defaults (申立日 today, 署名者 本人)
/// where the input leaves a shown field empty, and nothing in a field that is not shown.
fn held(raw: RecordInput) -> RecordInput {
    let today = ctx().today();
    let mut input = as_the_form_holds_it(raw);
    loop {
        let before = input.clone();
        let mut form = FormState::from_input(&input, today);
        form.refresh(&ctx());
        input = as_the_form_holds_it(form.to_input(today));
        if input == before {
            return input;
        }
    }
}

fn fields(errors: &[onshi::domain::problem::FieldError]) -> BTreeSet<String> {
    errors.iter().map(|e| e.field.clone()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn import_and_the_form_give_the_same_answer(raw in inputs()) {
        let ctx = ctx();
        let input = held(raw);
        let imported = validate::record(&input, &ctx);
        let mut form = FormState::from_input(&input, ctx.today());
        // The form holds exactly this input: nothing lost, nothing added.
        prop_assert_eq!(&form.to_input(ctx.today()), &input);
        let typed = form.validate(&ctx);
        match (&imported, &typed) {
            (Ok(a), Ok(b)) => prop_assert_eq!(a, b),
            (Err(a), Err(b)) => prop_assert_eq!(fields(a), fields(b)),
            _ => prop_assert!(
                false,
                "import {:?}\nform {:?}\ninput {:#?}",
                imported.as_ref().map(|r| &r.id),
                typed.as_ref().map(|r| &r.id),
                input
            ),
        }
        // Whatever import refuses, the clerk sees on the form next to a field on screen.
        if let Err(errors) = imported {
            form.refresh(&ctx);
            let visible = form.visible(ctx.today());
            for e in &errors {
                let id = FieldId::from_path(&e.field);
                prop_assert!(
                    id.is_some_and(|id| visible.contains(&id)),
                    "{} ({:?}) has no field on the form; visible {:?}\ninput {:#?}",
                    e.field, e.problem, visible, input
                );
            }
        }
    }
}

/// The generator reaches both outcomes and the interesting refusals often enough for the
/// property to mean something.
#[test]
fn the_generator_covers_accepts_and_each_kind_of_refusal() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let ctx = ctx();
    let mut runner = TestRunner::deterministic();
    let mut accepted = 0;
    let mut seen = BTreeSet::new();
    for _ in 0..3000 {
        let input = held(inputs().new_tree(&mut runner).expect("tree").current());
        match validate::record(&input, &ctx) {
            Ok(_) => accepted += 1,
            Err(e) => seen.extend(
                e.iter()
                    .map(|f| format!("{}:{}", f.field, kind(&f.problem))),
            ),
        }
    }
    assert!(accepted > 20, "only {accepted} accepted");
    for want in [
        "verification.source:SourceNotOffered",
        "declaration.has_valid_card:DeclarationPremise",
        "declaration.employer_name:Required",
        "insurance.insurer_number:Insurer",
        "copay.amount_yen:AmountMismatch",
        "declaration.birth_date:Date",
        "declaration.name_kana:Kana",
    ] {
        assert!(seen.contains(want), "{want} never generated: {seen:?}");
    }
}

fn kind(p: &onshi::domain::problem::Problem) -> String {
    let dbg = format!("{p:?}");
    dbg.split([' ', '(', '{']).next().unwrap_or("").to_string()
}
