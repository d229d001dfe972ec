//! The MHLW outage procedure (docs/procedure.md) as one table: per incident case, the
//! qualification sources that may be used (in the order the guide offers them), how
//! システム障害時モード applies, and whether 10割 may be collected pending the
//! qualification. The guide, the form and `onshi import` all read this table. The words
//! shown to staff live in the i18n catalogue, keyed by case.

use chrono::NaiveDate;

use crate::domain::record::{ClaimBasis, IncidentCase, VerificationSource};

use VerificationSource as S;

/// Last day an old 保険証 counts as a current qualification; after it, only as past.
pub fn insurance_card_valid_until() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 12, 1).unwrap_or(NaiveDate::MIN)
}

/// When システム障害時モード (the help desk's lookup by the card-face 4 items) applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutageMode {
    /// The eligibility system is reachable: use it now (seed, 3-1 and 3-2).
    OnTheSpot,
    /// On the spot, or after recovery (seed ※2 「その場で又は事後的に」, 3-3 and 3-4).
    OnTheSpotOrLater,
}

/// What the procedure offers for one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseProcedure {
    pub case: IncidentCase,
    /// The sources offered, most useful first; the fallback (申立書, or the patient's
    /// statement in case 1) last.
    pub sources: &'static [VerificationSource],
    pub outage_mode: Option<OutageMode>,
}

const DOCUMENTS_AND_PORTAL: &[VerificationSource] = &[
    S::Mynaportal,
    S::Certificate,
    S::Notice,
    S::InsuranceCard,
    S::OutageMode,
    S::Declaration,
];

/// The procedure per case, in `IncidentCase::ALL` order.
pub const PROCEDURES: [CaseProcedure; 6] = [
    // 1: new card not issued yet — 「現行と同様、医療機関において柔軟に対応」 (seed l.9–12).
    // Not the 申立書: its premise is a card already issued. A 資格取得証明書 from the
    // employer counts as a certificate; otherwise the patient's word.
    CaseProcedure {
        case: IncidentCase::NotIssued,
        sources: &[S::Certificate, S::Statement],
        outage_mode: None,
    },
    // 2: issued, not registered (「資格（無効）」「資格情報なし」, seed l.14–30): 本人情報
    // and the old qualification, or 不詳; nothing online shows the new one.
    CaseProcedure {
        case: IncidentCase::NotRegistered,
        sources: &[S::Certificate, S::InsuranceCard, S::Declaration],
        outage_mode: None,
    },
    // 3-1: face-auth reader broken, the system reachable: システム障害時モード (seed
    // l.34–44); マイナポータル and the documents too (only 3-2 is 「不可」, l.55–56).
    CaseProcedure {
        case: IncidentCase::ReaderBroken,
        sources: &[
            S::OutageMode,
            S::Mynaportal,
            S::Certificate,
            S::Notice,
            S::InsuranceCard,
            S::Declaration,
        ],
        outage_mode: Some(OutageMode::OnTheSpot),
    },
    // 3-2: card defect, the system reachable: システム障害時モード with the card-face 4
    // items (seed l.37–44); never マイナポータル (「※3-2は不可」, l.56), and without a
    // usable card no 資格情報のお知らせ either.
    CaseProcedure {
        case: IncidentCase::CardDefect,
        sources: &[
            S::OutageMode,
            S::Certificate,
            S::InsuranceCard,
            S::Declaration,
        ],
        outage_mode: Some(OutageMode::OnTheSpot),
    },
    // 3-3: eligibility terminal broken (seed l.50–55): マイナポータル on the spot, the
    // documents, システム障害時モード on the spot or afterwards (※2, l.111).
    CaseProcedure {
        case: IncidentCase::TerminalBroken,
        sources: DOCUMENTS_AND_PORTAL,
        outage_mode: Some(OutageMode::OnTheSpotOrLater),
    },
    // 3-4: power cut or network: as 3-3.
    CaseProcedure {
        case: IncidentCase::NetworkDown,
        sources: DOCUMENTS_AND_PORTAL,
        outage_mode: Some(OutageMode::OnTheSpotOrLater),
    },
];

/// The procedure for `case`.
pub fn procedure(case: IncidentCase) -> &'static CaseProcedure {
    let i = IncidentCase::ALL
        .iter()
        .position(|c| *c == case)
        .unwrap_or(0);
    &PROCEDURES[i]
}

/// Sources the clerk may use for `case`, most useful first.
pub fn sources(case: IncidentCase) -> &'static [VerificationSource] {
    procedure(case).sources
}

/// Whether システム障害時モード is part of the procedure for `case` (requested by phone
/// from the help desk; the request is noted on the record).
pub fn outage_mode_applies(case: IncidentCase) -> bool {
    procedure(case).outage_mode.is_some()
}

/// Whether the 申立書 is taken: only when no document shows the qualification.
pub fn needs_declaration(source: VerificationSource) -> bool {
    source == S::Declaration
}

/// The patient's own account (申立書 or, in case 1, their statement): the 保険者名称 and
/// 事業所名 are asked.
pub fn patient_account(source: VerificationSource) -> bool {
    matches!(source, S::Declaration | S::Statement)
}

/// A source that shows the qualification itself (its numbers are required).
pub fn is_document(source: VerificationSource) -> bool {
    !patient_account(source)
}

/// The claim basis a record supports (docs/procedure.md; seed l.96–100): current when a
/// source showed the present qualification with both numbers, past when only old
/// numbers are known (an expired card, a patient's account naming both), else 不詳.
pub fn claim_basis(
    source: VerificationSource,
    has_numbers: bool,
    service_date: NaiveDate,
) -> ClaimBasis {
    if !has_numbers {
        return ClaimBasis::Unknown;
    }
    match source {
        S::Mynaportal | S::Certificate | S::Notice | S::OutageMode | S::OnlineRecheck => {
            ClaimBasis::Current
        }
        S::InsuranceCard if service_date <= insurance_card_valid_until() => ClaimBasis::Current,
        S::InsuranceCard | S::Declaration | S::Statement => ClaimBasis::Past,
    }
}

/// Whether the record still needs its qualification confirmed after recovery: anything
/// but a current qualification from a document, and anything collected 10割 pending.
pub fn needs_followup(basis: ClaimBasis, source: VerificationSource, pending: bool) -> bool {
    basis != ClaimBasis::Current || patient_account(source) || pending
}

/// Whether 10割 may be collected now and refunded later: only in case 1 on the patient's
/// statement (「現行と同様、柔軟に対応」, seed l.9–12). Everywhere else the guidance has
/// the normal share collected (「患者自己負担分（3割等）を受領」, seed l.19, l.39), and a
/// 資格取得証明書 shows the qualification.
pub fn may_collect_full(case: IncidentCase, source: VerificationSource) -> bool {
    case == IncidentCase::NotIssued && source == S::Statement
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_table_is_in_case_order_and_ends_with_the_patients_account() {
        for (p, case) in PROCEDURES.iter().zip(IncidentCase::ALL) {
            assert_eq!(p.case, case);
            let last = p.sources.last().copied();
            assert!(last.is_some_and(patient_account), "{case:?}");
            assert_eq!(procedure(case), p);
        }
    }

    #[test]
    fn basis_follows_source_and_numbers() {
        let today = d("2026-11-28");
        assert_eq!(
            claim_basis(S::Certificate, true, today),
            ClaimBasis::Current
        );
        assert_eq!(
            claim_basis(S::Certificate, false, today),
            ClaimBasis::Unknown
        );
        assert_eq!(claim_basis(S::Declaration, true, today), ClaimBasis::Past);
        assert_eq!(claim_basis(S::Statement, true, today), ClaimBasis::Past);
        assert_eq!(
            claim_basis(S::Declaration, false, today),
            ClaimBasis::Unknown
        );
        assert_eq!(
            claim_basis(S::OnlineRecheck, true, today),
            ClaimBasis::Current
        );
    }

    #[test]
    fn old_insurance_card_is_past_after_2025_12_01() {
        assert_eq!(
            claim_basis(S::InsuranceCard, true, d("2025-12-01")),
            ClaimBasis::Current
        );
        assert_eq!(
            claim_basis(S::InsuranceCard, true, d("2025-12-02")),
            ClaimBasis::Past
        );
    }

    #[test]
    fn followup_needed_unless_current_and_documented() {
        assert!(!needs_followup(ClaimBasis::Current, S::Certificate, false));
        assert!(needs_followup(ClaimBasis::Current, S::Certificate, true));
        assert!(needs_followup(ClaimBasis::Past, S::InsuranceCard, false));
        assert!(needs_followup(ClaimBasis::Unknown, S::Declaration, false));
        assert!(needs_followup(ClaimBasis::Past, S::Statement, false));
    }
}
