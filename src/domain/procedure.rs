//! The MHLW outage procedure (docs/procedure.md) as data: per incident case, which
//! qualification sources can be used, and whether システム障害時モード applies.
//! The words shown to staff live in the i18n catalogue, keyed by case.

use chrono::NaiveDate;

use crate::domain::record::{ClaimBasis, IncidentCase, VerificationSource};

use VerificationSource as S;

/// Last day an old 保険証 counts as a current qualification; after it, only as past.
pub fn insurance_card_valid_until() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 12, 1).unwrap_or(NaiveDate::MIN)
}

/// Sources the clerk may use for `case`, most useful first; `declaration` (申立書) is
/// always last, the fallback when no source gives the qualification.
pub fn sources(case: IncidentCase) -> &'static [VerificationSource] {
    match case {
        // Job change lag: no new card yet; the old card (past) or a declaration.
        IncidentCase::NotIssued => &[S::InsuranceCard, S::Declaration],
        // Issued but not registered: nothing online shows it; old qualification or 不詳.
        IncidentCase::NotRegistered => &[S::InsuranceCard, S::Declaration],
        // Reader broken: the terminal still checks online in 目視確認モード, or the
        // help desk enables システム障害時モード.
        IncidentCase::ReaderBroken => &[S::OnlineRecheck, S::OutageMode, S::Declaration],
        // Card defect: マイナポータル needs the card, so it is not possible.
        IncidentCase::CardDefect => &[S::Certificate, S::InsuranceCard, S::Declaration],
        // Terminal broken: the patient's own documents.
        IncidentCase::TerminalBroken => &[
            S::Mynaportal,
            S::Certificate,
            S::Notice,
            S::InsuranceCard,
            S::Declaration,
        ],
        // Power or network out: as 3-3; the card face is recorded for a later
        // システム障害時モード lookup.
        IncidentCase::NetworkDown => &[
            S::Mynaportal,
            S::Certificate,
            S::Notice,
            S::InsuranceCard,
            S::OutageMode,
            S::Declaration,
        ],
    }
}

/// Whether システム障害時モード is part of the procedure for `case` (requested by phone
/// from the help desk; the request is noted on the record).
pub fn outage_mode_applies(case: IncidentCase) -> bool {
    matches!(case, IncidentCase::ReaderBroken | IncidentCase::NetworkDown)
}

/// Whether the 申立書 is needed: only when the source itself gives no qualification.
pub fn needs_declaration(source: VerificationSource) -> bool {
    source == VerificationSource::Declaration
}

/// The claim basis a record supports (docs/procedure.md): current when a source showed the
/// present qualification with its numbers, past when only old numbers are known (an
/// expired card, an earlier visit, a declaration that names them), else 不詳.
pub fn claim_basis(
    source: VerificationSource,
    has_insurer_number: bool,
    service_date: NaiveDate,
) -> ClaimBasis {
    if !has_insurer_number {
        return ClaimBasis::Unknown;
    }
    match source {
        S::Mynaportal | S::Certificate | S::Notice | S::OutageMode | S::OnlineRecheck => {
            ClaimBasis::Current
        }
        S::InsuranceCard if service_date <= insurance_card_valid_until() => ClaimBasis::Current,
        S::InsuranceCard | S::Declaration => ClaimBasis::Past,
    }
}

/// Whether the record still needs its qualification confirmed after recovery.
pub fn needs_followup(basis: ClaimBasis, source: VerificationSource) -> bool {
    basis != ClaimBasis::Current || source == VerificationSource::Declaration
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn every_case_ends_with_the_declaration_fallback() {
        for case in IncidentCase::ALL {
            assert_eq!(sources(case).last(), Some(&S::Declaration), "{case:?}");
        }
    }

    #[test]
    fn card_defect_never_offers_mynaportal() {
        assert!(!sources(IncidentCase::CardDefect).contains(&S::Mynaportal));
        assert!(sources(IncidentCase::TerminalBroken).contains(&S::Mynaportal));
        assert!(sources(IncidentCase::NetworkDown).contains(&S::Mynaportal));
    }

    #[test]
    fn outage_mode_only_where_the_guidance_names_it() {
        let with: Vec<_> = IncidentCase::ALL
            .into_iter()
            .filter(|c| outage_mode_applies(*c))
            .collect();
        assert_eq!(
            with,
            vec![IncidentCase::ReaderBroken, IncidentCase::NetworkDown]
        );
        for case in IncidentCase::ALL {
            assert_eq!(
                sources(case).contains(&S::OutageMode),
                outage_mode_applies(case),
                "{case:?}"
            );
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
        assert!(!needs_followup(ClaimBasis::Current, S::Certificate));
        assert!(needs_followup(ClaimBasis::Past, S::InsuranceCard));
        assert!(needs_followup(ClaimBasis::Unknown, S::Declaration));
        assert!(needs_followup(ClaimBasis::Current, S::Declaration));
    }
}
