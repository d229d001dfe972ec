//! The PIN as typed in the card dialog: digits only, at most four, never shown, wiped
//! when dropped. Its `Debug` is redacted so no log or panic message can carry it.

use zeroize::Zeroizing;

#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecretPin(Zeroizing<String>);

impl SecretPin {
    pub const LEN: usize = 4;

    /// Add a digit (full-width too); anything else, or a fifth digit, is ignored.
    pub fn push(&mut self, c: char) {
        let d = match c {
            '0'..='9' => c,
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            _ => return,
        };
        if self.0.chars().count() < Self::LEN {
            self.0.push(d);
        }
    }

    pub fn pop(&mut self) {
        self.0.pop();
    }

    pub fn len(&self) -> usize {
        self.0.chars().count()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn is_complete(&self) -> bool {
        self.len() == Self::LEN
    }

    /// The digits, for handing to the card reader only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretPin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretPin({} digits)", self.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_only_four_at_most_and_never_in_debug() {
        let mut p = SecretPin::default();
        for c in "1a２ 3456".chars() {
            p.push(c);
        }
        assert_eq!(p.expose(), "1234");
        assert!(p.is_complete());
        let dbg = format!("{p:?}");
        assert!(!dbg.contains("1234") && !dbg.contains('1'), "{dbg}");
        p.pop();
        assert_eq!(p.len(), 3);
    }
}
