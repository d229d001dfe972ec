//! Which fields an input must fill, given what it already says: the rules `record` checks
//! and the form marks (＊) as the clerk types, written once.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::{employer_required, Check};
use crate::domain::copay;
use crate::domain::era::parse_date;
use crate::domain::input::RecordInput;
use crate::domain::procedure;
use crate::domain::record::{ClaimBasis, InsuranceKind, Signer, VerificationSource};

/// Which fields an input must fill, given what it already says. `record` checks exactly
/// these; the form marks them (＊) as the clerk types.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Required(BTreeSet<&'static str>);

impl Required {
    /// Whether the field at this JSON path must be filled.
    pub fn contains(&self, path: &str) -> bool {
        self.0.contains(path)
    }
}

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

/// The requirements for `input` on `today` (see [`Required`]). Values that do not parse
/// count as absent here; `record` reports them.
pub fn required(input: &RecordInput, today: NaiveDate) -> Required {
    let present = Check::present;
    let mut req = BTreeSet::from(ALWAYS_REQUIRED);
    let source = present(&input.verification.source)
        .and_then(VerificationSource::from_code)
        .unwrap_or(VerificationSource::Declaration);
    // The 申立書's own items are asked only when no document gave the qualification.
    let declaration = procedure::needs_declaration(source);
    let d = &input.declaration;
    let kind = present(&d.insurance_kind).and_then(InsuranceKind::from_code);
    if declaration {
        req.insert("declaration.has_valid_card");
        req.insert("declaration.signer");
        if employer_required(kind, present(&d.insurer_name)) {
            req.insert("declaration.employer_name");
        }
    }
    if present(&d.signer).and_then(Signer::from_code) == Some(Signer::Guardian) {
        req.insert("declaration.signer_relationship");
    }
    let service = service_date_of(input, today);
    let birth = present(&d.birth_date)
        .and_then(|b| parse_date(b).ok())
        .filter(|b| service.is_none_or(|s| *b <= s));
    if let (Some(b), Some(s), Some(k)) = (birth, service, kind) {
        if copay::asks_ratio(b, s, k) {
            req.insert("declaration.copay_ratio");
        }
    }
    let has_insurer = present(&input.insurance.insurer_number).is_some();
    let basis = present(&input.insurance.basis)
        .and_then(ClaimBasis::from_code)
        .unwrap_or_else(|| procedure::claim_basis(source, has_insurer, service.unwrap_or(today)));
    // A document that shows the qualification shows its insurer number too.
    if basis != ClaimBasis::Unknown || !declaration {
        req.insert("insurance.insurer_number");
    }
    Required(req)
}

/// The service date an input stands for: as given (if it parses and is not in the
/// future), else today when it gives none.
fn service_date_of(input: &RecordInput, today: NaiveDate) -> Option<NaiveDate> {
    match Check::present(&input.service_date) {
        Some(raw) => parse_date(raw).ok().filter(|d| *d <= today),
        None => Some(today),
    }
}
