//! Copay ratio suggestion by age on the service date (docs/record.md).
//!
//! Pure: callers pass both dates; no clock. Date arithmetic saturates instead of panicking.

use chrono::{Datelike, NaiveDate};

use crate::domain::record::{CopayReason, DeclaredRatio, InsuranceKind};

/// Completed years on `on`: the age goes up on the birthday itself (Feb 29 births on
/// Mar 1 in common years, matching `nth_birthday`). 0 if `on` is before `birth`.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> u32 {
    if on < birth {
        return 0;
    }
    let years = on.year().saturating_sub(birth.year());
    let before_birthday = (on.month(), on.day()) < (birth.month(), birth.day());
    let years = if before_birthday {
        years.saturating_sub(1)
    } else {
        years
    };
    u32::try_from(years).unwrap_or(0)
}

/// `birth` + `n` years; a Feb 29 birth falls on Mar 1 in common years.
/// Saturates at `NaiveDate::MAX` beyond chrono's range (never reached for real patients).
pub fn nth_birthday(birth: NaiveDate, n: u32) -> NaiveDate {
    let Some(year) = i32::try_from(n)
        .ok()
        .and_then(|n| birth.year().checked_add(n))
    else {
        return NaiveDate::MAX;
    };
    NaiveDate::from_ymd_opt(year, birth.month(), birth.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, 3, 1))
        .unwrap_or(NaiveDate::MAX)
}

/// Last day of 未就学 (2割): the 31 March on or after the day before the 6th birthday —
/// the legal age of 6 is reached that day, and school starts the following April.
pub fn preschool_until(birth: NaiveDate) -> NaiveDate {
    let Some(eve) = nth_birthday(birth, 6).pred_opt() else {
        return NaiveDate::MAX;
    };
    let year = if (eve.month(), eve.day()) <= (3, 31) {
        Some(eve.year())
    } else {
        eve.year().checked_add(1)
    };
    year.and_then(|y| NaiveDate::from_ymd_opt(y, 3, 31))
        .unwrap_or(NaiveDate::MAX)
}

/// First day of the 70–74 ratio: the 1st of the month after the 70th-birthday month, or
/// that month itself when born on the 1st (the legal age is reached the day before, i.e.
/// in the previous month).
///
/// The month is the birth month, also for Feb 29 births in a common year: their legal
/// 70 is reached on Feb 28, so they start on Mar 1 (a Mar 1 birthday would give Apr 1).
pub fn age70_from(birth: NaiveDate) -> NaiveDate {
    let Some(year) = birth.year().checked_add(70) else {
        return NaiveDate::MAX;
    };
    let (year, month) = if birth.day() == 1 {
        (Some(year), birth.month())
    } else if birth.month() == 12 {
        (year.checked_add(1), 1)
    } else {
        (Some(year), birth.month() + 1)
    };
    year.and_then(|y| NaiveDate::from_ymd_opt(y, month, 1))
        .unwrap_or(NaiveDate::MAX)
}

/// First day of 後期高齢者医療: the 75th birthday itself.
pub fn kouki_from(birth: NaiveDate) -> NaiveDate {
    nth_birthday(birth, 75)
}

/// Whether the 申立書 asks for 一部負担金の割合: from age 70, or when the patient says 後期.
pub fn asks_ratio(birth: NaiveDate, service: NaiveDate, kind: InsuranceKind) -> bool {
    kind == InsuranceKind::Kouki || age_on(birth, service) >= 70
}

/// The ratio (percent) to collect and why, for a service on `service`.
pub fn suggest(
    birth: NaiveDate,
    service: NaiveDate,
    kind: InsuranceKind,
    declared: Option<DeclaredRatio>,
) -> (u8, CopayReason) {
    if service < birth {
        // Validation rejects this elsewhere; answer the safe default meanwhile.
        return (30, CopayReason::Default);
    }
    if kind == InsuranceKind::Kouki || service >= kouki_from(birth) {
        return match declared.and_then(DeclaredRatio::percent) {
            Some(percent) => (percent, CopayReason::Kouki),
            // 3割 is the highest 後期 ratio: refunding later beats collecting later.
            None => (30, CopayReason::Default),
        };
    }
    if service >= age70_from(birth) {
        return if declared == Some(DeclaredRatio::R30) {
            (30, CopayReason::Declared)
        } else {
            (20, CopayReason::Age70To74)
        };
    }
    if service <= preschool_until(birth) {
        return (20, CopayReason::Preschool);
    }
    (30, CopayReason::Default)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    const NOT_KOUKI: [InsuranceKind; 4] = [
        InsuranceKind::Shaho,
        InsuranceKind::Kokuho,
        InsuranceKind::Other,
        InsuranceKind::Unknown,
    ];

    #[test]
    fn age_examples() {
        let b = d(1981, 4, 1);
        assert_eq!(age_on(b, d(1981, 4, 1)), 0);
        assert_eq!(age_on(b, d(1982, 3, 31)), 0);
        assert_eq!(age_on(b, d(1982, 4, 1)), 1);
        assert_eq!(age_on(b, d(2026, 3, 31)), 44);
        assert_eq!(age_on(b, d(2026, 4, 1)), 45);
        assert_eq!(age_on(b, d(1981, 3, 31)), 0);
        assert_eq!(age_on(b, d(1900, 1, 1)), 0);
        assert!(age_on(NaiveDate::MIN, NaiveDate::MAX) > 500_000);
    }

    #[test]
    fn age_for_feb29_birth() {
        let b = d(2000, 2, 29);
        assert_eq!(age_on(b, d(2001, 2, 28)), 0);
        assert_eq!(age_on(b, d(2001, 3, 1)), 1);
        assert_eq!(age_on(b, d(2004, 2, 28)), 3);
        assert_eq!(age_on(b, d(2004, 2, 29)), 4);
    }

    #[test]
    fn nth_birthday_examples() {
        assert_eq!(nth_birthday(d(1981, 4, 1), 0), d(1981, 4, 1));
        assert_eq!(nth_birthday(d(1981, 4, 1), 45), d(2026, 4, 1));
        assert_eq!(nth_birthday(d(2000, 2, 29), 1), d(2001, 3, 1));
        assert_eq!(nth_birthday(d(2000, 2, 29), 4), d(2004, 2, 29));
        assert_eq!(nth_birthday(d(2000, 2, 29), 100), d(2100, 3, 1));
        assert_eq!(nth_birthday(d(2000, 1, 1), u32::MAX), NaiveDate::MAX);
        assert_eq!(nth_birthday(NaiveDate::MAX, 1), NaiveDate::MAX);
    }

    #[test]
    fn preschool_examples() {
        assert_eq!(preschool_until(d(2020, 4, 2)), d(2027, 3, 31));
        assert_eq!(preschool_until(d(2020, 4, 1)), d(2026, 3, 31));
        assert_eq!(preschool_until(d(2020, 3, 31)), d(2026, 3, 31));
        assert_eq!(preschool_until(d(2020, 1, 1)), d(2026, 3, 31));
        assert_eq!(preschool_until(d(2019, 12, 31)), d(2026, 3, 31));
        assert_eq!(preschool_until(d(2020, 2, 29)), d(2026, 3, 31));
        assert_eq!(preschool_until(NaiveDate::MAX), NaiveDate::MAX);
    }

    #[test]
    fn age70_examples() {
        assert_eq!(age70_from(d(1956, 5, 15)), d(2026, 6, 1));
        assert_eq!(age70_from(d(1956, 5, 1)), d(2026, 5, 1));
        assert_eq!(age70_from(d(1956, 5, 2)), d(2026, 6, 1));
        assert_eq!(age70_from(d(1956, 5, 31)), d(2026, 6, 1));
        assert_eq!(age70_from(d(1956, 12, 15)), d(2027, 1, 1));
        assert_eq!(age70_from(d(1956, 12, 1)), d(2026, 12, 1));
        assert_eq!(age70_from(d(1956, 1, 1)), d(2026, 1, 1));
        assert_eq!(age70_from(d(1956, 2, 29)), d(2026, 3, 1));
        assert_eq!(age70_from(NaiveDate::MAX), NaiveDate::MAX);
    }

    #[test]
    fn kouki_examples() {
        assert_eq!(kouki_from(d(1951, 11, 28)), d(2026, 11, 28));
        assert_eq!(kouki_from(d(1952, 2, 29)), d(2027, 3, 1));
    }

    #[test]
    fn asks_ratio_rules() {
        let b = d(1956, 5, 15);
        assert!(!asks_ratio(b, d(2026, 5, 14), InsuranceKind::Shaho));
        assert!(asks_ratio(b, d(2026, 5, 15), InsuranceKind::Shaho));
        assert!(asks_ratio(b, d(2026, 5, 15), InsuranceKind::Unknown));
        assert!(asks_ratio(
            d(1990, 1, 1),
            d(2026, 1, 1),
            InsuranceKind::Kouki
        ));
        assert!(!asks_ratio(
            d(1990, 1, 1),
            d(2026, 1, 1),
            InsuranceKind::Kokuho
        ));
        assert!(!asks_ratio(b, d(1950, 1, 1), InsuranceKind::Shaho));
    }

    #[test]
    fn preschool_boundary_days() {
        for kind in NOT_KOUKI {
            let b = d(2020, 4, 2);
            assert_eq!(
                suggest(b, d(2027, 3, 31), kind, None),
                (20, CopayReason::Preschool)
            );
            assert_eq!(
                suggest(b, d(2027, 4, 1), kind, None),
                (30, CopayReason::Default)
            );
            // Born on 1 April: one school year earlier.
            let b = d(2020, 4, 1);
            assert_eq!(
                suggest(b, d(2026, 3, 31), kind, None),
                (20, CopayReason::Preschool)
            );
            assert_eq!(
                suggest(b, d(2026, 4, 1), kind, None),
                (30, CopayReason::Default)
            );
            // Birth day itself is preschool.
            assert_eq!(suggest(b, b, kind, None), (20, CopayReason::Preschool));
        }
    }

    #[test]
    fn age70_boundary_days() {
        for kind in NOT_KOUKI {
            let b = d(1956, 5, 15);
            assert_eq!(
                suggest(b, d(2026, 5, 31), kind, None),
                (30, CopayReason::Default)
            );
            assert_eq!(
                suggest(b, d(2026, 6, 1), kind, None),
                (20, CopayReason::Age70To74)
            );
            let b = d(1956, 5, 1);
            assert_eq!(
                suggest(b, d(2026, 4, 30), kind, None),
                (30, CopayReason::Default)
            );
            assert_eq!(
                suggest(b, d(2026, 5, 1), kind, None),
                (20, CopayReason::Age70To74)
            );
        }
    }

    #[test]
    fn age70_declared_ratios() {
        let b = d(1956, 5, 15);
        let s = d(2026, 6, 1);
        let k = InsuranceKind::Shaho;
        assert_eq!(
            suggest(b, s, k, Some(DeclaredRatio::R30)),
            (30, CopayReason::Declared)
        );
        for declared in [
            None,
            Some(DeclaredRatio::R20),
            Some(DeclaredRatio::R10),
            Some(DeclaredRatio::Unknown),
        ] {
            assert_eq!(
                suggest(b, s, k, declared),
                (20, CopayReason::Age70To74),
                "{declared:?}"
            );
        }
        // Before the 70 month a declaration is not used.
        assert_eq!(
            suggest(b, d(2026, 5, 31), k, Some(DeclaredRatio::R30)),
            (30, CopayReason::Default)
        );
    }

    #[test]
    fn kouki_boundary_days() {
        let b = d(1951, 11, 28);
        for kind in NOT_KOUKI {
            assert_eq!(
                suggest(b, d(2026, 11, 27), kind, Some(DeclaredRatio::R10)),
                (20, CopayReason::Age70To74)
            );
            assert_eq!(
                suggest(b, d(2026, 11, 28), kind, Some(DeclaredRatio::R10)),
                (10, CopayReason::Kouki)
            );
            assert_eq!(
                suggest(b, d(2026, 11, 28), kind, None),
                (30, CopayReason::Default)
            );
        }
    }

    #[test]
    fn kouki_declared_ratios() {
        let b = d(1940, 1, 1);
        let s = d(2026, 1, 1);
        for kind in InsuranceKind::ALL {
            assert_eq!(
                suggest(b, s, kind, Some(DeclaredRatio::R10)),
                (10, CopayReason::Kouki)
            );
            assert_eq!(
                suggest(b, s, kind, Some(DeclaredRatio::R20)),
                (20, CopayReason::Kouki)
            );
            assert_eq!(
                suggest(b, s, kind, Some(DeclaredRatio::R30)),
                (30, CopayReason::Kouki)
            );
            assert_eq!(
                suggest(b, s, kind, Some(DeclaredRatio::Unknown)),
                (30, CopayReason::Default)
            );
            assert_eq!(suggest(b, s, kind, None), (30, CopayReason::Default));
        }
    }

    #[test]
    fn kouki_kind_wins_at_any_age() {
        // 障害認定 enrols 65–74 year olds in 後期; a child flagged kouki is a data error,
        // but the declared kind still decides.
        let k = InsuranceKind::Kouki;
        assert_eq!(
            suggest(d(1958, 6, 10), d(2026, 1, 1), k, Some(DeclaredRatio::R10)),
            (10, CopayReason::Kouki)
        );
        assert_eq!(
            suggest(d(2022, 6, 10), d(2026, 1, 1), k, None),
            (30, CopayReason::Default)
        );
    }

    #[test]
    fn feb29_birth_boundaries() {
        let k = InsuranceKind::Kokuho;
        // Preschool: born 2020-02-29, last preschool day 2026-03-31.
        let b = d(2020, 2, 29);
        assert_eq!(
            suggest(b, d(2026, 3, 31), k, None),
            (20, CopayReason::Preschool)
        );
        assert_eq!(
            suggest(b, d(2026, 4, 1), k, None),
            (30, CopayReason::Default)
        );
        // 70: born 1956-02-29 → from 2026-03-01.
        let b = d(1956, 2, 29);
        assert_eq!(
            suggest(b, d(2026, 2, 28), k, None),
            (30, CopayReason::Default)
        );
        assert_eq!(
            suggest(b, d(2026, 3, 1), k, None),
            (20, CopayReason::Age70To74)
        );
        // 75: born 1952-02-29 → 2027-03-01.
        let b = d(1952, 2, 29);
        assert_eq!(
            suggest(b, d(2027, 2, 28), k, Some(DeclaredRatio::R10)),
            (20, CopayReason::Age70To74)
        );
        assert_eq!(
            suggest(b, d(2027, 3, 1), k, Some(DeclaredRatio::R10)),
            (10, CopayReason::Kouki)
        );
    }

    #[test]
    fn service_before_birth_is_default() {
        let b = d(2026, 1, 1);
        for kind in InsuranceKind::ALL {
            assert_eq!(
                suggest(b, d(2025, 12, 31), kind, Some(DeclaredRatio::R10)),
                (30, CopayReason::Default)
            );
        }
        assert_eq!(
            suggest(NaiveDate::MAX, NaiveDate::MIN, InsuranceKind::Shaho, None),
            (30, CopayReason::Default)
        );
    }

    #[test]
    fn adult_default() {
        assert_eq!(
            suggest(d(1981, 4, 1), d(2026, 11, 28), InsuranceKind::Shaho, None),
            (30, CopayReason::Default)
        );
        // A declared ratio under 70 is ignored.
        assert_eq!(
            suggest(
                d(1981, 4, 1),
                d(2026, 11, 28),
                InsuranceKind::Shaho,
                Some(DeclaredRatio::R10)
            ),
            (30, CopayReason::Default)
        );
    }

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        (0i64..(250 * 366)).prop_map(|n| d(1850, 1, 1) + chrono::Duration::days(n))
    }

    fn any_extreme_date() -> impl Strategy<Value = NaiveDate> {
        (NaiveDate::MIN.num_days_from_ce()..=NaiveDate::MAX.num_days_from_ce())
            .prop_map(|n| NaiveDate::from_num_days_from_ce_opt(n).unwrap())
    }

    proptest! {
        #[test]
        fn never_panics_on_any_dates(b in any_extreme_date(), s in any_extreme_date(), k in 0usize..5, r in 0usize..5) {
            let declared = DeclaredRatio::ALL.get(r).copied();
            let (ratio, _) = suggest(b, s, InsuranceKind::ALL[k], declared);
            prop_assert!([10u8, 20, 30].contains(&ratio));
            let _ = (age_on(b, s), preschool_until(b), age70_from(b), kouki_from(b));
        }

        #[test]
        fn age_matches_birthdays(b in any_date(), n in 0u32..110) {
            let nth = nth_birthday(b, n);
            prop_assert_eq!(age_on(b, nth), n);
            prop_assert_eq!(age_on(b, nth.pred_opt().unwrap()), n.saturating_sub(1));
        }

        #[test]
        fn milestones_are_ordered(b in any_date()) {
            let preschool = preschool_until(b);
            prop_assert!(preschool >= nth_birthday(b, 6).pred_opt().unwrap());
            prop_assert!(preschool < nth_birthday(b, 7));
            prop_assert_eq!((preschool.month(), preschool.day()), (3, 31));
            let a70 = age70_from(b);
            // On or after the 70th birthday, and within the following month.
            let b70 = nth_birthday(b, 70);
            prop_assert!(a70 >= b70);
            prop_assert!((a70 - b70).num_days() <= 31);
            prop_assert_eq!(a70.day(), 1);
            prop_assert!(a70 < kouki_from(b));
        }

        #[test]
        fn twenty_percent_exactly_in_age_windows(b in any_date(), s in any_date()) {
            // Without declarations, 2割 applies exactly in the two age windows.
            let (ratio, reason) = suggest(b, s, InsuranceKind::Shaho, None);
            let in_window = s >= b && (s <= preschool_until(b) || (s >= age70_from(b) && s < kouki_from(b)));
            prop_assert_eq!(ratio == 20, in_window);
            prop_assert!(matches!(reason, CopayReason::Default | CopayReason::Preschool | CopayReason::Age70To74));
        }
    }
}
