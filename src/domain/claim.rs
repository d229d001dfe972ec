//! How a record is billed (docs/procedure.md): the numbers the receipt software is given,
//! including the 不詳 coding, and the copay to collect at the counter.

use crate::domain::copay::age_on;
use crate::domain::insurer::{
    to_halfwidth_digits, NumberError, UNKNOWN_INSURED, UNKNOWN_INSURED_KOUKI, UNKNOWN_INSURER,
    UNKNOWN_INSURER_VALID,
};
use crate::domain::record::{ClaimBasis, InsuranceKind, Record};

/// The claim fields for the receipt side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimCoding {
    pub insurer_number: Option<String>,
    pub symbol: Option<String>,
    pub insured_number: Option<String>,
    pub branch: Option<String>,
    /// 摘要: for 不詳, 「不詳」 then address, employer and phone from the declaration.
    pub summary: Option<String>,
}

/// `valid_check_digit`: use 77777779 for receipt software that rejects a number whose
/// check digit is wrong (77777777's is).
pub fn coding(rec: &Record, valid_check_digit: bool) -> ClaimCoding {
    let ins = &rec.insurance;
    if ins.basis != ClaimBasis::Unknown {
        return ClaimCoding {
            insurer_number: ins.insurer_number.clone(),
            symbol: ins.symbol.clone(),
            insured_number: ins.number.clone(),
            branch: ins.branch.clone(),
            summary: None,
        };
    }
    let d = &rec.declaration;
    let kouki = claims_as_kouki(rec);
    let mut summary = String::from("不詳");
    for part in [Some(&d.address), d.employer_name.as_ref(), d.phone.as_ref()]
        .into_iter()
        .flatten()
    {
        summary.push('　');
        summary.push_str(part);
    }
    ClaimCoding {
        insurer_number: Some(
            if valid_check_digit {
                UNKNOWN_INSURER_VALID
            } else {
                UNKNOWN_INSURER
            }
            .to_string(),
        ),
        symbol: None,
        insured_number: Some(
            if kouki {
                UNKNOWN_INSURED_KOUKI
            } else {
                UNKNOWN_INSURED
            }
            .to_string(),
        ),
        branch: None,
        summary: Some(summary),
    }
}

/// Whether the claim is a 後期高齢者医療 one: declared so, or the patient is 75 or older
/// on the service date whatever kind was declared (everyone is 後期 from the 75th
/// birthday; the copay side counts the same way). A 不詳 claim then takes the 8-digit
/// number, and exports name the category 後期.
pub fn claims_as_kouki(rec: &Record) -> bool {
    let d = &rec.declaration;
    d.insurance_kind == InsuranceKind::Kouki || age_on(d.birth_date, rec.service_date) >= 75
}

/// The copay to collect: points × 10 円 × ratio, rounded to the nearest 10 円 (5 円 and
/// up rounds up, as 一部負担金 is rounded). `None` on overflow.
pub fn copay_yen(points: u64, ratio_percent: u8) -> Option<u64> {
    // points × 10 × ratio / 100 yen = points × ratio tenths of a yen; +50 then /100
    // rounds half up to whole tens of yen.
    let tenths = points.checked_mul(u64::from(ratio_percent))?;
    Some(tenths.checked_add(50)? / 100 * 10)
}

/// A count typed at the counter (点数, 円): digits (full-width too), commas, and an
/// optional trailing 点 or 円.
pub fn parse_count(input: &str) -> Result<u64, NumberError> {
    let s = to_halfwidth_digits(input.trim());
    let s = s.trim_end_matches(['点', '円']).trim();
    if s.is_empty() {
        return Err(NumberError::Empty);
    }
    let mut value: u64 = 0;
    for c in s.chars() {
        match c {
            '0'..='9' => {
                value = value
                    .checked_mul(10)
                    .and_then(|v| v.checked_add(u64::from(c as u8 - b'0')))
                    .ok_or(NumberError::TooLong { max: 19 })?;
            }
            ',' | '，' => {}
            other => return Err(NumberError::Invalid { ch: other }),
        }
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_accept_counter_spellings() {
        assert_eq!(parse_count("1234"), Ok(1234));
        assert_eq!(parse_count("１，２３４点"), Ok(1234));
        assert_eq!(parse_count("3,700円"), Ok(3700));
        assert_eq!(parse_count(""), Err(NumberError::Empty));
        assert_eq!(parse_count("12a"), Err(NumberError::Invalid { ch: 'a' }));
        assert!(parse_count("99999999999999999999999").is_err());
    }

    #[test]
    fn copay_rounds_to_nearest_ten_yen_half_up() {
        // 1 point at 30% = 3 yen → 0; 2 points = 6 yen → 10
        assert_eq!(copay_yen(1, 30), Some(0));
        assert_eq!(copay_yen(2, 30), Some(10));
        // exactly 5 yen rounds up; 4 yen rounds down
        assert_eq!(copay_yen(5, 10), Some(10));
        assert_eq!(copay_yen(4, 10), Some(0));
        assert_eq!(copay_yen(15, 10), Some(20));
        assert_eq!(copay_yen(14, 10), Some(10));
        // 1,234 points × 10 × 30% = 3,702 → 3,700; × 20% = 2,468 → 2,470
        assert_eq!(copay_yen(1234, 30), Some(3700));
        assert_eq!(copay_yen(1234, 20), Some(2470));
        assert_eq!(copay_yen(1235, 30), Some(3710)); // 3,705 → 3,710
        assert_eq!(copay_yen(0, 30), Some(0));
        assert_eq!(copay_yen(u64::MAX, 30), None);
    }

    proptest::proptest! {
        #[test]
        fn copay_is_within_five_yen_of_exact(points in 0u64..10_000_000, r in proptest::sample::select(vec![10u8, 20, 30])) {
            let exact = points * u64::from(r) / 10; // integer yen for these ratios
            let got = copay_yen(points, r).unwrap();
            proptest::prop_assert_eq!(got % 10, 0);
            proptest::prop_assert!(got + 5 > exact && got <= exact + 5, "{} vs {}", got, exact);
        }
    }
}
