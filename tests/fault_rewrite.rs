//! `kill -9` of the real binary while it rewrites the store's database (docs/store.md):
//! encrypting a plain store in place (`onshi init --encrypt`) and compacting after a purge
//! (`onshi purge`). Every kill, at a random point, must leave a store that opens: the old
//! one or the new one, complete, never a mix and never nothing. Once the new one is the
//! store, the next open removes what is left of the old one, so no plain value stays in
//! the files of an encrypted store, nor a purged one after compaction.
//!
//! Linux only, like `fault_kill.rs`: the kill delays are timed for a native start.

mod audit_support;
mod common;
mod support;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Local;

use audit_support::{any_file_contains, PASSPHRASE};
use common::fixtures;
use onshi::store::{AuditAction, Store, StoreError};
use support::{splitmix, Killed};

const BIN: &str = env!("CARGO_BIN_EXE_onshi");

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// What the store directory holds besides sled's and onshi's files of the store itself:
/// after an open, no database the marker does not name.
fn databases(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("data-") || n == "db")
        .collect()
}

fn onshi(dir: &Path, pass: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(["--config", "/dev/null", "--store"])
        .arg(dir)
        .args(args)
        .env_remove("ONSHI_STORE")
        .env("ONSHI_PASSPHRASE_FILE", pass)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

fn passphrase_file(dir: &Path) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join("pass");
    fs::write(&p, format!("{PASSPHRASE}\n")).unwrap();
    fs::set_permissions(&p, fs::Permissions::from_mode(0o600)).unwrap();
    p
}

/// Run to the end once, for the duration the kills are spread over.
fn full_run(dir: &Path, pass: &Path, args: &[&str]) -> Duration {
    let started = Instant::now();
    let status = onshi(dir, pass, args).status().unwrap();
    assert!(status.success(), "{args:?} exited {status}");
    started.elapsed()
}

#[test]
fn kill_9_while_encrypting_in_place_leaves_the_plain_or_the_encrypted_store() {
    let tmp = tempfile::tempdir().unwrap();
    let pass = passphrase_file(tmp.path());
    let template = tmp.path().join("template");
    let ids: BTreeSet<String> = {
        let s = Store::open(&template).unwrap();
        support::queue_records(&s, 1500, 1);
        s.save_draft("form", fixtures::ADDRESS.as_bytes()).unwrap();
        s.list().unwrap().into_iter().map(|r| r.id).collect()
    };
    let full = full_run(
        &{
            let d = tmp.path().join("timing");
            copy_dir(&template, &d);
            d
        },
        &pass,
        &["init", "--encrypt"],
    );

    let (mut plain, mut encrypted, mut mid) = (0, 0, 0);
    // Kills spread evenly over 0–120 % of the run (stratified, with jitter), so both the
    // rewrite and the time after the switch are hit whatever the machine's speed. The
    // timing run can be slower than the ones after it (a busy machine): a run found
    // finished earlier than expected sets the expected length.
    let mut est = full.as_millis() as u64;
    for i in 0..24u64 {
        let dir = tmp.path().join(format!("s{i}"));
        copy_dir(&template, &dir);
        let mut child = Killed(onshi(&dir, &pass, &["init", "--encrypt"]).spawn().unwrap());
        let delay = spread(est, 0, 120, i, 24, 0x454e_4352);
        std::thread::sleep(Duration::from_millis(delay));
        if child.0.try_wait().unwrap().is_none() {
            mid += 1;
        } else if delay < est {
            est = delay.max(10);
        }
        child.0.kill().unwrap();
        child.0.wait().unwrap();

        let store = match Store::open(&dir) {
            Ok(s) => {
                plain += 1;
                s
            }
            Err(StoreError::Locked) => {
                encrypted += 1;
                Store::open_with_passphrase(&dir, PASSPHRASE)
                    .unwrap_or_else(|e| panic!("kill {i}: encrypted but does not open: {e}"))
            }
            Err(e) => panic!("kill {i}: the store does not open: {e}"),
        };
        let all: BTreeSet<String> = store
            .list()
            .unwrap_or_else(|e| panic!("kill {i}: a record does not decode: {e}"))
            .into_iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(all, ids, "kill {i}: records lost or added");
        assert_eq!(store.outbox_len(), ids.len(), "kill {i}");
        assert_eq!(
            store.load_draft("form").unwrap().as_deref(),
            Some(fixtures::ADDRESS.as_bytes()),
            "kill {i}"
        );
        let was_encrypted = store.is_encrypted();
        drop(store);
        assert_eq!(databases(&dir).len(), 1, "kill {i}: {:?}", databases(&dir));
        if was_encrypted {
            for secret in [fixtures::NAME, fixtures::ADDRESS] {
                assert!(
                    !any_file_contains(&dir, secret.as_bytes()),
                    "kill {i}: {secret} left in the files of the encrypted store"
                );
            }
        }
        fs::remove_dir_all(&dir).unwrap();
    }
    eprintln!(
        "encrypt kills: {mid}/24 hit a running rewrite; {plain} left it plain, {encrypted} \
         encrypted (full run {full:?})"
    );
    assert!(
        plain >= 2 && encrypted >= 2,
        "{plain} plain, {encrypted} encrypted"
    );
    assert!(mid >= 12, "only {mid} kills hit a running init");
}

#[test]
fn kill_9_while_purging_and_compacting_leaves_a_store_that_opens() {
    let tmp = tempfile::tempdir().unwrap();
    let pass = passphrase_file(tmp.path());
    let template = tmp.path().join("template");
    let ids: BTreeSet<String> = {
        let s = Store::open(&template).unwrap();
        for _ in 0..800 {
            let mut r = fixtures::record();
            r.service_date = Local::now().date_naive() - chrono::Duration::days(400);
            r.followup.needed = false;
            s.insert_new(&r, "佐藤").unwrap();
        }
        for item in s.outbox_items(None, usize::MAX).unwrap() {
            s.outbox_delivered(item.seq, "sync").unwrap();
        }
        s.outbox_flush().unwrap();
        s.list().unwrap().into_iter().map(|r| r.id).collect()
    };
    let args = ["purge", "--older-than", "90d"];
    let timing = tmp.path().join("timing");
    copy_dir(&template, &timing);
    let full = full_run(&timing, &pass, &args);
    // Run to the end: purged and compacted, the old database gone with the values.
    let dbs = databases(&timing);
    assert!(dbs.len() == 1 && dbs[0].starts_with("data-"), "{dbs:?}");
    assert!(!any_file_contains(&timing, fixtures::NAME.as_bytes()));
    assert!(any_file_contains(&template, fixtures::NAME.as_bytes()));

    let mut mid = 0;
    let mut compacted = 0;
    // As above, over 60–120 % of the run: compaction is its last part.
    let mut est = full.as_millis() as u64;
    for i in 0..20u64 {
        let dir = tmp.path().join(format!("s{i}"));
        copy_dir(&template, &dir);
        let mut child = Killed(onshi(&dir, &pass, &args).spawn().unwrap());
        // Compaction is the last part of the run: the kills fall from its middle on.
        let delay = spread(est, 60, 120, i, 20, 0x5055_5247);
        std::thread::sleep(Duration::from_millis(delay));
        if child.0.try_wait().unwrap().is_none() {
            mid += 1;
        } else if delay < est {
            est = delay.max(10);
        }
        child.0.kill().unwrap();
        child.0.wait().unwrap();

        let store = Store::open(&dir).unwrap_or_else(|e| panic!("kill {i}: does not open: {e}"));
        let left: BTreeSet<String> = store
            .list()
            .unwrap_or_else(|e| panic!("kill {i}: a record does not decode: {e}"))
            .into_iter()
            .map(|r| r.id)
            .collect();
        assert!(left.is_subset(&ids), "kill {i}");
        // Every record that is gone was purged, and audited as such.
        let purged: BTreeSet<String> = store
            .audit()
            .unwrap()
            .into_iter()
            .filter(|a| a.action == AuditAction::Purge)
            .filter_map(|a| a.record_id)
            .collect();
        let gone: BTreeSet<String> = ids.difference(&left).cloned().collect();
        assert_eq!(gone, purged, "kill {i}");
        drop(store);
        assert_eq!(databases(&dir).len(), 1, "kill {i}: {:?}", databases(&dir));
        if databases(&dir)[0].starts_with("data-") {
            compacted += 1;
            assert!(
                left.is_empty(),
                "kill {i}: compacted before the purge finished"
            );
            assert!(
                !any_file_contains(&dir, fixtures::NAME.as_bytes()),
                "kill {i}: purged values left in the compacted store's files"
            );
        }
        fs::remove_dir_all(&dir).unwrap();
    }
    eprintln!("purge kills: {mid}/20 hit a running purge, {compacted} compacted (full {full:?})");
    assert!(mid >= 8, "only {mid} kills hit a running purge");
    assert!(compacted >= 1, "no kill came after the compaction");
}

/// The delay of kill `i` of `n`: the `i`-th of `n` equal slices of `from`–`to` percent of
/// `est` milliseconds, at a pseudo-random point inside it (`seed`).
fn spread(est: u64, from: u64, to: u64, i: u64, n: u64, seed: u64) -> u64 {
    let slice = est * (to - from) / 100 / n;
    est * from / 100 + slice * i + splitmix(seed + i) % (slice + 1)
}
