//! Raw input as typed in the form or read from an import line: strings, not yet checked.
//!
//! Both the form and `onshi import` produce a `RecordInput` and hand it to
//! `domain::validate::record`, so there is one validation path (docs/record.md).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordInput {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub version: Option<u32>,
    #[serde(default)]
    pub terminal_id: Option<String>,
    #[serde(default)]
    pub operator: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub service_date: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub void_reason: Option<String>,
    #[serde(default)]
    pub incident: IncidentInput,
    #[serde(default)]
    pub verification: VerificationInput,
    #[serde(default)]
    pub declaration: DeclarationInput,
    #[serde(default)]
    pub insurance: InsuranceInput,
    #[serde(default)]
    pub copay: CopayInput,
    #[serde(default)]
    pub followup: FollowupInput,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentInput {
    #[serde(default)]
    pub case: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerificationInput {
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub checked_at: Option<String>,
    #[serde(default)]
    pub card_read: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclarationInput {
    #[serde(default)]
    pub has_valid_card: Option<bool>,
    #[serde(default)]
    pub insurance_kind: Option<String>,
    #[serde(default)]
    pub insurer_name: Option<String>,
    #[serde(default)]
    pub employer_name: Option<String>,
    #[serde(default)]
    pub issued_when: Option<String>,
    #[serde(default)]
    pub issued_note: Option<String>,
    /// `"30"`, `"20"`, `"10"`, `"unknown"`; a bare number is accepted on import too.
    #[serde(default, deserialize_with = "string_or_number")]
    pub copay_ratio: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub name_kana: Option<String>,
    #[serde(default)]
    pub birth_date: Option<String>,
    #[serde(default)]
    pub sex: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub declared_on: Option<String>,
    #[serde(default)]
    pub signer: Option<String>,
    #[serde(default)]
    pub signer_relationship: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InsuranceInput {
    #[serde(default)]
    pub basis: Option<String>,
    #[serde(default)]
    pub insurer_number: Option<String>,
    #[serde(default)]
    pub symbol: Option<String>,
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub branch: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CopayInput {
    #[serde(default)]
    pub ratio: Option<u8>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub amount_yen: Option<u64>,
    #[serde(default)]
    pub points: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowupInput {
    #[serde(default)]
    pub needed: Option<bool>,
    #[serde(default)]
    pub done_at: Option<String>,
    #[serde(default)]
    pub confirmed_ratio: Option<u8>,
    #[serde(default)]
    pub difference_yen: Option<i64>,
    #[serde(default)]
    pub settled_at: Option<String>,
}

/// Accepts `"30"` or `30` for fields whose codes look numeric.
fn string_or_number<'de, D>(de: D) -> Result<Option<String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Scalar {
        S(String),
        N(u64),
    }
    Ok(Option::<Scalar>::deserialize(de)?.map(|v| match v {
        Scalar::S(s) => s,
        Scalar::N(n) => n.to_string(),
    }))
}
