//! Crash safety with real processes: a child saves in a loop and is SIGKILLed at random
//! points; everything it confirmed must be there, intact, when the store is reopened.
//!
//! The child is this test binary re-executed with `--exact <child test>` and an env var.

mod common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use common::fixtures;
use onshi::domain::record::Record;
use onshi::store::{Store, StoreError};

const CHILD_STORE: &str = "ONSHI_CHILD_STORE";
const CHILD_HOLD: &str = "ONSHI_CHILD_HOLD";

/// Children must never outlive a failed parent for long.
const CHILD_MAX_LIFE: Duration = Duration::from_secs(60);

/// The record the child saves for `id`: content derived from the id so the parent can
/// check it without talking to the child.
fn crash_record(id: &str) -> Record {
    let mut r = fixtures::record_with_id(id);
    r.incident.note = Some(format!("停電 {id}"));
    r.copay.amount_yen = Some(id.bytes().map(u64::from).sum());
    r
}

/// Kills the child if the parent test fails half-way.
struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn_child(test: &str, env: &str, dir: &Path) -> (ChildGuard, BufReader<ChildStdout>) {
    let mut child = Command::new(std::env::current_exe().expect("current exe"))
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(env, dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn child");
    let stdout = BufReader::new(child.stdout.take().expect("child stdout"));
    (ChildGuard(child), stdout)
}

/// libtest writes "test child_save_loop ... " without a newline before the test runs, so
/// the first line of ours shares its line.
fn confirmation(line: &str) -> Option<String> {
    let pos = line.find("confirmed ")?;
    Some(line[pos + "confirmed ".len()..].trim_end().to_string())
}

/// splitmix64: a tiny seeded generator so each iteration's kill point is reproducible.
fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn save_loop(dir: &Path, limit: Option<usize>) -> Vec<String> {
    let store = Store::open(dir).expect("child open");
    let started = Instant::now();
    let mut saved = Vec::new();
    let mut out = std::io::stdout().lock();
    while limit.is_none_or(|n| saved.len() < n) && started.elapsed() < CHILD_MAX_LIFE {
        let id = ulid::Ulid::new().to_string();
        store.insert_new(&crash_record(&id), "佐藤").expect("save");
        // Confirm only after insert_new returned, i.e. after the flush.
        if limit.is_none() {
            // A closed pipe means the parent is gone: stop.
            if writeln!(out, "confirmed {id}")
                .and_then(|_| out.flush())
                .is_err()
            {
                break;
            }
        }
        saved.push(id);
    }
    saved
}

/// Child of `killed_saver_loses_nothing_it_confirmed`; alone, an in-process save loop.
#[test]
fn child_save_loop() {
    if let Some(dir) = std::env::var_os(CHILD_STORE) {
        save_loop(Path::new(&dir), None);
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let saved = save_loop(tmp.path(), Some(100));
    assert_eq!(saved.len(), 100);
    let store = Store::open(tmp.path()).unwrap();
    assert_eq!(store.count(), 100);
    assert_eq!(store.outbox_len(), 100);
    for id in &saved {
        assert_eq!(store.get(id).unwrap(), Some(crash_record(id)));
    }
}

#[test]
fn killed_saver_loses_nothing_it_confirmed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    let mut confirmed: Vec<String> = Vec::new();
    let started = Instant::now();

    for iteration in 0..12u64 {
        let r = splitmix(0x6f6e_7368_6900 + iteration);
        let target = 1 + (r % 200) as usize;
        let extra_delay = Duration::from_micros((r >> 32) % 3000);

        let (mut child, mut stdout) = spawn_child("child_save_loop", CHILD_STORE, &dir);
        let mut got = 0;
        let mut line = String::new();
        while got < target {
            line.clear();
            let n = stdout.read_line(&mut line).expect("read child");
            assert!(
                n > 0,
                "child exited early (iteration {iteration}, {got} saves)"
            );
            if let Some(id) = confirmation(&line) {
                confirmed.push(id);
                got += 1;
            }
        }
        // Kill it mid-save, at a varying point of the next save.
        std::thread::sleep(extra_delay);
        child.0.kill().expect("SIGKILL child");
        child.0.wait().expect("reap child");
        // Lines written before the kill are confirmations too.
        for line in stdout.lines() {
            let line = line.expect("read child");
            if let Some(id) = confirmation(&line) {
                confirmed.push(id);
            }
        }

        let store = Store::open(&dir)
            .unwrap_or_else(|e| panic!("reopen after kill {iteration} failed: {e}"));
        for id in &confirmed {
            match store.get(id) {
                Ok(Some(rec)) => assert_eq!(rec, crash_record(id), "iteration {iteration}"),
                other => panic!("confirmed {id} missing after kill {iteration}: {other:?}"),
            }
        }
        // At most the save in flight may exist beyond what was confirmed, and every
        // stored record (including that one) decodes completely.
        let all = store.list().expect("all records decode");
        assert!(
            all.len() >= confirmed.len() && all.len() <= confirmed.len() + iteration as usize + 1
        );
        for rec in &all {
            assert_eq!(rec, &crash_record(&rec.id));
        }
        // Each save queued exactly one version and audited once.
        assert_eq!(store.outbox_len(), all.len());
        assert_eq!(store.audit().unwrap().len(), all.len());
        let queued: BTreeSet<String> = store
            .outbox_peek(usize::MAX)
            .unwrap()
            .into_iter()
            .map(|e| e.id)
            .collect();
        assert!(confirmed.iter().all(|id| queued.contains(id)));
    }
    assert!(confirmed.len() >= 12);
    eprintln!(
        "{} confirmed saves over 12 kills in {:?}",
        confirmed.len(),
        started.elapsed()
    );
}

/// Child of `second_process_gets_in_use_with_its_pid`; alone, the same check in-process.
#[test]
fn child_hold_store() {
    if let Some(dir) = std::env::var_os(CHILD_HOLD) {
        let _store = Store::open(Path::new(&dir)).expect("child open");
        println!("ready");
        let started = Instant::now();
        while started.elapsed() < CHILD_MAX_LIFE {
            std::thread::sleep(Duration::from_millis(50));
        }
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(tmp.path()).unwrap();
    assert_eq!(
        Store::open(tmp.path()).unwrap_err(),
        StoreError::InUse {
            pid: Some(std::process::id())
        }
    );
    drop(store);
    assert!(Store::open(tmp.path()).is_ok());
}

#[test]
fn second_process_gets_in_use_with_its_pid() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store");
    let (mut child, mut stdout) = spawn_child("child_hold_store", CHILD_HOLD, &dir);
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            stdout.read_line(&mut line).expect("read child") > 0,
            "child died"
        );
        if line.trim_end().ends_with("ready") {
            break;
        }
    }
    let err = Store::open(&dir).unwrap_err();
    assert_eq!(
        err,
        StoreError::InUse {
            pid: Some(child.0.id())
        }
    );
    assert!(err.to_string().contains(&child.0.id().to_string()));

    // A killed holder releases the lock with its process.
    child.0.kill().unwrap();
    child.0.wait().unwrap();
    let store = Store::open(&dir).expect("open after holder died");
    assert_eq!(store.count(), 0);
}
