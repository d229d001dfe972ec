//! What can be wrong with an input, per field. Messages live in `i18n`, not here.

use crate::domain::era::DateError;
use crate::domain::insurer::{InsurerError, NumberError};
use crate::domain::kana::KanaError;
use crate::domain::phone::PhoneError;
use crate::domain::text::TextError;

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
    /// Copay ratio that is not 10, 20 or 30.
    Ratio {
        value: u8,
    },
    /// Timestamp not RFC 3339.
    Timestamp,
    /// A record id that is not a ULID.
    Id,
    /// version 0 or otherwise impossible.
    Version,
    /// A voided record needs a reason; an active one must not have one.
    VoidReason,
    /// The JSON line itself could not be read (syntax, unknown field, wrong type).
    Json {
        detail: String,
    },
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
