//! The printable 被保険者資格申立書 (別紙様式 of the MHLW guidance, docs/procedure.md): the
//! filled declaration in the layout of the official form — the opening sentence, section 1
//! (保険証等に関する事項, notes ※1 ※2), section 2 (マイナンバーカードの券面事項, note ※3),
//! the date, the signature with 患者との関係 (※4) and the phone — for the patient to sign
//! when a printer is back.
//!
//! Pure functions of a record and a language. The form is Japanese whatever the interface
//! language; `Lang::En` adds English sub-labels for staff. Both renderers draw the same
//! [`Sheet`], so HTML and text never disagree about what is checked.

mod html;
mod txt;

pub use html::render as html;
pub use txt::render as txt;

use chrono::{Datelike, NaiveDate};

use crate::domain::era::{format_wareki, to_wareki, Era};
use crate::domain::procedure::needs_declaration;
use crate::domain::record::{
    DeclaredRatio, InsuranceKind, IssuedWhen, Record, Sex, Signer, Status,
};
use crate::domain::text::neutralize_for_terminal;
use crate::i18n::{Lang, Msg};

/// A form label: the Japanese text of the form, and the English sub-label when asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Label {
    pub ja: &'static str,
    pub en: Option<&'static str>,
}

impl Label {
    fn new(msg: Msg, lang: Lang) -> Label {
        Label {
            ja: msg.text(Lang::Ja),
            en: (lang == Lang::En).then(|| msg.text(Lang::En)),
        }
    }
}

/// One check box and its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Choice {
    pub label: Label,
    pub checked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    /// Filled text (already free of control characters); empty when not given.
    Text(String),
    /// Check boxes, then free text after them (e.g. the 交付時期 note).
    Choices(Vec<Choice>, Option<String>),
    /// Left blank for the pen (the signature).
    Blank,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    pub label: Label,
    /// Small print next to the label, as the form has it.
    pub note: Option<Label>,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Section {
    /// None for the signing block, which the form leaves unheaded.
    pub heading: Option<Label>,
    pub rows: Vec<Row>,
    /// The form's footnotes under the section (※1, ※2 …), verbatim.
    pub notes: Vec<Label>,
}

/// The whole form, filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sheet {
    pub title: Label,
    /// 「有効な保険証の交付を受けており、…下記の通り申し立てます。」
    pub intro: Label,
    /// 「※ □には、あてはまる場合に「✓」を記入してください。」
    pub tick: Label,
    /// Section 1 and 2, then the signing block (date, signature, 患者との関係, phone).
    pub sections: Vec<Section>,
    /// Shown as a banner when the record was voided.
    pub voided: Option<Label>,
    /// Which record this paper belongs to (id, version, service date): no personal data.
    pub footer: String,
}

/// Whether `rec` is a 申立書 at all: only an intake whose qualification rests on the
/// declaration prints one (a document or, in case 1, the patient's statement is not
/// signed; docs/procedure.md).
pub fn is_declaration(rec: &Record) -> bool {
    needs_declaration(rec.verification.source)
}

fn clean(s: &str) -> String {
    neutralize_for_terminal(s)
}

fn opt_text(v: &Option<String>) -> Value {
    Value::Text(v.as_deref().map(clean).unwrap_or_default())
}

fn choices<T: PartialEq + Copy>(
    lang: Lang,
    options: &[(T, Msg)],
    selected: Option<T>,
    extra: Option<String>,
) -> Value {
    Value::Choices(
        options
            .iter()
            .map(|&(v, m)| Choice {
                label: Label::new(m, lang),
                checked: selected == Some(v),
            })
            .collect(),
        extra,
    )
}

fn row(lang: Lang, label: Msg, note: Option<Msg>, value: Value) -> Row {
    Row {
        label: Label::new(label, lang),
        note: note.map(|n| Label::new(n, lang)),
        value,
    }
}

/// 生年月日 as the form has it: a box per era, then 年 月 日.
fn birth_date(date: NaiveDate) -> Value {
    let Some((era, year)) = to_wareki(date) else {
        return Value::Text(date.format("%Y-%m-%d").to_string());
    };
    let year = if year == 1 {
        "元".to_string()
    } else {
        year.to_string()
    };
    Value::Choices(
        Era::ALL
            .iter()
            .map(|&e| Choice {
                label: Label {
                    ja: e.kanji(),
                    en: None,
                },
                checked: e == era,
            })
            .collect(),
        Some(format!("{year}年{}月{}日", date.month(), date.day())),
    )
}

/// The form for `rec`.
pub(crate) fn sheet(rec: &Record, lang: Lang) -> Sheet {
    let d = &rec.declaration;
    let note = |m: Msg| Label::new(m, lang);
    let insurance = Section {
        heading: Some(Label::new(Msg::PaperSection1, lang)),
        rows: vec![
            row(
                lang,
                Msg::PaperHasCard,
                None,
                choices(
                    lang,
                    &[(true, Msg::PaperHasValidCard)],
                    d.has_valid_card,
                    None,
                ),
            ),
            row(
                lang,
                Msg::FieldInsuranceKind,
                None,
                choices(
                    lang,
                    &[
                        (InsuranceKind::Shaho, Msg::KindShaho),
                        (InsuranceKind::Kokuho, Msg::KindKokuho),
                        (InsuranceKind::Kouki, Msg::PaperKindKouki),
                        (InsuranceKind::Other, Msg::KindOther),
                        (InsuranceKind::Unknown, Msg::PaperUnknown),
                    ],
                    Some(d.insurance_kind),
                    None,
                ),
            ),
            row(lang, Msg::FieldInsurerName, None, opt_text(&d.insurer_name)),
            row(
                lang,
                Msg::FieldEmployerName,
                Some(Msg::PaperMark1),
                opt_text(&d.employer_name),
            ),
            row(
                lang,
                Msg::PaperIssuedWhen,
                None,
                choices(
                    lang,
                    &[
                        (IssuedWhen::Within1Month, Msg::IssuedWithin1Month),
                        (IssuedWhen::Earlier, Msg::PaperIssuedEarlier),
                    ],
                    d.issued_when,
                    Some(
                        d.issued_note
                            .as_deref()
                            .map(clean)
                            .filter(|n| !n.is_empty())
                            .unwrap_or_else(|| Msg::PaperIssuedHint.text(Lang::Ja).to_string()),
                    ),
                ),
            ),
            row(
                lang,
                Msg::FieldCopayRatio,
                Some(Msg::PaperMark2),
                choices(
                    lang,
                    &[
                        (DeclaredRatio::R30, Msg::Ratio30),
                        (DeclaredRatio::R20, Msg::Ratio20),
                        (DeclaredRatio::R10, Msg::Ratio10),
                        (DeclaredRatio::Unknown, Msg::PaperUnknown),
                    ],
                    d.copay_ratio,
                    None,
                ),
            ),
        ],
        notes: vec![note(Msg::PaperFootnote1), note(Msg::PaperFootnote2)],
    };
    let card_face = Section {
        heading: Some(Label::new(Msg::PaperSection2, lang)),
        rows: vec![
            row(
                lang,
                Msg::FieldNameKana,
                None,
                Value::Text(clean(&d.name_kana)),
            ),
            row(lang, Msg::FieldName, None, Value::Text(clean(&d.name))),
            row(lang, Msg::FieldBirthDate, None, birth_date(d.birth_date)),
            row(
                lang,
                Msg::FieldSex,
                None,
                choices(
                    lang,
                    &[(Sex::Male, Msg::SexMale), (Sex::Female, Msg::SexFemale)],
                    Some(d.sex),
                    None,
                ),
            ),
            row(
                lang,
                Msg::FieldAddress,
                None,
                Value::Text(clean(&d.address)),
            ),
        ],
        notes: vec![note(Msg::PaperFootnote3)],
    };
    // 患者との関係 is written only when a guardian (保護者) signs (※4).
    let relationship = match d.signer {
        Some(Signer::Guardian) => opt_text(&d.signer_relationship),
        _ => Value::Text(String::new()),
    };
    let signing = Section {
        heading: None,
        rows: vec![
            row(
                lang,
                Msg::FieldDeclaredOn,
                None,
                Value::Text(d.declared_on.map(format_wareki).unwrap_or_default()),
            ),
            row(lang, Msg::PaperSignature, None, Value::Blank),
            row(
                lang,
                Msg::FieldSignerRelationship,
                Some(Msg::PaperMark4),
                relationship,
            ),
            row(lang, Msg::FieldPhone, None, opt_text(&d.phone)),
        ],
        notes: vec![note(Msg::PaperFootnote4)],
    };
    let footer = format!(
        "{} {}　{} {}　{} {}",
        Msg::PaperRecord.text(Lang::Ja),
        rec.id,
        Msg::FieldVersion.text(Lang::Ja),
        rec.version,
        Msg::FieldServiceDate.text(Lang::Ja),
        rec.service_date.format("%Y-%m-%d"),
    );
    Sheet {
        title: Label::new(Msg::PaperTitle, lang),
        intro: Label::new(Msg::PaperIntro, lang),
        tick: Label::new(Msg::PaperTick, lang),
        sections: vec![insurance, card_face, signing],
        voided: (rec.status == Status::Voided).then(|| Label::new(Msg::PaperVoided, lang)),
        footer,
    }
}

/// The check box characters the form uses.
pub(crate) fn mark(checked: bool) -> char {
    if checked {
        '☑'
    } else {
        '☐'
    }
}
