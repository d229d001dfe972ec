//! `onshi export` for the receipt side: CSV in UTF-8 or CP932 (with 〓 for characters
//! CP932 lacks, reported by id and column), `--since`, and the FHIR R4 Bundle.

mod audit_support;
mod common;

use chrono::DateTime;
use serde_json::Value;

use audit_support::{assert_no_personal, code, ok, text, Desk};
use common::fixtures;
use onshi::domain::insurer::check_digit;
use onshi::domain::record::{ClaimBasis, Record, Sex};

const IVS_ADDRESS: &str = "東京都葛\u{E0100}飾区立石５－１３－１";

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn column(rows: &[Vec<String>], name: &str) -> usize {
    rows[0]
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

/// A record with a name and an address CP932 cannot hold entirely.
fn rare_record() -> Record {
    let mut r = fixtures::record();
    r.declaration.name = "𠮷田　花子".into();
    r.declaration.address = IVS_ADDRESS.into();
    r
}

#[test]
fn csv_cp932_round_trip_with_replacement_report() {
    let desk = Desk::new();
    let plain = fixtures::record();
    let rare = rare_record();
    desk.seed(&[plain.clone(), rare.clone()], "佐藤");

    let utf8 = desk.onshi(&["export", "--format", "csv"]);
    let utf8_text = ok(&utf8);
    assert!(utf8.stderr.is_empty(), "{}", text(&utf8.stderr));
    let utf8_rows = csv_rows(&utf8_text);
    let explicit = ok(&desk.onshi(&["export", "--format", "csv", "--encoding", "utf-8"]));
    assert_eq!(explicit, utf8_text, "utf-8 is the default");

    let out = desk.onshi(&["export", "--format", "csv", "--encoding", "cp932"]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert!(
        std::str::from_utf8(&out.stdout).is_err(),
        "not UTF-8 any more"
    );
    let (decoded, _, had_errors) = encoding_rs::SHIFT_JIS.decode(&out.stdout);
    assert!(!had_errors, "valid CP932");
    let rows = csv_rows(&decoded);

    // Same header naming every column, same shape.
    assert_eq!(rows[0], utf8_rows[0]);
    assert_eq!(rows.len(), 3);
    for needle in [
        "id",
        "name",
        "name_kana",
        "address",
        "birth_date",
        "claim_insurer_number",
    ] {
        column(&rows, needle);
    }
    assert!(rows.iter().all(|r| r.len() == rows[0].len()));

    let (name, addr, id) = (
        column(&rows, "name"),
        column(&rows, "address"),
        column(&rows, "id"),
    );
    let row_of = |rid: &str| rows.iter().find(|r| r[id] == rid).unwrap().clone();
    // Ordinary Japanese survives the round trip unchanged.
    let p = row_of(&plain.id);
    assert_eq!(p[name], fixtures::NAME);
    assert_eq!(p[addr], fixtures::ADDRESS);
    assert_eq!(p[column(&rows, "name_kana")], fixtures::KANA);
    // What CP932 lacks is visibly replaced, never dropped.
    let r = row_of(&rare.id);
    assert_eq!(r[name], "〓田　花子");
    assert_eq!(r[addr], "東京都葛〓飾区立石５－１３－１");
    // The 不詳 summary column carries the address too.
    assert!(r[column(&rows, "claim_summary")].contains("葛〓飾区"));

    // The report names ids and columns, never values.
    let err = text(&out.stderr);
    assert!(err.contains(&rare.id), "{err}");
    for col in ["name (1)", "address (1)", "claim_summary (1)"] {
        assert!(err.contains(col), "missing {col}: {err}");
    }
    assert!(!err.contains(&plain.id), "{err}");
    for value in ["𠮷", "花子", "葛", "立石", fixtures::NAME] {
        assert!(!err.contains(value), "report leaks {value}: {err}");
    }
    assert_eq!(err.lines().count(), 3, "{err}");
}

#[test]
fn since_filters_by_updated_at() {
    let desk = Desk::new();
    let mut old = fixtures::record();
    old.created_at = DateTime::parse_from_rfc3339("2026-01-10T09:00:00+09:00").unwrap();
    old.updated_at = old.created_at;
    let mut corrected = fixtures::record();
    corrected.created_at = DateTime::parse_from_rfc3339("2026-01-20T09:00:00+09:00").unwrap();
    // Served in January, corrected in June: an incremental export from March needs it.
    corrected.updated_at = DateTime::parse_from_rfc3339("2026-06-01T09:00:00+09:00").unwrap();
    desk.seed(&[old.clone(), corrected.clone()], "佐藤");

    let ids = |out: &str| -> Vec<String> {
        out.lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let all = ok(&desk.onshi(&["export", "--format", "jsonl"]));
    assert_eq!(ids(&all).len(), 2);
    for since in [
        "2026-03-01",
        "令和8年3月1日",
        "R8.3.1",
        "２０２６－０３－０１",
    ] {
        let out = ok(&desk.onshi(&["export", "--format", "jsonl", "--since", since]));
        assert_eq!(ids(&out), [corrected.id.clone()], "--since {since}");
    }
    // The day itself is included.
    let out = ok(&desk.onshi(&["export", "--format", "jsonl", "--since", "2026-01-10"]));
    assert_eq!(ids(&out).len(), 2);
    // CSV too, header kept when nothing matches.
    let out = ok(&desk.onshi(&["export", "--format", "csv", "--since", "2030-01-01"]));
    assert_eq!(csv_rows(&out).len(), 1);

    let bad = desk.onshi(&["export", "--format", "jsonl", "--since", "someday"]);
    assert_eq!(code(&bad), 2);
    let bad = desk.onshi(&["export", "--format", "jsonl", "--encoding", "cp932"]);
    assert_eq!(code(&bad), 2);
    assert!(text(&bad.stderr).contains("--encoding"));
    let bad = desk.onshi(&["export", "--format", "csv", "--encoding", "latin1"]);
    assert_eq!(code(&bad), 2);
}

/// A record with a known current qualification: insurer, 記号, 番号, 枝番.
fn insured_record() -> Record {
    let mut r = fixtures::record();
    let body = "0613001";
    let insurer = format!("{body}{}", check_digit(body).unwrap());
    r.insurance.basis = ClaimBasis::Current;
    r.insurance.insurer_number = Some(insurer);
    r.insurance.symbol = Some("記号１２".into());
    r.insurance.number = Some("3456".into());
    r.insurance.branch = Some("01".into());
    r.declaration.sex = Sex::Female;
    r
}

fn entry<'a>(bundle: &'a Value, full_url: &str) -> &'a Value {
    bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["fullUrl"] == full_url)
        .unwrap_or_else(|| panic!("no entry {full_url}"))
}

#[test]
fn fhir_bundle_has_patient_and_coverage_per_record() {
    let desk = Desk::new();
    let insured = insured_record();
    let unknown = fixtures::record(); // 不詳 claim
    desk.seed(&[insured.clone(), unknown.clone()], "佐藤");
    let out = desk.onshi(&["export", "--format", "fhir"]);
    let body = ok(&out);
    assert!(out.stderr.is_empty());
    let bundle: Value = serde_json::from_str(&body).expect("one JSON document");
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["type"], "collection");
    DateTime::parse_from_rfc3339(bundle["timestamp"].as_str().unwrap()).unwrap();
    let entries = bundle["entry"].as_array().unwrap();
    assert_eq!(entries.len(), 4);
    let urls: std::collections::HashSet<&str> = entries
        .iter()
        .map(|e| e["fullUrl"].as_str().unwrap())
        .collect();
    assert_eq!(urls.len(), 4, "fullUrls are unique");
    for e in entries {
        let u = e["fullUrl"].as_str().unwrap();
        assert!(u.starts_with("urn:uuid:") && u.len() == 45, "{u}");
    }

    let coverages: Vec<&Value> = entries
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| r["resourceType"] == "Coverage")
        .collect();
    assert_eq!(coverages.len(), 2);
    let record_id = |c: &Value| {
        c["identifier"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["system"] == "urn:onshi:record-id")
            .unwrap()["value"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let cov = |id: &str| *coverages.iter().find(|c| record_id(c) == id).unwrap();

    // Insured: the JP Core identifiers and extensions.
    let c = cov(&insured.id);
    assert_eq!(c["status"], "active");
    assert_eq!(c["type"]["coding"][0]["code"], "PUBLICPOL");
    let insurer = insured.insurance.insurer_number.clone().unwrap();
    // The insurer is a contained JP_Organization under JP Core 1.2's URL system
    // (docs/fhir.md; tests/fhir_jpcore.rs checks the profiles in full).
    assert_eq!(c["payor"][0], serde_json::json!({"reference": "#insurer"}));
    let org = &c["contained"][0];
    assert_eq!(org["id"], "insurer");
    assert_eq!(
        org["identifier"][0],
        serde_json::json!({"system": "http://jpfhir.jp/fhir/core/mhlw/IdSystem/InsurerNumber", "value": insurer})
    );
    assert_eq!(org["name"], "全国健康保険協会東京支部");
    let member = c["identifier"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["system"] == "http://jpfhir.jp/fhir/clins/Idsystem/JP_Insurance_memberID")
        .expect("member id");
    assert_eq!(member["value"], format!("{insurer}:記号１２:3456:01"));
    let ext = |name: &str| {
        c["extension"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| {
                e["url"]
                    == format!(
                        "http://jpfhir.jp/fhir/core/Extension/StructureDefinition/JP_Coverage_InsuredPerson{name}"
                    )
            })
            .unwrap_or_else(|| panic!("extension {name}"))["valueString"]
            .clone()
    };
    assert_eq!(ext("Symbol"), "記号１２");
    assert_eq!(ext("Number"), "3456");
    assert_eq!(ext("SubNumber"), "01");
    assert_eq!(c["subscriberId"], "記号１２:3456");
    assert_eq!(c["dependent"], "01");

    // The beneficiary reference resolves to a Patient in the bundle.
    let p_url = c["beneficiary"]["reference"].as_str().unwrap();
    let patient = &entry(&bundle, p_url)["resource"];
    assert_eq!(patient["resourceType"], "Patient");
    let names = patient["name"].as_array().unwrap();
    let rep = |n: &Value| n["extension"][0]["valueCode"].as_str().unwrap().to_string();
    let ide = names.iter().find(|n| rep(n) == "IDE").unwrap();
    let syl = names.iter().find(|n| rep(n) == "SYL").unwrap();
    assert_eq!(
        ide["extension"][0]["url"],
        "http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation"
    );
    assert_eq!(ide["text"], fixtures::NAME);
    assert_eq!(ide["family"], "山田");
    assert_eq!(ide["given"][0], "太郎");
    assert_eq!(syl["text"], fixtures::KANA);
    assert_eq!(syl["family"], "ヤマダ");
    assert_eq!(patient["birthDate"], fixtures::BIRTH_DATE);
    assert_eq!(patient["gender"], "female");
    assert_eq!(patient["address"][0]["text"], fixtures::ADDRESS);
    assert_eq!(patient["telecom"][0]["system"], "phone");
    assert_eq!(patient["telecom"][0]["value"], fixtures::PHONE);

    // 不詳: no invented insurer number (77777777 is for the claim, not an identity).
    let u = cov(&unknown.id);
    assert!(u.get("subscriberId").is_none());
    assert!(u.get("contained").is_none());
    assert!(u["payor"][0].get("identifier").is_none());
    assert_eq!(u["payor"][0]["display"], "全国健康保険協会東京支部");
    assert!(!body.contains("77777777"));
    let up = &entry(&bundle, u["beneficiary"]["reference"].as_str().unwrap())["resource"];
    assert_eq!(up["resourceType"], "Patient");

    // Same ids on the next export: receivers update instead of duplicating.
    let again: Value =
        serde_json::from_str(&ok(&desk.onshi(&["export", "--format", "fhir"]))).unwrap();
    let again_urls: std::collections::HashSet<String> = again["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["fullUrl"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(again_urls, urls.iter().map(|s| s.to_string()).collect());
    assert_no_personal("stderr", &desk.all_stderr());
}

// ---- spreadsheet safety, line ends, files, pipes ----

/// A record whose text fields start like spreadsheet formulas (as typed or imported).
fn hostile_record() -> Record {
    let mut r = fixtures::record();
    r.declaration.name = "=HYPERLINK(\"http://evil.invalid/\",\"診療\")".into();
    r.declaration.address = "+東京都千代田区".into();
    r.declaration.employer_name = Some("@SUM(1+1)".into());
    r.declaration.insurer_name = Some("-1+1".into());
    r.incident.note = Some("＝全角".into());
    r
}

#[test]
fn csv_cells_that_start_like_formulas_are_neutralised_by_default() {
    let desk = Desk::new();
    let bad = hostile_record();
    let plain = fixtures::record();
    desk.seed(&[bad.clone(), plain.clone()], "佐藤");
    let check = |rows: &[Vec<String>], neutralised: bool| {
        let id = column(rows, "id");
        let row = rows.iter().find(|r| r[id] == bad.id).unwrap();
        let q = if neutralised { "'" } else { "" };
        assert_eq!(
            row[column(rows, "name")],
            format!("{q}{}", bad.declaration.name)
        );
        assert_eq!(row[column(rows, "address")], format!("{q}+東京都千代田区"));
        assert_eq!(row[column(rows, "employer_name")], format!("{q}@SUM(1+1)"));
        assert_eq!(row[column(rows, "insurer_name")], format!("{q}-1+1"));
        // Numbers and ordinary values are left alone.
        assert_eq!(row[column(rows, "version")], "1");
        assert_eq!(row[column(rows, "phone")], fixtures::PHONE);
        let other = rows.iter().find(|r| r[id] == plain.id).unwrap();
        assert_eq!(other[column(rows, "name")], fixtures::NAME);
        // No cell of the export starts like a formula unless neutralising is off.
        let starts =
            |c: &str| c.starts_with(['=', '+', '@']) || (c.starts_with('-') && c.len() > 1);
        assert_eq!(
            rows[1..].iter().flatten().any(|c| starts(c)),
            !neutralised,
            "{rows:?}"
        );
    };
    check(
        &csv_rows(&ok(&desk.onshi(&["export", "--format", "csv"]))),
        true,
    );
    let cp932 = desk.onshi(&["export", "--format", "csv", "--encoding", "cp932"]);
    let (decoded, _, _) = encoding_rs::SHIFT_JIS.decode(&cp932.stdout);
    check(&csv_rows(&decoded), true);
    let raw = ok(&desk.onshi(&["export", "--format", "csv", "--no-neutralize"]));
    check(&csv_rows(&raw), false);
    // JSONL is data for programs: values exactly as stored.
    let jsonl = ok(&desk.onshi(&["export", "--format", "jsonl"]));
    assert!(jsonl.contains(r#""name":"=HYPERLINK("#), "{jsonl}");
    let out = desk.onshi(&["export", "--format", "jsonl", "--no-neutralize"]);
    assert_eq!(code(&out), 2, "CSV-only option refused for JSONL");
}

#[test]
fn cp932_csv_has_crlf_and_utf8_csv_takes_a_bom_and_crlf_on_request() {
    let desk = Desk::new();
    desk.seed(&[fixtures::record(), fixtures::record()], "佐藤");
    let lines_end_in = |bytes: &[u8], crlf: bool| {
        let lf = bytes.iter().filter(|b| **b == b'\n').count();
        let crlf_n = bytes.windows(2).filter(|w| w == b"\r\n").count();
        assert_eq!(lf, 3, "header and two rows");
        assert_eq!(crlf_n, if crlf { lf } else { 0 });
    };
    let cp932 = desk.onshi(&["export", "--format", "csv", "--encoding", "cp932"]);
    assert_eq!(code(&cp932), 0);
    lines_end_in(&cp932.stdout, true);
    assert!(!cp932.stdout.starts_with(b"\xEF\xBB\xBF"));

    let utf8 = desk.onshi(&["export", "--format", "csv"]);
    lines_end_in(&utf8.stdout, false);
    assert!(
        !utf8.stdout.starts_with(b"\xEF\xBB\xBF"),
        "no BOM unless asked"
    );

    let bom = desk.onshi(&["export", "--format", "csv", "--bom"]);
    assert!(bom.stdout.starts_with(b"\xEF\xBB\xBF"));
    assert_eq!(
        &bom.stdout[3..],
        &utf8.stdout[..],
        "the BOM and nothing else"
    );
    lines_end_in(&bom.stdout, false);

    let both = desk.onshi(&["export", "--format", "csv", "--bom", "--crlf"]);
    assert!(both.stdout.starts_with(b"\xEF\xBB\xBF"));
    lines_end_in(&both.stdout, true);

    for args in [
        vec!["export", "--format", "csv", "--encoding", "cp932", "--bom"],
        vec!["export", "--format", "fhir", "--crlf"],
        vec!["export", "--format", "jsonl", "--bom"],
    ] {
        let out = desk.onshi(&args);
        assert_eq!(code(&out), 2, "{args:?}: {}", text(&out.stderr));
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn export_to_a_file_is_owner_only_whole_and_never_replaces_one_by_accident() {
    let desk = Desk::new();
    desk.seed(&[fixtures::record()], "佐藤");
    let to_stdout = ok(&desk.onshi(&["export", "--format", "csv"]));
    let file = desk.path("export.csv");
    let out = desk.onshi(&["export", "--format", "csv", "-o", file.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), to_stdout);
    common::bin::assert_owner_only(&file);

    // Again: refused, the file as it was.
    std::fs::write(&file, "the clinic's own file").unwrap();
    let out = desk.onshi(&["export", "--format", "csv", "-o", file.to_str().unwrap()]);
    assert_eq!(code(&out), 1);
    assert!(
        text(&out.stderr).contains("--force"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "the clinic's own file"
    );
    // --force replaces it.
    ok(&desk.onshi(&[
        "export",
        "--format",
        "csv",
        "-o",
        file.to_str().unwrap(),
        "--force",
    ]));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), to_stdout);
    common::bin::assert_owner_only(&file);
    // --force needs -o; a folder is not a file.
    let out = desk.onshi(&["export", "--format", "csv", "--force"]);
    assert_eq!(code(&out), 2);
    let out = desk.onshi(&[
        "export",
        "--format",
        "csv",
        "-o",
        desk.tmp.path().to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 1);

    // A link planted at the name is not followed: refused, and with --force the link is
    // replaced, the file it pointed at untouched.
    if !common::bin::under_wine() {
        let victim = desk.path("victim.txt");
        std::fs::write(&victim, "keep").unwrap();
        let link = desk.path("link.csv");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        let out = desk.onshi(&["export", "--format", "csv", "-o", link.to_str().unwrap()]);
        assert_eq!(code(&out), 1);
        ok(&desk.onshi(&[
            "export",
            "--format",
            "csv",
            "-o",
            link.to_str().unwrap(),
            "--force",
        ]));
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        assert!(!std::fs::symlink_metadata(&link).unwrap().is_symlink());
    }
    // No temporary file is left anywhere beside.
    let dots: Vec<_> = std::fs::read_dir(desk.tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(dots.is_empty(), "{dots:?}");
    assert_no_personal("stderr", &desk.all_stderr());
}

/// `onshi export … | head -1`: the reader closes the pipe early; onshi stops quietly with
/// exit 0 (no "Broken pipe", no panic), for every format and for the other commands that
/// write to standard output.
#[test]
fn a_reader_that_stops_early_ends_the_output_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let desk = Desk::new();
    let recs: Vec<Record> = (0..400).map(|_| fixtures::record()).collect();
    desk.seed(&recs, "佐藤");
    let first = recs[0].id.clone();
    for args in [
        vec!["export", "--format", "csv"],
        vec!["export", "--format", "csv", "--encoding", "cp932"],
        vec!["export", "--format", "jsonl"],
        vec!["export", "--format", "fhir"],
        vec!["audit"],
        vec!["print", first.as_str(), "--format", "html"],
    ] {
        let mut c = desk.cmd();
        c.arg("--store")
            .arg(desk.store())
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = Vec::new();
        out.read_until(b'\n', &mut line).unwrap();
        assert!(!line.is_empty(), "{args:?}");
        drop(out); // `head -1` exits
        let mut err = String::new();
        std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{args:?}: {err}");
        assert!(
            !err.contains("Broken pipe") && !err.contains("panicked") && !err.contains("失敗"),
            "{args:?}: {err}"
        );
    }
}
