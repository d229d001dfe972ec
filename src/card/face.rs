//! The basic-4 EF (基本4情報, EF `0002` of the 券面事項入力補助AP): a pure parser.
//!
//! ```text
//! FF 20 <len>                     whole file (private, constructed, tag 32)
//!   DF 21 08  <4 x u16 offsets>   offset table (ignored, see below)
//!   DF 22 <n> 氏名                 UTF-8
//!   DF 23 <n> 住所                 UTF-8
//!   DF 24 08  YYYYMMDD            生年月日, ASCII digits, Gregorian
//!   DF 25 01  "1"                 性別, one ASCII digit, JIS X 0303 / ISO 5218
//! ```
//!
//! Lengths are BER definite lengths: short form on the cards seen (`FF 20 62`, `FF 20 7D`),
//! long form `82 LL LL` in older readers' assumptions — both are accepted. Sources: see the
//! module documentation of [`crate::card`].
//!
//! This is a pure function of its input so that proptest (and later a cargo-fuzz target) can
//! drive it with arbitrary bytes: no I/O, no allocation beyond the result, and no panics on any
//! input (every index is checked).

use std::fmt;

use chrono::NaiveDate;
use zeroize::Zeroize;

use crate::domain::record::Sex;
use crate::domain::text::clean_text;
use crate::domain::validate::{MAX_NAME, MAX_TEXT};

/// Tag of the whole basic-4 file.
pub const TAG_BASIC4: u32 = 0xFF20;
/// Tag of the offset table.
pub const TAG_OFFSETS: u32 = 0xDF21;
/// Tag of 氏名.
pub const TAG_NAME: u32 = 0xDF22;
/// Tag of 住所.
pub const TAG_ADDRESS: u32 = 0xDF23;
/// Tag of 生年月日.
pub const TAG_BIRTH_DATE: u32 = 0xDF24;
/// Tag of 性別.
pub const TAG_SEX: u32 = 0xDF25;

/// Largest basic-4 file we accept. Real files are 100–200 bytes; the cap keeps a garbled
/// length from making the reader issue hundreds of READ BINARY commands.
pub const MAX_FILE_LEN: usize = 2048;

/// The card face's four items, typed.
///
/// Personal data: `Debug` is redacted and the strings are wiped when the value is dropped, so
/// take fields out with `std::mem::take` or `clone` (the type implements `Drop`).
#[derive(Clone, PartialEq, Eq)]
pub struct CardFace {
    /// 氏名 exactly as on the card (family and given name separated by U+3000; rare kanji and
    /// IVS sequences are kept as they are).
    pub name: String,
    /// 住所 exactly as on the card.
    pub address: String,
    /// 生年月日.
    pub birth_date: NaiveDate,
    /// 性別. `None` when the card records 0 (not known) or 9 (not applicable) — JIS X 0303
    /// codes that the declaration form (male/female) cannot express; the clerk asks instead.
    pub sex: Option<Sex>,
}

impl fmt::Debug for CardFace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CardFace { <redacted> }")
    }
}

impl Drop for CardFace {
    fn drop(&mut self) {
        self.name.zeroize();
        self.address.zeroize();
    }
}

/// Which of the four items a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaceField {
    Name,
    Address,
    BirthDate,
    Sex,
}

/// Why the basic-4 file could not be understood. Carries no card data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaceError {
    /// The data ends inside a tag, a length or a value.
    Truncated,
    /// Indefinite length, a length over [`MAX_FILE_LEN`], or a tag longer than 3 bytes.
    BadEncoding,
    /// The file does not start with `FF 20`.
    WrongTag,
    /// One of the four items is not in the file.
    Missing(FaceField),
    /// One of the four items appears twice.
    Duplicate(FaceField),
    /// A text item is not UTF-8.
    NotUtf8(FaceField),
    /// A text item is empty, too long, or contains control / bidi-override characters.
    BadText(FaceField),
    /// The birth date is not 8 digits of a real date.
    BadDate,
    /// The sex is not one of the JIS X 0303 codes 0, 1, 2, 9.
    BadSex,
}

impl FaceError {
    /// The item concerned, if the problem is about one item rather than the structure.
    pub fn field(self) -> Option<FaceField> {
        match self {
            FaceError::Missing(f)
            | FaceError::Duplicate(f)
            | FaceError::NotUtf8(f)
            | FaceError::BadText(f) => Some(f),
            FaceError::BadDate => Some(FaceField::BirthDate),
            FaceError::BadSex => Some(FaceField::Sex),
            FaceError::Truncated | FaceError::BadEncoding | FaceError::WrongTag => None,
        }
    }
}

/// A BER tag-and-length header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// The tag bytes as a big-endian number (`0xFF20`, `0xDF22`, ...).
    pub tag: u32,
    /// Bytes taken by tag and length.
    pub header_len: usize,
    /// Bytes of value that follow.
    pub value_len: usize,
}

impl Header {
    /// Header plus value.
    pub fn total_len(&self) -> usize {
        self.header_len.saturating_add(self.value_len)
    }
}

/// Parse one BER tag and definite length at the start of `input`.
///
/// Tags may be 1–3 bytes (multi-byte when the low 5 bits of the first byte are all set).
/// Lengths: short form, `81 xx` or `82 xx xx`; anything longer cannot be a card-face file.
pub fn parse_header(input: &[u8]) -> Result<Header, FaceError> {
    let first = *input.first().ok_or(FaceError::Truncated)?;
    let mut tag = u32::from(first);
    let mut pos = 1;
    if first & 0x1F == 0x1F {
        loop {
            let b = *input.get(pos).ok_or(FaceError::Truncated)?;
            tag = (tag << 8) | u32::from(b);
            pos += 1;
            if b & 0x80 == 0 {
                break;
            }
            if pos >= 3 {
                return Err(FaceError::BadEncoding);
            }
        }
    }
    let len_byte = *input.get(pos).ok_or(FaceError::Truncated)?;
    pos += 1;
    let value_len = match len_byte {
        0x00..=0x7F => usize::from(len_byte),
        0x81 => {
            let b = *input.get(pos).ok_or(FaceError::Truncated)?;
            pos += 1;
            usize::from(b)
        }
        0x82 => {
            let hi = *input.get(pos).ok_or(FaceError::Truncated)?;
            let lo = *input.get(pos + 1).ok_or(FaceError::Truncated)?;
            pos += 2;
            usize::from(u16::from_be_bytes([hi, lo]))
        }
        // 0x80 is the indefinite form; 0x83.. would mean more than 64 KiB.
        _ => return Err(FaceError::BadEncoding),
    };
    if value_len > MAX_FILE_LEN {
        return Err(FaceError::BadEncoding);
    }
    Ok(Header {
        tag,
        header_len: pos,
        value_len,
    })
}

/// From the first bytes of the file, how many bytes the basic-4 object takes in total.
///
/// The reader uses this to decide how much more to read; it checks the tag so a wrong file
/// is never read further.
pub fn file_len(head: &[u8]) -> Result<usize, FaceError> {
    let h = parse_header(head)?;
    if h.tag != TAG_BASIC4 {
        return Err(FaceError::WrongTag);
    }
    Ok(h.total_len())
}

/// Parse the basic-4 file. Bytes after the `FF 20` object (filler) are ignored.
pub fn parse_basic4(file: &[u8]) -> Result<CardFace, FaceError> {
    let outer = parse_header(file)?;
    if outer.tag != TAG_BASIC4 {
        return Err(FaceError::WrongTag);
    }
    let mut rest = file
        .get(outer.header_len..outer.total_len())
        .ok_or(FaceError::Truncated)?;

    let mut name = None;
    let mut address = None;
    let mut birth = None;
    let mut sex = None;
    while let Some(&first) = rest.first() {
        // 00 / FF where a tag should start is filler inside the object (seen on real cards
        // by other readers); nothing meaningful follows it.
        if first == 0x00 || first == 0xFF {
            break;
        }
        let h = parse_header(rest)?;
        let value = rest
            .get(h.header_len..h.total_len())
            .ok_or(FaceError::Truncated)?;
        let slot = match h.tag {
            TAG_NAME => Some((&mut name, FaceField::Name)),
            TAG_ADDRESS => Some((&mut address, FaceField::Address)),
            TAG_BIRTH_DATE => Some((&mut birth, FaceField::BirthDate)),
            TAG_SEX => Some((&mut sex, FaceField::Sex)),
            // The offset table (DF21) only helps random access; we read sequentially and
            // do not trust it. Unknown tags are skipped for forward compatibility.
            _ => None,
        };
        if let Some((slot, field)) = slot {
            if slot.is_some() {
                return Err(FaceError::Duplicate(field));
            }
            *slot = Some(value);
        }
        rest = rest.get(h.total_len()..).unwrap_or(&[]);
    }

    let name = text(name, FaceField::Name, MAX_NAME)?;
    let address = text(address, FaceField::Address, MAX_TEXT)?;
    let birth_date = birth_date(birth.ok_or(FaceError::Missing(FaceField::BirthDate))?)?;
    let sex = sex_code(sex.ok_or(FaceError::Missing(FaceField::Sex))?)?;
    Ok(CardFace {
        name,
        address,
        birth_date,
        sex,
    })
}

fn text(value: Option<&[u8]>, field: FaceField, max: usize) -> Result<String, FaceError> {
    let bytes = value.ok_or(FaceError::Missing(field))?;
    let s = std::str::from_utf8(bytes).map_err(|_| FaceError::NotUtf8(field))?;
    match clean_text(s, max) {
        Ok(t) if !t.is_empty() => Ok(t),
        _ => Err(FaceError::BadText(field)),
    }
}

fn birth_date(bytes: &[u8]) -> Result<NaiveDate, FaceError> {
    if bytes.len() != 8 || !bytes.iter().all(u8::is_ascii_digit) {
        return Err(FaceError::BadDate);
    }
    let num = |r: std::ops::Range<usize>| {
        bytes
            .get(r)
            .unwrap_or(&[])
            .iter()
            .fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0'))
    };
    let year = i32::try_from(num(0..4)).map_err(|_| FaceError::BadDate)?;
    NaiveDate::from_ymd_opt(year, num(4..6), num(6..8)).ok_or(FaceError::BadDate)
}

fn sex_code(bytes: &[u8]) -> Result<Option<Sex>, FaceError> {
    match bytes {
        b"1" => Ok(Some(Sex::Male)),
        b"2" => Ok(Some(Sex::Female)),
        // 0 = not known, 9 = not applicable (JIS X 0303): valid on a card, not expressible
        // on the declaration form.
        b"0" | b"9" => Ok(None),
        _ => Err(FaceError::BadSex),
    }
}

/// Build a basic-4 file from its parts (used by tests and the test card; kept here so the
/// encoder and the parser share the tag constants and the length rules).
pub fn encode_basic4(name: &[u8], address: &[u8], birth: &[u8], sex: &[u8]) -> Vec<u8> {
    fn tlv(out: &mut Vec<u8>, tag: u32, value: &[u8]) {
        out.extend_from_slice(&(tag as u16).to_be_bytes());
        push_len(out, value.len());
        out.extend_from_slice(value);
    }
    fn push_len(out: &mut Vec<u8>, len: usize) {
        match len {
            0..=0x7F => out.push(len as u8),
            0x80..=0xFF => out.extend_from_slice(&[0x81, len as u8]),
            _ => {
                out.push(0x82);
                out.extend_from_slice(&(len.min(0xFFFF) as u16).to_be_bytes());
            }
        }
    }
    // The offset table holds where each item starts, counted from the start of the file.
    let items: [(u32, &[u8]); 4] = [
        (TAG_NAME, name),
        (TAG_ADDRESS, address),
        (TAG_BIRTH_DATE, birth),
        (TAG_SEX, sex),
    ];
    let mut body = Vec::new();
    for (tag, value) in items {
        tlv(&mut body, tag, value);
    }
    let inner_len = 3 + 8 + body.len();
    let outer_header = if inner_len <= 0x7F {
        3
    } else if inner_len <= 0xFF {
        4
    } else {
        5
    };
    let mut offsets = Vec::with_capacity(8);
    let mut at = outer_header + 3 + 8;
    for (_, value) in items {
        offsets.extend_from_slice(&(at.min(0xFFFF) as u16).to_be_bytes());
        let len_len = match value.len() {
            0..=0x7F => 1,
            0x80..=0xFF => 2,
            _ => 3,
        };
        at += 2 + len_len + value.len();
    }
    let mut inner = Vec::with_capacity(inner_len);
    tlv(&mut inner, TAG_OFFSETS, &offsets);
    inner.extend_from_slice(&body);
    let mut out = Vec::with_capacity(inner.len() + 5);
    out.extend_from_slice(&[0xFF, 0x20]);
    push_len(&mut out, inner.len());
    out.extend_from_slice(&inner);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        (0..s.len() / 2)
            .map(|i| u8::from_str_radix(&s[i * 2..i * 2 + 2], 16).unwrap())
            .collect()
    }

    /// A synthetic file in the exact layout published by soltia48/myna-card's test card
    /// (offset table, short-form lengths, U+3000 between family and given name).
    fn sample() -> Vec<u8> {
        hex("ff2065df2108000e002000590064df22
             0fe9bb92e6a190e38080e5b9b9e4b99f
             df2336e69db1e4baace983bde6b885e7
             80ace5b882e8a6b3e5b883e5ad90e58d
             97efbc91efbc92efbc8defbc97efbc8d
             efbc92efbc90efbc92df240831393830
             30323137df250131")
    }

    #[test]
    fn parses_the_published_layout() {
        let f = parse_basic4(&sample()).unwrap();
        assert_eq!(f.name, "黒桐\u{3000}幹也");
        assert_eq!(f.address, "東京都清瀬市観布子南１２－７－２０２");
        assert_eq!(f.birth_date, NaiveDate::from_ymd_opt(1980, 2, 17).unwrap());
        assert_eq!(f.sex, Some(Sex::Male));
        assert_eq!(file_len(&sample()[..7]), Ok(sample().len()));
    }

    #[test]
    fn encoder_matches_the_published_layout() {
        let s = sample();
        let f = parse_basic4(&s).unwrap();
        let again = encode_basic4(f.name.as_bytes(), f.address.as_bytes(), b"19800217", b"1");
        assert_eq!(again, s);
    }

    #[test]
    fn long_form_lengths_and_filler_are_accepted() {
        // 180 bytes of address: `81 xx` inside and outside; 270 bytes: `82 xx xx`.
        for (chars, form) in [(60, 0x81), (90, 0x82)] {
            let long_addr = "東".repeat(chars);
            let mut file = encode_basic4(
                "葛\u{E0100}城".as_bytes(),
                long_addr.as_bytes(),
                b"19560401",
                b"2",
            );
            assert_eq!(&file[..3], &[0xFF, 0x20, form]);
            let len = file.len();
            file.extend_from_slice(&[0xFF; 16]);
            assert_eq!(file_len(&file[..7]), Ok(len));
            let f = parse_basic4(&file).unwrap();
            assert_eq!(f.name, "葛\u{E0100}城");
            assert_eq!(f.address, long_addr);
            assert_eq!(f.sex, Some(Sex::Female));
        }
    }

    #[test]
    fn sex_codes_follow_jis_x_0303() {
        for (code, want) in [
            (&b"1"[..], Ok(Some(Sex::Male))),
            (b"2", Ok(Some(Sex::Female))),
            (b"0", Ok(None)),
            (b"9", Ok(None)),
            (b"3", Err(FaceError::BadSex)),
            (b"", Err(FaceError::BadSex)),
            (b"11", Err(FaceError::BadSex)),
        ] {
            let file = encode_basic4("a".as_bytes(), b"b", b"20000101", code);
            assert_eq!(parse_basic4(&file).map(|f| f.sex), want, "{code:?}");
        }
    }

    #[test]
    fn each_problem_has_its_own_error() {
        let ok = |n: &[u8], a: &[u8], b: &[u8], s: &[u8]| parse_basic4(&encode_basic4(n, a, b, s));
        assert_eq!(
            ok(b"", b"x", b"20000101", b"1"),
            Err(FaceError::BadText(FaceField::Name))
        );
        assert_eq!(
            ok(b"\xFF\xFE", b"x", b"20000101", b"1"),
            Err(FaceError::NotUtf8(FaceField::Name))
        );
        assert_eq!(
            ok(b"a\x1b[2J", b"x", b"20000101", b"1"),
            Err(FaceError::BadText(FaceField::Name))
        );
        assert_eq!(ok(b"a", b"x", b"20000230", b"1"), Err(FaceError::BadDate));
        assert_eq!(ok(b"a", b"x", b"2000011", b"1"), Err(FaceError::BadDate));
        assert_eq!(ok(b"a", b"x", b"S56.4.1.", b"1"), Err(FaceError::BadDate));
        assert_eq!(parse_basic4(&[]), Err(FaceError::Truncated));
        assert_eq!(parse_basic4(&[0xFF, 0x10, 0x00]), Err(FaceError::WrongTag));
        assert_eq!(
            parse_basic4(&[0xFF, 0x20, 0x80]),
            Err(FaceError::BadEncoding)
        );
        assert_eq!(
            parse_basic4(&[0xFF, 0x20, 0x05, 0xDF]),
            Err(FaceError::Truncated)
        );
        assert_eq!(
            parse_basic4(&[0xFF, 0x20, 0x00]),
            Err(FaceError::Missing(FaceField::Name))
        );
        let mut dup = sample();
        let s = dup.len();
        dup.extend_from_slice(&[0xDF, 0x25, 0x01, b'1']);
        dup[2] += 4;
        assert_eq!(dup.len(), s + 4);
        assert_eq!(
            parse_basic4(&dup),
            Err(FaceError::Duplicate(FaceField::Sex))
        );
        let truncated = &sample()[..sample().len() - 1];
        assert_eq!(parse_basic4(truncated), Err(FaceError::Truncated));
    }

    #[test]
    fn the_individual_number_file_is_rejected() {
        // EF 0001 (FF 10 0C + 12 digits) must never parse as a card face.
        let my_number = hex("ff100c353337363836363737313838");
        assert_eq!(parse_basic4(&my_number), Err(FaceError::WrongTag));
        assert_eq!(file_len(&my_number), Err(FaceError::WrongTag));
    }

    #[test]
    fn debug_is_redacted() {
        let f = parse_basic4(&sample()).unwrap();
        let shown = format!("{f:?}");
        assert!(
            !shown.contains("黒桐") && !shown.contains("東京"),
            "{shown}"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn never_panics_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = parse_basic4(&bytes);
            let _ = file_len(&bytes);
            let _ = parse_header(&bytes);
        }

        #[test]
        fn never_panics_on_mutated_files(
            cut in 0usize..200,
            flips in proptest::collection::vec((0usize..200, any::<u8>()), 0..6),
        ) {
            let mut file = sample();
            for (i, b) in flips {
                if let Some(x) = file.get_mut(i) {
                    *x = b;
                }
            }
            file.truncate(cut.max(1));
            let _ = parse_basic4(&file);
        }

        #[test]
        fn round_trips_any_printable_text(
            // A card never holds a blank name or address: start each with a letter.
            name in "\\p{L}[\\p{L}\\p{N}\u{3000}\u{E0100}]{0,39}",
            address in "\\p{L}[\\p{L}\\p{N}－ ]{0,119}",
            y in 1900i32..2100, m in 1u32..=12, d in 1u32..=28,
            sex in prop_oneof![Just(b'1'), Just(b'2'), Just(b'0'), Just(b'9')],
        ) {
            let birth = format!("{y:04}{m:02}{d:02}");
            let file = encode_basic4(name.as_bytes(), address.as_bytes(), birth.as_bytes(), &[sex]);
            let f = parse_basic4(&file).unwrap();
            prop_assert_eq!(&f.name, name.trim());
            prop_assert_eq!(&f.address, address.trim());
            prop_assert_eq!(f.birth_date, NaiveDate::from_ymd_opt(y, m, d).unwrap());
            prop_assert_eq!(file_len(&file[..7.min(file.len())]), Ok(file.len()));
        }
    }
}
