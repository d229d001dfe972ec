//! Which fields apply to an input and which must be filled, given what it already says —
//! the rules `record` checks, the form's visible fields and its ＊ marks, written once
//! (docs/record.md, docs/procedure.md).

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::Check;
use crate::domain::copay;
use crate::domain::era::parse_date;
use crate::domain::input::RecordInput;
use crate::domain::insurer::{is_kokuho_kumiai_name, is_kokuho_kumiai_number};
use crate::domain::procedure;
use crate::domain::record::{InsuranceKind, Signer, VerificationSource};

/// Fields every record needs, whatever else it says.
const ALWAYS_REQUIRED: [&str; 7] = [
    "incident.case",
    "declaration.insurance_kind",
    "declaration.name",
    "declaration.name_kana",
    "declaration.birth_date",
    "declaration.sex",
    "declaration.address",
];

/// Fields asked only in some situations; a value in one that does not apply is refused
/// (the form never shows it there, so it could not have been typed).
pub const CONDITIONAL: [&str; 9] = [
    "declaration.has_valid_card",
    "declaration.insurer_name",
    "declaration.employer_name",
    "declaration.issued_when",
    "declaration.issued_note",
    "declaration.copay_ratio",
    "declaration.declared_on",
    "declaration.signer",
    "declaration.signer_relationship",
];

/// The rules for one input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules {
    required: BTreeSet<&'static str>,
    applies: BTreeSet<&'static str>,
}

impl Rules {
    /// Whether the field at this JSON path must be filled.
    pub fn requires(&self, path: &str) -> bool {
        self.required.contains(path)
    }

    /// Whether the field at this JSON path is asked at all (every field not in
    /// [`CONDITIONAL`] always is).
    pub fn applies(&self, path: &str) -> bool {
        !CONDITIONAL.contains(&path) || self.applies.contains(path)
    }
}

/// Whether 事業所名 is asked of a patient whose insurer is of `kind` (seed ※1: 社保, その他,
/// わからない, or a 国民健康保険組合 — by its name or its number).
pub fn employer_required(
    kind: Option<InsuranceKind>,
    insurer_name: Option<&str>,
    insurer_number: Option<&str>,
) -> bool {
    matches!(
        kind,
        Some(InsuranceKind::Shaho | InsuranceKind::Other | InsuranceKind::Unknown)
    ) || insurer_name.is_some_and(is_kokuho_kumiai_name)
        || insurer_number
            .is_some_and(|n| is_kokuho_kumiai_number(&n.replace(char::is_whitespace, "")))
}

/// The rules for `input` on `today`. Values that do not parse count as absent here;
/// `record` reports them.
pub fn rules(input: &RecordInput, today: NaiveDate) -> Rules {
    let present = Check::present;
    let mut required = BTreeSet::from(ALWAYS_REQUIRED);
    let mut applies = BTreeSet::new();
    let source = present(&input.verification.source)
        .and_then(VerificationSource::from_code)
        .unwrap_or(VerificationSource::Declaration);
    let d = &input.declaration;
    let kind = present(&d.insurance_kind).and_then(InsuranceKind::from_code);
    let insurer_name = present(&d.insurer_name);
    let employer_name = present(&d.employer_name);
    let insurer_number = present(&input.insurance.insurer_number);

    // After recovery the source is the one that confirmed the qualification (with its
    // numbers); what was declared at intake stays on the record as it was taken.
    let confirmed = present(&input.followup.done_at)
        .is_some_and(|t| chrono::DateTime::parse_from_rfc3339(t).is_ok());
    if confirmed {
        applies.extend(CONDITIONAL);
        required.extend(["insurance.insurer_number", "insurance.number"]);
    } else {
        if procedure::patient_account(source) {
            applies.extend(["declaration.insurer_name", "declaration.employer_name"]);
        }
        match source {
            // The 申立書's own items (seed l.138–166).
            VerificationSource::Declaration => {
                applies.extend([
                    "declaration.has_valid_card",
                    "declaration.issued_when",
                    "declaration.issued_note",
                    "declaration.declared_on",
                    "declaration.signer",
                ]);
                required.extend(["declaration.has_valid_card", "declaration.signer"]);
                if employer_required(kind, insurer_name, insurer_number) {
                    required.insert("declaration.employer_name");
                }
                if present(&d.signer).and_then(Signer::from_code) == Some(Signer::Guardian) {
                    applies.insert("declaration.signer_relationship");
                    required.insert("declaration.signer_relationship");
                }
            }
            // The patient's word in case 1: who insures them now, the insurer or the employer.
            VerificationSource::Statement => {
                if employer_name.is_none() {
                    required.insert("declaration.insurer_name");
                }
                if insurer_name.is_none() {
                    required.insert("declaration.employer_name");
                }
            }
            // A document shows the qualification with its numbers.
            _ => {
                required.extend(["insurance.insurer_number", "insurance.number"]);
            }
        }
    }

    let service = service_date_of(input, today);
    let birth = present(&d.birth_date)
        .and_then(|b| parse_date(b).ok())
        .filter(|b| service.is_none_or(|s| *b <= s));
    if let (Some(b), Some(s), Some(k)) = (birth, service, kind) {
        if copay::asks_ratio(b, s, k) {
            applies.insert("declaration.copay_ratio");
            required.insert("declaration.copay_ratio");
        }
    }
    Rules { required, applies }
}

/// The service date an input stands for: as given (if it parses and is not in the
/// future), else today when it gives none.
pub(super) fn service_date_of(input: &RecordInput, today: NaiveDate) -> Option<NaiveDate> {
    match Check::present(&input.service_date) {
        Some(raw) => parse_date(raw).ok().filter(|d| *d <= today),
        None => Some(today),
    }
}
