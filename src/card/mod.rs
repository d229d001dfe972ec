//! The card face (券面事項) of a My Number Card over PC/SC (docs/card.md).
//!
//! Only the 券面事項入力補助AP (Card Info Input Support AP) is used, and in it only the PIN EF
//! and the basic-4 EF (name, address, birth date, sex). The individual number EF (`0001`) is
//! never selected or read: [`apdu::Guard`] checks every command against an allow-list right
//! before it is transmitted, and the tests assert on every APDU a virtual card received.
//!
//! # The sequence
//!
//! ```text
//! 00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08   SELECT AP by AID (P2=0C: no FCI)   → 90 00 | 6A82 not this card
//! 00 A4 02 0C 02 00 11                           SELECT EF 0011 (4-digit PIN)       → 90 00
//! 00 20 00 80                                    VERIFY, no data: tries left        → 63 Cx (x tries) | 63 C0, 69 84 locked
//! 00 20 00 80 04 3x 3x 3x 3x                     VERIFY, PIN as ASCII digits        → 90 00 | 63 Cx wrong, x left
//! 00 A4 02 0C 02 00 02                           SELECT EF 0002 (basic 4 items)     → 90 00
//! 00 B0 00 00 07                                 READ BINARY header                 → FF 20 <len> ...
//! 00 B0 00 07 <n>                                READ BINARY the rest (≤255 a time)
//! ```
//!
//! The file is `FF 20 <len> { DF 21 offsets, DF 22 氏名, DF 23 住所, DF 24 YYYYMMDD, DF 25 性別 }`
//! with BER definite lengths; name and address are UTF-8 (see [`face`]). The card is opened in
//! exclusive mode and reset on disconnect, so the verified PIN does not outlive the read.
//!
//! # Sources (every byte above was checked against these)
//!
//! - jpki/myna — `libmyna/text_ap.go`, `libmyna/card_input_helper_ap.go` (AID, EFs 0011/0002,
//!   tags private 33–37 = DF21–DF25 with `utf8` on name and address, read 7 bytes then the
//!   rest), `libmyna/reader.go` (SELECT `00 A4 04 0C` / `00 A4 02 0C`, VERIFY `00 20 00 80`,
//!   tries query = VERIFY without data → `63 Cx`), `src/reader.rs`, `src/text.rs` (Rust port:
//!   `str::from_utf8` on name and address).
//! - soltia48/myna-card — `src/ap/text.rs` (EF map, `FF 20` layout with the offset table,
//!   YYYYMMDD, U+3000 between family and given name, test card bytes), `src/card.rs`
//!   (JICSAP 6.4.9 (5): VERIFY without data does not consume a try; `63 C0` / `69 84` blocked;
//!   `6B 00` / `62 82` end of file), `src/data.rs` (sex is JIS X 0303: 0, 1, 2, 9).
//! - siketyan/jpki-rs — `core/src/ap/support.rs` (AID, EFs 0001/0002/0011, sex "1"/"2"/"9").
//! - AokiApp/jsapdu — `packages/mynacard/src/constants.ts`, `packages/mynacard/src/schema.ts`
//!   (KENHOJO_AP `D3921000310001010408`, BASIC_FOUR 0x02, PIN 0x11, private tags 0x21–0x25).
//! - OpenSC/OpenSC — `src/libopensc/card-jpki.c` (same SELECT/VERIFY shapes on the sibling JPKI
//!   AP; GET_INFO is a case-1 VERIFY read from `SW2 & 0x0F`; contact ATR
//!   `3B E0 00 FF 81 31 FE 45 14`).
//!
//! Sex: the card uses JIS X 0303 (= ISO/IEC 5218) codes — `1` male, `2` female, `0` not known,
//! `9` not applicable; there is no code `3`. `0`/`9` become `sex: None` (the form only has
//! male/female, so the clerk asks); any other byte is a [`CardError::Garbled`].
//!
//! # API for the UI
//!
//! - [`Monitor::spawn`] → [`MonitorHandle`]: `state()` / `generation()`, never blocks.
//! - [`read_face`]`(&Pin, confirm_last_try)` → [`CardFace`]: blocking, run it off the UI thread.
//! - [`pin_tries`]: tries left before asking for the PIN; [`status`]: a one-shot state.
//! - [`CardError::message`] gives the ja/en text for every failure.

pub mod apdu;
mod error;
pub mod face;
mod monitor;
mod pin;
mod reader;
pub mod session;

pub use error::{CardError, Step};
pub use face::{CardFace, FaceError, FaceField};
pub use monitor::{Monitor, MonitorHandle};
pub use pin::Pin;
pub use reader::{pin_tries, read_face, status};

use crate::domain::text::neutralize_for_terminal;
use crate::i18n::{Lang, Msg};
use crate::platform::{self, Os};

/// What the reader side looks like right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReaderState {
    /// Not looked yet (the monitor's first moments).
    Unknown,
    /// The PC/SC service is not running (pcscd; the Smart Card service on Windows).
    NoService,
    /// pcscd runs, no reader is connected.
    NoReader,
    /// Readers are connected, none holds a card.
    Empty,
    /// A card is in `reader` (the first such reader when there are several).
    CardPresent { reader: String },
}

impl ReaderState {
    /// A few words for a status bar.
    pub fn label(&self, lang: Lang) -> &'static str {
        lang.t(match self {
            ReaderState::Unknown => Msg::CardStatusChecking,
            ReaderState::NoService => match platform::OS {
                Os::Unix => Msg::CardStatusNoService,
                Os::Windows => Msg::CardStatusNoServiceWindows,
            },
            ReaderState::NoReader => Msg::CardStatusNoReader,
            ReaderState::Empty => Msg::CardStatusEmpty,
            ReaderState::CardPresent { .. } => Msg::CardStatusPresent,
        })
    }

    /// One line for `onshi card status` / `onshi doctor`.
    pub fn describe(&self, lang: Lang) -> String {
        let head = lang.t(Msg::CardReaderLabel);
        let sep = match lang {
            Lang::Ja => "：",
            Lang::En => ": ",
        };
        match self {
            ReaderState::NoService => format!("{head}{sep}{}", CardError::NoService.message(lang)),
            ReaderState::NoReader => format!("{head}{sep}{}", CardError::NoReader.message(lang)),
            ReaderState::CardPresent { reader } => format!(
                "{head}{sep}{} ({})",
                self.label(lang),
                neutralize_for_terminal(reader)
            ),
            ReaderState::Unknown | ReaderState::Empty => format!("{head}{sep}{}", self.label(lang)),
        }
    }

    /// pcscd and at least one reader are there (whether or not a card is in).
    pub fn reader_available(&self) -> bool {
        matches!(self, ReaderState::Empty | ReaderState::CardPresent { .. })
    }
}
