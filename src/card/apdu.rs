//! The only APDUs this module may send, and the guard that enforces it.
//!
//! Every command goes through [`Guard::check`] right before it is transmitted. The guard is
//! an allow-list of exact byte strings plus a small state machine:
//!
//! | command | bytes | allowed when |
//! |---|---|---|
//! | SELECT 券面事項入力補助AP | `00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08` | always |
//! | SELECT EF PIN | `00 A4 02 0C 02 00 11` | the AP is selected |
//! | SELECT EF basic-4 | `00 A4 02 0C 02 00 02` | the AP is selected |
//! | VERIFY, query tries | `00 20 00 80` | the PIN EF is selected |
//! | VERIFY | `00 20 00 80 04` + 4 ASCII digits | the PIN EF is selected |
//! | READ BINARY | `00 B0 P1 P2 Le`, P1 < 0x80, offset < 2048 | the basic-4 EF is selected |
//!
//! Everything else is refused before it reaches the card — in particular SELECT of EF `0001`
//! (the individual number), READ BINARY with a short EF identifier (P1 bit 8 set, which would
//! select EF `0001` implicitly), any other AP, and any write. The state only advances when the
//! card answered `90 00`, so a failed SELECT can never leave READ BINARY pointed at an EF we
//! did not choose.

use zeroize::Zeroizing;

use super::error::CardError;
use super::face::MAX_FILE_LEN;
use super::pin::Pin;

/// AID of the 券面事項入力補助AP (Card Info Input Support AP).
pub const AID_INPUT_SUPPORT: [u8; 10] =
    [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08];
/// EF of the 4-digit 券面事項入力補助用暗証番号.
pub const EF_PIN: [u8; 2] = [0x00, 0x11];
/// EF of the basic 4 items.
pub const EF_BASIC4: [u8; 2] = [0x00, 0x02];
/// EF of the individual number (My Number). Named only so tests can assert it is refused;
/// no code path builds a command with it.
pub const EF_INDIVIDUAL_NUMBER: [u8; 2] = [0x00, 0x01];

/// SELECT FILE by DF name, no FCI (P2 = 0C).
pub fn select_ap() -> Vec<u8> {
    let mut c = vec![0x00, 0xA4, 0x04, 0x0C, AID_INPUT_SUPPORT.len() as u8];
    c.extend_from_slice(&AID_INPUT_SUPPORT);
    c
}

/// SELECT FILE by EF identifier under the current DF, no FCI.
pub fn select_ef(ef: [u8; 2]) -> Vec<u8> {
    vec![0x00, 0xA4, 0x02, 0x0C, 0x02, ef[0], ef[1]]
}

/// VERIFY with no data: the card answers `63 Cx` (x tries left) without consuming a try.
pub const VERIFY_QUERY: [u8; 4] = [0x00, 0x20, 0x00, 0x80];

/// VERIFY with the PIN as ASCII digits (P2 = 80: the key of the current EF).
pub fn verify(pin: &Pin) -> Zeroizing<Vec<u8>> {
    let mut c = Zeroizing::new(Vec::with_capacity(9));
    c.extend_from_slice(&[0x00, 0x20, 0x00, 0x80, 0x04]);
    c.extend_from_slice(pin.ascii());
    c
}

/// READ BINARY of the current EF at `offset`, asking for `le` bytes (1–255).
pub fn read_binary(offset: u16, le: u8) -> [u8; 5] {
    let [p1, p2] = offset.to_be_bytes();
    [0x00, 0xB0, p1, p2, le]
}

/// What an allowed APDU is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    SelectAp,
    SelectPinEf,
    SelectBasic4Ef,
    VerifyQuery,
    Verify,
    ReadBinary,
}

/// Classify `apdu` against the allow-list; `None` for anything not on it.
pub fn classify(apdu: &[u8]) -> Option<Kind> {
    if apdu == select_ap().as_slice() {
        return Some(Kind::SelectAp);
    }
    if apdu == select_ef(EF_PIN).as_slice() {
        return Some(Kind::SelectPinEf);
    }
    if apdu == select_ef(EF_BASIC4).as_slice() {
        return Some(Kind::SelectBasic4Ef);
    }
    if apdu == VERIFY_QUERY {
        return Some(Kind::VerifyQuery);
    }
    match apdu {
        [0x00, 0x20, 0x00, 0x80, 0x04, digits @ ..]
            if digits.len() == 4 && digits.iter().all(u8::is_ascii_digit) =>
        {
            Some(Kind::Verify)
        }
        // P1 bit 8 clear: P1-P2 is an offset into the current EF, not a short EF id.
        [0x00, 0xB0, p1, p2, le]
            if *p1 & 0x80 == 0
                && usize::from(u16::from_be_bytes([*p1, *p2])) < MAX_FILE_LEN
                && *le != 0 =>
        {
            Some(Kind::ReadBinary)
        }
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Selected {
    Nothing,
    Ap,
    PinEf,
    Basic4Ef,
}

/// The allow-list plus the selection state; one per card connection.
#[derive(Debug)]
pub struct Guard {
    selected: Selected,
}

impl Default for Guard {
    fn default() -> Self {
        Guard::new()
    }
}

impl Guard {
    pub fn new() -> Guard {
        Guard {
            selected: Selected::Nothing,
        }
    }

    /// Refuse anything not on the allow-list or not valid in the current state.
    /// Called right before every transmit.
    pub fn check(&self, apdu: &[u8]) -> Result<Kind, CardError> {
        let kind = classify(apdu).ok_or(CardError::Forbidden)?;
        let ok = match kind {
            Kind::SelectAp => true,
            Kind::SelectPinEf | Kind::SelectBasic4Ef => self.selected != Selected::Nothing,
            Kind::VerifyQuery | Kind::Verify => self.selected == Selected::PinEf,
            Kind::ReadBinary => self.selected == Selected::Basic4Ef,
        };
        if ok {
            Ok(kind)
        } else {
            Err(CardError::Forbidden)
        }
    }

    /// Record the card's answer to an allowed command.
    pub fn observe(&mut self, kind: Kind, sw: u16) {
        let success = sw == 0x9000;
        self.selected = match (kind, success) {
            (Kind::SelectAp, true) => Selected::Ap,
            (Kind::SelectPinEf, true) => Selected::PinEf,
            (Kind::SelectBasic4Ef, true) => Selected::Basic4Ef,
            // A failed SELECT leaves the card's current file unknown to us: start over.
            (Kind::SelectAp | Kind::SelectPinEf | Kind::SelectBasic4Ef, false) => Selected::Nothing,
            (Kind::VerifyQuery | Kind::Verify | Kind::ReadBinary, _) => self.selected,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pin() -> Pin {
        Pin::parse("1234").unwrap()
    }

    #[test]
    fn builders_match_published_bytes() {
        // jpki/myna, soltia48/myna-card, OpenSC card-jpki.c
        assert_eq!(
            select_ap(),
            [
                0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04,
                0x08
            ]
        );
        assert_eq!(
            select_ef(EF_PIN),
            [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x11]
        );
        assert_eq!(
            select_ef(EF_BASIC4),
            [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x02]
        );
        assert_eq!(
            verify(&pin()).as_slice(),
            [0x00, 0x20, 0x00, 0x80, 0x04, 0x31, 0x32, 0x33, 0x34]
        );
        assert_eq!(read_binary(0x0107, 0x20), [0x00, 0xB0, 0x01, 0x07, 0x20]);
    }

    #[test]
    fn the_individual_number_is_never_allowed() {
        let mut g = Guard::new();
        let k = g.check(&select_ap()).unwrap();
        g.observe(k, 0x9000);
        assert_eq!(
            g.check(&select_ef(EF_INDIVIDUAL_NUMBER)),
            Err(CardError::Forbidden)
        );
        // READ BINARY by short EF id 01 (P1 = 0x81) would read EF 0001 without a SELECT.
        let k = g.check(&select_ef(EF_BASIC4)).unwrap();
        g.observe(k, 0x9000);
        assert_eq!(
            g.check(&[0x00, 0xB0, 0x81, 0x00, 0x11]),
            Err(CardError::Forbidden)
        );
        assert!(g.check(&read_binary(0, 7)).is_ok());
    }

    #[test]
    fn other_aps_and_commands_are_refused() {
        let g = Guard::new();
        for apdu in [
            // JPKI AP, 券面事項確認AP, 住基AP
            &[
                0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00,
                0x01,
            ][..],
            &[
                0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04,
                0x02,
            ],
            &[
                0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04,
                0x01,
            ],
            // prefix selection of the AP (JICSAP allows a DF name prefix to match)
            &[
                0x00, 0xA4, 0x04, 0x0C, 0x09, 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04,
            ],
            &[0x00, 0xA4, 0x00, 0x00], // select MF
            &[0x00, 0x24, 0x01, 0x80, 0x04, b'1', b'2', b'3', b'4'], // change PIN
            &[0x00, 0xD6, 0x00, 0x00, 0x01, 0x00], // UPDATE BINARY
            &[0x00, 0xC0, 0x00, 0x00, 0x10], // GET RESPONSE
            &[0x80, 0x2A, 0x00, 0x80, 0x01, 0x00], // COMPUTE SIGNATURE
            &[],
        ] {
            assert_eq!(g.check(apdu), Err(CardError::Forbidden), "{apdu:02X?}");
        }
    }

    #[test]
    fn state_machine_orders_the_commands() {
        let mut g = Guard::new();
        // Nothing selected: only SELECT AP.
        assert_eq!(g.check(&VERIFY_QUERY), Err(CardError::Forbidden));
        assert_eq!(g.check(&select_ef(EF_PIN)), Err(CardError::Forbidden));
        assert_eq!(g.check(&read_binary(0, 7)), Err(CardError::Forbidden));
        // A failed SELECT AP does not open anything.
        let k = g.check(&select_ap()).unwrap();
        g.observe(k, 0x6A82);
        assert_eq!(g.check(&select_ef(EF_PIN)), Err(CardError::Forbidden));
        let k = g.check(&select_ap()).unwrap();
        g.observe(k, 0x9000);
        let k = g.check(&select_ef(EF_PIN)).unwrap();
        g.observe(k, 0x9000);
        assert!(g.check(&VERIFY_QUERY).is_ok());
        assert!(g.check(&verify(&pin())).is_ok());
        assert_eq!(g.check(&read_binary(0, 7)), Err(CardError::Forbidden));
        let k = g.check(&select_ef(EF_BASIC4)).unwrap();
        g.observe(k, 0x9000);
        assert_eq!(g.check(&verify(&pin())), Err(CardError::Forbidden));
        assert!(g.check(&read_binary(7, 0xFF)).is_ok());
        // A failed SELECT EF leaves READ BINARY closed.
        let k = g.check(&select_ef(EF_BASIC4)).unwrap();
        g.observe(k, 0x6A82);
        assert_eq!(g.check(&read_binary(0, 7)), Err(CardError::Forbidden));
    }

    proptest! {
        #[test]
        fn nothing_random_mentions_the_individual_number(apdu in proptest::collection::vec(any::<u8>(), 0..20)) {
            if let Some(kind) = classify(&apdu) {
                // Whatever is allowed is one of the fixed shapes above; none can reach EF 0001.
                prop_assert!(apdu != select_ef(EF_INDIVIDUAL_NUMBER));
                if kind == Kind::ReadBinary {
                    prop_assert_eq!(apdu[2] & 0x80, 0);
                }
            }
        }
    }
}
