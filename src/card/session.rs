//! The read sequence over any transport, with the allow-list checked before every command.
//!
//! Generic so the sequence can be unit-tested with a scripted transport; the real transport
//! is PC/SC (`reader.rs`).

use zeroize::Zeroizing;

use super::apdu::{self, Guard, EF_BASIC4, EF_PIN, VERIFY_QUERY};
use super::error::{CardError, Step};
use super::face::{self, CardFace, MAX_FILE_LEN};
use super::pin::Pin;

/// A card's answer: data (wiped on drop — it may be personal data) and status word.
pub struct Response {
    pub data: Zeroizing<Vec<u8>>,
    pub sw: u16,
}

/// Sends one APDU and returns the card's answer. Implementations map transport failures to
/// [`CardError`] (e.g. a removed card to [`CardError::Removed`]).
pub trait Transport {
    fn transmit(&mut self, apdu: &[u8]) -> Result<Response, CardError>;
}

/// Bytes read first: enough for the `FF 20` header in any length form (`FF 20 82 LL LL`)
/// plus the start of the first item — the same first read jpki/myna does.
const HEAD_LEN: u8 = 7;
/// Largest READ BINARY chunk we ask for (short Le, never the 00 = 256 special case).
const CHUNK: usize = 0xFF;

/// One connection's worth of the protocol.
pub struct Session<T: Transport> {
    transport: T,
    guard: Guard,
}

impl<T: Transport> Session<T> {
    pub fn new(transport: T) -> Session<T> {
        Session {
            transport,
            guard: Guard::new(),
        }
    }

    pub fn into_transport(self) -> T {
        self.transport
    }

    /// The single choke point: nothing reaches the transport without passing the guard.
    fn send(&mut self, apdu: &[u8]) -> Result<Response, CardError> {
        let kind = self.guard.check(apdu)?;
        let resp = self.transport.transmit(apdu)?;
        self.guard.observe(kind, resp.sw);
        Ok(resp)
    }

    fn expect_ok(&mut self, apdu: &[u8], step: Step) -> Result<Response, CardError> {
        let resp = self.send(apdu)?;
        if resp.sw == 0x9000 {
            Ok(resp)
        } else {
            Err(CardError::UnexpectedStatus { step, sw: resp.sw })
        }
    }

    /// SELECT the 券面事項入力補助AP and its PIN EF.
    pub fn select_pin(&mut self) -> Result<(), CardError> {
        let resp = self.send(&apdu::select_ap())?;
        if resp.sw != 0x9000 {
            // 6A82 (file not found) on other cards; any refusal means this is not the card
            // we can read, and nothing else is tried.
            return Err(CardError::NotMyNumberCard);
        }
        self.expect_ok(&apdu::select_ef(EF_PIN), Step::SelectPinEf)?;
        Ok(())
    }

    /// Tries left on the PIN, without consuming one (VERIFY with no data → `63 Cx`).
    /// Requires [`Session::select_pin`] first.
    pub fn tries_left(&mut self) -> Result<u8, CardError> {
        let resp = self.send(&VERIFY_QUERY)?;
        match resp.sw {
            sw if sw & 0xFFF0 == 0x63C0 => Ok((sw & 0x000F) as u8),
            // "authentication method blocked" / "reference data not usable"
            0x6983 | 0x6984 => Ok(0),
            sw => Err(CardError::UnexpectedStatus {
                step: Step::QueryTries,
                sw,
            }),
        }
    }

    /// VERIFY the PIN, after the tries check of DESIGN §7.
    pub fn verify(&mut self, pin: &Pin, confirm_last_try: bool) -> Result<(), CardError> {
        match self.tries_left()? {
            0 => return Err(CardError::PinLocked),
            1 if !confirm_last_try => return Err(CardError::LastTryNeedsConfirmation),
            _ => {}
        }
        let resp = self.send(&apdu::verify(pin))?;
        match resp.sw {
            0x9000 => Ok(()),
            sw if sw & 0xFFF0 == 0x63C0 => match (sw & 0x000F) as u8 {
                0 => Err(CardError::PinLocked),
                n => Err(CardError::WrongPin { tries_left: n }),
            },
            0x6983 | 0x6984 => Err(CardError::PinLocked),
            sw => Err(CardError::UnexpectedStatus {
                step: Step::Verify,
                sw,
            }),
        }
    }

    /// SELECT the basic-4 EF and read exactly its TLV object. Requires a verified PIN.
    pub fn read_basic4(&mut self) -> Result<Zeroizing<Vec<u8>>, CardError> {
        self.expect_ok(&apdu::select_ef(EF_BASIC4), Step::SelectBasic4)?;
        let mut file = Zeroizing::new(Vec::with_capacity(256));
        let head = self.read_chunk(0, HEAD_LEN)?;
        file.extend_from_slice(&head);
        let total = face::file_len(&file).map_err(CardError::Garbled)?;
        if total > MAX_FILE_LEN {
            return Err(CardError::Garbled(face::FaceError::BadEncoding));
        }
        while file.len() < total {
            let want = (total - file.len()).min(CHUNK) as u8;
            let offset = u16::try_from(file.len()).map_err(|_| CardError::Forbidden)?;
            let chunk = self.read_chunk(offset, want)?;
            if chunk.is_empty() {
                // The card has no more bytes than this: the length lied.
                return Err(CardError::Garbled(face::FaceError::Truncated));
            }
            file.extend_from_slice(&chunk);
        }
        file.truncate(total);
        Ok(file)
    }

    fn read_chunk(&mut self, offset: u16, le: u8) -> Result<Zeroizing<Vec<u8>>, CardError> {
        let cmd = apdu::read_binary(offset, le);
        let resp = self.send(&cmd)?;
        match resp.sw {
            0x9000 => Ok(resp.data),
            // End of file reached before Le bytes (ISO 7816-4) / offset past the end
            // (JICSAP): the data is shorter than its header claims.
            0x6282 | 0x6B00 => Ok(resp.data),
            sw => Err(CardError::UnexpectedStatus {
                step: Step::ReadBinary,
                sw,
            }),
        }
    }

    /// The whole sequence: select, check tries, verify, read, parse.
    pub fn read_face(&mut self, pin: &Pin, confirm_last_try: bool) -> Result<CardFace, CardError> {
        self.select_pin()?;
        self.verify(pin, confirm_last_try)?;
        let file = self.read_basic4()?;
        face::parse_basic4(&file).map_err(CardError::Garbled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::apdu::EF_INDIVIDUAL_NUMBER;
    use crate::card::face::encode_basic4;
    use crate::domain::record::Sex;
    use std::collections::VecDeque;

    /// Replies from a script and records what was sent.
    struct Scripted {
        replies: VecDeque<Result<Vec<u8>, CardError>>,
        sent: Vec<Vec<u8>>,
    }

    impl Scripted {
        fn new(replies: Vec<Result<Vec<u8>, CardError>>) -> Scripted {
            Scripted {
                replies: replies.into(),
                sent: Vec::new(),
            }
        }
    }

    impl Transport for Scripted {
        fn transmit(&mut self, apdu: &[u8]) -> Result<Response, CardError> {
            self.sent.push(apdu.to_vec());
            let raw = self.replies.pop_front().expect("script ran out")?;
            let (data, sw) = raw.split_at(raw.len() - 2);
            Ok(Response {
                data: Zeroizing::new(data.to_vec()),
                sw: u16::from_be_bytes([sw[0], sw[1]]),
            })
        }
    }

    fn ok(data: &[u8]) -> Result<Vec<u8>, CardError> {
        let mut v = data.to_vec();
        v.extend_from_slice(&[0x90, 0x00]);
        Ok(v)
    }

    fn sw(sw: u16) -> Result<Vec<u8>, CardError> {
        Ok(sw.to_be_bytes().to_vec())
    }

    fn pin() -> Pin {
        Pin::parse("1234").unwrap()
    }

    fn file() -> Vec<u8> {
        encode_basic4(
            "山田\u{3000}花子".as_bytes(),
            "東京都千代田区".as_bytes(),
            b"19700101",
            b"2",
        )
    }

    fn no_individual_number(sent: &[Vec<u8>]) {
        for a in sent {
            assert_ne!(
                a.as_slice(),
                apdu::select_ef(EF_INDIVIDUAL_NUMBER).as_slice()
            );
            assert!(
                a.get(1) != Some(&0xB0) || a[2] & 0x80 == 0,
                "SFI read {a:02X?}"
            );
        }
    }

    #[test]
    fn reads_in_the_documented_order() {
        let f = file();
        let mut s = Session::new(Scripted::new(vec![
            ok(&[]),
            ok(&[]),
            sw(0x63C3),
            ok(&[]),
            ok(&[]),
            ok(&f[..7]),
            ok(&f[7..]),
        ]));
        let face = s.read_face(&pin(), false).unwrap();
        assert_eq!(face.name, "山田\u{3000}花子");
        assert_eq!(face.sex, Some(Sex::Female));
        let t = s.into_transport();
        assert_eq!(
            t.sent,
            vec![
                apdu::select_ap(),
                apdu::select_ef(EF_PIN),
                VERIFY_QUERY.to_vec(),
                vec![0x00, 0x20, 0x00, 0x80, 0x04, b'1', b'2', b'3', b'4'],
                apdu::select_ef(EF_BASIC4),
                apdu::read_binary(0, 7).to_vec(),
                apdu::read_binary(7, (f.len() - 7) as u8).to_vec(),
            ]
        );
        no_individual_number(&t.sent);
    }

    #[test]
    fn last_try_needs_confirmation_and_sends_nothing_that_counts() {
        let mut s = Session::new(Scripted::new(vec![ok(&[]), ok(&[]), sw(0x63C1)]));
        assert_eq!(
            s.read_face(&pin(), false).unwrap_err(),
            CardError::LastTryNeedsConfirmation
        );
        assert_eq!(s.into_transport().sent.len(), 3);
    }

    #[test]
    fn locked_and_wrong_pins() {
        for (query, verify, want) in [
            (sw(0x63C0), None, CardError::PinLocked),
            (sw(0x6984), None, CardError::PinLocked),
            (
                sw(0x63C3),
                Some(sw(0x63C2)),
                CardError::WrongPin { tries_left: 2 },
            ),
            (sw(0x63C1), Some(sw(0x63C0)), CardError::PinLocked),
            (sw(0x63C3), Some(sw(0x6983)), CardError::PinLocked),
            (
                sw(0x6A88),
                None,
                CardError::UnexpectedStatus {
                    step: Step::QueryTries,
                    sw: 0x6A88,
                },
            ),
            (
                sw(0x63C3),
                Some(sw(0x6700)),
                CardError::UnexpectedStatus {
                    step: Step::Verify,
                    sw: 0x6700,
                },
            ),
        ] {
            let mut script = vec![ok(&[]), ok(&[]), query];
            script.extend(verify);
            let mut s = Session::new(Scripted::new(script));
            assert_eq!(s.read_face(&pin(), true).unwrap_err(), want);
        }
    }

    #[test]
    fn other_cards_and_failures() {
        let mut s = Session::new(Scripted::new(vec![sw(0x6A82)]));
        assert_eq!(
            s.read_face(&pin(), false).unwrap_err(),
            CardError::NotMyNumberCard
        );
        assert_eq!(s.into_transport().sent, vec![apdu::select_ap()]);

        let mut s = Session::new(Scripted::new(vec![
            ok(&[]),
            ok(&[]),
            sw(0x63C3),
            ok(&[]),
            sw(0x6A82),
        ]));
        assert_eq!(
            s.read_face(&pin(), false).unwrap_err(),
            CardError::UnexpectedStatus {
                step: Step::SelectBasic4,
                sw: 0x6A82
            }
        );

        let mut s = Session::new(Scripted::new(vec![
            ok(&[]),
            ok(&[]),
            sw(0x63C3),
            ok(&[]),
            ok(&[]),
            ok(&file()[..7]),
            Err(CardError::Removed),
        ]));
        assert_eq!(s.read_face(&pin(), false).unwrap_err(), CardError::Removed);

        // A header claiming more than the card holds.
        let mut s = Session::new(Scripted::new(vec![
            ok(&[]),
            ok(&[]),
            sw(0x63C3),
            ok(&[]),
            ok(&[]),
            ok(&[0xFF, 0x20, 0x7F, 0xDF, 0x21, 0x08, 0x00]),
            sw(0x6B00),
        ]));
        assert_eq!(
            s.read_face(&pin(), false).unwrap_err(),
            CardError::Garbled(face::FaceError::Truncated)
        );

        // The EF holds something that is not a basic-4 file: stop after the first read.
        let mut s = Session::new(Scripted::new(vec![
            ok(&[]),
            ok(&[]),
            sw(0x63C3),
            ok(&[]),
            ok(&[]),
            ok(&[0xFF, 0x10, 0x0C, b'1', b'2', b'3', b'4']),
        ]));
        assert_eq!(
            s.read_face(&pin(), false).unwrap_err(),
            CardError::Garbled(face::FaceError::WrongTag)
        );
        assert_eq!(s.into_transport().sent.len(), 6);
    }
}
