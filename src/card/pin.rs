//! The 4-digit 券面事項入力補助用暗証番号: validated once, never shown, wiped on drop.

use std::fmt;

use zeroize::Zeroizing;

use super::error::CardError;

/// A PIN of exactly four digits, held as ASCII bytes (what VERIFY sends).
///
/// No `Display`, a redacted `Debug`, no `Clone`: a PIN should exist in one place and be
/// wiped (`Zeroizing`) when that place goes away.
pub struct Pin(Zeroizing<[u8; 4]>);

impl Pin {
    /// Accept exactly four digits after trimming whitespace. Full-width digits (０-９, as an
    /// IME may produce them) count as digits.
    pub fn parse(input: &str) -> Result<Pin, CardError> {
        let mut digits = Zeroizing::new([0u8; 4]);
        let mut n = 0usize;
        for c in input.trim().chars() {
            let d = match c {
                '0'..='9' => c as u32 - '0' as u32,
                '０'..='９' => c as u32 - '０' as u32,
                _ => return Err(CardError::PinFormat),
            };
            let slot = digits.get_mut(n).ok_or(CardError::PinFormat)?;
            *slot = b'0' + d as u8;
            n += 1;
        }
        if n == 4 {
            Ok(Pin(digits))
        } else {
            Err(CardError::PinFormat)
        }
    }

    pub(crate) fn ascii(&self) -> &[u8; 4] {
        &self.0
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(****)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_digits_only() {
        assert_eq!(Pin::parse("1234").unwrap().ascii(), b"1234");
        assert_eq!(Pin::parse(" 0007\n").unwrap().ascii(), b"0007");
        assert_eq!(Pin::parse("１２３４").unwrap().ascii(), b"1234");
        for bad in ["", "123", "12345", "12a4", "12 34", "١٢٣٤", "1234\u{0}"] {
            assert_eq!(Pin::parse(bad).err(), Some(CardError::PinFormat), "{bad:?}");
        }
    }

    #[test]
    fn debug_never_shows_digits() {
        assert_eq!(format!("{:?}", Pin::parse("9876").unwrap()), "Pin(****)");
    }
}
