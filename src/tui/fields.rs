//! The fields of the declaration form: order, kind, label, JSON path and choices.

use serde::{Deserialize, Serialize};

use crate::domain::record::*;
use crate::i18n::Msg;

/// Fields in screen order: what failed and how the qualification was seen, the
/// numbers, the patient, the 申立書's own items, then the counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum FieldId {
    Case,
    Source,
    InsurerNumber,
    Symbol,
    Number,
    Branch,
    Name,
    NameKana,
    BirthDate,
    Sex,
    Address,
    Phone,
    InsuranceKind,
    HasValidCard,
    InsurerName,
    EmployerName,
    IssuedWhen,
    IssuedNote,
    CopayRatio,
    DeclaredOn,
    Signer,
    SignerRelationship,
    IncidentNote,
    Points,
    Received,
    /// For an intake prefilled from an earlier record: the patient confirmed nothing changed.
    Unchanged,
}

/// One option of a choice field: the code stored in JSON and its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    pub code: &'static str,
    pub label: Msg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// A date typed as text (和暦 or 西暦), previewed normalised.
    Date,
    Choice(&'static [Choice]),
}

const CASES: &[Choice] = &[
    Choice {
        code: "1",
        label: Msg::Case1,
    },
    Choice {
        code: "2",
        label: Msg::Case2,
    },
    Choice {
        code: "3-1",
        label: Msg::Case31,
    },
    Choice {
        code: "3-2",
        label: Msg::Case32,
    },
    Choice {
        code: "3-3",
        label: Msg::Case33,
    },
    Choice {
        code: "3-4",
        label: Msg::Case34,
    },
];
const SOURCES: &[Choice] = &[
    Choice {
        code: "mynaportal",
        label: Msg::SourceMynaportal,
    },
    Choice {
        code: "certificate",
        label: Msg::SourceCertificate,
    },
    Choice {
        code: "notice",
        label: Msg::SourceNotice,
    },
    Choice {
        code: "insurance_card",
        label: Msg::SourceInsuranceCard,
    },
    Choice {
        code: "outage_mode",
        label: Msg::SourceOutageMode,
    },
    Choice {
        code: "online_recheck",
        label: Msg::SourceOnlineRecheck,
    },
    Choice {
        code: "declaration",
        label: Msg::SourceDeclaration,
    },
];
const YES_NO: &[Choice] = &[
    Choice {
        code: "true",
        label: Msg::Yes,
    },
    Choice {
        code: "false",
        label: Msg::No,
    },
];
const KINDS: &[Choice] = &[
    Choice {
        code: "shaho",
        label: Msg::KindShaho,
    },
    Choice {
        code: "kokuho",
        label: Msg::KindKokuho,
    },
    Choice {
        code: "kouki",
        label: Msg::KindKouki,
    },
    Choice {
        code: "other",
        label: Msg::KindOther,
    },
    Choice {
        code: "unknown",
        label: Msg::KindUnknown,
    },
];
const ISSUED: &[Choice] = &[
    Choice {
        code: "within_1_month",
        label: Msg::IssuedWithin1Month,
    },
    Choice {
        code: "earlier",
        label: Msg::IssuedEarlier,
    },
];
const RATIOS: &[Choice] = &[
    Choice {
        code: "30",
        label: Msg::Ratio30,
    },
    Choice {
        code: "20",
        label: Msg::Ratio20,
    },
    Choice {
        code: "10",
        label: Msg::Ratio10,
    },
    Choice {
        code: "unknown",
        label: Msg::RatioUnknown,
    },
];
const SEXES: &[Choice] = &[
    Choice {
        code: "male",
        label: Msg::SexMale,
    },
    Choice {
        code: "female",
        label: Msg::SexFemale,
    },
];
const SIGNERS: &[Choice] = &[
    Choice {
        code: "patient",
        label: Msg::SignerPatient,
    },
    Choice {
        code: "guardian",
        label: Msg::SignerGuardian,
    },
];

impl FieldId {
    pub const ALL: [FieldId; 26] = [
        FieldId::Case,
        FieldId::Source,
        FieldId::InsurerNumber,
        FieldId::Symbol,
        FieldId::Number,
        FieldId::Branch,
        FieldId::Name,
        FieldId::NameKana,
        FieldId::BirthDate,
        FieldId::Sex,
        FieldId::Address,
        FieldId::Phone,
        FieldId::InsuranceKind,
        FieldId::HasValidCard,
        FieldId::InsurerName,
        FieldId::EmployerName,
        FieldId::IssuedWhen,
        FieldId::IssuedNote,
        FieldId::CopayRatio,
        FieldId::DeclaredOn,
        FieldId::Signer,
        FieldId::SignerRelationship,
        FieldId::IncidentNote,
        FieldId::Points,
        FieldId::Received,
        FieldId::Unchanged,
    ];

    /// Items only the 申立書 asks; shown when the source is the declaration.
    pub fn declaration_only(self) -> bool {
        matches!(
            self,
            FieldId::HasValidCard
                | FieldId::InsurerName
                | FieldId::EmployerName
                | FieldId::IssuedWhen
                | FieldId::IssuedNote
                | FieldId::DeclaredOn
                | FieldId::Signer
                | FieldId::SignerRelationship
        )
    }

    pub fn kind(self) -> Kind {
        match self {
            FieldId::Case => Kind::Choice(CASES),
            FieldId::Source => Kind::Choice(SOURCES),
            FieldId::Unchanged => Kind::Choice(YES_NO),
            FieldId::HasValidCard => Kind::Choice(YES_NO),
            FieldId::InsuranceKind => Kind::Choice(KINDS),
            FieldId::IssuedWhen => Kind::Choice(ISSUED),
            FieldId::CopayRatio => Kind::Choice(RATIOS),
            FieldId::Sex => Kind::Choice(SEXES),
            FieldId::Signer => Kind::Choice(SIGNERS),
            FieldId::BirthDate | FieldId::DeclaredOn => Kind::Date,
            _ => Kind::Text,
        }
    }

    pub fn label(self) -> Msg {
        match self {
            FieldId::Case => Msg::FieldCase,
            FieldId::Source => Msg::FieldSource,
            FieldId::Points => Msg::FieldPoints,
            FieldId::Received => Msg::FieldAmount,
            FieldId::Unchanged => Msg::FieldUnchanged,
            FieldId::HasValidCard => Msg::FieldHasValidCard,
            FieldId::InsuranceKind => Msg::FieldInsuranceKind,
            FieldId::InsurerName => Msg::FieldInsurerName,
            FieldId::EmployerName => Msg::FieldEmployerName,
            FieldId::IssuedWhen => Msg::FieldIssuedWhen,
            FieldId::IssuedNote => Msg::FieldIssuedNote,
            FieldId::Name => Msg::FieldName,
            FieldId::NameKana => Msg::FieldNameKana,
            FieldId::BirthDate => Msg::FieldBirthDate,
            FieldId::Sex => Msg::FieldSex,
            FieldId::Address => Msg::FieldAddress,
            FieldId::Phone => Msg::FieldPhone,
            FieldId::CopayRatio => Msg::FieldCopayRatio,
            FieldId::InsurerNumber => Msg::FieldInsurerNumber,
            FieldId::Symbol => Msg::FieldSymbol,
            FieldId::Number => Msg::FieldNumber,
            FieldId::Branch => Msg::FieldBranch,
            FieldId::DeclaredOn => Msg::FieldDeclaredOn,
            FieldId::Signer => Msg::FieldSigner,
            FieldId::SignerRelationship => Msg::FieldSignerRelationship,
            FieldId::IncidentNote => Msg::FieldIncidentNote,
        }
    }

    /// The JSON path validation reports problems under.
    pub fn path(self) -> &'static str {
        match self {
            FieldId::Case => "incident.case",
            FieldId::Source => "verification.source",
            // Counter and confirmation are checked by the form, not the record.
            FieldId::Points => "form.points",
            FieldId::Received => "copay.amount_yen",
            FieldId::Unchanged => "form.unchanged",
            FieldId::HasValidCard => "declaration.has_valid_card",
            FieldId::InsuranceKind => "declaration.insurance_kind",
            FieldId::InsurerName => "declaration.insurer_name",
            FieldId::EmployerName => "declaration.employer_name",
            FieldId::IssuedWhen => "declaration.issued_when",
            FieldId::IssuedNote => "declaration.issued_note",
            FieldId::Name => "declaration.name",
            FieldId::NameKana => "declaration.name_kana",
            FieldId::BirthDate => "declaration.birth_date",
            FieldId::Sex => "declaration.sex",
            FieldId::Address => "declaration.address",
            FieldId::Phone => "declaration.phone",
            FieldId::CopayRatio => "declaration.copay_ratio",
            FieldId::InsurerNumber => "insurance.insurer_number",
            FieldId::Symbol => "insurance.symbol",
            FieldId::Number => "insurance.number",
            FieldId::Branch => "insurance.branch",
            FieldId::DeclaredOn => "declaration.declared_on",
            FieldId::Signer => "declaration.signer",
            FieldId::SignerRelationship => "declaration.signer_relationship",
            FieldId::IncidentNote => "incident.note",
        }
    }

    pub fn from_path(path: &str) -> Option<FieldId> {
        FieldId::ALL.into_iter().find(|f| f.path() == path)
    }
}

/// Short label of an incident case for lists.
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

pub fn case_long(c: IncidentCase) -> Msg {
    CASES
        .iter()
        .find(|ch| ch.code == c.code())
        .map(|ch| ch.label)
        .unwrap_or(Msg::Case1)
}

pub fn basis_label(b: ClaimBasis) -> Msg {
    match b {
        ClaimBasis::Current => Msg::BasisCurrent,
        ClaimBasis::Past => Msg::BasisPast,
        ClaimBasis::Unknown => Msg::BasisUnknown,
    }
}

pub fn kind_label(k: InsuranceKind) -> Msg {
    label_of(KINDS, k.code())
}

pub fn sex_label(s: Sex) -> Msg {
    label_of(SEXES, s.code())
}

pub fn signer_label(s: Signer) -> Msg {
    label_of(SIGNERS, s.code())
}

pub fn issued_label(w: IssuedWhen) -> Msg {
    label_of(ISSUED, w.code())
}

pub fn ratio_label(r: DeclaredRatio) -> Msg {
    label_of(RATIOS, r.code())
}

pub fn source_label(s: VerificationSource) -> Msg {
    match s {
        VerificationSource::Mynaportal => Msg::SourceMynaportal,
        VerificationSource::Certificate => Msg::SourceCertificate,
        VerificationSource::Notice => Msg::SourceNotice,
        VerificationSource::InsuranceCard => Msg::SourceInsuranceCard,
        VerificationSource::OutageMode => Msg::SourceOutageMode,
        VerificationSource::OnlineRecheck => Msg::SourceOnlineRecheck,
        VerificationSource::Declaration => Msg::SourceDeclaration,
    }
}

pub fn reason_label(r: CopayReason) -> Msg {
    match r {
        CopayReason::Default => Msg::ReasonDefault,
        CopayReason::Preschool => Msg::ReasonPreschool,
        CopayReason::Age70To74 => Msg::ReasonAge70to74,
        CopayReason::Kouki => Msg::ReasonKouki,
        CopayReason::Declared => Msg::ReasonDeclared,
    }
}

fn label_of(list: &[Choice], code: &str) -> Msg {
    list.iter()
        .find(|c| c.code == code)
        .map(|c| c.label)
        .unwrap_or(Msg::KindUnknown)
}
