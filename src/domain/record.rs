//! The record (docs/record.md): what is stored, exported and synced.
//!
//! These are the *normalised* values. Raw user input (form fields, import lines) lives in
//! `domain::input` and only becomes a `Record` through `domain::validate`.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

crate::codes! {
    /// The incident cases: what failed (docs/record.md).
    pub enum IncidentCase {
        /// New insurance card not issued yet.
        NotIssued = "1",
        /// 「資格（無効）」「資格情報なし」.
        NotRegistered = "2",
        /// Face-auth card reader broken.
        ReaderBroken = "3-1",
        /// Card defect (dirty face, IC broken, e-certificate expired).
        CardDefect = "3-2",
        /// Eligibility terminal broken.
        TerminalBroken = "3-3",
        /// Power cut, facility network or wide-area network.
        NetworkDown = "3-4",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    pub case: IncidentCase,
    #[serde(default)]
    pub note: Option<String>,
}

crate::codes! {
    /// How the qualification was seen.
    pub enum VerificationSource {
        Mynaportal = "mynaportal",
        Certificate = "certificate",
        Notice = "notice",
        InsuranceCard = "insurance_card",
        OutageMode = "outage_mode",
        OnlineRecheck = "online_recheck",
        /// The 被保険者資格申立書, signed by the patient (or a guardian).
        Declaration = "declaration",
        /// Case 1 only: the patient's word about the new insurer or employer, what numbers
        /// they know; nothing to sign (the 申立書's premise, a card already issued, is not
        /// met).
        Statement = "statement",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verification {
    pub source: VerificationSource,
    #[serde(default)]
    pub checked_at: Option<DateTime<FixedOffset>>,
    /// Name, address, birth date and sex were read from the card's chip, not typed; the
    /// clerk still reviewed them.
    #[serde(default)]
    pub card_read: bool,
}

crate::codes! {
    /// 保険種別.
    pub enum InsuranceKind {
        Shaho = "shaho",
        Kokuho = "kokuho",
        Kouki = "kouki",
        Other = "other",
        Unknown = "unknown",
    }
}

crate::codes! {
    /// 保険証の交付を受けた時期.
    pub enum IssuedWhen {
        /// An earlier build wrote `within1_month`; it is still read.
        Within1Month = "within_1_month" | "within1_month",
        Earlier = "earlier",
    }
}

crate::codes! {
    /// 一部負担金の割合 as declared on the form.
    pub enum DeclaredRatio {
        R30 = "30",
        R20 = "20",
        R10 = "10",
        Unknown = "unknown",
    }
}

impl DeclaredRatio {
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

crate::codes! {
    pub enum Sex {
        Male = "male",
        Female = "female",
    }
}

crate::codes! {
    /// Who signed the 申立書.
    pub enum Signer {
        Patient = "patient",
        /// 保護者 (with the relationship to the patient).
        Guardian = "guardian",
    }
}

/// The 被保険者資格申立書, normalised (docs/record.md).
///
/// The patient's identity (name … phone) and insurance kind are always filled. The
/// items only the 申立書 asks (`has_valid_card`, `declared_on`, `signer`) are `None`
/// when a document gave the qualification and no declaration was taken.
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

crate::codes! {
    /// What the claim is billed on: the current, a past, or an unknown (不詳) qualification.
    pub enum ClaimBasis {
        Current = "current",
        Past = "past",
        Unknown = "unknown",
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

crate::codes! {
    /// Why the copay ratio is what it is.
    pub enum CopayReason {
        Default = "default",
        Preschool = "preschool",
        Age70To74 = "age70to74",
        Kouki = "kouki",
        Declared = "declared",
        /// 10割 collected now, refunded once the qualification is shown.
        Pending = "pending",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Copay {
    /// Percent the patient pays: 10, 20 or 30; 100 while the qualification is pending.
    pub ratio: u8,
    pub reason: CopayReason,
    /// What was collected at the counter.
    pub amount_yen: Option<u64>,
    /// The visit's total points (点数), when typed: the amount follows from it and the
    /// ratio, and so does the difference once the real ratio is known.
    #[serde(default)]
    pub points: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Followup {
    pub needed: bool,
    pub done_at: Option<DateTime<FixedOffset>>,
    /// The ratio the confirmed qualification gives (percent).
    #[serde(default)]
    pub confirmed_ratio: Option<u8>,
    /// What is owed once the qualification is confirmed: positive, the patient pays more;
    /// negative, the clinic refunds. From the recorded points and what was received.
    #[serde(default)]
    pub difference_yen: Option<i64>,
    /// When the difference was paid or refunded.
    #[serde(default)]
    pub settled_at: Option<DateTime<FixedOffset>>,
}

impl Followup {
    /// A difference is known and not yet paid or refunded.
    pub fn unsettled(&self) -> bool {
        self.difference_yen.is_some_and(|d| d != 0) && self.settled_at.is_none()
    }
}

crate::codes! {
    /// A void keeps the record (and needs a reason); nothing is deleted.
    pub enum Status {
        Active = "active",
        Voided = "voided",
    }
}

/// One version of one intake (docs/record.md).
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

impl Record {
    /// Still open at the desk: the qualification is to be confirmed, or a known
    /// difference is to be refunded or collected (the follow-up list, 要確認).
    pub fn awaits_followup(&self) -> bool {
        self.status == Status::Active && (self.followup.needed || self.followup.unsettled())
    }
}
