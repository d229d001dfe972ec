//! Messages with parameters, composed from catalogue entries.

use super::{Label, Lang, Msg};
use crate::domain::era::DateError;
use crate::domain::insurer::{InsurerError, NumberError};
use crate::domain::phone::PhoneError;
use crate::domain::problem::{JsonProblem, Problem};
use crate::domain::text::{neutralize_for_terminal, TextError};
use crate::store::{EncryptionIssue, NotAStoreReason, StoreError};

/// A character from user input, safe to show and quoted.
fn quote_char(lang: Lang, ch: char) -> String {
    let shown = neutralize_for_terminal(&ch.to_string());
    match lang {
        Lang::Ja => format!("「{shown}」"),
        Lang::En => format!("'{shown}'"),
    }
}

fn with_detail(lang: Lang, msg: Msg, detail: String) -> String {
    match lang {
        Lang::Ja => format!("{}：{detail}", lang.t(msg)),
        Lang::En => format!("{}: {detail}", lang.t(msg)),
    }
}

/// The clerk-facing text of a problem in the form, quoting the offending character or
/// value the clerk typed (it is on the clerk's own screen).
pub fn describe_problem(p: &Problem, lang: Lang) -> String {
    describe(p, lang, true)
}

/// The same without anything taken from the input — no quoted value, no quoted character;
/// the category and where (position, length) only — for import rejections, which go to
/// stderr and logs.
pub fn describe_problem_redacted(p: &Problem, lang: Lang) -> String {
    describe(p, lang, false)
}

fn json_problem(kind: JsonProblem) -> Msg {
    match kind {
        JsonProblem::Syntax => Msg::ProblemJsonSyntax,
        JsonProblem::Truncated => Msg::ProblemJsonTruncated,
        JsonProblem::UnknownField => Msg::ProblemJsonUnknownField,
        JsonProblem::WrongType => Msg::ProblemJsonWrongType,
        JsonProblem::BadValue => Msg::ProblemJsonBadValue,
        JsonProblem::TrailingText => Msg::ProblemJsonTrailing,
        JsonProblem::NotUtf8 => Msg::ProblemJsonNotUtf8,
        JsonProblem::TooLong => Msg::ProblemJsonTooLong,
    }
}

fn describe(p: &Problem, lang: Lang, quote: bool) -> String {
    let t = |m| lang.t(m).to_string();
    // A quoted input character, or nothing when the message must not quote input.
    let quoted = |ch: char| {
        if quote {
            format!(" {}", quote_char(lang, ch))
        } else {
            String::new()
        }
    };
    match p {
        Problem::Required => t(Msg::ProblemRequired),
        Problem::Choice { value, allowed } if quote => with_detail(
            lang,
            Msg::ProblemChoice,
            format!(
                "{} → {}",
                neutralize_for_terminal(value),
                allowed.join(" / ")
            ),
        ),
        Problem::Choice { allowed, .. } => {
            with_detail(lang, Msg::ProblemChoice, allowed.join(" / "))
        }
        Problem::Date(e) => t(match e {
            DateError::Empty => Msg::ProblemDateEmpty,
            DateError::Format => Msg::ProblemDateFormat,
            DateError::UnknownEra => Msg::ProblemDateUnknownEra,
            DateError::OutOfEra { .. } => Msg::ProblemDateOutOfEra,
            DateError::Impossible => Msg::ProblemDateImpossible,
        }),
        Problem::Kana(e) => match lang {
            Lang::Ja => format!(
                "{}（{}文字目{}）",
                t(Msg::ProblemKana),
                e.position + 1,
                quoted(e.ch).trim_start()
            ),
            Lang::En if quote => format!(
                "{} ({} at position {} is not allowed)",
                t(Msg::ProblemKana),
                quote_char(lang, e.ch),
                e.position + 1
            ),
            Lang::En => format!(
                "{} (position {} is not allowed)",
                t(Msg::ProblemKana),
                e.position + 1
            ),
        },
        Problem::Text(TextError::Control { position }) => match lang {
            Lang::Ja => format!("{}（{}文字目）", t(Msg::ProblemControl), position + 1),
            Lang::En => format!("{} (position {})", t(Msg::ProblemControl), position + 1),
        },
        Problem::Text(TextError::TooLong { max }) => match lang {
            Lang::Ja => format!("{} {max}）", t(Msg::ProblemTooLong)),
            Lang::En => format!("{} {max})", t(Msg::ProblemTooLong)),
        },
        Problem::Insurer(e) => match e {
            InsurerError::Empty => t(Msg::ProblemInsurerEmpty),
            InsurerError::NotDigits { ch } => {
                format!("{}{}", t(Msg::ProblemInsurerDigits), quoted(*ch))
            }
            InsurerError::Length { len } => match lang {
                Lang::Ja => format!("{}（{len}桁）", t(Msg::ProblemInsurerLength)),
                Lang::En => format!("{} (got {len})", t(Msg::ProblemInsurerLength)),
            },
            InsurerError::CheckDigit { expected } => match lang {
                Lang::Ja => format!("{}（正しくは末尾{expected}）", t(Msg::ProblemInsurerCheck)),
                Lang::En => format!(
                    "{} (expected last digit {expected})",
                    t(Msg::ProblemInsurerCheck)
                ),
            },
            InsurerError::ClaimCode => t(Msg::ProblemInsurerClaimCode),
            InsurerError::Prefecture { code } => format!(
                "{} ({})",
                t(Msg::ProblemInsurerPrefecture),
                neutralize_for_terminal(code)
            ),
            InsurerError::Houbetsu { code } => format!(
                "{} ({})",
                t(Msg::ProblemInsurerHoubetsu),
                neutralize_for_terminal(code)
            ),
        },
        Problem::Number(e) => match e {
            NumberError::Empty => t(Msg::ProblemRequired),
            NumberError::Invalid { ch } => {
                format!("{}{}", t(Msg::ProblemNumberInvalid), quoted(*ch))
            }
            NumberError::TooLong { max } => match lang {
                Lang::Ja => format!("{} {max}）", t(Msg::ProblemTooLong)),
                Lang::En => format!("{} {max})", t(Msg::ProblemTooLong)),
            },
        },
        Problem::Phone(PhoneError::Invalid { ch }) => {
            format!("{}{}", t(Msg::ProblemPhoneChar), quoted(*ch))
        }
        Problem::Phone(PhoneError::Digits { count }) => match lang {
            Lang::Ja => format!("{}：{count}桁", t(Msg::ProblemPhoneDigits)),
            Lang::En => format!("{}: got {count}", t(Msg::ProblemPhoneDigits)),
        },
        Problem::InFuture => t(Msg::ProblemInFuture),
        Problem::BirthAfterService => t(Msg::ProblemBirthAfterService),
        Problem::NotApplicable => t(Msg::ProblemNotApplicable),
        Problem::Ratio { value } => format!("{} ({value})", t(Msg::ProblemRatio)),
        Problem::SourceNotOffered { case } => {
            format!("{} ({case})", t(Msg::ProblemSourceNotOffered))
        }
        Problem::DeclarationPremise => t(Msg::ProblemDeclarationPremise),
        Problem::BasisContradicts { supported } => format!(
            "{} ({})",
            t(Msg::ProblemBasisContradicts),
            lang.t(supported.label())
        ),
        Problem::CopayContradicts { ratio, reason } => {
            format!("{} ({ratio}%, {reason})", t(Msg::ProblemCopayContradicts))
        }
        Problem::FullCopayNotAllowed => t(Msg::ProblemFullCopay),
        Problem::AmountMismatch { expected } => match lang {
            Lang::Ja => format!("{}（{expected}円）", t(Msg::ProblemAmountMismatch)),
            Lang::En => format!("{} ({expected} yen)", t(Msg::ProblemAmountMismatch)),
        },
        Problem::DifferenceContradicts { expected } => match expected {
            Some(e) => format!("{} ({e})", t(Msg::ProblemDifference)),
            None => t(Msg::ProblemDifference),
        },
        Problem::Timestamp => t(Msg::ProblemTimestamp),
        Problem::Id => t(Msg::ProblemId),
        Problem::Version => t(Msg::ProblemVersion),
        Problem::VoidReason => t(Msg::ProblemVoidReason),
        Problem::Json { kind } => with_detail(lang, Msg::ProblemJson, t(json_problem(*kind))),
    }
}

/// The clerk-facing text for a store failure. Never includes record contents.
pub fn describe_store_error(e: &StoreError, lang: Lang) -> String {
    let t = |m| lang.t(m).to_string();
    match e {
        StoreError::InUse { pid: Some(pid) } => match lang {
            Lang::Ja => format!("{}（{} {pid}）", t(Msg::StoreInUse), t(Msg::StorePid)),
            Lang::En => format!("{} ({} {pid})", t(Msg::StoreInUse), t(Msg::StorePid)),
        },
        StoreError::InUse { pid: None } => t(Msg::StoreInUse),
        StoreError::Permission { path } => {
            with_detail(lang, Msg::StorePermission, path.display().to_string())
        }
        StoreError::DiskFull => t(Msg::StoreDiskFull),
        StoreError::Schema { found, supported } => {
            format!("{} (schema {found} > {supported})", t(Msg::StoreSchema))
        }
        StoreError::Conflict { .. } => t(Msg::StoreConflict),
        StoreError::Corrupt { .. } => t(Msg::StoreCorrupt),
        // The kind in the operator's words; sled's own detail is English and names no
        // remedy.
        StoreError::Io { kind, .. } => match io_msg(*kind) {
            // Nothing more specific to say than the headline.
            Msg::IoOther => t(Msg::StoreIo),
            what => with_detail(lang, Msg::StoreIo, t(what)),
        },
        StoreError::Locked => t(Msg::StoreLocked),
        StoreError::WrongPassphrase => t(Msg::StoreWrongPassphrase),
        StoreError::Encryption { issue } => t(match issue {
            EncryptionIssue::AlreadyEncrypted => Msg::StoreAlreadyEncrypted,
            EncryptionIssue::NotEncrypted => Msg::StoreNotEncrypted,
            EncryptionIssue::WeakPassphrase => Msg::StoreWeakPassphrase,
            EncryptionIssue::Unsupported => Msg::StoreCryptoUnsupported,
        }),
        StoreError::NotAStore { path, reason } => with_detail(
            lang,
            match reason {
                NotAStoreReason::NotEmpty => Msg::StoreNotAStore,
                NotAStoreReason::NotADirectory => Msg::StoreNotADirectory,
            },
            path.display().to_string(),
        ),
    }
}

/// What an I/O error on a file means, in `lang` (the OS's own text is English on every
/// system and names no remedy).
pub fn describe_io(e: &std::io::Error, lang: Lang) -> &'static str {
    lang.t(io_msg(e.kind()))
}

/// The catalogue's words for an I/O error of `kind`.
fn io_msg(kind: std::io::ErrorKind) -> Msg {
    use std::io::ErrorKind as K;
    match kind {
        K::NotFound => Msg::IoNotFound,
        K::PermissionDenied => Msg::IoPermission,
        K::IsADirectory => Msg::IoIsDirectory,
        K::NotADirectory => Msg::IoNotADirectory,
        K::AlreadyExists => Msg::IoExists,
        K::StorageFull | K::QuotaExceeded => Msg::IoDiskFull,
        K::ReadOnlyFilesystem => Msg::IoReadOnly,
        K::InvalidData => Msg::IoInvalidData,
        K::BrokenPipe => Msg::IoClosed,
        _ => Msg::IoOther,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_io_error_is_told_by_its_kind_never_by_sleds_english_detail() {
        let io = |kind| StoreError::Io {
            kind,
            detail: "sled said something in English".to_string(),
        };
        let denied = describe_store_error(&io(std::io::ErrorKind::PermissionDenied), Lang::Ja);
        assert!(denied.starts_with(Lang::Ja.t(Msg::StoreIo)), "{denied}");
        assert!(denied.ends_with(Lang::Ja.t(Msg::IoPermission)), "{denied}");
        let other = describe_store_error(&io(std::io::ErrorKind::Other), Lang::En);
        assert_eq!(other, Lang::En.t(Msg::StoreIo));
        assert!(!denied.contains("sled") && !other.contains("sled"));
    }
}
