//! Encryption at rest: what reaches the disk, what a wrong passphrase does (nothing), that
//! every reader (list, versions, drafts, sync, export) sees plain data in memory, and the
//! CLI's passphrase sources (`ONSHI_PASSPHRASE_FILE` 0600, else a terminal).

mod audit_support;
mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use audit_support::{
    any_file_contains, assert_no_personal, code, import_jsonl, ok, text, Desk, PASSPHRASE,
};
use common::{bin, fixtures};
use onshi::store::{AuditAction, EncryptionIssue, Store, StoreError};

fn secrets() -> Vec<&'static str> {
    vec![
        fixtures::NAME,
        fixtures::KANA,
        fixtures::ADDRESS,
        "霞が関",
        "ヤマダ",
    ]
}

/// Everything a store holds, as seen with the right passphrase.
fn contents(dir: &Path) -> String {
    let s = Store::open_with_passphrase(dir, PASSPHRASE).unwrap();
    let mut out = format!(
        "{:?}\n{:?}\n{}\n",
        s.list().unwrap(),
        s.audit().unwrap(),
        s.terminal_id()
    );
    for r in s.list().unwrap() {
        out.push_str(&format!("{:?}\n", s.versions(&r.id).unwrap()));
    }
    out.push_str(&format!(
        "{:?}\n{:?}\n",
        s.load_draft("form").unwrap(),
        s.last_operator().unwrap()
    ));
    out
}

/// Save a record with two versions and a draft that contains personal values.
fn fill(store: &Store) -> onshi::domain::record::Record {
    let rec = fixtures::record();
    store.insert_new(&rec, "佐藤").unwrap();
    let mut v2 = fixtures::next_version(&rec);
    v2.declaration.phone = Some("090-1111-2222".into());
    store.update(&v2, "佐藤", AuditAction::Edit).unwrap();
    let draft = serde_json::json!({"name": fixtures::NAME, "kana": fixtures::KANA, "address": fixtures::ADDRESS});
    store
        .save_draft("form", draft.to_string().as_bytes())
        .unwrap();
    v2
}

#[test]
fn files_on_disk_hold_no_personal_values_when_encrypted() {
    let plain = tempfile::tempdir().unwrap();
    let sealed = tempfile::tempdir().unwrap();
    {
        let s = Store::open(plain.path()).unwrap();
        fill(&s);
        assert!(!s.is_encrypted());
    }
    {
        let s = Store::init_encrypted(sealed.path(), PASSPHRASE).unwrap();
        assert!(s.is_encrypted());
        fill(&s);
    }
    for secret in secrets() {
        // The check works: the plain store has them in its files…
        assert!(
            any_file_contains(plain.path(), secret.as_bytes()),
            "plain store lacks {secret}: the grep is broken"
        );
        // …the encrypted one does not.
        assert!(
            !any_file_contains(sealed.path(), secret.as_bytes()),
            "encrypted store files contain {secret}"
        );
    }
}

#[test]
fn readers_see_plain_data_with_the_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let (rec, drafts) = {
        let s = Store::init_encrypted(dir.path(), PASSPHRASE).unwrap();
        let rec = fill(&s);
        (rec, s.load_draft("form").unwrap().unwrap())
    };
    assert_eq!(Store::open(dir.path()).unwrap_err(), StoreError::Locked);
    let s = Store::open_with_passphrase(dir.path(), PASSPHRASE).unwrap();
    assert_eq!(s.get(&rec.id).unwrap().unwrap(), rec);
    assert_eq!(s.list().unwrap(), vec![rec.clone()]);
    let versions = s.versions(&rec.id).unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[1], rec);
    assert_eq!(s.load_draft("form").unwrap().unwrap(), drafts);
    // What sync delivers is the plain JSON of the version.
    let json = s.version_json(&rec.id, 2).unwrap().unwrap();
    let back: onshi::domain::record::Record = serde_json::from_slice(&json).unwrap();
    assert_eq!(back, rec);
    // Saves keep working (the version check reads a sealed record inside the transaction).
    let v3 = fixtures::next_version(&rec);
    s.update(&v3, "佐藤", AuditAction::Edit).unwrap();
    assert_eq!(
        s.update(&v3, "佐藤", AuditAction::Edit).unwrap_err(),
        StoreError::Conflict {
            id: rec.id.clone(),
            expected: 2,
            found: 3
        }
    );
    assert_eq!(s.count(), 1);
    // Operator memory and the audit are not personal and stay readable metadata.
    s.set_last_operator("佐藤").unwrap();
    assert_eq!(s.last_operator().unwrap().as_deref(), Some("佐藤"));
}

#[test]
fn wrong_passphrase_says_so_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let rec = {
        let s = Store::init_encrypted(dir.path(), PASSPHRASE).unwrap();
        fill(&s)
    };
    // sled rewrites its own bookkeeping files on every open, so "nothing changed" is
    // checked on what the store holds, not on file bytes.
    let before = contents(dir.path());
    for wrong in [
        "correct horse battery stapl",
        "",
        "CORRECT HORSE BATTERY STAPLE",
    ] {
        assert_eq!(
            Store::open_with_passphrase(dir.path(), wrong).unwrap_err(),
            StoreError::WrongPassphrase
        );
        // Nor can a wrong passphrase re-initialise the store.
        assert_eq!(
            Store::init_encrypted(dir.path(), wrong).unwrap_err(),
            StoreError::Encryption {
                issue: EncryptionIssue::AlreadyEncrypted,
            }
        );
    }
    assert_eq!(Store::open(dir.path()).unwrap_err(), StoreError::Locked);
    assert_eq!(
        contents(dir.path()),
        before,
        "a wrong passphrase changed the store"
    );
    let s = Store::open_with_passphrase(dir.path(), PASSPHRASE).unwrap();
    assert_eq!(s.get(&rec.id).unwrap().unwrap(), rec);
}

#[test]
fn init_rules() {
    // A passphrase for a plain store is refused.
    let dir = tempfile::tempdir().unwrap();
    Store::open(dir.path()).unwrap();
    assert_eq!(
        Store::open_with_passphrase(dir.path(), PASSPHRASE).unwrap_err(),
        StoreError::Encryption {
            issue: EncryptionIssue::NotEncrypted
        }
    );
    Store::open(dir.path()).expect("still a plain store");

    // An empty existing store converts; then it is encrypted, once.
    let dir = tempfile::tempdir().unwrap();
    let terminal = Store::open(dir.path()).unwrap().terminal_id();
    {
        let s = Store::init_encrypted(dir.path(), PASSPHRASE).unwrap();
        assert_eq!(s.terminal_id(), terminal);
    }
    assert_eq!(
        Store::init_encrypted(dir.path(), PASSPHRASE).unwrap_err(),
        StoreError::Encryption {
            issue: EncryptionIssue::AlreadyEncrypted
        }
    );

    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        Store::init_encrypted(dir.path(), "short").unwrap_err(),
        StoreError::Encryption {
            issue: EncryptionIssue::WeakPassphrase
        }
    );
    Store::open(dir.path()).expect("a weak passphrase left a plain store");
}

#[test]
fn a_sealed_value_moved_to_another_record_does_not_open() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (fixtures::record(), fixtures::record());
    {
        let s = Store::init_encrypted(dir.path(), PASSPHRASE).unwrap();
        s.insert_new(&a, "佐藤").unwrap();
        s.insert_new(&b, "佐藤").unwrap();
    }
    {
        // Someone with the disk copies A's sealed value over B's.
        // sled's file lock can outlive the dropped store by a moment (as Store::open
        // allows for).
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let db = loop {
            match sled::open(dir.path()) {
                Ok(db) => break db,
                Err(e) if std::time::Instant::now() > deadline => panic!("raw open: {e}"),
                Err(_) => std::thread::sleep(std::time::Duration::from_millis(10)),
            }
        };
        let records = db.open_tree("records").unwrap();
        let va = records.get(a.id.as_bytes()).unwrap().unwrap();
        records.insert(b.id.as_bytes(), va).unwrap();
        db.flush().unwrap();
    }
    let s = Store::open_with_passphrase(dir.path(), PASSPHRASE).unwrap();
    assert_eq!(s.get(&a.id).unwrap().unwrap(), a);
    assert!(matches!(s.get(&b.id), Err(StoreError::Corrupt { .. })));
}

// ---- the binary ----

#[test]
fn cli_init_encrypt_then_work_with_a_passphrase_file() {
    let desk = Desk::new();
    let pass = desk.passphrase_file(PASSPHRASE, 0o600);
    let env = [("ONSHI_PASSPHRASE_FILE", pass.as_path())];
    let out = desk.onshi_env(&["init", "--encrypt"], &env);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("暗号化あり"));

    let rec = fixtures::record();
    let input = desk.path("in.jsonl");
    fs::write(&input, import_jsonl(std::slice::from_ref(&rec))).unwrap();
    ok(&desk.onshi_env(&["import", input.to_str().unwrap()], &env));
    let exported = ok(&desk.onshi_env(&["export", "--format", "jsonl"], &env));
    assert!(
        exported.contains(fixtures::NAME),
        "export decrypts in memory"
    );
    let printed = ok(&desk.onshi_env(&["print", &rec.id, "--format", "txt"], &env));
    assert!(printed.contains(fixtures::ADDRESS));

    // Sync delivers decrypted JSON to the target.
    let inbox = desk.path("inbox");
    fs::create_dir_all(&inbox).unwrap();
    fs::write(inbox.join(".onshi-inbox"), b"").unwrap();
    desk.config(&format!(
        "[sync]\ntarget = \"dir\"\ndir = \"{}\"\n",
        inbox.display()
    ));
    ok(&desk.onshi_env(&["sync", "--once"], &env));
    let delivered = fs::read_to_string(inbox.join(format!("{}-v1.json", rec.id))).unwrap();
    assert!(delivered.contains(fixtures::NAME));

    for secret in secrets() {
        assert!(
            !any_file_contains(&desk.store(), secret.as_bytes()),
            "{secret} on disk"
        );
    }

    // Without a passphrase (no file, no terminal): a clear refusal.
    let out = desk.onshi(&["export", "--format", "jsonl"]);
    assert_eq!(code(&out), 1);
    let err = text(&out.stderr);
    assert!(err.contains("ONSHI_PASSPHRASE_FILE"), "{err}");
    assert!(out.stdout.is_empty());

    // A wrong passphrase: says so, exit 1, nothing written.
    let wrong = desk.passphrase_file("not the passphrase", 0o400);
    let out = desk.onshi_env(
        &["export", "--format", "jsonl"],
        &[("ONSHI_PASSPHRASE_FILE", &wrong)],
    );
    assert_eq!(code(&out), 1);
    assert!(
        text(&out.stderr).contains("パスフレーズが違います"),
        "{}",
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty());

    // A passphrase file others can read is refused before it is used.
    let loose = desk.passphrase_file(PASSPHRASE, 0o644);
    let out = desk.onshi_env(
        &["export", "--format", "jsonl"],
        &[("ONSHI_PASSPHRASE_FILE", &loose)],
    );
    assert_eq!(code(&out), 1);
    assert!(
        text(&out.stderr).contains(bin::owner_only_command()),
        "{}",
        text(&out.stderr)
    );

    // init again: already encrypted (plain init just reports it).
    let out = desk.onshi_env(&["init", "--encrypt"], &env);
    assert_eq!(code(&out), 1);
    assert!(text(&out.stderr).contains("すでに暗号化"));
    let out = desk.onshi(&["init"]);
    assert_eq!(code(&out), 0);
    assert!(text(&out.stderr).contains("暗号化あり"));

    assert_no_personal("stderr", &desk.all_stderr());
}

#[test]
fn cli_init_refuses_short_passphrases() {
    let desk = Desk::new();
    let short = desk.passphrase_file("short", 0o600);
    let out = desk.onshi_env(&["init", "--encrypt"], &[("ONSHI_PASSPHRASE_FILE", &short)]);
    assert_eq!(code(&out), 1);
    assert!(text(&out.stderr).contains("8文字以上"));
    assert!(!desk.store().exists(), "a refused init created the store");

    let plain = Desk::new();
    let out = plain.onshi(&["init"]);
    assert_eq!(code(&out), 0);
    assert!(text(&out.stderr).contains("暗号化なし"));
    // Without a terminal and without a file, init --encrypt cannot ask.
    let out = plain.onshi(&["init", "--encrypt"]);
    assert_eq!(code(&out), 1);
    assert!(text(&out.stderr).contains("ONSHI_PASSPHRASE_FILE"));
}

// ---- the wrapped data key, passphrase change, encrypting in place ----

/// Where the store's sled database is: the directory itself, or the subdirectory its
/// marker names after a rewrite (docs/store.md).
fn data_dir(store: &Path) -> std::path::PathBuf {
    let marker = fs::read_to_string(store.join("onshi.store")).unwrap_or_default();
    match marker
        .lines()
        .find_map(|l| l.strip_prefix("data "))
        .map(str::trim)
    {
        Some(".") | None => store.to_path_buf(),
        Some(sub) => store.join(sub),
    }
}

/// sled in this test process, once a store closed here has let go of its files (sled
/// releases its own lock a moment after the last handle is dropped).
fn sled_open(path: &Path) -> sled::Db {
    for _ in 0..200 {
        match sled::open(path) {
            Ok(db) => return db,
            Err(e) if e.to_string().contains("could not acquire lock") => {
                std::thread::sleep(std::time::Duration::from_millis(20))
            }
            Err(e) => panic!("{e}"),
        }
    }
    panic!("sled lock on {} not released", path.display())
}

/// `meta.crypto` as stored (the store closed).
fn crypto_meta(store: &Path) -> serde_json::Value {
    let db = sled_open(&data_dir(store));
    let meta = db.open_tree("meta").unwrap();
    serde_json::from_slice(&meta.get("crypto").unwrap().expect("crypto settings")).unwrap()
}

fn set_crypto_meta(store: &Path, v: &serde_json::Value) {
    let db = sled_open(&data_dir(store));
    let meta = db.open_tree("meta").unwrap();
    meta.insert("crypto", serde_json::to_vec(v).unwrap())
        .unwrap();
    db.flush().unwrap();
}

/// The sealed bytes of every record version, as stored (the store closed).
fn sealed_versions(store: &Path) -> Vec<(Vec<u8>, Vec<u8>)> {
    let db = sled_open(&data_dir(store));
    let versions = db.open_tree("versions").unwrap();
    versions
        .iter()
        .map(|kv| {
            let (k, v) = kv.unwrap();
            (k.to_vec(), v.to_vec())
        })
        .collect()
}

fn copy_fixture(name: &str, to: &Path) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/legacy-store")
        .join(name);
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(&from).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

#[test]
fn a_store_encrypted_before_wrapped_keys_opens_and_moves_to_a_wrapped_key() {
    let desk = Desk::new();
    copy_fixture("encrypted", &desk.store());
    assert_eq!(crypto_meta(&desk.store())["format"], 1);
    let before = sealed_versions(&desk.store());
    assert_eq!(before.len(), 2);

    let wrong = desk.passphrase_file("not the passphrase", 0o600);
    let out = desk.onshi_env(
        &["export", "--format", "jsonl"],
        &[("ONSHI_PASSPHRASE_FILE", &wrong)],
    );
    assert_eq!(code(&out), 1);
    assert!(text(&out.stderr).contains("パスフレーズが違います"));
    assert_eq!(
        crypto_meta(&desk.store())["format"],
        1,
        "a wrong passphrase changed it"
    );

    let pass = desk.passphrase_file(PASSPHRASE, 0o600);
    let env = [("ONSHI_PASSPHRASE_FILE", pass.as_path())];
    let out = ok(&desk.onshi_env(&["export", "--format", "jsonl"], &env));
    assert!(
        out.contains("山田　太郎") && out.contains("山田　花子"),
        "{out}"
    );
    let meta = crypto_meta(&desk.store());
    assert_eq!(meta["format"], 2, "{meta}");
    assert!(
        meta["wrapped_key"].as_str().is_some_and(|k| k.len() > 64),
        "{meta}"
    );
    // The records were not re-encrypted: the old derived key became the data key.
    assert_eq!(sealed_versions(&desk.store()), before);
    // And it keeps opening, now through the wrapped key.
    let out = ok(&desk.onshi_env(&["export", "--format", "csv"], &env));
    assert!(out.contains("01JBV1F1X7AAAAAAAAAAAAAAA2"), "{out}");
    for secret in secrets() {
        assert!(
            !any_file_contains(&desk.store(), secret.as_bytes()),
            "{secret}"
        );
    }
}

#[test]
fn passphrase_change_rewraps_the_key_and_re_encrypts_nothing() {
    let desk = Desk::new();
    let old = desk.passphrase_file(PASSPHRASE, 0o600);
    let env_old = [("ONSHI_PASSPHRASE_FILE", old.as_path())];
    ok(&desk.onshi_env(&["init", "--encrypt"], &env_old));
    let rec = fixtures::record();
    let input = desk.path("in.jsonl");
    fs::write(&input, import_jsonl(std::slice::from_ref(&rec))).unwrap();
    ok(&desk.onshi_env(
        &["--operator", "佐藤", "import", input.to_str().unwrap()],
        &env_old,
    ));
    let sealed = sealed_versions(&desk.store());
    let wrapped_before = crypto_meta(&desk.store())["wrapped_key"].clone();

    // A new passphrase that is too short: refused, nothing changes.
    let short = desk.path("short");
    fs::write(&short, "short\n").unwrap();
    fs::set_permissions(&short, fs::Permissions::from_mode(0o600)).unwrap();
    let out = desk.onshi_env(
        &["passphrase", "change"],
        &[
            ("ONSHI_PASSPHRASE_FILE", &old),
            ("ONSHI_NEW_PASSPHRASE_FILE", &short),
        ],
    );
    assert_eq!(code(&out), 1);
    assert!(
        text(&out.stderr).contains("8文字以上"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(crypto_meta(&desk.store())["wrapped_key"], wrapped_before);

    // The wrong current passphrase: refused.
    let wrong = desk.passphrase_file("not the passphrase", 0o400);
    let new = desk.path("new-pass");
    fs::write(&new, "a brand new passphrase\n").unwrap();
    fs::set_permissions(&new, fs::Permissions::from_mode(0o600)).unwrap();
    let out = desk.onshi_env(
        &["passphrase", "change"],
        &[
            ("ONSHI_PASSPHRASE_FILE", &wrong),
            ("ONSHI_NEW_PASSPHRASE_FILE", &new),
        ],
    );
    assert_eq!(code(&out), 1);
    assert!(text(&out.stderr).contains("パスフレーズが違います"));

    let out = desk.onshi_env(
        &["--operator", "佐藤", "passphrase", "change"],
        &[
            ("ONSHI_PASSPHRASE_FILE", &old),
            ("ONSHI_NEW_PASSPHRASE_FILE", &new),
        ],
    );
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("パスフレーズを変更しました"));
    assert_ne!(crypto_meta(&desk.store())["wrapped_key"], wrapped_before);
    assert_eq!(
        sealed_versions(&desk.store()),
        sealed,
        "records were re-encrypted"
    );

    // The old passphrase no longer opens it; the new one does.
    let out = desk.onshi_env(&["export", "--format", "jsonl"], &env_old);
    assert_eq!(code(&out), 1);
    assert!(text(&out.stderr).contains("パスフレーズが違います"));
    let env_new = [("ONSHI_PASSPHRASE_FILE", new.as_path())];
    let out = ok(&desk.onshi_env(&["export", "--format", "jsonl"], &env_new));
    assert!(out.contains(&rec.id));
    let audit = ok(&desk.onshi_env(&["audit"], &env_new));
    assert!(
        audit
            .lines()
            .any(|l| l.contains("佐藤") && l.ends_with("passphrase_change")),
        "{audit}"
    );

    // A plain store has no passphrase to change.
    let plain = Desk::new();
    ok(&plain.onshi(&["init"]));
    let out = plain.onshi_env(
        &["passphrase", "change"],
        &[("ONSHI_NEW_PASSPHRASE_FILE", &new)],
    );
    assert_eq!(code(&out), 1);
    assert!(
        text(&out.stderr).contains("暗号化されていません"),
        "{}",
        text(&out.stderr)
    );
    assert_no_personal("stderr", &desk.all_stderr());
}

#[test]
fn kdf_settings_a_tampered_store_asks_for_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::init_encrypted(dir.path(), PASSPHRASE).unwrap());
    let good = crypto_meta(dir.path());
    let tampered = [
        ("m_cost_kib", serde_json::json!(4_000_000_000u32)),
        ("m_cost_kib", serde_json::json!(1024 * 1024)),
        ("t_cost", serde_json::json!(1_000_000)),
        ("p_cost", serde_json::json!(255)),
        ("p_cost", serde_json::json!(0)),
        ("salt", serde_json::json!("ab".repeat(100_000))),
    ];
    for (field, value) in tampered {
        let mut m = good.clone();
        m[field] = value.clone();
        set_crypto_meta(dir.path(), &m);
        let started = std::time::Instant::now();
        let e = Store::open_with_passphrase(dir.path(), PASSPHRASE).unwrap_err();
        assert!(
            matches!(e, StoreError::Corrupt { .. }),
            "{field}={value}: {e}"
        );
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "{field}: refused only after {:?}",
            started.elapsed()
        );
    }
    // The binary says the store is damaged, quickly, and prints nothing.
    let desk = Desk::new();
    drop(Store::init_encrypted(&desk.store(), PASSPHRASE).unwrap());
    let mut m = crypto_meta(&desk.store());
    m["m_cost_kib"] = serde_json::json!(u32::MAX);
    m["t_cost"] = serde_json::json!(u32::MAX);
    set_crypto_meta(&desk.store(), &m);
    let pass = desk.passphrase_file(PASSPHRASE, 0o600);
    let started = std::time::Instant::now();
    let out = desk.onshi_env(
        &["export", "--format", "jsonl"],
        &[("ONSHI_PASSPHRASE_FILE", &pass)],
    );
    assert_eq!(code(&out), 1);
    assert!(
        text(&out.stderr).contains("壊れています"),
        "{}",
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    // Restored, it opens again: the check refused the settings, not the store.
    set_crypto_meta(dir.path(), &good);
    Store::open_with_passphrase(dir.path(), PASSPHRASE).unwrap();
}

#[test]
fn a_plain_store_with_records_is_encrypted_in_place_and_no_plain_value_stays_on_disk() {
    let desk = Desk::new();
    let (v2, first_seq) = {
        let s = Store::open(&desk.store()).unwrap();
        let v2 = fill(&s);
        let other = fixtures::record();
        s.insert_new(&other, "佐藤").unwrap();
        // The receiving system refused a version, quoting the patient.
        let held = s.outbox_items(None, 1).unwrap()[0].clone();
        s.outbox_mark_failed(
            held.seq,
            Some(422),
            "山田　太郎: 保険者番号が違います",
            "sync",
        )
        .unwrap();
        (v2, held.seq)
    };
    let (audit_before, terminal) = {
        let s = Store::open(&desk.store()).unwrap();
        (s.audit().unwrap(), s.terminal_id())
    };
    for secret in secrets() {
        assert!(
            any_file_contains(&desk.store(), secret.as_bytes()),
            "{secret}"
        );
    }

    let pass = desk.passphrase_file(PASSPHRASE, 0o600);
    let env = [("ONSHI_PASSPHRASE_FILE", pass.as_path())];
    let out = desk.onshi_env(&["init", "--encrypt"], &env);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("これまでの記録も暗号化しました"),
        "{}",
        text(&out.stderr)
    );

    // Nothing personal is left in any file of the store: not the records, versions or
    // draft, not the target's refusal message, not the old database.
    for secret in secrets() {
        assert!(
            !any_file_contains(&desk.store(), secret.as_bytes()),
            "{secret} still on disk after encrypting in place"
        );
    }
    assert_eq!(Store::open(&desk.store()).unwrap_err(), StoreError::Locked);
    let s = Store::open_with_passphrase(&desk.store(), PASSPHRASE).unwrap();
    assert_eq!(s.get(&v2.id).unwrap().unwrap(), v2);
    assert_eq!(s.versions(&v2.id).unwrap().len(), 2);
    assert_eq!(s.count(), 2);
    assert!(s.load_draft("form").unwrap().is_some());
    assert_eq!(s.terminal_id(), terminal);
    let held = s.outbox_failed().unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].seq, first_seq);
    assert_eq!(
        held[0].failure.as_ref().unwrap().message,
        "山田　太郎: 保険者番号が違います"
    );
    // The audit trail carries over, with the encryption at its end.
    let audit = s.audit().unwrap();
    assert_eq!(&audit[..audit_before.len()], &audit_before[..]);
    assert_eq!(audit.last().unwrap().action, AuditAction::Encrypt);
    // Queue order holds across the rewrite: a new save queues after the old entries.
    let queued_before: Vec<u64> = s
        .outbox_items(None, 100)
        .unwrap()
        .iter()
        .map(|i| i.seq)
        .collect();
    let newer = fixtures::record();
    s.insert_new(&newer, "佐藤").unwrap();
    let queued: Vec<u64> = s
        .outbox_items(None, 100)
        .unwrap()
        .iter()
        .map(|i| i.seq)
        .collect();
    assert_eq!(&queued[..queued_before.len()], &queued_before[..]);
    assert!(queued.last().unwrap() > queued_before.last().unwrap());
    drop(s);
    for secret in secrets() {
        assert!(
            !any_file_contains(&desk.store(), secret.as_bytes()),
            "{secret}"
        );
    }
    assert_no_personal("stderr", &desk.all_stderr());
}

#[test]
fn refusal_messages_are_sealed_in_an_encrypted_store() {
    let dir = tempfile::tempdir().unwrap();
    {
        let s = Store::init_encrypted(dir.path(), PASSPHRASE).unwrap();
        s.insert_new(&fixtures::record(), "佐藤").unwrap();
        let seq = s.outbox_items(None, 1).unwrap()[0].seq;
        s.outbox_mark_failed(seq, Some(400), "ヤマダ　タロウ は登録済みです", "sync")
            .unwrap();
        assert_eq!(
            s.outbox_failed().unwrap()[0]
                .failure
                .as_ref()
                .unwrap()
                .message,
            "ヤマダ　タロウ は登録済みです"
        );
    }
    assert!(!any_file_contains(dir.path(), "登録済み".as_bytes()));
    assert!(!any_file_contains(dir.path(), "ヤマダ".as_bytes()));
    let s = Store::open_with_passphrase(dir.path(), PASSPHRASE).unwrap();
    assert_eq!(
        s.outbox_failed().unwrap()[0]
            .failure
            .as_ref()
            .unwrap()
            .message,
        "ヤマダ　タロウ は登録済みです"
    );
}

#[test]
fn passphrase_change_without_a_store_creates_none() {
    let desk = Desk::new();
    let new = desk.passphrase_file("a brand new passphrase", 0o600);
    let out = desk.onshi_env(
        &["passphrase", "change"],
        &[("ONSHI_NEW_PASSPHRASE_FILE", &new)],
    );
    assert_eq!(code(&out), 1);
    assert!(
        text(&out.stderr).contains("暗号化されていません"),
        "{}",
        text(&out.stderr)
    );
    assert!(!desk.store().exists());
}

/// Encrypting an existing store rewrites it; on a terminal onshi says so while it runs,
/// then reports as usual.
#[test]
fn encrypting_in_place_says_so_on_a_terminal() {
    let desk = Desk::new();
    Store::open(&desk.store())
        .unwrap()
        .insert_new(&fixtures::record(), "佐藤")
        .unwrap();
    let pass = desk.passphrase_file(PASSPHRASE, 0o600);
    let mut c = desk.cmd();
    c.arg("--store")
        .arg(desk.store())
        .args(["init", "--encrypt"])
        .env("ONSHI_PASSPHRASE_FILE", &pass);
    let (status, shown) = common::pty::run_on_terminal(&c, &desk.path(""));
    assert_eq!(status, Some(0), "{shown}");
    let shown = common::pty::plain(&shown);
    assert!(shown.contains("onshi: 保存先を暗号化しています"), "{shown}");
    assert!(shown.contains("これまでの記録も暗号化しました"), "{shown}");
    assert_eq!(Store::open(&desk.store()).unwrap_err(), StoreError::Locked);
}
