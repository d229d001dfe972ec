//! A read-only store directory, for real: a read-only bind mount (mode bits do not stop
//! root, who runs the tests and often the desk). onshi says so at start, naming the
//! directory, and exits 1 before it touches the terminal; the records stay readable once
//! the store is writable again.
//!
//! Needs root with CAP_SYS_ADMIN for the bind mount (see `fault_support`); fails otherwise.

mod common;
mod fault_support;

use std::process::{Command, Stdio};

use common::fixtures;
use fault_support::ReadOnly;
use onshi::store::{Store, StoreError};

const BIN: &str = env!("CARGO_BIN_EXE_onshi");

#[test]
fn read_only_store_is_refused_at_start_with_a_clear_message() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    let rec = fixtures::record();
    {
        let store = Store::open(&dir).unwrap();
        store.insert_new(&rec, "佐藤").unwrap();
    }
    let ro = ReadOnly::new(&dir);

    // In-process: a Permission error naming the directory, not a panic or a sled error.
    match Store::open(&dir) {
        Err(StoreError::Permission { path }) => {
            assert!(path.starts_with(&dir), "{}", path.display())
        }
        other => panic!("expected Permission, got {other:?}"),
    }

    // The desk (no subcommand) and the commands that need the store.
    let runs: [(&[&str], &str); 4] = [
        (&["--lang", "ja"], "保存先に書き込めません"),
        (&["--lang", "en"], "Cannot write to the store"),
        (
            &["--lang", "en", "export", "--format", "jsonl"],
            "Cannot write to the store",
        ),
        (
            &["--lang", "en", "import", "-"],
            "Cannot write to the store",
        ),
    ];
    for (args, want) in runs {
        let out = Command::new(BIN)
            .arg("--store")
            .arg(&dir)
            .args(["--config", "/dev/null"])
            .args(args)
            .env_remove("ONSHI_STORE")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(
            err.contains(dir.to_str().unwrap()),
            "names the store: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
        assert!(
            !err.contains('\u{1b}'),
            "the terminal was not touched: {err:?}"
        );
        assert!(out.stdout.is_empty(), "{args:?} wrote nothing");
    }

    // Writable again: everything is there.
    drop(ro);
    let store = Store::open(&dir).expect("opens when writable again");
    assert_eq!(store.get(&rec.id).unwrap(), Some(rec));
}
