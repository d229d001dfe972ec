//! Encryption at rest: what reaches the disk, what a wrong passphrase does (nothing), that
//! every reader (list, versions, drafts, sync, export) sees plain data in memory, and the
//! CLI's passphrase sources (`ONSHI_PASSPHRASE_FILE` 0600, else a terminal).

mod audit_support;
mod common;

use std::fs;
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
        let db = sled::open(dir.path()).unwrap();
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
