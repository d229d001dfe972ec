//! What can be wrong with an input, per field. Messages live in `i18n`, not here.

use crate::domain::era::DateError;
use crate::domain::insurer::{InsurerError, NumberError};
use crate::domain::kana::KanaError;
use crate::domain::phone::PhoneError;
use crate::domain::record::ClaimBasis;
use crate::domain::text::TextError;

// Note: `Problem::Choice` keeps the value for the form, where the clerk typed it; import
// messages leave it out (`i18n::describe_problem_redacted`).

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A required value is missing.
    Required,
    /// Not one of the allowed codes; `allowed` lists them for the message.
    Choice {
        value: String,
        allowed: Vec<&'static str>,
    },
    Date(DateError),
    Kana(KanaError),
    Text(TextError),
    Insurer(InsurerError),
    Number(NumberError),
    Phone(PhoneError),
    /// A date later than the service date / today where that cannot be.
    InFuture,
    /// Birth date after the service date.
    BirthAfterService,
    /// A value the form does not ask for in this situation (e.g. relationship for a patient signer).
    NotApplicable,
    /// Copay ratio that is not 10, 20, 30 (or 100 pending).
    Ratio {
        value: u8,
    },
    /// A source the incident case does not offer (`case` is its code, or `followup` for
    /// a confirmation after recovery).
    SourceNotOffered {
        case: &'static str,
    },
    /// A 申立書 says 「有効な保険証の交付を受けている」: a patient without an issued card
    /// gives a statement instead.
    DeclarationPremise,
    /// A stated claim basis the source and numbers do not support.
    BasisContradicts {
        supported: ClaimBasis,
    },
    /// A copay ratio or reason the age rules give differently.
    CopayContradicts {
        ratio: u8,
        reason: &'static str,
    },
    /// 10割 pending only in case 1 or for a 不詳 claim.
    FullCopayNotAllowed,
    /// What was received is not the copay for the points at this ratio.
    AmountMismatch {
        expected: u64,
    },
    /// A stated difference that the points, the amount and the confirmed ratio do not give.
    DifferenceContradicts {
        expected: Option<i64>,
    },
    /// Timestamp not RFC 3339.
    Timestamp,
    /// A record id that is not a ULID.
    Id,
    /// version 0 or otherwise impossible.
    Version,
    /// A voided record needs a reason; an active one must not have one.
    VoidReason,
    /// The JSON line itself could not be read. Only the category is kept: a parser's
    /// message can quote the offending value (`invalid type: string "山田…"`).
    Json {
        kind: JsonProblem,
    },
}

/// Why an import line is not a record's JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonProblem {
    /// Not JSON (a missing quote or brace, stray text).
    Syntax,
    /// The line ends in the middle of the JSON.
    Truncated,
    /// A field the record does not have.
    UnknownField,
    /// A value of the wrong type (a number where text belongs, …).
    WrongType,
    /// A value the field cannot take.
    BadValue,
    /// Text after the record's closing brace.
    TrailingText,
    /// The line is not UTF-8.
    NotUtf8,
    /// The line is longer than import reads (`cli/import.rs`, 64 KiB).
    TooLong,
}

/// One problem at one field. `field` is the JSON path (`declaration.name_kana`),
/// which the form maps back to its input box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub problem: Problem,
}

impl FieldError {
    pub fn new(field: impl Into<String>, problem: Problem) -> Self {
        FieldError {
            field: field.into(),
            problem,
        }
    }
}
