//! Store behaviour on real sled files in temp directories (docs/store.md).

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Barrier};
use std::time::Duration;

use common::fixtures::{self, ADDRESS, BIRTH_DATE, EMPLOYER, KANA, NAME, PHONE};
use onshi::domain::record::Status;
use onshi::store::{AuditAction, Store, StoreError, SCHEMA_VERSION};

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

/// sled's own file lock can outlive a dropped `Db` by a moment; tests that open the raw
/// database right after a `Store` retry like `Store::open` does.
fn raw_db(dir: &Path) -> sled::Db {
    for _ in 0..200 {
        match sled::open(dir) {
            Ok(db) => return db,
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
    panic!("could not open raw sled db");
}

fn open(dir: &Path) -> Store {
    Store::open(dir).expect("open store")
}

#[test]
fn create_and_reopen_keeps_records_versions_and_outbox() {
    let tmp = tempdir();
    let dir = tmp.path().join("store");
    let a = fixtures::record();
    let b = fixtures::record();
    {
        let s = open(&dir);
        assert_eq!(s.dir(), dir.as_path());
        assert_eq!(s.count(), 0);
        s.insert_new(&a, "佐藤").unwrap();
        s.insert_new(&b, "佐藤").unwrap();
        s.update(&fixtures::next_version(&a), "佐藤", AuditAction::Edit)
            .unwrap();
    }
    let s = open(&dir);
    assert_eq!(s.count(), 2);
    assert_eq!(s.get(&a.id).unwrap(), Some(fixtures::next_version(&a)));
    assert_eq!(s.get(&b.id).unwrap(), Some(b.clone()));
    assert_eq!(s.versions(&a.id).unwrap().len(), 2);
    assert_eq!(s.outbox_len(), 3);
    let q = s.outbox_peek(10).unwrap();
    let ids: Vec<(&str, u32)> = q.iter().map(|e| (e.id.as_str(), e.version)).collect();
    assert_eq!(
        ids,
        vec![(a.id.as_str(), 1), (b.id.as_str(), 1), (a.id.as_str(), 2)]
    );
    assert_eq!(s.get("no-such-id").unwrap(), None);
}

#[test]
fn edit_makes_version_2_and_keeps_version_1() {
    let tmp = tempdir();
    let s = open(tmp.path());
    let v1 = fixtures::record();
    s.insert_new(&v1, "佐藤").unwrap();
    let mut v2 = fixtures::next_version(&v1);
    v2.declaration.phone = Some("090-0000-0000".to_string());
    s.update(&v2, "鈴木", AuditAction::Edit).unwrap();

    assert_eq!(s.get(&v1.id).unwrap().unwrap().version, 2);
    let all = s.versions(&v1.id).unwrap();
    assert_eq!(all, vec![v1.clone(), v2.clone()]);
    assert_eq!(s.count(), 1, "versions are not separate records");
    let audit = s.audit().unwrap();
    assert_eq!(audit.len(), 2);
    assert_eq!(audit[1].action, AuditAction::Edit);
    assert_eq!(audit[1].operator, "鈴木");
    assert_eq!(audit[1].version, Some(2));
    assert_eq!(audit[1].record_id.as_deref(), Some(v1.id.as_str()));
}

#[test]
fn versions_of_an_id_exclude_longer_ids_with_the_same_prefix() {
    let tmp = tempdir();
    let s = open(tmp.path());
    s.insert_new(&fixtures::record_with_id("abc"), "佐藤")
        .unwrap();
    s.insert_new(&fixtures::record_with_id("abcdefgh"), "佐藤")
        .unwrap();
    let v = s.versions("abc").unwrap();
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].id, "abc");
}

#[test]
fn void_keeps_the_record_and_its_history() {
    let tmp = tempdir();
    let dir = tmp.path();
    let v1 = fixtures::record();
    {
        let s = open(dir);
        s.insert_new(&v1, "佐藤").unwrap();
        let mut v2 = fixtures::next_version(&v1);
        v2.status = Status::Voided;
        v2.void_reason = Some("重複入力".to_string());
        s.update(&v2, "佐藤", AuditAction::Void).unwrap();
    }
    let s = open(dir);
    let cur = s.get(&v1.id).unwrap().expect("voided record still there");
    assert_eq!(cur.status, Status::Voided);
    assert_eq!(cur.void_reason.as_deref(), Some("重複入力"));
    assert_eq!(s.list().unwrap().len(), 1);
    assert_eq!(s.versions(&v1.id).unwrap()[0].status, Status::Active);
    assert_eq!(s.audit().unwrap().last().unwrap().action, AuditAction::Void);
}

#[test]
fn conflict_on_wrong_version() {
    let tmp = tempdir();
    let s = open(tmp.path());
    let v1 = fixtures::record();
    s.insert_new(&v1, "佐藤").unwrap();
    let v2 = fixtures::next_version(&v1);
    let v3 = fixtures::next_version(&v2);

    // Skipping a version.
    assert_eq!(
        s.update(&v3, "佐藤", AuditAction::Edit).unwrap_err(),
        StoreError::Conflict {
            id: v1.id.clone(),
            expected: 2,
            found: 1
        }
    );
    s.update(&v2, "佐藤", AuditAction::Edit).unwrap();
    // A stale edit based on version 1.
    assert_eq!(
        s.update(&v2, "鈴木", AuditAction::Edit).unwrap_err(),
        StoreError::Conflict {
            id: v1.id.clone(),
            expected: 1,
            found: 2
        }
    );
    // Re-saving version 1 through update.
    assert!(matches!(
        s.update(&v1, "佐藤", AuditAction::Edit),
        Err(StoreError::Conflict { .. })
    ));
    // Updating a record that does not exist.
    let other = fixtures::next_version(&fixtures::record());
    assert!(matches!(
        s.update(&other, "佐藤", AuditAction::Edit),
        Err(StoreError::Conflict { found: 0, .. })
    ));
    // Rejected saves left nothing behind.
    assert_eq!(s.versions(&v1.id).unwrap().len(), 2);
    assert_eq!(s.outbox_len(), 2);
    assert_eq!(s.audit().unwrap().len(), 2);
    assert_eq!(s.count(), 1);
}

#[test]
fn conflict_on_duplicate_insert_and_bad_first_version() {
    let tmp = tempdir();
    let s = open(tmp.path());
    let v1 = fixtures::record();
    s.insert_new(&v1, "佐藤").unwrap();
    assert_eq!(
        s.insert_new(&v1, "佐藤").unwrap_err(),
        StoreError::Conflict {
            id: v1.id.clone(),
            expected: 0,
            found: 1
        }
    );
    let v2_of_new = fixtures::next_version(&fixtures::record());
    assert!(matches!(
        s.insert_new(&v2_of_new, "佐藤"),
        Err(StoreError::Conflict {
            expected: 1,
            found: 0,
            ..
        })
    ));
    assert_eq!(s.count(), 1);
    assert_eq!(s.outbox_len(), 1);
}

#[test]
fn concurrent_edits_of_one_version_let_exactly_one_win() {
    let tmp = tempdir();
    let s = Arc::new(open(tmp.path()));
    let v1 = fixtures::record();
    s.insert_new(&v1, "佐藤").unwrap();
    let barrier = Arc::new(Barrier::new(4));
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let s = Arc::clone(&s);
            let barrier = Arc::clone(&barrier);
            let mut v2 = fixtures::next_version(&v1);
            v2.declaration.phone = Some(format!("090-0000-000{i}"));
            std::thread::spawn(move || {
                barrier.wait();
                s.update(&v2, "佐藤", AuditAction::Edit)
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    for r in results.iter().filter(|r| r.is_err()) {
        assert!(matches!(r, Err(StoreError::Conflict { found: 2, .. })));
    }
    assert_eq!(s.versions(&v1.id).unwrap().len(), 2);
    assert_eq!(s.outbox_len(), 2);
}

#[test]
fn list_is_newest_first_and_count_counts_records() {
    let tmp = tempdir();
    let s = open(tmp.path());
    let mut old = fixtures::record();
    old.created_at = "2026-11-27T09:00:00+09:00".parse().unwrap();
    let mut new = fixtures::record();
    new.created_at = "2026-11-28T18:00:00+09:00".parse().unwrap();
    let mid = fixtures::record();
    s.insert_new(&old, "佐藤").unwrap();
    s.insert_new(&new, "佐藤").unwrap();
    s.insert_new(&mid, "佐藤").unwrap();
    s.update(&fixtures::next_version(&old), "佐藤", AuditAction::Followup)
        .unwrap();
    let ids: Vec<String> = s.list().unwrap().into_iter().map(|r| r.id).collect();
    assert_eq!(ids, vec![new.id, mid.id, old.id.clone()]);
    assert_eq!(s.count(), 3);
    assert_eq!(s.list().unwrap()[2].version, 2);
}

#[test]
fn outbox_order_survives_reopen_and_removal() {
    let tmp = tempdir();
    let dir = tmp.path();
    let recs: Vec<_> = (0..5).map(|_| fixtures::record()).collect();
    {
        let s = open(dir);
        for r in &recs {
            s.insert_new(r, "佐藤").unwrap();
        }
    }
    let first_seq;
    {
        let s = open(dir);
        let q = s.outbox_peek(100).unwrap();
        let ids: Vec<&str> = q.iter().map(|e| e.id.as_str()).collect();
        let want: Vec<&str> = recs.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, want);
        assert!(q.windows(2).all(|w| w[0].seq < w[1].seq));
        assert_eq!(s.outbox_peek(2).unwrap(), q[..2].to_vec());
        first_seq = q[0].seq;
        s.outbox_remove(first_seq).unwrap();
        // Saves after a reopen queue behind the older ones.
        s.update(&fixtures::next_version(&recs[0]), "佐藤", AuditAction::Edit)
            .unwrap();
    }
    let s = open(dir);
    let q = s.outbox_peek(100).unwrap();
    assert_eq!(q.len(), 5);
    assert!(q.iter().all(|e| e.seq != first_seq));
    assert_eq!(q[0].id, recs[1].id);
    assert_eq!((q[4].id.as_str(), q[4].version), (recs[0].id.as_str(), 2));
    assert!(q.windows(2).all(|w| w[0].seq < w[1].seq));
    assert_eq!(s.outbox_len(), 5);
}

#[test]
fn drafts_save_load_delete_and_survive_reopen() {
    let tmp = tempdir();
    let dir = tmp.path();
    {
        let s = open(dir);
        assert_eq!(s.load_draft("new").unwrap(), None);
        s.save_draft("new", "氏名=山田".as_bytes()).unwrap();
        s.save_draft("new", "氏名=山田　太郎".as_bytes()).unwrap();
        s.save_draft("other", b"x").unwrap();
    }
    let s = open(dir);
    assert_eq!(
        s.load_draft("new").unwrap().as_deref(),
        Some("氏名=山田　太郎".as_bytes())
    );
    s.delete_draft("new").unwrap();
    assert_eq!(s.load_draft("new").unwrap(), None);
    assert_eq!(s.load_draft("other").unwrap().as_deref(), Some(&b"x"[..]));
    // Deleting a missing draft is fine.
    s.delete_draft("new").unwrap();
}

#[test]
fn draft_is_cleared_in_the_same_transaction_as_the_save() {
    let tmp = tempdir();
    let dir = tmp.path();
    let v1 = fixtures::record();
    {
        let s = open(dir);
        s.save_draft("new", b"form state").unwrap();
        s.insert_new_and_clear_draft(&v1, "佐藤", "new").unwrap();
        assert_eq!(s.load_draft("new").unwrap(), None);

        let key = format!("edit:{}", v1.id);
        s.save_draft(&key, b"edit state").unwrap();
        // A rejected save keeps the draft: nothing of it was applied.
        let stale = fixtures::next_version(&fixtures::next_version(&v1));
        assert!(s
            .update_and_clear_draft(&stale, "佐藤", AuditAction::Edit, &key)
            .is_err());
        assert_eq!(
            s.load_draft(&key).unwrap().as_deref(),
            Some(&b"edit state"[..])
        );
        s.save_draft("new", b"second form").unwrap();
        assert!(s.insert_new_and_clear_draft(&v1, "佐藤", "new").is_err());
        assert!(s.load_draft("new").unwrap().is_some());

        s.update_and_clear_draft(
            &fixtures::next_version(&v1),
            "佐藤",
            AuditAction::Edit,
            &key,
        )
        .unwrap();
        assert_eq!(s.load_draft(&key).unwrap(), None);
    }
    let s = open(dir);
    assert_eq!(s.load_draft(&format!("edit:{}", v1.id)).unwrap(), None);
    assert_eq!(s.get(&v1.id).unwrap().unwrap().version, 2);
}

#[test]
fn audit_trail_has_no_personal_values() {
    let tmp = tempdir();
    let dir = tmp.path();
    let rec = fixtures::record();
    {
        let s = open(dir);
        s.insert_new(&rec, "佐藤").unwrap();
        let mut v2 = fixtures::next_version(&rec);
        v2.status = Status::Voided;
        v2.void_reason = Some("取消".to_string());
        s.update(&v2, "佐藤", AuditAction::Void).unwrap();
        s.append_audit("sync", Some(&rec.id), Some(2), AuditAction::SyncDelivered)
            .unwrap();
        s.append_audit("佐藤", None, None, AuditAction::Purge)
            .unwrap();

        let audit = s.audit().unwrap();
        let actions: Vec<AuditAction> = audit.iter().map(|a| a.action).collect();
        assert_eq!(
            actions,
            vec![
                AuditAction::Create,
                AuditAction::Void,
                AuditAction::SyncDelivered,
                AuditAction::Purge
            ]
        );
        assert_eq!(audit[0].record_id.as_deref(), Some(rec.id.as_str()));
        assert_eq!(audit[3].record_id, None);
        assert!(audit.windows(2).all(|w| w[0].at <= w[1].at));

        let json = serde_json::to_string(&audit).unwrap();
        assert!(json.contains(&rec.id) && json.contains("\"void\""));
        assert_no_personal_values(&json);
    }
    // And the bytes actually on disk in the audit tree.
    let db = raw_db(dir);
    let tree = db.open_tree("audit").unwrap();
    let mut raw = String::new();
    for item in tree.iter() {
        let (_, v) = item.unwrap();
        raw.push_str(std::str::from_utf8(&v).unwrap());
    }
    assert!(raw.contains("\"at\":\"2"), "RFC 3339 times: {raw}");
    assert_no_personal_values(&raw);
}

fn assert_no_personal_values(text: &str) {
    for value in [
        NAME,
        "山田",
        KANA,
        "ヤマダ",
        ADDRESS,
        "千代田",
        BIRTH_DATE,
        "1981",
        PHONE,
        EMPLOYER,
        "取消",
    ] {
        assert!(!text.contains(value), "audit contains {value:?}: {text}");
    }
}

fn walk(dir: &Path, out: &mut Vec<(PathBuf, bool, u32)>) {
    for entry in fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let meta = fs::symlink_metadata(entry.path()).unwrap();
        let mode = meta.permissions().mode() & 0o7777;
        out.push((entry.path(), meta.is_dir(), mode));
        if meta.is_dir() {
            walk(&entry.path(), out);
        }
    }
}

#[test]
fn store_dir_is_0700_and_every_file_0600() {
    let tmp = tempdir();
    // Parents that do not exist yet are created private too.
    let parent = tmp.path().join("a").join("b");
    let dir = parent.join("store");
    {
        let s = open(&dir);
        for _ in 0..20 {
            s.insert_new(&fixtures::record(), "佐藤").unwrap();
        }
        s.save_draft("new", b"x").unwrap();
    }
    {
        let s = open(&dir);
        s.insert_new(&fixtures::record(), "佐藤").unwrap();
        s.append_audit("佐藤", None, None, AuditAction::Purge)
            .unwrap();
    }
    let _s = open(&dir);
    for d in [tmp.path().join("a"), parent.clone(), dir.clone()] {
        let mode = fs::metadata(&d).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, 0o700, "{}", d.display());
    }
    let mut entries = Vec::new();
    walk(&dir, &mut entries);
    let files = entries.iter().filter(|e| !e.1).count();
    assert!(files >= 3, "expected sled files and the lock: {entries:?}");
    assert!(entries.iter().any(|e| e.0.ends_with("onshi.lock")));
    for (path, is_dir, mode) in &entries {
        let want = if *is_dir { 0o700 } else { 0o600 };
        assert_eq!(*mode, want, "{} has mode {mode:o}", path.display());
    }
}

#[test]
fn existing_open_directory_is_tightened() {
    let tmp = tempdir();
    let dir = tmp.path().join("store");
    fs::create_dir(&dir).unwrap();
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
    let _s = open(&dir);
    let mode = fs::metadata(&dir).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o700);
}

#[test]
fn second_open_in_this_process_is_in_use_with_our_pid() {
    let tmp = tempdir();
    let s = open(tmp.path());
    let err = Store::open(tmp.path()).unwrap_err();
    assert_eq!(
        err,
        StoreError::InUse {
            pid: Some(std::process::id())
        }
    );
    assert!(err.to_string().contains(&std::process::id().to_string()));
    // The failed open did not disturb the holder, and the lock goes with it.
    s.insert_new(&fixtures::record(), "佐藤").unwrap();
    drop(s);
    assert_eq!(open(tmp.path()).count(), 1);
}

#[test]
fn newer_schema_is_refused() {
    let tmp = tempdir();
    let dir = tmp.path();
    drop(open(dir));
    {
        let db = raw_db(dir);
        let meta = db.open_tree("meta").unwrap();
        let v = meta.get("schema_version").unwrap().unwrap();
        assert_eq!(v.as_ref(), SCHEMA_VERSION.to_be_bytes());
        meta.insert("schema_version", &2u32.to_be_bytes()).unwrap();
        db.flush().unwrap();
    }
    let mut result = Store::open(dir);
    // The raw handle may linger a moment (see raw_db); the store retries, we only wait.
    for _ in 0..100 {
        if !matches!(result, Err(StoreError::Io { .. })) {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
        result = Store::open(dir);
    }
    assert_eq!(
        result.unwrap_err(),
        StoreError::Schema {
            found: 2,
            supported: 1
        }
    );
}

#[test]
fn undecodable_stored_record_is_corrupt_not_a_panic() {
    let tmp = tempdir();
    let dir = tmp.path();
    let good = fixtures::record();
    {
        let s = open(dir);
        s.insert_new(&good, "佐藤").unwrap();
    }
    {
        let db = raw_db(dir);
        let records = db.open_tree("records").unwrap();
        // Truncated JSON, and a value of the wrong type (serde_json would quote it).
        records
            .insert(
                "01BAD",
                r#"{"id":"01BAD","version":1,"name":"山田"#.as_bytes(),
            )
            .unwrap();
        records
            .insert("01BAD2", r#"{"id":"01BAD2","version":"山田"}"#.as_bytes())
            .unwrap();
        db.flush().unwrap();
    }
    let s = open(dir);
    assert_eq!(s.get(&good.id).unwrap(), Some(good.clone()));
    let err = s.get("01BAD").unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert!(!err.to_string().contains("山田"), "{err}");
    let err = s.get("01BAD2").unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("山田"), "{err:?}");
    assert!(matches!(s.list(), Err(StoreError::Corrupt { .. })));
    // An edit on top of the broken record is refused without panicking.
    let mut bad_v2 = fixtures::record_with_id("01BAD");
    bad_v2.version = 2;
    assert!(matches!(
        s.update(&bad_v2, "佐藤", AuditAction::Edit),
        Err(StoreError::Corrupt { .. })
    ));
}

#[test]
fn terminal_id_is_generated_once_and_settable() {
    let tmp = tempdir();
    let dir = tmp.path();
    let generated = {
        let s = open(dir);
        let t = s.terminal_id();
        assert!(
            t.starts_with("terminal-") && t.len() == "terminal-".len() + 6,
            "{t}"
        );
        t
    };
    {
        let s = open(dir);
        assert_eq!(s.terminal_id(), generated);
        s.set_terminal_id("reception-1").unwrap();
        assert_eq!(s.terminal_id(), "reception-1");
    }
    assert_eq!(open(dir).terminal_id(), "reception-1");
    let other = tempdir();
    assert_ne!(open(other.path()).terminal_id(), "reception-1");
}

#[test]
fn unwritable_location_is_permission_error() {
    // Root ignores mode bits, so use a place no one may create directories in: sysfs.
    // (The errno mapping itself is unit-tested in src/store/error.rs.)
    if !Path::new("/sys/kernel").is_dir() {
        eprintln!("sysfs not mounted; covered by the unit tests and the read-only test");
        return;
    }
    let dir = PathBuf::from(format!("/sys/onshi-test-{}/store", std::process::id()));
    match Store::open(&dir) {
        Err(StoreError::Permission { path }) => assert!(path.starts_with("/sys")),
        other => panic!("expected Permission, got {other:?}"),
    }
}

#[test]
fn read_only_directory_is_permission_error() {
    let tmp = tempdir();
    let ro = tmp.path().join("ro");
    fs::create_dir(&ro).unwrap();
    fs::set_permissions(&ro, fs::Permissions::from_mode(0o555)).unwrap();
    let target = ro.join("store");

    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        assert!(matches!(
            Store::open(&target),
            Err(StoreError::Permission { .. })
        ));
        // An existing store directory that became read-only.
        let existing = tmp.path().join("existing");
        drop(open(&existing));
        fs::remove_file(existing.join("onshi.lock")).unwrap();
        fs::set_permissions(&existing, fs::Permissions::from_mode(0o500)).unwrap();
        let res = Store::open(&existing);
        fs::set_permissions(&existing, fs::Permissions::from_mode(0o700)).unwrap();
        assert!(matches!(res, Err(StoreError::Permission { .. })), "{res:?}");
        return;
    }

    // As root the mode bits do not bind, so ask an unprivileged child (this test binary
    // re-executed as `nobody`) to open it.
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_try_open",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("ONSHI_CHILD_TRY_OPEN", &target)
        .uid(65534)
        .gid(65534)
        .output();
    let stdout = out
        .as_ref()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    // libtest's "test child_try_open ... " shares the line with ours.
    if let Some(pos) = stdout.find("child-result: ") {
        let result = stdout[pos..].lines().next().unwrap_or_default();
        assert_eq!(result, "child-result: permission", "{stdout}");
        assert!(!target.exists());
    } else {
        // The binary is not executable by `nobody` here (e.g. a private checkout): fall
        // back to the root-proof sysfs case.
        eprintln!("could not run as nobody ({out:?}); checking sysfs instead");
        if Path::new("/sys/kernel").is_dir() {
            let dir = PathBuf::from(format!("/sys/onshi-ro-{}", std::process::id()));
            assert!(matches!(
                Store::open(&dir),
                Err(StoreError::Permission { .. })
            ));
        }
    }
}

/// Child half of `read_only_directory_is_permission_error`; on its own, a plain check that
/// opening below a regular file fails cleanly.
#[test]
fn child_try_open() {
    if let Some(dir) = std::env::var_os("ONSHI_CHILD_TRY_OPEN") {
        let res = Store::open(Path::new(&dir));
        let label = match res {
            Ok(_) => "ok".to_string(),
            Err(StoreError::Permission { .. }) => "permission".to_string(),
            Err(e) => format!("other {e:?}"),
        };
        println!("child-result: {label}");
        return;
    }
    let tmp = tempdir();
    let file = tmp.path().join("plain-file");
    fs::write(&file, b"").unwrap();
    let err = Store::open(&file.join("store")).unwrap_err();
    assert!(
        matches!(err, StoreError::Io { .. } | StoreError::Permission { .. }),
        "{err:?}"
    );
    assert!(open(&tmp.path().join("fine")).count() == 0);
}

/// A snapshot sled was writing when the process died (or the power went) is never
/// complete; the store must open past it with every record (BENCHMARKS.md, finding 1).
#[test]
fn an_interrupted_snapshot_does_not_make_the_store_unopenable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    let rec = fixtures::record();
    {
        let store = Store::open(&path).unwrap();
        store.insert_new(&rec, "op").unwrap();
    }
    let planted = path.join("snap.FFFFFFFFFFFFFFFF.generating");
    std::fs::write(&planted, b"partial").unwrap();
    let store = Store::open(&path).expect("opens past the partial snapshot");
    assert_eq!(store.get(&rec.id).unwrap().as_ref(), Some(&rec));
    assert!(!planted.exists());
}
