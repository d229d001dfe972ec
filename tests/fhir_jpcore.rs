//! `onshi export --format fhir` against JP Core 1.2: the required elements and fixed
//! values of JP_Patient, JP_HumanName, JP_Coverage and JP_Organization, transcribed below
//! from jami-fhir-jp-wg/jp-core-v1x at tag 1.2.0 (commit c06f020, FSH sources; each
//! constant names its file and line). The real binary writes the Bundle; every Patient
//! and Coverage in it is checked against all of them.

mod audit_support;
mod common;

use chrono::DateTime;
use serde_json::Value;

use audit_support::{ok, Desk};
use common::fixtures;
use onshi::domain::insurer::check_digit;
use onshi::domain::record::{ClaimBasis, InsuranceKind, Record, Status};
use onshi::store::{OrcaLink, OrcaLinkKind};

// ---- JP Core 1.2.0, transcribed ----

/// input/fsh/profiles/JP_Patient.fsh l.9, JP_Coverage.fsh l.9, JP_Organization.fsh l.9
/// (`^url`).
const PROFILE_PATIENT: &str = "http://jpfhir.jp/fhir/core/StructureDefinition/JP_Patient";
const PROFILE_COVERAGE: &str = "http://jpfhir.jp/fhir/core/StructureDefinition/JP_Coverage";
const PROFILE_ORGANIZATION: &str = "http://jpfhir.jp/fhir/core/StructureDefinition/JP_Organization";

/// JP_Patient.fsh l.45-47 (`identifier` comment) and input/fsh/invariant.fsh l.12-15
/// (`jp-inv-local-patientid`): the clinic's patient-ID system is this prefix followed by
/// 1 + the 10-digit 医療機関コード, which must match
/// `^1(0[1-9]|[1-3][0-9]|4[0-7])([0-9])([0-9]{7})$`.
const CLINIC_PATIENT_ID_PREFIX: &str = "urn:oid:1.2.392.100495.20.3.51.";

/// input/fsh/profiles/JP_HumanName.fsh l.15-18 and input/fsh/aliases.fsh l.7: the
/// representation extension; JP_Patient_Example.fsh l.9-20: `IDE` kanji, `SYL` kana, both
/// `use = #usual` with `text`; input/fsh/searchparameters/JP_Patient_SP.fsh l.12 reads the
/// kana from `use='usual'` and `.text`.
const EN_REPRESENTATION: &str =
    "http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation";

/// JP_Coverage.fsh l.36-37: `identifier[insuranceIdentifier].system 1..1`, fixed
/// (exactly); l.42: `value 1..1`. Note the lowercase "s" in `Idsystem`.
const MEMBER_ID_SYSTEM: &str = "http://jpfhir.jp/fhir/clins/Idsystem/JP_Insurance_memberID";

/// input/fsh/aliases-jpcore.fsh l.78-80, used by the `extension contains` of
/// JP_Coverage.fsh l.17-23.
const EXT_SYMBOL: &str =
    "http://jpfhir.jp/fhir/core/Extension/StructureDefinition/JP_Coverage_InsuredPersonSymbol";
const EXT_NUMBER: &str =
    "http://jpfhir.jp/fhir/core/Extension/StructureDefinition/JP_Coverage_InsuredPersonNumber";
const EXT_SUB_NUMBER: &str =
    "http://jpfhir.jp/fhir/core/Extension/StructureDefinition/JP_Coverage_InsuredPersonSubNumber";

/// JP_Organization.fsh l.55: `identifier[insurerNumber].system = $JP_IdSystem_InsurerNumber
/// (exactly)`, the alias of aliases-jpcore.fsh l.365 (whose comment keeps the 1.1 OID).
const INSURER_NUMBER_SYSTEM: &str = "http://jpfhir.jp/fhir/core/mhlw/IdSystem/InsurerNumber";
const OLD_INSURER_OID: &str = "urn:oid:1.2.392.100495.20.3.61";

/// input/pagecontent/guide-urlmap.md l.64 (保険種別コード); the codes 1 医保, 2 国保,
/// 7 後期高齢者 from jami-fhir-jp-wg/eCheckupReport JP_Coverage_eCheckupGeneral.fsh
/// (JP Core itself binds no value set to `Coverage.type`, JP_Coverage.fsh l.86).
const INSURANCE_MAJOR_CATEGORY: &str =
    "http://jpfhir.jp/fhir/core/mhlw/CodeSystem/InsuranceMajorCategory";

/// JP_Coverage.fsh l.209-213: the copay rate's type coding.
const COPAY_TYPE_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/coverage-copay-type";
const COPAY_PCT: &str = "copaypct";

/// R4 base (`Coverage.status` 1..1, required binding fm-status), kept by JP_Coverage.
const FM_STATUS: [&str; 4] = ["active", "cancelled", "draft", "entered-in-error"];

// ---- checks ----

fn profile(r: &Value) -> &str {
    r["meta"]["profile"][0].as_str().unwrap_or("")
}

fn check_patient(p: &Value) {
    assert_eq!(profile(p), PROFILE_PATIENT);
    let ids = p["identifier"].as_array().expect("Patient.identifier 1..*");
    assert!(!ids.is_empty(), "Patient.identifier 1..*");
    for id in ids {
        let v = id["value"].as_str().expect("identifier.value 1..1");
        assert!(!v.is_empty());
        let system = id["system"].as_str().unwrap_or("");
        if let Some(rest) = system.strip_prefix(CLINIC_PATIENT_ID_PREFIX) {
            let digits: Vec<char> = rest.chars().collect();
            assert_eq!(digits.len(), 11, "{system}");
            assert!(digits.iter().all(char::is_ascii_digit), "{system}");
            assert_eq!(digits[0], '1', "{system}");
            let pref: u32 = rest[1..3].parse().unwrap();
            assert!((1..=47).contains(&pref), "{system}");
        }
    }
    let names = p["name"].as_array().unwrap();
    for rep in ["IDE", "SYL"] {
        let n = names
            .iter()
            .find(|n| {
                n["extension"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|e| e["url"] == EN_REPRESENTATION && e["valueCode"] == rep)
            })
            .unwrap_or_else(|| panic!("no {rep} name"));
        assert_eq!(n["use"], "usual", "{rep}");
        assert!(!n["text"].as_str().unwrap().is_empty(), "{rep}");
    }
}

/// 記号 or 番号: all half-width, or all full-width once kana or kanji are in it; never a
/// full-width space (JP_Coverage notes, 「被保険者個人識別子」の文字列仕様).
fn check_width(part: &str) {
    assert!(
        !part.contains('\u{3000}') && !part.contains(':'),
        "{part:?}"
    );
    let ascii = part.chars().filter(|c| c.is_ascii()).count();
    assert!(
        ascii == 0 || ascii == part.chars().count(),
        "mixed widths in {part:?}"
    );
}

fn check_coverage(c: &Value, patient_urls: &[String]) {
    assert_eq!(profile(c), PROFILE_COVERAGE);
    assert!(FM_STATUS.contains(&c["status"].as_str().unwrap()));
    let beneficiary = c["beneficiary"]["reference"].as_str().unwrap();
    assert!(
        patient_urls.iter().any(|u| u == beneficiary),
        "beneficiary resolves"
    );
    let payors = c["payor"].as_array().expect("payor 1..*");
    assert!(!payors.is_empty());
    for payor in payors {
        if let Some(r) = payor["reference"].as_str() {
            // A contained JP_Organization with the 1.2 insurer system.
            let id = r.strip_prefix('#').expect("contained reference");
            let org = c["contained"]
                .as_array()
                .unwrap()
                .iter()
                .find(|o| o["id"] == id)
                .expect("contained payor");
            assert_eq!(org["resourceType"], "Organization");
            assert_eq!(profile(org), PROFILE_ORGANIZATION);
            for i in org["identifier"].as_array().unwrap() {
                assert_eq!(i["system"], INSURER_NUMBER_SYSTEM);
                assert!(!i["value"].as_str().unwrap().is_empty());
            }
        } else {
            assert!(payor["display"].as_str().is_some_and(|d| !d.is_empty()));
        }
    }
    let members: Vec<&Value> = c["identifier"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["system"] == MEMBER_ID_SYSTEM)
        .collect();
    assert!(members.len() <= 1, "insuranceIdentifier ..1");
    for m in members {
        let v = m["value"].as_str().unwrap();
        let parts: Vec<&str> = v.split(':').collect();
        assert_eq!(parts.len(), 4, "{v}: four parts, the last colon kept");
        assert_eq!(parts[0].len(), 8, "{v}: insurer padded to 8");
        assert!(parts[0].bytes().all(|b| b.is_ascii_alphanumeric()), "{v}");
        check_width(parts[1]);
        check_width(parts[2]);
        assert!(!parts[2].is_empty(), "{v}: 番号");
        assert!(
            parts[3].is_empty()
                || (parts[3].len() == 2 && parts[3].bytes().all(|b| b.is_ascii_digit())),
            "{v}: 枝番"
        );
    }
    for e in c["extension"].as_array().unwrap() {
        let url = e["url"].as_str().unwrap();
        if [EXT_SYMBOL, EXT_NUMBER].contains(&url) {
            check_width(e["valueString"].as_str().unwrap());
        }
        if url == EXT_SUB_NUMBER {
            let b = e["valueString"].as_str().unwrap();
            assert!(b.len() == 2 && b.bytes().all(|x| x.is_ascii_digit()), "{b}");
        }
    }
    let cost = &c["costToBeneficiary"][0];
    assert_eq!(cost["type"]["coding"][0]["system"], COPAY_TYPE_SYSTEM);
    assert_eq!(cost["type"]["coding"][0]["code"], COPAY_PCT);
    assert!(cost["valueQuantity"]["value"].as_u64().is_some());
    assert!(
        !c.to_string().contains(OLD_INSURER_OID),
        "1.2 URL throughout"
    );
}

fn jpcore_bundle(desk: &Desk) -> (Value, Vec<Value>, Vec<Value>) {
    let out = desk.onshi(&["export", "--format", "fhir"]);
    let bundle: Value = serde_json::from_str(&ok(&out)).unwrap();
    DateTime::parse_from_rfc3339(bundle["timestamp"].as_str().unwrap()).unwrap();
    let entries = bundle["entry"].as_array().unwrap().clone();
    let of = |t: &str| -> Vec<Value> {
        entries
            .iter()
            .filter(|e| e["resource"]["resourceType"] == t)
            .map(|e| e["resource"].clone())
            .collect()
    };
    let (patients, coverages) = (of("Patient"), of("Coverage"));
    let urls: Vec<String> = entries
        .iter()
        .filter(|e| e["resource"]["resourceType"] == "Patient")
        .map(|e| e["fullUrl"].as_str().unwrap().to_string())
        .collect();
    for p in &patients {
        check_patient(p);
    }
    for c in &coverages {
        check_coverage(c, &urls);
    }
    (bundle, patients, coverages)
}

fn insured(insurer_body: &str, symbol: Option<&str>, number: &str, kind: InsuranceKind) -> Record {
    let mut r = fixtures::record();
    r.insurance.basis = ClaimBasis::Current;
    r.insurance.insurer_number = Some(format!(
        "{insurer_body}{}",
        check_digit(insurer_body).unwrap()
    ));
    r.insurance.symbol = symbol.map(str::to_string);
    r.insurance.number = Some(number.to_string());
    r.insurance.branch = Some("05".into());
    r.declaration.insurance_kind = kind;
    r
}

fn by_record<'a>(list: &'a [Value], id: &str) -> &'a Value {
    list.iter()
        .find(|r| {
            r["identifier"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["system"] == "urn:onshi:record-id" && i["value"] == id)
        })
        .unwrap_or_else(|| panic!("no resource for {id}"))
}

fn codes(c: &Value, system: &str) -> Vec<String> {
    c["type"]["coding"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["system"] == system)
        .map(|x| x["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_resource_meets_jp_core_1_2() {
    let desk = Desk::new();
    desk.config("[desk]\nclinic_code = \"1312345678\"\nclinic_name = \"みなと内科クリニック\"\n");
    // 国保, 6 digits, kana in the 記号: padded member ID, full-width 記号.
    let kokuho = insured("13810", Some("あいう1"), "187", InsuranceKind::Kokuho);
    // 協会けんぽ, ASCII 記号・番号: stays half-width.
    let shaho = insured("0613001", Some("12-34"), "5678", InsuranceKind::Shaho);
    // 後期高齢者, number only; voided.
    let mut kouki = insured("3913101", None, "12345678", InsuranceKind::Kouki);
    kouki.insurance.branch = None;
    kouki.status = Status::Voided;
    kouki.void_reason = Some("二重登録".into());
    // 不詳: no insurer.
    let unknown = fixtures::record();
    desk.seed(
        &[
            kokuho.clone(),
            shaho.clone(),
            kouki.clone(),
            unknown.clone(),
        ],
        "佐藤",
    );
    // kokuho was delivered to ORCA as patient 00036.
    {
        let store = desk.open();
        store
            .orca_set_link(
                &kokuho.id,
                &OrcaLink {
                    patient_id: "00036".into(),
                    kind: OrcaLinkKind::Registered,
                    linked_at: kokuho.created_at,
                    delivered_version: Some(1),
                    delivered_at: None,
                    memo_date: None,
                    warnings: Vec::new(),
                },
            )
            .unwrap();
    }
    let (_, patients, coverages) = jpcore_bundle(&desk);
    assert_eq!((patients.len(), coverages.len()), (4, 4));

    // The clinic's patient ID where ORCA gave one; the record id always.
    let p = by_record(&patients, &kokuho.id);
    let clinic: Vec<&Value> = p["identifier"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["system"] == "urn:oid:1.2.392.100495.20.3.51.11312345678")
        .collect();
    assert_eq!(clinic.len(), 1);
    assert_eq!(clinic[0]["value"], "00036");
    let other = by_record(&patients, &shaho.id);
    assert_eq!(
        other["identifier"].as_array().unwrap().len(),
        1,
        "no invented patient ID"
    );

    let member = |c: &Value| -> String {
        c["identifier"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["system"] == MEMBER_ID_SYSTEM)
            .map(|i| i["value"].as_str().unwrap().to_string())
            .unwrap_or_default()
    };
    let k = by_record(&coverages, &kokuho.id);
    assert_eq!(member(k), "00138107:あいう１:187:05");
    assert_eq!(codes(k, INSURANCE_MAJOR_CATEGORY), ["2"]);
    assert_eq!(
        k["contained"][0]["identifier"][0]["value"], "138107",
        "as printed"
    );
    assert_eq!(k["status"], "active");
    let s = by_record(&coverages, &shaho.id);
    assert_eq!(
        member(s),
        format!(
            "{}:12-34:5678:05",
            shaho.insurance.insurer_number.clone().unwrap()
        )
    );
    assert_eq!(codes(s, INSURANCE_MAJOR_CATEGORY), ["1"]);
    assert_eq!(s["costToBeneficiary"][0]["valueQuantity"]["value"], 30);
    let v = by_record(&coverages, &kouki.id);
    assert_eq!(v["status"], "entered-in-error");
    assert_eq!(codes(v, INSURANCE_MAJOR_CATEGORY), ["7"]);
    assert!(member(v).ends_with("::12345678:"), "{}", member(v));
    let u = by_record(&coverages, &unknown.id);
    assert!(member(u).is_empty());
    assert_eq!(codes(u, INSURANCE_MAJOR_CATEGORY), ["1"], "declared 社保");

    // Claim basis and follow-up in onshi's documented extension.
    let outage = |c: &Value| -> Value {
        c["extension"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["url"] == "urn:onshi:extension:outage-claim")
            .expect("outage extension")
            .clone()
    };
    let sub = |e: &Value, name: &str| -> Value {
        e["extension"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["url"] == name)
            .cloned()
            .unwrap_or(Value::Null)
    };
    let ue = outage(u);
    assert_eq!(sub(&ue, "basis")["valueCode"], "unknown");
    assert_eq!(sub(&ue, "followupNeeded")["valueBoolean"], true);
    assert!(sub(&ue, "summary")["valueString"]
        .as_str()
        .unwrap()
        .starts_with("不詳"));
    let ke = outage(k);
    assert_eq!(sub(&ke, "basis")["valueCode"], "current");
    assert!(sub(&ke, "summary").is_null());
}

#[test]
fn kanji_in_the_number_widens_the_whole_part() {
    let desk = Desk::new();
    let r = insured("0613001", Some("協"), "A-12ｱ", InsuranceKind::Shaho);
    desk.seed(std::slice::from_ref(&r), "佐藤");
    let (_, _, coverages) = jpcore_bundle(&desk);
    let c = by_record(&coverages, &r.id);
    let ext = |url: &str| -> String {
        c["extension"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["url"] == url)
            .unwrap()["valueString"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(ext(EXT_SYMBOL), "協");
    assert_eq!(ext(EXT_NUMBER), "Ａ－１２ア");
    assert_eq!(c["subscriberId"], "協:Ａ－１２ア");
}
