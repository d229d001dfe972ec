//! `onshi export --format fhir`: a FHIR R4 Bundle (`type: collection`) with a Patient and a
//! Coverage per record, for clinics whose systems speak FHIR.
//!
//! Conventions follow JP Core (JAMI/HL7 Japan, jp-core-v1x: profiles JP_Patient,
//! JP_HumanName, JP_Coverage, JP_Organization and their examples):
//! - Names: one HumanName per representation, marked with the extension
//!   `http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation`, `IDE` for the
//!   kanji name and `SYL` for the katakana reading, each with `text`, `family`, `given`.
//! - Insurer number (保険者番号): identifier system `urn:oid:1.2.392.100495.20.3.61`
//!   (JP_Organization `insurerNumber`); here on the Coverage's `payor` reference.
//! - 記号・番号・枝番: the extensions
//!   `http://jpfhir.jp/fhir/core/Extension/StructureDefinition/JP_Coverage_InsuredPerson{Symbol,Number,SubNumber}`,
//!   `subscriberId` = `記号:番号`, `dependent` = 枝番, and the member identifier
//!   `http://jpfhir.jp/fhir/clins/Idsystem/JP_Insurance_memberID` =
//!   `保険者番号:記号:番号:枝番` (an omitted part is an empty string).
//! - `Coverage.type` = v3-ActCode `PUBLICPOL`, as in the JP Core example.
//!
//! Values are the record's facts (`insurance`), not the 不詳 claim coding: 77777777 is a
//! billing convention, not an insurer, so a record with an unknown qualification gets a
//! Coverage whose payor is only named (the declared insurer name, or 不詳).
//!
//! `fullUrl`s are `urn:uuid:`s derived from the record id, so exporting again gives the same
//! references and a receiver can update instead of duplicate.

use chrono::{DateTime, FixedOffset, SecondsFormat};
use serde_json::{json, Map, Value};

use crate::domain::record::{ClaimBasis, Record, Sex, Status};

pub const EN_REPRESENTATION: &str =
    "http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation";
pub const INSURER_NUMBER_SYSTEM: &str = "urn:oid:1.2.392.100495.20.3.61";
pub const MEMBER_ID_SYSTEM: &str = "http://jpfhir.jp/fhir/clins/Idsystem/JP_Insurance_memberID";
pub const EXT_SYMBOL: &str =
    "http://jpfhir.jp/fhir/core/Extension/StructureDefinition/JP_Coverage_InsuredPersonSymbol";
pub const EXT_NUMBER: &str =
    "http://jpfhir.jp/fhir/core/Extension/StructureDefinition/JP_Coverage_InsuredPersonNumber";
pub const EXT_SUB_NUMBER: &str =
    "http://jpfhir.jp/fhir/core/Extension/StructureDefinition/JP_Coverage_InsuredPersonSubNumber";
/// Local identifier system for the onshi record id (no registered system exists); a
/// receiver uses it to find the intake again.
pub const RECORD_ID_SYSTEM: &str = "urn:onshi:record-id";

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
    m.insert("use".into(), json!("official"));
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

fn patient(r: &Record) -> Value {
    let d = &r.declaration;
    let mut m = Map::new();
    m.insert("resourceType".into(), json!("Patient"));
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
    let mut m = Map::new();
    m.insert("resourceType".into(), json!("Coverage"));

    let mut ext = Vec::new();
    for (url, v) in [
        (EXT_SYMBOL, &ins.symbol),
        (EXT_NUMBER, &ins.number),
        (EXT_SUB_NUMBER, &ins.branch),
    ] {
        if let Some(v) = v {
            ext.push(json!({ "url": url, "valueString": v }));
        }
    }
    if !ext.is_empty() {
        m.insert("extension".into(), Value::Array(ext));
    }

    let known = ins.basis != ClaimBasis::Unknown;
    let mut ids = Vec::new();
    if known && ins.insurer_number.is_some() && ins.number.is_some() {
        let part = |v: &Option<String>| v.clone().unwrap_or_default();
        ids.push(json!({
            "system": MEMBER_ID_SYSTEM,
            "value": format!(
                "{}:{}:{}:{}",
                part(&ins.insurer_number),
                part(&ins.symbol),
                part(&ins.number),
                part(&ins.branch)
            ),
        }));
    }
    ids.push(json!({ "system": RECORD_ID_SYSTEM, "value": r.id }));
    m.insert("identifier".into(), Value::Array(ids));

    m.insert(
        "status".into(),
        json!(match r.status {
            Status::Active => "active",
            Status::Voided => "cancelled",
        }),
    );
    m.insert(
        "type".into(),
        json!({ "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            "code": "PUBLICPOL",
        }] }),
    );
    if known {
        if let Some(number) = &ins.number {
            let symbol = ins.symbol.clone().unwrap_or_default();
            m.insert("subscriberId".into(), json!(format!("{symbol}:{number}")));
        }
    }
    m.insert("beneficiary".into(), json!({ "reference": patient_url }));
    if let Some(branch) = &ins.branch {
        m.insert("dependent".into(), json!(branch));
    }

    let mut payor = Map::new();
    if let (true, Some(num)) = (known, &ins.insurer_number) {
        payor.insert(
            "identifier".into(),
            json!({ "system": INSURER_NUMBER_SYSTEM, "value": num }),
        );
    }
    let display = d
        .insurer_name
        .clone()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| {
            if known {
                String::new()
            } else {
                "不詳".into()
            }
        });
    if !display.is_empty() {
        payor.insert("display".into(), json!(display));
    }
    if payor.is_empty() {
        // R4 requires a payor; say what we know, which is nothing.
        payor.insert("display".into(), json!("不詳"));
    }
    m.insert("payor".into(), json!([Value::Object(payor)]));
    Value::Object(m)
}

/// The Bundle for `records`, stamped `now`.
pub fn bundle(records: &[Record], now: DateTime<FixedOffset>) -> Value {
    let mut entries = Vec::with_capacity(records.len() * 2);
    for r in records {
        let p_url = uuid_for(&r.id, Kind::Patient);
        let c_url = uuid_for(&r.id, Kind::Coverage);
        entries.push(json!({ "fullUrl": p_url, "resource": patient(r) }));
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
