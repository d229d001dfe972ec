//! Valid records for tests.

use chrono::{DateTime, FixedOffset, NaiveDate};
use onshi::domain::record::{
    ClaimBasis, Copay, CopayReason, Declaration, DeclaredRatio, Followup, Incident, IncidentCase,
    Insurance, InsuranceKind, IssuedWhen, Record, Sex, Signer, Status, Verification,
    VerificationSource,
};

pub const NAME: &str = "山田　太郎";
pub const KANA: &str = "ヤマダ　タロウ";
pub const ADDRESS: &str = "東京都千代田区霞が関１－２－２";
pub const BIRTH_DATE: &str = "1981-04-01";
pub const PHONE: &str = "03-1234-5678";
pub const EMPLOYER: &str = "株式会社オンシ商事";

fn jst(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).expect("fixture timestamp")
}

/// A valid version-1 record with a fresh ULID.
pub fn record() -> Record {
    record_with_id(&ulid::Ulid::new().to_string())
}

/// A valid version-1 record (case 3-4, 不詳 claim) with the given id.
pub fn record_with_id(id: &str) -> Record {
    Record {
        id: id.to_string(),
        version: 1,
        terminal_id: "reception-1".to_string(),
        operator: "佐藤".to_string(),
        created_at: jst("2026-11-28T09:12:33+09:00"),
        updated_at: jst("2026-11-28T09:12:33+09:00"),
        service_date: NaiveDate::from_ymd_opt(2026, 11, 28).expect("date"),
        status: Status::Active,
        void_reason: None,
        incident: Incident {
            case: IncidentCase::NetworkDown,
            note: Some("停電".to_string()),
        },
        verification: Verification {
            source: VerificationSource::Declaration,
            checked_at: None,
            card_read: false,
        },
        declaration: Declaration {
            has_valid_card: Some(true),
            insurance_kind: InsuranceKind::Shaho,
            insurer_name: Some("全国健康保険協会東京支部".to_string()),
            employer_name: Some(EMPLOYER.to_string()),
            issued_when: Some(IssuedWhen::Earlier),
            issued_note: None,
            copay_ratio: Some(DeclaredRatio::R30),
            name: NAME.to_string(),
            name_kana: KANA.to_string(),
            birth_date: BIRTH_DATE.parse().expect("birth date"),
            sex: Sex::Male,
            address: ADDRESS.to_string(),
            declared_on: Some(NaiveDate::from_ymd_opt(2026, 11, 28).expect("date")),
            signer: Some(Signer::Patient),
            signer_relationship: None,
            phone: Some(PHONE.to_string()),
        },
        insurance: Insurance {
            basis: ClaimBasis::Unknown,
            insurer_number: None,
            symbol: None,
            number: None,
            branch: None,
        },
        copay: Copay {
            ratio: 30,
            reason: CopayReason::Default,
            amount_yen: None,
            points: None,
        },
        followup: Followup {
            needed: true,
            done_at: None,
            ..Default::default()
        },
    }
}

/// The next version of `rec`, as an edit would make it.
pub fn next_version(rec: &Record) -> Record {
    let mut next = rec.clone();
    next.version += 1;
    next.updated_at = jst("2026-11-28T10:00:00+09:00");
    next
}
