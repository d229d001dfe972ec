//! Only onshi's own directory: `--store` pointed at a folder that holds other files (a
//! home folder, Documents, scripts) or at a file is refused with the path and what to do,
//! and nothing in it is created or changed; a missing or empty folder becomes a store
//! with its marker; modes are set only on onshi's and sled's files; stores written before
//! the marker still open (and get one).

mod audit_support;
mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use audit_support::{code, import_jsonl, ok, text, Desk};
use common::{bin, fixtures};
use onshi::store::{NotAStoreReason, Store, StoreError};

/// Every entry under `dir`: relative path → (mode, contents). Modes are left out under
/// Wine, which keeps none of its own (docs/platforms.md).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (u32, Vec<u8>)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let meta = fs::symlink_metadata(&p).unwrap();
            let mode = mode_of(&meta);
            let rel = p.strip_prefix(dir).unwrap().to_path_buf();
            if meta.is_dir() {
                out.insert(rel, (mode, Vec::new()));
                stack.push(p);
            } else {
                out.insert(rel, (mode, fs::read(&p).unwrap_or_default()));
            }
        }
    }
    out.insert(
        PathBuf::from("."),
        (mode_of(&fs::metadata(dir).unwrap()), Vec::new()),
    );
    out
}

#[cfg(unix)]
fn mode_of(meta: &fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    if bin::under_wine() {
        0
    } else {
        meta.permissions().mode() & 0o7777
    }
}

#[cfg(unix)]
fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(p, fs::Permissions::from_mode(mode)).unwrap();
}

/// A folder someone uses for other things: a script with its execute bit, a document, a
/// subfolder.
fn documents(at: &Path) {
    fs::create_dir_all(at.join("scripts")).unwrap();
    fs::write(at.join("scripts/backup.sh"), b"#!/bin/sh\necho ok\n").unwrap();
    set_mode(&at.join("scripts/backup.sh"), 0o755);
    set_mode(&at.join("scripts"), 0o755);
    fs::write(at.join("letter.txt"), "拝啓".as_bytes()).unwrap();
    set_mode(&at.join("letter.txt"), 0o644);
    set_mode(at, 0o755);
}

#[test]
fn a_folder_with_other_files_is_refused_and_left_exactly_as_it_was() {
    let desk = Desk::new();
    let docs = desk.path("Documents");
    documents(&docs);
    let before = snapshot(&docs);
    for args in [
        vec!["export", "--format", "jsonl"],
        vec!["init"],
        vec!["audit"],
        vec!["purge", "--dry-run"],
    ] {
        let mut c = desk.cmd();
        c.arg("--store").arg(&docs).args(&args);
        let out = c.output().unwrap();
        assert_eq!(code(&out), 1, "{args:?}: {}", text(&out.stderr));
        let err = text(&out.stderr);
        assert!(
            err.contains("onshi の保存先ではなく") && err.contains("--store"),
            "{args:?}: {err}"
        );
        assert!(
            err.contains(&docs.display().to_string()),
            "names the path: {err}"
        );
        assert!(out.stdout.is_empty());
        assert_eq!(snapshot(&docs), before, "{args:?} changed the folder");
    }
    // doctor says so on its store line and changes nothing either.
    let mut c = desk.cmd();
    c.args(["--lang", "en", "--store"]).arg(&docs).arg("doctor");
    let out = c.output().unwrap();
    let lines = text(&out.stdout);
    assert!(
        lines
            .lines()
            .any(|l| l.starts_with("NG store:") && l.contains("Not an onshi store")),
        "{lines}"
    );
    assert_eq!(snapshot(&docs), before, "doctor changed the folder");

    // The library says why.
    assert_eq!(
        Store::open(&docs).unwrap_err(),
        StoreError::NotAStore {
            path: docs.clone(),
            reason: NotAStoreReason::NotEmpty
        }
    );
    assert_eq!(snapshot(&docs), before);
}

#[test]
fn a_file_is_refused_as_a_store() {
    let desk = Desk::new();
    let file = desk.path("notes.txt");
    fs::write(&file, b"notes").unwrap();
    let mut c = desk.cmd();
    c.arg("--store")
        .arg(&file)
        .args(["export", "--format", "csv"]);
    let out = c.output().unwrap();
    assert_eq!(code(&out), 1, "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("フォルダーではありません"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(fs::read(&file).unwrap(), b"notes");
}

#[test]
fn missing_and_empty_folders_become_stores_with_a_marker() {
    let desk = Desk::new();
    // Missing, with a missing parent.
    let missing = desk.path("new/onshi");
    let mut c = desk.cmd();
    c.arg("--store").arg(&missing).arg("init");
    ok(&c.output().unwrap());
    let marker = fs::read_to_string(missing.join("onshi.store")).unwrap();
    assert!(marker.starts_with("onshi-store 1\n"), "{marker}");
    bin::assert_owner_only(&missing.join("onshi.store"));

    // Empty: it becomes the store and is made private like one onshi created.
    let empty = desk.path("empty");
    fs::create_dir(&empty).unwrap();
    set_mode(&empty, 0o755);
    let mut c = desk.cmd();
    c.arg("--store").arg(&empty).arg("init");
    ok(&c.output().unwrap());
    assert!(empty.join("onshi.store").is_file());
    if !bin::under_wine() {
        assert_eq!(mode_of(&fs::metadata(&empty).unwrap()), 0o700);
    }
    // And it opens as a store from then on, records and all.
    let rec = fixtures::record();
    let input = desk.path("in.jsonl");
    fs::write(&input, import_jsonl(std::slice::from_ref(&rec))).unwrap();
    let mut c = desk.cmd();
    c.arg("--store").arg(&empty).arg("import").arg(&input);
    ok(&c.output().unwrap());
    let mut c = desk.cmd();
    c.arg("--store")
        .arg(&empty)
        .args(["export", "--format", "jsonl"]);
    assert!(ok(&c.output().unwrap()).contains(&rec.id));
}

/// Commands that read or send what is stored do not make a store: a mistyped `--store`
/// is told there is none there (exit 1), and the folder stays missing or empty.
#[test]
fn reading_commands_report_a_missing_or_empty_folder_and_create_nothing() {
    let desk = Desk::new();
    let missing = desk.path("typo/onshi");
    let empty = desk.path("empty");
    fs::create_dir(&empty).unwrap();
    let commands: [&[&str]; 6] = [
        &["export", "--format", "jsonl"],
        &["audit"],
        &["print", "01JDQ8V9X6R1ZK3M4N5P6Q7R8S", "--format", "txt"],
        &["purge", "--dry-run"],
        &["sync", "--once"],
        &[
            "sync",
            "--set-aside",
            "01JDQ8V9X6R1ZK3M4N5P6Q7R8S:1",
            "--reason",
            "重複",
        ],
    ];
    let inbox = desk.path("inbox");
    fs::create_dir(&inbox).unwrap();
    fs::write(inbox.join(".onshi-inbox"), b"").unwrap();
    let config = desk.path("dir-target.toml");
    let toml = format!(
        "[sync]\ntarget = \"dir\"\ndir = {:?}\n",
        inbox.display().to_string()
    );
    fs::write(&config, toml).unwrap();
    for dir in [&missing, &empty] {
        for args in commands {
            let mut c = desk.cmd();
            c.arg("--store")
                .arg(dir)
                .arg("--config")
                .arg(&config)
                .args(args);
            let out = c.output().unwrap();
            let err = text(&out.stderr);
            assert_eq!(code(&out), 1, "{args:?} on {}: {err}", dir.display());
            assert!(err.contains("保存先がありません"), "{args:?}: {err}");
            assert!(err.contains(&dir.display().to_string()), "{args:?}: {err}");
        }
    }
    assert!(!missing.exists() && !desk.path("typo").exists());
    assert_eq!(
        fs::read_dir(&empty).unwrap().count(),
        0,
        "the empty folder stays empty"
    );
}

#[test]
fn only_onshi_and_sled_files_in_a_store_are_made_private() {
    let desk = Desk::new();
    desk.seed(&[fixtures::record()], "佐藤");
    // Someone keeps a note (and a folder) in the store directory.
    let note = desk.store().join("README-clinic.txt");
    fs::write(&note, b"do not delete").unwrap();
    set_mode(&note, 0o644);
    let sub = desk.store().join("clinic-notes");
    fs::create_dir(&sub).unwrap();
    set_mode(&sub, 0o755);
    ok(&desk.onshi(&["export", "--format", "jsonl"]));
    if !bin::under_wine() {
        assert_eq!(mode_of(&fs::metadata(&note).unwrap()), 0o644);
        assert_eq!(mode_of(&fs::metadata(&sub).unwrap()), 0o755);
        for f in ["db", "conf", "onshi.lock", "onshi.store"] {
            bin::assert_owner_only(&desk.store().join(f));
        }
    }
    assert_eq!(fs::read(&note).unwrap(), b"do not delete");
}

/// Copy a fixture store (tests/fixtures/legacy-store) to `to`.
pub fn copy_fixture(name: &str, to: &Path) {
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
fn a_store_written_before_the_marker_opens_and_gets_one() {
    let desk = Desk::new();
    copy_fixture("plain", &desk.store());
    assert!(!desk.store().join("onshi.store").exists());
    let out = ok(&desk.onshi(&["export", "--format", "jsonl"]));
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(out.contains("01JBV1F1X7AAAAAAAAAAAAAAA1") && out.contains("山田　花子"));
    assert!(
        desk.store().join("onshi.store").is_file(),
        "the marker is written"
    );
    // From then on an ordinary store.
    let out = ok(&desk.onshi(&["audit"]));
    assert!(out.contains("01JBV1F1X7AAAAAAAAAAAAAAA2"), "{out}");
}

#[test]
fn a_folder_shaped_like_an_old_store_without_onshi_data_is_refused() {
    let desk = Desk::new();
    let dir = desk.store();
    fs::create_dir_all(&dir).unwrap();
    // Some other program's sled database, and a stray lock file.
    {
        let db = sled::open(&dir).unwrap();
        db.open_tree("other").unwrap().insert(b"k", b"v").unwrap();
        db.flush().unwrap();
    }
    fs::write(dir.join("onshi.lock"), b"1\n").unwrap();
    let out = desk.onshi(&["export", "--format", "jsonl"]);
    assert_eq!(code(&out), 1, "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("onshi の保存先ではなく"),
        "{}",
        text(&out.stderr)
    );
    assert!(!dir.join("onshi.store").exists(), "no marker written");
    let db = sled::open(&dir).unwrap();
    assert!(
        !db.tree_names().iter().any(|n| n.as_ref() == b"records"),
        "onshi's trees were created in it"
    );
}

/// After a rewrite the marker names a database subdirectory; if it is gone (deleted by
/// hand, a restore that missed it), onshi says the store is damaged instead of quietly
/// starting an empty one in its place.
#[test]
fn a_missing_database_is_damage_not_a_new_empty_store() {
    let desk = Desk::new();
    let rec = fixtures::record();
    {
        let s = Store::open(&desk.store()).unwrap();
        s.insert_new(&rec, "佐藤").unwrap();
        drop(s.compact().unwrap());
    }
    let data: Vec<PathBuf> = fs::read_dir(desk.store())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("data-")
        })
        .collect();
    assert_eq!(data.len(), 1, "{data:?}");
    assert!(
        !desk.store().join("db").exists(),
        "the old database was removed"
    );
    let out = ok(&desk.onshi(&["export", "--format", "jsonl"]));
    assert!(out.contains(&rec.id), "the compacted store has the record");

    fs::remove_dir_all(&data[0]).unwrap();
    let out = desk.onshi(&["export", "--format", "jsonl"]);
    assert_eq!(code(&out), 1, "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("壊れています"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        !data[0].exists(),
        "an empty database was created in its place"
    );
    assert!(!desk.store().join("db").exists());
}
