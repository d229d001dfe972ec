//! `[sync] target = "orca"` against a fake ORCA on 127.0.0.1 (tests/support/orca.rs) that
//! speaks ORCA's documented API: registration, search, insurance, memo, the record →
//! 患者番号 links in the store, the `Api_Result` classes, and faults: ORCA down, busy,
//! an error code, an answer lost after ORCA acted, a wrong password, and `kill -9` of the
//! real binary during delivery. Nothing here ran against a real ORCA (docs/orca.md).

mod common;
mod support;

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use chrono::NaiveDate;
use onshi::config::{SyncConfig, SyncTarget};
use onshi::domain::insurer::check_digit;
use onshi::domain::record::{ClaimBasis, Record, Sex, Status};
use onshi::i18n::Lang;
use onshi::store::{AuditAction, OrcaLinkKind, Store};
use onshi::sync::{queue, run_pass, EntryState, Outcome, PassReport, Target};

use common::{bin, fixtures};
use support::orca::{FakeOrca, Fault, Patient, PASSWORD, USER};
use support::receiver::free_addr;
use support::{splitmix, Killed};

struct Env {
    tmp: tempfile::TempDir,
    store: PathBuf,
    config: PathBuf,
}

/// A store and a config pointing `[sync]` at ORCA `url`; the password file is 0600.
fn env(url: &str, password: &str) -> Env {
    let tmp = tempfile::tempdir().unwrap();
    let pw = tmp.path().join("orca-password");
    std::fs::write(&pw, format!("{password}\n")).unwrap();
    std::fs::set_permissions(&pw, std::fs::Permissions::from_mode(0o600)).unwrap();
    let config = tmp.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "terminal_id = \"reception-1\"\n[sync]\ntarget = \"orca\"\nurl = \"{url}\"\nuser = \"{USER}\"\npassword_file = \"{}\"\n",
            pw.display()
        ),
    )
    .unwrap();
    Env {
        store: tmp.path().join("store"),
        config,
        tmp,
    }
}

fn target(e: &Env) -> Target {
    let cfg: onshi::config::Config = onshi::config::Config::load(&e.config, true).expect("config");
    assert_eq!(cfg.sync.target, SyncTarget::Orca);
    Target::from_config(&cfg.sync)
        .expect("target")
        .for_desk(Lang::En, false)
}

fn pass(store: &Store, t: &Target) -> PassReport {
    run_pass(store, t, &AtomicBool::new(false), &mut |_| {}).expect("pass")
}

/// A person of our own: distinct name and birth date per `n` (the kana is shared, so
/// the search has to tell them apart).
fn person(n: u32) -> Record {
    let mut r = fixtures::record();
    r.declaration.name = format!("試験　太郎{}", wide(&n.to_string()));
    r.declaration.name_kana = "シケン　タロウ".to_string();
    r.declaration.birth_date =
        NaiveDate::from_ymd_opt(1950, 1, 1).unwrap() + chrono::Days::new(u64::from(n));
    r
}

/// `rec` with a current qualification from a document.
fn with_numbers(mut r: Record, body: &str, symbol: Option<&str>, number: &str) -> Record {
    r.insurance.basis = ClaimBasis::Current;
    r.insurance.insurer_number = Some(format!("{body}{}", check_digit(body).unwrap()));
    r.insurance.symbol = symbol.map(str::to_string);
    r.insurance.number = Some(number.to_string());
    r.insurance.branch = Some("01".into());
    r.followup.needed = false;
    r
}

fn next(r: &Record) -> Record {
    fixtures::next_version(r)
}

/// The memo text of `patient` on `date` (department 00, メモ２).
fn memo(orca: &FakeOrca, patient: &str, date: &str) -> Option<String> {
    orca.memos()
        .into_iter()
        .find(|((p, d, dep, c), _)| p == patient && d == date && dep == "00" && c == "2")
        .map(|(_, t)| t)
}

fn wide(s: &str) -> String {
    onshi::domain::text::to_fullwidth(s)
}

#[test]
fn a_new_patient_is_registered_with_insurance_and_memo() {
    let orca = FakeOrca::start();
    let e = env(&orca.url(), PASSWORD);
    let store = Store::open(&e.store).unwrap();
    let mut rec = with_numbers(person(1), "0613001", Some("記号12"), "3456");
    rec.declaration.address = "東京都<千代田区>&霞が関".into();
    store.insert_new(&rec, "佐藤").unwrap();

    let r = pass(&store, &target(&e));
    assert_eq!(r.delivered, 1, "{r:?}");
    assert_eq!(store.outbox_len(), 0);

    let patients = orca.patients();
    assert_eq!(patients.len(), 1);
    let p = &patients[0];
    assert_eq!(p.name, rec.declaration.name);
    assert_eq!(p.kana, "シケン　タロウ");
    assert_eq!(p.birth, rec.declaration.birth_date.to_string());
    assert_eq!(p.sex, "1");
    // Escaped on the way, intact at ORCA.
    assert_eq!(p.address1, "東京都＜千代田区＞＆霞が関");
    assert_eq!(p.phone2, fixtures::PHONE);
    assert_eq!(p.insurances.len(), 1);
    let ins = &p.insurances[0];
    assert_eq!(
        Some(&ins.provider_number),
        rec.insurance.insurer_number.as_ref()
    );
    assert_eq!(ins.symbol, "記号１２");
    assert_eq!(ins.number, "３４５６");
    assert_eq!(ins.branch, "01");
    assert_eq!(
        ins.start,
        rec.service_date.to_string(),
        "valid from the visit"
    );

    let link = store.orca_link(&rec.id).unwrap().expect("link stored");
    assert_eq!(link.patient_id, p.id);
    assert_eq!(link.kind, OrcaLinkKind::Registered);
    assert_eq!(link.delivered_version, Some(1));
    assert!(link.warnings.is_empty(), "{:?}", link.warnings);

    let m = memo(&orca, &p.id, &rec.service_date.to_string()).expect("memo");
    assert!(
        m.starts_with(&wide(&format!("【onshi {} 版1】", rec.id))),
        "{m}"
    );
    assert!(
        m.contains("請求:現在の資格") || m.contains("請求：現在の資格"),
        "{m}"
    );

    // The calls ORCA's pages describe, authenticated, in xml2.
    let reqs = orca.requests();
    let paths: Vec<&str> = reqs.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/api01rv2/patientlst3v2?class=01",
            "/api01rv2/patientlst3v2?class=01",
            "/orca12/patientmodv2?class=01",
            "/orca12/patientmodv2?class=04",
            "/api01rv2/patientlst7v2",
            "/orca06/patientmemomodv2",
        ]
    );
    for r in &reqs {
        assert!(r.authorized, "{r:?}");
        assert_eq!(r.method, "POST");
        assert!(r
            .content_type
            .as_deref()
            .unwrap()
            .starts_with("application/xml"));
        assert!(r
            .body
            .starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<data>"));
    }
    assert!(reqs[2]
        .body
        .contains("<Patient_ID type=\"string\">*</Patient_ID>"));
    assert!(reqs[2].body.contains("&lt;千代田区&gt;&amp;"));
}

#[test]
fn later_versions_update_the_same_patient_and_keep_the_clinic_memo() {
    let orca = FakeOrca::start();
    let e = env(&orca.url(), PASSWORD);
    let store = Store::open(&e.store).unwrap();
    let t = target(&e);
    // v1: 不詳.
    let v1 = person(2);
    store.insert_new(&v1, "佐藤").unwrap();
    assert_eq!(pass(&store, &t).delivered, 1);
    let pid = store.orca_link(&v1.id).unwrap().unwrap().patient_id;
    let date = v1.service_date.to_string();
    let m1 = memo(&orca, &pid, &date).unwrap();
    assert!(
        m1.contains(&wide("77777777")),
        "不詳 coding in the memo: {m1}"
    );
    assert!(orca.patient(&pid).unwrap().insurances.is_empty());

    // The clinic writes its own memo text next to ours.
    orca.set_memo(&pid, &date, "00", "2", &format!("ペニシリン注意　{m1}"));

    // v2: the recheck's numbers; v3: voided.
    let v2 = with_numbers(next(&v1), "13810", None, "12345");
    store.update(&v2, "佐藤", AuditAction::Followup).unwrap();
    let mut v3 = next(&v2);
    v3.status = Status::Voided;
    v3.void_reason = Some("二重受付".into());
    store.update(&v3, "佐藤", AuditAction::Void).unwrap();
    assert_eq!(pass(&store, &t).delivered, 2);

    assert_eq!(orca.patients().len(), 1, "no second patient");
    let p = orca.patient(&pid).unwrap();
    assert_eq!(p.insurances.len(), 1, "insurance added at v2");
    assert_eq!(p.insurances[0].provider_number, "138107");
    let m = memo(&orca, &pid, &date).unwrap();
    assert!(m.starts_with("ペニシリン注意"), "clinic text kept: {m}");
    assert!(
        m.contains(&wide(&format!("【onshi {} 版3】", v1.id))),
        "{m}"
    );
    assert!(m.contains("取消済み"), "{m}");
    assert!(!m.contains(&wide("版1】")), "old block replaced: {m}");
    assert_eq!(m.matches(&wide("【onshi ")).count(), 1, "{m}");
    assert_eq!(
        store.orca_link(&v1.id).unwrap().unwrap().delivered_version,
        Some(3)
    );
}

#[test]
fn a_patient_already_in_orca_is_found_not_registered_again() {
    let orca = FakeOrca::start();
    let e = env(&orca.url(), PASSWORD);
    let store = Store::open(&e.store).unwrap();
    let rec = with_numbers(person(3), "0613001", None, "777");
    let existing = orca.add_patient(Patient {
        id: String::new(),
        name: rec.declaration.name.clone(),
        kana: "シケン　タロウ".into(),
        birth: rec.declaration.birth_date.to_string(),
        sex: "1".into(),
        address1: String::new(),
        address2: String::new(),
        phone2: String::new(),
        insurances: vec![support::orca::Insurance {
            provider_number: "39131015".into(),
            symbol: String::new(),
            number: "１２３４５６７８".into(),
            branch: String::new(),
            start: "2020-01-01".into(),
            rate_class: String::new(),
        }],
    });
    // Same name, other sex: never this record's patient.
    orca.add_patient(Patient {
        id: String::new(),
        name: rec.declaration.name.clone(),
        kana: "シケン　タロウ".into(),
        birth: rec.declaration.birth_date.to_string(),
        sex: "2".into(),
        address1: String::new(),
        address2: String::new(),
        phone2: String::new(),
        insurances: Vec::new(),
    });
    store.insert_new(&rec, "佐藤").unwrap();
    assert_eq!(pass(&store, &target(&e)).delivered, 1);
    assert_eq!(orca.patients().len(), 2, "nothing registered");
    let link = store.orca_link(&rec.id).unwrap().unwrap();
    assert_eq!(
        (link.patient_id.as_str(), link.kind),
        (existing.as_str(), OrcaLinkKind::Found)
    );
    // ORCA has another insurance: not changed, said in the warnings and the memo.
    assert_eq!(orca.patient(&existing).unwrap().insurances.len(), 1);
    assert!(
        link.warnings
            .iter()
            .any(|w| w.contains("another insurance")),
        "{:?}",
        link.warnings
    );
    let m = memo(&orca, &existing, &rec.service_date.to_string()).unwrap();
    assert!(m.contains("別の保険"), "{m}");
    assert!(!orca.requests().iter().any(|r| r.path.ends_with("class=04")));
}

#[test]
fn an_answer_lost_after_registration_does_not_register_twice() {
    let orca = FakeOrca::start();
    let e = env(&orca.url(), PASSWORD);
    let store = Store::open(&e.store).unwrap();
    let t = target(&e);
    let rec = person(4);
    store.insert_new(&rec, "佐藤").unwrap();
    // ORCA registers the patient, then the connection drops before its answer.
    orca.push_fault("patientmodv2", Fault::DropAfterProcess);
    let r = pass(&store, &t);
    assert_eq!(r.delivered, 0);
    assert!(r.unreachable.is_some(), "{r:?}");
    assert_eq!(orca.patients().len(), 1, "ORCA did register");
    assert!(
        store.orca_link(&rec.id).unwrap().is_none(),
        "onshi never heard the number"
    );
    assert_eq!(store.outbox_len(), 1, "nothing lost");

    let r = pass(&store, &t);
    assert_eq!(r.delivered, 1, "{r:?}");
    assert_eq!(
        orca.patients().len(),
        1,
        "found by the search, not registered again"
    );
    let link = store.orca_link(&rec.id).unwrap().unwrap();
    assert_eq!(link.patient_id, orca.patients()[0].id);
}

#[test]
fn orca_down_busy_and_a_refusal() {
    let addr = free_addr();
    let e = env(&format!("http://{addr}"), PASSWORD);
    let store = Store::open(&e.store).unwrap();
    let t = target(&e);
    let a = person(5);
    let b = person(6);
    store.insert_new(&a, "佐藤").unwrap();
    store.insert_new(&b, "佐藤").unwrap();
    let a2 = next(&a);
    store.update(&a2, "佐藤", AuditAction::Edit).unwrap();

    // Down: retry later, nothing held.
    let r = pass(&store, &t);
    assert!(r.unreachable.is_some() && r.delivered == 0, "{r:?}");
    assert!(store.outbox_failed().unwrap().is_empty());

    // 他端末使用中: retry later, nothing held.
    let orca = FakeOrca::start_on(addr);
    orca.push_fault(
        "patientlst3v2",
        Fault::Result("90".into(), "他端末使用中".into()),
    );
    let r = pass(&store, &t);
    let why = r.unreachable.clone().expect("busy is a retry");
    assert!(why.contains("90") && why.contains("他端末使用中"), "{why}");
    assert!(store.outbox_failed().unwrap().is_empty());

    // A validation error on a's registration: a held with ORCA's words, a's v2 waits,
    // b goes on.
    orca.push_fault(
        "patientmodv2",
        Fault::Result("P1".into(), "生年月日に未来日が入力されました".into()),
    );
    let r = pass(&store, &t);
    assert_eq!((r.delivered, r.newly_failed), (1, 1), "{r:?}");
    let q = queue(&store, 10).unwrap();
    assert_eq!(q.len(), 2);
    assert_eq!(q[0].state, EntryState::Failed);
    assert_eq!(
        q[0].error.as_deref(),
        Some("ORCA patientmodv2 P1: 生年月日に未来日が入力されました")
    );
    assert_eq!(q[1].state, EntryState::Waiting);
    assert_eq!(orca.patients().len(), 1, "only b");

    // Fixed at ORCA; the operator retries.
    assert!(store.outbox_retry(q[0].seq, "佐藤").unwrap());
    let r = pass(&store, &t);
    assert_eq!(r.delivered, 2, "{r:?}");
    assert_eq!(store.outbox_len(), 0);
    assert_eq!(orca.patients().len(), 2);
}

#[test]
fn wrong_password_and_unknown_user_are_refused_clearly() {
    let orca = FakeOrca::start();
    let e = env(&orca.url(), "not-the-password");
    let store = Store::open(&e.store).unwrap();
    store.insert_new(&person(7), "佐藤").unwrap();
    let r = pass(&store, &target(&e));
    assert_eq!(r.newly_failed, 1, "{r:?}");
    let f = &store.outbox_failed().unwrap()[0];
    let failure = f.failure.as_ref().unwrap();
    assert_eq!(failure.status, Some(401));
    assert!(
        failure
            .message
            .contains("does not accept the user ID or password"),
        "{}",
        failure.message
    );
    assert!(orca.patients().is_empty());

    let e = env(&orca.url(), PASSWORD);
    let store = Store::open(&e.store).unwrap();
    store.insert_new(&person(8), "佐藤").unwrap();
    orca.push_fault(
        "patientlst3v2",
        Fault::Result("99".into(), "ユーザID未登録".into()),
    );
    let r = pass(&store, &target(&e));
    assert_eq!(r.newly_failed, 1);
    let msg = store.outbox_failed().unwrap()[0]
        .failure
        .clone()
        .unwrap()
        .message;
    assert!(
        msg.contains("not registered in ORCA") && msg.contains("99"),
        "{msg}"
    );
}

#[test]
fn a_k0_warning_is_delivered_and_recorded() {
    let orca = FakeOrca::start();
    let e = env(&orca.url(), PASSWORD);
    let store = Store::open(&e.store).unwrap();
    let rec = person(9);
    // ORCA has this person, but its search answers nothing (as it may for a reading
    // typed differently): ORCA registers a second one with K0.
    orca.add_patient(Patient {
        id: String::new(),
        name: rec.declaration.name.clone(),
        kana: "シケン　ジロウ".into(),
        birth: rec.declaration.birth_date.to_string(),
        sex: "1".into(),
        address1: String::new(),
        address2: String::new(),
        phone2: String::new(),
        insurances: Vec::new(),
    });
    for _ in 0..2 {
        orca.push_fault(
            "patientlst3v2",
            Fault::Result("20".into(), "該当患者が存在しません".into()),
        );
    }
    store.insert_new(&rec, "佐藤").unwrap();
    assert_eq!(pass(&store, &target(&e)).delivered, 1);
    let link = store.orca_link(&rec.id).unwrap().unwrap();
    assert!(
        link.warnings.iter().any(|w| w.contains("K0")),
        "{:?}",
        link.warnings
    );
    let notes = onshi::sync::notes(&store, 10).unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].id, rec.id);
    assert_eq!(notes[0].patient, link.patient_id);
}

#[test]
fn a_voided_record_never_creates_a_patient_and_a_deleted_one_is_found_again() {
    let orca = FakeOrca::start();
    let e = env(&orca.url(), PASSWORD);
    let store = Store::open(&e.store).unwrap();
    let t = target(&e);
    let mut void = person(10);
    void.status = Status::Voided;
    void.void_reason = Some("誤入力".into());
    store.insert_new(&void, "佐藤").unwrap();
    assert_eq!(pass(&store, &t).delivered, 1);
    assert!(orca.patients().is_empty());
    assert!(store.orca_link(&void.id).unwrap().is_none());

    // A linked patient deleted at ORCA (a duplicate merged away): the next version finds
    // the surviving one.
    let rec = person(11);
    store.insert_new(&rec, "佐藤").unwrap();
    assert_eq!(pass(&store, &t).delivered, 1);
    let first = store.orca_link(&rec.id).unwrap().unwrap().patient_id;
    let mut twin = orca.patient(&first).unwrap();
    twin.insurances.clear();
    let survivor = orca.add_patient(twin);
    orca.remove_patient(&first);
    store
        .update(&next(&rec), "佐藤", AuditAction::Edit)
        .unwrap();
    assert_eq!(pass(&store, &t).delivered, 1);
    let link = store.orca_link(&rec.id).unwrap().unwrap();
    assert_eq!(link.patient_id, survivor);
    assert_eq!(orca.patients().len(), 1);
}

#[test]
fn links_survive_reopening_and_are_sealed_in_an_encrypted_store() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    let orca = FakeOrca::start();
    let e = env(&orca.url(), PASSWORD);
    let (a, b) = (person(12), person(13));
    {
        let store = Store::init_encrypted(&dir, "correct horse battery").unwrap();
        store.insert_new(&a, "佐藤").unwrap();
        store.insert_new(&b, "佐藤").unwrap();
        assert_eq!(pass(&store, &target(&e)).delivered, 2);
    }
    let pid = {
        let store = Store::open_with_passphrase(&dir, "correct horse battery").unwrap();
        let links = store.orca_links().unwrap();
        assert_eq!(links.len(), 2);
        store.orca_forget(&a.id).unwrap();
        assert!(store.orca_link(&a.id).unwrap().is_none());
        store.orca_link(&b.id).unwrap().unwrap().patient_id
    };
    // The tree holds sealed values only: no 患者番号, no JSON.
    let db = (0..100)
        .find_map(|_| {
            sled::open(&dir).ok().or_else(|| {
                std::thread::sleep(Duration::from_millis(20));
                None
            })
        })
        .expect("sled opens once the store let go");
    let tree = db.open_tree("orca").unwrap();
    assert_eq!(tree.len(), 1);
    for item in tree.iter() {
        let (k, v) = item.unwrap();
        assert_eq!(k.as_ref(), b.id.as_bytes());
        assert!(!v.windows(pid.len()).any(|w| w == pid.as_bytes()));
        assert!(
            serde_json::from_slice::<serde_json::Value>(&v).is_err(),
            "sealed"
        );
    }
}

// ---- the real binary ----

fn onshi(e: &Env, args: &[&str]) -> Command {
    let mut c = bin::onshi();
    c.arg("--store")
        .arg(&e.store)
        .arg("--config")
        .arg(&e.config)
        .args(args)
        .env_remove("ONSHI_STORE")
        .stdin(Stdio::null());
    c
}

fn run(e: &Env, args: &[&str]) -> (Option<i32>, String, String) {
    let out = onshi(e, args).output().expect("run onshi");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_sync_exit_codes_and_doctor_line() {
    let addr = free_addr();
    let e = env(&format!("http://{addr}"), PASSWORD);
    let rec = person(20);
    let held = person(21);
    {
        let s = Store::open(&e.store).unwrap();
        s.insert_new(&rec, "佐藤").unwrap();
    }
    let (code, out, _) = run(&e, &["--lang", "en", "doctor"]);
    let line = out
        .lines()
        .find(|l| l.contains("sync target"))
        .unwrap()
        .to_string();
    assert!(
        line.starts_with("NG") && line.contains("Cannot reach"),
        "{line}"
    );
    assert_eq!(code, Some(1));
    let (code, _, err) = run(&e, &["--lang", "en", "sync", "--once"]);
    assert_eq!(code, Some(3), "{err}");

    let orca = FakeOrca::start_on(addr);
    let (_, out, _) = run(&e, &["--lang", "en", "doctor"]);
    let line = out
        .lines()
        .find(|l| l.contains("sync target"))
        .unwrap()
        .to_string();
    assert_eq!(
        line,
        format!("OK sync target: orca http://{addr} (reachable, credentials accepted)")
    );
    let (code, _, err) = run(&e, &["--lang", "en", "sync", "--once"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("1 delivered"), "{err}");
    assert_eq!(orca.patients().len(), 1);

    // A refusal: exit 1, the id named, ORCA's message (which may quote values) kept for
    // the sync screen, not printed.
    {
        let s = Store::open(&e.store).unwrap();
        s.insert_new(&held, "佐藤").unwrap();
    }
    orca.push_fault(
        "patientmodv2",
        Fault::Result(
            "14".into(),
            format!("漢字氏名は全角で入力して下さい {}", held.declaration.name),
        ),
    );
    let (code, _, err) = run(&e, &["--lang", "en", "sync", "--once"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains(&format!("{} v1", held.id)), "{err}");
    assert!(!err.contains(&held.declaration.name), "{err}");
    let (code, _, err) = run(&e, &["--lang", "en", "sync", "--once", "--retry-failed"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(orca.patients().len(), 2);

    // Doctor with a wrong password: one NG line that says so.
    let bad = env(&orca.url(), "wrong");
    let (code, out, _) = run(&bad, &["--lang", "ja", "doctor"]);
    let line = out
        .lines()
        .find(|l| l.contains("送信先"))
        .unwrap()
        .to_string();
    assert!(
        line.starts_with("NG") && line.contains("パスワード"),
        "{line}"
    );
    assert_eq!(code, Some(1));
    let _ = &e.tmp;
}

/// Versions for `n` people, two each, round-robin, in a fresh store.
fn queue_people(dir: &Path, n: u32) -> BTreeMap<String, Record> {
    let store = Store::open(dir).unwrap();
    let mut latest = BTreeMap::new();
    let people: Vec<Record> = (0..n)
        .map(|i| {
            let mut r = person(100 + i);
            if i % 2 == 0 {
                r = with_numbers(r, "0613001", None, &format!("{}", 1000 + i));
            }
            if i % 3 == 0 {
                r.declaration.sex = Sex::Female;
            }
            r
        })
        .collect();
    for r in &people {
        store.insert_new(r, "佐藤").unwrap();
    }
    for r in &people {
        let v2 = next(r);
        store.update(&v2, "佐藤", AuditAction::Edit).unwrap();
        latest.insert(v2.id.clone(), v2);
    }
    latest
}

#[test]
fn kill_9_during_orca_delivery_loses_nothing_and_registers_no_one_twice() {
    let orca = FakeOrca::start();
    // Each call a little slow, so kills land between ORCA acting and onshi recording.
    orca.set_always(Some(Fault::Slow(Duration::from_millis(3))));
    let e = env(&orca.url(), PASSWORD);
    let latest = queue_people(&e.store, 40);
    let bin_path = env!("CARGO_BIN_EXE_onshi");
    let mut killed_running = 0;
    for i in 0..12u64 {
        let r = splitmix(0x4f52_4341 + i);
        let mut child = Killed(
            Command::new(bin_path)
                .arg("--store")
                .arg(&e.store)
                .arg("--config")
                .arg(&e.config)
                .arg("sync")
                .env_remove("ONSHI_STORE")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        std::thread::sleep(Duration::from_millis(60 + r % 200));
        if child.0.try_wait().unwrap().is_none() {
            killed_running += 1;
        }
        child.0.kill().unwrap();
        child.0.wait().unwrap();
        // After every kill: no person twice at ORCA, and every version queued or
        // delivered.
        let mut seen = std::collections::HashSet::new();
        for p in orca.patients() {
            assert!(
                seen.insert((p.name.clone(), p.birth.clone(), p.sex.clone())),
                "kill {i}: {} registered twice",
                p.id
            );
        }
        let store = Store::open(&e.store).unwrap();
        assert_eq!(store.list().unwrap().len(), latest.len());
    }
    assert!(
        killed_running >= 6,
        "only {killed_running} kills hit a running sync"
    );
    let status = Command::new(bin_path)
        .arg("--store")
        .arg(&e.store)
        .arg("--config")
        .arg(&e.config)
        .args(["sync", "--once"])
        .env_remove("ONSHI_STORE")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    orca.set_always(None);

    let store = Store::open(&e.store).unwrap();
    assert_eq!(store.outbox_len(), 0);
    let patients = orca.patients();
    assert_eq!(patients.len(), latest.len(), "one ORCA patient per person");
    for (id, rec) in &latest {
        let link = store.orca_link(id).unwrap().expect("linked");
        assert_eq!(link.delivered_version, Some(2), "{id}");
        let p = orca.patient(&link.patient_id).expect("patient exists");
        assert_eq!(p.name, rec.declaration.name);
        let m = memo(&orca, &p.id, &rec.service_date.to_string()).expect("memo");
        assert!(m.contains(&wide(&format!("【onshi {id} 版2】"))), "{m}");
        assert_eq!(m.matches(&wide("【onshi ")).count(), 1, "{m}");
        let want = usize::from(rec.insurance.number.is_some());
        assert_eq!(p.insurances.len(), want, "{id}");
    }
}

#[test]
fn outcomes_from_a_dead_port_are_retries() {
    // The plain Outcome for a target that never answers: Unreachable, not Rejected.
    let addr = free_addr();
    let e = env(&format!("http://{addr}"), PASSWORD);
    let store = Store::open(&e.store).unwrap();
    let rec = person(30);
    store.insert_new(&rec, "佐藤").unwrap();
    let body = store.version_json(&rec.id, 1).unwrap().unwrap();
    let o = target(&e).deliver(&store, &rec.id, 1, &body).unwrap();
    assert!(matches!(o, Outcome::Unreachable(_)), "{o:?}");
    let _ = SyncConfig::default();
}
