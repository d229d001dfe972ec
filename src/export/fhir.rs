//! `onshi export --format fhir`: a FHIR R4 Bundle (`type: collection`) with a Patient and a
//! Coverage per record, conforming to JP Core 1.2 (jami-fhir-jp-wg/jp-core-v1x, tag
//! 1.2.0: profiles JP_Patient, JP_HumanName, JP_Coverage, JP_Organization). What each
//! element carries and why is in docs/fhir.md; in short:
//! - Patient: `meta.profile` JP_Patient; `identifier` (1..* in JP_Patient) = the record id
//!   under [`RECORD_ID_SYSTEM`], plus the clinic's patient ID under
//!   `urn:oid:1.2.392.100495.20.3.51.1<医療機関コード>` when `[desk] clinic_code` is set and
//!   the record was linked to an ORCA 患者番号 (onshi never invents a patient ID). Names:
//!   one HumanName per representation (`IDE` kanji, `SYL` katakana), `use: usual`.
//! - Coverage: the insurer as a contained JP_Organization whose identifier system is the
//!   JP Core 1.2 URL [`INSURER_NUMBER_SYSTEM`] (value as printed); the member ID
//!   [`MEMBER_ID_SYSTEM`] = `保険者番号(8桁):記号:番号:枝番`; 記号・番号 all half-width or,
//!   once they contain kana or kanji, all full-width; `type` = InsuranceMajorCategory
//!   (1 医保, 2 国保, 7 後期) next to v3-ActCode `PUBLICPOL`; the copay ratio as
//!   `costToBeneficiary` (`copaypct`); claim basis and follow-up in [`EXT_OUTAGE_CLAIM`];
//!   a voided record is `entered-in-error`.
//!
//! Values are the record's facts (`insurance`), not the 不詳 claim coding: 77777777 is a
//! billing convention, not an insurer, so a record with an unknown qualification gets a
//! Coverage whose payor is only named (the declared insurer name, or 不詳).
//!
//! `fullUrl`s are `urn:uuid:`s derived from the record id, so exporting again gives the same
//! references and a receiver can update instead of duplicate.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, SecondsFormat};
use serde_json::{json, Map, Value};

use crate::domain::insurer::{insurer_number_8, jpcore_width, major_category};
use crate::domain::record::{ClaimBasis, InsuranceKind, Record, Sex, Status};

pub const PROFILE_PATIENT: &str = "http://jpfhir.jp/fhir/core/StructureDefinition/JP_Patient";
pub const PROFILE_COVERAGE: &str = "http://jpfhir.jp/fhir/core/StructureDefinition/JP_Coverage";
pub const PROFILE_ORGANIZATION: &str =
    "http://jpfhir.jp/fhir/core/StructureDefinition/JP_Organization";
pub const EN_REPRESENTATION: &str =
    "http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation";
/// JP Core 1.2's URL for 保険者番号 (the 1.1 OID `urn:oid:1.2.392.100495.20.3.61` is the
/// old form).
pub const INSURER_NUMBER_SYSTEM: &str = "http://jpfhir.jp/fhir/core/mhlw/IdSystem/InsurerNumber";
pub const MEMBER_ID_SYSTEM: &str = "http://jpfhir.jp/fhir/clins/Idsystem/JP_Insurance_memberID";
pub const EXT_SYMBOL: &str =
    "http://jpfhir.jp/fhir/core/Extension/StructureDefinition/JP_Coverage_InsuredPersonSymbol";
pub const EXT_NUMBER: &str =
    "http://jpfhir.jp/fhir/core/Extension/StructureDefinition/JP_Coverage_InsuredPersonNumber";
pub const EXT_SUB_NUMBER: &str =
    "http://jpfhir.jp/fhir/core/Extension/StructureDefinition/JP_Coverage_InsuredPersonSubNumber";
/// 保険種別 (MHLW 別表11).
pub const INSURANCE_MAJOR_CATEGORY: &str =
    "http://jpfhir.jp/fhir/core/mhlw/CodeSystem/InsuranceMajorCategory";
pub const COPAY_TYPE: &str = "http://terminology.hl7.org/CodeSystem/coverage-copay-type";
/// Prefix of the clinic's patient-ID system; the 10-digit 医療機関コード follows.
pub const CLINIC_PATIENT_ID_PREFIX: &str = "urn:oid:1.2.392.100495.20.3.51.1";
/// Local identifier system for the onshi record id (no registered system exists); a
/// receiver uses it to find the intake again.
pub const RECORD_ID_SYSTEM: &str = "urn:onshi:record-id";
/// onshi's own extension on Coverage (docs/fhir.md): `basis` (valueCode current, past,
/// unknown), `summary` (valueString, the 不詳 摘要), `followupNeeded` (valueBoolean),
/// `followupDoneAt` (valueDateTime).
pub const EXT_OUTAGE_CLAIM: &str = "urn:onshi:extension:outage-claim";
/// The id of the insurer Organization contained in each Coverage.
const INSURER_ID: &str = "insurer";

/// What the export knows besides the records.
#[derive(Debug, Clone, Default)]
pub struct FhirOptions {
    /// `[desk] clinic_code`.
    pub clinic_code: Option<String>,
    /// ORCA 患者番号 by record id, for records delivered to ORCA.
    pub patient_numbers: HashMap<String, String>,
}

#[derive(Clone, Copy)]
enum Kind {
    Patient,
    Coverage,
}

/// A UUID (RFC 9562 version 8, "custom") from the record's ULID: the 128 bits with the
/// version and variant bits set, and one random bit telling the Patient from the Coverage.
fn uuid_for(record_id: &str, kind: Kind) -> String {
    let n = match ulid::Ulid::from_string(record_id) {
        Ok(u) => u.0,
        // Ids are validated ULIDs; anything else still gets a stable value (FNV-1a).
        Err(_) => record_id
            .bytes()
            .fold(0x6c62_272e_07bb_0142_62b8_2175_6295_c58d_u128, |h, b| {
                (h ^ u128::from(b)).wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013B)
            }),
    };
    let mut b = n.to_be_bytes();
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    b[9] = match kind {
        Kind::Patient => b[9] & 0x7f,
        Kind::Coverage => b[9] | 0x80,
    };
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// Split `山田　太郎` at the first space (full- or half-width) into family and given.
fn split_name(s: &str) -> (Option<&str>, Option<&str>) {
    match s.split_once([' ', '　']) {
        Some((f, g)) => {
            let (f, g) = (f.trim(), g.trim_matches([' ', '　']));
            ((!f.is_empty()).then_some(f), (!g.is_empty()).then_some(g))
        }
        None => (None, None),
    }
}

fn human_name(text: &str, representation: &str) -> Value {
    let mut m = Map::new();
    m.insert(
        "extension".into(),
        json!([{ "url": EN_REPRESENTATION, "valueCode": representation }]),
    );
    m.insert("use".into(), json!("usual"));
    m.insert("text".into(), json!(text));
    let (family, given) = split_name(text);
    if let Some(f) = family {
        m.insert("family".into(), json!(f));
    }
    if let Some(g) = given {
        m.insert("given".into(), json!([g]));
    }
    Value::Object(m)
}

fn patient(r: &Record, opts: &FhirOptions) -> Value {
    let d = &r.declaration;
    let mut m = Map::new();
    m.insert("resourceType".into(), json!("Patient"));
    m.insert("meta".into(), json!({ "profile": [PROFILE_PATIENT] }));
    let mut ids = Vec::new();
    if let (Some(code), Some(number)) = (&opts.clinic_code, opts.patient_numbers.get(&r.id)) {
        ids.push(json!({
            "system": format!("{CLINIC_PATIENT_ID_PREFIX}{code}"),
            "value": number,
        }));
    }
    ids.push(json!({ "system": RECORD_ID_SYSTEM, "value": r.id }));
    m.insert("identifier".into(), Value::Array(ids));
    m.insert(
        "name".into(),
        json!([human_name(&d.name, "IDE"), human_name(&d.name_kana, "SYL")]),
    );
    if let Some(phone) = &d.phone {
        m.insert(
            "telecom".into(),
            json!([{ "system": "phone", "value": phone, "use": "home" }]),
        );
    }
    m.insert(
        "gender".into(),
        json!(match d.sex {
            Sex::Male => "male",
            Sex::Female => "female",
        }),
    );
    m.insert(
        "birthDate".into(),
        json!(d.birth_date.format("%Y-%m-%d").to_string()),
    );
    m.insert(
        "address".into(),
        json!([{ "use": "home", "text": d.address }]),
    );
    Value::Object(m)
}

fn coverage(r: &Record, patient_url: &str) -> Value {
    let ins = &r.insurance;
    let d = &r.declaration;
    let known = ins.basis != ClaimBasis::Unknown;
    let symbol = ins.symbol.as_deref().map(jpcore_width);
    let number = ins.number.as_deref().map(jpcore_width);
    let mut m = Map::new();
    m.insert("resourceType".into(), json!("Coverage"));
    m.insert("meta".into(), json!({ "profile": [PROFILE_COVERAGE] }));

    let insurer = ins.insurer_number.as_deref().filter(|_| known);
    if let Some(num) = insurer {
        let mut org = Map::new();
        org.insert("resourceType".into(), json!("Organization"));
        org.insert("id".into(), json!(INSURER_ID));
        org.insert("meta".into(), json!({ "profile": [PROFILE_ORGANIZATION] }));
        // As printed on the card: JP Core pads only inside the member ID.
        org.insert(
            "identifier".into(),
            json!([{ "system": INSURER_NUMBER_SYSTEM, "value": num }]),
        );
        org.insert(
            "type".into(),
            json!([{ "coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/organization-type",
                "code": "pay",
                "display": "Payer",
            }] }]),
        );
        if let Some(name) = d.insurer_name.as_deref().filter(|n| !n.is_empty()) {
            org.insert("name".into(), json!(name));
        }
        m.insert("contained".into(), json!([Value::Object(org)]));
    }

    let mut ext = Vec::new();
    for (url, v) in [
        (EXT_SYMBOL, &symbol),
        (EXT_NUMBER, &number),
        (EXT_SUB_NUMBER, &ins.branch),
    ] {
        if let Some(v) = v {
            ext.push(json!({ "url": url, "valueString": v }));
        }
    }
    ext.push(outage_extension(r));
    m.insert("extension".into(), Value::Array(ext));

    let mut ids = Vec::new();
    if let (Some(num), Some(no)) = (insurer, &number) {
        ids.push(json!({
            "system": MEMBER_ID_SYSTEM,
            // An omitted part is an empty string; the last colon stays (JP Core).
            "value": format!(
                "{}:{}:{}:{}",
                insurer_number_8(num),
                symbol.clone().unwrap_or_default(),
                no,
                ins.branch.clone().unwrap_or_default()
            ),
            "assigner": { "reference": format!("#{INSURER_ID}") },
        }));
    }
    ids.push(json!({ "system": RECORD_ID_SYSTEM, "value": r.id }));
    m.insert("identifier".into(), Value::Array(ids));

    m.insert(
        "status".into(),
        json!(match r.status {
            Status::Active => "active",
            Status::Voided => "entered-in-error",
        }),
    );
    // PUBLICPOL first, as before: receivers reading the first coding see no change.
    let mut coding = vec![json!({
        "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
        "code": "PUBLICPOL",
    })];
    // A 不詳 claim for a patient of 75 or more is billed as 後期 (docs/procedure.md).
    let kind = if !known && crate::domain::claim::claims_as_kouki(r) {
        InsuranceKind::Kouki
    } else {
        d.insurance_kind
    };
    if let Some(cat) = major_category(insurer, kind) {
        coding.push(json!({
            "system": INSURANCE_MAJOR_CATEGORY,
            "code": cat.code(),
            "display": cat.display(),
        }));
    }
    m.insert("type".into(), json!({ "coding": coding }));
    if known {
        if let Some(no) = &number {
            let symbol = symbol.clone().unwrap_or_default();
            m.insert("subscriberId".into(), json!(format!("{symbol}:{no}")));
        }
    }
    m.insert("beneficiary".into(), json!({ "reference": patient_url }));
    if let Some(branch) = &ins.branch {
        m.insert("dependent".into(), json!(branch));
    }

    let payor = if insurer.is_some() {
        json!({ "reference": format!("#{INSURER_ID}") })
    } else {
        // R4 requires a payor; without an insurer number say what we know.
        let display = d
            .insurer_name
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "不詳".into());
        json!({ "display": display })
    };
    m.insert("payor".into(), json!([payor]));
    m.insert(
        "costToBeneficiary".into(),
        json!([{
            "type": { "coding": [{ "system": COPAY_TYPE, "code": "copaypct" }] },
            "valueQuantity": {
                "value": r.copay.ratio,
                "unit": "%",
                "system": "http://unitsofmeasure.org",
                "code": "%",
            },
        }]),
    );
    Value::Object(m)
}

/// Claim basis, the 不詳 摘要 and the follow-up state, which JP Core has no element for.
fn outage_extension(r: &Record) -> Value {
    let mut subs = vec![json!({ "url": "basis", "valueCode": r.insurance.basis.code() })];
    if let Some(summary) = crate::domain::claim::coding(r, false).summary {
        subs.push(json!({ "url": "summary", "valueString": summary }));
    }
    subs.push(json!({ "url": "followupNeeded", "valueBoolean": r.followup.needed }));
    if let Some(done) = r.followup.done_at {
        subs.push(json!({
            "url": "followupDoneAt",
            "valueDateTime": done.to_rfc3339_opts(SecondsFormat::Secs, false),
        }));
    }
    json!({ "url": EXT_OUTAGE_CLAIM, "extension": subs })
}

/// The Bundle for `records`, stamped `now`, without clinic settings.
pub fn bundle(records: &[Record], now: DateTime<FixedOffset>) -> Value {
    bundle_with(records, now, &FhirOptions::default())
}

/// The Bundle for `records`, stamped `now`.
pub fn bundle_with(records: &[Record], now: DateTime<FixedOffset>, opts: &FhirOptions) -> Value {
    let mut entries = Vec::with_capacity(records.len() * 2);
    for r in records {
        let p_url = uuid_for(&r.id, Kind::Patient);
        let c_url = uuid_for(&r.id, Kind::Coverage);
        entries.push(json!({ "fullUrl": p_url, "resource": patient(r, opts) }));
        entries.push(json!({ "fullUrl": c_url, "resource": coverage(r, &p_url) }));
    }
    json!({
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": now.to_rfc3339_opts(SecondsFormat::Secs, false),
        "entry": entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_stable_distinct_and_well_formed() {
        let id = "01JDQ7Z3X4K5M6N7P8Q9R0S1T2";
        let p = uuid_for(id, Kind::Patient);
        let c = uuid_for(id, Kind::Coverage);
        assert_eq!(p, uuid_for(id, Kind::Patient));
        assert_ne!(p, c);
        for u in [&p, &c] {
            let hex = u.strip_prefix("urn:uuid:").unwrap();
            let parts: Vec<_> = hex.split('-').collect();
            assert_eq!(
                parts.iter().map(|x| x.len()).collect::<Vec<_>>(),
                [8, 4, 4, 4, 12]
            );
            assert!(hex
                .chars()
                .all(|ch| ch == '-' || matches!(ch, '0'..='9' | 'a'..='f')));
            assert!(parts[2].starts_with('8'), "version 8: {u}");
            assert!(
                matches!(&parts[3][..1], "8" | "9" | "a" | "b"),
                "variant: {u}"
            );
        }
        assert_ne!(
            uuid_for("not-a-ulid", Kind::Patient),
            uuid_for("other", Kind::Patient)
        );
    }

    #[test]
    fn names_split_on_either_space() {
        assert_eq!(split_name("山田　太郎"), (Some("山田"), Some("太郎")));
        assert_eq!(
            split_name("ヤマダ タロウ"),
            (Some("ヤマダ"), Some("タロウ"))
        );
        assert_eq!(split_name("山田太郎"), (None, None));
    }
}
