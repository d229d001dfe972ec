//! What each domain code is called on screen and paper: one catalogue key per code, in
//! one place. Choice lists are `Enum::ALL` with these labels.

use super::Msg;
use crate::domain::record::{
    ClaimBasis, CopayReason, DeclaredRatio, IncidentCase, InsuranceKind, IssuedWhen, Sex, Signer,
    VerificationSource,
};

/// The catalogue key that names a code.
pub trait Label: Copy {
    fn label(self) -> Msg;
}

impl Label for IncidentCase {
    fn label(self) -> Msg {
        match self {
            IncidentCase::NotIssued => Msg::Case1,
            IncidentCase::NotRegistered => Msg::Case2,
            IncidentCase::ReaderBroken => Msg::Case31,
            IncidentCase::CardDefect => Msg::Case32,
            IncidentCase::TerminalBroken => Msg::Case33,
            IncidentCase::NetworkDown => Msg::Case34,
        }
    }
}

/// The short name of an incident case, for lists and the triage keys.
pub fn case_short(c: IncidentCase) -> Msg {
    match c {
        IncidentCase::NotIssued => Msg::CaseShort1,
        IncidentCase::NotRegistered => Msg::CaseShort2,
        IncidentCase::ReaderBroken => Msg::CaseShort31,
        IncidentCase::CardDefect => Msg::CaseShort32,
        IncidentCase::TerminalBroken => Msg::CaseShort33,
        IncidentCase::NetworkDown => Msg::CaseShort34,
    }
}

impl Label for VerificationSource {
    fn label(self) -> Msg {
        match self {
            VerificationSource::Mynaportal => Msg::SourceMynaportal,
            VerificationSource::Certificate => Msg::SourceCertificate,
            VerificationSource::Notice => Msg::SourceNotice,
            VerificationSource::InsuranceCard => Msg::SourceInsuranceCard,
            VerificationSource::OutageMode => Msg::SourceOutageMode,
            VerificationSource::OnlineRecheck => Msg::SourceOnlineRecheck,
            VerificationSource::Declaration => Msg::SourceDeclaration,
            VerificationSource::Statement => Msg::SourceStatement,
        }
    }
}

impl Label for InsuranceKind {
    fn label(self) -> Msg {
        match self {
            InsuranceKind::Shaho => Msg::KindShaho,
            InsuranceKind::Kokuho => Msg::KindKokuho,
            InsuranceKind::Kouki => Msg::KindKouki,
            InsuranceKind::Other => Msg::KindOther,
            InsuranceKind::Unknown => Msg::KindUnknown,
        }
    }
}

impl Label for IssuedWhen {
    fn label(self) -> Msg {
        match self {
            IssuedWhen::Within1Month => Msg::IssuedWithin1Month,
            IssuedWhen::Earlier => Msg::IssuedEarlier,
        }
    }
}

impl Label for DeclaredRatio {
    fn label(self) -> Msg {
        match self {
            DeclaredRatio::R30 => Msg::Ratio30,
            DeclaredRatio::R20 => Msg::Ratio20,
            DeclaredRatio::R10 => Msg::Ratio10,
            DeclaredRatio::Unknown => Msg::RatioUnknown,
        }
    }
}

impl Label for Sex {
    fn label(self) -> Msg {
        match self {
            Sex::Male => Msg::SexMale,
            Sex::Female => Msg::SexFemale,
        }
    }
}

impl Label for Signer {
    fn label(self) -> Msg {
        match self {
            Signer::Patient => Msg::SignerPatient,
            Signer::Guardian => Msg::SignerGuardian,
        }
    }
}

impl Label for ClaimBasis {
    fn label(self) -> Msg {
        match self {
            ClaimBasis::Current => Msg::BasisCurrent,
            ClaimBasis::Past => Msg::BasisPast,
            ClaimBasis::Unknown => Msg::BasisUnknown,
        }
    }
}

impl Label for CopayReason {
    fn label(self) -> Msg {
        match self {
            CopayReason::Default => Msg::ReasonDefault,
            CopayReason::Preschool => Msg::ReasonPreschool,
            CopayReason::Age70To74 => Msg::ReasonAge70to74,
            CopayReason::Kouki => Msg::ReasonKouki,
            CopayReason::Declared => Msg::ReasonDeclared,
            CopayReason::Pending => Msg::ReasonPending,
        }
    }
}
