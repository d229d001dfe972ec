//! `onshi audit` and the operator as the real binary on a real store: who did what to which
//! record, one line each, filters, the remembered operator, and that no command's stderr
//! and no audit line carries a name, kana, address, birth date or phone from a record.

mod audit_support;
mod common;

use audit_support::{assert_no_personal, code, files_under, import_jsonl as jsonl, ok, text, Desk};
use common::fixtures;
use onshi::store::{AuditAction, Store};

#[test]
fn audit_lists_time_operator_record_version_action() {
    let desk = Desk::new();
    let rec = fixtures::record();
    desk.seed(std::slice::from_ref(&rec), "佐藤");
    {
        let store = desk.open();
        let mut v2 = fixtures::next_version(&rec);
        v2.followup.needed = false;
        store.update(&v2, "鈴木", AuditAction::Followup).unwrap();
        store
            .append_audit("sync", Some(&rec.id), Some(1), AuditAction::SyncDelivered)
            .unwrap();
    }
    let out = ok(&desk.onshi(&["audit"]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    let cols: Vec<Vec<&str>> = lines
        .iter()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(cols[0][1..], ["佐藤", rec.id.as_str(), "v1", "create"]);
    assert_eq!(cols[1][1..], ["鈴木", rec.id.as_str(), "v2", "followup"]);
    assert_eq!(
        cols[2][1..],
        ["sync", rec.id.as_str(), "v1", "sync_delivered"]
    );
    // RFC 3339 time first.
    for c in &cols {
        chrono::DateTime::parse_from_rfc3339(c[0]).unwrap_or_else(|e| panic!("{}: {e}", c[0]));
    }
    // Operators are padded to one display width, so the record ids line up.
    let at: Vec<usize> = lines
        .iter()
        .map(|l| {
            let i = l.find(&rec.id).unwrap();
            unicode_width::UnicodeWidthStr::width(&l[..i])
        })
        .collect();
    assert!(at.windows(2).all(|w| w[0] == w[1]), "{out}");
    assert_no_personal("audit output", &out);
}

#[test]
fn audit_filters_by_record_and_date() {
    let desk = Desk::new();
    let a = fixtures::record();
    let b = fixtures::record();
    desk.seed(&[a.clone(), b.clone()], "佐藤");

    let out = ok(&desk.onshi(&["audit", "--record", &b.id]));
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains(&b.id) && !out.contains(&a.id));

    // Entries are stamped now: a date far back keeps them (和暦 too), the future none.
    let out = ok(&desk.onshi(&["audit", "--since", "2000-01-01"]));
    assert_eq!(out.lines().count(), 2);
    let out = ok(&desk.onshi(&["audit", "--since", "平成12年1月1日"]));
    assert_eq!(out.lines().count(), 2);
    let none = desk.onshi(&["audit", "--since", "2999-01-01"]);
    assert_eq!(code(&none), 0);
    assert!(text(&none.stdout).is_empty());
    assert!(!text(&none.stderr).is_empty(), "says that nothing matched");

    let bad = desk.onshi(&["audit", "--since", "yesterday"]);
    assert_eq!(code(&bad), 2, "{}", text(&bad.stderr));
    assert!(text(&bad.stderr).contains("yesterday"));
}

#[test]
fn operator_is_remembered_per_terminal() {
    let desk = Desk::new();
    let first = fixtures::record();
    let second = fixtures::record();
    let input = desk.path("a.jsonl");
    std::fs::write(&input, jsonl(std::slice::from_ref(&first))).unwrap();
    ok(&desk.onshi(&["--operator", "佐藤", "import", input.to_str().unwrap()]));
    {
        let store = desk.open();
        assert_eq!(store.last_operator().unwrap().as_deref(), Some("佐藤"));
    }
    // No --operator: the remembered one signs the next import.
    std::fs::write(&input, jsonl(std::slice::from_ref(&second))).unwrap();
    ok(&desk.onshi(&["import", input.to_str().unwrap()]));
    let out = ok(&desk.onshi(&["audit", "--record", &second.id]));
    assert!(out.contains("佐藤"), "{out}");
    let exported = ok(&desk.onshi(&["export", "--format", "jsonl"]));
    let second_json = exported
        .lines()
        .find(|l| l.contains(&second.id))
        .expect("second record");
    let v: serde_json::Value = serde_json::from_str(second_json).unwrap();
    assert_eq!(v["operator"], "佐藤");

    // A new name replaces it.
    ok(&desk.onshi(&["--operator", "鈴木", "audit"]));
    let store = Store::open(&desk.store()).unwrap();
    assert_eq!(store.last_operator().unwrap().as_deref(), Some("鈴木"));
    store.set_last_operator("田中").unwrap();
    assert_eq!(store.last_operator().unwrap().as_deref(), Some("田中"));
}

#[test]
fn operator_names_cannot_inject_terminal_controls() {
    let desk = Desk::new();
    desk.seed(&[fixtures::record()], "evil\u{1b}[2J");
    let out = ok(&desk.onshi(&["audit"]));
    assert!(!out.contains('\u{1b}'), "{out:?}");
    assert!(out.contains("evil\u{FFFD}[2J"));
}

/// Every command that touches records, run against one store: nothing personal in any stderr, in the
/// audit listing, or in any file that looks like a log.
#[test]
fn no_personal_values_in_logs_or_audit() {
    let desk = Desk::new();
    let rec = fixtures::record();
    let input = desk.path("in.jsonl");
    std::fs::write(&input, jsonl(std::slice::from_ref(&rec))).unwrap();
    let outbox = desk.path("inbox");
    std::fs::create_dir_all(&outbox).unwrap();
    std::fs::write(outbox.join(".onshi-inbox"), b"").unwrap();
    desk.config(&format!(
        "[sync]\ntarget = \"dir\"\ndir = \"{}\"\n",
        outbox.display()
    ));

    // Rejected input is reported by field, not by value.
    let bad = serde_json::to_string(&{
        let mut v = serde_json::to_value(fixtures::record()).unwrap();
        v["declaration"]["name_kana"] = serde_json::json!("ヤマダ　タロウX");
        v
    })
    .unwrap();
    let bad_file = desk.path("bad.jsonl");
    std::fs::write(&bad_file, bad + "\n").unwrap();

    let runs: Vec<Vec<&str>> = vec![
        vec!["--operator", "佐藤", "import", input.to_str().unwrap()],
        vec!["import", "--dry-run", bad_file.to_str().unwrap()],
        vec!["export", "--format", "jsonl"],
        vec!["export", "--format", "csv", "--encoding", "cp932"],
        vec!["export", "--format", "fhir"],
        vec!["print", &rec.id, "--format", "txt"],
        vec!["print", &rec.id, "--format", "html"],
        vec!["sync", "--once"],
        vec!["purge", "--older-than", "1d", "--dry-run"],
        vec!["purge", "--older-than", "1d"],
        vec!["audit"],
        vec!["print", "01JDQ7Z3X4K5M6N7P8Q9R0S1T2", "--format", "txt"],
    ];
    let mut audit_out = String::new();
    for args in &runs {
        let out = desk.onshi(args);
        if args[0] == "audit" {
            audit_out = ok(&out);
        }
    }
    let stderr = desk.all_stderr();
    assert!(
        stderr.contains("name_kana"),
        "the rejection names the field: {stderr}"
    );
    assert_no_personal("stderr of the commands", &stderr);
    assert!(audit_out.contains("create"), "{audit_out}");
    assert_no_personal("audit listing", &audit_out);

    // The store's audit entries as stored, all fields.
    let store = desk.open();
    let entries = store.audit().unwrap();
    assert!(entries.iter().any(|e| e.action == AuditAction::Create));
    assert_no_personal("audit entries", &format!("{entries:?}"));
    drop(store);

    // Logs: onshi writes none, and nothing log-like appeared in home or store.
    for dir in [desk.home(), desk.store()] {
        if !dir.exists() {
            continue;
        }
        for f in files_under(&dir) {
            let name = f.file_name().unwrap().to_string_lossy().to_lowercase();
            if name.ends_with(".log") || name.contains("log.") {
                let body = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
                assert_no_personal(&f.display().to_string(), &body);
            }
        }
    }
}

/// Print and export are audited before anything is written: who, when, which record and
/// version (print) or how many records (export), never a value; also when the output
/// goes to a file.
#[test]
fn print_and_export_are_audited() {
    let desk = Desk::new();
    let recs = [fixtures::record(), fixtures::record(), fixtures::record()];
    desk.seed(&recs, "佐藤");
    ok(&desk.onshi(&[
        "--operator",
        "鈴木",
        "print",
        &recs[1].id,
        "--format",
        "txt",
    ]));
    let file = desk.path("form.html");
    ok(&desk.onshi(&[
        "--operator",
        "鈴木",
        "print",
        &recs[2].id,
        "--format",
        "html",
        "-o",
        file.to_str().unwrap(),
    ]));
    ok(&desk.onshi(&["--operator", "高橋", "export", "--format", "csv"]));
    let out_file = desk.path("all.jsonl");
    ok(&desk.onshi(&[
        "--operator",
        "高橋",
        "export",
        "--format",
        "jsonl",
        "--since",
        "2099-01-01",
        "-o",
        out_file.to_str().unwrap(),
    ]));
    // A refused export (the file exists) is not one: not audited.
    let out = desk.onshi(&[
        "export",
        "--format",
        "jsonl",
        "-o",
        out_file.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 1);

    let store = desk.open();
    let audit = store.audit().unwrap();
    let prints: Vec<_> = audit
        .iter()
        .filter(|a| a.action == AuditAction::Print)
        .collect();
    assert_eq!(prints.len(), 2, "{audit:?}");
    assert_eq!(prints[0].record_id.as_deref(), Some(recs[1].id.as_str()));
    assert_eq!(prints[0].version, Some(1));
    assert_eq!(prints[0].operator, "鈴木");
    assert_eq!(prints[1].record_id.as_deref(), Some(recs[2].id.as_str()));
    let exports: Vec<_> = audit
        .iter()
        .filter(|a| a.action == AuditAction::Export)
        .collect();
    assert_eq!(exports.len(), 2, "{audit:?}");
    assert_eq!(
        (exports[0].operator.as_str(), exports[0].count),
        ("高橋", Some(3))
    );
    assert_eq!(
        exports[1].count,
        Some(0),
        "--since in the future exports none"
    );
    assert_eq!(exports[0].record_id, None);
    drop(store);

    let listing = ok(&desk.onshi(&["audit"]));
    assert!(
        listing
            .lines()
            .any(|l| l.contains("高橋") && l.ends_with("export (3)")),
        "{listing}"
    );
    assert!(
        listing
            .lines()
            .any(|l| l.contains(&recs[2].id) && l.contains("v1") && l.ends_with("print")),
        "{listing}"
    );
    assert_no_personal("audit output", &listing);
    assert_no_personal("stderr", &desk.all_stderr());
}
