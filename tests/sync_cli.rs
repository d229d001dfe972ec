//! `onshi sync` as a real process: exit codes, messages, progress, refusal of a readable
//! token file, and `kill -9` at random points without losing or duplicating anything.

mod common;
mod support;

use std::collections::HashSet;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::bin;
use onshi::store::{AuditAction, Store};

use common::fixtures;
use support::receiver::{free_addr, Receiver};
use support::{assert_delivered_once_in_order, queue_records, splitmix, Killed, TOKEN};

struct Env {
    _tmp: tempfile::TempDir,
    store: PathBuf,
    config: PathBuf,
    token: PathBuf,
}

/// A store and a config pointing `[sync]` at `url` with a 0600 token file.
fn env(url: &str) -> Env {
    let tmp = tempfile::tempdir().unwrap();
    let token = tmp.path().join("token");
    std::fs::write(&token, format!("{TOKEN}\n")).unwrap();
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
    let config = tmp.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "terminal_id = \"reception-1\"\n[sync]\ntarget = \"http\"\nurl = \"{url}\"\ntoken_file = \"{}\"\n",
            token.display()
        ),
    )
    .unwrap();
    Env {
        store: tmp.path().join("store"),
        config,
        token,
        _tmp: tmp,
    }
}

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

fn run(e: &Env, args: &[&str]) -> (Option<i32>, String) {
    let Output { status, stderr, .. } = onshi(e, args).output().expect("run onshi");
    (status.code(), String::from_utf8_lossy(&stderr).into_owned())
}

/// Queue with the store open in this process, then let it go for the child.
fn with_store<T>(e: &Env, f: impl FnOnce(&Store) -> T) -> T {
    let store = Store::open(&e.store).unwrap();
    f(&store)
}

#[test]
fn once_exit_codes_follow_the_queue() {
    let addr = free_addr();
    let e = env(&format!("http://{addr}/onshi/records"));
    let keys = with_store(&e, |s| queue_records(s, 3, 1));

    // Target down: 3, nothing lost.
    let (code, err) = run(&e, &["--lang", "en", "sync", "--once"]);
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("Cannot reach the sync target"), "{err}");
    assert!(err.contains("0 delivered"), "{err}");
    assert_eq!(with_store(&e, |s| s.outbox_len()), 3);

    // Target up: 0, queue empty.
    let rx = Receiver::start_on(addr);
    let (code, err) = run(&e, &["--lang", "en", "sync", "--once"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("3 delivered, 0 held (needs action), 0 still queued"),
        "{err}"
    );
    assert_eq!(with_store(&e, |s| s.outbox_len()), 0);
    assert_delivered_once_in_order(&rx.seen().accepted, &keys);

    // A refusal: 1, the entry is named, the server's text (which may quote personal
    // values) is not printed.
    let rec = fixtures::record();
    let key = format!("{}:1", rec.id);
    with_store(&e, |s| s.insert_new(&rec, "佐藤").unwrap());
    rx.reject_key(
        &key,
        422,
        &format!("name {} does not match", fixtures::NAME),
    );
    let (code, err) = run(&e, &["--lang", "en", "sync", "--once"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains(&format!("{} v1", rec.id)) && err.contains("HTTP 422"),
        "{err}"
    );
    assert!(
        !err.contains(fixtures::NAME),
        "personal value on stderr: {err}"
    );
    assert!(err.contains("--retry-failed"), "{err}");
    // Still held on the next run, without sending it again.
    let (code, _) = run(&e, &["sync", "--once"]);
    assert_eq!(code, Some(1));
    assert_eq!(rx.seen().rejected, 1);

    // Fixed on the server; the operator retries.
    rx.accept_key(&key);
    let (code, err) = run(&e, &["--lang", "en", "sync", "--once", "--retry-failed"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(with_store(&e, |s| s.outbox_len()), 0);
    assert_eq!(rx.keys().last(), Some(&key));
}

#[test]
fn without_once_it_waits_for_the_target_then_exits_0() {
    let addr = free_addr();
    let e = env(&format!("http://{addr}/onshi/records"));
    let keys = with_store(&e, |s| queue_records(s, 4, 2));
    let mut child = onshi(&e, &["--lang", "en", "sync"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    assert!(child.try_wait().unwrap().is_none(), "gave up while offline");
    let rx = Receiver::start_on(addr);
    let t0 = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(t0.elapsed() < Duration::from_secs(20), "did not finish");
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(err.contains("retrying in"), "{err}");
    assert!(err.contains("8 delivered"), "{err}");
    assert_delivered_once_in_order(&rx.seen().accepted, &keys);
    assert_eq!(with_store(&e, |s| s.outbox_len()), 0);
}

#[test]
fn long_queue_reports_progress_and_a_summary() {
    let rx = Receiver::start();
    let e = env(&rx.url());
    with_store(&e, |s| queue_records(s, 1100, 1));
    // On a terminal: a running count with its rate, then the summary.
    let scratch = tempfile::tempdir().unwrap();
    let cmd = onshi(&e, &["--lang", "en", "sync", "--once"]);
    let (code, shown) = common::pty::run_on_terminal(&cmd, scratch.path());
    assert_eq!(code, Some(0), "{shown}");
    let shown = common::pty::plain(&shown);
    assert!(shown.contains("delivering "), "{shown}");
    assert!(shown.contains("/1100 ("), "{shown}");
    assert!(shown.contains("/s)"), "{shown}");
    assert!(shown.contains("1100 delivered"), "{shown}");
    assert_eq!(rx.seen().accepted.len(), 1100);

    // In a script (stderr a pipe): the summary line only.
    with_store(&e, |s| queue_records(s, 600, 1));
    let (code, err) = run(&e, &["--lang", "en", "sync", "--once"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("delivering"), "{err}");
    assert!(err.contains("600 delivered"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");

    let (code, err) = run(&e, &["--lang", "ja", "sync", "--once"]);
    assert_eq!(code, Some(0));
    assert!(err.contains("送信 0件"), "{err}");
}

#[test]
fn token_file_readable_by_others_is_refused() {
    let rx = Receiver::start();
    let e = env(&rx.url());
    with_store(&e, |s| queue_records(s, 1, 1));
    std::fs::set_permissions(&e.token, std::fs::Permissions::from_mode(0o644)).unwrap();
    for lang in ["en", "ja"] {
        let (code, err) = run(&e, &["--lang", lang, "sync", "--once"]);
        assert_eq!(code, Some(2), "{err}");
        assert!(err.contains(&e.token.display().to_string()), "{err}");
        // Who can read it: the mode bits, or Windows' broad group (Wine derives the
        // file's access list from the mode).
        let who = if bin::under_wine() {
            "Everyone"
        } else {
            "0644"
        };
        assert!(err.contains(who), "{err}");
    }
    assert!(run(&e, &["--lang", "en", "sync"])
        .1
        .contains(bin::owner_only_command()));
    // Group read is refused on Linux; Windows has no owning group (Wine shows a group
    // bit as no grant to Everyone, Users or Authenticated Users).
    if !bin::under_wine() {
        std::fs::set_permissions(&e.token, std::fs::Permissions::from_mode(0o640)).unwrap();
        assert_eq!(run(&e, &["sync", "--once"]).0, Some(2));
    }
    assert_eq!(rx.seen().requests, 0, "nothing sent with a readable token");

    std::fs::set_permissions(&e.token, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (code, err) = run(&e, &["sync", "--once"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(rx.seen().accepted.len(), 1);
}

#[test]
fn missing_or_bad_target_config_is_a_usage_error() {
    let e = env("http://127.0.0.1:9/x");
    std::fs::write(&e.config, "terminal_id = \"reception-1\"\n").unwrap();
    let (code, err) = run(&e, &["--lang", "en", "sync", "--once"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("No sync target"), "{err}");

    // Personal data must not travel in the clear to another host. (0.0.0.0 counts as
    // another host for the check, yet would stay on this machine if the check failed.)
    std::fs::write(
        &e.config,
        format!(
            "[sync]\ntarget = \"http\"\nurl = \"http://0.0.0.0:9/r\"\ntoken_file = \"{}\"\n",
            e.token.display()
        ),
    )
    .unwrap();
    let (code, err) = run(&e, &["--lang", "en", "sync", "--once"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("use https://"), "{err}");

    std::fs::write(&e.config, "[sync]\ntarget = \"dir\"\n").unwrap();
    let (code, err) = run(&e, &["--lang", "en", "sync", "--once"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("[sync] dir is missing"), "{err}");
}

fn delivered_in_audit(store_dir: &Path) -> HashSet<String> {
    let store = Store::open(store_dir).unwrap();
    store
        .audit()
        .unwrap()
        .into_iter()
        .filter(|a| a.action == AuditAction::SyncDelivered)
        .map(|a| format!("{}:{}", a.record_id.unwrap(), a.version.unwrap()))
        .collect()
}

#[test]
fn kill_9_at_random_points_loses_and_duplicates_nothing() {
    let rx = Receiver::start();
    let e = env(&rx.url());
    let keys = with_store(&e, |s| queue_records(s, 1000, 3));
    let started = Instant::now();
    let mut killed_running = 0;
    for i in 0..24u64 {
        let r = splitmix(0x5359_4e43 + i);
        let delay = Duration::from_millis(50 + r % 350);
        let mut child = Killed(
            onshi(&e, &["sync"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        std::thread::sleep(delay);
        if child.0.try_wait().unwrap().is_none() {
            killed_running += 1;
        }
        // SIGKILL: no destructor, no flush.
        child.0.kill().unwrap();
        child.0.wait().unwrap();
    }
    let before_final = rx.seen().accepted.len();
    eprintln!(
        "kill loop: {killed_running}/24 killed while running, {before_final}/{} delivered, {} repeats, {:?}",
        keys.len(),
        rx.seen().repeats,
        started.elapsed()
    );
    assert!(before_final > 0, "no progress between kills");
    // Most kills must hit a running sync (unless a fast machine drained the queue early).
    assert!(
        killed_running >= 12 || before_final == keys.len(),
        "{killed_running} kills hit a running sync"
    );

    // A final run drains the rest.
    let (code, err) = run(&e, &["--lang", "en", "sync", "--once"]);
    assert_eq!(code, Some(0), "{err}");
    let seen = rx.seen();
    assert_delivered_once_in_order(&seen.accepted, &keys);
    assert_eq!(with_store(&e, |s| s.outbox_len()), 0);
    // Every version is audited as delivered at least once.
    let audited = delivered_in_audit(&e.store);
    let want: HashSet<String> = keys.iter().cloned().collect();
    assert_eq!(audited, want);
}

/// `onshi sync --once` to a shared folder: one complete `<id>-v<version>.json` per
/// queued version, byte for byte the stored record; a folder that is gone is "target
/// unreachable" (exit 3) and nothing leaves the queue.
#[test]
fn once_to_a_dir_target_writes_one_file_per_version() {
    let e = env("http://127.0.0.1:9/unused");
    let inbox = e.store.parent().unwrap().join("inbox");
    std::fs::write(
        &e.config,
        format!(
            "terminal_id = \"reception-1\"\n[sync]\ntarget = \"dir\"\ndir = \"{}\"\n",
            inbox.display()
        ),
    )
    .unwrap();
    let keys = with_store(&e, |s| queue_records(s, 2, 2));

    // Not there yet: unreachable, the queue kept.
    let (code, err) = run(&e, &["--lang", "en", "sync", "--once"]);
    assert_eq!(code, Some(3), "{err}");
    assert_eq!(with_store(&e, |s| s.outbox_len()), keys.len());

    std::fs::create_dir(&inbox).unwrap();
    // The folder exists but is not marked as the inbox (a share not mounted leaves an
    // empty mount point): still unreachable, nothing written into it.
    let (code, err) = run(&e, &["--lang", "en", "sync", "--once"]);
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains(".onshi-inbox"), "{err}");
    assert_eq!(std::fs::read_dir(&inbox).unwrap().count(), 0);
    assert_eq!(with_store(&e, |s| s.outbox_len()), keys.len());

    std::fs::write(inbox.join(".onshi-inbox"), b"").unwrap();
    let (code, err) = run(&e, &["sync", "--once"]);
    assert_eq!(code, Some(0), "{err}");
    let mut names: Vec<String> = std::fs::read_dir(&inbox)
        .unwrap()
        .map(|d| d.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".onshi-inbox")
        .collect();
    names.sort();
    let mut want: Vec<String> = keys
        .iter()
        .map(|k| {
            let (id, v) = k.split_once(':').unwrap();
            format!("{id}-v{v}.json")
        })
        .collect();
    want.sort();
    assert_eq!(names, want, "no temporary files left, nothing else");
    with_store(&e, |s| {
        assert_eq!(s.outbox_len(), 0);
        for k in &keys {
            let (id, v) = k.split_once(':').unwrap();
            let stored = s
                .versions(id)
                .unwrap()
                .into_iter()
                .find(|r| r.version.to_string() == v)
                .unwrap();
            let file = inbox.join(format!("{id}-v{v}.json"));
            let got: serde_json::Value =
                serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
            assert_eq!(got, serde_json::to_value(&stored).unwrap(), "{k}");
        }
    });
}

/// A version the target refuses for good holds the later versions of its record until it
/// is set aside: `onshi sync --set-aside ID:VERSION --reason …` takes it out of the queue
/// (audited, exportable), and the next pass delivers the rest. Retries and attempts that
/// did not reach the target are in the audit trail too.
#[test]
fn a_version_set_aside_lets_later_versions_flow_and_everything_is_audited() {
    let addr = free_addr();
    let e = env(&format!("http://{addr}/onshi/records"));
    let rec = fixtures::record();
    let v2 = fixtures::next_version(&rec);
    let other = fixtures::record();
    with_store(&e, |s| {
        s.insert_new(&rec, "佐藤").unwrap();
        s.update(&v2, "佐藤", AuditAction::Edit).unwrap();
        s.insert_new(&other, "佐藤").unwrap();
    });
    // The target is down first: one attempt, audited as not reaching it.
    let (code, err) = run(&e, &["sync", "--once"]);
    assert_eq!(code, Some(3), "{err}");

    let rx = Receiver::start_on(addr);
    rx.reject_key(
        &format!("{}:1", rec.id),
        422,
        &format!("{} は受け付けられません", fixtures::NAME),
    );
    let (code, err) = run(&e, &["--lang", "en", "sync", "--once"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("--set-aside"),
        "the hint names the way out: {err}"
    );
    let keys = rx.keys();
    assert!(keys.contains(&format!("{}:1", other.id)), "{keys:?}");
    assert!(
        !keys.contains(&format!("{}:2", rec.id)),
        "v2 must wait for v1: {keys:?}"
    );

    // A retry after "fixing" nothing: refused again; audited as the operator's retry.
    let (code, _) = run(
        &e,
        &["--operator", "佐藤", "sync", "--once", "--retry-failed"],
    );
    assert_eq!(code, Some(1));

    // Usage: a reason is required; only a held version can be set aside.
    let set_aside = format!("{}:1", rec.id);
    let (code, err) = run(&e, &["sync", "--set-aside", &set_aside]);
    assert_eq!(code, Some(2), "{err}");
    let (code, err) = run(&e, &["sync", "--set-aside", "not-an-id", "--reason", "x"]);
    assert_eq!(code, Some(2), "{err}");
    let waiting = format!("{}:2", rec.id);
    let (code, err) = run(
        &e,
        &[
            "--operator",
            "佐藤",
            "sync",
            "--set-aside",
            &waiting,
            "--reason",
            "誤り",
        ],
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("保留の"), "{err}");
    let (code, err) = run(
        &e,
        &[
            "--operator",
            "佐藤",
            "sync",
            "--set-aside",
            &set_aside,
            "--reason",
            "保険者番号の誤り。紙で提出済み",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("送信待ちから外しました"), "{err}");
    assert_eq!(with_store(&e, |s| s.outbox_len()), 1, "only v2 is left");

    // The later version flows now.
    let (code, err) = run(&e, &["sync", "--once"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(rx.keys().contains(&format!("{}:2", rec.id)));
    assert_eq!(with_store(&e, |s| s.outbox_len()), 0);

    // The set-aside version is exportable, with why and the version itself.
    let out = onshi(&e, &["export", "--format", "jsonl", "--set-aside"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    let l = &lines[0];
    assert_eq!(l["id"], rec.id.as_str());
    assert_eq!(l["version"], 1);
    assert_eq!(l["reason"], "保険者番号の誤り。紙で提出済み");
    assert_eq!(l["operator"], "佐藤");
    assert_eq!(l["failure"]["status"], 422);
    assert_eq!(l["record"]["declaration"]["name"], fixtures::NAME);
    let out = onshi(&e, &["export", "--format", "csv", "--set-aside"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "set-aside export is JSONL");

    // Every step is in the audit trail: the attempt that did not reach the target, the
    // refusal, the retry, the set-aside (by whom), the deliveries, the export.
    let audit = with_store(&e, |s| s.audit().unwrap());
    let has = |id: &str, v: u32, action: AuditAction, op: Option<&str>| {
        audit.iter().any(|a| {
            a.record_id.as_deref() == Some(id)
                && a.version == Some(v)
                && a.action == action
                && op.is_none_or(|o| a.operator == o)
        })
    };
    assert!(has(&rec.id, 1, AuditAction::SyncUnreachable, Some("sync")));
    assert!(has(&rec.id, 1, AuditAction::SyncFailed, Some("sync")));
    assert!(has(&rec.id, 1, AuditAction::SyncRetry, Some("佐藤")));
    assert!(has(&rec.id, 1, AuditAction::SetAside, Some("佐藤")));
    assert!(has(&rec.id, 2, AuditAction::SyncDelivered, None));
    assert!(audit
        .iter()
        .any(|a| a.action == AuditAction::ExportSetAside && a.count == Some(1)));
    assert!(!has(&rec.id, 1, AuditAction::SyncDelivered, None));
    // The audit listing says so without a value.
    let out = onshi(&e, &["audit", "--record", &rec.id]).output().unwrap();
    let listing = String::from_utf8_lossy(&out.stdout);
    assert!(listing.contains("set_aside"), "{listing}");
    assert!(
        !listing.contains(fixtures::NAME) && !listing.contains("紙で提出"),
        "{listing}"
    );
}
