//! Raw input as typed in the form or read from an import line: strings, not yet checked.
//!
//! Both the form and `onshi import` produce a `RecordInput` and hand it to
//! `domain::validate::record`, so there is one validation path (docs/record.md).

use serde::{Deserialize, Serialize};

use crate::domain::problem::{FieldError, JsonProblem, Problem};

/// One import line as `RecordInput`, exactly as `onshi import` reads it: the path of the
/// offending field (`declaration.name_kana`) and the kind of problem when it is not one,
/// never a value from the line. Trailing text after the object is an error of the line.
pub fn parse_line(line: &str) -> Result<RecordInput, FieldError> {
    let mut de = serde_json::Deserializer::from_str(line);
    match serde_path_to_error::deserialize::<_, RecordInput>(&mut de) {
        Ok(input) => de.end().map(|()| input).map_err(|_| {
            FieldError::new(
                "",
                Problem::Json {
                    kind: JsonProblem::TrailingText,
                },
            )
        }),
        Err(e) => {
            let kind = json_problem(e.inner());
            Err(FieldError::new(
                field_path(&e.path().to_string(), kind),
                Problem::Json { kind },
            ))
        }
    }
}

/// The category of a JSON error: serde's message is not kept, it can quote the value.
fn json_problem(e: &serde_json::Error) -> JsonProblem {
    use serde_json::error::Category;
    match e.classify() {
        Category::Eof => JsonProblem::Truncated,
        Category::Syntax | Category::Io => JsonProblem::Syntax,
        Category::Data => {
            // serde's fixed wording, matched without keeping any of the text.
            let m = e.to_string();
            if m.starts_with("unknown field") {
                JsonProblem::UnknownField
            } else if m.starts_with("invalid type") {
                JsonProblem::WrongType
            } else {
                JsonProblem::BadValue
            }
        }
    }
}

/// The path of the offending field as serde_path_to_error gives it, kept only when it is
/// made of the record's own field names (ASCII lowercase, digits, `_`, `.`, `[n]`); for
/// an unknown field the last segment is the unknown key — input — and is dropped.
fn field_path(path: &str, problem: JsonProblem) -> String {
    let ours = path
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.[]".contains(&b));
    let path = if path == "." || !ours { "" } else { path };
    if problem == JsonProblem::UnknownField {
        return path
            .rsplit_once('.')
            .map(|(p, _)| p)
            .unwrap_or("")
            .to_string();
    }
    path.to_string()
}

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

#[cfg(test)]
mod parse_tests {
    use super::*;

    fn kind(line: &str) -> (String, JsonProblem) {
        match parse_line(line).unwrap_err() {
            FieldError {
                field,
                problem: Problem::Json { kind },
            } => (field, kind),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn json_problems_name_the_field_and_the_kind_only() {
        let cases = [
            (
                r#"{"declaration":{"name":5}}"#,
                "declaration.name",
                JsonProblem::WrongType,
            ),
            (r#"{"version":"山田"}"#, "version", JsonProblem::WrongType),
            (
                r#"{"declaration":{"yamada":"x"}}"#,
                "declaration",
                JsonProblem::UnknownField,
            ),
            (
                r#"{"declaration":{"山田":"x"}}"#,
                "",
                JsonProblem::UnknownField,
            ),
            (r#"{"yamada":1}"#, "", JsonProblem::UnknownField),
            (
                r#"{"declaration":{"name":"山田"#,
                "declaration.name",
                JsonProblem::Truncated,
            ),
            (
                r#"{"version":99999999999}"#,
                "version",
                JsonProblem::BadValue,
            ),
            ("{}x", "", JsonProblem::TrailingText),
            ("山田", "", JsonProblem::Syntax),
        ];
        for (line, field, want) in cases {
            assert_eq!(kind(line), (field.to_string(), want), "{line}");
        }
    }
}
