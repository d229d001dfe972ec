//! The printable 被保険者資格申立書: the filled declaration in the layout of the official
//! form (title, section 1 insurance, section 2 patient, 申立日, signature, 続柄), for the
//! patient to sign when a printer is back.
//!
//! Pure functions of a record and a language. The form is Japanese whatever the interface
//! language; `Lang::En` adds English sub-labels for staff. Both renderers draw the same
//! [`Sheet`], so HTML and text never disagree about what is checked.

mod html;
mod txt;

pub use html::render as html;
pub use txt::render as txt;

use crate::domain::era::format_wareki;
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
    pub heading: Label,
    pub rows: Vec<Row>,
}

/// The whole form, filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sheet {
    pub title: Label,
    pub intro: Label,
    pub sections: Vec<Section>,
    pub closing: Label,
    /// 申立日, signature, signer, 続柄.
    pub signing: Vec<Row>,
    /// Shown as a banner when the record was voided.
    pub voided: Option<Label>,
    /// Which record this paper belongs to (id, version, service date): no personal data.
    pub footer: String,
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

/// The form for `rec`.
pub(crate) fn sheet(rec: &Record, lang: Lang) -> Sheet {
    let d = &rec.declaration;
    let insurance = Section {
        heading: Label::new(Msg::PaperSection1, lang),
        rows: vec![
            row(
                lang,
                Msg::PaperHasValidCard,
                None,
                choices(
                    lang,
                    &[(true, Msg::Yes), (false, Msg::No)],
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
                        (InsuranceKind::Unknown, Msg::KindUnknown),
                    ],
                    Some(d.insurance_kind),
                    None,
                ),
            ),
            row(lang, Msg::FieldInsurerName, None, opt_text(&d.insurer_name)),
            row(
                lang,
                Msg::FieldEmployerName,
                Some(Msg::PaperEmployerNote),
                opt_text(&d.employer_name),
            ),
            row(
                lang,
                Msg::FieldIssuedWhen,
                None,
                choices(
                    lang,
                    &[
                        (IssuedWhen::Within1Month, Msg::IssuedWithin1Month),
                        (IssuedWhen::Earlier, Msg::IssuedEarlier),
                    ],
                    d.issued_when,
                    d.issued_note.as_deref().map(clean),
                ),
            ),
            row(
                lang,
                Msg::FieldCopayRatio,
                Some(Msg::PaperCopayNote),
                choices(
                    lang,
                    &[
                        (DeclaredRatio::R30, Msg::Ratio30),
                        (DeclaredRatio::R20, Msg::Ratio20),
                        (DeclaredRatio::R10, Msg::Ratio10),
                        (DeclaredRatio::Unknown, Msg::RatioUnknown),
                    ],
                    d.copay_ratio,
                    None,
                ),
            ),
        ],
    };
    let patient = Section {
        heading: Label::new(Msg::PaperSection2, lang),
        rows: vec![
            row(
                lang,
                Msg::FieldNameKana,
                None,
                Value::Text(clean(&d.name_kana)),
            ),
            row(lang, Msg::FieldName, None, Value::Text(clean(&d.name))),
            row(
                lang,
                Msg::FieldBirthDate,
                None,
                Value::Text(format_wareki(d.birth_date)),
            ),
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
            row(lang, Msg::FieldPhone, None, opt_text(&d.phone)),
        ],
    };
    let signing = vec![
        row(
            lang,
            Msg::FieldDeclaredOn,
            None,
            Value::Text(d.declared_on.map(format_wareki).unwrap_or_default()),
        ),
        row(lang, Msg::PaperSignature, None, Value::Blank),
        row(
            lang,
            Msg::FieldSigner,
            None,
            choices(
                lang,
                &[
                    (Signer::Patient, Msg::SignerPatient),
                    (Signer::Guardian, Msg::SignerGuardian),
                ],
                d.signer,
                None,
            ),
        ),
        row(
            lang,
            Msg::FieldSignerRelationship,
            Some(Msg::PaperGuardianNote),
            opt_text(&d.signer_relationship),
        ),
    ];
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
        sections: vec![insurance, patient],
        closing: Label::new(Msg::PaperClosing, lang),
        signing,
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
