//! `onshi import` and `onshi export` as the real binary on a real sled store
//! (docs/record.md, docs/cli.md, docs/store.md): normalisation on the way in, rejections on stderr, dry runs,
//! conflicts, the store lock, usage errors, and file modes.

use std::collections::BTreeSet;
use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

mod common;

use common::bin;

const FIXED_ID: &str = "01JDQ7Z3X4K5M6N7P8Q9R0S1T2";

/// A private home (so no real config or data dir is touched) and a store path in it.
struct Desk {
    tmp: tempfile::TempDir,
}

impl Desk {
    fn new() -> Desk {
        Desk {
            tmp: tempfile::tempdir().expect("tempdir"),
        }
    }

    fn home(&self) -> PathBuf {
        self.tmp.path().join("home")
    }

    fn store(&self) -> PathBuf {
        self.tmp.path().join("store")
    }

    /// `onshi` with a clean environment pointing at this desk's home.
    fn cmd(&self) -> Command {
        let mut c = bin::onshi();
        bin::private_home(&mut c, &self.home());
        c.env_remove("ONSHI_STORE")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        c
    }

    /// `onshi --store <store> ARGS…`
    fn onshi(&self, args: &[&str]) -> Output {
        let mut c = self.cmd();
        c.arg("--store").arg(self.store()).args(args);
        c.output().expect("run onshi")
    }

    /// Write the default config (`$XDG_CONFIG_HOME/onshi/config.toml`, or
    /// `%APPDATA%\onshi\config.toml`).
    fn config(&self, toml: &str) {
        let path = bin::default_config_file(&self.home());
        fs::create_dir_all(path.parent().expect("config dir")).expect("config dir");
        fs::write(path, toml).expect("config");
    }

    fn file(&self, name: &str, body: &[u8]) -> PathBuf {
        let p = self.tmp.path().join(name);
        fs::write(&p, body).expect("write input");
        p
    }

    /// `import FILE` with the given extra args.
    fn import(&self, body: &str, extra: &[&str]) -> Output {
        let file = self.file("in.jsonl", body.as_bytes());
        let file = file.to_str().expect("utf-8 path");
        let mut args = vec!["import", file];
        args.extend_from_slice(extra);
        self.onshi(&args)
    }

    fn export(&self) -> Vec<Value> {
        let out = self.onshi(&["export", "--format", "jsonl"]);
        assert_eq!(code(&out), 0, "export failed: {}", text(&out.stderr));
        jsonl(&out.stdout)
    }
}

fn code(out: &Output) -> i32 {
    out.status
        .code()
        .expect("exit code (not killed by a signal)")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn jsonl(stdout: &[u8]) -> Vec<Value> {
    text(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

/// stderr split into the JSON rejection objects and the other (human) lines.
fn stderr_parts(out: &Output) -> (Vec<Value>, Vec<String>) {
    let mut objects = Vec::new();
    let mut other = Vec::new();
    for line in text(&out.stderr).lines() {
        match serde_json::from_str::<Value>(line) {
            Ok(v) if v.is_object() => objects.push(v),
            _ => other.push(line.to_string()),
        }
    }
    (objects, other)
}

/// Each rejection has `line` (number), `field` (string) and a non-empty `reason`.
fn rejection(v: &Value) -> (u64, String, String) {
    let line = v["line"].as_u64().unwrap_or_else(|| panic!("line in {v}"));
    let field = v["field"]
        .as_str()
        .unwrap_or_else(|| panic!("field in {v}"))
        .to_string();
    let reason = v["reason"]
        .as_str()
        .unwrap_or_else(|| panic!("reason in {v}"))
        .to_string();
    assert!(!reason.trim().is_empty(), "empty reason in {v}");
    (line, field, reason)
}

fn line(v: Value) -> String {
    let s = serde_json::to_string(&v).expect("json");
    assert!(!s.contains('\n'));
    s
}

/// A declaration taken on 2026-11-28 for a 45-year-old, birth date in 和暦, hiragana
/// フリガナ, full-width phone.
fn wareki_record() -> Value {
    json!({
        "service_date": "2026-11-28",
        "incident": {"case": "3-4", "note": "停電"},
        "declaration": {
            "has_valid_card": true,
            "insurance_kind": "shaho",
            "insurer_name": "全国健康保険協会東京支部",
            "employer_name": "株式会社オンシ商事",
            "name": "山田　太郎",
            "name_kana": "やまだ　たろう",
            "birth_date": "昭和56年4月1日",
            "sex": "male",
            "address": "東京都千代田区霞が関１－２－２",
            "signer": "patient",
            "phone": "０３－１２３４－５６７８"
        },
        "insurance": {"insurer_number": "０１０４００１３"}
    })
}

/// A preschool child on 国保 (half-width kana), `copay.ratio: null` → suggested 2割.
fn child_record() -> Value {
    json!({
        "service_date": "2026-03-31",
        "incident": {"case": "3-3"},
        "declaration": {
            "has_valid_card": true,
            "insurance_kind": "kokuho",
            "insurer_name": "千代田区",
            "name": "鈴木　花",
            "name_kana": "ｽｽﾞｷ ﾊﾅ",
            "birth_date": "2019-04-02",
            "sex": "female",
            "address": "東京都千代田区九段南１－２－１",
            "signer": "guardian",
            "signer_relationship": "母",
            "phone": "０９０ー１２３４ー５６７８"
        },
        "insurance": {"insurer_number": "131011"},
        "copay": {"ratio": null}
    })
}

/// A 72-year-old whose declared 一部負担金の割合 is the bare number 30.
fn senior_record() -> Value {
    json!({
        "service_date": "2026-11-28",
        "incident": {"case": "3-2"},
        "declaration": {
            "has_valid_card": true,
            "insurance_kind": "shaho",
            "employer_name": "佐藤商店",
            "copay_ratio": 30,
            "name": "佐藤　花子",
            "name_kana": "サトウ　ハナコ",
            "birth_date": "1954/4/10",
            "sex": "female",
            "address": "東京都葛飾区立石５－１３－１",
            "signer": "patient",
            "phone": "03 (5555) 1234"
        }
    })
}

fn three_valid_lines() -> String {
    [wareki_record(), child_record(), senior_record()]
        .into_iter()
        .map(line)
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

fn with(mut v: Value, pointer: &str, value: Value) -> Value {
    *v.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("no {pointer}")) = value;
    v
}

fn by_name<'a>(records: &'a [Value], name: &str) -> &'a Value {
    records
        .iter()
        .find(|r| r["declaration"]["name"] == name)
        .unwrap_or_else(|| panic!("no record for {name}"))
}

// ---------------------------------------------------------------------------------------

#[test]
fn import_three_valid_records_and_export_them_normalised() {
    let desk = Desk::new();
    desk.config("terminal_id = \"reception-1\"\noperator = \"佐藤\"\n");
    let out = desk.import(&three_valid_lines(), &[]);
    assert_eq!(code(&out), 0, "stderr: {}", text(&out.stderr));
    let (rejections, _) = stderr_parts(&out);
    assert!(rejections.is_empty(), "{rejections:?}");

    let out = desk.onshi(&["export", "--format", "jsonl"]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
    assert!(stdout.ends_with('\n'));
    let records = jsonl(&out.stdout);

    let top: BTreeSet<&str> = [
        "id",
        "version",
        "terminal_id",
        "operator",
        "created_at",
        "updated_at",
        "service_date",
        "status",
        "void_reason",
        "incident",
        "verification",
        "declaration",
        "insurance",
        "copay",
        "followup",
    ]
    .into_iter()
    .collect();
    let mut ids = BTreeSet::new();
    for r in &records {
        let keys: BTreeSet<&str> = r
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, top, "{r}");
        let id = r["id"].as_str().expect("id");
        assert_eq!(id.len(), 26, "{id}");
        assert!(ulid::Ulid::from_string(id).is_ok(), "not a ULID: {id}");
        ids.insert(id.to_string());
        assert_eq!(r["version"], 1);
        assert_eq!(r["terminal_id"], "reception-1");
        assert_eq!(r["operator"], "佐藤");
        assert_eq!(r["status"], "active");
        assert!(chrono::DateTime::parse_from_rfc3339(
            r["created_at"].as_str().expect("created_at")
        )
        .is_ok());
        assert!(r["copay"]["ratio"].is_u64(), "{r}");
        assert!(r["copay"]["reason"].is_string(), "{r}");
    }
    assert_eq!(ids.len(), 3, "ids are distinct");

    let yamada = by_name(&records, "山田　太郎");
    assert_eq!(yamada["declaration"]["birth_date"], "1981-04-01");
    assert_eq!(yamada["declaration"]["name_kana"], "ヤマダ　タロウ");
    assert_eq!(yamada["declaration"]["phone"], "03-1234-5678");
    assert_eq!(yamada["declaration"]["declared_on"], "2026-11-28");
    assert_eq!(yamada["insurance"]["insurer_number"], "01040013");
    assert_eq!(yamada["service_date"], "2026-11-28");
    assert_eq!(
        yamada["copay"],
        json!({"ratio": 30, "reason": "default", "amount_yen": null, "points": null})
    );

    let suzuki = by_name(&records, "鈴木　花");
    assert_eq!(suzuki["declaration"]["birth_date"], "2019-04-02");
    assert_eq!(suzuki["declaration"]["name_kana"], "スズキ　ハナ");
    assert_eq!(suzuki["declaration"]["phone"], "090-1234-5678");
    assert_eq!(suzuki["copay"]["ratio"], 20);
    assert_eq!(suzuki["copay"]["reason"], "preschool");

    let sato = by_name(&records, "佐藤　花子");
    assert_eq!(sato["declaration"]["birth_date"], "1954-04-10");
    assert_eq!(sato["declaration"]["copay_ratio"], "30");
    assert_eq!(sato["declaration"]["phone"], "03-5555-1234");
    assert_eq!(sato["copay"]["ratio"], 30);
    assert_eq!(sato["copay"]["reason"], "declared");
}

/// Lines 2, 4, 6, 7 are bad; 3 and 8 blank; 1, 5, 9 valid.
fn mixed_file() -> String {
    let bad_kana = with(wareki_record(), "/declaration/name_kana", json!("ヤマダA"));
    let mut unknown_field = child_record();
    unknown_field["declaration"]["nickname"] = json!("はなちゃん");
    let bad_case = with(senior_record(), "/incident/case", json!("9"));
    [
        line(wareki_record()),
        line(bad_kana),
        String::new(),
        line(unknown_field),
        line(child_record()),
        line(bad_case),
        "{\"declaration\": {\"name\": \"山田\"".to_string(),
        "   \t ".to_string(),
        line(senior_record()),
    ]
    .join("\n")
}

fn assert_mixed_rejections(out: &Output) -> Vec<(u64, String, String)> {
    assert_eq!(code(out), 1, "stderr: {}", text(&out.stderr));
    let (objects, other) = stderr_parts(out);
    let rejections: Vec<_> = objects.iter().map(rejection).collect();
    let lines: Vec<u64> = rejections.iter().map(|r| r.0).collect();
    assert_eq!(
        lines,
        [2, 4, 6, 7],
        "one JSON object per rejected line: {rejections:?}"
    );
    // Where and what kind, never the value: the kana problem names the position, not
    // the offending 'A'; the unknown field names where it sits, not the key or value.
    assert_eq!(rejections[0].1, "declaration.name_kana");
    assert!(rejections[0].2.contains("4文字目"), "{:?}", rejections[0]);
    assert!(!rejections[0].2.contains('A'), "{:?}", rejections[0]);
    assert_eq!(rejections[1].1, "declaration");
    assert!(
        rejections[1].2.contains("記録にない項目"),
        "{:?}",
        rejections[1]
    );
    assert!(
        !rejections[1].2.contains("nickname") && !rejections[1].2.contains("はなちゃん"),
        "{:?}",
        rejections[1]
    );
    assert!(
        rejections[3].2.contains("途中でJSONが終わって"),
        "{:?}",
        rejections[3]
    );
    assert!(!rejections[3].2.contains("山田"), "{:?}", rejections[3]);
    assert!(
        !text(&out.stderr).contains("はなちゃん") && !text(&out.stderr).contains("ヤマダA"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(rejections[2].1, "incident.case");
    assert!(
        rejections[2].2.contains("3-4"),
        "lists the allowed cases: {:?}",
        rejections[2]
    );
    // The summary is the only other line, and it is not JSON.
    assert_eq!(other.len(), 1, "{other:?}");
    assert!(
        other[0].contains('3') && other[0].contains('4'),
        "{other:?}"
    );
    rejections
}

#[test]
fn mixed_file_stores_the_valid_lines_and_reports_each_rejected_one() {
    let desk = Desk::new();
    let out = desk.import(&mixed_file(), &[]);
    assert_mixed_rejections(&out);
    let records = desk.export();
    assert_eq!(records.len(), 3);
    let names: BTreeSet<&str> = records
        .iter()
        .map(|r| r["declaration"]["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        BTreeSet::from(["山田　太郎", "鈴木　花", "佐藤　花子"])
    );
}

#[test]
fn dry_run_stores_nothing_but_reports_the_same() {
    let real = Desk::new();
    let real_rejections = assert_mixed_rejections(&real.import(&mixed_file(), &[]));

    let dry = Desk::new();
    let out = dry.import(&mixed_file(), &["--dry-run"]);
    let dry_rejections = assert_mixed_rejections(&out);
    assert_eq!(dry_rejections, real_rejections);
    assert!(
        !dry.store().exists(),
        "a dry run does not even open the store"
    );
    let out = dry.onshi(&["export", "--format", "jsonl"]);
    assert_eq!(code(&out), 1, "no store to export from");
    assert!(out.stdout.is_empty());

    // All valid: exit 0, still nothing stored.
    let out = dry.import(&three_valid_lines(), &["--dry-run"]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert!(!dry.store().exists());
}

fn import_stdin(desk: &Desk, args: &[&str], input: &[u8]) -> Output {
    let mut c = desk.cmd();
    c.arg("--store")
        .arg(desk.store())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(input).expect("write stdin");
    drop(stdin);
    child.wait_with_output().expect("wait")
}

#[test]
fn import_dash_reads_standard_input() {
    let desk = Desk::new();
    let out = import_stdin(&desk, &["import", "-"], three_valid_lines().as_bytes());
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(desk.export().len(), 3);

    let other = Desk::new();
    let out = import_stdin(
        &other,
        &["import", "--dry-run", "-"],
        mixed_file().as_bytes(),
    );
    assert_mixed_rejections(&out);
    assert!(!other.store().exists(), "a dry run stores nothing");
}

#[test]
fn reasons_are_japanese_by_default_and_english_with_lang_en() {
    let bad = line(with(
        wareki_record(),
        "/declaration/name_kana",
        json!("ヤマダA"),
    )) + "\n";

    let desk = Desk::new();
    let ja = desk.import(&bad, &[]);
    assert_eq!(code(&ja), 1);
    let (objects, other) = stderr_parts(&ja);
    let (_, field, reason) = rejection(&objects[0]);
    assert_eq!(field, "declaration.name_kana");
    assert!(reason.contains("全角カタカナ"), "{reason}");
    assert!(other[0].contains('件'), "{other:?}");

    // `--lang` after the subcommand and its file.
    let en = desk.import(&bad, &["--lang", "en"]);
    assert_eq!(code(&en), 1);
    let (objects, other) = stderr_parts(&en);
    let (_, field, reason) = rejection(&objects[0]);
    assert_eq!(field, "declaration.name_kana");
    assert!(reason.is_ascii(), "English reason: {reason}");
    assert!(reason.contains("katakana"), "{reason}");
    assert!(
        other[0].is_ascii() && other[0].contains("rejected"),
        "{other:?}"
    );

    // And before it.
    let file = desk.file("en.jsonl", bad.as_bytes());
    let mut c = desk.cmd();
    let out = c
        .args(["--lang", "en", "--store"])
        .arg(desk.store())
        .arg("import")
        .arg(&file)
        .output()
        .expect("run");
    assert_eq!(code(&out), 1);
    let (objects, _) = stderr_parts(&out);
    assert!(rejection(&objects[0]).2.is_ascii());
}

#[test]
fn importing_the_same_record_twice_is_a_conflict() {
    let desk = Desk::new();
    let mut rec = wareki_record();
    rec["id"] = json!(FIXED_ID);
    rec["version"] = json!(1);
    let body = line(rec) + "\n";

    let first = desk.import(&body, &[]);
    assert_eq!(code(&first), 0, "{}", text(&first.stderr));
    let second = desk.import(&body, &[]);
    assert_eq!(code(&second), 1, "{}", text(&second.stderr));
    let (objects, _) = stderr_parts(&second);
    assert_eq!(objects.len(), 1, "{objects:?}");
    let (n, field, reason) = rejection(&objects[0]);
    assert_eq!((n, field.as_str()), (1, "id"));
    assert!(reason.contains("同じID"), "{reason}");

    let records = desk.export();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["id"], FIXED_ID);
    assert_eq!(records[0]["version"], 1);
}

/// Versions 1 and 2 of the record [`FIXED_ID`]: v2 changes the phone number.
fn fixed_v1_v2() -> (Value, Value) {
    let mut v1 = wareki_record();
    v1["id"] = json!(FIXED_ID);
    v1["version"] = json!(1);
    let mut v2 = with(v1.clone(), "/declaration/phone", json!("090-9999-0000"));
    v2["version"] = json!(2);
    (v1, v2)
}

#[test]
fn a_later_version_of_a_stored_record_is_an_update() {
    let desk = Desk::new();
    let (v1, v2) = fixed_v1_v2();
    let mut v4 = v1.clone();
    v4["version"] = json!(4);

    let out = desk.import(&format!("{}\n{}\n", line(v1), line(v2)), &[]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    // Skipping a version is a conflict.
    let out = desk.import(&(line(v4) + "\n"), &[]);
    assert_eq!(code(&out), 1, "{}", text(&out.stderr));
    let (objects, _) = stderr_parts(&out);
    assert_eq!(rejection(&objects[0]).1, "id");

    let records = desk.export();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["id"], FIXED_ID);
    assert_eq!(records[0]["version"], 2);
    assert_eq!(records[0]["declaration"]["phone"], "090-9999-0000");
}

/// An export holds each record's latest version only; read back into a new store (a new
/// terminal, or a store rebuilt after a disk failure) every record comes back as it was,
/// edited and voided ones included, and later versions follow on top of it.
#[test]
fn an_export_reads_back_whole_into_a_new_store() {
    let old = Desk::new();
    let (v1, v2) = fixed_v1_v2();
    let mut v3 = v2.clone();
    v3["version"] = json!(3);
    v3["status"] = json!("voided");
    v3["void_reason"] = json!("二重登録");
    let body = format!(
        "{}\n{}\n{}\n{}\n",
        line(v1),
        line(v2),
        line(v3),
        line(child_record())
    );
    let out = old.import(&body, &[]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let exported = old.onshi(&["export", "--format", "jsonl"]);
    assert_eq!(code(&exported), 0, "{}", text(&exported.stderr));

    let new = Desk::new();
    let out = new.import(&text(&exported.stdout), &[]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(
        new.export(),
        jsonl(&exported.stdout),
        "the same records, field for field"
    );
    let stored = onshi::store::Store::open(&new.store()).expect("open the new store");
    let kept = stored.versions(FIXED_ID).expect("versions");
    assert_eq!(
        kept.iter().map(|r| r.version).collect::<Vec<_>>(),
        [3],
        "only the version the export held"
    );
    drop(stored);

    // Read back twice: the second time every line is a conflict, nothing changes.
    let again = new.import(&text(&exported.stdout), &[]);
    assert_eq!(code(&again), 1, "{}", text(&again.stderr));
    let (objects, _) = stderr_parts(&again);
    assert_eq!(objects.len(), 2, "{objects:?}");
    assert_eq!(new.export(), jsonl(&exported.stdout));
}

/// Long work shows a running count on a terminal (the rate too, once it has run a
/// moment: tests/sync_cli.rs), redrawn on one line and cleared before the summary; in a
/// script (stderr a pipe) only the summary is written.
#[test]
fn long_work_counts_on_a_terminal_and_stays_quiet_in_a_script() {
    let desk = Desk::new();
    let body: String = (0..40).map(|_| line(wareki_record()) + "\n").collect();
    let file = desk.file("many.jsonl", body.as_bytes());
    let mut c = desk.cmd();
    c.arg("--store").arg(desk.store()).arg("import").arg(&file);
    let (status, shown) = common::pty::run_on_terminal(&c, desk.tmp.path());
    assert_eq!(status, Some(0), "{shown}");
    let shown = common::pty::plain(&shown);
    assert!(shown.contains("onshi: 取り込み中 1件"), "{shown}");
    // Drawn from the start of the line, so the next count overwrites it (under Wine the
    // transcript is its console's own redrawing, which moves the cursor its own way).
    if !bin::under_wine() {
        assert!(shown.contains("\ronshi: 取り込み中 1件"), "{shown}");
    }
    assert!(
        shown.contains("取り込み 40件"),
        "the summary follows: {shown}"
    );

    let out = desk.tmp.path().join("out.jsonl");
    let mut c = desk.cmd();
    c.arg("--store")
        .arg(desk.store())
        .args(["--lang", "en", "export", "--format", "jsonl", "-o"])
        .arg(&out);
    let (status, shown) = common::pty::run_on_terminal(&c, desk.tmp.path());
    assert_eq!(status, Some(0), "{shown}");
    let shown = common::pty::plain(&shown);
    assert!(shown.contains("exporting 1/40"), "{shown}");
    assert_eq!(jsonl(&fs::read(&out).unwrap()).len(), 40);
    // Records printed on the terminal itself: no count drawn in among them.
    let mut c = desk.cmd();
    c.arg("--store")
        .arg(desk.store())
        .args(["--lang", "en", "export", "--format", "jsonl"]);
    let (status, shown) = common::pty::run_on_terminal(&c, desk.tmp.path());
    assert_eq!(status, Some(0), "{shown}");
    let shown = common::pty::plain(&shown);
    assert!(!shown.contains("exporting"), "{shown}");
    assert_eq!(shown.matches("{\"id\":").count(), 40, "{shown}");

    // The same work with stderr a pipe: the summary only.
    let piped = desk.import(&body, &[]);
    assert_eq!(code(&piped), 0, "{}", text(&piped.stderr));
    let err = text(&piped.stderr);
    assert!(!err.contains("取り込み中") && !err.contains('\r'), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn escape_sequences_never_reach_the_terminal() {
    let desk = Desk::new();
    let esc_name = with(
        wareki_record(),
        "/declaration/name",
        json!("\u{1b}[31m山田\u{1b}[0m"),
    );
    let esc_address = with(
        child_record(),
        "/declaration/address",
        json!("東京都\u{9b}2J千代田区"),
    );
    let mut esc_field = senior_record();
    esc_field["\u{1b}]0;owned\u{7}"] = json!(1);
    let mut body = Vec::new();
    body.extend_from_slice(line(esc_name).as_bytes());
    body.push(b'\n');
    body.extend_from_slice(line(esc_address).as_bytes());
    body.push(b'\n');
    body.extend_from_slice(line(esc_field).as_bytes());
    body.push(b'\n');
    // Raw ESC bytes inside broken JSON, too.
    body.extend_from_slice(b"{\"declaration\": \x1b[2J\x1b]0;x\x07\n");
    let file = desk.file("esc.jsonl", &body);

    for lang in ["ja", "en"] {
        let out = desk.onshi(&["import", file.to_str().expect("path"), "--lang", lang]);
        assert_eq!(code(&out), 1);
        assert!(
            !out.stderr.contains(&0x1b),
            "ESC on stderr: {:?}",
            text(&out.stderr)
        );
        assert!(!out.stderr.contains(&0x07), "BEL on stderr");
        assert!(!text(&out.stderr).contains('\u{9b}'), "CSI on stderr");
        assert!(!out.stdout.contains(&0x1b));
        let (objects, _) = stderr_parts(&out);
        let rejections: Vec<_> = objects.iter().map(rejection).collect();
        let got: Vec<(u64, &str)> = rejections.iter().map(|r| (r.0, r.1.as_str())).collect();
        assert_eq!(
            got[..2],
            [(1, "declaration.name"), (2, "declaration.address")]
        );
        assert_eq!(rejections.len(), 4, "{rejections:?}");
    }
    assert!(desk.export().is_empty());
}

#[test]
fn a_line_that_is_not_utf8_is_rejected_and_the_rest_imported() {
    let desk = Desk::new();
    let mut body = b"\xff\xfe{\"id\": \"\x80\"}\n".to_vec();
    body.extend_from_slice(three_valid_lines().as_bytes());
    let file = desk.file("latin1.jsonl", &body);
    let out = desk.onshi(&["import", file.to_str().expect("path")]);
    assert_eq!(code(&out), 1, "{}", text(&out.stderr));
    let (objects, _) = stderr_parts(&out);
    assert_eq!(objects.len(), 1, "{objects:?}");
    assert_eq!(rejection(&objects[0]).0, 1);
    assert_eq!(desk.export().len(), 3);
}

/// Kills the child if a test fails while it runs.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

fn wait_with_timeout(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        assert!(start.elapsed() < limit, "child did not exit in {limit:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_second_process_on_the_same_store_is_told_it_is_in_use_by_pid() {
    let desk = Desk::new();
    // `import -` opens the store, then waits for standard input we keep open.
    let mut c = desk.cmd();
    c.arg("--store")
        .arg(desk.store())
        .args(["import", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut holder = Running(c.spawn().expect("spawn holder"));
    // Under Wine the program's PID is Windows' own, not the wine process's.
    let want_pid = (!bin::under_wine()).then(|| holder.0.id());

    // Wait until the holder has the store: its PID is in the lock file.
    let lock = desk.store().join("onshi.lock");
    let start = Instant::now();
    let pid = loop {
        let held = fs::read_to_string(&lock)
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok())
            .filter(|p| want_pid.is_none_or(|w| w == *p));
        if let Some(pid) = held {
            break pid;
        }
        if let Ok(Some(status)) = holder.0.try_wait() {
            panic!("holder exited early: {status}");
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "store never locked"
        );
        std::thread::sleep(Duration::from_millis(20));
    };

    let out = desk.onshi(&["export", "--format", "jsonl"]);
    assert_eq!(code(&out), 1, "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("使用中"), "{err}");
    assert!(err.contains(&pid.to_string()), "names PID {pid}: {err}");
    assert!(out.stdout.is_empty());

    let out = desk.onshi(&["export", "--format", "jsonl", "--lang", "en"]);
    assert_eq!(code(&out), 1);
    let err = text(&out.stderr);
    assert!(err.contains("in use"), "{err}");
    assert!(err.contains(&pid.to_string()), "{err}");

    // A dry run does not open the store, so it works meanwhile.
    let out = desk.import(&three_valid_lines(), &["--dry-run"]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));

    // A second import is refused the same way and stores nothing.
    let out = desk.import(&three_valid_lines(), &[]);
    assert_eq!(code(&out), 1);
    assert!(text(&out.stderr).contains(&pid.to_string()));

    // Close the holder's input: it imports nothing and exits cleanly, freeing the store.
    drop(holder.0.stdin.take());
    let status = wait_with_timeout(&mut holder.0, Duration::from_secs(30));
    assert!(status.success(), "holder: {status}");
    let mut err = String::new();
    if let Some(mut e) = holder.0.stderr.take() {
        e.read_to_string(&mut err).expect("holder stderr");
    }
    assert!(!err.contains("使用中"), "{err}");
    assert!(desk.export().is_empty());
}

#[test]
fn bad_usage_exits_2_naming_the_problem() {
    let desk = Desk::new();
    let cases: &[(&[&str], &str)] = &[
        (&["frobnicate"], "'frobnicate'"),
        (&["export", "--format", "xml"], "'xml'"),
        (&["export"], "--format"),
        (&["import"], "FILE"),
        (&["--bogus", "export", "--format", "jsonl"], "'--bogus'"),
        (&["export", "--format", "jsonl", "--bogus"], "'--bogus'"),
        (&["--lang", "fr", "export", "--format", "jsonl"], "'fr'"),
    ];
    for (args, named) in cases {
        let out = desk.onshi(args);
        let err = text(&out.stderr);
        assert_eq!(code(&out), 2, "{args:?}: {err}");
        assert!(err.contains(named), "{args:?} should name {named}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    // None of these touched the store.
    assert!(!desk.store().exists());
}

#[test]
fn a_missing_import_file_is_reported() {
    let desk = Desk::new();
    let missing = desk.tmp.path().join("nope.jsonl");
    let out = desk.onshi(&["import", missing.to_str().expect("path")]);
    assert_ne!(code(&out), 0);
    let err = text(&out.stderr);
    assert!(err.contains("nope.jsonl"), "{err}");
    assert!(err.contains("ファイル"), "{err}");
}

#[test]
fn options_before_or_after_the_subcommand_and_the_store_env() {
    let desk = Desk::new();
    let store = desk.store();
    let store = store.to_str().expect("path");
    let file = desk.file("one.jsonl", (line(wareki_record()) + "\n").as_bytes());

    // Import with --store after the subcommand.
    let out = desk
        .cmd()
        .args(["import", file.to_str().expect("path"), "--store", store])
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));

    let before = desk
        .cmd()
        .args(["--store", store, "export", "--format", "jsonl"])
        .output()
        .expect("run");
    let after = desk
        .cmd()
        .args(["export", "--format", "jsonl", "--store", store])
        .output()
        .expect("run");
    assert_eq!(code(&before), 0, "{}", text(&before.stderr));
    assert_eq!(code(&after), 0, "{}", text(&after.stderr));
    assert_eq!(jsonl(&before.stdout).len(), 1);
    assert_eq!(before.stdout, after.stdout);

    // ONSHI_STORE is the default; --store wins over it.
    let via_env = desk
        .cmd()
        .env("ONSHI_STORE", store)
        .args(["export", "--format", "jsonl"])
        .output()
        .expect("run");
    assert_eq!(code(&via_env), 0, "{}", text(&via_env.stderr));
    assert_eq!(via_env.stdout, before.stdout);

    let elsewhere = desk.tmp.path().join("other-store");
    let overridden = desk
        .cmd()
        .env("ONSHI_STORE", store)
        .args(["export", "--format", "jsonl", "--store"])
        .arg(&elsewhere)
        .output()
        .expect("run");
    // The store named by --store is the one looked for (and not made by an export).
    assert_eq!(code(&overridden), 1, "{}", text(&overridden.stderr));
    assert!(overridden.stdout.is_empty());
    let named = elsewhere.display().to_string();
    assert!(
        text(&overridden.stderr).contains(&named),
        "{}",
        text(&overridden.stderr)
    );
    assert!(!elsewhere.exists());

    // Import through ONSHI_STORE alone lands there.
    let env_store = desk.tmp.path().join("env-store");
    let out = desk
        .cmd()
        .env("ONSHI_STORE", &env_store)
        .args(["import", file.to_str().expect("path")])
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let out = desk
        .cmd()
        .arg("--store")
        .arg(&env_store)
        .args(["export", "--format", "jsonl"])
        .output()
        .expect("run");
    assert_eq!(jsonl(&out.stdout).len(), 1);
    // Nothing went to the default store.
    assert!(!bin::default_store(&desk.home()).exists());
}

/// Every directory 0700 and every regular file 0600 under `dir`; returns the file count.
fn check_modes(dir: &Path) -> usize {
    let mode = fs::metadata(dir).expect("stat").permissions().mode() & 0o7777;
    assert_eq!(mode, 0o700, "{} is {mode:o}", dir.display());
    let mut files = 0;
    for entry in fs::read_dir(dir).expect("read_dir") {
        let entry = entry.expect("entry");
        let ft = entry.file_type().expect("file type");
        let path = entry.path();
        if ft.is_dir() {
            files += check_modes(&path);
        } else if ft.is_file() {
            let mode = entry.metadata().expect("stat").permissions().mode() & 0o7777;
            assert_eq!(mode, 0o600, "{} is {mode:o}", path.display());
            files += 1;
        }
    }
    files
}

#[test]
fn store_directory_is_0700_and_its_files_0600_whatever_the_umask() {
    let desk = Desk::new();
    let store = desk.tmp.path().join("nested/deeper/store");
    let file = desk.file("in.jsonl", three_valid_lines().as_bytes());
    // A permissive umask in the caller must not leak into the store.
    let out = Command::new("sh")
        .arg("-c")
        .arg("umask 000 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_onshi"))
        .arg("--store")
        .arg(&store)
        .arg("import")
        .arg(&file)
        .env_remove("ONSHI_STORE")
        .env("HOME", desk.home())
        .env("XDG_CONFIG_HOME", desk.home().join(".config"))
        .stdin(Stdio::null())
        .output()
        .expect("run via sh");
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let files = check_modes(&store);
    assert!(
        files >= 2,
        "expected the lock and sled files, found {files}"
    );
    assert!(store.join("onshi.lock").is_file());

    // Still so after another open (export) under the same umask.
    let out = Command::new("sh")
        .arg("-c")
        .arg("umask 000 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_onshi"))
        .args(["export", "--format", "jsonl", "--store"])
        .arg(&store)
        .env_remove("ONSHI_STORE")
        .env("HOME", desk.home())
        .env("XDG_CONFIG_HOME", desk.home().join(".config"))
        .stdin(Stdio::null())
        .output()
        .expect("run via sh");
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(jsonl(&out.stdout).len(), 3);
    check_modes(&store);
}

/// A directory, or a file whose reads fail, ends the import at once: exit 1 and one
/// message, not the same rejection forever.
#[test]
fn a_directory_or_a_failing_read_ends_the_import_with_one_message() {
    let desk = Desk::new();
    let folder = desk.tmp.path().join("some_folder");
    fs::create_dir(&folder).unwrap();
    let mut inputs = vec![folder.clone()];
    // Reading /proc/self/mem at offset 0 fails with EIO: a read error mid-import.
    if !bin::under_wine() {
        inputs.push(PathBuf::from("/proc/self/mem"));
    }
    for input in inputs {
        let mut child = Running(
            desk.cmd()
                .arg("--store")
                .arg(desk.store())
                .arg("import")
                .arg(&input)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap(),
        );
        let status = wait_with_timeout(&mut child.0, Duration::from_secs(20));
        let mut err = String::new();
        child
            .0
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        assert_eq!(status.code(), Some(1), "{input:?}: {err}");
        let problems: Vec<&str> = err.lines().filter(|l| l.starts_with("onshi:")).collect();
        assert_eq!(problems.len(), 1, "{input:?}: one message: {err}");
        assert!(
            problems[0].contains(&input.display().to_string()),
            "{input:?}: {err}"
        );
        assert!(
            err.lines().filter(|l| l.starts_with('{')).count() == 0,
            "{input:?}: no per-line rejections: {err}"
        );
        assert!(err.lines().count() <= 2, "{input:?}: {err}");
        // In the catalogue's words, not the OS's ("Is a directory (os error 21)").
        assert!(!err.contains("os error"), "{input:?}: {err}");
    }
}

/// A line longer than 64 KiB is rejected as too long — also when it is 128 MiB, without
/// onshi holding it in memory — and the lines around it are imported.
#[test]
fn a_line_over_64_kib_is_rejected_without_being_held_in_memory() {
    let desk = Desk::new();
    let good = three_valid_lines();
    let mut lines = good.lines();
    let (first, rest): (&str, Vec<&str>) = (lines.next().unwrap(), lines.collect());
    // Just over the limit, and huge; the huge one streams through a pipe.
    let mut just_over = json!({"incident": {"note": "x".repeat(64 * 1024)}}).to_string();
    just_over.push('\n');
    // Reaped below with wait4, which also reports its peak memory.
    #[allow(clippy::zombie_processes)]
    let mut child = desk
        .cmd()
        .arg("--store")
        .arg(desk.store())
        .args(["import", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn({
        let first = first.to_string();
        let rest: Vec<String> = rest.iter().map(|s| s.to_string()).collect();
        move || {
            writeln!(stdin, "{first}").unwrap();
            stdin.write_all(just_over.as_bytes()).unwrap();
            stdin.write_all(br#"{"incident":{"note":""#).unwrap();
            let chunk = vec![b'y'; 1 << 20];
            for _ in 0..128 {
                stdin.write_all(&chunk).unwrap();
            }
            stdin.write_all(b"\"}}\n").unwrap();
            for l in rest {
                writeln!(stdin, "{l}").unwrap();
            }
        }
    });
    let pid = child.id() as libc::pid_t;
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    writer.join().unwrap();
    // wait4 for this child's own peak memory.
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: a child of ours, valid out-pointers.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid);
    assert!(libc::WIFEXITED(status));
    assert_eq!(libc::WEXITSTATUS(status), 1, "{err}");
    let out = Output {
        status: std::os::unix::process::ExitStatusExt::from_raw(status),
        stdout: Vec::new(),
        stderr: err.clone().into_bytes(),
    };
    let (objects, _) = stderr_parts(&out);
    let rejections: Vec<_> = objects.iter().map(rejection).collect();
    assert_eq!(rejections.len(), 2, "{rejections:?}");
    for (n, r) in [2, 3].iter().zip(&rejections) {
        assert_eq!(r.0, *n);
        assert!(r.2.contains("行が長すぎます"), "{r:?}");
    }
    assert!(
        !err.contains("xxxx") && !err.contains("yyyy"),
        "the line is not echoed"
    );
    // ru_maxrss is in KiB: far below the 128 MiB line.
    let peak_mib = usage.ru_maxrss / 1024;
    if !bin::under_wine() {
        assert!(
            peak_mib < 64,
            "peak memory {peak_mib} MiB: the long line was held"
        );
    }
    assert_eq!(desk.export().len(), 3, "the lines around it are imported");
}

/// No rejection quotes the line: not a value of the wrong type, not an unknown key, not a
/// choice that is not one, not a character the kana cannot hold.
#[test]
fn rejections_name_field_and_kind_but_never_a_value() {
    let desk = Desk::new();
    let secret = "山田太郎";
    let lines = [
        with(wareki_record(), "/declaration/name", json!([secret])),
        with(wareki_record(), "/declaration/sex", json!(secret)),
        with(
            wareki_record(),
            "/declaration/name_kana",
            json!(format!("ヤマダ{secret}")),
        ),
        with(
            wareki_record(),
            "/declaration/insurance_kind",
            json!(secret),
        ),
        {
            let mut v = wareki_record();
            v["version"] = json!(secret);
            v
        },
        {
            let mut v = wareki_record();
            v["declaration"][secret] = json!(secret);
            v
        },
        {
            let mut v = wareki_record();
            v["declaration"]["yamadataro"] = json!(secret);
            v
        },
    ];
    let mut body: String = lines.into_iter().map(line).collect::<Vec<_>>().join("\n");
    body.push('\n');
    body.push_str(&format!("{{\"declaration\": {{\"name\": \"{secret}"));
    for lang in ["ja", "en"] {
        let out = desk.import(&body, &["--dry-run", "--lang", lang]);
        assert_eq!(code(&out), 1);
        let err = text(&out.stderr);
        let (objects, _) = stderr_parts(&out);
        assert_eq!(objects.len(), 8, "{err}");
        for s in [secret, "山田", "太郎", "yamadataro"] {
            assert!(!err.contains(s), "{lang}: {s} echoed:\n{err}");
        }
    }
}
