//! The record of DESIGN.md §3: what is stored, exported and synced.
//!
//! These are the *normalised* values. Raw user input (form fields, import lines) lives in
//! `domain::input` and only becomes a `Record` through `domain::validate`.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

/// The incident cases of DESIGN.md §1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum IncidentCase {
    /// New insurance card not issued yet.
    #[serde(rename = "1")]
    NotIssued,
    /// 「資格（無効）」「資格情報なし」.
    #[serde(rename = "2")]
    NotRegistered,
    /// Face-auth card reader broken.
    #[serde(rename = "3-1")]
    ReaderBroken,
    /// Card defect (dirty face, IC broken, e-certificate expired).
    #[serde(rename = "3-2")]
    CardDefect,
    /// Eligibility terminal broken.
    #[serde(rename = "3-3")]
    TerminalBroken,
    /// Power cut, facility network or wide-area network.
    #[serde(rename = "3-4")]
    NetworkDown,
}

impl IncidentCase {
    pub const ALL: [IncidentCase; 6] = [
        IncidentCase::NotIssued,
        IncidentCase::NotRegistered,
        IncidentCase::ReaderBroken,
        IncidentCase::CardDefect,
        IncidentCase::TerminalBroken,
        IncidentCase::NetworkDown,
    ];

    /// The code as written in JSON and shown to staff ("3-4").
    pub fn code(self) -> &'static str {
        match self {
            IncidentCase::NotIssued => "1",
            IncidentCase::NotRegistered => "2",
            IncidentCase::ReaderBroken => "3-1",
            IncidentCase::CardDefect => "3-2",
            IncidentCase::TerminalBroken => "3-3",
            IncidentCase::NetworkDown => "3-4",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    pub case: IncidentCase,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationSource {
    Mynaportal,
    Certificate,
    Notice,
    InsuranceCard,
    OutageMode,
    OnlineRecheck,
    Declaration,
}

impl VerificationSource {
    pub const ALL: [VerificationSource; 7] = [
        VerificationSource::Mynaportal,
        VerificationSource::Certificate,
        VerificationSource::Notice,
        VerificationSource::InsuranceCard,
        VerificationSource::OutageMode,
        VerificationSource::OnlineRecheck,
        VerificationSource::Declaration,
    ];
    pub fn code(self) -> &'static str {
        match self {
            VerificationSource::Mynaportal => "mynaportal",
            VerificationSource::Certificate => "certificate",
            VerificationSource::Notice => "notice",
            VerificationSource::InsuranceCard => "insurance_card",
            VerificationSource::OutageMode => "outage_mode",
            VerificationSource::OnlineRecheck => "online_recheck",
            VerificationSource::Declaration => "declaration",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verification {
    pub source: VerificationSource,
    #[serde(default)]
    pub checked_at: Option<DateTime<FixedOffset>>,
    /// Name, address, birth date and sex were read from the card's chip (issue 5), not
    /// typed; the clerk still reviewed them.
    #[serde(default)]
    pub card_read: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InsuranceKind {
    Shaho,
    Kokuho,
    Kouki,
    Other,
    Unknown,
}

impl InsuranceKind {
    pub const ALL: [InsuranceKind; 5] = [
        InsuranceKind::Shaho,
        InsuranceKind::Kokuho,
        InsuranceKind::Kouki,
        InsuranceKind::Other,
        InsuranceKind::Unknown,
    ];
    pub fn code(self) -> &'static str {
        match self {
            InsuranceKind::Shaho => "shaho",
            InsuranceKind::Kokuho => "kokuho",
            InsuranceKind::Kouki => "kouki",
            InsuranceKind::Other => "other",
            InsuranceKind::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssuedWhen {
    // snake_case alone would write "within1_month"; DESIGN.md §2 and `code()` say
    // "within_1_month". The alias reads stores written before this was fixed.
    #[serde(rename = "within_1_month", alias = "within1_month")]
    Within1Month,
    Earlier,
}

impl IssuedWhen {
    pub const ALL: [IssuedWhen; 2] = [IssuedWhen::Within1Month, IssuedWhen::Earlier];
    pub fn code(self) -> &'static str {
        match self {
            IssuedWhen::Within1Month => "within_1_month",
            IssuedWhen::Earlier => "earlier",
        }
    }
}

/// 一部負担金の割合 as declared on the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DeclaredRatio {
    #[serde(rename = "30")]
    R30,
    #[serde(rename = "20")]
    R20,
    #[serde(rename = "10")]
    R10,
    #[serde(rename = "unknown")]
    Unknown,
}

impl DeclaredRatio {
    pub const ALL: [DeclaredRatio; 4] = [
        DeclaredRatio::R30,
        DeclaredRatio::R20,
        DeclaredRatio::R10,
        DeclaredRatio::Unknown,
    ];
    pub fn code(self) -> &'static str {
        match self {
            DeclaredRatio::R30 => "30",
            DeclaredRatio::R20 => "20",
            DeclaredRatio::R10 => "10",
            DeclaredRatio::Unknown => "unknown",
        }
    }
    /// Percentage, when known.
    pub fn percent(self) -> Option<u8> {
        match self {
            DeclaredRatio::R30 => Some(30),
            DeclaredRatio::R20 => Some(20),
            DeclaredRatio::R10 => Some(10),
            DeclaredRatio::Unknown => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    pub const ALL: [Sex; 2] = [Sex::Male, Sex::Female];
    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signer {
    Patient,
    Guardian,
}

impl Signer {
    pub const ALL: [Signer; 2] = [Signer::Patient, Signer::Guardian];
    pub fn code(self) -> &'static str {
        match self {
            Signer::Patient => "patient",
            Signer::Guardian => "guardian",
        }
    }
}

/// The 被保険者資格申立書 (DESIGN.md §2), normalised.
///
/// The patient's identity (name … phone) and insurance kind are always filled. The
/// items only the 申立書 asks (`has_valid_card`, `declared_on`, `signer`) are `None`
/// when a document gave the qualification and no declaration was taken (issue 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Declaration {
    pub has_valid_card: Option<bool>,
    pub insurance_kind: InsuranceKind,
    pub insurer_name: Option<String>,
    pub employer_name: Option<String>,
    pub issued_when: Option<IssuedWhen>,
    pub issued_note: Option<String>,
    pub copay_ratio: Option<DeclaredRatio>,
    pub name: String,
    pub name_kana: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub address: String,
    pub declared_on: Option<NaiveDate>,
    pub signer: Option<Signer>,
    pub signer_relationship: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimBasis {
    Current,
    Past,
    Unknown,
}

impl ClaimBasis {
    pub const ALL: [ClaimBasis; 3] = [ClaimBasis::Current, ClaimBasis::Past, ClaimBasis::Unknown];
    pub fn code(self) -> &'static str {
        match self {
            ClaimBasis::Current => "current",
            ClaimBasis::Past => "past",
            ClaimBasis::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Insurance {
    pub basis: ClaimBasis,
    pub insurer_number: Option<String>,
    pub symbol: Option<String>,
    pub number: Option<String>,
    pub branch: Option<String>,
}

/// Why the copay ratio is what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CopayReason {
    Default,
    Preschool,
    #[serde(rename = "age70to74")]
    Age70To74,
    Kouki,
    Declared,
}

impl CopayReason {
    pub fn code(self) -> &'static str {
        match self {
            CopayReason::Default => "default",
            CopayReason::Preschool => "preschool",
            CopayReason::Age70To74 => "age70to74",
            CopayReason::Kouki => "kouki",
            CopayReason::Declared => "declared",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Copay {
    /// Percent the patient pays: 10, 20 or 30.
    pub ratio: u8,
    pub reason: CopayReason,
    pub amount_yen: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Followup {
    pub needed: bool,
    pub done_at: Option<DateTime<FixedOffset>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Active,
    Voided,
}

/// One version of one intake (DESIGN.md §3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    pub id: String,
    pub version: u32,
    pub terminal_id: String,
    pub operator: String,
    pub created_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
    pub service_date: NaiveDate,
    pub status: Status,
    pub void_reason: Option<String>,
    pub incident: Incident,
    pub verification: Verification,
    pub declaration: Declaration,
    pub insurance: Insurance,
    pub copay: Copay,
    pub followup: Followup,
}
