//! Everything that can go wrong reading a card, each with its own ja/en message.
//!
//! No variant carries card data or the PIN, so errors may be shown, logged or audited freely.

use std::fmt;

use super::face::{FaceError, FaceField};
use crate::i18n::{Lang, Msg};
use crate::platform::{self, Os};

/// Which command of the read sequence got an unexpected status word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    SelectAp,
    SelectPinEf,
    QueryTries,
    Verify,
    SelectBasic4,
    ReadBinary,
}

impl Step {
    fn msg(self) -> Msg {
        match self {
            Step::SelectAp => Msg::CardStepSelectAp,
            Step::SelectPinEf => Msg::CardStepSelectPin,
            Step::QueryTries => Msg::CardStepQueryTries,
            Step::Verify => Msg::CardStepVerify,
            Step::SelectBasic4 => Msg::CardStepSelectData,
            Step::ReadBinary => Msg::CardStepRead,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardError {
    /// pcscd is not running (or stopped while we talked to it).
    NoService,
    /// pcscd runs but no reader is connected.
    NoReader,
    /// Readers are connected, none holds a card.
    NoCard,
    /// Another program holds the card exclusively.
    ReaderInUse,
    /// A card is inserted but does not answer (upside down, dirty contacts, broken chip).
    Unresponsive,
    /// The card was removed, reset or lost contact in the middle of the sequence.
    Removed,
    /// SELECT of the 券面事項入力補助AP failed: not a My Number Card.
    NotMyNumberCard,
    /// No PIN tries left; only the municipal office can reset it.
    PinLocked,
    /// One try left and the caller did not confirm; nothing was sent that could lock the card.
    LastTryNeedsConfirmation,
    /// VERIFY failed; the card has this many tries left (1 or more).
    WrongPin { tries_left: u8 },
    /// The PIN typed is not 4 digits (nothing was sent).
    PinFormat,
    /// The card answered a command with a status word we do not expect.
    UnexpectedStatus { step: Step, sw: u16 },
    /// The basic-4 data could not be parsed.
    Garbled(FaceError),
    /// A command outside the allow-list was about to be sent; it was not. A bug if seen.
    Forbidden,
    /// Any other PC/SC failure, with the PC/SC description (never card data).
    Pcsc(String),
}

impl CardError {
    /// The user-facing message in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let t = |m| lang.t(m);
        let (open, close, sep) = match lang {
            Lang::Ja => ("（", "）", "："),
            Lang::En => (" (", ")", ": "),
        };
        match self {
            CardError::NoService => t(match platform::OS {
                Os::Unix => Msg::CardNoService,
                Os::Windows => Msg::CardNoServiceWindows,
            })
            .to_string(),
            CardError::NoReader => t(Msg::CardNoReader).to_string(),
            CardError::NoCard => t(Msg::CardNoCard).to_string(),
            CardError::ReaderInUse => t(Msg::CardReaderInUse).to_string(),
            CardError::Unresponsive => t(Msg::CardUnresponsive).to_string(),
            CardError::Removed => t(Msg::CardRemoved).to_string(),
            CardError::NotMyNumberCard => t(Msg::CardNotMyNumber).to_string(),
            CardError::PinLocked => t(Msg::CardPinLocked).to_string(),
            CardError::LastTryNeedsConfirmation => t(Msg::CardLastTry).to_string(),
            CardError::WrongPin { tries_left } => format!(
                "{}{open}{}{sep}{tries_left}{close}",
                t(Msg::CardWrongPin),
                t(Msg::CardTriesLeft)
            ),
            CardError::PinFormat => t(Msg::CardPinFormat).to_string(),
            CardError::UnexpectedStatus { step, sw } => format!(
                "{}{open}{}, SW {sw:04X}{close}",
                t(Msg::CardUnexpected),
                t(step.msg())
            ),
            CardError::Garbled(e) => {
                let what = match e.field() {
                    Some(FaceField::Name) => Msg::FieldName,
                    Some(FaceField::Address) => Msg::FieldAddress,
                    Some(FaceField::BirthDate) => Msg::FieldBirthDate,
                    Some(FaceField::Sex) => Msg::FieldSex,
                    None => Msg::CardDataStructure,
                };
                format!("{}{open}{}{close}", t(Msg::CardGarbled), t(what))
            }
            CardError::Forbidden => t(Msg::CardForbidden).to_string(),
            CardError::Pcsc(detail) => format!("{}{sep}{detail}", t(Msg::CardReaderError)),
        }
    }

    /// Whether the read can simply be retried with the card (re)placed — as opposed to a
    /// PIN problem or a card that will never work.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            CardError::NoCard
                | CardError::Removed
                | CardError::ReaderInUse
                | CardError::Unresponsive
        )
    }
}

impl fmt::Display for CardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for CardError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_a_message_in_both_languages() {
        let all = [
            CardError::NoService,
            CardError::NoReader,
            CardError::NoCard,
            CardError::ReaderInUse,
            CardError::Unresponsive,
            CardError::Removed,
            CardError::NotMyNumberCard,
            CardError::PinLocked,
            CardError::LastTryNeedsConfirmation,
            CardError::WrongPin { tries_left: 2 },
            CardError::PinFormat,
            CardError::UnexpectedStatus {
                step: Step::ReadBinary,
                sw: 0x6982,
            },
            CardError::Garbled(FaceError::BadDate),
            CardError::Garbled(FaceError::Truncated),
            CardError::Forbidden,
            CardError::Pcsc("x".into()),
        ];
        for lang in [Lang::Ja, Lang::En] {
            let mut seen = std::collections::HashSet::new();
            for e in &all {
                let m = e.message(lang);
                assert!(!m.is_empty());
                assert!(seen.insert(m.clone()), "duplicate message {m}");
            }
        }
        assert_eq!(
            CardError::WrongPin { tries_left: 2 }.message(Lang::Ja),
            "暗証番号が違います（残り回数：2）"
        );
        assert!(CardError::PinLocked
            .message(Lang::Ja)
            .contains("市区町村窓口"));
        assert!(CardError::PinLocked
            .message(Lang::En)
            .contains("municipal office"));
        assert!(CardError::UnexpectedStatus {
            step: Step::ReadBinary,
            sw: 0x6982
        }
        .message(Lang::En)
        .contains("SW 6982"));
    }
}
